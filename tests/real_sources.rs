//! The rules on real Terraform state and plans: tests/real/ecs-stack was applied against moto
//! with the AWS provider 5.100.0 by scripts/gen-state-fixtures.sh (see real_fixtures.rs). The
//! configuration leaves the health-check port to a variable without a default and the tasks'
//! security group name to `name_prefix`; only the state and plans know them.
mod common;
use common::*;
use serde_json::Value as J;

fn dir() -> String {
    root()
        .join("tests/real/ecs-stack")
        .to_string_lossy()
        .into_owned()
}

fn run_json(args: &[&str]) -> (i32, J) {
    let d = dir();
    let mut all = vec!["check", d.as_str(), "--format", "json"];
    all.extend_from_slice(args);
    let (code, out) = run(&all);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")),
    )
}

fn of<'a>(json: &'a J, code: &str) -> Vec<&'a J> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

fn health_check_finding(json: &J) -> Option<&J> {
    of(json, "ECS001").into_iter().find(|f| {
        f["message"]
            .as_str()
            .unwrap()
            .contains("health check port 8080")
    })
}

#[test]
fn configuration_alone_cannot_decide_the_health_check() {
    let (code, json) = run_json(&[]);
    assert_eq!(code, 1);
    assert!(health_check_finding(&json).is_none());
    assert!(json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["code"] == "ECS001"
            && n["reason"]
                .as_str()
                .unwrap()
                .contains("var.health_check_port has no value")));
}

#[test]
fn the_real_state_decides_it_on_the_configuration_line() {
    let (code, json) = run_json(&["--state"]);
    assert_eq!(code, 1, "{json}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
    let f = health_check_finding(&json).expect("ECS001 health check from state");
    assert_eq!(f["resource"], "aws_lb_target_group.app");
    assert_eq!(f["location"]["file"], "main.tf");
    let related = f["related"].as_array().unwrap();
    assert!(related
        .iter()
        .any(|r| r["location"]["file"] == "terraform.tfstate"
            && r["location"]["path"] == "health_check[0].port"));
    // Every resource of the state joined the configuration: nothing is state-only.
    assert_eq!(json["summary"]["resources"], 21);
    assert!(!json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["code"] == "ECS001"));
}

#[test]
fn both_real_plans_decide_it_too() {
    for plan in ["plan.json", "plan-create.json"] {
        let p = root().join("tests/real/ecs-stack").join(plan);
        let (code, json) = run_json(&["--plan", &p.to_string_lossy()]);
        assert_eq!(code, 1, "{plan}: {json}");
        assert!(
            json["errors"].as_array().unwrap().is_empty(),
            "{plan}: {json}"
        );
        let f = health_check_finding(&json).unwrap_or_else(|| panic!("{plan}: {json}"));
        assert!(f["related"].as_array().unwrap().iter().any(|r| r["message"]
            == "value in the plan (8080)"
            || r["message"]
                .as_str()
                .unwrap()
                .starts_with("value in the plan")));
        assert_eq!(json["summary"]["resources"], 21, "{plan}");
    }
}

#[test]
fn plan_and_state_together_join_into_one_model() {
    let plan = root().join("tests/real/ecs-stack/plan.json");
    let (code, json) = run_json(&["--state", "--plan", &plan.to_string_lossy()]);
    assert_eq!(code, 1, "{json}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
    assert_eq!(json["summary"]["resources"], 21);
    let docs = json["summary"]["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert!(
        docs.iter()
            .all(|d| d["joined"] == 21 && d["only_in_document"] == 0),
        "{docs:?}"
    );
    // Reported once, though both sources know the port.
    assert_eq!(
        of(&json, "ECS001")
            .iter()
            .filter(|f| f["message"].as_str().unwrap().contains("8080"))
            .count(),
        1
    );
}

#[test]
fn names_from_name_prefix_are_known_from_state() {
    // The tasks' group is named by `name_prefix = "demo-"`: configuration has no name for it,
    // the state has the one AWS generated.
    let d = dir();
    let name = |args: &[&str]| -> J {
        let mut all = vec!["show", d.as_str()];
        all.extend_from_slice(args);
        let (_, out) = run(&all);
        let show: J = serde_json::from_str(&out).unwrap();
        show["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == "aws_security_group.tasks")
            .unwrap()["attributes"]["name"]
            .clone()
    };
    assert!(name(&[]).is_null(), "{}", name(&[]));
    let known = name(&["--state"]);
    assert!(known.as_str().unwrap().starts_with("demo-2"), "{known}");
    let (code, json) = run_json(&["--select", "NAME001", "--name-prefix", "demo", "--state"]);
    assert_eq!(code, 0, "every name starts with demo: {json}");
}

#[test]
fn the_database_password_in_real_state_and_plans_is_never_printed() {
    let d = dir();
    let state = root().join("tests/real/ecs-stack/terraform.tfstate");
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(
        text.contains("demo-fixture-password-1"),
        "the fixture holds the secret"
    );
    for source in [
        vec!["--state"],
        vec!["--plan", "tests/real/ecs-stack/plan.json"],
        vec!["--plan", "tests/real/ecs-stack/plan-create.json"],
    ] {
        let source: Vec<String> = source
            .iter()
            .map(|s| {
                if s.starts_with("tests/") {
                    root().join(s).to_string_lossy().into_owned()
                } else {
                    s.to_string()
                }
            })
            .collect();
        let source: Vec<&str> = source.iter().map(String::as_str).collect();
        for head in [
            vec!["check", d.as_str()],
            vec!["check", d.as_str(), "--format", "json"],
            vec!["show", d.as_str()],
        ] {
            let mut args = head.clone();
            args.extend_from_slice(&source);
            let (_, out) = run(&args);
            assert!(!out.is_empty());
            assert!(
                !out.contains("demo-fixture-password-1"),
                "{args:?} printed the password"
            );
        }
    }
    let (_, show) = run(&["show", &d, "--state"]);
    let show: J = serde_json::from_str(&show).unwrap();
    let db = show["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_db_instance.main")
        .unwrap();
    assert_eq!(db["attributes"]["password"], "(sensitive)");
    assert_eq!(db["sources"], serde_json::json!(["config", "state"]));
}

/// The exact JSON document for the real stack checked with its state: findings on
/// configuration lines naming state places, the state file in the summary.
#[test]
fn json_output_with_the_real_state() {
    let d = dir();
    let (code, out) = run(&["check", &d, "--format", "json", "--state"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("real_ecs_stack_state_json", out);
}
