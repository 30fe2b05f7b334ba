//! The `check` surface through the binary: several directories, outputs, exit status,
//! colour, quiet, every error in every report, baselines and `--changed-since`.
mod common;
use common::*;
use std::path::Path;

const PUBLIC_DB: &str = "resource \"aws_db_instance\" \"db\" {\n  identifier          = \"orders\"\n  storage_encrypted   = true\n  publicly_accessible = true\n}\n";
const NO_BACKUPS: &str = "resource \"aws_db_instance\" \"reports\" {\n  identifier              = \"reports\"\n  storage_encrypted       = true\n  backup_retention_period = 0\n}\n";

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin().current_dir(dir).args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_in(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let (code, out, err) = run_in(dir, &[args, &["--format", "json"]].concat());
    let j = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\n{err}"));
    (code, j)
}

fn files_of(json: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn several_directories_and_files_make_one_report() {
    let t = tree(&[
        ("a/main.tf", PUBLIC_DB.as_bytes()),
        ("b/main.tf", PUBLIC_DB.as_bytes()),
    ]);
    // A file stands for its directory, and a directory named twice is checked once.
    let (code, json) = json_in(
        t.path(),
        &["check", "a", "b/main.tf", "b", "--select", "RDS001"],
    );
    assert_eq!(code, 1, "{json}");
    assert_eq!(files_of(&json), vec!["a/main.tf", "b/main.tf"], "{json}");
    assert_eq!(json["summary"]["files"], 2);
    // One directory keeps paths relative to it, as before.
    let (_, json) = json_in(t.path(), &["check", "a", "--select", "RDS001"]);
    assert_eq!(files_of(&json), vec!["main.tf"]);
}

#[test]
fn a_wrong_path_is_an_error_in_every_format_never_a_green_run() {
    let t = tree(&[("ok/main.tf", PUBLIC_DB.as_bytes()), ("empty/README", b"x")]);
    let (code, json) = json_in(t.path(), &["check", "missing"]);
    assert_eq!(code, 2);
    assert_eq!(errors(&json), vec!["missing does not exist"]);
    let (code, json) = json_in(t.path(), &["check", "empty"]);
    assert_eq!(code, 2);
    assert!(
        errors(&json)[0].contains("empty has no Terraform files"),
        "{json}"
    );
    // The rest is still checked.
    let (code, json) = json_in(t.path(), &["check", "missing", "ok", "--select", "RDS001"]);
    assert_eq!(code, 2);
    assert_eq!(json["findings"].as_array().unwrap().len(), 1, "{json}");
    // A malformed --var, too, is reported in the document rather than only on stderr.
    let (code, json) = json_in(t.path(), &["check", "ok", "--var", "nonsense"]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&json),
        vec!["--var: expected NAME=VALUE, got \"nonsense\""]
    );
    let (_, human, _) = run_in(t.path(), &["check", "missing"]);
    assert!(human.contains("missing does not exist"), "{human}");
    assert!(human.contains("1 input error"), "{human}");
}

#[test]
fn exit_status_follows_fail_on() {
    let t = tree(&[("main.tf", NO_BACKUPS.as_bytes())]);
    let d = t.path().to_str().unwrap();
    let sel = ["--select", "RDS003"];
    let code = |extra: &[&str]| run(&[&["check", d][..], &sel, extra].concat()).0;
    // RDS003 is a warning: it fails the run only from --fail-on warning down.
    assert_eq!(code(&[]), 0);
    assert_eq!(code(&["--fail-on", "error"]), 0);
    assert_eq!(code(&["--fail-on", "warning"]), 1);
    assert_eq!(code(&["--fail-on", "note"]), 1);
    assert_eq!(code(&["--fail-on", "never"]), 0);
    // Input errors are exit 2 whatever --fail-on says.
    assert_eq!(code(&["--fail-on", "never", "--var", "x"]), 2);
    // Usage errors are 2.
    assert_eq!(code(&["--fail-on", "sometimes"]), 2);
    assert_eq!(code(&["--unsafe-fixes"]), 2);
}

