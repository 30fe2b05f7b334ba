//! Agreement with checkov's own labelled fixtures (../shared/corpus/ORACLES.json): for every
//! checkov check that tests the same property as one of our rules, infra-lint runs that rule on
//! the fixture and must agree on every labelled resource — or the disagreement is listed below
//! with the reason checkov is wrong (or tests a different property).
use serde_json::Value as J;
use std::collections::BTreeSet;

mod common;
use common::{check_json, corpus};

/// checkov check → our rule code.
const SAME_PROPERTY: &[(&str, &str)] = &[
    ("CKV_AWS_17", "RDS001"),  // RDS not publicly accessible
    ("CKV_AWS_16", "RDS004"),  // RDS storage encrypted
    ("CKV_AWS_133", "RDS003"), // RDS backup retention
    ("CKV_AWS_24", "SG001"),   // no ingress from 0.0.0.0/0 to port 22
    ("CKV_AWS_25", "SG001"),   // ... to port 3389
    ("CKV_AWS_260", "SG001"),  // ... to port 80
    ("CKV_AWS_277", "SG001"),  // ... to all ports
    ("CKV_AWS_333", "ECS003"), // ECS service without public IP
];

/// (checkov check, resource address, expected by checkov, why we differ).
const DISAGREEMENTS: &[(&str, &str, &str, &str)] = &[
    // RDS003 flags disabled backups; 36 days is not "no backup policy" but a value the
    // provider rejects at plan (instances 0–35, clusters 1–35).
    (
        "CKV_AWS_133",
        "aws_db_instance.fail",
        "fail",
        "backup_retention_period = 36 is invalid, not disabled backups",
    ),
    (
        "CKV_AWS_133",
        "aws_rds_cluster.fail",
        "fail",
        "backup_retention_period = 36 is invalid, not disabled backups",
    ),
    // `storage_encrypted = False` is a reference to an undeclared variable `False` (HCL is
    // case-sensitive): Terraform rejects the file, infra-lint reports that input error and
    // says "not evaluated"; checkov reads it as Python's False.
    (
        "CKV_AWS_16",
        "aws_db_instance.disabled",
        "fail",
        "`False` is not a boolean in HCL: input error, not evaluated",
    ),
    // SG001 covers every port (a world-open 222 or 80 on a group that fronts no load balancer
    // is a finding); the checkov checks look at one port each.
    (
        "CKV_AWS_24",
        "aws_security_group.pass",
        "pass",
        "opens port 222 to 0.0.0.0/0",
    ),
    (
        "CKV_AWS_24",
        "aws_security_group_rule.pass",
        "pass",
        "opens port 222 to 0.0.0.0/0",
    ),
    (
        "CKV_AWS_260",
        "aws_security_group.pass",
        "pass",
        "opens port 222 to 0.0.0.0/0",
    ),
    (
        "CKV_AWS_260",
        "aws_security_group_rule.pass3",
        "pass",
        "opens port 222 to 0.0.0.0/0",
    ),
    (
        "CKV_AWS_25",
        "aws_security_group.pass",
        "pass",
        "80/443 open to the world on a group no load balancer uses",
    ),
    (
        "CKV_AWS_277",
        "aws_security_group.pass",
        "pass",
        "80/443 open to the world on a group no load balancer uses",
    ),
    // checkov is wrong: 0.0.0.0/0 on all protocols next to `self = true` still admits the world.
    (
        "CKV_AWS_24",
        "aws_security_group.pass_self2",
        "pass",
        "0.0.0.0/0 on every port; `self` does not narrow it",
    ),
    // checkov is wrong: rules with no source at all (no CIDR, no group, self = false) admit
    // nothing (the API rejects such a rule).
    (
        "CKV_AWS_24",
        "aws_security_group.not_self",
        "fail",
        "no source: admits nothing",
    ),
    (
        "CKV_AWS_24",
        "aws_vpc_security_group_ingress_rule.fail2",
        "fail",
        "no source: admits nothing",
    ),
    (
        "CKV_AWS_260",
        "aws_vpc_security_group_ingress_rule.fail2",
        "fail",
        "no source: admits nothing",
    ),
    // The snippet's group is not declared (an input error here): port 80 open to the world is
    // allowed on a load balancer's group, and whether this one is cannot be known, so SG001
    // says not evaluated instead of flagging.
    (
        "CKV_AWS_260",
        "aws_security_group_rule.fail",
        "fail",
        "80 open on an undeclared group, which may be a load balancer's: not evaluated",
    ),
    (
        "CKV_AWS_260",
        "aws_vpc_security_group_ingress_rule.fail",
        "fail",
        "80 open on an undeclared group, which may be a load balancer's: not evaluated",
    ),
];

/// `aws_x.y[0]` → `aws_x.y`: checkov labels configuration objects, not instances.
fn object(addr: &str) -> String {
    infra_lint::model::resource::strip_keys(addr)
}

#[test]
fn rules_agree_with_checkov_on_labelled_fixtures() {
    let text = std::fs::read_to_string(corpus().join("ORACLES.json")).expect("ORACLES.json");
    let doc: J = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    let mut disagreed = 0;
    let mut problems = Vec::new();
    let mut used_disagreements = BTreeSet::new();
    for fx in doc["fixtures"].as_array().unwrap() {
        let check = fx["check"].as_str().unwrap_or("");
        let Some((_, code)) = SAME_PROPERTY.iter().find(|(c, _)| *c == check) else {
            continue;
        };
        let dir = corpus().join(fx["fixture_dir"].as_str().unwrap());
        // checkov's snippets are not always valid Terraform (undeclared variables): those are
        // located input errors here, and every labelled resource is still compared.
        let (_, json) = check_json(&dir, &["--select", code]);
        let flagged: BTreeSet<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == *code)
            .map(|f| object(f["resource"].as_str().unwrap()))
            .collect();
        for (label, want_fail) in [("pass", false), ("fail", true)] {
            for r in fx[label].as_array().unwrap() {
                let r = r.as_str().unwrap();
                compared += 1;
                let got_fail = flagged.contains(r);
                if got_fail == want_fail {
                    continue;
                }
                match DISAGREEMENTS
                    .iter()
                    .find(|(c, a, e, _)| *c == check && *a == r && *e == label)
                {
                    Some(d) => {
                        used_disagreements.insert((d.0, d.1));
                        disagreed += 1;
                    }
                    None => problems.push(format!(
                        "{check} → {code}: {r} in {} — checkov says {label}, infra-lint {}",
                        fx["fixture_dir"].as_str().unwrap(),
                        if got_fail { "fails it" } else { "passes it" }
                    )),
                }
            }
        }
    }
    for d in DISAGREEMENTS {
        assert!(
            used_disagreements.contains(&(d.0, d.1)),
            "documented disagreement no longer happens: {d:?}"
        );
    }
    println!(
        "compared {compared} labelled resources: {} agree, {disagreed} documented disagreements",
        compared - disagreed - problems.len()
    );
    assert!(compared > 0);
    assert!(
        problems.is_empty(),
        "disagreements:\n{}",
        problems.join("\n")
    );
}
