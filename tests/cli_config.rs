//! End to end through the binary: infra-lint.toml discovery and precedence, suppressions,
//! --fix and --diff.
mod common;
use common::*;

const PUBLIC_DB: &str = r#"resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  publicly_accessible = true
  storage_encrypted   = true
}
"#;

fn stderr_of(args: &[&str]) -> (i32, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn codes_and_severities(json: &serde_json::Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn config_is_found_in_a_parent_up_to_the_git_root() {
    let t = tree(&[
        ("repo/.git/HEAD", b"ref: refs/heads/main\n"),
        (
            "repo/infra-lint.toml",
            b"[rules.rds-publicly-accessible]\nseverity = \"note\"\n",
        ),
        ("repo/envs/prod/main.tf", PUBLIC_DB.as_bytes()),
    ]);
    // A note fails the run only when asked: the default is --fail-on error.
    let (code, _) = check_json(&t.path().join("repo/envs/prod"), &[]);
    assert_eq!(code, 0);
    let (code, json) = check_json(&t.path().join("repo/envs/prod"), &["--fail-on", "note"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_severities(&json),
        vec![("RDS001".to_string(), "note".to_string())]
    );
}

#[test]
fn discovery_stops_at_the_git_root() {
    let t = tree(&[
        ("infra-lint.toml", b"[rules.RDS001]\nseverity = \"off\"\n"),
        ("repo/.git/HEAD", b"ref: refs/heads/main\n"),
        ("repo/main.tf", PUBLIC_DB.as_bytes()),
    ]);
    let (code, json) = check_json(&t.path().join("repo"), &[]);
    assert_eq!(code, 1, "the file above the git root must not apply");
    assert_eq!(codes_and_severities(&json).len(), 1);
}

#[test]
fn explicit_config_and_cli_precedence() {
    let t = tree(&[
        ("main.tf", PUBLIC_DB.as_bytes()),
        ("conf/strict.toml", b"select = [\"LINT\"]\n"),
    ]);
    let conf = t.path().join("conf/strict.toml");
    let conf = conf.to_str().unwrap();
    // The file selects only LINT rules: RDS001 does not run.
    let (code, json) = check_json(t.path(), &["--config", conf]);
    assert_eq!((code, codes_and_severities(&json).len()), (0, 0));
    // --select replaces the file's selection.
    let (code, json) = check_json(t.path(), &["--config", conf, "--select", "RDS"]);
    assert_eq!(code, 1);
    assert_eq!(codes_and_severities(&json)[0].0, "RDS001");
    // --select replaces the file's ignore too: naming a rule on the command line runs it.
    let ignoring = t.path().join("conf/ignoring.toml");
    std::fs::write(&ignoring, "ignore = [\"RDS001\"]\n").unwrap();
    let ignoring = ignoring.to_str().unwrap();
    let (code, _) = check_json(t.path(), &["--config", ignoring]);
    assert_eq!(code, 0);
    let (code, _) = check_json(t.path(), &["--config", ignoring, "--select", "RDS001"]);
    assert_eq!(code, 1);
    // --ignore adds to it.
    let (code, _) = check_json(
        t.path(),
        &["--select", "RDS", "--ignore", "rds-publicly-accessible"],
    );
    assert_eq!(code, 0);
}

#[test]
fn unknown_keys_and_rules_are_errors_with_suggestions() {
    let t = tree(&[
        ("main.tf", PUBLIC_DB.as_bytes()),
        (
            "infra-lint.toml",
            b"name_prefix = \"karan\"\nignore = [\"RDS01\"]\n",
        ),
    ]);
    let dir = t.path().to_str().unwrap();
    // A bad configuration file is an input error in the report itself, not only on stderr,
    // and the rest is still checked (with the defaults).
    let (code, json) = check_json(t.path(), &[]);
    assert_eq!(code, 2);
    let msg = json["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("infra-lint.toml:2: unknown rule `RDS01`; did you mean `RDS001`?"),
        "{json}"
    );
    assert_eq!(json["findings"][0]["code"], "RDS001", "{json}");
    std::fs::write(t.path().join("infra-lint.toml"), "nameprefix = \"karan\"\n").unwrap();
    let (code, out) = common::run(&["check", dir]);
    assert_eq!(code, 2);
    assert!(
        out.contains("infra-lint.toml:1: unknown key `nameprefix`; did you mean `name_prefix`?"),
        "{out}"
    );
    std::fs::remove_file(t.path().join("infra-lint.toml")).unwrap();
    let (code, err) = stderr_of(&["check", dir, "--select", "ECS9"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `ECS9`"), "{err}");
}

#[test]
fn suppressions_inline_header_and_file_level() {
    let t = tree(&[
        (
            "a.tf",
            br#"resource "aws_db_instance" "inline" {
  publicly_accessible = true # infra-lint:ignore RDS001 staging copy behind the office VPN
}

# infra-lint:ignore rds-publicly-accessible migration window, ticket OPS-12
resource "aws_db_instance" "header" {
  publicly_accessible = true
}

resource "aws_db_instance" "reported" {
  publicly_accessible = true
}
"#,
        ),
        (
            "b.tf",
            b"# infra-lint:ignore-file RDS001 sandbox account, torn down nightly\nresource \"aws_db_instance\" \"sandbox\" {\n  publicly_accessible = true\n}\n",
        ),
    ]);
    let (code, json) = check_json(t.path(), &["--select", "RDS001,LINT", "--fail-on", "note"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![("RDS001".into(), "aws_db_instance.reported".into(), 11)]
    );
}

#[test]
fn fix_rewrites_the_tfvars_line_and_the_rule_goes_silent() {
    let t = tree(&[
        (
            "main.tf",
            b"variable \"public\" {\n  type = bool\n}\n\nresource \"aws_db_instance\" \"db\" {\n  publicly_accessible = var.public\n}\n",
        ),
        ("terraform.tfvars", b"# opened for a migration\npublic = true\n"),
    ]);
    let dir = t.path().to_str().unwrap();
    let before = std::fs::read_to_string(t.path().join("main.tf")).unwrap();
    // --diff prints and writes nothing.
    let (code, diff) = run(&["check", dir, "--diff", "--select", "RDS001"]);
    assert_eq!(code, 1);
    assert_eq!(
        diff,
        "--- a/terraform.tfvars\n+++ b/terraform.tfvars\n@@ -1,2 +1,2 @@\n # opened for a migration\n-public = true\n+public = false\n"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("terraform.tfvars")).unwrap(),
        "# opened for a migration\npublic = true\n"
    );
    // --fix applies it, re-checks, and reports what is left (nothing).
    let (code, out) = run(&["check", dir, "--fix", "--select", "RDS001"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("fixed: applied 1 edit\n"), "{out}");
    assert_eq!(
        std::fs::read_to_string(t.path().join("terraform.tfvars")).unwrap(),
        "# opened for a migration\npublic = false\n"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("main.tf")).unwrap(),
        before
    );
}

#[test]
fn unused_suppressions_are_reported_and_fixed() {
    let t = tree(&[(
        "main.tf",
        b"resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = false # infra-lint:ignore RDS001 was public\n}\n",
    )]);
    let (code, json) = check_json(t.path(), &["--select", "RDS001,LINT", "--fail-on", "note"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![("LINT001".into(), String::new(), 2)]);
    assert_eq!(json["findings"][0]["fix"]["applicability"], "safe");
    let dir = t.path().to_str().unwrap();
    let (code, _) = run(&["check", dir, "--fix", "--select", "RDS001,LINT"]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(t.path().join("main.tf")).unwrap(),
        "resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = false\n}\n"
    );
}

/// A password next to another rule's finding shows in the excerpt's and the diff's context
/// lines: it is masked even when SEC001 is not selected.
#[test]
fn secrets_are_masked_when_their_rule_is_not_selected() {
    let t = tree(&[(
        "main.tf",
        b"resource \"aws_db_instance\" \"db\" {\n  password   = \"hunter2hunter2\"\n  identifier = \"orders\"\n}\n",
    )]);
    let dir = t.path().to_str().unwrap();
    let sel = [
        "--select",
        "NAME001",
        "--name-prefix",
        "acme-",
        "--fail-on",
        "warning",
    ];
    let (code, out) = run(&[&["check", dir][..], &sel].concat());
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("hunter2"), "{out}");
    assert!(out.contains("set identifier = \"acme-orders\""), "{out}");
    let (_, diff) = run(&[&["check", dir, "--diff", "--unsafe-fixes"][..], &sel].concat());
    assert!(diff.contains("+  identifier = \"acme-orders\""), "{diff}");
    assert!(!diff.contains("hunter2"), "{diff}");
}
