//! `action.yml` (the GitHub Action) and `examples/github-workflow.yml`: valid against GitHub's
//! schemas, consistent with each other and with the binary, and the action's check step run for
//! real against small repositories, as the runner would run it.
//!
//! The schemas are SchemaStore's `github-action.json` and `github-workflow.json`, kept in
//! tests/integrations/schemas/ (see its README.md), read with the `jsonschema` crate.
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A YAML file as JSON, as GitHub reads it (YAML 1.2: `on` is a key, not `true`).
fn yaml_file(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    yaml(&text, rel)
}

fn yaml(text: &str, what: &str) -> Value {
    let docs =
        yaml_rust2::YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(docs.len(), 1, "{what}: one YAML document");
    to_json(&docs[0])
}

fn to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => json!(i),
        Yaml::Real(r) => serde_json::from_str(r).unwrap_or_else(|_| Value::String(r.clone())),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        other => panic!("unexpected YAML key {other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::BadValue => panic!("unexpected YAML node {y:?}"),
    }
}

/// Schema violations of `doc`, one line each.
fn violations(schema: &str, doc: &Value) -> Vec<String> {
    let path = root().join("tests/integrations/schemas").join(schema);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{} does not compile: {e}", path.display()));
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn action_is_valid_against_the_action_schema() {
    let action = yaml_file("action.yml");
    let errors = violations("github-action.json", &action);
    assert!(errors.is_empty(), "action.yml:\n{}", errors.join("\n"));

    // The schema is no blank cheque: a misspelt runner and an unknown step key are refused.
    let mut broken = action.clone();
    broken["runs"]["using"] = json!("composit");
    assert!(!violations("github-action.json", &broken).is_empty());
    let mut broken = action;
    broken["runs"]["steps"][0]["run-if"] = json!("always()");
    assert!(!violations("github-action.json", &broken).is_empty());
}

#[test]
fn example_workflow_is_valid_against_the_workflow_schema() {
    let workflow = yaml_file("examples/github-workflow.yml");
    let errors = violations("github-workflow.json", &workflow);
    assert!(
        errors.is_empty(),
        "examples/github-workflow.yml:\n{}",
        errors.join("\n")
    );

    let mut broken = workflow;
    broken["permissions"]["security-events"] = json!("writ");
    assert!(!violations("github-workflow.json", &broken).is_empty());
}

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_array().expect("runs.steps")
}

fn step<'a>(action: &'a Value, id: &str) -> &'a Value {
    steps(action)
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("action.yml has no step with id {id}"))
}

/// Every `${{ ... }}` expression in a YAML value's strings.
fn expressions(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${{") {
                let end = rest[start..].find("}}").expect("closed expression") + start;
                out.push(rest[start + 3..end].trim().to_string());
                rest = &rest[end + 2..];
            }
        }
        Value::Array(a) => a.iter().for_each(|x| expressions(x, out)),
        Value::Object(o) => o.values().for_each(|x| expressions(x, out)),
        _ => {}
    }
}

