//! `infra-lint check` end to end through the binary.
mod common;
use common::*;
use std::path::Path;

/// These tests probe loading and evaluation through RDS001 (`publicly_accessible`); the other
/// rules have findings of their own on the same small configurations.
fn check_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["--select", "RDS001"];
    args.extend_from_slice(extra);
    common::check_json(dir, &args)
}

#[test]
fn example_human_output() {
    let ex = root().join("examples/ecs-fargate");
    let (code, out) = run(&["check", ex.to_str().unwrap()]);
    assert_eq!(code, 1, "findings mean exit 1:\n{out}");
    insta::assert_snapshot!("example_human", out);
}

#[test]
fn example_json_output() {
    let ex = root().join("examples/ecs-fargate");
    let (code, out) = run(&["check", ex.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("example_json", out);
}

#[test]
fn value_from_tfvars_through_module_input_is_traced() {
    let ex = root().join("examples/ecs-fargate");
    let (_, json) = check_json(&ex, &[]);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "module.database.aws_db_instance.this")
        .expect("module finding");
    assert_eq!(f["location"]["file"], "modules/database/main.tf");
    let related: Vec<String> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["location"]["file"].as_str().unwrap(),
                r["location"]["line"]
            )
        })
        .collect();
    assert_eq!(related, vec!["main.tf:214", "terraform.tfvars:4"]);
}

#[test]
fn var_flag_overrides_tfvars_and_silences_the_finding() {
    let ex = root().join("examples/ecs-fargate");
    let (_, json) = check_json(
        &ex,
        &[
            "--var",
            "db_publicly_accessible=false",
            "--select",
            "RDS001",
        ],
    );
    let f = findings(&json);
    assert_eq!(
        f,
        vec![(
            "RDS001".to_string(),
            "aws_db_instance.reporting".to_string(),
            225
        )]
    );
}

const DB: &str = r#"
variable "public" {
  type    = bool
  default = false
}
resource "aws_db_instance" "db" {
  engine              = "postgres"
  publicly_accessible = var.public
}
"#;

#[test]
fn variable_precedence_follows_terraform() {
    // terraform.tfvars < a.auto.tfvars < b.auto.tfvars (lexical) < --var-file < --var
    let d = tree(&[
        ("main.tf", DB.as_bytes()),
        ("terraform.tfvars", b"public = true\n"),
        ("a.auto.tfvars", b"public = false\n"),
        ("b.auto.tfvars", b"public = true\n"),
        ("off.tfvars", b"public = false\n"),
        ("on.tfvars", b"public = true\n"),
    ]);
    let count = |extra: &[&str]| findings(&check_json(d.path(), extra).1).len();
    assert_eq!(count(&[]), 1, "b.auto.tfvars wins over a.auto.tfvars");
    assert_eq!(
        count(&["--var-file", d.path().join("off.tfvars").to_str().unwrap()]),
        0
    );
    assert_eq!(
        count(&[
            "--var-file",
            d.path().join("off.tfvars").to_str().unwrap(),
            "--var-file",
            d.path().join("on.tfvars").to_str().unwrap()
        ]),
        1,
        "later --var-file wins"
    );
    assert_eq!(
        count(&[
            "--var-file",
            d.path().join("on.tfvars").to_str().unwrap(),
            "--var",
            "public=false"
        ]),
        0
    );
}

#[test]
fn tf_var_environment_is_below_tfvars_files() {
    let d = tree(&[("main.tf", DB.as_bytes())]);
    let findings_with_env = || {
        let out = bin()
            .args(["check", d.path().to_str().unwrap(), "--format", "json"])
            .args(["--select", "RDS001"])
            .env("TF_VAR_public", "true")
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        findings(&json).len()
    };
    assert_eq!(findings_with_env(), 1);
    std::fs::write(d.path().join("terraform.tfvars"), "public = false\n").unwrap();
    assert_eq!(findings_with_env(), 0);
}

