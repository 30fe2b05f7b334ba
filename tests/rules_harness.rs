//! For every registered rule: unique code and name, a doc page with the standard headings,
//! `fixtures/<name>/pass` yields nothing, `fail` yields findings exactly on `# expect:` lines.
mod common;
use common::*;
use infra_lint::rules::registry::RULES;
use infra_lint::rules::FixAvailability;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why it matters",
    "## Example",
    "## How to fix",
    "## Fix safety",
    "## Options",
    "## References",
];

#[test]
fn codes_and_names_are_unique_and_documented() {
    let mut seen = BTreeSet::new();
    for r in RULES {
        let m = r.meta();
        assert!(seen.insert(m.code), "duplicate code {}", m.code);
        assert!(seen.insert(m.name), "duplicate name {}", m.name);
        assert!(
            m.doc.starts_with(&format!("# {} {}", m.code, m.name)),
            "{} page title",
            m.code
        );
        for h in HEADINGS {
            assert!(m.doc.contains(h), "{} page lacks {h}", m.code);
        }
        let (code, out) = run(&["rule", m.code]);
        assert_eq!(code, 0);
        assert_eq!(out, m.doc);
    }
}

/// Files under `dir` (recursively), as paths relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Lines marked `# expect: <name>`; with `only_unfixable`, those marked
/// `# expect: <name> (no fix)` — the findings that remain after `--fix`.
fn marked_lines(dir: &Path, name: &str, only_unfixable: bool) -> BTreeSet<(String, u64)> {
    let marker = if only_unfixable {
        format!("# expect: {name} (no fix)")
    } else {
        format!("# expect: {name}")
    };
    let mut out = BTreeSet::new();
    for rel in files(dir) {
        let text = std::fs::read_to_string(dir.join(&rel)).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            let at = line.find(&marker);
            let whole = at.is_some_and(|a| {
                let rest = &line[a + marker.len()..];
                !rest.starts_with(|c: char| c.is_alphanumeric() || c == '-')
            });
            if whole {
                out.insert((rel.to_string_lossy().into_owned(), i as u64 + 1));
            }
        }
    }
    out.extend(sidecar_lines(dir, name, only_unfixable));
    out
}

/// The `# expect:` equivalent for files that cannot hold a comment (a task definition's JSON):
/// `expect.txt` lines `<rule name> <file>:<line>`, `(no fix)` after them as for the markers.
fn sidecar_lines(dir: &Path, name: &str, only_unfixable: bool) -> BTreeSet<(String, u64)> {
    std::fs::read_to_string(dir.join("expect.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            if parts.next() != Some(name) {
                return None;
            }
            let (file, line) = parts.next()?.rsplit_once(':')?;
            let unfixable = parts.collect::<Vec<_>>().join(" ") == "(no fix)";
            (!only_unfixable || unfixable).then(|| {
                (
                    file.to_string(),
                    line.parse().expect("expect.txt: a line number"),
                )
            })
        })
        .collect()
}

/// Input errors a fail case expects (a file that does not parse, and the rule still finds
/// what the other files hold): `expect-errors.txt` lines `<file>:<line>`. Such a case exits 2.
fn expected_errors(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join("expect-errors.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The findings a `live.json` fixture expects on live-only resources, which have no source
/// line to mark: `expect-live.txt` lines `<rule name> <ARN> <attribute path>`.
fn marked_arns(dir: &Path, name: &str) -> BTreeSet<(String, String)> {
    std::fs::read_to_string(dir.join("expect-live.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            (parts.next() == Some(name)).then(|| {
                (
                    parts.next().unwrap_or_default().to_string(),
                    parts.next().unwrap_or_default().to_string(),
                )
            })
        })
        .collect()
}

