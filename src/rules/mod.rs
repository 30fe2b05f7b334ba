//! The rule framework: metadata, the `Rule` trait, findings.
pub mod rds;
pub mod registry;

use crate::model::{Model, Resource};
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Whether a rule can offer an edit (STYLE.md §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// What a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Config,
    State,
    Live,
}

#[derive(Debug, serde::Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub fix: FixAvailability,
    pub inputs: &'static [Input],
    /// The rule's documentation page (rules/<name>.md).
    #[serde(skip)]
    pub doc: &'static str,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, model: &Model, out: &mut Sink);
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub message: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix_title: String,
    pub resource: String,
    pub span: Option<Span>,
    pub related: Vec<Related>,
}

/// A rule's output: findings and the cases it could not decide.
pub struct Sink {
    meta: &'static RuleMeta,
    pub findings: Vec<Finding>,
    pub not_evaluated: Vec<crate::diag::NotEvaluated>,
}

/// A rule violation as a typed value: the only place its wording lives (STYLE.md §3).
pub trait Violation {
    fn message(&self) -> String;
    fn fix_title(&self) -> String;
}

impl Sink {
    pub fn new(meta: &'static RuleMeta) -> Sink {
        Sink {
            meta,
            findings: Vec::new(),
            not_evaluated: Vec::new(),
        }
    }

    pub fn report(
        &mut self,
        r: &Resource,
        v: &dyn Violation,
        span: Option<Span>,
        related: Vec<Related>,
    ) {
        self.findings.push(Finding {
            code: self.meta.code,
            name: self.meta.name,
            severity: self.meta.severity,
            message: v.message(),
            fix_title: v.fix_title(),
            resource: r.address.clone(),
            span: span.or_else(|| r.span.clone()),
            related,
        });
    }

    pub fn not_evaluated(&mut self, r: &Resource, reason: String, span: Option<Span>) {
        self.not_evaluated.push(crate::diag::NotEvaluated {
            code: Some(self.meta.code.to_string()),
            subject: r.address.clone(),
            reason,
            span: span.or_else(|| r.span.clone()),
        });
    }
}

/// Runs every rule over the model.
pub fn run_all(model: &Model) -> (Vec<Finding>, Vec<crate::diag::NotEvaluated>) {
    let mut findings = Vec::new();
    let mut ne = Vec::new();
    for rule in registry::RULES {
        let mut sink = Sink::new(rule.meta());
        rule.check(model, &mut sink);
        findings.extend(sink.findings);
        ne.extend(sink.not_evaluated);
    }
    (findings, ne)
}
