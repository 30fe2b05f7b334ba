//! The literal text of strings and templates as HCL reads it, applied to hcl-edit's tree right
//! after parsing (the source text is needed, and evaluation no longer has it).
//!
//! hcl-edit differs from HCL in three ways this pass corrects:
//! - it accepts JSON's `\b`, `\f` and `\/` escapes and raw newlines in quoted strings, which
//!   Terraform rejects;
//! - inside `%{if}`/`%{for}` bodies of a quoted string it reads the text as a heredoc would,
//!   leaving `\n` and `\"` undecoded;
//! - strip markers (`~`) and `<<-` indentation are HCL operations on *tokens*: its scanner cuts
//!   heredoc and template-file text after every newline, so `%{ if c ~}` strips the rest of its
//!   own line only, and the indentation to remove is counted over the lines as they stand after
//!   stripping. A quoted string is one token between markers, so there the whitespace goes
//!   across escaped newlines.
//!
//! Every literal is rebuilt from its source span and the strip markers are cleared, so the
//! evaluator renders literals as they are.
use hcl_edit::expr::{Expression, ObjectKey, ObjectValue};
use hcl_edit::structure::Body;
use hcl_edit::template::{Directive, Element, HeredocTemplate, StringTemplate, Strip, Template};
use hcl_edit::visit_mut::{self, VisitMut};
use hcl_edit::{Decorated, Span, Spanned};
use unicode_segmentation::UnicodeSegmentation;

/// Where a literal stands in the source, and what Terraform says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiteralError {
    pub offset: usize,
    pub message: String,
}

/// Normalizes every string and template in a parsed file or expression; `text` is what was
/// parsed (spans index into it).
pub fn normalize_body(body: &mut Body, text: &str) -> Result<(), LiteralError> {
    let mut v = Normalizer::new(text);
    v.visit_body_mut(body);
    v.result()
}

pub fn normalize_expr(expr: &mut Expression, text: &str) -> Result<(), LiteralError> {
    let mut v = Normalizer::new(text);
    v.visit_expr_mut(expr);
    v.result()
}

/// A template file (`templatefile`), or a `.tf.json` string (JSON decoded its escapes): cut
/// per line like a heredoc, no escapes but `$${`/`%%{`.
pub fn normalize_template(t: &mut Template, text: &str) -> Result<(), LiteralError> {
    let mut v = Normalizer::new(text);
    v.template(t, Kind::Lines { flush: false });
    visit_mut::visit_template_mut(&mut v, t);
    v.result()
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A quoted string: escapes, one token between markers.
    Quoted,
    /// A heredoc or template file: a token per line; `flush` for `<<-`.
    Lines { flush: bool },
}

struct Normalizer<'s> {
    text: &'s str,
    error: Option<LiteralError>,
}

impl<'s> Normalizer<'s> {
    fn new(text: &'s str) -> Self {
        Normalizer { text, error: None }
    }

    fn result(self) -> Result<(), LiteralError> {
        self.error.map_or(Ok(()), Err)
    }

    fn fail(&mut self, offset: usize, message: String) {
        if self.error.is_none() {
            self.error = Some(LiteralError { offset, message });
        }
    }

    /// The source text of a span, if it is one of `text`'s.
    fn raw(&self, span: Option<std::ops::Range<usize>>) -> Option<(usize, &'s str)> {
        let r = span?;
        self.text.get(r.clone()).map(|s| (r.start, s))
    }

