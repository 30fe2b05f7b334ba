//! `formatdate`, `timeadd` and `timecmp`: RFC 3339 timestamps as Terraform reads them.
//!
//! Two parsers, because Terraform has two: `formatdate` and `timeadd` come from cty, which
//! accepts only strict RFC 3339; `timecmp` is Terraform's own and uses Go's `time.Parse`, which
//! also takes a one-digit hour, a comma before the fraction and a `+24:00` offset. Errors
//! keep the wording both give after rewriting Go's parse errors.
use super::{str_arg, FnResult};
use crate::model::{Number, Value};
use std::fmt::Write as _;

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    match name {
        "formatdate" => {
            let format = str_arg(&a[0], "format")?;
            let time = str_arg(&a[1], "time")?;
            let t = parse_strict(&time).map_err(|e| invalid("time", &e))?;
            format_date(&format, &t)
                .map(Value::String)
                .map_err(|e| invalid("format", &e))
        }
        "timeadd" => {
            let ts = parse_strict(&str_arg(&a[0], "timestamp")?)?;
            let d = parse_duration(&str_arg(&a[1], "duration")?)?;
            Ok(Value::String(ts.add_nanos(d).rfc3339()))
        }
        "timecmp" => {
            let x = parse_go(&str_arg(&a[0], "timestamp_a")?)
                .map_err(|e| invalid("timestamp_a", &e.terraform_message()))?;
            let y = parse_go(&str_arg(&a[1], "timestamp_b")?)
                .map_err(|e| invalid("timestamp_b", &e.terraform_message()))?;
            let c = x.instant().cmp(&y.instant()) as i64;
            Ok(Value::Number(Number::from_i64(c)))
        }
        _ => Err(format!("unknown time function {name}")),
    }
}

fn invalid(param: &str, msg: &str) -> String {
    format!("Invalid value for \"{param}\" parameter: {msg}.")
}

