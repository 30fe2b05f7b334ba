//! Terraform's built-in functions with Terraform's semantics. `spec` lists every function
//! Terraform 1.11 has (tests/function_coverage.rs holds it to `terraform metadata functions`);
//! a name it lacks is Terraform's "no function named" error. `try`, `can` and
//! `templatestring` need their argument expressions and are evaluated by the evaluator; the
//! functions [`not_evaluated`] names (`timestamp`, `uuid`, `bcrypt`...) yield Unknown, which
//! the evaluator notes as not evaluated; everything else is computed here.
//!
//! Every function goes through [`call`]: it checks the arity, short-cuts to Unknown when an
//! argument is not wholly known (unless the function knows better), strips sensitive marks
//! before the function runs and puts one mark back on the result.
use crate::model::limits::Limits;
use crate::model::Seq;
use crate::model::{Cause, Number, Record, Value};
use std::collections::BTreeMap;
use std::path::Path;
pub use template::{is_identifier, reads_files, template_arg_error};

mod cidr;
mod collections;
mod conversion;
mod csv;
mod encoding;
mod filesystem;
mod format;
mod hash;
mod numeric;
mod strings;
mod template;
#[cfg(test)]
mod tests;
mod textcodec;
mod time;
mod yaml;

/// What a function may need from the evaluator.
#[allow(clippy::type_complexity)]
pub struct FnCtx<'a> {
    /// Terraform's working directory: relative paths in `file()` and friends resolve against it.
    pub cwd: &'a Path,
    /// Renders a template string with the given variables (for `templatefile`).
    pub render_template: &'a dyn Fn(&str, &BTreeMap<String, Value>) -> Result<Value, String>,
    /// What a result may hold; functions that multiply their input are checked before they
    /// build anything, every result after.
    pub limits: &'a Limits,
}

/// Result of one function implementation.
pub(crate) type FnResult = Result<Value, String>;

/// How a function treats unknown arguments.
#[derive(Clone, Copy, PartialEq)]
enum Unknowns {
    /// Any (deeply) unknown argument makes the result unknown.
    Strict,
    /// The function inspects unknowns itself.
    Lenient,
    /// Only an argument unknown as a whole makes the result unknown; unknown parts pass
    /// through (cty's `merge` and `concat` keep the keys and length they know).
    Shallow,
}

/// (name, min args, max args (None = variadic), unknown handling)
fn spec(name: &str) -> Option<(usize, Option<usize>, Unknowns)> {
    use Unknowns::*;
    let s = |min: usize, max: usize| Some((min, Some(max), Strict));
    let v = |min: usize| Some((min, None, Strict));
    match name {
        // strings
        "lower" | "upper" | "title" | "trimspace" | "chomp" | "strrev" => s(1, 1),
        "replace" => s(3, 3),
        "substr" => s(3, 3),
        "trim" | "trimprefix" | "trimsuffix" | "startswith" | "endswith" | "strcontains" => s(2, 2),
        "regex" | "regexall" => s(2, 2),
        "indent" => s(2, 2),
        "split" => s(2, 2),
        "join" => Some((2, None, Strict)),
        "format" => v(1),
        // A list with unknown elements still has its other rows formatted.
        "formatlist" => Some((1, None, Lenient)),
        // collections
        "length" => Some((1, Some(1), Lenient)),
        "concat" | "merge" => Some((0, None, Shallow)),
        "setproduct" => v(0),
        "setunion" | "setintersection" => v(1),
        "setsubtract" => s(2, 2),
        // `lookup({a = "x", b = <unknown>}, "a")` is "x" in Terraform: only the key decides.
        "lookup" => Some((2, Some(3), Shallow)),
        // A known collection with unknown elements: Terraform still picks, lists and reverses
        // them (`element(aws_subnet.private[*].id, count.index)` is that subnet's id).
        "element" => Some((2, Some(2), Shallow)),
        "keys" | "values" | "reverse" => Some((1, Some(1), Shallow)),
        "index" | "contains" | "chunklist" | "zipmap" => s(2, 2),
        "compact" | "distinct" | "flatten" | "one" | "sort" | "alltrue" | "anytrue"
        | "transpose" | "sum" => s(1, 1),
        "coalesce" => Some((1, None, Lenient)),
        "coalescelist" => v(1),
        "slice" | "matchkeys" => s(3, 3),
        // conversion
        "tostring" | "tonumber" | "tobool" | "tolist" | "toset" | "tomap" => s(1, 1),
        "sensitive" | "nonsensitive" | "issensitive" | "ephemeralasnull" => {
            Some((1, Some(1), Lenient))
        }
        // numeric
        "max" | "min" => v(1),
        "abs" | "ceil" | "floor" | "signum" => s(1, 1),
        "pow" | "log" | "parseint" => s(2, 2),
        "range" => s(1, 3),
        // network
        "cidrsubnet" => s(3, 3),
        "cidrhost" => s(2, 2),
        "cidrnetmask" => s(1, 1),
        "cidrsubnets" => v(1),
        // encoding
        "jsonencode" | "jsondecode" | "yamlencode" | "yamldecode" | "base64encode"
        | "base64decode" | "base64gzip" | "urlencode" | "csvdecode" => s(1, 1),
        "textencodebase64" | "textdecodebase64" => s(2, 2),
        // hash and crypto
        "md5" | "sha1" | "sha256" | "sha512" | "base64sha256" | "base64sha512" => s(1, 1),
        "uuidv5" => s(2, 2),
        // date and time
        "formatdate" | "timeadd" | "timecmp" => s(2, 2),
        // filesystem
        "file" | "fileexists" | "filebase64" | "filemd5" | "filesha1" | "filesha256"
        | "filesha512" | "filebase64sha256" | "filebase64sha512" | "abspath" | "basename"
        | "dirname" | "pathexpand" => s(1, 1),
        "fileset" => s(2, 2),
        // Variables known only after apply leave the known text of the template readable
        // (`Cause::Template`); the result is unknown all the same.
        "templatefile" => Some((2, Some(2), Shallow)),
        // The evaluator calls these itself: `try` and `can` need their arguments unevaluated,
        // `templatestring` its first argument's expression.
        "try" => Some((1, None, Lenient)),
        "can" => Some((1, Some(1), Lenient)),
        "templatestring" => Some((2, Some(2), Lenient)),
        // not evaluated (see `not_evaluated`)
        "uuid" | "timestamp" | "plantimestamp" => s(0, 0),
        "bcrypt" => v(1),
        "rsadecrypt" => s(2, 2),
        _ => None,
    }
}