    /// A quoted string without markers: only checked, hcl-edit decoded it.
    fn check_quoted(&mut self, s: &Decorated<String>) {
        let Some((start, raw)) = self.raw(s.span()) else {
            return;
        };
        let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
            return;
        };
        if let Err(e) = decode_quoted(inner, start + 1) {
            self.fail(e.offset, e.message);
        }
    }

    fn template(&mut self, t: &mut Template, kind: Kind) {
        let mut pieces = Vec::new();
        flatten(t, &mut pieces);
        // Each literal's tokens, decoded from the source.
        let mut toks: Vec<Vec<String>> = Vec::new();
        for p in &pieces {
            let Piece::Lit(lit) = p else {
                toks.push(Vec::new());
                continue;
            };
            let value = match self.raw(lit.span()) {
                Some((start, raw)) => match kind {
                    Kind::Quoted => match decode_quoted(raw, start) {
                        Ok(v) => v,
                        Err(e) => {
                            self.fail(e.offset, e.message);
                            return;
                        }
                    },
                    Kind::Lines { .. } => unescape_markers(raw),
                },
                // Not from this text (built by hand): already decoded.
                None => lit.value().to_string(),
            };
            toks.push(match kind {
                Kind::Quoted => vec![value],
                Kind::Lines { .. } => value.split_inclusive('\n').map(String::from).collect(),
            });
        }
        // Strip markers, per HCL's parseTemplateParts: `~` at the start of a tag trims the
        // end of the token just before it, at its end the start of the token just after it.
        for i in 0..pieces.len() {
            let Piece::Tag(strip) = pieces[i] else {
                continue;
            };
            if strip.strip_start() && i > 0 {
                if let Some(last) = toks[i - 1].last_mut() {
                    let keep = last.trim_end().len();
                    last.truncate(keep);
                }
            }
            if strip.strip_end() && i + 1 < pieces.len() {
                if let Some(first) = toks[i + 1].first_mut() {
                    *first = first.trim_start().to_string();
                }
            }
        }
        if kind == (Kind::Lines { flush: true }) {
            flush_heredoc(&pieces, &mut toks);
        }
        for (p, t) in pieces.iter_mut().zip(toks) {
            if let Piece::Lit(lit) = p {
                *lit.as_mut() = t.concat();
            }
        }
    }
}

impl VisitMut for Normalizer<'_> {
    fn visit_string_mut(&mut self, node: &mut Decorated<String>) {
        self.check_quoted(node);
    }

    fn visit_string_template_mut(&mut self, node: &mut StringTemplate) {
        self.template(node, Kind::Quoted);
        visit_mut::visit_string_template_mut(self, node);
    }

    fn visit_heredoc_template_mut(&mut self, node: &mut HeredocTemplate) {
        let flush = match self.raw(node.span()) {
            Some((_, raw)) => raw.starts_with("<<-"),
            None => node.indent().is_some(),
        };
        self.template(&mut node.template, Kind::Lines { flush });
        visit_mut::visit_heredoc_template_mut(self, node);
    }

    fn visit_object_item_mut(
        &mut self,
        key: hcl_edit::expr::ObjectKeyMut,
        value: &mut ObjectValue,
    ) {
        // Keys cannot be changed through the visitor; a quoted key is still checked.
        if let ObjectKey::Expression(Expression::String(s)) = key.get() {
            self.check_quoted(s);
        }
        visit_mut::visit_object_value_mut(self, value);
    }
}

/// A template flattened in source order, as HCL's parser sees its tokens.
enum Piece<'t> {
    Lit(&'t mut Spanned<String>),
    /// `${…}`, `%{if}`, `%{else}`, `%{endif}`, `%{for}`, `%{endfor}`: its strip markers.
    Tag(Strip),
}

fn flatten<'t>(t: &'t mut Template, out: &mut Vec<Piece<'t>>) {
    for el in t.iter_mut() {
        match el {
            Element::Literal(l) => out.push(Piece::Lit(l)),
            Element::Interpolation(i) => out.push(Piece::Tag(std::mem::take(&mut i.strip))),
            Element::Directive(d) => match d.as_mut() {
                Directive::If(x) => {
                    out.push(Piece::Tag(std::mem::take(&mut x.if_expr.strip)));
                    flatten(&mut x.if_expr.template, out);
                    if let Some(e) = &mut x.else_expr {
                        out.push(Piece::Tag(std::mem::take(&mut e.strip)));
                        flatten(&mut e.template, out);
                    }
                    out.push(Piece::Tag(std::mem::take(&mut x.endif_expr.strip)));
                }
                Directive::For(x) => {
                    out.push(Piece::Tag(std::mem::take(&mut x.for_expr.strip)));
                    flatten(&mut x.for_expr.template, out);
                    out.push(Piece::Tag(std::mem::take(&mut x.endfor_expr.strip)));
                }
            },
        }
    }
}