#[test]
fn several_outputs_from_one_run() {
    let t = tree(&[("main.tf", PUBLIC_DB.as_bytes())]);
    let d = t.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let json_file = out.path().join("r.json");
    let spec = format!("json={}", json_file.display());
    let (code, stdout) = run(&["check", d, "--select", "RDS001", "--format", &spec]);
    assert_eq!(code, 1);
    // No format on stdout: human goes there.
    assert!(
        stdout.contains("RDS001 rds-publicly-accessible"),
        "{stdout}"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(written["findings"][0]["code"], "RDS001");

    let (code, stdout) = run(&[
        "check", d, "--select", "RDS001", "--format", "json", "--format", "human",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));

    // A write that fails is exit 2; the other outputs are still written.
    let bad = format!("json={}", out.path().join("no/such/dir/r.json").display());
    let human_file = out.path().join("r.txt");
    let human_spec = format!("human={}", human_file.display());
    let o = bin()
        .args([
            "check",
            d,
            "--select",
            "RDS001",
            "--format",
            &bad,
            "--format",
            &human_spec,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));
    assert!(std::fs::read_to_string(&human_file)
        .unwrap()
        .contains("1 error in 1 file (1 resource)"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_quiet_keeps_the_summary() {
    let t = tree(&[("main.tf", PUBLIC_DB.as_bytes())]);
    let d = t.path().to_str().unwrap();
    let base = ["check", d, "--select", "RDS001"];
    let (_, plain) = run(&base);
    assert!(!plain.contains('\u{1b}'), "not a terminal: no colour");
    let (_, coloured) = run(&[&base[..], &["--color", "always"]].concat());
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    let o = bin()
        .args([&base[..], &["--color", "never"]].concat())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&o.stdout).contains('\u{1b}'));

    let (code, quiet) = run(&[&base[..], &["--quiet"]].concat());
    assert_eq!(code, 1);
    assert!(!quiet.contains("publicly_accessible = true"), "{quiet}");
    assert!(quiet.contains("1 error in 1 file (1 resource)"), "{quiet}");
    // Input errors survive --quiet.
    let (_, quiet) = run(&[&base[..], &["--quiet", "--var", "x"]].concat());
    assert!(quiet.contains("--var: expected NAME=VALUE"), "{quiet}");
}

#[test]
fn a_baseline_holds_back_what_it_recorded_across_moved_lines() {
    let t = tree(&[("main.tf", PUBLIC_DB.as_bytes())]);
    let d = t.path();
    let (code, out, err) = run_in(d, &["baseline", ".", "--select", "RDS001,RDS003"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote 1 finding"), "{out}");
    let file = d.join(".infra-lint-baseline.json");
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(baseline["findings"][0]["code"], "RDS001");
    let args = [
        "check",
        ".",
        "--select",
        "RDS001,RDS003",
        "--fail-on",
        "warning",
        "--baseline",
        ".infra-lint-baseline.json",
    ];

    let (code, json) = json_in(d, &args);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["summary"]["baselined"], 1);
    assert_eq!(json["summary"]["baseline_unmatched"], 0);

    // Lines moved and another resource added: the old finding stays held back, the new
    // one is reported.
    let moved = format!("# moved down\n\n{PUBLIC_DB}\n{NO_BACKUPS}");
    std::fs::write(d.join("main.tf"), moved).unwrap();
    let (code, json) = json_in(d, &args);
    assert_eq!(code, 1, "{json}");
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["RDS003"]);
    assert_eq!(json["summary"]["baselined"], 1);
    let (_, human, _) = run_in(d, &args);
    assert!(
        human.contains("1 baselined, 0 baseline entries no longer match"),
        "{human}"
    );

    // The recorded finding fixed: its entry no longer matches, and the summary says so.
    std::fs::write(d.join("main.tf"), NO_BACKUPS).unwrap();
    let (_, json) = json_in(d, &args);
    assert_eq!(json["summary"]["baselined"], 0);
    assert_eq!(json["summary"]["baseline_unmatched"], 1);

    // A broken baseline hides nothing and is an input error.
    std::fs::write(&file, "{ not json").unwrap();
    let (code, json) = json_in(d, &args);
    assert_eq!(code, 2);
    assert!(errors(&json)[0].contains("is not JSON"), "{json}");
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
}

fn git(dir: &Path, args: &[&str]) {
    let o = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git");
    assert!(o.status.success(), "git {args:?}: {o:?}");
}

#[test]
fn changed_since_reports_only_what_the_change_could_cause() {
    let module = "variable \"public\" {\n  type = bool\n}\n\nresource \"aws_db_instance\" \"this\" {\n  identifier          = \"m\"\n  storage_encrypted   = true\n  publicly_accessible = var.public\n}\n";
    let t = tree(&[
        ("app/db.tf", PUBLIC_DB.as_bytes()),
        ("app/other.tf", NO_BACKUPS.as_bytes()),
        (
            "app/mod.tf",
            b"module \"m\" {\n  source = \"../modules/db\"\n  public = true\n}\n",
        ),
        ("modules/db/main.tf", module.as_bytes()),
        ("quiet/main.tf", PUBLIC_DB.as_bytes()),
    ]);
    let d = t.path();
    git(d, &["init", "-q"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    let args = [
        "check",
        "app",
        "quiet",
        "--select",
        "RDS001,RDS003",
        "--changed-since",
        "HEAD",
    ];
    // Nothing changed: nothing reported, and the summary says what was left out.
    let (code, json) = json_in(d, &args);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["summary"]["outside_changes"], 4, "{json}");

    // A root file changed: only its findings (the other root and files stay quiet).
    std::fs::write(d.join("app/other.tf"), format!("# edited\n{NO_BACKUPS}")).unwrap();
    let (_, json) = json_in(d, &args);
    assert_eq!(files_of(&json), vec!["app/other.tf"], "{json}");

    // The module changed (uncommitted): every finding of the root that calls it.
    git(d, &["checkout", "-q", "--", "app/other.tf"]);
    std::fs::write(d.join("modules/db/main.tf"), format!("# edited\n{module}")).unwrap();
    let (_, json) = json_in(d, &args);
    assert_eq!(
        files_of(&json),
        vec!["app/db.tf", "app/other.tf", "modules/db/main.tf"],
        "{json}"
    );

    // A revision git does not know is a usage error.
    let (code, _, err) = run_in(d, &["check", "app", "--changed-since", "no-such-ref"]);
    assert_eq!(code, 2);
    assert!(err.contains("--changed-since"), "{err}");
}

#[test]
fn annotations_name_files_from_the_repository_root_and_every_format_is_written() {
    let t = tree(&[("infra/db/main.tf", PUBLIC_DB.as_bytes())]);
    let d = t.path();
    git(d, &["init", "-q"]);
    let db = d.join("infra/db");
    // Run from inside the checked directory: annotations still name the file as the
    // repository (and so the pull request's diff) has it.
    let (code, out, err) = run_in(
        &db,
        &[
            "check",
            ".",
            "--select",
            "RDS001",
            "--format",
            "github",
            "--format",
            "junit=../j.xml",
            "--format",
            "markdown=../s.md",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap_or("");
    assert!(
        line.starts_with("::error file=infra/db/main.tf,line=4,col=25,"),
        "{out}"
    );
    assert!(
        line.contains("title=RDS001 rds-publicly-accessible::"),
        "{line}"
    );
    let junit = std::fs::read_to_string(d.join("infra/j.xml")).unwrap();
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    let md = std::fs::read_to_string(d.join("infra/s.md")).unwrap();
    assert!(md.contains("`infra/db/main.tf:4`"), "{md}");
}

/// The canonical set (tests/reports/canonical: a cross-resource finding with related places,
/// a fix, a suppressed finding, an input error, a "not evaluated" entry) in the human and JSON
/// formats, through the binary; the other formats' snapshots are in report_formats.rs and
/// report_sarif.rs.
#[test]
fn canonical_set_in_human_and_json() {
    let dir = root().join("tests/reports/canonical");
    let (code, human, _) = run_in(&dir, &["check", "."]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("canonical_human", human);
    let (code, json, _) = run_in(&dir, &["check", ".", "--format", "json"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("canonical_json", json);
}
