//! The live account as a source, replayed from a recorded scan (`--live-from live.json`), end
//! to end through the binary: live-only objects checked at their ARN, live objects joining
//! state by ID, a role outside the configuration decided from live IAM, calls the scan could not
//! make reported as not checked, secrets never printed.
mod common;
use common::*;
use serde_json::{json, Value as J};

fn scan(resources: J, not_readable: J) -> String {
    serde_json::to_string_pretty(&json!({
        "format": "infra-lint-live", "version": 1, "account": "123456789012",
        "regions": ["eu-west-1"], "resources": resources, "not_readable": not_readable,
    }))
    .unwrap()
}

const DB_ARN: &str = "arn:aws:rds:eu-west-1:123456789012:db:console-db";

fn public_db() -> J {
    json!({"type": "aws_db_instance", "region": "eu-west-1", "arn": DB_ARN, "id": "db-CONSOLE",
           "attributes": {"id": "db-CONSOLE", "arn": DB_ARN, "identifier": "console-db",
                          "engine": "postgres", "publicly_accessible": true,
                          "storage_encrypted": true, "backup_retention_period": 7,
                          "password": "live-password-never-shown"}})
}

fn check(dir: &std::path::Path, args: &[&str]) -> (i32, J) {
    let live = dir.join("live.json").to_string_lossy().into_owned();
    let mut all = vec!["--live-from", live.as_str()];
    all.extend_from_slice(args);
    check_json(dir, &all)
}

#[test]
fn a_live_only_database_is_checked_at_its_arn() {
    let dir = tree(&[
        (
            "main.tf",
            b"resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n" as &[u8],
        ),
        (
            "live.json",
            scan(json!([public_db()]), json!([])).as_bytes(),
        ),
    ]);
    let (code, json) = check(dir.path(), &["--select", "RDS001"]);
    assert_eq!(code, 1, "{json}");
    let f = &json["findings"][0];
    assert_eq!(f["code"], "RDS001");
    assert_eq!(f["resource"], DB_ARN);
    assert_eq!(
        f["location"],
        json!({"arn": DB_ARN, "path": "publicly_accessible"})
    );
    assert_eq!(
        json["summary"]["documents"],
        json!([{"file": "live.json", "joined": 0, "only_in_document": 1}])
    );
    let d = dir.path().to_string_lossy().into_owned();
    let live = dir.path().join("live.json").to_string_lossy().into_owned();
    let (_, human) = run(&["check", &d, "--live-from", &live, "--select", "RDS001"]);
    assert!(
        human.contains(&format!("at live {DB_ARN} publicly_accessible")),
        "{human}"
    );
}

#[test]
fn live_objects_join_state_by_id() {
    let state = json!({"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "x",
        "outputs": {}, "resources": [{"mode": "managed", "type": "aws_security_group", "name": "web",
        "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
        "instances": [{"schema_version": 1, "attributes": {"id": "sg-0aaa", "name": "web",
            "ingress": [], "egress": []}, "sensitive_attributes": []}]}]});
    // Opened to the world by hand in the console: the live group admits 22 from anywhere.
    let live = json!([{"type": "aws_security_group", "id": "sg-0aaa",
        "arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0aaa",
        "attributes": {"id": "sg-0aaa", "name": "web", "ingress": [
            {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
             "ipv6_cidr_blocks": [], "security_groups": [], "self": false,
             "prefix_list_ids": [], "description": ""}], "egress": []}}]);
    let dir = tree(&[
        (
            "main.tf",
            b"resource \"aws_security_group\" \"web\" {\n  name = \"web\"\n}\n" as &[u8],
        ),
        ("terraform.tfstate", state.to_string().as_bytes()),
        ("live.json", scan(live, json!([])).as_bytes()),
    ]);
    let (code, json) = check(dir.path(), &["--select", "SG001", "--state"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        json["summary"]["resources"], 1,
        "one resource seen three ways"
    );
    let f = &json["findings"][0];
    assert_eq!(f["resource"], "aws_security_group.web");
    assert_eq!(f["location"]["file"], "main.tf");
    assert!(f["related"].as_array().unwrap().iter().any(|r| r["message"]
        == "value in the account"
        && r["location"]["arn"] == "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0aaa"));
}

const TASK: &str = r#"resource "aws_ecs_task_definition" "web" {
  family                   = "web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  container_definitions = jsonencode([{
    name             = "web"
    image            = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1"
    essential        = true
    logConfiguration = { logDriver = "awslogs", options = { awslogs-group = "/ecs/web" } }
  }])
}
"#;

