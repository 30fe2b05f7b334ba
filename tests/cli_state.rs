//! State and plan as sources, end to end through the binary: `--state FILE`, `--state -`, the
//! local backend and its workspaces, `--plan FILE`, state-only resources, secrets in state,
//! broken files.
mod common;
use common::*;
use serde_json::{json, Value as J};

/// A format-4 state holding `resources`: (type, name, attributes[, sensitive_attributes]).
fn state(resources: &[(&str, &str, J)]) -> String {
    let rs: Vec<J> = resources
        .iter()
        .map(|(t, n, attrs)| {
            json!({"mode": "managed", "type": t, "name": n,
                   "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                   "instances": [{"schema_version": 0, "attributes": attrs,
                                  "sensitive_attributes": [], "dependencies": []}]})
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "version": 4, "terraform_version": "1.11.0", "serial": 3,
        "lineage": "7f3c1c9e-0000-4000-8000-000000000000", "outputs": {}, "resources": rs,
        "check_results": null
    }))
    .unwrap()
}

const DB: &str = r#"variable "public" {}

resource "aws_db_instance" "db" {
  identifier          = "app"
  engine              = "postgres"
  publicly_accessible = var.public
}
"#;

fn db_state(public: bool) -> String {
    state(&[(
        "aws_db_instance",
        "db",
        json!({"id": "db-ABCDEF", "arn": "arn:aws:rds:eu-west-1:123456789012:db:app",
               "identifier": "app", "engine": "postgres", "publicly_accessible": public,
               "password": "hunter2-state-secret", "port": 5432}),
    )])
}

fn rds001(json: &J) -> Vec<&J> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RDS001")
        .collect()
}

#[test]
fn state_decides_what_configuration_left_unknown_and_the_finding_stays_on_the_source_line() {
    let dir = tree(&[
        ("main.tf", DB.as_bytes()),
        ("prod.tfstate", db_state(true).as_bytes()),
    ]);
    let (code, json) = check_json(dir.path(), &["--select", "RDS001"]);
    assert_eq!(code, 0, "{json}");
    assert!(json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["code"] == "RDS001"));

    let st = dir
        .path()
        .join("prod.tfstate")
        .to_string_lossy()
        .into_owned();
    let (code, json) = check_json(dir.path(), &["--select", "RDS001", "--state", &st]);
    assert_eq!(code, 1, "{json}");
    let f = rds001(&json);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["resource"], "aws_db_instance.db");
    assert_eq!(f[0]["location"]["file"], "main.tf");
    assert_eq!(f[0]["location"]["line"], 6);
    // The state value is named where it was found.
    assert!(
        f[0]["related"].as_array().unwrap().iter().any(|r| r["location"]
            == json!({"file": "prod.tfstate", "address": "aws_db_instance.db", "path": "publicly_accessible"})),
        "{}",
        f[0]
    );
    // The human view names the state place too, without an excerpt of the state file.
    let d = dir.path().to_string_lossy().into_owned();
    let (_, human) = run(&["check", &d, "--select", "RDS001", "--state", &st]);
    assert!(
        human.contains("value in the state (prod.tfstate: aws_db_instance.db.publicly_accessible)"),
        "{human}"
    );
    assert!(
        human.contains("prod.tfstate: aws_db_instance.db.publicly_accessible"),
        "{human}"
    );
}

#[test]
fn a_finding_on_configuration_and_state_is_reported_once() {
    let main = DB.replace("var.public", "true");
    let dir = tree(&[
        ("main.tf", main.as_bytes()),
        ("terraform.tfstate", db_state(false).as_bytes()),
    ]);
    let (code, json) = check_json(dir.path(), &["--select", "RDS001", "--state"]);
    assert_eq!(code, 1);
    let f = rds001(&json);
    assert_eq!(f.len(), 1, "{json}");
    assert_eq!(f[0]["location"]["line"], 6);
    // Configuration says true, the state false: the finding says the state differs.
    assert!(f[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["message"] == "the state holds a different value"
            && r["location"]["file"] == "terraform.tfstate"));
}

#[test]
fn state_from_stdin() {
    let dir = tree(&[("main.tf", DB.as_bytes())]);
    let d = dir.path().to_string_lossy().into_owned();
    let out = bin()
        .args([
            "check", &d, "--format", "json", "--select", "RDS001", "--state", "-",
        ])
        .write_stdin(db_state(true))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: J = serde_json::from_slice(&out.stdout).unwrap();
    let f = rds001(&json);
    assert_eq!(f.len(), 1);
    assert!(f[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["location"]["file"] == "(stdin)"));
}

