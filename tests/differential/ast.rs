//! The expression tree the generator builds and the minimizer reduces. It renders to the
//! one-line HCL text both evaluators read; it is not a parser's tree (parentheses are nodes,
//! so the generator decides where precedence is tested).

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Literal or reference text, rendered as is (`1.5`, `"a\n"`, `null`, `path.module`, `x`).
    Atom(String),
    Tuple(Vec<Expr>),
    Object(Vec<(Key, Expr)>),
    Call {
        name: String,
        args: Vec<Expr>,
        /// `f(a, b...)`: the last argument expanded.
        expand: bool,
    },
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    For(Box<For>),
    Index(Box<Expr>, Box<Expr>),
    Attr(Box<Expr>, String),
    /// `base[*].a.b` (full) or `base.*.a.b` (attribute-only).
    Splat {
        base: Box<Expr>,
        full: bool,
        attrs: Vec<String>,
    },
    Template(Vec<Part>),
    Paren(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    Ident(String),
    /// A string literal key is written bare; any other expression in parentheses.
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct For {
    pub key_var: Option<String>,
    pub val_var: String,
    pub coll: Expr,
    /// `Some(k)`: an object `for` with key expression k.
    pub key: Option<Expr>,
    pub val: Expr,
    pub group: bool,
    pub cond: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Lit(String),
    Interp {
        expr: Expr,
        strip_left: bool,
        strip_right: bool,
    },
    If(Expr, Vec<Part>, Option<Vec<Part>>),
    For(String, Expr, Vec<Part>),
}

/// `s` as an HCL quoted-string literal: the escapes, and `${`/`%{` doubled so they stay text.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    out.push_str(&escape_template_text(s));
    out.push('"');
    out
}

fn escape_template_text(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.get(i + 1) == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl Expr {
    pub fn render(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, out: &mut String) {
        match self {
            Expr::Atom(t) => out.push_str(t),
            Expr::Tuple(items) => {
                out.push('[');
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    e.write(out);
                }
                out.push(']');
            }
            Expr::Object(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    match k {
                        Key::Ident(name) => out.push_str(name),
                        Key::Expr(Expr::Atom(t)) if t.starts_with('"') => out.push_str(t),
                        Key::Expr(e) => {
                            out.push('(');
                            e.write(out);
                            out.push(')');
                        }
                    }
                    out.push_str(" = ");
                    v.write(out);
                }
                out.push('}');
            }
            Expr::Call { name, args, expand } => {
                out.push_str(name);
                out.push('(');
                for (i, e) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    e.write(out);
                }
                if *expand && !args.is_empty() {
                    out.push_str("...");
                }
                out.push(')');
            }
            Expr::Unary(op, e) => {
                out.push_str(op);
                e.write(out);
            }
            Expr::Binary(op, l, r) => {
                l.write(out);
                out.push(' ');
                out.push_str(op);
                out.push(' ');
                r.write(out);
            }
            Expr::Cond(c, t, f) => {
                c.write(out);
                out.push_str(" ? ");
                t.write(out);
                out.push_str(" : ");
                f.write(out);
            }
            Expr::For(f) => {
                out.push_str(if f.key.is_some() { "{" } else { "[" });
                out.push_str("for ");
                if let Some(k) = &f.key_var {
                    out.push_str(k);
                    out.push_str(", ");
                }
                out.push_str(&f.val_var);
                out.push_str(" in ");
                f.coll.write(out);
                out.push_str(" : ");
                if let Some(k) = &f.key {
                    k.write(out);
                    out.push_str(" => ");
                }
                f.val.write(out);
                if f.group {
                    out.push_str("...");
                }
                if let Some(c) = &f.cond {
                    out.push_str(" if ");
                    c.write(out);
                }
                out.push_str(if f.key.is_some() { "}" } else { "]" });
            }
            Expr::Index(b, i) => {
                b.write(out);
                out.push('[');
                i.write(out);
                out.push(']');
            }
            Expr::Attr(b, name) => {
                b.write(out);
                out.push('.');
                out.push_str(name);
            }
            Expr::Splat { base, full, attrs } => {
                base.write(out);
                out.push_str(if *full { "[*]" } else { ".*" });
                for a in attrs {
                    out.push('.');
                    out.push_str(a);
                }
            }
            Expr::Template(parts) => {
                out.push('"');
                write_parts(parts, out);
                out.push('"');
            }
            Expr::Paren(e) => {
                out.push('(');
                e.write(out);
                out.push(')');
            }
        }
    }

    /// Nodes in the tree: the minimizer's measure of size, with the text length.
    pub fn size(&self) -> usize {
        let mut n = 0;
        self.visit(&mut |_| n += 1);
        n
    }

    fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        for c in self.children() {
            c.visit(f);
        }
    }

    /// Direct sub-expressions, in rendering order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Atom(_) => vec![],
            Expr::Tuple(items) => items.iter().collect(),
            Expr::Object(items) => items
                .iter()
                .flat_map(|(k, v)| match k {
                    Key::Expr(e) => vec![e, v],
                    Key::Ident(_) => vec![v],
                })
                .collect(),
            Expr::Call { args, .. } => args.iter().collect(),
            Expr::Unary(_, e) | Expr::Paren(e) | Expr::Attr(e, _) => vec![e],
            Expr::Splat { base, .. } => vec![base],
            Expr::Binary(_, l, r) | Expr::Index(l, r) => vec![l, r],
            Expr::Cond(c, t, f) => vec![c, t, f],
            Expr::For(f) => {
                let mut v = vec![&f.coll];
                v.extend(f.key.iter());
                v.push(&f.val);
                v.extend(f.cond.iter());
                v
            }
            Expr::Template(parts) => {
                let mut v = Vec::new();
                parts_children(parts, &mut v);
                v
            }
        }
    }
}