/// An instant with the UTC offset it was written in (Go's `time.Time` with a fixed zone).
#[derive(Clone, Copy, Debug)]
struct Time {
    /// Seconds since 1970-01-01T00:00:00Z.
    unix: i64,
    nanos: u32,
    /// The offset east of UTC, in seconds.
    offset: i32,
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Sunday.
    weekday: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Time {
    #[allow(clippy::too_many_arguments)]
    fn new(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32, offset: i32) -> Time {
        let local = days_from_civil(y, mo, d) * 86400 + (h * 3600 + mi * 60 + s) as i64;
        Time {
            unix: local - offset as i64,
            nanos,
            offset,
        }
    }

    fn instant(&self) -> (i64, u32) {
        (self.unix, self.nanos)
    }

    fn add_nanos(self, d: i64) -> Time {
        let total = self.unix as i128 * 1_000_000_000 + self.nanos as i128 + d as i128;
        Time {
            unix: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
            offset: self.offset,
        }
    }

    fn civil(&self) -> Civil {
        let local = self.unix + self.offset as i64;
        let days = local.div_euclid(86400);
        let secs = local.rem_euclid(86400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// Go's `-0700` (`colon` false) or `-07:00`; `z` writes "Z" for UTC (Go's `Z07:00`).
    fn zone(&self, colon: bool, z: bool) -> String {
        if z && self.offset == 0 {
            return "Z".into();
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let m = self.offset.unsigned_abs() / 60;
        let sep = if colon { ":" } else { "" };
        format!("{sign}{:02}{sep}{:02}", m / 60, m % 60)
    }

    /// Go's `time.RFC3339` layout: whole seconds, the timestamp's own offset.
    fn rfc3339(&self) -> String {
        let c = self.civil();
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
            go_year(c.year),
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            self.zone(true, true)
        )
    }
}

/// Go formats a year with at least four digits, the sign before the padding.
fn go_year(y: i64) -> String {
    if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

/// A parse error as Go's `time.ParseError` holds it.
#[derive(Debug)]
struct GoParseError {
    layout_elem: &'static str,
    value_elem: String,
    message: String,
}

impl GoParseError {
    fn new(layout_elem: &'static str, value_elem: &str, message: &str) -> GoParseError {
        GoParseError {
            layout_elem,
            value_elem: value_elem.to_string(),
            message: message.to_string(),
        }
    }

    /// Terraform's `timecmp` rewording of Go's error.
    fn terraform_message(&self) -> String {
        self.reword(false)
    }

    /// `cty` (`formatdate`, `timeadd`) words a few hour and minute errors more precisely.
    fn reword(&self, cty: bool) -> String {
        const P: &str = "not a valid RFC3339 timestamp";
        if self.layout_elem.is_empty() && self.value_elem.is_empty() && !self.message.is_empty() {
            return format!("{P}{}", self.message);
        }
        let what = match self.layout_elem {
            "2006" => "year",
            "01" => "month",
            "02" => "day of month",
            "15" => "hour",
            "04" => "minute",
            "05" => "second",
            "Z07:00" => "UTC offset",
            "T" => return format!("{P}: missing required time introducer 'T'"),
            ":" | "-" if self.value_elem.is_empty() => {
                return format!(
                    "{P}: end of string where {:?} is expected",
                    self.layout_elem
                )
            }
            ":" | "-" => {
                return format!(
                    "{P}: found {:?} where {:?} is expected",
                    self.value_elem, self.layout_elem
                )
            }
            _ => "timestamp segment",
        };
        if self.value_elem.is_empty() {
            return format!("{P}: end of string before {what}");
        }
        if cty {
            if what == "hour" && self.value_elem.contains(':') {
                return format!("{P}: hour must be between 0 and 23 inclusive");
            }
            if what == "hour" && self.value_elem.len() != 2 {
                return format!("{P}: hour must have exactly two digits");
            }
            if what == "minute" && self.value_elem.len() != 2 {
                return format!("{P}: minute must have exactly two digits");
            }
        }
        format!("{P}: cannot use {:?} as {what}", self.value_elem)
    }
}

/// Go's `getnum`: one or two leading digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| (c - b'0') as u32)
    };
    let first = digit(0)?;
    match digit(1) {
        Some(second) => Some((first * 10 + second, &s[2..])),
        None if fixed => None,
        None => Some((first, &s[1..])),
    }
}

/// Go's `parseNanoseconds` over `.ddd` (at most nine digits count).
fn fraction_nanos(digits: &str) -> u32 {
    let d = &digits[..digits.len().min(9)];
    let n: u32 = d.parse().unwrap_or(0);
    n * 10u32.pow(9 - d.len() as u32)
}

/// `time.Parse(time.RFC3339, s)` as Go 1.2x does it.
fn parse_go(s: &str) -> Result<Time, GoParseError> {
    let mut v = s;
    let lit = |v: &mut &str, l: &'static str| -> Result<(), GoParseError> {
        match v.strip_prefix(l) {
            Some(r) => {
                *v = r;
                Ok(())
            }
            None => Err(GoParseError::new(l, v, "")),
        }
    };
    let bad = |elem: &'static str, at: &str| GoParseError::new(elem, at, "");
    let range = |elem: &'static str, rest: &str, what: &str| {
        GoParseError::new(elem, rest, &format!(": {what} out of range"))
    };
    // year: four digits
    if v.len() < 4 || !v.as_bytes()[0].is_ascii_digit() || !v.is_char_boundary(4) {
        return Err(bad("2006", v));
    }
    let year: i64 = v[..4].parse().map_err(|_| bad("2006", v))?;
    v = &v[4..];
    lit(&mut v, "-")?;
    let (month, r) = getnum(v, true).ok_or_else(|| bad("01", v))?;
    if !(1..=12).contains(&month) {
        return Err(range("01", r, "month"));
    }
    v = r;
    lit(&mut v, "-")?;
    let (day, r) = getnum(v, true).ok_or_else(|| bad("02", v))?;
    v = r;
    lit(&mut v, "T")?;
    let (hour, r) = getnum(v, false).ok_or_else(|| bad("15", v))?;
    if hour >= 24 {
        return Err(range("15", r, "hour"));
    }
    v = r;
    lit(&mut v, ":")?;
    let (minute, r) = getnum(v, true).ok_or_else(|| bad("04", v))?;
    if minute >= 60 {
        return Err(range("04", r, "minute"));
    }
    v = r;
    lit(&mut v, ":")?;
    let (second, r) = getnum(v, true).ok_or_else(|| bad("05", v))?;
    if second >= 60 {
        return Err(range("05", r, "second"));
    }
    v = r;
    // A fraction the layout does not name is still read, after '.' or ','.
    let mut nanos = 0;
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'.' || b[0] == b',') && b[1].is_ascii_digit() {
        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        nanos = fraction_nanos(&v[1..n]);
        v = &v[n..];
    }
    let offset;
    if let Some(r) = v.strip_prefix('Z') {
        offset = 0;
        v = r;
    } else {
        let b = v.as_bytes();
        let two = |i: usize| {
            (b[i].is_ascii_digit() && b[i + 1].is_ascii_digit())
                .then(|| (b[i] - b'0') as u32 * 10 + (b[i + 1] - b'0') as u32)
        };
        if b.len() < 6 || b[3] != b':' {
            return Err(bad("Z07:00", v));
        }
        let (Some(hh), Some(mm)) = (two(1), two(4)) else {
            return Err(bad("Z07:00", v));
        };
        // Go's bounds are `>`, not `>=`: some people write +24:00.
        if hh > 24 {
            return Err(range("Z07:00", &v[6..], "time zone offset hour"));
        }
        if mm > 60 {
            return Err(range("Z07:00", &v[6..], "time zone offset minute"));
        }
        let secs = (hh * 60 + mm) as i32 * 60;
        offset = match b[0] {
            b'+' => secs,
            b'-' => -secs,
            _ => return Err(bad("Z07:00", v)),
        };
        v = &v[6..];
    }
    if !v.is_empty() {
        return Err(GoParseError::new("", v, &format!(": extra text: {v:?}")));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(GoParseError::new("", "", ": day out of range"));
    }
    Ok(Time::new(
        year, month, day, hour, minute, second, nanos, offset,
    ))
}

