//! Minimization: smaller variants of an expression, smallest first. The runner evaluates the
//! variants of every disagreement in one batch per round (terraform's start-up is the cost,
//! so one console run judges hundreds of variants) and keeps, per disagreement, the smallest
//! variant that still disagrees in the same way.
use super::ast::{Expr, Part};

/// Variants tried per expression and round: the smallest, so deep trees still shrink fast.
const MAX_VARIANTS: usize = 160;

/// Atoms a subtree may collapse to.
const SIMPLE: &[&str] = &[
    "null", "0", "1", "\"\"", "\"a\"", "[]", "{}", "true", "false",
];

fn rank(atom: &str) -> usize {
    SIMPLE
        .iter()
        .position(|s| *s == atom)
        .unwrap_or(SIMPLE.len() + atom.len())
}

pub fn variants(e: &Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    collect(e, &mut out);
    let own = e.render();
    out.retain(|v| v.render() != own);
    out.sort_by_key(|v| (v.size(), v.render().len()));
    out.dedup_by(|a, b| a.render() == b.render());
    out.truncate(MAX_VARIANTS);
    out
}

fn collect(e: &Expr, out: &mut Vec<Expr>) {
    // The node itself replaced: by one of its children, or by a simple atom.
    for c in e.children() {
        out.push(c.clone());
    }
    match e {
        Expr::Atom(t) => {
            // Simpler by rank, so `1` becomes `0` and `"abc"` becomes `""`: cases that
            // differ only in a literal then minimize to the same text.
            for s in SIMPLE {
                if rank(s) < rank(t) {
                    out.push(Expr::Atom(s.to_string()));
                }
            }
        }
        _ => out.extend(SIMPLE.iter().map(|s| Expr::Atom(s.to_string()))),
    }
    // Structure removed: an element, an argument, a clause, a template part.
    match e {
        Expr::Tuple(items) => {
            for i in 0..items.len() {
                let mut v = items.clone();
                v.remove(i);
                out.push(Expr::Tuple(v));
            }
        }
        Expr::Object(items) => {
            for i in 0..items.len() {
                let mut v = items.clone();
                v.remove(i);
                out.push(Expr::Object(v));
            }
        }
        Expr::Call { name, args, expand } => {
            for i in 0..args.len() {
                let mut v = args.clone();
                v.remove(i);
                out.push(Expr::Call {
                    name: name.clone(),
                    args: v,
                    expand: *expand,
                });
            }
            if *expand {
                out.push(Expr::Call {
                    name: name.clone(),
                    args: args.clone(),
                    expand: false,
                });
            }
            if let Some(plain) = name.strip_prefix("core::") {
                out.push(Expr::Call {
                    name: plain.to_string(),
                    args: args.clone(),
                    expand: *expand,
                });
            }
        }
        Expr::For(f) => {
            if f.cond.is_some() {
                let mut g = f.clone();
                g.cond = None;
                out.push(Expr::For(g));
            }
            if f.group {
                let mut g = f.clone();
                g.group = false;
                out.push(Expr::For(g));
            }
            if f.key_var.is_some() {
                let mut g = f.clone();
                g.key_var = None;
                out.push(Expr::For(g));
            }
        }
        Expr::Splat { base, full, attrs } => {
            for i in 0..attrs.len() {
                let mut a = attrs.clone();
                a.remove(i);
                out.push(Expr::Splat {
                    base: base.clone(),
                    full: *full,
                    attrs: a,
                });
            }
        }
        Expr::Template(parts) => {
            for v in part_variants(parts) {
                out.push(Expr::Template(v));
            }
        }
        _ => {}
    }
    // A child replaced by one of its own variants.
    let n = e.children().len();
    for i in 0..n {
        let child = e.children()[i].clone();
        let mut sub = Vec::new();
        collect(&child, &mut sub);
        for s in sub {
            let mut copy = e.clone();
            *copy.children_mut().swap_remove(i) = s;
            out.push(copy);
        }
    }
}

fn part_variants(parts: &[Part]) -> Vec<Vec<Part>> {
    let mut out = Vec::new();
    for i in 0..parts.len() {
        let mut v = parts.to_vec();
        v.remove(i);
        out.push(v);
        let inline: Option<Vec<Part>> = match &parts[i] {
            Part::If(_, t, _) => Some(t.clone()),
            Part::For(_, _, body) => Some(body.clone()),
            Part::Lit(s) if !s.is_empty() => Some(vec![Part::Lit(String::new())]),
            _ => None,
        };
        if let Some(inner) = inline {
            let mut v = parts[..i].to_vec();
            v.extend(inner);
            v.extend_from_slice(&parts[i + 1..]);
            out.push(v);
        }
        // Inside a directive: its own parts shrunk.
        let nested: Vec<Part> = match &parts[i] {
            Part::If(c, t, f) => {
                let mut n: Vec<Part> = part_variants(t)
                    .into_iter()
                    .map(|t| Part::If(c.clone(), t, f.clone()))
                    .collect();
                if let Some(f) = f {
                    n.push(Part::If(c.clone(), t.clone(), None));
                    n.extend(
                        part_variants(f)
                            .into_iter()
                            .map(|f| Part::If(c.clone(), t.clone(), Some(f))),
                    );
                }
                n
            }
            Part::For(var, coll, body) => part_variants(body)
                .into_iter()
                .map(|b| Part::For(var.clone(), coll.clone(), b))
                .collect(),
            Part::Lit(s) if s.chars().count() > 1 => {
                // Halves of a literal: the character that matters survives.
                let chars: Vec<char> = s.chars().collect();
                let mid = chars.len() / 2;
                vec![
                    Part::Lit(chars[..mid].iter().collect()),
                    Part::Lit(chars[mid..].iter().collect()),
                ]
            }
            _ => Vec::new(),
        };
        for p in nested {
            let mut v = parts.to_vec();
            v[i] = p;
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_variants_first() {
        let e = Expr::Call {
            name: "upper".into(),
            args: vec![Expr::Binary(
                "+",
                Box::new(Expr::Atom("1".into())),
                Box::new(Expr::Atom("2".into())),
            )],
            expand: false,
        };
        let v: Vec<String> = variants(&e).iter().map(Expr::render).collect();
        assert!(v[0].len() <= 5, "{v:?}");
        assert!(v.contains(&"upper(1)".to_string()), "{v:?}");
        assert!(v.contains(&"upper()".to_string()), "{v:?}");
        assert!(!v.contains(&e.render()));
    }
}