#[test]
fn the_local_backend_and_its_workspaces() {
    let dir = tree(&[
        ("main.tf", DB.as_bytes()),
        ("terraform.tfstate", db_state(true).as_bytes()),
        (
            "terraform.tfstate.d/staging/terraform.tfstate",
            db_state(false).as_bytes(),
        ),
    ]);
    let (code, _) = check_json(dir.path(), &["--select", "RDS001", "--state"]);
    assert_eq!(code, 1, "default workspace: public");
    let (code, json) = check_json(
        dir.path(),
        &["--select", "RDS001", "--state", "--workspace", "staging"],
    );
    assert_eq!(code, 0, "staging: private: {json}");
    let d = dir.path().to_string_lossy().into_owned();
    let out = bin()
        .args([
            "check", &d, "--format", "json", "--select", "RDS001", "--state",
        ])
        .env("TF_WORKSPACE", "staging")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "TF_WORKSPACE=staging");
    // The workspace `terraform workspace select` recorded.
    std::fs::create_dir_all(dir.path().join(".terraform")).unwrap();
    std::fs::write(dir.path().join(".terraform/environment"), "staging").unwrap();
    let (code, _) = check_json(dir.path(), &["--select", "RDS001", "--state"]);
    assert_eq!(code, 0, ".terraform/environment selects staging");

    // A local backend with its own path.
    let with_backend = format!(
        "terraform {{\n  backend \"local\" {{\n    path = \"states/app.tfstate\"\n  }}\n}}\n{DB}"
    );
    let dir = tree(&[
        ("main.tf", with_backend.as_bytes()),
        ("states/app.tfstate", db_state(true).as_bytes()),
    ]);
    let (code, json) = check_json(dir.path(), &["--select", "RDS001", "--state"]);
    assert_eq!(code, 1, "{json}");
}

#[test]
fn a_remote_backend_without_a_file_is_a_clear_error_and_configuration_is_still_checked() {
    let main = format!(
        "terraform {{\n  backend \"s3\" {{\n    bucket = \"b\"\n    key    = \"k\"\n  }}\n}}\n{}",
        DB.replace("var.public", "true")
    );
    let dir = tree(&[("main.tf", main.as_bytes())]);
    // No region anywhere (the backend block names none): nothing is sent.
    let out = bin()
        .args(["check", &dir.path().to_string_lossy(), "--format", "json"])
        .args(["--select", "RDS001", "--state"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let json: J = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{json}");
    let msg = json["errors"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("s3 backend") && msg.contains("--state FILE"),
        "{msg}"
    );
    #[cfg(feature = "aws")]
    assert!(
        msg.contains("s3://b/k") && msg.contains("no region"),
        "{msg}"
    );
    assert_eq!(json["errors"][0]["location"]["line"], 2);
    assert_eq!(rds001(&json).len(), 1, "configuration still checked");
}

#[test]
fn state_only_resources_are_checked_at_their_state_location() {
    let st = state(&[(
        "aws_security_group",
        "old_bastion",
        json!({"id": "sg-0123", "name": "old-bastion", "vpc_id": "vpc-1", "egress": [],
               "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp",
                            "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [],
                            "security_groups": [], "self": false, "prefix_list_ids": [],
                            "description": ""}]}),
    )]);
    let dir = tree(&[
        (
            "main.tf",
            b"resource \"aws_security_group\" \"web\" {\n  name = \"web\"\n}\n" as &[u8],
        ),
        ("terraform.tfstate", st.as_bytes()),
    ]);
    let (code, json) = check_json(dir.path(), &["--select", "SG001", "--state"]);
    assert_eq!(code, 1, "{json}");
    let f = &json["findings"][0];
    assert_eq!(f["resource"], "aws_security_group.old_bastion");
    assert_eq!(f["location"]["file"], "terraform.tfstate");
    assert_eq!(f["location"]["address"], "aws_security_group.old_bastion");
    assert!(f["location"]["line"].is_null());
    assert_eq!(json["summary"]["resources"], 2);
    assert_eq!(
        json["summary"]["documents"],
        json!([{"file": "terraform.tfstate", "joined": 0, "only_in_document": 1}])
    );
    let d = dir.path().to_string_lossy().into_owned();
    let (_, human) = run(&["check", &d, "--select", "SG001", "--state"]);
    assert!(
        human.contains("at terraform.tfstate: aws_security_group.old_bastion.ingress"),
        "{human}"
    );
    // `show` lists it with its sources and identity.
    let (_, show) = run(&["show", &d, "--state"]);
    let show: J = serde_json::from_str(&show).unwrap();
    let r = show["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_security_group.old_bastion")
        .unwrap();
    assert_eq!(r["sources"], json!(["state"]));
    assert_eq!(r["identity"]["id"], "sg-0123");
}

