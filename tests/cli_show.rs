//! `infra-lint show`: the evaluated model, secrets masked.
mod common;
use common::*;

#[test]
fn show_marks_unknown_and_sensitive_and_keeps_references() {
    let ex = root().join("examples/ecs-fargate");
    let (code, out) = run(&[
        "show",
        ex.to_str().unwrap(),
        "--format",
        "json",
        "--var",
        "db_password=s3cr3t-value",
        "--var",
        "image_tag=v1",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("s3cr3t-value"), "a sensitive value leaked");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let res = json["resources"].as_array().unwrap();
    let db = res
        .iter()
        .find(|r| r["address"] == "module.database.aws_db_instance.this")
        .unwrap();
    assert_eq!(db["attributes"]["password"], "(sensitive)");
    assert_eq!(
        db["attributes"]["instance_class"], "db.t4g.small",
        "optional() default"
    );
    assert_eq!(db["attributes"]["identifier"], "karan-staging-db");
    let svc = res
        .iter()
        .find(|r| r["address"] == "aws_ecs_service.web")
        .unwrap();
    assert!(svc["attributes"]["cluster"]["unknown"]
        .as_str()
        .unwrap()
        .contains("aws_ecs_cluster.main.id"));
    let refs: Vec<&str> = svc["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert!(refs.contains(&"aws_lb_target_group.web"), "{refs:?}");
    assert!(refs.contains(&"aws_ecs_task_definition.web"), "{refs:?}");
    let subnets: Vec<&str> = res
        .iter()
        .filter(|r| r["type"] == "aws_subnet")
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        subnets,
        vec![
            "aws_subnet.public[0]",
            "aws_subnet.public[1]",
            "aws_subnet.private[0]",
            "aws_subnet.private[1]"
        ]
    );
    let cidr = res
        .iter()
        .find(|r| r["address"] == "aws_subnet.private[1]")
        .unwrap();
    assert_eq!(cidr["attributes"]["cidr_block"], "10.20.11.0/24");
    let local = json["locals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "name")
        .unwrap();
    assert_eq!(local["value"], "karan-staging");
    assert_eq!(json["backend"]["type"], "s3");
}

/// `nullable = false`: a null argument takes the default; `nullable = true` (the default) keeps
/// the null, as Terraform does.
#[test]
fn null_arguments_take_the_default_only_when_not_nullable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "module \"c\" {\n  source = \"./m\"\n  strict = null\n  loose  = null\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("m/main.tf"),
        r#"
variable "strict" {
  type     = object({ a = optional(number, 1) })
  default  = {}
  nullable = false
}
variable "loose" {
  type    = bool
  default = true
}
resource "null_resource" "x" {
  triggers = { strict = var.strict, loose = var.loose }
}
"#,
    )
    .unwrap();
    let (code, out) = run(&["show", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = &json["resources"][0]["attributes"]["triggers"];
    assert_eq!(t["strict"], serde_json::json!({ "a": 1 }));
    assert!(t["loose"].is_null(), "{t}");
}

/// A value with unknown parts is still not null, and `merge`/`concat` keep its known parts:
/// terraform-aws-ecs builds container definitions that way.
#[test]
fn partly_unknown_values_compare_unequal_to_null() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"
resource "aws_cloudwatch_log_group" "this" {}
locals {
  def = { name = "web", log = { group = aws_cloudwatch_log_group.this.name }, gone = null }
}
resource "null_resource" "x" {
  triggers = {
    for k, v in merge(local.def, { extra = concat([aws_cloudwatch_log_group.this.arn], ["a"]) }) :
    k => v if v != null
  }
}
"#,
    )
    .unwrap();
    let (code, out) = run(&["show", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = &json["resources"][1]["attributes"]["triggers"];
    assert_eq!(t["name"], "web", "{t}");
    assert!(t.get("gone").is_none(), "{t}");
    assert_eq!(
        t["extra"][1], "a",
        "merge and concat keep what they know: {t}"
    );
}

/// The provider's secret attributes (here a listener's OIDC client secret, nested in blocks)
/// and secret-looking container environment values print as "(sensitive)" in `show`, even
/// when the configuration writes them as literals.
#[test]
fn show_masks_provider_secret_attributes_and_secret_environment_values() {
    let dir = tree(&[(
        "main.tf",
        br#"
resource "aws_db_instance" "db" {
  password = "config-literal-db-secret"
}
resource "aws_lb_listener" "l" {
  default_action {
    type = "authenticate-oidc"
    authenticate_oidc {
      client_secret = "config-literal-oidc-secret"
      issuer        = "https://idp.example.com"
    }
  }
}
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([{
    name        = "app"
    image       = "nginx"
    environment = [{ name = "API_TOKEN", value = "config-literal-env-secret" }, { name = "MODE", value = "fast" }]
  }])
}
"# as &[u8],
    )]);
    let (_, out) = run(&["show", dir.path().to_str().unwrap()]);
    for secret in [
        "config-literal-db-secret",
        "config-literal-oidc-secret",
        "config-literal-env-secret",
    ] {
        assert!(!out.contains(secret), "show printed {secret}:\n{out}");
    }
    assert!(
        out.contains("https://idp.example.com") && out.contains("fast"),
        "{out}"
    );
}

/// A plan-time copy of an argument the provider's schema marks sensitive is sensitive wherever
/// it flows (a local, an output, a container's environment), as `terraform plan` has it; an
/// argument the schema does not mark keeps its value, whatever its name says.
#[test]
fn show_masks_plan_time_copies_of_provider_secret_arguments() {
    let dir = tree(&[(
        "main.tf",
        br#"
resource "aws_ssm_parameter" "db" {
  name  = "/app/db"
  type  = "SecureString"
  value = "ssm-literal-secret-value"
}
resource "aws_db_instance" "db" {
  manage_master_user_password = true
}
locals {
  copy   = aws_ssm_parameter.db.value
  joined = "pw=${aws_ssm_parameter.db.value}"
  name   = aws_ssm_parameter.db.name
  manage = aws_db_instance.db.manage_master_user_password
}
output "copy" {
  value     = aws_ssm_parameter.db.value
  sensitive = true
}
"# as &[u8],
    )]);
    let (code, out) = run(&["show", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("ssm-literal-secret-value"),
        "show printed the parameter's value:\n{out}"
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let local = |n: &str| {
        json["locals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == n)
            .unwrap_or_else(|| panic!("no local {n}: {out}"))["value"]
            .clone()
    };
    assert_eq!(local("copy"), "(sensitive)");
    assert_eq!(local("joined"), "(sensitive)");
    assert_eq!(local("name"), "/app/db");
    assert_eq!(
        local("manage"),
        true,
        "a secret-sounding name is not the schema"
    );
}

/// Numbers print as `terraform output -json` prints them (Terraform 1.11, these outputs
/// applied): every digit a 512-bit literal holds, the shortest digits for a float64 result
/// (`pow`), fractions in full, never an exponent.
#[test]
fn show_prints_numbers_as_terraform_json_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"output "pow" { value = pow(2, 100) }
output "pow_exact" { value = pow(2, 100) + 0 }
output "third" { value = 1/3 }
output "sum" { value = 0.1 + 0.2 }
output "list" { value = [1e21, 0.000001, -0.5, 1e30] }
"#,
    )
    .unwrap();
    let (code, out) = run(&["show", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let compact: String = out.split_whitespace().collect();
    for want in [
        r#""name":"pow","value":1267650600228229400000000000000,"#,
        r#""name":"pow_exact","value":1267650600228229401496703205376,"#,
        concat!(
            r#""name":"third","value":0."#,
            "333333333333333333333333333333333333333333333333333333333333333333333333333333",
            "33333333333333333333333333333333333333333333333333333333333333333333333333335,"
        ),
        r#""name":"sum","value":0.3,"#,
        r#""name":"list","value":[1000000000000000000000,0.000001,-0.5,1000000000000000000000000000000],"#,
    ] {
        assert!(compact.contains(want), "{want} not in {compact}");
    }
}
