//! `format` and `formatlist`, following cty's stdlib format verbs.
use super::encoding::json_encode;
use super::{str_arg, FnResult};
use crate::model::Seq;
use crate::model::{Number, Value};
use num_bigint::BigInt;

pub(super) fn format(a: Vec<Value>) -> FnResult {
    let fmt = str_arg(&a[0], "format")?;
    Ok(Value::String(format_with(&fmt, &a[1..])?))
}

pub(super) fn formatlist(a: Vec<Value>) -> FnResult {
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
        out.push(Value::String(
            format_with(&fmt, &row).map_err(|e| format!("error on format iteration {k}: {e}"))?,
        ));
    }
    Ok(Value::list(out))
}

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Formats `args` per `fmt` with Terraform's verbs.
pub(crate) fn format_with(fmt: &str, args: &[Value]) -> Result<String, String> {
    let b: Vec<char> = fmt.chars().collect();
    // byte offsets of each char, for error messages
    let offs: Vec<usize> = fmt.char_indices().map(|(i, _)| i).collect();
    let mut out = String::new();
    let mut next_arg = 0usize;
    let mut max_used = 0usize;
    let mut i = 0;
    while i < b.len() {
        if b[i] != '%' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i >= b.len() {
            return Err(format!(
                "invalid format string starting at offset {}",
                fmt.len()
            ));
        }
        if b[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut sp = Spec::default();
        while i < b.len() {
            match b[i] {
                '-' => sp.minus = true,
                '+' => sp.plus = true,
                ' ' => sp.space = true,
                '0' => sp.zero = true,
                '#' => sp.sharp = true,
                _ => break,
            }
            i += 1;
        }
        if i < b.len() && b[i] == '[' {
            let close = b[i..].iter().position(|&c| c == ']').map(|p| p + i);
            let close = close
                .ok_or_else(|| format!("unterminated argument index at offset {}", offs[start]))?;
            let idx: String = b[i + 1..close].iter().collect();
            let idx: usize = idx
                .parse()
                .map_err(|_| format!("invalid argument index at offset {}", offs[start]))?;
            if idx == 0 {
                return Err(format!("invalid argument index at offset {}", offs[start]));
            }
            next_arg = idx - 1;
            i = close + 1;
        }
        let mut num = String::new();
        while i < b.len() && b[i].is_ascii_digit() {
            num.push(b[i]);
            i += 1;
        }
        if !num.is_empty() {
            sp.width = Some(parse_count(&num, offs[start])?);
        }
        if i < b.len() && b[i] == '.' {
            i += 1;
            let mut p = String::new();
            while i < b.len() && b[i].is_ascii_digit() {
                p.push(b[i]);
                i += 1;
            }
            sp.prec = Some(if p.is_empty() {
                0
            } else {
                parse_count(&p, offs[start])?
            });
        }
        if i >= b.len() {
            return Err(format!(
                "invalid format string starting at offset {}",
                fmt.len()
            ));
        }
        let verb = b[i];
        i += 1;
        let spec_text: String = b[start..i].iter().collect();
        if !verb.is_ascii_alphabetic() {
            return Err(format!(
                "unrecognized format character '{verb}' at offset {}",
                offs[i - 1]
            ));
        }
        if !"vtbdoxXeEfFgGsq".contains(verb) {
            return Err(format!(
                "unsupported format verb '{verb}' in \"{spec_text}\" at offset {}",
                offs[start]
            ));
        }
        if next_arg >= args.len() {
            return Err(format!(
                "not enough arguments for \"{spec_text}\" at {}: need index {} but have {} total",
                offs[start],
                next_arg + 1,
                args.len()
            ));
        }
        let arg = &args[next_arg];
        next_arg += 1;
        max_used = max_used.max(next_arg);
        let piece = format_one(verb, &sp, arg).map_err(|e| {
            format!(
                "unsupported value for \"{spec_text}\" at {}: {e}",
                offs[start]
            )
        })?;
        out.push_str(&piece);
    }
    if max_used < args.len() {
        return Err(format!(
            "Invalid value for \"args\" parameter: too many arguments; only {max_used} used by format string."
        ));
    }
    Ok(out)
}

/// A width or precision; absurd sizes are refused rather than allocated.
fn parse_count(digits: &str, at: usize) -> Result<usize, String> {
    digits
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= MAX_COUNT)
        .ok_or_else(|| format!("width or precision too large at offset {at}"))
}