/// `steps.ID.outputs.NAME` and `inputs.NAME` references in expressions and `if:` conditions.
fn references(text: &str, prefix: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let tail = &rest[i + prefix.len()..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(tail.len());
        refs.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    refs
}

#[test]
fn action_references_only_what_it_declares() {
    let action = yaml_file("action.yml");
    let inputs = action["inputs"].as_object().unwrap();
    let mut texts = Vec::new();
    expressions(&action, &mut texts);
    for s in steps(&action) {
        if let Some(cond) = s["if"].as_str() {
            texts.push(cond.to_string());
        }
    }
    let all = texts.join("\n");
    for name in references(&all, "inputs.") {
        assert!(inputs.contains_key(&name), "inputs.{name} is not declared");
    }
    // A step's output is read only after that step, and is one it writes.
    let ids: Vec<&str> = steps(&action)
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    for reference in references(&all, "steps.") {
        let (id, output) = reference
            .split_once(".outputs.")
            .unwrap_or_else(|| panic!("steps.{reference}: not a step output"));
        assert!(ids.contains(&id), "steps.{id} does not exist");
        let s = step(&action, id);
        if let Some(uses) = s["uses"].as_str() {
            assert!(
                uses.starts_with("actions/cache@") && output == "cache-hit",
                "steps.{id}.outputs.{output} of {uses}"
            );
        } else {
            let run = s["run"].as_str().unwrap();
            assert!(
                run.contains(&format!("echo \"{output}=")),
                "step {id} never writes {output} to GITHUB_OUTPUT"
            );
        }
    }
    for (name, out) in action["outputs"].as_object().unwrap() {
        assert!(
            out["value"]
                .as_str()
                .unwrap()
                .contains("steps.check.outputs."),
            "output {name}"
        );
    }

    let build = steps(&action)
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("cargo install"))
        })
        .expect("a step that installs infra-lint");
    let run = build["run"].as_str().unwrap();
    assert!(
        run.contains("cargo install --locked --path \"$ACTION_PATH\""),
        "{run}"
    );
    assert_eq!(build["env"]["ACTION_PATH"], "${{ github.action_path }}");
    assert!(build["if"]
        .as_str()
        .unwrap()
        .contains("steps.cache.outputs.cache-hit"));
    let cache = step(&action, "cache");
    assert!(cache["with"]["key"]
        .as_str()
        .unwrap()
        .contains("steps.build.outputs.key"));

    let upload = steps(&action)
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("upload-sarif"))
        })
        .expect("a SARIF upload step");
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v3");
    assert_eq!(upload["with"]["category"], "infra-lint");
    assert_eq!(
        upload["with"]["sarif_file"],
        "${{ steps.check.outputs.sarif-file }}"
    );
    let cond = upload["if"].as_str().unwrap();
    assert!(cond.starts_with("always()") && cond.contains("inputs.upload-sarif == 'true'"));
    // The check step records the status and the last step fails by it, after the upload.
    let order: Vec<&Value> = steps(&action).iter().collect();
    let pos = |f: &dyn Fn(&Value) -> bool| order.iter().position(|s| f(s)).unwrap();
    let check_at = pos(&|s| s["id"] == "check");
    let upload_at = pos(&|s| s["uses"] == upload["uses"]);
    let fail_at = pos(&|s| {
        s["env"]["STATUS"] == "${{ steps.check.outputs.exit-code }}" && s["if"].is_string()
    });
    assert!(check_at < upload_at && upload_at < fail_at);
    assert!(order[fail_at]["if"]
        .as_str()
        .unwrap()
        .starts_with("always()"));
}

/// `infra-lint check --help`, from the binary these tests built.
fn check_help() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_infra-lint"))
        .args(["check", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_flag_the_action_passes_is_one_the_binary_accepts() {
    let action = yaml_file("action.yml");
    let run = step(&action, "check")["run"].as_str().unwrap();
    let help = check_help();
    let mut flags: Vec<&str> = run
        .split(|c: char| c.is_whitespace() || c == '"' || c == '=')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .collect();
    flags.sort();
    flags.dedup();
    assert!(flags.contains(&"--format") && flags.contains(&"--fail-on"));
    for flag in flags {
        assert!(
            help.contains(&format!("{flag} ")),
            "infra-lint check --help does not list {flag}:\n{help}"
        );
    }
}

#[test]
fn example_workflow_uses_the_action_with_code_scanning_permissions() {
    let workflow = yaml_file("examples/github-workflow.yml");
    let on = workflow["on"].as_object().expect("on: a map of events");
    assert!(on.contains_key("pull_request") && on.contains_key("push"));
    assert_eq!(workflow["permissions"]["security-events"], "write");
    assert_eq!(workflow["permissions"]["contents"], "read");

    let action = yaml_file("action.yml");
    let inputs = action["inputs"].as_object().unwrap();
    let uses: Vec<&Value> = workflow["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|j| j["steps"].as_array().unwrap())
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("infra-lint/infra-lint@"))
        })
        .collect();
    assert_eq!(uses.len(), 1, "one step uses the action");
    for key in uses[0]["with"].as_object().unwrap().keys() {
        assert!(inputs.contains_key(key), "the action has no input {key}");
    }
    let text = std::fs::read_to_string(root().join("examples/github-workflow.yml")).unwrap();
    assert!(text.contains("`uses: ./`"), "the local form is shown");
}

