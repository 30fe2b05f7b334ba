//! The known-differences list (tests/differential/known.toml): disagreements whose cause is
//! understood and accepted (or waiting for a fix), each with its reason. A minimized
//! disagreement no entry matches fails the run.
use super::oracle::Answer;
use regex::Regex;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    known: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    reason: String,
    /// Searched for in the minimized expression.
    expr: String,
    /// Searched for in terraform's answer as reports show it (`ERROR: …`, `UNKNOWN`, JSON).
    terraform: Option<String>,
    infra_lint: Option<String>,
}

pub struct Entry {
    pub id: String,
    pub reason: String,
    expr: Regex,
    terraform: Option<Regex>,
    infra_lint: Option<Regex>,
}

impl Entry {
    pub fn matches(&self, expr: &str, terraform: &Answer, ours: &Answer) -> bool {
        self.expr.is_match(expr)
            && self
                .terraform
                .as_ref()
                .is_none_or(|r| r.is_match(&terraform.show()))
            && self
                .infra_lint
                .as_ref()
                .is_none_or(|r| r.is_match(&ours.show()))
    }
}

pub fn load(text: &str) -> Vec<Entry> {
    let file: File = toml::from_str(text).expect("tests/differential/known.toml is malformed");
    let re = |field: &str, s: &str, id: &str| {
        Regex::new(s).unwrap_or_else(|e| panic!("known.toml entry {id}: bad {field} regex: {e}"))
    };
    let entries: Vec<Entry> = file
        .known
        .into_iter()
        .map(|r| Entry {
            expr: re("expr", &r.expr, &r.id),
            terraform: r.terraform.as_deref().map(|s| re("terraform", s, &r.id)),
            infra_lint: r.infra_lint.as_deref().map(|s| re("infra_lint", s, &r.id)),
            id: r.id,
            reason: r.reason,
        })
        .collect();
    let mut ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "known.toml ids must be unique");
    assert!(
        entries.iter().all(|e| !e.reason.trim().is_empty()),
        "every known.toml entry needs a reason"
    );
    entries
}