/// cty's strict RFC 3339 parse (`formatdate`, `timeadd`): exactly two-digit fields, a '.'
/// before the fraction and an offset below 24 hours. What Go's parser would also reject
/// gets Go's error; what only the strict rules reject gets cty's.
fn parse_strict(s: &str) -> Result<Time, String> {
    if let Some(t) = strict_rfc3339(s) {
        return Ok(t);
    }
    let e = match parse_go(s) {
        Err(e) => e,
        Ok(_) => {
            let b = s.as_bytes();
            let num2 = |x: &[u8]| (x[0].wrapping_sub(b'0')) * 10 + x[1].wrapping_sub(b'0');
            if b[12] == b':' {
                GoParseError::new("15", &s[11..12], ": hour must have two digits")
            } else if b[19] == b',' {
                GoParseError::new(".", ",", ": sub-second separator must be a period")
            } else if b[b.len() - 1] != b'Z' && num2(&b[b.len() - 5..]) >= 24 {
                GoParseError::new("Z07:00", &s[s.len() - 6..], ": timezone hour out of range")
            } else if b[b.len() - 1] != b'Z' && num2(&b[b.len() - 2..]) >= 60 {
                GoParseError::new(
                    "Z07:00",
                    &s[s.len() - 6..],
                    ": timezone minute out of range",
                )
            } else {
                GoParseError {
                    layout_elem: "2006-01-02T15:04:05Z07:00",
                    value_elem: s.to_string(),
                    message: String::new(),
                }
            }
        }
    };
    Err(e.reword(true))
}

