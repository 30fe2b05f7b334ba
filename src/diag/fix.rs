//! Fixes as values (STYLE.md §7): what a rule proposes, resolved into byte-range edits of the
//! original files, applied without touching anything else.
use crate::model::Origin;
use crate::source::{FileId, SourceMap, Span};
use std::collections::BTreeMap;

/// Whether `--fix` may apply a fix on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the configuration's intent; `--fix` applies it.
    Safe,
    /// Changes behaviour in a way the user should review; needs `--unsafe-fixes`.
    Unsafe,
    /// Shown, never applied (commands to run, choices only the user can make).
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// One change a rule asks for, in terms of the model. Resolution turns it into text edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace the text of `span`.
    Replace { span: Span, text: String },
    /// Give an attribute a new value where that value was written: its own literal, or, when the
    /// attribute is a bare `var.x`/`local.x` (possibly through module arguments), the literal
    /// that set it (a tfvars line, a variable default, a module call argument).
    SetValue { origin: Origin, text: String },
    /// Add `name = text` to a block, before its closing brace, indented like its body.
    InsertAttribute {
        block: Span,
        name: String,
        text: String,
    },
    /// Insert `text` right after `span` (e.g. a new block after a resource).
    InsertAfter { span: Span, text: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            edits,
        }
    }
    pub fn unsafe_(edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Unsafe,
            edits,
        }
    }
    /// A fix the help line describes (a command to run), with no edit to make.
    pub fn display_only() -> Fix {
        Fix {
            applicability: Applicability::DisplayOnly,
            edits: Vec::new(),
        }
    }
}

/// A byte-range edit of an original file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextEdit {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Resolves every finding's fix once, for `--fix`, `--diff` and the reports.
pub fn resolve_fixes(sources: &SourceMap, findings: &mut [crate::diag::Finding]) {
    for f in findings {
        f.edits = f.fix.as_ref().and_then(|fx| resolve(sources, fx));
    }
}

/// Resolves a fix into text edits of the original files; None when some edit has no exact
/// place (the value comes from an expression, a file infra-lint did not read…).
pub fn resolve(sources: &SourceMap, fix: &Fix) -> Option<Vec<TextEdit>> {
    let mut out = Vec::new();
    for e in &fix.edits {
        let te = resolve_one(sources, e)?;
        if !editable(&sources.get(te.file).display) {
            return None;
        }
        out.push(te);
    }
    out.sort();
    Some(out)
}

/// Edits stay inside the checked configuration: a module shared from outside it (`../`) has
/// other callers, and a downloaded module (`.terraform/modules`) is overwritten by `init`.
fn editable(display: &str) -> bool {
    !display.starts_with("../") && !display.split('/').any(|p| p == ".terraform")
}

fn resolve_one(sources: &SourceMap, e: &Edit) -> Option<TextEdit> {
    match e {
        Edit::Replace { span, text } => {
            let (start, end) = (span.start, span.end);
            Some(TextEdit {
                file: span.file,
                start,
                end,
                text: text.clone(),
            })
        }
        Edit::SetValue { origin, text } => {
            let span = value_site(sources, origin)?;
            let (start, end) = (span.start, span.end);
            Some(TextEdit {
                file: span.file,
                start,
                end,
                text: text.clone(),
            })
        }
        Edit::InsertAttribute { block, name, text } => {
            let f = sources.get(block.file);
            let (start, end) = (block.start, block.end);
            let body = f.text.get(start..end)?;
            let close = start + body.rfind('}')?;
            let open = start + body.find('{')?;
            let indent = body_indent(&f.text[open + 1..close]).unwrap_or_else(|| {
                let line_start = f.text[..start].rfind('\n').map_or(0, |i| i + 1);
                let lead: String = f.text[line_start..start]
                    .chars()
                    .take_while(|c| c.is_whitespace())
                    .collect();
                format!("{lead}  ")
            });
            // The new line goes on its own after a blank line: `terraform fmt` aligns the `=`
            // of adjacent attributes, and a separate group keeps the neighbours untouched.
            let line_start = f.text[..close].rfind('\n').map_or(0, |i| i + 1);
            let (at, text) = if f.text[line_start..close].trim().is_empty() && line_start > open {
                let before = f.text[open + 1..line_start].replace('\r', "");
                let before = before.trim_end_matches([' ', '\t']);
                let blank = if before.trim().is_empty() || before.ends_with("\n\n") {
                    ""
                } else {
                    "\n"
                };
                (line_start, format!("{blank}{indent}{name} = {text}\n"))
            } else {
                (close, format!("\n{indent}{name} = {text}\n"))
            };
            Some(TextEdit {
                file: block.file,
                start: at,
                end: at,
                text,
            })
        }
        Edit::InsertAfter { span, text } => {
            let (_, end) = (span.start, span.end);
            Some(TextEdit {
                file: span.file,
                start: end,
                end,
                text: text.clone(),
            })
        }
    }
}