/// One run of the action's check step and of its last step, as the runner runs composite
/// steps (`bash --noprofile --norc -eo pipefail`), with `${{ }}` expressions evaluated from the
/// inputs' defaults overridden by `inputs`.
struct StepRun {
    status: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    fail_status: i32,
    fail_stdout: String,
}

/// `${{ expr }}` replaced by `values[expr]`; an expression the test does not know fails it.
fn eval(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").unwrap() + start;
        let expr = rest[start + 3..end].trim();
        out.push_str(&rest[..start]);
        out.push_str(
            values
                .get(expr)
                .unwrap_or_else(|| panic!("the test cannot evaluate ${{{{ {expr} }}}}")),
        );
        rest = &rest[end + 2..];
    }
    out + rest
}

/// Runs a `run:` step of the action in `workspace` with its `env:` evaluated, writing
/// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY into `scratch`: (status, stdout, stderr).
fn run_step(
    s: &Value,
    values: &BTreeMap<String, String>,
    workspace: &Path,
    scratch: &Path,
) -> (i32, String, String) {
    let script = s["run"].as_str().unwrap();
    assert!(
        !script.contains("${{"),
        "inputs reach the script through env, not its text"
    );
    let script_file = scratch.join("step.sh");
    std::fs::write(&script_file, script).unwrap();
    let dir = match s["working-directory"].as_str() {
        Some(d) => workspace.join(eval(d, values)),
        None => workspace.to_path_buf(),
    };
    let mut c = Command::new("bash");
    c.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script_file)
        .current_dir(dir)
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", scratch.join("output"))
        .env("GITHUB_STEP_SUMMARY", scratch.join("summary.md"))
        .env("RUNNER_TOOL_CACHE", scratch.join("tool-cache"));
    for (k, v) in s["env"].as_object().into_iter().flatten() {
        c.env(k, eval(v.as_str().unwrap(), values));
    }
    let out = c.output().expect("bash");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `name=value` lines a step appended to GITHUB_OUTPUT.