fn console_role(policies: J) -> J {
    json!({"type": "aws_iam_role", "id": "ecsTaskExecutionRole",
           "arn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
           "attributes": {"id": "ecsTaskExecutionRole", "name": "ecsTaskExecutionRole",
                          "arn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                          "managed_policy_arns": policies, "inline_policy": []}})
}

#[test]
fn a_role_outside_the_configuration_is_decided_from_live_iam() {
    let ecs002 = |json: &J| -> usize {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "ECS002")
            .count()
    };
    let not_evaluated = |json: &J| -> bool {
        json["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["code"] == "ECS002")
    };
    // Offline: not evaluated.
    let dir = tree(&[("main.tf", TASK.as_bytes())]);
    let (_, json) = check_json(dir.path(), &["--select", "ECS002"]);
    assert_eq!(ecs002(&json), 0);
    assert!(not_evaluated(&json), "{json}");
    // The console-made role lacks the policy: a finding.
    let dir = tree(&[
        ("main.tf", TASK.as_bytes()),
        (
            "live.json",
            scan(json!([console_role(json!([]))]), json!([])).as_bytes(),
        ),
    ]);
    let (code, json) = check(dir.path(), &["--select", "ECS002"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(ecs002(&json), 1);
    assert!(!not_evaluated(&json));
    // With AmazonECSTaskExecutionRolePolicy attached: clean.
    let attached = console_role(json!([
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    ]));
    let dir = tree(&[
        ("main.tf", TASK.as_bytes()),
        ("live.json", scan(json!([attached]), json!([])).as_bytes()),
    ]);
    let (code, json) = check(dir.path(), &["--select", "ECS002"]);
    assert_eq!(code, 0, "{json}");
}

#[test]
fn calls_the_scan_could_not_make_are_not_checked() {
    let db_in_subnet = json!({"type": "aws_db_instance", "arn": DB_ARN, "id": "db-CONSOLE",
        "attributes": {"id": "db-CONSOLE", "arn": DB_ARN, "identifier": "console-db",
                       "publicly_accessible": false, "db_subnet_group_name": "console-db",
                       "vpc_security_group_ids": [], "port": 5432}});
    let group = json!({"type": "aws_db_subnet_group", "id": "console-db",
        "arn": "arn:aws:rds:eu-west-1:123456789012:subgrp:console-db",
        "attributes": {"id": "console-db", "name": "console-db", "subnet_ids": ["subnet-1"]}});
    let subnet = json!({"type": "aws_subnet", "id": "subnet-1",
        "attributes": {"id": "subnet-1", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24"}});
    let denied = json!([{"call": "ec2:DescribeRouteTables",
        "reason": "AccessDenied: not authorized to perform ec2:DescribeRouteTables",
        "types": ["aws_route_table", "aws_route_table_association"]}]);
    let dir = tree(&[
        ("main.tf", b"" as &[u8]),
        (
            "live.json",
            scan(json!([db_in_subnet, group, subnet]), denied).as_bytes(),
        ),
    ]);
    let (code, json) = check(dir.path(), &["--select", "RDS002"]);
    assert_eq!(code, 0, "no finding without the routes: {json}");
    let ne: Vec<&J> = json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["code"] == "RDS002")
        .collect();
    assert_eq!(ne.len(), 1, "{json}");
    assert!(ne[0]["reason"]
        .as_str()
        .unwrap()
        .contains("ec2:DescribeRouteTables failed"));
    assert_eq!(
        json["summary"]["not_checked"],
        json!(["ec2:DescribeRouteTables: AccessDenied: not authorized to perform ec2:DescribeRouteTables"])
    );
    let d = dir.path().to_string_lossy().into_owned();
    let live = dir.path().join("live.json").to_string_lossy().into_owned();
    let (_, human) = run(&["check", &d, "--live-from", &live, "--select", "RDS002"]);
    assert!(
        human.contains("not checked (the scan could not read):"),
        "{human}"
    );
}

#[test]
fn secrets_in_a_live_scan_are_never_printed() {
    let task = json!({"type": "aws_ecs_task_definition", "id": "web",
        "arn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7",
        "attributes": {"id": "web", "family": "web",
            "container_definitions": json!([{"name": "web", "image": "nginx",
                "environment": [{"name": "DB_PASSWORD", "value": "live-env-secret"}]}]).to_string()}});
    let dir = tree(&[
        ("main.tf", b"" as &[u8]),
        (
            "live.json",
            scan(json!([public_db(), task]), json!([])).as_bytes(),
        ),
    ]);
    let d = dir.path().to_string_lossy().into_owned();
    let live = dir.path().join("live.json").to_string_lossy().into_owned();
    let (code, json) = check(dir.path(), &["--select", "ECS005"]);
    assert_eq!(code, 1, "ECS005 fires on the live task definition: {json}");
    for args in [
        vec!["check", d.as_str(), "--live-from", live.as_str()],
        vec![
            "check",
            d.as_str(),
            "--live-from",
            live.as_str(),
            "--format",
            "json",
        ],
        vec!["show", d.as_str(), "--live-from", live.as_str()],
    ] {
        let (_, out) = run(&args);
        for secret in ["live-password-never-shown", "live-env-secret"] {
            assert!(!out.contains(secret), "{args:?} printed {secret}:\n{out}");
        }
    }
}

#[test]
fn a_broken_scan_is_an_error_and_configuration_is_still_checked() {
    let main = "resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = true\n}\n";
    for (text, says) in [
        ("{\"format\": \"infra-lint-live\",", "not valid JSON"),
        ("{\"format\": \"other\", \"version\": 1}", "not a live scan"),
        (
            "{\"format\": \"infra-lint-live\", \"version\": 9}",
            "version 9 is not supported",
        ),
    ] {
        let dir = tree(&[("main.tf", main.as_bytes()), ("live.json", text.as_bytes())]);
        let (code, json) = check(dir.path(), &["--select", "RDS001"]);
        assert_eq!(code, 2, "{json}");
        let msg = json["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.starts_with("live.json: ") && msg.contains(says),
            "{msg}"
        );
        assert_eq!(
            json["findings"].as_array().unwrap().len(),
            1,
            "configuration still checked"
        );
    }
}

/// Drift findings are findings: a suppression on the configuration's line silences one (and
/// LINT001 would flag it if it matched nothing), `--ignore` drops a rule, the exit code follows.
#[test]
fn drift_findings_are_suppressed_selected_and_counted_like_any_other() {
    let fixture = root().join("fixtures/changed-attribute/fail");
    let main = std::fs::read_to_string(fixture.join("main.tf")).unwrap().replace(
        "  publicly_accessible = false # expect: changed-attribute (no fix)\n",
        "  # infra-lint:ignore DRIFT003 the reporting team needs it public until the VPN is up\n  publicly_accessible = false\n",
    );
    let state = std::fs::read(fixture.join("terraform.tfstate")).unwrap();
    let live = std::fs::read(fixture.join("live.json")).unwrap();
    let dir = tree(&[
        ("main.tf", main.as_bytes()),
        ("terraform.tfstate", &state),
        ("live.json", &live),
    ]);
    let (code, json) = check(
        dir.path(),
        &[
            "--state",
            "--select",
            "DRIFT003,LINT001",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(code, 1, "{json}");
    let findings: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["resource"].as_str().unwrap()))
        .collect();
    // The database's drift is suppressed (and the suppression is used); the group's remains.
    assert_eq!(
        findings,
        vec![("DRIFT003", "aws_security_group.db")],
        "{json}"
    );
    assert_eq!(json["summary"]["drift"]["changed"], 1, "{json}");
    let (code, json) = check(
        dir.path(),
        &["--state", "--select", "DRIFT", "--ignore", "DRIFT003"],
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["summary"]["drift"]["changed"], 0, "{json}");
}