/// HCL's `flushHeredocTemplateParts`: the fewest leading spaces (in grapheme clusters) of any
/// line, counted on the first token of each line; a tag first on a line counts as none, a
/// blank line not at all. Lines here are tokens as they stand after stripping, so a line whose
/// newline a `~` removed joins the next one.
fn flush_heredoc(pieces: &[Piece], toks: &mut [Vec<String>]) {
    let mut min = usize::MAX;
    let mut newline = true;
    let mut adjust: Vec<(usize, usize)> = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        let lits: Vec<usize> = match p {
            Piece::Lit(_) => (0..toks[i].len()).collect(),
            Piece::Tag(_) => {
                if newline {
                    newline = false;
                    min = 0;
                }
                continue;
            }
        };
        for j in lits {
            let tok = &toks[i][j];
            if newline {
                newline = false;
                let trimmed = tok.trim_start();
                let spaces = if trimmed.is_empty() && tok.ends_with('\n') {
                    usize::MAX
                } else {
                    adjust.push((i, j));
                    tok[..tok.len() - trimmed.len()].graphemes(true).count()
                };
                min = min.min(spaces);
            }
            if tok.ends_with('\n') {
                newline = true;
            }
        }
    }
    for (i, j) in adjust {
        let tok = &mut toks[i][j];
        let cut: usize = tok.graphemes(true).take(min).map(str::len).sum();
        tok.drain(..cut);
    }
}

/// `$${` and `%%{` are the only escapes outside quoted strings.
fn unescape_markers(raw: &str) -> String {
    raw.replace("$${", "${").replace("%%{", "%{")
}

