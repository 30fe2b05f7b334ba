//! `--format markdown`: a summary for `$GITHUB_STEP_SUMMARY` or a pull request comment. Only
//! what the rules wrote (messages, fix titles) and where is shown, never source text, so a
//! secret a rule masked stays masked.
use super::github::{help, see};
use super::{count, CheckResult};
use crate::diag::fix::Applicability;
use crate::rules::Finding;
use crate::source::Location;
use std::fmt::Write;

/// Text for a table cell or a list item, read as written: Markdown's inline syntax is escaped
/// (an IAM action `s3:*` must not start emphasis), `|` would end the cell and a line break the
/// row.
fn text(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds `s` whatever it contains: a fence longer than any run of backticks
/// inside, and `\|` because GitHub splits table cells before it reads code spans.
fn code(s: &str) -> String {
    let s = s.replace("\r\n", " ").replace(['\r', '\n'], " ");
    if s.trim().is_empty() {
        return "—".into();
    }
    let s = s.replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn rule(code: &str) -> String {
    match crate::rules::registry::find(code) {
        Some(r) => {
            let m = r.meta();
            format!("[{code}]({}) {}", m.help_uri(), m.name)
        }
        None => text(code),
    }
}

/// `path:line` from the repository root for configuration; the state or live place otherwise.
fn location(r: &CheckResult, l: Option<&Location>) -> String {
    match l {
        Some(Location::Source(s)) => {
            code(&format!("{}:{}", r.uri(s.file), r.sources.locate(s).line))
        }
        Some(other) => code(&other.describe(&r.sources)),
        None => "—".into(),
    }
}

fn row(r: &CheckResult, f: &Finding) -> String {
    let mut message = text(&f.message);
    for rel in &f.related {
        let _ = write!(
            message,
            "<br>↳ {} ({})",
            text(&rel.message),
            location(r, Some(&rel.location))
        );
    }
    let fix = if f.fix_title.is_empty() {
        "—".into()
    } else {
        text(&help(f))
    };
    format!(
        "| {} | {} | {} | {} | {message} | {fix} |\n",
        f.severity.as_str(),
        rule(f.code),
        code(&f.resource),
        location(r, f.location.as_ref()),
    )
}

/// The one sentence under the heading: the summary every format ends with.
fn sentence(r: &CheckResult) -> String {
    let line = r.summary_line();
    let mut chars = line.chars();
    let capital: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{}.", text(&format!("{capital}{}", chars.as_str())))
}

pub fn render(r: &CheckResult) -> String {
    let mut out = String::from("## infra-lint\n\n");
    out.push_str(&sentence(r));
    out.push_str("\n\n");
    if r.fixed > 0 {
        let _ = writeln!(out, "`--fix` applied {}.\n", count(r.fixed, "edit"));
    }
    if !r.findings.is_empty() {
        out.push_str("| Severity | Rule | Resource | Location | Message | Fix |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for f in &r.findings {
            out.push_str(&row(r, f));
        }
        out.push('\n');
        let (safe, unsafe_) = (
            r.fixable(Applicability::Safe),
            r.fixable(Applicability::Unsafe),
        );
        match (safe, unsafe_) {
            (0, 0) => {}
            (0, u) => {
                let _ = writeln!(
                    out,
                    "{u} fixable with `infra-lint check --fix --unsafe-fixes`.\n"
                );
            }
            (s, 0) => {
                let _ = writeln!(out, "{s} fixable with `infra-lint check --fix`.\n");
            }
            (s, u) => {
                let _ = writeln!(
                    out,
                    "{s} fixable with `infra-lint check --fix`, {u} more with `--fix --unsafe-fixes`.\n"
                );
            }
        }
        if let Some(drift) = r.drift_summary() {
            let _ = writeln!(out, "Drift: {drift}.\n");
        }
    }
    if !r.errors.is_empty() {
        out.push_str("### Input errors\n\n");
        for e in &r.errors {
            let at = match &e.location {
                Some(Location::Source(s)) => {
                    let p = r.sources.locate(s);
                    format!(
                        "{} ",
                        code(&format!("{}:{}:{}", r.uri(s.file), p.line, p.column))
                    )
                }
                Some(l) => format!("{} ", code(&l.describe(&r.sources))),
                None => String::new(),
            };
            let _ = writeln!(out, "- {at}{}", text(&e.message));
        }
        out.push('\n');
    }
    if !r.not_evaluated.is_empty() {
        let _ = writeln!(
            out,
            "<details>\n<summary>{} not evaluated: neither passed nor failed</summary>\n",
            r.not_evaluated.len()
        );
        out.push_str("| Rule | Subject | Location | Reason |\n");
        out.push_str("| --- | --- | --- | --- |\n");
        for n in &r.not_evaluated {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                n.code.as_deref().map_or("—".into(), rule),
                code(&n.subject),
                location(r, n.location.as_ref()),
                text(&n.reason),
            );
        }
        out.push_str("\n</details>\n\n");
    }
    if !r.not_readable.is_empty() {
        let _ = writeln!(
            out,
            "<details>\n<summary>Not checked: {} the live scan could not read</summary>\n",
            count(r.not_readable.len(), "call")
        );
        for call in &r.not_readable {
            let _ = writeln!(out, "- {}", text(call));
        }
        out.push_str("\n</details>\n\n");
    }
    if !r.findings.is_empty() || r.not_evaluated.iter().any(|n| n.code.is_some()) {
        let _ = writeln!(
            out,
            "`{}` prints a rule's page: what it checks, why it matters and how to fix it.",
            see("CODE")
        );
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_a_cell_one_cell_and_one_row() {
        assert_eq!(text("a | b\nc"), "a \\| b<br>c");
        assert_eq!(text("s3:* and ec2:*"), "s3:\\* and ec2:\\*");
        assert_eq!(text("`x` <b>"), "\\`x\\` \\<b\\>");
    }

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("aws_db_instance.main"), "`aws_db_instance.main`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code(""), "—");
    }
}