fn strict_rfc3339(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>, min: u32, max: u32| -> Option<u32> {
        let mut x = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            x = x * 10 + (c - b'0') as u32;
        }
        (min..=max).contains(&x).then_some(x)
    };
    let year = num(0..4, 0, 9999)? as i64;
    let month = num(5..7, 1, 12)?;
    let day = num(8..10, 1, days_in(month, year))?;
    let hour = num(11..13, 0, 23)?;
    let minute = num(14..16, 0, 59)?;
    let second = num(17..19, 0, 59)?;
    if !(b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':') {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0;
    if b.len() >= i + 2 && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        nanos = fraction_nanos(&s[i + 1..i + 1 + n]);
        i += 1 + n;
    }
    let rest = &b[i..];
    let offset = if rest == b"Z" {
        0
    } else {
        if rest.len() != 6 || !(rest[0] == b'+' || rest[0] == b'-') || rest[3] != b':' {
            return None;
        }
        let hh = num(i + 1..i + 3, 0, 23)? as i32;
        let mm = num(i + 4..i + 6, 0, 59)? as i32;
        let secs = (hh * 60 + mm) * 60;
        if rest[0] == b'-' {
            -secs
        } else {
            secs
        }
    };
    Some(Time::new(
        year, month, day, hour, minute, second, nanos, offset,
    ))
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {orig:?}");
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut d: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // [0-9]*
        let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: u64 = 0;
        for &c in &b[..n] {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + (c - b'0') as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        let pre = n > 0;
        s = &s[n..];
        // (\.[0-9]*)?  Past 2^63 the fraction stops gaining precision instead of failing.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if let Some(r) = s.strip_prefix('.') {
            let m = r.bytes().take_while(|c| c.is_ascii_digit()).count();
            let mut overflow = false;
            for c in r[..m].bytes() {
                if overflow {
                    continue;
                }
                if f > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + (c - b'0') as u64;
                if y > LIMIT {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            post = m > 0;
            s = &r[m..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s
            .bytes()
            .take_while(|c| !(*c == b'.' || c.is_ascii_digit()))
            .count();
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {orig:?}"));
        }
        let u = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match u {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("time: unknown unit {u:?} in duration {orig:?}")),
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        d += v;
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(d as i64)
}

/// cty's `formatdate`: runs of one letter are verbs, `'...'` is literal (`''` a quote),
/// anything else is copied.
fn format_date(format: &str, t: &Time) -> Result<String, String> {
    let c = t.civil();
    let mut out = String::new();
    let b = format.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            // Literal up to the closing quote; doubled quotes inside are one quote.
            let mut j = i + 1;
            let mut lit = Vec::new();
            loop {
                match b.get(j) {
                    None => return Err("unterminated literal '".into()),
                    Some(b'\'') if b.get(j + 1) == Some(&b'\'') => {
                        lit.push(b'\'');
                        j += 2;
                    }
                    Some(b'\'') => break,
                    Some(&x) => {
                        lit.push(x);
                        j += 1;
                    }
                }
            }
            out.push_str(&String::from_utf8_lossy(&lit));
            i = j + 1;
            continue;
        }
        if !b[i].is_ascii_alphabetic() {
            let j = b[i..]
                .iter()
                .position(|x| *x == b'\'' || x.is_ascii_alphabetic())
                .map_or(b.len(), |p| i + p);
            out.push_str(&format[i..j]);
            i = j;
            continue;
        }
        let verb = b[i];
        let n = b[i..].iter().take_while(|x| **x == verb).count();
        let tok = &format[i..i + n];
        i += n;
        let bad = |what: &str| Err(format!("invalid date format verb {tok:?}: {what}"));
        let num = |out: &mut String, x: u32| match n {
            1 => write!(out, "{x}").map_err(|e| e.to_string()),
            _ => write!(out, "{x:02}").map_err(|e| e.to_string()),
        };
        match (verb, n) {
            (b'Y', 2) => write!(out, "{:02}", c.year.rem_euclid(100)).unwrap_or(()),
            (b'Y', 4) => out.push_str(&go_year(c.year)),
            (b'Y', _) => return bad("year must either be \"YY\" or \"YYYY\""),
            (b'M', 1 | 2) => num(&mut out, c.month)?,
            (b'M', 3) => out.push_str(&MONTHS[c.month as usize - 1][..3]),
            (b'M', 4) => out.push_str(MONTHS[c.month as usize - 1]),
            (b'M', _) => return bad("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""),
            (b'D', 1 | 2) => num(&mut out, c.day)?,
            (b'D', _) => return bad("day of month must either be \"D\" or \"DD\""),
            (b'E', 3) => out.push_str(&WEEKDAYS[c.weekday as usize][..3]),
            (b'E', 4) => out.push_str(WEEKDAYS[c.weekday as usize]),
            (b'E', _) => return bad("day of week must either be \"EEE\" or \"EEEE\""),
            (b'h', 1 | 2) => num(&mut out, c.hour)?,
            (b'h', _) => return bad("24-hour must either be \"h\" or \"hh\""),
            (b'H', 1 | 2) => num(&mut out, if c.hour % 12 == 0 { 12 } else { c.hour % 12 })?,
            (b'H', _) => return bad("12-hour must either be \"H\" or \"HH\""),
            (b'A' | b'a', 2) => {
                let pm = c.hour >= 12;
                out.push_str(match (verb == b'A', pm) {
                    (true, false) => "AM",
                    (true, true) => "PM",
                    (false, false) => "am",
                    (false, true) => "pm",
                })
            }
            (b'A' | b'a', _) => {
                let v = verb as char;
                return bad(&format!("must be \"{v}{v}\""));
            }
            (b'm', 1 | 2) => num(&mut out, c.minute)?,
            (b'm', _) => return bad("minute must either be \"m\" or \"mm\""),
            (b's', 1 | 2) => num(&mut out, c.second)?,
            (b's', _) => return bad("second must either be \"s\" or \"ss\""),
            (b'Z', 1) => out.push_str(&t.zone(true, true)),
            (b'Z', 3) if t.offset == 0 => out.push_str("UTC"),
            (b'Z', 3 | 4) => out.push_str(&t.zone(false, false)),
            (b'Z', 5) => out.push_str(&t.zone(true, false)),
            (b'Z', _) => return bad("timezone must be Z, ZZZZ, or ZZZZZ"),
            _ => return Err(format!("invalid date format verb {tok:?}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-719_528, -1, 0, 59, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-719_528), (0, 1, 1));
    }

    #[test]
    fn durations_as_go_reads_them() {
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_duration("1\u{b5}s"), Ok(1_000));
        assert_eq!(parse_duration("-9223372036854775808ns"), Ok(i64::MIN));
        assert!(parse_duration("9223372036854775808ns").is_err());
        assert_eq!(
            parse_duration("1d"),
            Err("time: unknown unit \"d\" in duration \"1d\"".into())
        );
        assert_eq!(
            parse_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert!(parse_duration(".s").is_err());
    }
}