/// Whether Terraform 1.11 has a built-in function `name` (without the `core::` prefix).
pub fn is_builtin(name: &str) -> bool {
    spec(name).is_some()
}

/// The arity infra-lint checks for `name`: (min, max), max None when variadic.
pub fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    spec(name).map(|(min, max, _)| (min, max))
}

/// Why infra-lint does not compute `name`'s result: calls to these functions are Unknown and
/// the evaluator notes them as not evaluated. Every other built-in is computed.
pub fn not_evaluated(name: &str) -> Option<&'static str> {
    match name {
        "uuid" | "timestamp" => Some("its result is only known when Terraform applies"),
        // A fresh salt on every call: the hash is only known when Terraform applies.
        "bcrypt" => Some("its result is only known when Terraform applies"),
        "plantimestamp" => Some("its result is the time Terraform plans"),
        "rsadecrypt" => Some("infra-lint does not decrypt"),
        // Terraform's result is the exact bytes of Go's deflate at its default level; another
        // compressor's valid gzip would be a different string.
        "base64gzip" => Some("infra-lint has no byte-exact copy of Go's gzip writer"),
        _ => None,
    }
}

/// Why the result of a call to `name` is Unknown when infra-lint, not an unknown argument,
/// made it so (the evaluator notes the call as not evaluated); None otherwise.
pub fn unevaluated_reason(name: &str, result: &Value) -> Option<&'static str> {
    match result.peel() {
        Value::Unknown(u) if matches!(u.cause(), Cause::Function(n) if n == name) => {
            Some(not_evaluated(name).unwrap_or("infra-lint does not implement this encoding"))
        }
        _ => None,
    }
}

/// Calls built-in function `name`. `None` means Terraform has no such function (the evaluator
/// reports Terraform's "no function named" error); `Some(Err(msg))` is Terraform's own error.
/// A function listed by [`not_evaluated`] yields Unknown.
pub fn call(name: &str, args: Vec<Value>, ctx: &FnCtx) -> Option<Result<Value, String>> {
    let (min, max, unknowns) = spec(name)?;
    Some(call_checked(name, args, ctx, min, max, unknowns))
}

