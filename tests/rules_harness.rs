//! For every registered rule: unique code and name, a doc page with the standard headings,
//! `fixtures/<name>/pass` yields nothing, `fail` yields findings exactly on `# expect:` lines.
mod common;
use common::*;
use infra_lint::rules::registry::RULES;
use std::collections::BTreeSet;

const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why it matters",
    "## Example",
    "## How to fix",
    "## Fix safety",
    "## Options",
    "## References",
];

#[test]
fn codes_and_names_are_unique_and_documented() {
    let mut seen = BTreeSet::new();
    for r in RULES {
        let m = r.meta();
        assert!(seen.insert(m.code), "duplicate code {}", m.code);
        assert!(seen.insert(m.name), "duplicate name {}", m.name);
        assert!(
            m.doc.starts_with(&format!("# {} {}", m.code, m.name)),
            "{} page title",
            m.code
        );
        for h in HEADINGS {
            assert!(m.doc.contains(h), "{} page lacks {h}", m.code);
        }
        let (code, out) = run(&["rule", m.code]);
        assert_eq!(code, 0);
        assert_eq!(out, m.doc);
    }
}

fn expected_lines(dir: &std::path::Path, name: &str) -> BTreeSet<(String, u64)> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            if line.contains(&format!("# expect: {name}")) {
                out.insert((
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    i as u64 + 1,
                ));
            }
        }
    }
    out
}

#[test]
fn fixtures_pass_and_fail_exactly() {
    for r in RULES {
        let m = r.meta();
        let base = root().join("fixtures").join(m.name);
        let (code, json) = check_json(&base.join("pass"), &[]);
        assert_eq!(code, 0, "{}: pass/ must be clean: {json}", m.name);
        let fail = base.join("fail");
        let (code, json) = check_json(&fail, &[]);
        assert_eq!(code, 1, "{}: fail/ must have findings", m.name);
        let got: BTreeSet<(String, u64)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == m.code)
            .map(|f| {
                (
                    f["location"]["file"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            expected_lines(&fail, m.name),
            "{}: findings vs # expect: markers",
            m.name
        );
    }
}
