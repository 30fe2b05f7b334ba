//! Terminal output: a source excerpt per finding (miette), then a summary.
use super::CheckResult;
use crate::diag::fix::Applicability;
use crate::rules::Severity;
use crate::source::{Location, SourceMap, Span};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;

#[derive(Debug)]
struct Diag {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    src: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Diag>,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

/// Every secret in a file replaced by a mask of one fixed width: the characters of the string
/// literals inside a secret's range (a heredoc's body), never its length, and never the code
/// around it (`value = var.db_password` stays readable; the tfvars line that sets it is masked).
struct Masked {
    text: String,
    /// (start, end) in the original text and the length of what replaced it, ordered.
    replaced: Vec<(usize, usize, usize)>,
}

const MASK: &str = "********";

impl Masked {
    fn new(sources: &SourceMap, redact: &[Span], file: crate::source::FileId) -> Masked {
        let text = &sources.get(file).text;
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for s in redact.iter().filter(|s| s.file == file) {
            ranges.extend(secret_ranges(
                text,
                s.start.min(text.len()),
                s.end.min(text.len()),
            ));
        }
        ranges.sort();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut replaced = Vec::new();
        for (a, b) in merged {
            out.push_str(&text[at..a]);
            out.push_str(MASK);
            replaced.push((a, b, MASK.len()));
            at = b;
        }
        out.push_str(&text[at..]);
        Masked {
            text: out,
            replaced,
        }
    }

    /// An original offset in the masked text (inside a mask: the mask's start).
    fn map(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for &(a, b, len) in &self.replaced {
            if offset >= b {
                shift += len as isize - (b - a) as isize;
            } else if offset > a {
                return (a as isize + shift) as usize;
            } else {
                break;
            }
        }
        (offset as isize + shift) as usize
    }
}

/// The ranges of secret text inside `start..end`: the contents of its string literals, the
/// body of a heredoc, or the whole range when it is a bare literal (a number). An expression
/// without literals (`var.db_password`) holds no secret text.
fn secret_ranges(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let Some(part) = text.get(start..end) else {
        return Vec::new();
    };
    let trimmed = part.trim_start();
    if trimmed.starts_with("<<") {
        let body = part.find('\n').map_or(end, |i| start + i + 1);
        let last = part.trim_end().rfind('\n').map_or(end, |i| start + i);
        return if body < last {
            vec![(body, last)]
        } else {
            Vec::new()
        };
    }
    let b = part.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let open = i + 1;
        let mut j = open;
        while j < b.len() && b[j] != b'"' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        let close = j.min(b.len());
        if close > open {
            let (a, z) = url_password(&part[open..close]).unwrap_or((0, close - open));
            out.push((start + open + a, start + open + z));
        }
        i = close + 1;
    }
    if out.is_empty()
        && !part.trim().is_empty()
        && part
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit() || ".-+eE".contains(c))
    {
        let lead = part.len() - part.trim_start().len();
        out.push((start + lead, start + lead + part.trim().len()));
    }
    out
}

/// In `scheme://user:password@host/…`, the password's range: the rest of a URL is no secret.
fn url_password(s: &str) -> Option<(usize, usize)> {
    let authority_at = s.find("://")? + 3;
    let authority = &s[authority_at..];
    let authority = &authority[..authority.find(['/', '?', '#']).unwrap_or(authority.len())];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    (colon + 1 < at).then_some((authority_at + colon + 1, authority_at + at))
}

/// A file's text for an excerpt, secrets masked.
fn source_of(m: &Masked, sources: &SourceMap, span: &Span) -> NamedSource<String> {
    NamedSource::new(sources.get(span.file).display.clone(), m.text.clone()).with_language("hcl")
}

fn label(m: &Masked, span: &Span, text: Option<String>) -> LabeledSpan {
    let (start, end) = (m.map(span.start), m.map(span.end));
    LabeledSpan::new(text, start, end.saturating_sub(start))
}

