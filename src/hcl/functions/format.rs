//! `format` and `formatlist`: cty's stdlib format verbs. cty scans the format with a small
//! state machine, pads strings itself (widths in grapheme clusters) and hands number verbs to
//! Go's `fmt` with a `big.Int` or `big.Float`; each of those is reproduced here.
use super::encoding::json_encode;
use super::{str_arg, FnResult};
use crate::model::number::Decimal;
use crate::model::Seq;
use crate::model::{Number, Value};
use num_bigint::{BigInt, Sign};
use unicode_segmentation::UnicodeSegmentation;

pub(super) fn format(a: Vec<Value>) -> FnResult {
    let fmt = str_arg(&a[0], "format")?;
    match format_with(&fmt, &a[1..]) {
        Ok(s) => Ok(Value::String(s)),
        // cty reports unused arguments against the parameter; other failures are the call's.
        Err(FormatError::Unused(m)) => Err(format!("Invalid value for \"args\" parameter: {m}.")),
        Err(FormatError::Verb(m)) => Err(m),
    }
}

/// Called with unknowns let through: an argument unknown as a whole (it may be a list) makes
/// the result unknown, an unknown inside a list only its own row, as cty does.
pub(super) fn formatlist(a: Vec<Value>) -> FnResult {
    if let Some(Value::Unknown(u)) = a.iter().find(|v| matches!(v, Value::Unknown(_))) {
        return Ok(Value::Unknown(u.clone()));
    }
    let fmt = str_arg(&a[0], "format")?;
    let args = &a[1..];
    let mut len: Option<(usize, usize)> = None;
    for (i, v) in args.iter().enumerate() {
        if let Value::List(Seq { items: l, .. }) | Value::Set(l) = v {
            match len {
                None => len = Some((l.len(), i)),
                Some((n, j)) if n != l.len() => {
                    return Err(format!(
                        "Invalid value for \"args\" parameter: argument {} has length {}, which is inconsistent with argument {} of length {}.",
                        i + 1,
                        l.len(),
                        j + 1,
                        n
                    ))
                }
                _ => {}
            }
        }
    }
    let n = len.map(|(n, _)| n).unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let row: Vec<Value> = args
            .iter()
            .map(|v| match v {
                Value::List(Seq { items: l, .. }) | Value::Set(l) => l[k].clone(),
                v => v.clone(),
            })
            .collect();
        let refs: Vec<&Value> = row.iter().collect();
        if let Some(u) = Value::unknown_of_all(&refs) {
            out.push(u);
            continue;
        }
        match format_with(&fmt, &row) {
            Ok(s) => out.push(Value::String(s)),
            Err(FormatError::Unused(m) | FormatError::Verb(m)) => {
                return Err(format!("error on format iteration {k}: {m}"))
            }
        }
    }
    Ok(Value::list(out))
}

/// Why a format failed.
#[derive(Debug)]
pub(crate) enum FormatError {
    /// Arguments left over after the last verb.
    Unused(String),
    /// A bad format string, a missing argument or a value the verb cannot print.
    Verb(String),
}

/// One `%` sequence as cty's scanner reads it: flags, width, precision, `[n]`, verb letter.
#[derive(Default)]
struct Verb<'a> {
    raw: &'a str,
    offset: usize,
    arg: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Where the scanner is inside a `%` sequence; each part is optional, in this order.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum At {
    Flags,
    Width,
    Prec,
    ArgFirst,
    ArgRest,
    Mode,
}