fn call_checked(
    name: &str,
    args: Vec<Value>,
    ctx: &FnCtx,
    min: usize,
    max: Option<usize>,
    unknowns: Unknowns,
) -> FnResult {
    if args.len() < min || max.is_some_and(|m| args.len() > m) {
        let want = match max {
            Some(m) if m == min => format!("{min}"),
            Some(m) => format!("{min} to {m}"),
            None => format!("at least {min}"),
        };
        let noun = if min == 1 && max == Some(1) {
            "argument"
        } else {
            "arguments"
        };
        return Err(format!(
            "Function \"{name}\" expects {want} {noun}, but {} were given.",
            args.len()
        ));
    }
    match name {
        "uuid" | "timestamp" | "plantimestamp" | "bcrypt" => {
            return Ok(Value::unknown(Cause::Function(name.to_string())))
        }
        "base64gzip" => {
            if let Value::Unknown(u) = args[0].peel() {
                return Ok(Value::Unknown(u.clone()));
            }
            str_arg(args[0].peel(), "str")?;
            return Ok(Value::unknown(Cause::Function(name.to_string())));
        }
        "rsadecrypt" => {
            // Terraform rejects a ciphertext that is not base64 before it reads the key.
            if let Some(Value::String(c)) = args.first().map(Value::peel) {
                use base64::Engine;
                if base64::engine::general_purpose::STANDARD.decode(c).is_err() {
                    return Err(format!("Invalid value for \"ciphertext\" parameter: failed to decode input {c:?}: cipher text must be base64-encoded."));
                }
            }
            return Ok(Value::unknown(Cause::Function(name.to_string())));
        }
        "sensitive" => return Ok(args.into_iter().next().unwrap_or(Value::Null).mark_if(true)),
        "nonsensitive" => return Ok(args.into_iter().next().unwrap_or(Value::Null).unmark().0),
        // Only a mark on the value itself counts: `issensitive([sensitive(1)])` is false.
        "issensitive" => {
            return Ok(match &args[0] {
                Value::Sensitive(_) => Value::Bool(true),
                Value::Unknown(u) => Value::Unknown(u.clone()),
                _ => Value::Bool(false),
            })
        }
        // infra-lint has no ephemeral values, so nothing is replaced by null; other marks stay.
        "ephemeralasnull" => return Ok(args.into_iter().next().unwrap_or(Value::Null)),
        _ => {}
    }
    match unknowns {
        Unknowns::Strict => {
            let refs: Vec<&Value> = args.iter().collect();
            if let Some(u) = Value::unknown_of_all(&refs) {
                return Ok(u.mark_if(args.iter().any(Value::is_sensitive)));
            }
        }
        Unknowns::Shallow => {
            if let Some(Value::Unknown(u)) = args
                .iter()
                .map(Value::peel)
                .find(|a| matches!(a, Value::Unknown(_)))
            {
                return Ok(Value::Unknown(u.clone()));
            }
        }
        Unknowns::Lenient => {}
    }
    let mut sensitive = false;
    let args: Vec<Value> = args
        .into_iter()
        .map(|a| {
            let (a, s) = a.unmark();
            sensitive |= s;
            a
        })
        .collect();
    growth_bound(name, &args, ctx.limits)?;
    let mut out = dispatch(name, args, ctx)?;
    ctx.limits.check_value(&out)?;
    nfc_value(&mut out);
    Ok(out.mark_if(sensitive))
}

