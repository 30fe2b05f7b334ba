//! No false alarms on real code: every rule runs over the examples and modules of the
//! terraform-aws-* modules, aws-ia ecs-blueprints and turnerlabs terraform-ecs-fargate in
//! ../shared/corpus. Each finding must be listed, with the reason it is a real problem, in
//! tests/corpus_findings/<rule-name>.txt as `<dir> | <resource address> | <reason>`.
//! A new finding is either a real problem (add it with the reason) or a bug to fix.
use infra_lint::config::Settings;
use infra_lint::engine::{run, Request};
use infra_lint::rules::registry::RULES;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;
use common::{corpus, tf_dirs};

/// (dir, code, resource) → reason.
fn pinned() -> BTreeMap<(String, String, String), String> {
    let mut out = BTreeMap::new();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus_findings");
    for r in RULES {
        let m = r.meta();
        let Ok(text) = std::fs::read_to_string(base.join(format!("{}.txt", m.name))) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.splitn(3, " | ").collect();
            assert!(
                parts.len() == 3 && !parts[2].trim().is_empty(),
                "{}.txt:{}: expected `<dir> | <resource> | <reason>`",
                m.name,
                i + 1
            );
            out.insert(
                (parts[0].into(), m.code.to_string(), parts[1].into()),
                parts[2].into(),
            );
        }
    }
    out
}

#[test]
fn every_finding_on_real_code_is_a_known_real_problem() {
    let mut dirs = Vec::new();
    let root = corpus();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("../shared/corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with("terraform-aws-")
                    || n == "aws-ia-ecs-blueprints"
                    || n == "turnerlabs-terraform-ecs-fargate"
            })
        })
        .collect();
    names.sort();
    for n in names {
        tf_dirs(&n, &mut dirs);
    }
    assert!(dirs.len() > 200, "corpus not found: {} dirs", dirs.len());
    let settings = Settings::default();
    let mut got: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut messages = BTreeMap::new();
    for d in &dirs {
        let rel = d
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let req = Request {
            dir: d.clone(),
            ..Request::default()
        };
        let result = run(&req, &settings).expect("check");
        for f in &result.findings {
            if f.code.starts_with("LINT") {
                continue;
            }
            let key = (rel.clone(), f.code.to_string(), f.resource.clone());
            messages.insert(key.clone(), f.message.clone());
            got.insert(key);
        }
    }
    let want = pinned();
    let unexpected: Vec<String> = got
        .iter()
        .filter(|k| !want.contains_key(*k))
        .map(|(d, c, r)| {
            format!(
                "{c} {d} | {r} | {}",
                messages[&(d.clone(), c.clone(), r.clone())]
            )
        })
        .collect();
    let missing: Vec<String> = want
        .keys()
        .filter(|k| !got.contains(*k))
        .map(|(d, c, r)| format!("{c} {d} | {r}"))
        .collect();
    println!("{} findings over {} directories", got.len(), dirs.len());
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "new findings (real problem → pin it with the reason; else fix the rule):\n{}\n\npinned but no longer found:\n{}",
        unexpected.join("\n"),
        missing.join("\n")
    );
}