impl Expr {
    /// The same sub-expressions as [`Expr::children`], in the same order, for replacing one.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Expr::Atom(_) => vec![],
            Expr::Tuple(items) => items.iter_mut().collect(),
            Expr::Object(items) => items
                .iter_mut()
                .flat_map(|(k, v)| match k {
                    Key::Expr(e) => vec![e, v],
                    Key::Ident(_) => vec![v],
                })
                .collect(),
            Expr::Call { args, .. } => args.iter_mut().collect(),
            Expr::Unary(_, e) | Expr::Paren(e) | Expr::Attr(e, _) => vec![e],
            Expr::Splat { base, .. } => vec![base],
            Expr::Binary(_, l, r) | Expr::Index(l, r) => vec![l, r],
            Expr::Cond(c, t, f) => vec![c, t, f],
            Expr::For(f) => {
                let For {
                    coll,
                    key,
                    val,
                    cond,
                    ..
                } = &mut **f;
                let mut v = vec![coll];
                v.extend(key.iter_mut());
                v.push(val);
                v.extend(cond.iter_mut());
                v
            }
            Expr::Template(parts) => {
                let mut v = Vec::new();
                parts_children_mut(parts, &mut v);
                v
            }
        }
    }
}

fn parts_children_mut<'a>(parts: &'a mut [Part], v: &mut Vec<&'a mut Expr>) {
    for p in parts {
        match p {
            Part::Lit(_) => {}
            Part::Interp { expr, .. } => v.push(expr),
            Part::If(c, t, f) => {
                v.push(c);
                parts_children_mut(t, v);
                if let Some(f) = f {
                    parts_children_mut(f, v);
                }
            }
            Part::For(_, coll, body) => {
                v.push(coll);
                parts_children_mut(body, v);
            }
        }
    }
}

fn parts_children<'a>(parts: &'a [Part], v: &mut Vec<&'a Expr>) {
    for p in parts {
        match p {
            Part::Lit(_) => {}
            Part::Interp { expr, .. } => v.push(expr),
            Part::If(c, t, f) => {
                v.push(c);
                parts_children(t, v);
                if let Some(f) = f {
                    parts_children(f, v);
                }
            }
            Part::For(_, coll, body) => {
                v.push(coll);
                parts_children(body, v);
            }
        }
    }
}

fn write_parts(parts: &[Part], out: &mut String) {
    for p in parts {
        match p {
            Part::Lit(s) => out.push_str(&escape_template_text(s)),
            Part::Interp {
                expr,
                strip_left,
                strip_right,
            } => {
                out.push_str(if *strip_left { "${~ " } else { "${" });
                expr.write(out);
                out.push_str(if *strip_right { " ~}" } else { "}" });
            }
            Part::If(c, t, f) => {
                out.push_str("%{ if ");
                c.write(out);
                out.push_str(" }");
                write_parts(t, out);
                if let Some(f) = f {
                    out.push_str("%{ else }");
                    write_parts(f, out);
                }
                out.push_str("%{ endif }");
            }
            Part::For(var, coll, body) => {
                out.push_str("%{ for ");
                out.push_str(var);
                out.push_str(" in ");
                coll.write(out);
                out.push_str(" }");
                write_parts(body, out);
                out.push_str("%{ endfor }");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_templates_and_escapes() {
        let e = Expr::Template(vec![
            Part::Lit("a\"${b}\n".into()),
            Part::Interp {
                expr: Expr::Atom("1".into()),
                strip_left: true,
                strip_right: false,
            },
        ]);
        assert_eq!(e.render(), r#""a\"$${b}\n${~ 1}""#);
        assert_eq!(quote("100%{x}"), r#""100%%{x}""#);
    }
}
