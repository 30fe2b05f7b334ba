//! `--format github`: GitHub Actions workflow commands, so a plain `run:` step annotates the
//! pull request's diff. One command per line:
//!
//! ```text
//! ::error file=main.tf,line=64,col=25,endLine=64,endColumn=29,title=RDS001 rds-publicly-accessible::<message>
//! ```
//!
//! GitHub shows at most 10 annotations of each level per step on the diff (50 per run in
//! all). Nothing is dropped here, but errors come first so the ones that fail the check are
//! the ones shown.
use super::CheckResult;
use crate::diag::fix::Applicability;
use crate::rules::{Finding, Severity};
use crate::source::Location;

/// Escapes a command's message as the Actions toolkit does (`escapeData` in `command.ts`):
/// the runner reads the command up to the end of the line, so line breaks must be encoded.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`escapeProperty` in `command.ts`): besides what `escape_data`
/// encodes, `,` separates properties and `:` could end them.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn of(s: Severity) -> Level {
        match s {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Note => Level::Notice,
        }
    }
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// A place as people read it, with configuration files named from the repository root (as
/// the diff names them) rather than from the checked directory.
pub(super) fn place(r: &CheckResult, l: &Location) -> String {
    match l {
        Location::Source(s) => {
            let p = r.sources.locate(s);
            format!("{}:{}:{}", r.uri(s.file), p.line, p.column)
        }
        other => other.describe(&r.sources),
    }
}

/// The help line, worded as the human report words it.
pub(super) fn help(f: &Finding) -> String {
    match f.fix.as_ref().filter(|_| f.edits.is_some()) {
        Some(fx) if fx.applicability == Applicability::Safe => {
            format!("{} (fix: --fix)", f.fix_title)
        }
        Some(fx) if fx.applicability == Applicability::Unsafe => {
            format!("{} (fix: --fix --unsafe-fixes)", f.fix_title)
        }
        _ => f.fix_title.clone(),
    }
}

/// Where a rule's page is: every finding points at it.
pub(super) fn see(code: &str) -> String {
    format!("infra-lint rule {code}")
}

/// The annotation properties of a place: a configuration span becomes `file` and its lines.
/// State and live places get none: a state file is seldom committed (it holds secrets) and a
/// live ARN has no file at all, so their place is written into the message instead.
fn position(r: &CheckResult, l: Option<&Location>) -> Vec<(&'static str, String)> {
    let Some(Location::Source(s)) = l else {
        return Vec::new();
    };
    let p = r.sources.locate(s);
    let mut props = vec![("file", r.uri(s.file)), ("line", p.line.to_string())];
    // GitHub accepts columns only on a one-line annotation.
    if p.end_line == p.line {
        props.push(("col", p.column.to_string()));
        props.push(("endLine", p.end_line.to_string()));
        props.push(("endColumn", p.end_column.to_string()));
    } else {
        props.push(("endLine", p.end_line.to_string()));
    }
    props
}

fn command(
    level: Level,
    mut props: Vec<(&'static str, String)>,
    title: &str,
    message: &str,
) -> String {
    props.push(("title", title.to_string()));
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!(
        "::{} {}::{}",
        level.command(),
        props.join(","),
        escape_data(message)
    )
}

/// The place line for a location the annotation cannot point at.
fn unpointed(r: &CheckResult, l: Option<&Location>) -> Option<String> {
    match l {
        Some(l @ (Location::State { .. } | Location::Live { .. })) => {
            Some(format!("at {}", place(r, l)))
        }
        _ => None,
    }
}

fn finding(r: &CheckResult, f: &Finding) -> String {
    let mut lines = vec![f.message.clone()];
    lines.extend(unpointed(r, f.location.as_ref()));
    if !f.resource.is_empty() && !lines.iter().any(|l| l.contains(&f.resource)) {
        lines.push(format!("resource: {}", f.resource));
    }
    related_help_see(r, f, &mut lines);
    command(
        Level::of(f.severity),
        position(r, f.location.as_ref()),
        &format!("{} {}", f.code, f.name),
        &lines.join("\n"),
    )
}

pub fn render(r: &CheckResult) -> String {
    let mut annotations: Vec<(Level, String)> = Vec::new();
    for e in &r.errors {
        let mut lines = vec![e.message.clone()];
        lines.extend(unpointed(r, e.location.as_ref()));
        annotations.push((
            Level::Error,
            command(
                Level::Error,
                position(r, e.location.as_ref()),
                "infra-lint: input error",
                &lines.join("\n"),
            ),
        ));
    }
    for f in &r.findings {
        annotations.push((Level::of(f.severity), finding(r, f)));
    }
    for n in &r.not_evaluated {
        let subject = match &n.code {
            Some(c) => format!("{c} {}", n.subject),
            None => n.subject.clone(),
        };
        let mut lines = vec![format!("{subject}: {}", n.reason)];
        lines.extend(unpointed(r, n.location.as_ref()));
        if let Some(c) = &n.code {
            lines.push(format!("see: {}", see(c)));
        }
        annotations.push((
            Level::Notice,
            command(
                Level::Notice,
                position(r, n.location.as_ref()),
                "not evaluated",
                &lines.join("\n"),
            ),
        ));
    }
    for call in &r.not_readable {
        annotations.push((
            Level::Notice,
            command(
                Level::Notice,
                Vec::new(),
                "not checked",
                &format!(
                    "the live scan could not read {call}: the rules that need it are not evaluated"
                ),
            ),
        ));
    }
    // Stable: within a level, input errors, then findings in report order, then the rest.
    annotations.sort_by_key(|(level, _)| *level);
    let mut out = String::new();
    for (_, line) in annotations {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&summary(r));
    out.push('\n');
    out
}

/// The closing line: the summary every format ends with, as plain log text (not a command).
fn summary(r: &CheckResult) -> String {
    format!("infra-lint: {}", r.summary_line())
}

/// A finding's related places, its help and its page, one line each (annotations, JUnit).
pub(super) fn related_help_see(r: &CheckResult, f: &Finding, lines: &mut Vec<String>) {
    for rel in &f.related {
        lines.push(format!(
            "related: {} ({})",
            rel.message,
            place(r, &rel.location)
        ));
    }
    if !f.fix_title.is_empty() {
        lines.push(format!("help: {}", help(f)));
    }
    lines.push(format!("see: {}", see(f.code)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        let s = "100% sure: a,b\r\nnext";
        assert_eq!(escape_data(s), "100%25 sure: a,b%0D%0Anext");
        assert_eq!(escape_property(s), "100%25 sure%3A a%2Cb%0D%0Anext");
        // `%` first, or the `%` of an escape would be escaped again.
        assert_eq!(escape_data("%0A\n"), "%250A%0A");
        assert_eq!(escape_property("%3A:"), "%253A%3A");
    }
}
