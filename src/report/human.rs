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

/// A file's text for an excerpt, with every secret masked byte for byte (so offsets hold).
fn source_of(sources: &SourceMap, redact: &[Span], span: &Span) -> NamedSource<String> {
    let f = sources.get(span.file);
    let mut bytes = f.text.clone().into_bytes();
    for s in redact.iter().filter(|s| s.file == span.file) {
        for b in bytes.get_mut(s.start..s.end).into_iter().flatten() {
            if !matches!(*b, b'"' | b'\n') {
                *b = b'*';
            }
        }
    }
    let text = String::from_utf8(bytes).unwrap_or_default();
    NamedSource::new(f.display.clone(), text).with_language("hcl")
}

fn label(span: &Span, text: Option<String>) -> LabeledSpan {
    LabeledSpan::new(text, span.start, span.end.saturating_sub(span.start))
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
                .map(|s| source_of(&r.sources, &r.redact, s)),
            labels: e
                .location
                .as_ref()
                .and_then(Location::span)
                .map(|s| label(s, Some("here".into())))
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
            Some(Location::Source(s)) => {
                labels.push(label(s, Some(f.resource.clone()).filter(|r| !r.is_empty())))
            }
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
                labels.push(label(rel_span, Some(rel.message.clone())));
            } else {
                related.push(Diag {
                    message: rel.message.clone(),
                    code: None,
                    severity: miette::Severity::Advice,
                    help: None,
                    src: Some(source_of(&r.sources, &r.redact, rel_span)),
                    labels: vec![label(rel_span, None)],
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
            src: f.span().map(|s| source_of(&r.sources, &r.redact, s)),
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