#[test]
fn variable_without_value_is_not_evaluated_not_a_pass() {
    let d = tree(&[(
        "main.tf",
        br#"
variable "public" { type = bool }
resource "aws_db_instance" "db" {
  publicly_accessible = var.public
}
"#,
    )]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 0);
    let ne = json["not_evaluated"].as_array().unwrap();
    assert!(
        ne.iter().any(|n| n["code"] == "RDS001"
            && n["subject"] == "aws_db_instance.db"
            && n["reason"]
                .as_str()
                .unwrap()
                .contains("var.public has no value")),
        "{ne:?}"
    );
}

#[test]
fn module_count_and_for_each_addresses() {
    let d = tree(&[
        (
            "main.tf",
            br#"
module "db" {
  count  = 2
  source = "./db"
  public = count.index == 1
}
module "named" {
  for_each = toset(["a", "b"])
  source   = "./db"
  public   = each.key == "b"
}
"#,
        ),
        (
            "db/main.tf",
            br#"
variable "public" { type = bool }
resource "aws_db_instance" "this" {
  for_each            = { main = 1 }
  publicly_accessible = var.public
}
"#,
        ),
    ]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 1);
    let mut res: Vec<String> = findings(&json).into_iter().map(|f| f.1).collect();
    res.sort();
    assert_eq!(
        res,
        vec![
            r#"module.db[1].aws_db_instance.this["main"]"#,
            r#"module.named["b"].aws_db_instance.this["main"]"#
        ]
    );
}

#[test]
fn registry_module_without_download_is_not_evaluated() {
    let d = tree(&[(
        "main.tf",
        br#"
module "rds" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.0.0"
  publicly_accessible = true
}
"#,
    )]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 0, "{json}");
    let ne = json["not_evaluated"].as_array().unwrap();
    assert!(ne.iter().any(|n| n["subject"] == "module.rds"
        && n["reason"]
            .as_str()
            .unwrap()
            .contains("module source not available locally")
        && n["location"]["line"] == 3));
}