/// Formats `args` per `fmt` with Terraform's verbs.
pub(crate) fn format_with(fmt: &str, args: &[Value]) -> Result<String, FormatError> {
    let err = FormatError::Verb;
    let mut out = String::new();
    let mut next_arg = 1usize;
    let mut highest = 0usize;
    let mut chars = fmt.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if let Some((_, '%')) = chars.peek() {
            chars.next();
            out.push('%');
            continue;
        }
        let mut v = Verb {
            offset: start,
            arg: next_arg,
            ..Verb::default()
        };
        let mut at = At::Flags;
        let mut width = String::new();
        let mut prec: Option<String> = None;
        let mut index = String::new();
        loop {
            let Some((p, c)) = chars.next() else {
                return Err(err(format!(
                    "invalid format string starting at offset {}",
                    fmt.len()
                )));
            };
            match (at, c) {
                (At::Flags, '0' | '#' | '-' | '+' | ' ') => match c {
                    '0' => v.zero = true,
                    '#' => v.sharp = true,
                    '-' => v.minus = true,
                    '+' => v.plus = true,
                    _ => v.space = true,
                },
                (At::Flags, '1'..='9') | (At::Width, '0'..='9') if prec.is_none() => {
                    at = At::Width;
                    width.push(c);
                }
                (At::Flags | At::Width, '.') => {
                    at = At::Prec;
                    prec = Some(String::new());
                }
                (At::Prec, '0'..='9') => prec.get_or_insert_with(String::new).push(c),
                (At::Flags | At::Width | At::Prec, '[') => at = At::ArgFirst,
                (At::ArgFirst, '1'..='9') | (At::ArgRest, '0'..='9') => {
                    at = At::ArgRest;
                    index.push(c);
                }
                (At::ArgRest, ']') => at = At::Mode,
                (At::ArgFirst | At::ArgRest, _) => {
                    return Err(err(format!(
                        "unrecognized format character {c:?} at offset {p}"
                    )))
                }
                (_, c) if c.is_ascii_alphabetic() => {
                    v.mode = c;
                    v.raw = &fmt[start..p + 1];
                    break;
                }
                (_, c) => {
                    return Err(err(format!(
                        "unrecognized format character {c:?} at offset {p}"
                    )))
                }
            }
        }
        if !width.is_empty() {
            v.width = Some(parse_count(&width, start)?);
        }
        if let Some(p) = &prec {
            v.prec = Some(if p.is_empty() {
                0
            } else {
                parse_count(p, start)?
            });
        }
        if !index.is_empty() {
            v.arg = index.parse().unwrap_or(usize::MAX);
        }
        highest = highest.max(v.arg);
        append(&v, args, &mut out).map_err(err)?;
        next_arg = v.arg.saturating_add(1);
    }
    if highest < args.len() {
        return Err(FormatError::Unused(if highest == 0 {
            "too many arguments; no verbs in format string".to_string()
        } else {
            format!("too many arguments; only {highest} used by format string")
        }));
    }
    Ok(out)
}

/// A width or precision; absurd sizes are refused rather than allocated.
fn parse_count(digits: &str, at: usize) -> Result<usize, FormatError> {
    digits
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= MAX_COUNT)
        .ok_or_else(|| FormatError::Verb(format!("width or precision too large at offset {at}")))
}

const MAX_COUNT: usize = 10_000_000;

