//! Agreement with checkov's own labelled fixtures (../shared/corpus/ORACLES.json): for every
//! checkov check that tests the same property as one of our rules, infra-lint runs that rule on
//! the fixture and must agree on every labelled resource — or the disagreement is listed below
//! with the reason checkov is wrong (or tests a different property).
use serde_json::Value as J;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;
use common::check_json;

/// checkov check → our rule code.
const SAME_PROPERTY: &[(&str, &str)] = &[("CKV_AWS_17", "RDS001")];

/// (checkov check, resource address, expected by checkov, why we differ).
const DISAGREEMENTS: &[(&str, &str, &str, &str)] = &[];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// `aws_x.y[0]` → `aws_x.y`: checkov labels configuration objects, not instances.
fn object(addr: &str) -> String {
    infra_lint::model::resource::strip_keys(addr)
}

#[test]
fn rules_agree_with_checkov_on_labelled_fixtures() {
    let text = std::fs::read_to_string(corpus().join("ORACLES.json")).expect("ORACLES.json");
    let doc: J = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    let mut problems = Vec::new();
    let mut used_disagreements = BTreeSet::new();
    for fx in doc["fixtures"].as_array().unwrap() {
        let check = fx["check"].as_str().unwrap_or("");
        let Some((_, code)) = SAME_PROPERTY.iter().find(|(c, _)| *c == check) else {
            continue;
        };
        let dir = corpus().join(fx["fixture_dir"].as_str().unwrap());
        let (exit, json) = check_json(&dir, &["--select", code]);
        assert_ne!(exit, 2, "{check}: {} did not load: {json}", dir.display());
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
    println!("compared {compared} labelled resources");
    assert!(compared > 0);
    assert!(
        problems.is_empty(),
        "disagreements:\n{}",
        problems.join("\n")
    );
}