#[test]
fn registry_module_from_modules_json_is_loaded() {
    let d = tree(&[
        (
            "main.tf",
            br#"
module "rds" {
  source  = "terraform-aws-modules/rds/aws"
  public  = true
}
"#,
        ),
        (
            ".terraform/modules/modules.json",
            br#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"rds","Source":"registry.terraform.io/terraform-aws-modules/rds/aws","Dir":".terraform/modules/rds"}]}"#,
        ),
        (
            ".terraform/modules/rds/main.tf",
            br#"
variable "public" { type = bool }
resource "aws_db_instance" "this" { publicly_accessible = var.public }
"#,
        ),
    ]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(findings(&json)[0].1, "module.rds.aws_db_instance.this");
}

#[test]
fn broken_inputs_are_located_errors_and_the_rest_is_checked() {
    let d = tree(&[
        ("a_broken.tf", b"resource \"aws_db_instance\" \"x\" {\n  engine = \n}\n"),
        (
            "b_cycle.tf",
            b"locals {\n  a = local.b\n  b = local.a\n}\n",
        ),
        ("c_latin1.tf", b"# caf\xe9\n"),
        (
            "d_good.tf",
            b"resource \"aws_db_instance\" \"good\" {\n  publicly_accessible = true\n}\n",
        ),
        (
            "e_types.tf",
            b"variable \"port\" {\n  type = number\n}\nvariable \"tags\" {\n  type = map(string)\n}\n",
        ),
        ("terraform.tfvars", b"port = \"eighty\"\ntags = [1, 2]\n"),
        ("z.auto.tfvars", b"oops = = 1\n"),
    ]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 2, "{json}");
    let errs = errors(&json);
    let expect = [
        "a_broken.tf:2:",
        "b_cycle.tf:",
        "c_latin1.tf:1:",
        "terraform.tfvars:1:8: invalid value for variable \"port\"",
        "terraform.tfvars:2:8: invalid value for variable \"tags\"",
        "z.auto.tfvars:1:",
    ];
    for e in expect {
        assert!(
            errs.iter().any(|x| x.starts_with(e)),
            "missing error {e:?} in {errs:#?}"
        );
    }
    assert!(errs.iter().any(|x| x.contains("cycle")), "{errs:#?}");
    assert!(
        errs.iter().any(|x| x.contains("not valid UTF-8")),
        "{errs:#?}"
    );
    assert_eq!(
        findings(&json),
        vec![("RDS001".into(), "aws_db_instance.good".into(), 2)]
    );
}

/// A file in Terraform 0.11's syntax (two arguments on one line) does not parse: its syntax
/// error is reported once, references to what it declares are not reported again as
/// undeclared ("a managed resource \"aws_alb\" ... has not been declared"), and what it declares counts as not
/// evaluated; the other files are still checked.
#[test]
fn a_file_that_does_not_parse_does_not_cascade() {
    let d = tree(&[
        (
            "alb.tf",
            b"resource \"aws_alb\" \"main\" {\n  name = \"main\" internal = false\n}\n\n\
              resource \"aws_alb_target_group\" \"app\" {\n  port = 80\n}\n\n\
              variable \"app_port\" {\n  default = 80\n}\n",
        ),
        (
            "main.tf",
            b"resource \"aws_alb_listener\" \"front\" {\n  load_balancer_arn = \"${aws_alb.main.id}\"\n  \
              port              = \"${var.app_port}\"\n  default_action {\n    \
              target_group_arn = \"${aws_alb_target_group.app.id}\"\n    type = \"forward\"\n  }\n}\n\n\
              resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = true\n}\n",
        ),
    ]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 2, "{json}");
    let errs = errors(&json);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("alb.tf:2:"), "{errs:#?}");
    assert_eq!(
        findings(&json),
        vec![("RDS001".into(), "aws_db_instance.db".into(), 11)]
    );
    let ne = not_evaluated(&json);
    for subject in ["aws_alb.main", "aws_alb_target_group.app"] {
        assert!(
            ne.iter()
                .any(|(s, r)| s == subject && r.contains("alb.tf could not be parsed")),
            "{subject} missing in {ne:#?}"
        );
    }
    assert!(
        json["summary"]["not_evaluated"].as_u64().unwrap() >= 2,
        "{json}"
    );
    // `show` has the listener, its references unknown for the reason.
    let out = common::bin()
        .args(["show", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("aws_alb.main is declared in alb.tf, which could not be parsed"),
        "{text}"
    );
}

#[test]
fn wrong_type_from_var_flag_is_an_error() {
    let d = tree(&[("main.tf", b"variable \"port\" {\n  type = number\n}\n")]);
    let (code, json) = check_json(d.path(), &["--var", "port=abc"]);
    assert_eq!(code, 2);
    assert!(
        errors(&json)[0].contains("invalid value for variable \"port\""),
        "{json}"
    );
}

#[test]
fn module_cycles_and_missing_module_dirs_are_errors() {
    let d = tree(&[
        ("main.tf", b"module \"a\" {\n  source = \"./a\"\n}\nmodule \"gone\" {\n  source = \"./nowhere\"\n}\n"),
        ("a/main.tf", b"module \"back\" {\n  source = \"../\"\n}\n"),
    ]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 2);
    let errs = errors(&json);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("a/main.tf:2:12:") && e.contains("module cycle")),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("main.tf:5:12:") && e.contains("does not exist")),
        "{errs:#?}"
    );
}

#[test]
fn override_files_merge_as_terraform_does() {
    let d = tree(&[
        (
            "main.tf",
            b"resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = false\n}\n",
        ),
        (
            "main_override.tf",
            b"resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = true\n}\n",
        ),
    ]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 1);
    let f = &json["findings"][0];
    assert_eq!(f["location"]["file"], "main_override.tf");
}