/// HCL's quoted-string decoding: `\n \r \t \" \\ \uNNNN \UNNNNNNNN`, `$${`, `%%{`; anything
/// else after a backslash, and a raw newline, is an error. `at` is `raw`'s offset.
fn decode_quoted(raw: &str, at: usize) -> Result<String, LiteralError> {
    let err = |i: usize, message: String| LiteralError {
        offset: at + i,
        message,
    };
    let mut out = String::with_capacity(raw.len());
    let mut it = raw.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '\n' | '\r' => {
                return Err(err(
                    i,
                    "Invalid multi-line string: Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.".into(),
                ))
            }
            '"' => return Err(err(i, "Unterminated template string: a quote ends the string inside a template directive.".into())),
            '\\' => {
                let Some((_, sel)) = it.next() else {
                    return Err(err(i, "Invalid escape sequence: a backslash ends the string.".into()));
                };
                match sel {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' | 'U' => {
                        let n = if sel == 'u' { 4 } else { 8 };
                        let hex: String = it.clone().take(n).map(|(_, c)| c).collect();
                        let ch = (hex.len() == n && hex.chars().all(|c| c.is_ascii_hexdigit()))
                            .then(|| u32::from_str_radix(&hex, 16).ok())
                            .flatten()
                            .and_then(char::from_u32)
                            .ok_or_else(|| {
                                err(i, format!("Invalid escape sequence: The \\{sel} escape must be followed by {n} hexadecimal digits naming a Unicode character."))
                            })?;
                        for _ in 0..n {
                            it.next();
                        }
                        out.push(ch);
                    }
                    s => {
                        return Err(err(
                            i,
                            format!("Invalid escape sequence: The symbol {:?} is not a valid escape sequence selector.", s.to_string()),
                        ))
                    }
                }
            }
            '$' | '%' if raw[i + 1..].starts_with(&format!("{c}{{")) => {
                it.next();
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(src: &str) -> Result<Expression, LiteralError> {
        let mut e = hcl_edit::parser::parse_expr(src).expect("parses");
        normalize_expr(&mut e, src).map(|_| e)
    }

    #[test]
    fn invalid_escapes_are_rejected_with_their_offset() {
        // hcl-edit itself rejects `\q`; these three it reads as JSON would.
        for (src, at) in [(r#""\f""#, 1), (r#""ab\b""#, 3), (r#""x${1}\/""#, 6)] {
            assert_eq!(expr(src).unwrap_err().offset, at, "{src}");
        }
        assert!(expr(r#"{ "k\f" = 1 }"#).is_err());
        assert!(
            expr("\"a\nb\"").is_err(),
            "a raw newline in a quoted string"
        );
        assert!(
            expr("\"a${\n1}b\"").is_ok(),
            "a newline inside an interpolation"
        );
        assert!(expr(r#""a\n\t\"\\\u00e9\U0001F600$${x}""#).is_ok());
    }

    #[test]
    fn directive_bodies_of_quoted_strings_are_decoded() {
        let e = expr(r#""%{ if true }a\n\"b\"%{ endif }""#).unwrap();
        let Expression::StringTemplate(t) = e else {
            panic!("a template")
        };
        let Element::Directive(d) = &t.iter().next().unwrap() else {
            panic!("a directive")
        };
        let Directive::If(x) = d.as_ref() else {
            panic!("an if")
        };
        let lit = x.if_expr.template.iter().next().unwrap();
        assert!(matches!(lit, Element::Literal(l) if l.value() == "a\n\"b\""));
    }

    /// Heredocs with strip markers and `<<-`, and what Terraform 1.11 made of each (a `locals`
    /// block read back with `terraform console`): heredocs cannot be rows of the one-line table.
    #[test]
    fn heredocs_strip_and_flush_per_line_as_terraform_does() {
        let cases = [
            (
                r#"<<EOT
a
  %{~ if true ~}
  b
  %{~ endif ~}
  c
EOT"#,
                "a\n  b\n  c\n",
            ),
            (
                r#"<<-EOT
    a
    %{ for x in [1,2] ~}
      ${x}
    %{ endfor ~}
    end
  EOT"#,
                "a\n      1\n      2\n    end\n",
            ),
            (
                r#"<<-EOT
    a
      b

    c
  EOT"#,
                "a\n  b\n\nc\n",
            ),
            (
                r#"<<-EOT
    %{ if true }
    x
    %{ endif }
  EOT"#,
                "\nx\n\n",
            ),
            (
                r#"<<-EOT
      a ${~ "b" ~}
      c
    d
  EOT"#,
                "  ab      c\nd\n",
            ),
            (
                r#"<<-EOT
    first
%{ if true ~}
    second
%{~ endif }
  EOT"#,
                "    first\n    second\n",
            ),
            (
                r#"<<EOT
x

%{~ if true }y%{ endif ~}

z
EOT"#,
                "x\ny\nz\n",
            ),
            (
                r#"<<-EOT
	tab
	  tabspace
	EOT"#,
                "tab\n  tabspace\n",
            ),
            (
                r#"<<-EOT
    ${"a"}
      b
  EOT"#,
                "a\n  b\n",
            ),
            (
                r#"<<-EOT
    p $${q} %%{r} $ %
      s
  EOT"#,
                "p ${q} %{r} $ %\n  s\n",
            ),
            ("<<-EOT\n  EOT", ""),
            ("<<EOT\n  ${~ \"a\" ~}  \n  b\nEOT", "a  b\n"),
        ];
        for (src, want) in cases {
            let got = crate::hcl::eval::eval_standalone(src, std::path::Path::new("."));
            assert_eq!(got, Ok(crate::model::Value::string(want)), "{src}");
        }
    }
}