/// cty `formatAppend`: one verb applied to its argument.
fn append(v: &Verb, args: &[Value], out: &mut String) -> Result<(), String> {
    let Some(arg) = v.arg.checked_sub(1).and_then(|i| args.get(i)) else {
        return Err(format!(
            "not enough arguments for {:?} at {}: need index {} but have {} total",
            v.raw,
            v.offset,
            v.arg,
            args.len()
        ));
    };
    let unsupported =
        |why: &str| format!("unsupported value for {:?} at {}: {why}", v.raw, v.offset);
    if v.mode != 'v' && arg.is_null() {
        return Err(unsupported("null value cannot be formatted"));
    }
    match v.mode {
        'v' => {
            let text = match arg {
                Value::String(s) if !v.sharp => s.clone(),
                Value::Number(n) if !v.sharp && n.is_infinite() => {
                    if n.is_sign_negative() { "-Inf" } else { "+Inf" }.to_string()
                }
                Value::Number(n) if !v.sharp => {
                    let mut s = sign(n, false, false).to_string();
                    s.push_str(&float_text(n, 'g', None).map_err(|e| unsupported(&e))?);
                    s
                }
                _ => json_encode(arg).map_err(|e| unsupported(&e))?,
            };
            out.push_str(&pad_graphemes(v, text));
        }
        't' => out.push_str(match arg {
            Value::Bool(b) => bool_str(*b),
            Value::String(s) if s == "true" || s == "false" => s,
            Value::String(_) => return Err(unsupported("a bool is required")),
            _ => return Err(unsupported("bool required")),
        }),
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = match arg {
                Value::Number(n) => n.clone(),
                Value::String(s) => {
                    Number::parse_strict(s).ok_or_else(|| unsupported("a number is required"))?
                }
                _ => return Err(unsupported("number required")),
            };
            if n.text_too_long() {
                n.to_text().map_err(|e| unsupported(&e))?;
            }
            if "bdoxX".contains(v.mode) {
                let i = n
                    .to_bigint()
                    .ok_or_else(|| unsupported("an integer is required"))?;
                out.push_str(&go_int(v, &i));
            } else {
                out.push_str(&go_float(v, &n).map_err(|e| unsupported(&e))?);
            }
        }
        's' | 'q' => {
            let s = match arg {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_text().map_err(|e| unsupported(&e))?,
                Value::Bool(b) => bool_str(*b).to_string(),
                _ => return Err(unsupported("string required")),
            };
            // cty truncates to a precision in grapheme clusters, and only a positive one.
            let s = match v.prec {
                Some(p) if p > 0 => s.graphemes(true).take(p).collect(),
                _ => s,
            };
            let s = if v.mode == 'q' {
                json_encode(&Value::String(s)).map_err(|e| unsupported(&e))?
            } else {
                s
            };
            out.push_str(&pad_graphemes(v, s));
        }
        m => {
            return Err(format!(
                "unsupported format verb {m:?} in {:?} at offset {}",
                v.raw, v.offset
            ))
        }
    }
    Ok(())
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// cty `formatPadWidth` (strings, `%v`): the width counts grapheme clusters and the `0` flag
/// pads with zeros even on the right or before a minus sign.
fn pad_graphemes(v: &Verb, s: String) -> String {
    let Some(w) = v.width else { return s };
    let n = s.graphemes(true).count();
    if n >= w {
        return s;
    }
    let fill = if v.zero { "0" } else { " " }.repeat(w - n);
    if v.minus {
        s + &fill
    } else {
        fill + &s
    }
}

/// The sign Go's formatters put in front of a number.
fn sign(n: &Number, plus: bool, space: bool) -> &'static str {
    if n.is_sign_negative() {
        "-"
    } else if plus {
        "+"
    } else if space {
        " "
    } else {
        ""
    }
}