const MAX_COUNT: usize = 10_000_000;

fn format_one(verb: char, sp: &Spec, arg: &Value) -> Result<String, String> {
    if arg.is_null() && verb != 'v' {
        return Err("null value cannot be formatted".into());
    }
    match verb {
        'v' => {
            if sp.sharp {
                return Ok(pad(&json_encode(arg)?, sp, false));
            }
            let s = match arg {
                Value::Null => "null".to_string(),
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_text()?,
                Value::Bool(b) => b.to_string(),
                v => json_encode(v)?,
            };
            Ok(pad(&s, sp, false))
        }
        's' => {
            let s = arg
                .to_tf_string()
                .map_err(|_| "string required".to_string())?;
            let s: String = match sp.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            Ok(pad(&s, sp, false))
        }
        'q' => {
            let s = arg
                .to_tf_string()
                .map_err(|_| "string required".to_string())?;
            Ok(pad(&json_encode(&Value::String(s))?, sp, false))
        }
        't' => {
            let b = arg
                .to_tf_bool()
                .map_err(|_| "bool is required".to_string())?;
            Ok(b.to_string())
        }
        _ => {
            let n = arg
                .to_tf_number()
                .map_err(|_| "a number is required".to_string())?;
            if n.text_too_long() {
                n.to_text()?;
            }
            let (neg, body) = match verb {
                'b' | 'd' | 'o' | 'x' | 'X' => {
                    let i = to_bigint(&n).ok_or("an integer is required")?;
                    let neg = i.sign() == num_bigint::Sign::Minus;
                    let mag = if neg { -i } else { i };
                    let body = match verb {
                        'b' => mag.to_str_radix(2),
                        'o' => mag.to_str_radix(8),
                        'x' => mag.to_str_radix(16),
                        'X' => mag.to_str_radix(16).to_uppercase(),
                        _ => mag.to_string(),
                    };
                    (neg, body)
                }
                _ => {
                    let dec = Decimal::from_number(&n);
                    let body = match verb {
                        'e' | 'E' => {
                            let s = dec.exp_form(sp.prec.unwrap_or(6));
                            if verb == 'E' {
                                s.to_uppercase()
                            } else {
                                s
                            }
                        }
                        'f' | 'F' => dec.fixed(sp.prec.unwrap_or(6)),
                        _ => {
                            let s = dec.general(sp.prec);
                            if verb == 'G' {
                                s.to_uppercase()
                            } else {
                                s
                            }
                        }
                    };
                    (dec.neg && !dec.is_zero(), body)
                }
            };
            let sign = if neg {
                "-"
            } else if sp.plus {
                "+"
            } else if sp.space {
                " "
            } else {
                ""
            };
            if sp.zero && !sp.minus {
                let w = sp.width.unwrap_or(0);
                let len = sign.len() + body.chars().count();
                let zeros = "0".repeat(w.saturating_sub(len));
                Ok(format!("{sign}{zeros}{body}"))
            } else {
                Ok(pad(&format!("{sign}{body}"), sp, false))
            }
        }
    }
}

