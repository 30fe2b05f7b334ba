//! Rendering a check's results. One file per format.
pub mod fingerprint;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use crate::diag::{InputError, NotEvaluated};
use crate::rules::{Finding, Severity};
use crate::source::SourceMap;

/// Everything one `check` produced, ready to render.
pub struct CheckResult {
    pub sources: SourceMap,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub not_evaluated: Vec<NotEvaluated>,
    pub resources: usize,
    /// Edits `--fix` applied before this (final) check.
    pub fixed: usize,
    /// Secrets' source ranges (from every finding, suppressed ones included): masked in
    /// excerpts.
    pub redact: Vec<crate::source::Span>,
    /// The state and plan files read besides configuration, by name, with how many of their
    /// instances joined a configuration resource and how many are only there.
    pub documents: Vec<Document>,
    /// The calls a live scan could not make ("ec2:DescribeRouteTables: AccessDenied"): what
    /// needs them is listed under not evaluated, as not checked.
    pub not_readable: Vec<String>,
    /// Findings an `infra-lint:ignore` comment silenced (not counted, never failed on).
    pub suppressed: Vec<crate::suppress::Suppressed>,
    /// The repository root (git's top level above the checked directory, else that directory),
    /// absolute: SARIF and GitHub annotations name files relative to it.
    pub root: std::path::PathBuf,
    /// With `--baseline`: how many findings it held back, and how many of its entries matched
    /// nothing (fixed since, or changed).
    pub baseline: Option<BaselineStats>,
    /// With `--changed-since`: how many findings were left out as outside the changed files.
    pub outside_changes: Option<usize>,
    /// The rules that ran, in registry order, at their effective severity (JUnit's suites,
    /// SARIF's configuration overrides).
    pub rules_run: Vec<(&'static crate::rules::RuleMeta, Severity)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaselineStats {
    pub baselined: usize,
    pub unmatched: usize,
}

/// A state or plan file a check read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub name: String,
    pub joined: usize,
    pub added: usize,
}

impl CheckResult {
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
    /// Drift findings by kind (every kind, zero included, so the shape never changes).
    pub fn drift_counts(&self) -> serde_json::Map<String, serde_json::Value> {
        use crate::diag::DriftKind::*;
        [Unmanaged, Missing, Changed, OrphanedStack]
            .into_iter()
            .map(|k| {
                let n = self
                    .findings
                    .iter()
                    .filter(|f| f.drift.as_ref().map(|d| d.kind) == Some(k))
                    .count();
                (k.as_str().to_string(), serde_json::Value::from(n))
            })
            .collect()
    }
    /// Findings whose fix resolves to exact edits, by applicability.
    pub fn fixable(&self, a: crate::diag::fix::Applicability) -> usize {
        self.findings
            .iter()
            .filter(|f| f.edits.is_some() && f.fix.as_ref().map(|fx| fx.applicability) == Some(a))
            .count()
    }
    /// A file's path relative to the repository root, with `/` (SARIF `uri`, annotation
    /// `file=`): where GitHub shows it on the diff.
    pub fn uri(&self, file: crate::source::FileId) -> String {
        let f = self.sources.get(file);
        let abs = f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
        if abs.is_absolute() && abs.starts_with(&self.root) {
            crate::source::display_path(&self.root, &abs)
        } else {
            f.display.clone()
        }
    }
    /// Each finding's fingerprint (see `fingerprint`), in order.
    pub fn fingerprints(&self) -> Vec<String> {
        let files: Vec<Option<String>> = self
            .findings
            .iter()
            .map(|f| f.span().map(|s| self.uri(s.file)))
            .collect();
        fingerprint::all(self.findings.iter().zip(files.iter().map(|f| f.as_deref())))
    }
    pub fn files(&self) -> usize {
        self.sources.files().count()
    }
    /// Sorts findings by file, position and code so output is stable.
    pub fn sort(&mut self) {
        // Source positions first, in file order; then places in state and the account.
        let key = |f: &Finding| match &f.location {
            Some(crate::source::Location::Source(s)) => (0, s.file, s.start, None),
            Some(l) => (1, Default::default(), 0, Some(l.clone())),
            None => (2, Default::default(), 0, None),
        };
        self.findings.sort_by(|a, b| {
            key(a)
                .cmp(&key(b))
                .then(a.code.cmp(b.code))
                .then(a.resource.cmp(&b.resource))
        });
        self.findings.dedup();
    }
}