/// Refuses a call whose result would pass the value bounds, judged from the arguments alone:
/// the functions whose output can be far larger than their input (`setproduct` multiplies
/// lengths, `format` widths and `indent`/`replace`/`join` repeat a string). The others
/// produce at most about what they were given, and the check of the result covers them.
fn growth_bound(name: &str, a: &[Value], limits: &Limits) -> Result<(), String> {
    fn len(v: &Value) -> u128 {
        match v.peel() {
            Value::List(Seq { items: l, .. }) | Value::Set(l) => l.len() as u128,
            Value::Map(m) => m.len() as u128,
            _ => 1,
        }
    }
    fn bytes(v: &Value) -> u128 {
        match v.peel() {
            Value::String(s) => s.len() as u128,
            Value::List(Seq { items: l, .. }) | Value::Set(l) => l.iter().map(bytes).sum(),
            Value::Map(m) => m.iter().map(|(k, v)| k.len() as u128 + bytes(v)).sum(),
            _ => 0,
        }
    }
    let text = |i: usize| match a.get(i).map(Value::peel) {
        Some(Value::String(s)) => s.as_str(),
        _ => "",
    };
    match name {
        "setproduct" => {
            let rows = a.iter().map(len).fold(1u128, u128::saturating_mul);
            limits.check_elements(rows.saturating_mul(a.len() as u128 + 1))?;
            // Every row holds one element of each argument: argument i's strings appear once
            // per combination of the others.
            let total = a
                .iter()
                .map(|x| bytes(x).saturating_mul(rows / len(x).max(1)))
                .sum();
            limits.check_string(total)
        }
        "format" | "formatlist" => {
            // Widths and precisions are the digit runs of the format; a verb prints its
            // argument and at most a few hundred characters for a number.
            let fmt = text(0);
            // Only the digits of a verb count (`%-08.3f`); a literal `95601890` is text.
            let widths: u128 = fmt
                .split('%')
                .skip(1)
                .map(|verb| {
                    let verb = verb.trim_start_matches(['-', '+', '#', ' ', '0']);
                    let verb = verb
                        .strip_prefix('[')
                        .and_then(|r| r.split_once(']').map(|(_, rest)| rest))
                        .unwrap_or(verb);
                    let digits = |t: &str| -> (u128, usize) {
                        let n = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                        (t[..n].parse().unwrap_or(0), n)
                    };
                    let (width, n) = digits(verb);
                    let precision = verb[n..].strip_prefix('.').map_or(0, |r| digits(r).0);
                    width.saturating_add(precision)
                })
                .fold(0u128, u128::saturating_add);
            let verbs = fmt.matches('%').count() as u128;
            let rows = a[1..].iter().map(len).max().unwrap_or(1);
            let per_row = fmt.len() as u128 + widths + verbs * 512;
            let args: u128 = a[1..].iter().map(bytes).sum();
            limits.check_string(per_row.saturating_mul(rows).saturating_add(args))
        }
        "indent" => {
            let spaces = match a[0].peel() {
                Value::Number(n) => n.to_i64().unwrap_or(0).max(0) as u128,
                _ => 0,
            };
            let s = text(1);
            let lines = s.matches('\n').count() as u128;
            limits.check_string(s.len() as u128 + lines.saturating_mul(spaces))
        }
        "replace" => {
            let (s, sub, rep) = (text(0), text(1), text(2));
            let is_regex = sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/');
            if is_regex {
                return Ok(());
            }
            let matches = if sub.is_empty() {
                s.chars().count() as u128 + 1
            } else {
                (s.len() / sub.len()) as u128
            };
            limits.check_string(s.len() as u128 + matches.saturating_mul(rep.len() as u128))
        }
        "join" => {
            let parts: u128 = a[1..].iter().map(len).sum();
            let total = a[1..].iter().map(bytes).sum::<u128>();
            limits.check_string(total.saturating_add(parts.saturating_mul(text(0).len() as u128)))
        }
        _ => Ok(()),
    }
}

/// cty normalizes every string to Unicode NFC; ASCII strings are already normalized.
pub(crate) fn nfc(s: String) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return s;
    }
    s.nfc().collect()
}

/// Normalizes every string (and map key) inside a function result to NFC.
fn nfc_value(v: &mut Value) {
    match v {
        Value::String(s) => {
            if !s.is_ascii() {
                *s = nfc(std::mem::take(s));
            }
        }
        Value::List(Seq { items, .. }) | Value::Set(items) => items.iter_mut().for_each(nfc_value),
        Value::Map(m) => {
            if m.keys().any(|k| !k.is_ascii()) {
                // Rebuilt with its kind: an object stays an object (collecting would make a map).
                let entries = std::mem::take(&mut m.entries)
                    .into_iter()
                    .map(|(k, mut v)| {
                        nfc_value(&mut v);
                        (nfc(k), v)
                    })
                    .collect();
                m.entries = entries;
            } else {
                m.values_mut().for_each(nfc_value);
            }
        }
        Value::Sensitive(inner) => nfc_value(inner),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Unknown(_) => {}
    }
}

fn dispatch(name: &str, a: Vec<Value>, ctx: &FnCtx) -> FnResult {
    match name {
        "lower" | "upper" | "title" | "trimspace" | "chomp" | "strrev" | "replace" | "substr"
        | "trim" | "trimprefix" | "trimsuffix" | "startswith" | "endswith" | "strcontains"
        | "regex" | "regexall" | "indent" | "split" | "join" => strings::call(name, a),
        "format" => format::format(a),
        "formatlist" => format::formatlist(a),
        "tostring" | "tonumber" | "tobool" | "tolist" | "toset" | "tomap" => {
            conversion::call(name, a)
        }
        "max" | "min" | "abs" | "ceil" | "floor" | "signum" | "pow" | "log" | "parseint"
        | "range" | "sum" => numeric::call(name, a),
        "cidrsubnet" | "cidrhost" | "cidrnetmask" | "cidrsubnets" => cidr::call(name, a),
        "jsonencode" | "jsondecode" | "base64encode" | "base64decode" | "urlencode" => {
            encoding::call(name, a)
        }
        "textencodebase64" | "textdecodebase64" => textcodec::call(name, a),
        "csvdecode" => csv::decode(&str_arg(&a[0], "str")?),
        "uuidv5" => hash::uuidv5(&str_arg(&a[0], "namespace")?, &str_arg(&a[1], "name")?),
        "formatdate" | "timeadd" | "timecmp" => time::call(name, a),
        "yamlencode" => yaml::encode(&a[0]).map(Value::String),
        "yamldecode" => yaml::decode(&str_arg(&a[0], "src")?),
        "md5" | "sha1" | "sha256" | "sha512" | "base64sha256" | "base64sha512" => {
            hash::call(name, a)
        }
        "file" | "fileexists" | "filebase64" | "filemd5" | "filesha1" | "filesha256"
        | "filesha512" | "filebase64sha256" | "filebase64sha512" | "abspath" | "basename"
        | "dirname" | "pathexpand" | "templatefile" | "fileset" => filesystem::call(name, a, ctx),
        _ => collections::call(name, a),
    }
}