/// Go `big.Int.Format`: a `#` prefix per base, the precision as a minimum digit count (and
/// `%.0d` of zero printing nothing at all), zero padding only without a precision, and `-`
/// padding on the right winning over `0`.
fn go_int(v: &Verb, i: &BigInt) -> String {
    let mag = i.magnitude();
    let sign = if i.sign() == Sign::Minus {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let prefix = match (v.sharp, v.mode) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let digits = match v.mode {
        'b' => mag.to_str_radix(2),
        'o' => mag.to_str_radix(8),
        'x' => mag.to_str_radix(16),
        'X' => mag.to_str_radix(16).to_uppercase(),
        _ => mag.to_string(),
    };
    let mut zeros = 0;
    if let Some(p) = v.prec {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            return String::new();
        }
    }
    let (mut left, mut right) = (0, 0);
    let len = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(w) = v.width.filter(|w| *w > len) {
        let d = w - len;
        if v.minus {
            right = d;
        } else if v.zero && v.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

/// Go `big.Float.Format`: the text of [`float_text`] behind a sign, padded to the width with
/// zeros after the sign when `0` is given (even with `-`), else with spaces.
fn go_float(v: &Verb, n: &Number) -> Result<String, String> {
    let prec = match v.mode {
        'e' | 'E' | 'f' => Some(v.prec.unwrap_or(6)),
        _ => v.prec,
    };
    if n.is_infinite() {
        // Go writes `+Inf` (a space for the space flag) and never zero-pads an infinity.
        let body = match (n.is_sign_negative(), v.space) {
            (true, _) => "-Inf",
            (false, true) => " Inf",
            (false, false) => "+Inf",
        };
        let pad = " ".repeat(v.width.map_or(0, |w| w.saturating_sub(4)));
        return Ok(if v.minus {
            format!("{body}{pad}")
        } else {
            format!("{pad}{body}")
        });
    }
    let body = float_text(n, v.mode, prec)?;
    let sign = sign(n, v.plus, v.space);
    let pad = v
        .width
        .map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    Ok(if v.zero {
        format!("{sign}{}{body}", "0".repeat(pad))
    } else if v.minus {
        format!("{sign}{body}{}", " ".repeat(pad))
    } else {
        format!("{}{sign}{body}", " ".repeat(pad))
    })
}

/// Go `big.Float.Text(verb, prec)` without the sign: `None` is the shortest text that reads
/// back to the value; a precision rounds the exact binary value, so a decimal tie such as
/// 2.675 (stored as 2.67499…) is not one.
fn float_text(n: &Number, verb: char, prec: Option<usize>) -> Result<String, String> {
    if n.is_infinite() {
        return Ok("Inf".into());
    }
    if n.text_too_long() {
        n.to_text()?;
    }
    let shortest = prec.is_none();
    let mut d = n.decimal(shortest);
    let round = |d: &mut Decimal, digits: i64| {
        if digits >= 0 {
            d.round(digits as usize)
        }
    };
    let len = d.mant.len() as i64;
    let mut prec = match prec {
        Some(p) => {
            let p = p as i64;
            match verb {
                'e' | 'E' => round(&mut d, 1 + p),
                'f' => {
                    let digits = d.exp + p;
                    round(&mut d, digits)
                }
                _ => round(&mut d, p.max(1)),
            }
            if matches!(verb, 'g' | 'G') {
                p.max(1)
            } else {
                p
            }
        }
        None => match verb {
            'e' | 'E' => len - 1,
            'f' => (len - d.exp).max(0),
            _ => len,
        },
    };
    Ok(match verb {
        'e' | 'E' => fmt_e(verb, prec, &d),
        'f' => fmt_f(prec, &d),
        _ => {
            let len = d.mant.len() as i64;
            let mut eprec = prec;
            if eprec > len && len >= d.exp {
                eprec = len;
            }
            // Shortest `%g` (and so `%v`) switches to an exponent from 1e+06 and below 1e-04.
            if shortest {
                eprec = 6;
            }
            let exp = d.exp - 1;
            let e = if verb == 'G' { 'E' } else { 'e' };
            if exp < -4 || exp >= eprec {
                prec = prec.min(len);
                fmt_e(e, prec - 1, &d)
            } else {
                if prec > d.exp {
                    prec = len;
                }
                fmt_f((prec - d.exp).max(0), &d)
            }
        }
    })
}

fn digit(d: &Decimal, i: i64) -> char {
    if i < 0 {
        return '0';
    }
    d.mant.get(i as usize).map_or('0', |&b| b as char)
}

/// Go `fmtE`: one digit, `prec` more, and an exponent of at least two digits.
fn fmt_e(e: char, prec: i64, d: &Decimal) -> String {
    let mut s = String::new();
    s.push(digit(d, 0));
    if prec > 0 {
        s.push('.');
        for i in 1..=prec {
            s.push(digit(d, i));
        }
    }
    let exp = if d.mant.is_empty() { 0 } else { d.exp - 1 };
    s.push(e);
    s.push(if exp < 0 { '-' } else { '+' });
    s.push_str(&format!("{:02}", exp.unsigned_abs()));
    s
}

/// Go `fmtF`: the integer part (at least `0`) and `prec` fraction digits.
fn fmt_f(prec: i64, d: &Decimal) -> String {
    let mut s = String::new();
    if d.exp > 0 {
        for i in 0..d.exp {
            s.push(digit(d, i));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 0..prec {
            s.push(digit(d, d.exp + i));
        }
    }
    s
}
