//! `templatestring`'s rules for its first argument, which Terraform checks on the expression
//! before it evaluates it: the template must come from elsewhere, by reference.
use hcl_edit::expr::Expression;
use hcl_edit::template::Element;

/// Terraform's error for a template argument that is not a reference (a traversal, optionally
/// indexed or splatted, from a name in scope); None when the expression is acceptable.
pub fn template_arg_error(expr: &Expression) -> Option<&'static str> {
    let template = match expr {
        Expression::String(_) => return Some(LITERAL),
        Expression::StringTemplate(t) => &**t,
        Expression::HeredocTemplate(h) => &h.template,
        _ if is_reference(expr) => return None,
        _ => return Some(NOT_REFERENCE),
    };
    let elements: Vec<&Element> = template.iter().collect();
    Some(match elements.as_slice() {
        // `"${local.t}"`: the interpolation-only habit of Terraform 0.11.
        [Element::Interpolation(_)] if matches!(expr, Expression::StringTemplate(_)) => WRAPPED,
        [Element::Literal(_)] | [] => LITERAL,
        _ => INLINE,
    })
}

fn is_reference(expr: &Expression) -> bool {
    match expr {
        Expression::Variable(_) => true,
        Expression::Traversal(t) => is_reference(&t.expr),
        _ => false,
    }
}

const WRAPPED: &str = "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere; to treat the inner expression as template syntax, write the reference expression directly without any template interpolation syntax";
const LITERAL: &str = "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template; consider using a template string expression instead";
const INLINE: &str = "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere; to render an inline template, consider using a plain template string expression";
const NOT_REFERENCE: &str = "invalid template expression: must be a direct reference to a single string from elsewhere, containing valid Terraform template syntax";

/// The functions a `templatestring` template may not call: those that read files.
pub fn reads_files(name: &str) -> bool {
    matches!(
        name,
        "file"
            | "fileexists"
            | "fileset"
            | "filebase64"
            | "filebase64sha256"
            | "filebase64sha512"
            | "filemd5"
            | "filesha1"
            | "filesha256"
            | "filesha512"
            | "templatefile"
    )
}

/// An HCL identifier (a template variable name must be one to be referable).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}