/// A place with no source excerpt (a state attribute, a live ARN), as its own line.
fn elsewhere(message: String) -> Diag {
    Diag {
        message,
        code: None,
        severity: miette::Severity::Advice,
        help: None,
        src: None,
        labels: vec![],
        related: vec![],
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// How the terminal output looks.
pub struct Options {
    pub width: usize,
    /// ANSI colours (only on a terminal, unless asked: see `check --color`).
    pub color: bool,
    /// Input errors and the summary only (`--quiet`).
    pub quiet: bool,
}

pub fn render(r: &CheckResult, o: &Options) -> String {
    let theme = if o.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(o.width)
        .with_links(false)
        .with_show_related_as_nested(true);
    // Each file masked once, however many excerpts show it.
    let cache: std::cell::RefCell<
        std::collections::HashMap<crate::source::FileId, std::rc::Rc<Masked>>,
    > = Default::default();
    let masked = |file: crate::source::FileId| -> std::rc::Rc<Masked> {
        cache
            .borrow_mut()
            .entry(file)
            .or_insert_with(|| std::rc::Rc::new(Masked::new(&r.sources, &r.redact, file)))
            .clone()
    };
    let mut out = String::new();
    let mut emit = |d: &Diag| {
        let _ = handler.render_report(&mut out, d);
        out.push('\n');
    };
    for e in &r.errors {
        let d = Diag {
            message: e.message.clone(),
            code: Some("input-error".into()),
            severity: miette::Severity::Error,
            help: None,
            src: e
                .location
                .as_ref()
                .and_then(Location::span)
                .map(|s| source_of(&masked(s.file), &r.sources, s)),
            labels: e
                .location
                .as_ref()
                .and_then(Location::span)
                .map(|s| label(&masked(s.file), s, Some("here".into())))
                .into_iter()
                .collect(),
            related: match &e.location {
                Some(l @ (Location::State { .. } | Location::Live { .. })) => {
                    vec![elsewhere(format!("in {}", l.describe(&r.sources)))]
                }
                _ => vec![],
            },
        };
        emit(&d);
    }
    for f in r.findings.iter().filter(|_| !o.quiet) {
        let mut labels = Vec::new();
        let mut related = Vec::new();
        match &f.location {
            Some(Location::Source(s)) => labels.push(label(
                &masked(s.file),
                s,
                Some(f.resource.clone()).filter(|r| !r.is_empty()),
            )),
            Some(l) => related.push(elsewhere(format!("at {}", l.describe(&r.sources)))),
            None => {}
        }
        for rel in &f.related {
            let Location::Source(rel_span) = &rel.location else {
                // No excerpt to show, but the place is still named.
                related.push(elsewhere(format!(
                    "{} ({})",
                    rel.message,
                    rel.location.describe(&r.sources)
                )));
                continue;
            };
            // A related place joins the main excerpt only when it is close by: miette shows
            // every line between labels, so a distant one gets its own excerpt.
            let near = f.span().is_some_and(|s| {
                s.file == rel_span.file
                    && r.sources
                        .locate(s)
                        .line
                        .abs_diff(r.sources.locate(rel_span).line)
                        <= 3
            });
            if near {
                labels.push(label(
                    &masked(rel_span.file),
                    rel_span,
                    Some(rel.message.clone()),
                ));
            } else {
                related.push(Diag {
                    message: rel.message.clone(),
                    code: None,
                    severity: miette::Severity::Advice,
                    help: None,
                    src: Some(source_of(&masked(rel_span.file), &r.sources, rel_span)),
                    labels: vec![label(&masked(rel_span.file), rel_span, None)],
                    related: vec![],
                });
            }
        }
        let d = Diag {
            message: f.message.clone(),
            code: Some(format!("{} {}", f.code, f.name)),
            severity: miette_severity(f.severity),
            help: Some(
                match f.fix.as_ref().filter(|_| f.edits.is_some()) {
                    Some(fx) if fx.applicability == Applicability::Safe => {
                        format!("{} (fix: --fix)", f.fix_title)
                    }
                    Some(fx) if fx.applicability == Applicability::Unsafe => {
                        format!("{} (fix: --fix --unsafe-fixes)", f.fix_title)
                    }
                    _ => f.fix_title.clone(),
                } + &format!("\n`infra-lint rule {}` explains it", f.code),
            ),
            src: f.span().map(|s| source_of(&masked(s.file), &r.sources, s)),
            labels,
            related,
        };
        emit(&d);
    }
    if !r.not_evaluated.is_empty() && !o.quiet {
        out.push_str("not evaluated:\n");
        for n in &r.not_evaluated {
            let at = n
                .location
                .as_ref()
                .map(|l| format!(" ({})", l.describe(&r.sources)))
                .unwrap_or_default();
            let code = n
                .code
                .as_deref()
                .map(|c| format!("{c} "))
                .unwrap_or_default();
            out.push_str(&format!("  - {code}{}: {}{at}\n", n.subject, n.reason));
        }
        out.push('\n');
    }
    if !r.not_readable.is_empty() && !o.quiet {
        out.push_str("not checked (the scan could not read):\n");
        for n in &r.not_readable {
            out.push_str(&format!("  - {n}\n"));
        }
        out.push('\n');
    }
    if r.fixed > 0 {
        out.push_str(&format!(
            "fixed: applied {} edit{}\n",
            r.fixed,
            plural(r.fixed)
        ));
    }
    let (safe, unsafe_) = (
        r.fixable(Applicability::Safe),
        r.fixable(Applicability::Unsafe),
    );
    if safe + unsafe_ > 0 {
        out.push_str(&format!(
            "{safe} fixable with --fix, {unsafe_} more with --fix --unsafe-fixes\n"
        ));
    }
    if let Some(drift) = r.drift_summary() {
        out.push_str(&format!("drift: {drift}\n"));
    }
    out.push_str(&r.summary_line());
    out.push('\n');
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str, secrets: &[&str]) -> Masked {
        let mut sources = SourceMap::default();
        let file = sources.add(crate::source::SourceFile::new(
            "main.tf".into(),
            "main.tf".into(),
            text.into(),
        ));
        let redact: Vec<Span> = secrets
            .iter()
            .map(|s| {
                let at = text.find(s).unwrap();
                Span::new(file, at..at + s.len())
            })
            .collect();
        Masked::new(&sources, &redact, file)
    }

    #[test]
    fn only_the_secret_characters_are_masked_to_a_fixed_width() {
        let text = "a = \"hunter2-long-password\"\nb = var.pw\nc = \"postgres://app:pw@db/app\"\nd = 1234\n";
        let m = masked(
            text,
            &[
                "\"hunter2-long-password\"",
                "var.pw",
                "\"postgres://app:pw@db/app\"",
                "1234",
            ],
        );
        assert_eq!(
            m.text,
            "a = \"********\"\nb = var.pw\nc = \"postgres://app:********@db/app\"\nd = ********\n"
        );
        // Offsets after a mask move with it; inside one they land on its start.
        let b = text.find("b =").unwrap();
        assert_eq!(&m.text[m.map(b)..m.map(b) + 3], "b =");
        assert_eq!(
            m.map(text.find("hunter2").unwrap() + 3),
            m.text.find('*').unwrap()
        );
    }

    #[test]
    fn a_heredoc_body_is_masked_its_markers_kept() {
        let text = "k = <<EOT\n-----BEGIN KEY-----\nabc\nEOT\nnext = 1\n";
        let m = masked(text, &["<<EOT\n-----BEGIN KEY-----\nabc\nEOT"]);
        assert_eq!(m.text, "k = <<EOT\n********\nEOT\nnext = 1\n");
    }
}
