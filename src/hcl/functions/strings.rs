//! String functions.
use super::{int_arg, list_arg, str_arg, FnResult};
use crate::model::Value;
use std::collections::BTreeMap;
use unicode_segmentation::UnicodeSegmentation;

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    match name {
        "lower" => Ok(Value::String(
            str_arg(&a[0], "str")?.chars().map(lower_rune).collect(),
        )),
        "upper" => Ok(Value::String(
            str_arg(&a[0], "str")?.chars().map(upper_rune).collect(),
        )),
        "title" => Ok(Value::String(title(&str_arg(&a[0], "str")?))),
        "trimspace" => Ok(Value::String(str_arg(&a[0], "str")?.trim().to_string())),
        "chomp" => Ok(Value::String(
            str_arg(&a[0], "str")?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
        )),
        "strrev" => Ok(Value::String(
            str_arg(&a[0], "str")?.graphemes(true).rev().collect(),
        )),
        "trim" => {
            let s = str_arg(&a[0], "str")?;
            let cut: Vec<char> = str_arg(&a[1], "cutset")?.chars().collect();
            Ok(Value::String(s.trim_matches(cut.as_slice()).to_string()))
        }
        "trimprefix" => {
            let s = str_arg(&a[0], "str")?;
            let p = str_arg(&a[1], "prefix")?;
            Ok(Value::String(
                s.strip_prefix(p.as_str()).unwrap_or(&s).to_string(),
            ))
        }
        "trimsuffix" => {
            let s = str_arg(&a[0], "str")?;
            let p = str_arg(&a[1], "suffix")?;
            Ok(Value::String(
                s.strip_suffix(p.as_str()).unwrap_or(&s).to_string(),
            ))
        }
        "startswith" => Ok(Value::Bool(
            str_arg(&a[0], "str")?.starts_with(&str_arg(&a[1], "prefix")?),
        )),
        "endswith" => Ok(Value::Bool(
            str_arg(&a[0], "str")?.ends_with(&str_arg(&a[1], "suffix")?),
        )),
        "strcontains" => Ok(Value::Bool(
            str_arg(&a[0], "str")?.contains(&str_arg(&a[1], "substr")?),
        )),
        "indent" => {
            let n = int_arg(&a[0], "spaces")?;
            if n > 10_000_000 {
                return Err("Invalid value for \"spaces\" parameter: too many spaces.".into());
            }
            let s = str_arg(&a[1], "str")?;
            // cty's indent panics on a negative count (Go's strings.Repeat), and Terraform
            // reports the panic as the call's error.
            if n < 0 {
                return Err(
                    "panic in function implementation: strings: negative Repeat count".into(),
                );
            }
            let pad = " ".repeat(n as usize);
            Ok(Value::String(s.replace('\n', &format!("\n{pad}"))))
        }
        "split" => {
            let sep = str_arg(&a[0], "separator")?;
            let s = str_arg(&a[1], "str")?;
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep.as_str()).map(Value::string).collect()
            };
            Ok(Value::list(parts))
        }
        "join" => {
            let sep = str_arg(&a[0], "separator")?;
            let mut parts = Vec::new();
            for l in &a[1..] {
                for e in list_arg(l, "lists")? {
                    if e.is_null() {
                        return Err(format!(
                            "Invalid value for \"lists\" parameter: element {} is null; cannot concatenate null values.",
                            parts.len()
                        ));
                    }
                    parts.push(str_arg(e, "lists")?);
                }
            }
            Ok(Value::String(parts.join(&sep)))
        }
        "substr" => {
            let s = str_arg(&a[0], "str")?;
            let off = int_arg(&a[1], "offset")?;
            let len = int_arg(&a[2], "length")?;
            Ok(Value::String(substr(&s, off, len)))
        }
        "replace" => {
            let s = str_arg(&a[0], "str")?;
            let sub = str_arg(&a[1], "substr")?;
            let rep = str_arg(&a[2], "replace")?;
            if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
                let re = compile(&sub[1..sub.len() - 1])?;
                Ok(Value::String(re.replace_all(&s, rep.as_str()).into_owned()))
            } else {
                Ok(Value::String(s.replace(&sub, &rep)))
            }
        }
        "regex" => {
            let re = compile_captures(&str_arg(&a[0], "pattern")?)?;
            let s = str_arg(&a[1], "string")?;
            let caps = re
                .captures(&s)
                .ok_or("pattern did not match any part of the given string")?;
            Ok(captures_value(&re, &caps))
        }
        "regexall" => {
            let re = compile_captures(&str_arg(&a[0], "pattern")?)?;
            let s = str_arg(&a[1], "string")?;
            Ok(Value::List(
                re.captures_iter(&s)
                    .map(|c| captures_value(&re, &c))
                    .collect(),
            ))
        }
        _ => Err(format!("unknown string function {name}")),
    }
}

fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&from_re2(pattern)?)
        .map_err(|e| format!("invalid regular expression pattern: {e}"))
}

/// An RE2 pattern in Rust's `regex` dialect. RE2's `\d`, `\s`, `\w` and `\b` are ASCII-only
/// where Rust's are Unicode (`\w` does not match "é" in Terraform): spelled out as the ASCII
/// classes they are. A `{` that does not start a repetition RE2 can read is a literal there
/// (`${x}`, `a{,2}`, `a{01}`) and an error in Rust: escaped.
fn from_re2(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    // Inside `[...]`; `class_start` while a `]` would still be a literal (`[]a]`, `[^]a]`).
    let (mut in_class, mut class_start) = (false, false);
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push(c);
                    break;
                };
                let spelled = match (e, in_class) {
                    ('d', false) => Some("[0-9]"),
                    ('D', false) => Some("[^0-9]"),
                    ('w', false) => Some("[0-9A-Za-z_]"),
                    ('W', false) => Some("[^0-9A-Za-z_]"),
                    ('s', false) => Some("[\\t\\n\\x0C\\r ]"),
                    ('S', false) => Some("[^\\t\\n\\x0C\\r ]"),
                    ('b', false) => Some("(?-u:\\b)"),
                    ('B', false) => Some("(?-u:\\B)"),
                    ('d', true) => Some("0-9"),
                    ('w', true) => Some("0-9A-Za-z_"),
                    ('s', true) => Some("\\t\\n\\x0C\\r "),
                    ('D', true) => Some("[:^digit:]"),
                    ('W', true) => Some("[:^word:]"),
                    _ => None,
                };
                match spelled {
                    Some(t) => out.push_str(t),
                    // `\p{Greek}`, `\x{41}`: the braces belong to the escape.
                    None if matches!(e, 'p' | 'P' | 'x') && chars.peek() == Some(&'{') => {
                        out.push(c);
                        out.push(e);
                        for d in chars.by_ref() {
                            out.push(d);
                            if d == '}' {
                                break;
                            }
                        }
                    }
                    None => {
                        out.push(c);
                        out.push(e);
                    }
                }
                class_start = false;
            }
            '[' if !in_class => {
                out.push(c);
                in_class = true;
                class_start = true;
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().expect("peeked"));
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // `[:alpha:]` inside a class: copied whole (ASCII in both dialects).
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
                class_start = false;
            }
            ']' if in_class && !class_start => {
                out.push(c);
                in_class = false;
            }
            '{' if !in_class => {
                // A repetition is short: looking further would make a pattern of many braces
                // quadratic.
                let rest: String = chars.clone().take(64).collect();
                match re2_repeat(&rest) {
                    Some((min, max)) => {
                        if min > 1000 || max.is_some_and(|m| m > 1000 || m < min) {
                            return Err("Invalid value for \"pattern\" parameter: invalid regexp pattern: invalid repeat count.".into());
                        }
                        out.push(c);
                    }
                    None => out.push_str("\\{"),
                }
            }
            _ => {
                out.push(c);
                class_start = false;
            }
        }
    }
    Ok(out)
}