fn pad(s: &str, sp: &Spec, _num: bool) -> String {
    let w = sp.width.unwrap_or(0);
    let n = s.chars().count();
    if n >= w {
        return s.to_string();
    }
    let fill = " ".repeat(w - n);
    if sp.minus {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

/// An exact integer, via the number's canonical decimal text.
pub(crate) fn to_bigint(n: &Number) -> Option<BigInt> {
    if !n.is_integer() || n.text_too_long() {
        return None;
    }
    let d = Decimal::from_number(n);
    let mut digits = d.digits.clone();
    let int_len = d.point.max(0) as usize;
    if digits.len() > int_len {
        // fractional digits must all be zero for an integer
        digits.truncate(int_len);
    }
    while digits.len() < int_len {
        digits.push(0);
    }
    let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let s = if s.is_empty() { "0".to_string() } else { s };
    let v: BigInt = s.parse().ok()?;
    Some(if d.neg { -v } else { v })
}

/// A decimal digit string: value = 0.d1d2d3... × 10^point.
#[derive(Clone, Debug)]
pub(crate) struct Decimal {
    pub neg: bool,
    pub digits: Vec<u8>,
    pub point: i64,
}

impl Decimal {
    pub fn from_number(n: &Number) -> Decimal {
        Decimal::parse(&n.format())
    }

    pub fn parse(text: &str) -> Decimal {
        let (neg, t) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mant, exp) = match t.find(['e', 'E']) {
            Some(p) => (&t[..p], t[p + 1..].parse::<i64>().unwrap_or(0)),
            None => (t, 0),
        };
        let (ip, fp) = match mant.find('.') {
            Some(p) => (&mant[..p], &mant[p + 1..]),
            None => (mant, ""),
        };
        let mut digits: Vec<u8> = ip.bytes().chain(fp.bytes()).map(|b| b - b'0').collect();
        let mut point = ip.len() as i64 + exp;
        while digits.first() == Some(&0) {
            digits.remove(0);
            point -= 1;
        }
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            point = 0;
        }
        Decimal { neg, digits, point }
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Rounds to `n` significant digits (half to even on an exact half).
    fn round_sig(&self, n: i64) -> Decimal {
        let mut d = self.clone();
        if n < 0 {
            d.digits.clear();
            d.point = 0;
            return d;
        }
        let n = n as usize;
        if d.digits.len() <= n {
            return d;
        }
        let rest = &d.digits[n..];
        let up = match rest[0].cmp(&5) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => {
                rest[1..].iter().any(|&x| x != 0) || (n > 0 && d.digits[n - 1] % 2 == 1)
            }
        };
        d.digits.truncate(n);
        if up {
            let mut i = n;
            loop {
                if i == 0 {
                    d.digits.insert(0, 1);
                    d.point += 1;
                    break;
                }
                i -= 1;
                if d.digits[i] == 9 {
                    d.digits[i] = 0;
                } else {
                    d.digits[i] += 1;
                    break;
                }
            }
        }
        while d.digits.last() == Some(&0) {
            d.digits.pop();
        }
        if d.digits.is_empty() {
            d.point = 0;
        }
        d
    }

    fn digit(&self, i: i64) -> char {
        if i < 0 || i as usize >= self.digits.len() {
            '0'
        } else {
            char::from(b'0' + self.digits[i as usize])
        }
    }

    /// `%f` body (no sign).
    pub fn fixed(&self, prec: usize) -> String {
        let d = self.round_sig(self.point + prec as i64);
        let mut s = String::new();
        if d.point <= 0 {
            s.push('0');
        } else {
            for i in 0..d.point {
                s.push(d.digit(i));
            }
        }
        if prec > 0 {
            s.push('.');
            for k in 0..prec as i64 {
                s.push(d.digit(d.point + k));
            }
        }
        s
    }

    /// `%e` body (no sign).
    pub fn exp_form(&self, prec: usize) -> String {
        let d = self.round_sig(prec as i64 + 1);
        let mut s = String::new();
        s.push(d.digit(0));
        if prec > 0 {
            s.push('.');
            for k in 1..=prec as i64 {
                s.push(d.digit(k));
            }
        }
        let e = if d.is_zero() { 0 } else { d.point - 1 };
        s.push_str(&format!("e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs()));
        s
    }

    /// `%g` body (no sign): shortest digits, exponent form outside [-4, 21).
    pub fn general(&self, prec: Option<usize>) -> String {
        let d = match prec {
            Some(p) => self.round_sig(p.max(1) as i64),
            None => self.clone(),
        };
        if d.is_zero() {
            return "0".into();
        }
        let e = d.point - 1;
        let limit = prec.map(|p| p.max(1) as i64).unwrap_or(21);
        if e < -4 || e >= limit {
            let mut s = String::new();
            s.push(d.digit(0));
            if d.digits.len() > 1 {
                s.push('.');
                for k in 1..d.digits.len() as i64 {
                    s.push(d.digit(k));
                }
            }
            s.push_str(&format!("e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs()));
            s
        } else {
            let frac = (d.digits.len() as i64 - d.point).max(0) as usize;
            d.fixed(frac)
        }
    }
}
