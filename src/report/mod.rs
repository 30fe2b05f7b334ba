//! Rendering a check's results. One file per format.
pub mod baseline;
pub mod changed;
pub mod fingerprint;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use crate::diag::{InputError, NotEvaluated};
use crate::rules::{Finding, Severity};
use crate::source::{SourceMap, Span};

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
    pub suppressed: Vec<crate::diag::Suppressed>,
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

/// `dir/path` with `..` taken out lexically (`app` + `../modules/db/main.tf` is
/// `modules/db/main.tf`), as paths are shown.
fn joined(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in dir.split('/').chain(path.split('/')) {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// "1 file", "2 files", "3 baseline entries".
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {word}s")
    }
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
    /// The drift findings by kind, for a summary ("1 unmanaged, 2 changed"); None without drift.
    pub fn drift_summary(&self) -> Option<String> {
        let drift: Vec<String> = self
            .drift_counts()
            .into_iter()
            .filter_map(|(kind, n)| {
                let n = n.as_u64().unwrap_or(0);
                (n > 0).then(|| format!("{n} {}", kind.replace('-', " ")))
            })
            .collect();
        (!drift.is_empty()).then(|| drift.join(", "))
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
    /// The one-line summary every format ends with: "3 errors, 1 warning in 12 files (40
    /// resources); 2 not evaluated".
    pub fn summary_line(&self) -> String {
        let counts: Vec<String> = [
            (Severity::Error, "error"),
            (Severity::Warning, "warning"),
            (Severity::Note, "note"),
        ]
        .into_iter()
        .filter_map(|(s, word)| {
            let n = self.count(s);
            (n > 0).then(|| count(n, word))
        })
        .collect();
        let found = if counts.is_empty() {
            "no findings".to_string()
        } else {
            counts.join(", ")
        };
        let docs = if self.documents.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = self.documents.iter().map(|d| d.name.as_str()).collect();
            format!(" and {}", names.join(", "))
        };
        let mut line = format!(
            "{found} in {}{docs} ({})",
            count(self.files(), "file"),
            count(self.resources, "resource")
        );
        let mut more = |s: String| {
            line.push_str("; ");
            line.push_str(&s);
        };
        if !self.errors.is_empty() {
            more(count(self.errors.len(), "input error"));
        }
        if !self.not_evaluated.is_empty() {
            more(format!("{} not evaluated", self.not_evaluated.len()));
        }
        if !self.suppressed.is_empty() {
            more(format!("{} suppressed", self.suppressed.len()));
        }
        if let Some(b) = self.baseline {
            more(format!(
                "{} baselined, {} no longer {}",
                b.baselined,
                count(b.unmatched, "baseline entry"),
                if b.unmatched == 1 { "matches" } else { "match" }
            ));
        }
        if let Some(n) = self.outside_changes.filter(|n| *n > 0) {
            more(format!(
                "{} outside the changed files not shown",
                count(n, "finding")
            ));
        }
        line
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

impl CheckResult {
    /// A result with nothing checked and these errors: what a check of a directory that does
    /// not exist, or has no Terraform files, reports in every format.
    pub fn failed(root: std::path::PathBuf, errors: Vec<InputError>) -> CheckResult {
        CheckResult {
            sources: SourceMap::default(),
            findings: vec![],
            errors,
            not_evaluated: vec![],
            resources: 0,
            fixed: 0,
            redact: vec![],
            documents: vec![],
            not_readable: vec![],
            suppressed: vec![],
            root,
            baseline: None,
            outside_changes: None,
            rules_run: vec![],
        }
    }

    /// Every place this result names, for renumbering and renaming files.
    fn each_place(&mut self, span: &mut dyn FnMut(&mut Span), state: &mut dyn FnMut(&mut String)) {
        use crate::source::Location;
        let mut loc = |l: &mut Location| match l {
            Location::Source(s) => span(s),
            Location::State { file, .. } => {
                let mut f = file.to_string();
                state(&mut f);
                *file = f.into();
            }
            Location::Live { .. } => {}
        };
        let finding = |f: &mut Finding, loc: &mut dyn FnMut(&mut Location)| {
            if let Some(l) = &mut f.location {
                loc(l);
            }
            for r in &mut f.related {
                loc(&mut r.location);
            }
        };
        for f in &mut self.findings {
            finding(f, &mut loc);
        }
        for s in &mut self.suppressed {
            finding(&mut s.finding, &mut loc);
        }
        for e in &mut self.errors {
            if let Some(l) = &mut e.location {
                loc(l);
            }
        }
        for n in &mut self.not_evaluated {
            if let Some(l) = &mut n.location {
                loc(l);
            }
        }
        for s in &mut self.suppressed {
            span(&mut s.at);
        }
        for s in &mut self.redact {
            span(s);
        }
        for s in self
            .findings
            .iter_mut()
            .chain(self.suppressed.iter_mut().map(|s| &mut s.finding))
            .flat_map(|f| f.redact.iter_mut())
        {
            span(s);
        }
        for e in self
            .findings
            .iter_mut()
            .flat_map(|f| f.edits.iter_mut().flatten())
        {
            let mut s = Span::new(e.file, e.start..e.end);
            span(&mut s);
            e.file = s.file;
        }
    }

    /// Prefixes every file name with `dir/`: a result of one of several directories, so two
    /// `main.tf` stay apart in a combined report.
    pub fn prefix_paths(&mut self, dir: &str) {
        let dir = dir.trim_end_matches('/');
        if dir.is_empty() || dir == "." {
            return;
        }
        let join = |f: &mut String| *f = joined(dir, f);
        let ids: Vec<_> = self.sources.files().map(|(i, _)| i).collect();
        for id in ids {
            let f = self.sources.get_mut(id);
            f.display = joined(dir, &f.display);
        }
        for d in &mut self.documents {
            join(&mut d.name);
        }
        self.each_place(&mut |_| {}, &mut |f| join(f));
    }

    /// Adds another directory's result to this one: one report for several directories.
    /// Only resolved edits (`edits`) are renumbered; a finding's unresolved `fix` keeps the
    /// other map's file numbers, so fixes are applied per directory before combining. The
    /// caller sorts once when everything is absorbed (`sort`).
    pub fn absorb(&mut self, mut other: CheckResult) {
        let offset = self.sources.files().count() as u32;
        other.each_place(&mut |s| s.file.0 += offset, &mut |_| {});
        for f in other.sources.into_files() {
            self.sources.add(f);
        }
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.not_evaluated.extend(other.not_evaluated);
        self.resources += other.resources;
        self.fixed += other.fixed;
        self.redact.extend(other.redact);
        self.documents.extend(other.documents);
        self.not_readable.extend(other.not_readable);
        self.suppressed.extend(other.suppressed);
        if let Some(n) = other.outside_changes {
            self.outside_changes = Some(self.outside_changes.unwrap_or(0) + n);
        }
        for r in other.rules_run {
            if !self.rules_run.iter().any(|(m, _)| m.code == r.0.code) {
                self.rules_run.push(r);
            }
        }
    }
}