#[test]
fn secrets_in_state_are_never_printed() {
    let mut st: J = serde_json::from_str(&state(&[
        (
            "aws_db_instance",
            "db",
            json!({"id": "db-1", "identifier": "app", "publicly_accessible": true,
                   "password": "hunter2-state-secret", "port": 5432}),
        ),
        (
            "aws_ssm_parameter",
            "token",
            json!({"id": "/app/token", "name": "/app/token", "type": "SecureString",
                   "value": "ssm-state-secret-value"}),
        ),
        (
            "aws_ecs_task_definition",
            "t",
            json!({"id": "t", "family": "t", "tags": {"Owner": "team-state-secret-tag"},
                   "container_definitions": json!([{"name": "app", "image": "nginx",
                       "environment": [{"name": "DB_PASSWORD", "value": "env-state-secret"},
                                       {"name": "LOG_LEVEL", "value": "debug"}]}]).to_string()}),
        ),
    ]))
    .unwrap();
    // Terraform marks what the configuration made sensitive in `sensitive_attributes`.
    st["resources"][2]["instances"][0]["sensitive_attributes"] =
        json!([[{"type": "get_attr", "value": "tags"}]]);
    st["outputs"] = json!({"db_password": {"value": "output-state-secret", "type": "string", "sensitive": true}});
    let st = serde_json::to_string(&st).unwrap();
    let dir = tree(&[
        ("main.tf", DB.as_bytes()),
        ("terraform.tfstate", st.as_bytes()),
    ]);
    let d = dir.path().to_string_lossy().into_owned();
    for args in [
        vec!["check", d.as_str(), "--state"],
        vec!["check", d.as_str(), "--state", "--format", "json"],
        vec!["show", d.as_str(), "--state"],
    ] {
        let (_, out) = run(&args);
        for secret in [
            "hunter2-state-secret",
            "ssm-state-secret-value",
            "team-state-secret-tag",
            "output-state-secret",
            "env-state-secret",
        ] {
            assert!(!out.contains(secret), "{args:?} printed {secret}:\n{out}");
        }
    }
    let (_, show) = run(&["show", &d, "--state"]);
    assert!(show.contains("(sensitive)"));
    // Only the secret is masked: the rest of the container definitions is still shown.
    assert!(
        show.contains("LOG_LEVEL") && show.contains("debug"),
        "{show}"
    );
}

#[test]
fn broken_state_files_are_located_errors_and_configuration_is_still_checked() {
    let main = DB.replace("var.public", "true");
    let cases: [(&str, String, &str); 4] = [
        (
            "malformed",
            "{\n  \"version\": 4,\n  \"resources\": [\n".into(),
            "line",
        ),
        (
            "old version",
            json!({"version": 3, "serial": 1, "modules": []}).to_string(),
            "state format version 3 is not supported",
        ),
        ("not a state", "[1, 2]".into(), "neither a Terraform state"),
        (
            "another root module",
            state(&[(
                "aws_s3_bucket",
                "logs",
                json!({"id": "logs", "bucket": "logs"}),
            )]),
            "does not match this configuration",
        ),
    ];
    for (what, text, says) in cases {
        let dir = tree(&[
            ("main.tf", main.as_bytes()),
            ("terraform.tfstate", text.as_bytes()),
        ]);
        let (code, json) = check_json(dir.path(), &["--select", "RDS001", "--state"]);
        assert_eq!(code, 2, "{what}: {json}");
        let msg = json["errors"][0]["message"].as_str().unwrap();
        assert!(msg.starts_with("terraform.tfstate: "), "{what}: {msg}");
        assert!(msg.contains(says), "{what}: {msg}");
        assert_eq!(json["errors"][0]["location"]["file"], "terraform.tfstate");
        assert_eq!(
            rds001(&json).len(),
            1,
            "{what}: configuration still checked"
        );
    }
    // A state file that does not exist.
    let dir = tree(&[("main.tf", main.as_bytes())]);
    let (code, json) = check_json(
        dir.path(),
        &["--select", "RDS001", "--state", "nope.tfstate"],
    );
    assert_eq!(code, 2);
    assert!(json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot read state or plan file nope.tfstate"));
    assert_eq!(rds001(&json).len(), 1);
}

const SERVICE: &str = r#"variable "health_port" {}

resource "aws_lb_target_group" "api" {
  name        = "api"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = "vpc-1"
  health_check {
    port = var.health_port
  }
}

resource "aws_ecs_task_definition" "api" {
  family       = "api"
  network_mode = "awsvpc"
  container_definitions = jsonencode([{
    name         = "api"
    image        = "nginx"
    portMappings = [{ containerPort = 80 }]
  }])
}

resource "aws_ecs_service" "api" {
  name            = "api"
  task_definition = aws_ecs_task_definition.api.arn
  load_balancer {
    target_group_arn = aws_lb_target_group.api.arn
    container_name   = "api"
    container_port   = 80
  }
}
"#;

/// `terraform show -json` of a plan that creates the target group with health port `port`.
fn plan(port: J) -> String {
    let tg = json!({"name": "api", "port": 80, "protocol": "HTTP", "target_type": "ip",
                    "vpc_id": "vpc-1", "health_check": [{"port": port, "path": "/"}]});
    json!({
        "format_version": "1.2", "terraform_version": "1.11.0",
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_lb_target_group.api", "mode": "managed", "type": "aws_lb_target_group",
            "name": "api", "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 0, "values": tg, "sensitive_values": {"health_check": [{}]}}]}},
        "resource_changes": [{
            "address": "aws_lb_target_group.api", "mode": "managed", "type": "aws_lb_target_group",
            "name": "api", "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": null, "after": tg,
                       "after_unknown": {"arn": true, "id": true, "health_check": [{}]},
                       "before_sensitive": false, "after_sensitive": {"health_check": [{}]}}}]
    })
    .to_string()
}