/// The indentation of the first non-blank line of a block body.
fn body_indent(body: &str) -> Option<String> {
    body.lines()
        .skip(1)
        .find(|l| !l.trim().is_empty())
        .map(|l| l.chars().take_while(|c| c.is_whitespace()).collect())
}

/// Where the value of an attribute is written as a literal: the attribute itself, or through
/// a chain of bare `var.x`/`local.x` references the literal at its end. None when an
/// expression computes the value (then no single edit is right).
pub fn value_site(sources: &SourceMap, origin: &Origin) -> Option<Span> {
    let text = |s: &Span| {
        let (a, b) = (s.start, s.end);
        sources
            .get(s.file)
            .text
            .get(a..b)
            .map(str::trim)
            .map(String::from)
    };
    // A value that only a state (or the account) holds has no text to edit.
    let mut current = origin.location.span()?.clone();
    let mut vias = origin.via.iter();
    loop {
        let t = text(&current)?;
        if is_literal(&t) {
            return Some(current);
        }
        if !is_bare_reference(&t) {
            return None;
        }
        current = vias.next()?.location.span()?.clone();
    }
}

fn is_literal(t: &str) -> bool {
    if matches!(t, "true" | "false" | "null") || t.parse::<f64>().is_ok() {
        return true;
    }
    t.len() >= 2
        && t.starts_with('"')
        && t.ends_with('"')
        && !t.contains("${")
        && !t.contains("%{")
        && !t[1..t.len() - 1].contains('"')
}