fn found_arns(json: &serde_json::Value, code: &str) -> BTreeSet<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code && f["location"]["arn"].is_string())
        .map(|f| {
            (
                f["location"]["arn"].as_str().unwrap().to_string(),
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The fixture cases of a rule: `pass`, `fail`, and variants such as `pass-state` and
/// `fail-state` (a configuration whose decision needs its state).
fn cases(base: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(base)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .filter(|(n, _)| n.starts_with("pass") || n.starts_with("fail"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn found_lines(json: &serde_json::Value, code: &str) -> BTreeSet<(String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code && f["location"]["file"].is_string())
        .map(|f| {
            (
                f["location"]["file"].as_str().unwrap().to_string(),
                // A place in a state file has no line: it then matches no marker.
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn fixtures_pass_and_fail_exactly() {
    for r in RULES {
        let m = r.meta();
        let base = root().join("fixtures").join(m.name);
        for (name, dir) in cases(&base) {
            let (code, json) = check_json(&dir, &strs(&fixture_args(&dir, m.code)));
            if name.starts_with("pass") {
                assert_eq!(code, 0, "{}: {name}/ must be clean: {json}", m.name);
            } else {
                let want = expected_errors(&dir);
                let exit = if want.is_empty() { 1 } else { 2 };
                assert_eq!(code, exit, "{}: {name}/ must have findings: {json}", m.name);
                let got: BTreeSet<String> = errors(&json)
                    .iter()
                    .map(|e| e.splitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
                    .collect();
                assert_eq!(
                    got, want,
                    "{}: {name}/ input errors vs expect-errors.txt",
                    m.name
                );
                assert_eq!(
                    found_lines(&json, m.code),
                    marked_lines(&dir, m.name, false),
                    "{}: {name}/ findings vs # expect: markers",
                    m.name
                );
                assert_eq!(
                    found_arns(&json, m.code),
                    marked_arns(&dir, m.name),
                    "{}: {name}/ findings at ARNs vs expect-live.txt",
                    m.name
                );
            }
        }
        let fail = base.join("fail");
        let (code, json) = check_json(&fail, &strs(&fixture_args(&fail, m.code)));
        assert_eq!(code, 1, "{}: fail/ must have findings: {json}", m.name);
        assert_eq!(
            found_lines(&json, m.code),
            marked_lines(&fail, m.name, false),
            "{}: findings vs # expect: markers",
            m.name
        );
        // Declared fix availability matches what the rule emits.
        let ours: Vec<&serde_json::Value> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == m.code)
            .collect();
        let with_fix = ours.iter().filter(|f| !f["fix"].is_null()).count();
        match m.fix {
            FixAvailability::None => assert_eq!(with_fix, 0, "{}: declares no fix", m.name),
            FixAvailability::Always => {
                assert_eq!(with_fix, ours.len(), "{}: declares a fix always", m.name)
            }
            FixAvailability::Sometimes => {
                assert!(with_fix > 0, "{}: declares fixes, fail/ shows none", m.name)
            }
        }
        assert_eq!(
            base.join("fixed").is_dir(),
            m.fix != FixAvailability::None,
            "{}: fixed/ exists exactly when the rule fixes",
            m.name
        );
    }
}

/// After `--fix` (with unsafe fixes) on a copy of fail/, every file equals fixed/, Terraform
/// still formats it as it is, and the rule reports only what is marked `(no fix)`.
#[test]
fn fixes_produce_the_fixed_fixtures() {
    for r in RULES {
        let m = r.meta();
        let base = root().join("fixtures").join(m.name);
        let fixed = base.join("fixed");
        if !fixed.is_dir() {
            continue;
        }
        let fail = base.join("fail");
        let tmp = tempfile::tempdir().unwrap();
        for rel in files(&fail) {
            let to = tmp.path().join(&rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(fail.join(&rel), to).unwrap();
        }
        let sel = fixture_args(&fail, m.code);
        let dir = tmp.path().to_string_lossy().into_owned();
        let mut args = vec!["check", dir.as_str(), "--fix", "--unsafe-fixes"];
        args.extend(strs(&sel));
        let (code, out) = run(&args);
        assert_ne!(code, 2, "{}: --fix failed:\n{out}", m.name);
        assert_eq!(
            files(tmp.path()),
            files(&fixed),
            "{}: fixed/ file list",
            m.name
        );
        for rel in files(&fixed) {
            let want = std::fs::read_to_string(fixed.join(&rel)).unwrap();
            let got = std::fs::read_to_string(tmp.path().join(&rel)).unwrap();
            assert_eq!(got, want, "{}: fixed/{}", m.name, rel.display());
        }
        let (code, json) = check_json(tmp.path(), &strs(&sel));
        assert_ne!(code, 2, "{}: fixed files must load: {json}", m.name);
        assert_eq!(
            found_lines(&json, m.code),
            marked_lines(&fixed, m.name, true),
            "{}: after --fix",
            m.name
        );
        if terraform_available() {
            let st = std::process::Command::new("terraform")
                .args(["fmt", "-check", "-recursive", "-list=true"])
                .current_dir(tmp.path())
                .env("TF_CLI_CONFIG_FILE", "/dev/null")
                .output()
                .unwrap();
            assert!(
                st.status.success(),
                "{}: terraform fmt -check rejects the fixed files: {}{}",
                m.name,
                String::from_utf8_lossy(&st.stdout),
                String::from_utf8_lossy(&st.stderr)
            );
        }
    }
}

fn terraform_available() -> bool {
    std::process::Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The exact human output on each rule's fail/ fixture: message, excerpt, related locations,
/// help line.
#[test]
fn fail_output_snapshots() {
    for r in RULES {
        let m = r.meta();
        for (name, fail) in cases(&root().join("fixtures").join(m.name)) {
            if !name.starts_with("fail") {
                continue;
            }
            let dir = fail.to_string_lossy().into_owned();
            let mut args = vec!["check", dir.as_str()];
            let sel = fixture_args(&fail, m.code);
            args.extend(strs(&sel));
            let (_, out) = run(&args);
            let snap = name.replace('-', "_");
            insta::assert_snapshot!(format!("{snap}__{}", m.name), out);
        }
    }
}

/// Every rule that reads state has a `fail-state/` fixture whose findings need the state: with
/// it they fall exactly on the markers, without it they do not.
#[test]
fn rules_that_read_state_have_a_state_fixture() {
    use infra_lint::rules::Input;
    for r in RULES {
        let m = r.meta();
        if !m.inputs.contains(&Input::State) {
            continue;
        }
        // Rules that compare state with the account (drift) have both in fail/.
        let base = root().join("fixtures").join(m.name);
        let dir = ["fail-state", "fail"]
            .iter()
            .map(|d| base.join(d))
            .find(|d| d.join("terraform.tfstate").is_file())
            .unwrap_or_else(|| {
                panic!(
                    "{}: reads state, so fail-state/terraform.tfstate must exist",
                    m.name
                )
            });
        // Without the state only (the account, when the fixture has one, stays).
        let live = dir.join("live.json").to_string_lossy().into_owned();
        let mut args = vec!["--select", m.code];
        if dir.join("live.json").is_file() {
            args.extend(["--live-from", live.as_str()]);
        }
        let (_, without) = check_json(&dir, &args);
        assert!(
            found_lines(&without, m.code) != marked_lines(&dir, m.name, false)
                || found_arns(&without, m.code) != marked_arns(&dir, m.name),
            "{}: fail-state/ must need its state to be decided",
            m.name
        );
    }
}

/// Every rule that reads the live account has a `fail-live/` fixture (a `live.json` replay,
/// fast and offline) whose findings need the account: with it they are exactly the markers and
/// `expect-live.txt`, without it they are not.
#[test]
fn rules_that_read_the_account_have_a_live_fixture() {
    use infra_lint::rules::Input;
    for r in RULES {
        let m = r.meta();
        if !m.inputs.contains(&Input::Live) {
            continue;
        }
        let base = root().join("fixtures").join(m.name);
        let dir = ["fail-live", "fail"]
            .iter()
            .map(|d| base.join(d))
            .find(|d| d.join("live.json").is_file())
            .unwrap_or_else(|| {
                panic!(
                    "{}: reads the account, so fail-live/live.json must exist",
                    m.name
                )
            });
        let mut args = vec!["--select", m.code];
        if dir.join("terraform.tfstate").exists() {
            args.push("--state");
        }
        let (_, without) = check_json(&dir, &args);
        assert!(
            found_lines(&without, m.code) != marked_lines(&dir, m.name, false)
                || found_arns(&without, m.code) != marked_arns(&dir, m.name),
            "{}: fail-live/ must need the account to be decided",
            m.name
        );
    }
}

/// Every rule that reads task definition files has a `fail-taskdef/` fixture (a task
/// definition JSON file beside the Terraform, `expect.txt` for the lines in the JSON) whose
/// findings need the file: with it they fall exactly on the markers, without it
/// (`--no-task-definitions`) they do not.
#[test]
fn rules_that_read_task_definition_files_have_a_fixture() {
    use infra_lint::rules::Input;
    for r in RULES {
        let m = r.meta();
        if !m.inputs.contains(&Input::TaskDefinition) {
            continue;
        }
        let dir = root().join("fixtures").join(m.name).join("fail-taskdef");
        let has_file = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .any(|e| infra_lint::taskdef::matches_name(&e.file_name().to_string_lossy()))
            })
            .unwrap_or(false);
        assert!(
            has_file,
            "{}: reads task definition files, so fail-taskdef/ must hold one",
            m.name
        );
        let mut args = fixture_args(&dir, m.code);
        args.push("--no-task-definitions".into());
        let (_, without) = check_json(&dir, &strs(&args));
        assert!(
            found_lines(&without, m.code) != marked_lines(&dir, m.name, false)
                || found_arns(&without, m.code) != marked_arns(&dir, m.name),
            "{}: fail-taskdef/ must need its task definition file to be decided",
            m.name
        );
    }
}

/// README.md's rules table names every rule with its severity.
#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for r in RULES {
        let m = r.meta();
        let row = format!("| {} | {} | {} |", m.code, m.name, m.severity.as_str());
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}

/// Every option a rule declares is documented under its page's `## Options`.
#[test]
fn options_are_documented() {
    for r in RULES {
        let m = r.meta();
        let options = m.doc.split("## Options").nth(1).unwrap_or("");
        let options = options.split("\n## ").next().unwrap_or("");
        for o in m.options {
            assert!(
                options.contains(&format!("`{}`", o.name)),
                "{}: option {} is not documented under ## Options",
                m.name,
                o.name
            );
        }
    }
}