#[test]
fn duplicate_object_keys_load_like_terraform() {
    let d = tree(&[(
        "main.tf",
        b"locals {\n  m = { a = false, a = true }\n}\nresource \"aws_db_instance\" \"db\" {\n  publicly_accessible = local.m.a\n}\n",
    )]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(findings(&json)[0].2, 5);
}

#[test]
fn dynamic_blocks_expand() {
    let d = tree(&[(
        "main.tf",
        br#"
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = [80, 443]
    content {
      from_port = ingress.value
      to_port   = ingress.value
    }
  }
}
"#,
    )]);
    let (code, out) = run(&["show", d.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ingress = &json["resources"][0]["attributes"]["ingress"];
    assert_eq!(ingress[0]["from_port"], 80);
    assert_eq!(ingress[1]["to_port"], 443);
}

#[test]
fn missing_directory_is_a_usage_error() {
    let (code, _) = run(&["check", "/definitely/not/here"]);
    assert_eq!(code, 2);
}

#[test]
fn unevaluated_function_is_a_located_note_not_an_error() {
    let d = tree(&[(
        "main.tf",
        b"resource \"aws_db_instance\" \"db\" {\n  identifier = timestamp()\n}\n",
    )]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 0, "{json}");
    let ne = &json["not_evaluated"][0];
    assert_eq!(
        ne["subject"],
        "function timestamp is not evaluated: its result is only known when Terraform applies"
    );
    assert_eq!(ne["location"]["file"], "main.tf");
    assert_eq!(ne["location"]["line"], 2);
    assert_eq!(ne["location"]["column"], 16);
}

/// The example's literal DB_PASSWORD (ECS005) must not appear in any output, even in the
/// source excerpts of other findings.
#[test]
fn secrets_never_appear_in_output() {
    let dir = root().join("examples/ecs-fargate");
    let d = dir.to_string_lossy().into_owned();
    for args in [
        vec!["check", d.as_str()],
        vec!["check", d.as_str(), "--format", "json"],
        vec!["check", d.as_str(), "--diff", "--unsafe-fixes"],
        vec!["show", d.as_str()],
    ] {
        let (_, out) = run(&args);
        assert!(
            !out.contains("hunter2-not-a-real-secret"),
            "{args:?} printed the secret"
        );
    }
    let (_, out) = run(&["check", d.as_str()]);
    // Masked to a fixed width: not even the secret's length shows.
    assert!(out.contains("DB_PASSWORD\", value = \"********\""), "{out}");
}

/// `--fix --unsafe-fixes` on a copy of the example: every edit lands, the files still satisfy
/// `terraform fmt -check`, and no finding that had an exact edit is left.
#[test]
fn fixing_the_example_leaves_only_findings_without_edits() {
    let src = root().join("examples/ecs-fargate");
    let tmp = tempfile::tempdir().unwrap();
    let mut stack = vec![src.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let to = tmp.path().join(p.strip_prefix(&src).unwrap());
            if p.is_dir() {
                std::fs::create_dir_all(&to).unwrap();
                stack.push(p);
            } else {
                std::fs::copy(&p, &to).unwrap();
            }
        }
    }
    let dir = tmp.path().to_string_lossy().into_owned();
    let (code, out) = run(&["check", dir.as_str(), "--fix", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("fixed: applied "), "{out}");
    let (_, json) = check_json(tmp.path(), &[]);
    for f in json["findings"].as_array().unwrap() {
        assert!(f["fix"].is_null(), "left with an edit: {f}");
    }
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for fixed in ["RDS001", "ECS001", "ECS002", "RDS004", "TF001"] {
        assert!(!codes.contains(&fixed), "{fixed} still reported: {codes:?}");
    }
    let fmt = std::process::Command::new("terraform")
        .args(["fmt", "-check", "-recursive"])
        .current_dir(tmp.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output();
    if let Ok(o) = fmt {
        assert!(
            o.status.success(),
            "terraform fmt -check: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

/// A reference to a resource that is not declared is Terraform's "Reference to undeclared
/// resource" (a typo in a resource name), located; a bare type name is an invalid reference.
#[test]
fn an_undeclared_resource_is_named_as_terraform_names_it() {
    let d = tree(&[(
        "main.tf",
        b"resource \"aws_db_instance\" \"db\" {\n  identifier = aws_s3_bucket.missing.id\n  port = aws_s3_bucket\n  engine = data.aws_rds_engine_version.pg.version\n}\n",
    )]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 2, "{json}");
    let errs = errors(&json);
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(
        errs[2].starts_with("main.tf:4:")
            && errs[2].contains(
                "a data resource \"aws_rds_engine_version\" \"pg\" has not been declared"
            ),
        "{errs:#?}"
    );
    assert!(
        errs[0].starts_with("main.tf:2:")
            && errs[0].contains(
                "Reference to undeclared resource: a managed resource \"aws_s3_bucket\" \"missing\" has not been declared"
            ),
        "{errs:#?}"
    );
    assert!(
        errs[1].starts_with("main.tf:3:") && errs[1].contains("Invalid reference"),
        "{errs:#?}"
    );
}