fn is_bare_reference(t: &str) -> bool {
    let Some((root, name)) = t.split_once('.') else {
        return false;
    };
    matches!(root, "var" | "local")
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Applies edits to the original texts, per file. Overlapping edits keep the first and drop
/// the rest (they are retried on the next pass). Returns new texts and how many edits applied.
pub fn apply(sources: &SourceMap, edits: &[TextEdit]) -> (BTreeMap<FileId, String>, usize) {
    let mut by_file: BTreeMap<FileId, Vec<&TextEdit>> = BTreeMap::new();
    for e in edits {
        by_file.entry(e.file).or_default().push(e);
    }
    let mut out = BTreeMap::new();
    let mut applied = 0;
    for (file, mut es) in by_file {
        es.sort();
        es.dedup();
        let text = &sources.get(file).text;
        // Inserted lines take the file's line endings, or the file ends up with mixed ones.
        let crlf = text.contains("\r\n");
        let mut new = String::with_capacity(text.len());
        let mut pos = 0;
        for e in es {
            if e.start < pos || e.end > text.len() || e.start > e.end {
                continue;
            }
            new.push_str(&text[pos..e.start]);
            if crlf {
                new.push_str(&e.text.replace("\r\n", "\n").replace('\n', "\r\n"));
            } else {
                new.push_str(&e.text);
            }
            pos = e.end;
            applied += 1;
        }
        new.push_str(&text[pos..]);
        out.insert(file, new);
    }
    (out, applied)
}

/// A unified diff of one file, paths as shown to users.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Via;
    use crate::source::SourceFile;
    use std::path::PathBuf;

    fn map(files: &[(&str, &str)]) -> SourceMap {
        let mut m = SourceMap::default();
        for (name, text) in files {
            m.add(SourceFile::new(
                name.to_string(),
                PathBuf::from(name),
                text.to_string(),
            ));
        }
        m
    }

    fn span_of(m: &SourceMap, file: u32, needle: &str) -> Span {
        let text = &m.get(FileId(file)).text;
        let at = text.find(needle).unwrap();
        Span::new(FileId(file), at..at + needle.len())
    }

    #[test]
    fn set_value_follows_bare_variables_to_the_literal() {
        let m = map(&[
            ("main.tf", "resource \"a\" \"b\" {\n  x = var.flag\n}\n"),
            ("terraform.tfvars", "flag = true\n"),
        ]);
        let origin = Origin {
            location: span_of(&m, 0, "var.flag").into(),
            via: vec![Via {
                location: span_of(&m, 1, "true").into(),
                label: String::new(),
                supplies: false,
            }],
            constant: true,
        };
        let fix = Fix::safe(vec![Edit::SetValue {
            origin,
            text: "false".into(),
        }]);
        let edits = resolve(&m, &fix).unwrap();
        let (new, n) = apply(&m, &edits);
        assert_eq!(n, 1);
        assert_eq!(new[&FileId(1)], "flag = false\n");
    }

    #[test]
    fn edits_outside_the_configuration_are_refused() {
        let m = map(&[("../shared/variables.tf", "default = true\n")]);
        let fix = Fix::safe(vec![Edit::Replace {
            span: span_of(&m, 0, "true"),
            text: "false".into(),
        }]);
        assert_eq!(resolve(&m, &fix), None);
        assert!(!editable(".terraform/modules/db/main.tf"));
        assert!(editable("modules/db/main.tf"));
    }

    #[test]
    fn set_value_refuses_computed_expressions() {
        let m = map(&[("main.tf", "x = var.a && var.b\n")]);
        let origin = Origin {
            location: span_of(&m, 0, "var.a && var.b").into(),
            via: vec![],
            constant: true,
        };
        assert_eq!(value_site(&m, &origin), None);
    }

    #[test]
    fn insert_attribute_matches_body_indentation() {
        let src = "resource \"aws_db_instance\" \"db\" {\n    engine = \"postgres\"\n}\n";
        let m = map(&[("main.tf", src)]);
        let block = Span::new(FileId(0), 0..src.trim_end().len());
        let fix = Fix::safe(vec![Edit::InsertAttribute {
            block,
            name: "storage_encrypted".into(),
            text: "true".into(),
        }]);
        let (new, _) = apply(&m, &resolve(&m, &fix).unwrap());
        assert_eq!(
            new[&FileId(0)],
            "resource \"aws_db_instance\" \"db\" {\n    engine = \"postgres\"\n\n    storage_encrypted = true\n}\n"
        );
    }

    #[test]
    fn inserted_lines_keep_crlf_line_endings() {
        let src = "resource \"a\" \"b\" {\r\n  x = 1\r\n\r\n}\r\n";
        let m = map(&[("main.tf", src)]);
        let block = Span::new(FileId(0), 0..src.trim_end().len());
        let fix = Fix::safe(vec![Edit::InsertAttribute {
            block,
            name: "y".into(),
            text: "2".into(),
        }]);
        let (new, _) = apply(&m, &resolve(&m, &fix).unwrap());
        assert_eq!(
            new[&FileId(0)],
            "resource \"a\" \"b\" {\r\n  x = 1\r\n\r\n  y = 2\r\n}\r\n"
        );
    }

    #[test]
    fn overlapping_edits_apply_once() {
        let m = map(&[("f", "abcdef")]);
        let e = |s, t: &str| TextEdit {
            file: FileId(0),
            start: s,
            end: s + 2,
            text: t.into(),
        };
        let (new, n) = apply(&m, &[e(1, "X"), e(2, "Y")]);
        assert_eq!((new[&FileId(0)].as_str(), n), ("aXdef", 1));
    }
}