fn outputs(scratch: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(scratch.join("output"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn run_check_step(workspace: &Path, inputs: &[(&str, &str)]) -> StepRun {
    let action = yaml_file("action.yml");
    let mut values: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                format!("inputs.{k}"),
                v["default"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    for (k, v) in inputs {
        assert!(values.contains_key(&format!("inputs.{k}")), "no input {k}");
        values.insert(format!("inputs.{k}"), v.to_string());
    }
    values.insert(
        "steps.build.outputs.bin".into(),
        env!("CARGO_BIN_EXE_infra-lint").into(),
    );
    let scratch = tempfile::tempdir().unwrap();
    let (status, stdout, stderr) =
        run_step(step(&action, "check"), &values, workspace, scratch.path());
    let outputs = outputs(scratch.path());
    let summary = std::fs::read_to_string(scratch.path().join("summary.md")).unwrap_or_default();
    for (k, v) in &outputs {
        values.insert(format!("steps.check.outputs.{k}"), v.clone());
    }
    let fail = steps(&action)
        .iter()
        .rfind(|s| s["env"]["STATUS"].is_string())
        .unwrap();
    let (fail_status, fail_stdout, _) = run_step(fail, &values, workspace, scratch.path());
    StepRun {
        status,
        stdout,
        stderr,
        outputs,
        summary,
        fail_status,
        fail_stdout,
    }
}

#[test]
fn build_step_keys_the_cache_on_what_the_build_reads() {
    let action = yaml_file("action.yml");
    let source = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("Cargo.toml", "[package]\n"),
        ("Cargo.lock", "# lock\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("rules/a.md", "# a\n"),
        ("README.md", "read me\n"),
    ] {
        let p = source.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let values: BTreeMap<String, String> = [
        ("github.action_path", source.path().to_str().unwrap()),
        ("runner.os", "Linux"),
        ("runner.arch", "X64"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let key = || {
        let scratch = tempfile::tempdir().unwrap();
        let (status, _, stderr) = run_step(
            step(&action, "build"),
            &values,
            source.path(),
            scratch.path(),
        );
        assert_eq!(status, 0, "{stderr}");
        let out = outputs(scratch.path());
        let tool_cache = scratch.path().join("tool-cache");
        assert!(
            out["root"].starts_with(tool_cache.to_str().unwrap()),
            "{out:?}"
        );
        assert_eq!(out["bin"], format!("{}/bin/infra-lint", out["root"]));
        out["key"].clone()
    };
    let first = key();
    let (prefix, hash) = first.rsplit_once('-').unwrap();
    assert!(
        prefix.starts_with("infra-lint-Linux-") && prefix.ends_with("-X64"),
        "{first}"
    );
    assert!(
        hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{first}"
    );
    std::fs::write(source.path().join("README.md"), "changed\n").unwrap();
    assert_eq!(key(), first, "a file the build does not read keeps the key");
    std::fs::write(source.path().join("src/main.rs"), "fn main() { }\n").unwrap();
    let second = key();
    assert_ne!(second, first, "a source change makes a new key");
    std::fs::write(source.path().join("rules/a.md"), "# b\n").unwrap();
    assert_ne!(key(), second, "rule pages are built in");
}

const PUBLIC_DB: &str = r#"resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 7
  skip_final_snapshot         = true
  publicly_accessible         = true
}
"#;

const NOTHING_TO_FIND: &str =
    "variable \"environment\" {\n  type    = string\n  default = \"staging\"\n}\n";

/// A git repository (annotations and SARIF name files relative to its root) with these files.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = Command::new("git")
        .args(["init", "--quiet"])
        .current_dir(dir.path())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git is on PATH");
    assert!(out.status.success());
    dir
}

fn annotations(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("::")).collect()
}

fn sarif(run: &StepRun) -> Value {
    let path = run.outputs.get("sarif-file").expect("sarif-file output");
    assert!(Path::new(path).is_absolute(), "{path}");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn check_step_with_defaults_annotates_summarizes_writes_sarif_and_fails_last() {
    let ws = workspace(&[("main.tf", PUBLIC_DB)]);
    let run = run_check_step(ws.path(), &[]);
    assert_eq!(
        run.status, 0,
        "the check step records, never fails:\n{}",
        run.stdout
    );
    assert_eq!(run.outputs["exit-code"], "1", "findings:\n{}", run.stderr);

    let notes = annotations(&run.stdout);
    let rds = notes
        .iter()
        .find(|l| l.contains("RDS001"))
        .unwrap_or_else(|| panic!("an annotation for RDS001:\n{}", run.stdout));
    assert!(rds.starts_with("::error "), "{rds}");
    assert!(
        rds.contains("file=main.tf") && rds.contains("line=11"),
        "{rds}"
    );

    assert!(
        run.summary.contains("RDS001"),
        "step summary:\n{}",
        run.summary
    );

    let doc = sarif(&run);
    assert_eq!(
        run.outputs["sarif-file"],
        ws.path()
            .canonicalize()
            .unwrap()
            .join("infra-lint.sarif")
            .to_string_lossy()
    );
    assert_eq!(doc["version"], "2.1.0");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "RDS001")
        .expect("RDS001 in SARIF");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "main.tf"
    );

    assert_eq!(run.fail_status, 1, "the last step fails the check");
    assert!(
        run.fail_stdout.starts_with("::error "),
        "{}",
        run.fail_stdout
    );
}

#[test]
fn check_step_in_a_subdirectory_with_two_roots_names_files_from_the_repository_root() {
    let ws = workspace(&[
        ("infra/prod/main.tf", PUBLIC_DB),
        ("infra/staging/main.tf", NOTHING_TO_FIND),
    ]);
    let run = run_check_step(
        ws.path(),
        &[
            ("working-directory", "infra"),
            ("paths", "prod\nstaging\n"),
            ("sarif-file", "reports/infra-lint.sarif"),
        ],
    );
    assert_eq!(
        run.outputs["exit-code"], "1",
        "{}{}",
        run.stdout, run.stderr
    );
    let notes = annotations(&run.stdout);
    assert!(
        notes
            .iter()
            .any(|l| l.contains("RDS001") && l.contains("file=infra/prod/main.tf")),
        "annotations name files as the pull request's diff does:\n{}",
        run.stdout
    );
    assert!(
        run.outputs["sarif-file"].ends_with("/infra/reports/infra-lint.sarif"),
        "{:?}",
        run.outputs
    );
    assert_eq!(sarif(&run)["version"], "2.1.0");
    assert_eq!(run.fail_status, 1);
}

#[test]
fn check_step_passes_args_and_fail_on() {
    let ws = workspace(&[("main.tf", PUBLIC_DB)]);
    // --ignore reaches the binary: nothing is left to report.
    let run = run_check_step(ws.path(), &[("args", "--ignore RDS001")]);
    assert_eq!(
        run.outputs["exit-code"], "0",
        "{}{}",
        run.stdout, run.stderr
    );
    assert!(!run.stdout.contains("RDS001"), "{}", run.stdout);
    assert_eq!(run.fail_status, 0);
    assert!(run.outputs["sarif-file"].ends_with("infra-lint.sarif"));

    // fail-on never: the finding is still annotated and uploaded, and the check passes.
    let run = run_check_step(ws.path(), &[("fail-on", "never")]);
    assert_eq!(
        run.outputs["exit-code"], "0",
        "{}{}",
        run.stdout, run.stderr
    );
    assert!(annotations(&run.stdout)
        .iter()
        .any(|l| l.contains("RDS001")));
    assert!(!sarif(&run)["runs"][0]["results"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(run.fail_status, 0);
}

#[test]
fn check_step_reports_an_input_error_as_exit_2() {
    let ws = workspace(&[("main.tf", PUBLIC_DB)]);
    let run = run_check_step(ws.path(), &[("paths", "no-such-directory")]);
    assert_eq!(run.status, 0);
    assert_eq!(
        run.outputs["exit-code"], "2",
        "{}{}",
        run.stdout, run.stderr
    );
    // Input errors are part of the report: an annotation, or nobody reading the pull request
    // learns why the check failed.
    assert!(
        annotations(&run.stdout)
            .iter()
            .any(|l| l.starts_with("::error") && l.contains("no-such-directory")),
        "an annotation names the path:\n{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.fail_status, 2, "{}", run.fail_stdout);
}

/// The first ```yaml block after `heading` in README.md.
fn readme_yaml(heading: &str) -> Value {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = &readme[readme
        .find(heading)
        .unwrap_or_else(|| panic!("README.md: {heading}"))..];
    let start = section.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = section[start..].find("```").unwrap() + start;
    yaml(&section[start..end], heading)
}

#[test]
fn readme_workflow_is_valid_and_uses_the_action() {
    let workflow = readme_yaml("### GitHub Actions");
    let errors = violations("github-workflow.json", &workflow);
    assert!(
        errors.is_empty(),
        "README.md workflow:\n{}",
        errors.join("\n")
    );
    assert_eq!(workflow["permissions"]["security-events"], "write");
    let step = &workflow["jobs"]["infra-lint"]["steps"][1];
    assert!(step["uses"]
        .as_str()
        .unwrap()
        .starts_with("infra-lint/infra-lint@"));
    let inputs = yaml_file("action.yml")["inputs"].clone();
    for key in step["with"].as_object().unwrap().keys() {
        assert!(inputs.get(key).is_some(), "the action has no input {key}");
    }
}