/// The bounds of an RE2 repetition `{n}`, `{n,}` or `{n,m}` whose text after the `{` starts
/// `rest`: decimal numbers without leading zeros (Go's regexp/syntax `parseRepeat`).
fn re2_repeat(rest: &str) -> Option<(u64, Option<u64>)> {
    fn number(s: &str) -> Option<(u64, &str)> {
        let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || (digits > 1 && s.starts_with('0')) {
            return None;
        }
        // Beyond 1e8 Go stops counting; any such count is refused anyway.
        let n = s[..digits.min(9)].parse().ok()?;
        Some((n, &s[digits..]))
    }
    let (min, s) = number(rest)?;
    let (max, s) = match s.strip_prefix(',') {
        None => (Some(min), s),
        Some(s) if s.starts_with('}') => (None, s),
        Some(s) => {
            let (m, s) = number(s)?;
            (Some(m), s)
        }
    };
    s.starts_with('}').then_some((min, max))
}

/// A pattern for `regex`/`regexall`: Terraform refuses to mix named and numbered groups,
/// since its result is either a map or a list.
fn compile_captures(pattern: &str) -> Result<regex::Regex, String> {
    let re = compile(pattern)?;
    let named = re.capture_names().skip(1).filter(Option::is_some).count();
    if named > 0 && named + 1 < re.captures_len() {
        return Err("Invalid value for \"pattern\" parameter: invalid regexp pattern: cannot mix both named and unnamed capture groups.".into());
    }
    Ok(re)
}

/// Terraform's regex result shape: no groups → the match; named groups → a map; numbered
/// groups → a list. Unmatched optional groups become null.
fn captures_value(re: &regex::Regex, caps: &regex::Captures) -> Value {
    let group = |i: usize| {
        caps.get(i)
            .map(|m| Value::string(m.as_str()))
            .unwrap_or(Value::Null)
    };
    if re.captures_len() == 1 {
        return group(0);
    }
    let names: Vec<Option<&str>> = re.capture_names().collect();
    if names.iter().skip(1).any(Option::is_some) {
        let mut m = BTreeMap::new();
        for (i, n) in names.iter().enumerate().skip(1) {
            if let Some(n) = n {
                m.insert(n.to_string(), group(i));
            }
        }
        Value::map(m)
    } else {
        Value::List((1..re.captures_len()).map(group).collect())
    }
}

/// Go's strings.Title: uppercases the first letter of each word.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.push(title_rune(c));
        } else {
            out.push(c);
        }
        prev_sep = is_separator(c);
    }
    out
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

/// Go's unicode.ToUpper: the simple (one-to-one) case mapping, so `ß` stays `ß`.
fn upper_rune(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        // Full mappings that expand; the simple mapping of the Greek letters with
        // ypogegrammeni is their titlecase (prosgegrammeni) form, others map to themselves.
        _ => match c as u32 {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => {
                char::from_u32(c as u32 + 8).unwrap_or(c)
            }
            0x1FB3 => '\u{1FBC}',
            0x1FC3 => '\u{1FCC}',
            0x1FF3 => '\u{1FFC}',
            _ => c,
        },
    }
}

/// Go's unicode.ToLower: the simple case mapping (no final-sigma rule, `İ` → `i`).
fn lower_rune(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's unicode.ToTitle: like ToUpper except for the Latin digraphs.
fn title_rune(c: char) -> char {
    match c {
        '\u{01C4}'..='\u{01C6}' => '\u{01C5}',
        '\u{01C7}'..='\u{01C9}' => '\u{01C8}',
        '\u{01CA}'..='\u{01CC}' => '\u{01CB}',
        '\u{01F1}'..='\u{01F3}' => '\u{01F2}',
        _ => upper_rune(c),
    }
}

/// cty's Substr over extended grapheme clusters.
fn substr(s: &str, off: i64, len: i64) -> String {
    let chars: Vec<&str> = s.graphemes(true).collect();
    let n = chars.len() as i64;
    let (mut off, mut len) = (off, len);
    if off < 0 {
        off += n;
        if off < 0 {
            off = 0;
        }
        // cty reads a zero length after a negative offset as "to the end":
        // `substr("abcd", -2, 0)` is "cd".
        if len == 0 {
            len = -1;
        }
    }
    if off > n {
        return String::new();
    }
    let end = if len < 0 { n } else { (off + len).min(n) };
    if end <= off {
        return String::new();
    }
    chars[off as usize..end as usize].concat()
}