// ---- shared argument helpers ----

/// The unknown to propagate when `v` is not wholly known.
pub(crate) fn unknown_of(v: &Value) -> Option<Value> {
    Value::unknown_of_all(&[v])
}

/// A string argument with Terraform's automatic conversion.
pub(crate) fn str_arg(v: &Value, param: &str) -> Result<String, String> {
    match v {
        Value::Null => Err(format!(
            "Invalid value for \"{param}\" parameter: argument must not be null."
        )),
        _ => v
            .to_tf_string()
            .map_err(|_| format!("Invalid value for \"{param}\" parameter: string required.")),
    }
}

/// A number argument with Terraform's automatic conversion.
pub(crate) fn num_arg(v: &Value, param: &str) -> Result<Number, String> {
    match v {
        Value::Null => Err(format!(
            "Invalid value for \"{param}\" parameter: argument must not be null."
        )),
        Value::String(s) => Number::parse_strict(s).filter(|n| n.is_infinite() || is_decimal(s)).ok_or_else(|| {
            format!(
                "Invalid value for \"{param}\" parameter: cannot convert {s:?} to number; given string must be a decimal representation of a number."
            )
        }),
        _ => v
            .to_tf_number()
            .map_err(|_| format!("Invalid value for \"{param}\" parameter: number required.")),
    }
}

/// Whether `s` is a decimal number literal as cty accepts it (no spaces, no hex, no inf).
pub(crate) fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i > start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits |= i > f;
    }
    if !digits {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == b.len()
}

/// An integer argument (Terraform requires a whole number where it indexes).
pub(crate) fn int_arg(v: &Value, param: &str) -> Result<i64, String> {
    let n = num_arg(v, param)?;
    n.to_i64().ok_or_else(|| {
        format!("Invalid value for \"{param}\" parameter: value must be a whole number.")
    })
}

/// A bool argument with Terraform's automatic conversion.
pub(crate) fn bool_arg(v: &Value, param: &str) -> Result<bool, String> {
    match v {
        Value::Null => Err(format!(
            "Invalid value for \"{param}\" parameter: argument must not be null."
        )),
        _ => v
            .to_tf_bool()
            .map_err(|_| format!("Invalid value for \"{param}\" parameter: bool required.")),
    }
}

/// A list, tuple or set argument's elements.
pub(crate) fn list_arg<'a>(v: &'a Value, param: &str) -> Result<&'a [Value], String> {
    match v {
        Value::List(Seq { items: l, .. }) | Value::Set(l) => Ok(l),
        Value::Null => Err(format!(
            "Invalid value for \"{param}\" parameter: argument must not be null."
        )),
        _ => Err(format!(
            "Invalid value for \"{param}\" parameter: list of any single type required."
        )),
    }
}

/// A map or object argument.
pub(crate) fn map_arg<'a>(v: &'a Value, param: &str) -> Result<&'a Record, String> {
    match v {
        Value::Map(m) => Ok(m),
        Value::Null => Err(format!(
            "Invalid value for \"{param}\" parameter: argument must not be null."
        )),
        _ => Err(format!(
            "Invalid value for \"{param}\" parameter: map of any single type required."
        )),
    }
}

/// A list of strings (elements converted as Terraform converts them).
pub(crate) fn str_list_arg(v: &Value, param: &str) -> Result<Vec<String>, String> {
    list_arg(v, param)?
        .iter()
        .map(|e| {
            e.to_tf_string().map_err(|_| {
                format!("Invalid value for \"{param}\" parameter: list of string required.")
            })
        })
        .collect()
}