#[test]
fn a_plan_decides_what_configuration_left_unknown() {
    let dir = tree(&[
        ("main.tf", SERVICE.as_bytes()),
        ("bad.json", plan(json!("8080")).as_bytes()),
        ("good.json", plan(json!("traffic-port")).as_bytes()),
    ]);
    let ecs001 = |json: &J| -> Vec<J> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "ECS001")
            .cloned()
            .collect()
    };
    let (_, json) = check_json(dir.path(), &["--select", "ECS001"]);
    assert!(ecs001(&json).is_empty());
    assert!(json["not_evaluated"].as_array().unwrap().iter().any(
        |n| n["code"] == "ECS001" && n["reason"].as_str().unwrap().contains("var.health_port")
    ));

    let bad = dir.path().join("bad.json").to_string_lossy().into_owned();
    let (code, json) = check_json(dir.path(), &["--select", "ECS001", "--plan", &bad]);
    assert_eq!(code, 1, "{json}");
    let f = ecs001(&json);
    assert_eq!(f.len(), 1, "{json}");
    assert_eq!(f[0]["location"]["file"], "main.tf");
    assert!(
        f[0]["message"].as_str().unwrap().contains("8080"),
        "{}",
        f[0]
    );

    let good = dir.path().join("good.json").to_string_lossy().into_owned();
    let (code, json) = check_json(dir.path(), &["--select", "ECS001", "--plan", &good]);
    assert_eq!(code, 0, "{json}");
    assert!(!json["not_evaluated"].as_array().unwrap().iter().any(
        |n| n["code"] == "ECS001" && n["reason"].as_str().unwrap().contains("var.health_port")
    ));
}

/// A backend configured at init time (`backend "s3" {}` with `-backend-config`): TF001 decides
/// from the settings `terraform init` saved in `.terraform/terraform.tfstate`.
#[test]
fn an_s3_backend_configured_at_init_is_decided_from_the_saved_settings() {
    let saved = |lock: &str| {
        format!(
            r#"{{"version": 3, "terraform_version": "1.11.4", "backend": {{"type": "s3", "config": {{
                "bucket": "acme-state", "key": "app/terraform.tfstate", "region": "eu-west-1",
                "dynamodb_table": null, "use_lockfile": {lock}, "encrypt": null}}, "hash": 1}}}}"#
        )
    };
    let main = b"terraform {\n  backend \"s3\" {}\n}\n" as &[u8];
    for (lock, findings) in [("null", 1), ("true", 0)] {
        let s = saved(lock);
        let dir = tree(&[
            ("main.tf", main),
            (".terraform/terraform.tfstate", s.as_bytes()),
        ]);
        let (code, json) = check_json(dir.path(), &["--select", "TF001"]);
        let tf001: Vec<&J> = json["findings"].as_array().unwrap().iter().collect();
        assert_eq!(tf001.len(), findings, "use_lockfile {lock}: {json}");
        assert_eq!(code, if findings == 1 { 1 } else { 0 }, "{json}");
        assert_eq!(
            json["not_evaluated"],
            json!([]),
            "decided, not left open: {json}"
        );
    }
    // Without the saved settings it stays "not evaluated", as before.
    let dir = tree(&[("main.tf", main)]);
    let (_, json) = check_json(dir.path(), &["--select", "TF001"]);
    assert_eq!(json["not_evaluated"][0]["code"], "TF001", "{json}");
}
