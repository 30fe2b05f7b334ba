//! `yamlencode` (go-yaml v3 output as cty's yaml package drives it) and `yamldecode`
//! (YAML 1.1 scalar resolution as cty's yaml package does it).
use super::FnResult;
use crate::model::Seq;
use crate::model::{Number, Value};
use std::collections::BTreeMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

const BEST_WIDTH: usize = 80;

pub(super) fn encode(v: &Value) -> Result<String, String> {
    let mut e = Emitter { out: String::new() };
    match v {
        Value::List(Seq { items: l, .. }) | Value::Set(l) if !l.is_empty() => e.seq(l, 0)?,
        Value::Map(m) if !m.is_empty() => e.map(m, 0)?,
        // go-yaml indents a root scalar's folded lines as a block would be.
        Value::String(s) => e.string(s, 2, 2),
        Value::List(Seq { items: _, .. }) | Value::Set(_) => e.out.push_str("[]"),
        Value::Map(_) => e.out.push_str("{}"),
        other => {
            e.scalar(other)?;
            e.out.push_str("\n...");
        }
    }
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    Ok(e.out)
}

struct Emitter {
    out: String,
}

impl Emitter {
    fn column(&self) -> usize {
        let line = match self.out.rfind('\n') {
            Some(p) => &self.out[p + 1..],
            None => &self.out[..],
        };
        line.chars().count()
    }
    fn newline_indent(&mut self, ind: usize) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.out.push_str(&" ".repeat(ind));
    }
    fn scalar(&mut self, v: &Value) -> Result<(), String> {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => self.out.push_str(&n.to_text()?),
            Value::Sensitive(v) => self.scalar(v)?,
            Value::Unknown(_) => return Err("value is not known".into()),
            _ => return Err("unexpected value".into()),
        }
        Ok(())
    }
    /// A value after "key:" or "- " (at indentation `ind` of its container).
    fn node(&mut self, v: &Value, ind: usize, in_seq: bool) -> Result<(), String> {
        match v {
            Value::String(s) => {
                self.out.push(' ');
                self.string(s, ind + 2, ind + 2);
            }
            Value::List(Seq { items: l, .. }) | Value::Set(l) if l.is_empty() => {
                self.out.push_str(" []")
            }
            Value::Map(m) if m.is_empty() => self.out.push_str(" {}"),
            Value::List(Seq { items: l, .. }) | Value::Set(l) => {
                if in_seq {
                    self.out.push(' ');
                    self.seq_items(l, ind + 2, true)?;
                } else {
                    self.seq(l, ind)?;
                }
            }
            Value::Map(m) => {
                if in_seq {
                    self.out.push(' ');
                    self.map_items(m, ind + 2, true)?;
                } else {
                    self.map(m, ind + 2)?;
                }
            }
            Value::Sensitive(v) => self.node(v, ind, in_seq)?,
            other => {
                self.out.push(' ');
                self.scalar(other)?;
            }
        }
        Ok(())
    }
    fn seq(&mut self, l: &[Value], ind: usize) -> Result<(), String> {
        self.seq_items(l, ind, false)
    }
    fn seq_items(&mut self, l: &[Value], ind: usize, inline_first: bool) -> Result<(), String> {
        for (i, e) in l.iter().enumerate() {
            if i > 0 || !inline_first {
                self.newline_indent(ind);
            }
            self.out.push('-');
            self.node(e, ind, true)?;
        }
        Ok(())
    }
    fn map(&mut self, m: &BTreeMap<String, Value>, ind: usize) -> Result<(), String> {
        self.map_items(m, ind, false)
    }
    fn map_items(
        &mut self,
        m: &BTreeMap<String, Value>,
        ind: usize,
        inline_first: bool,
    ) -> Result<(), String> {
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 || !inline_first {
                self.newline_indent(ind);
            }
            self.double_quoted(k, ind + 2);
            self.out.push(':');
            self.node(v, ind, false)?;
        }
        Ok(())
    }
    fn string(&mut self, s: &str, ind: usize, block_ind: usize) {
        if s.contains('\n') && block_allowed(s) {
            self.literal(s, block_ind);
        } else {
            self.double_quoted(s, ind);
        }
    }
    fn literal(&mut self, s: &str, ind: usize) {
        self.out.push('|');
        if s.starts_with([' ', '\n']) {
            self.out.push('2');
        }
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        if !is_break(chars[n - 1]) {
            self.out.push('-');
        } else if n == 1 || is_break(chars[n - 2]) {
            self.out.push('+');
        }
        self.out.push('\n');
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.out.push('\n');
                breaks = true;
            } else {
                if breaks {
                    self.out.push_str(&" ".repeat(ind));
                    breaks = false;
                }
                self.out.push(c);
            }
        }
    }
    fn double_quoted(&mut self, s: &str, ind: usize) {
        let chars: Vec<char> = s.chars().collect();
        let mut col = self.column();
        self.out.push('"');
        col += 1;
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' {
                if !spaces && col > BEST_WIDTH && i != 0 && i != chars.len() - 1 {
                    self.out.push('\n');
                    self.out.push_str(&" ".repeat(ind));
                    col = ind;
                    if chars.get(i + 1) == Some(&' ') {
                        self.out.push('\\');
                        col += 1;
                    }
                } else {
                    self.out.push(' ');
                    col += 1;
                }
                spaces = true;
            } else {
                let esc = if !is_printable(c)
                    || c == '\u{feff}'
                    || is_break(c)
                    || c == '"'
                    || c == '\\'
                {
                    Some(match c {
                        '\0' => "\\0".to_string(),
                        '\u{7}' => "\\a".into(),
                        '\u{8}' => "\\b".into(),
                        '\t' => "\\t".into(),
                        '\n' => "\\n".into(),
                        '\u{b}' => "\\v".into(),
                        '\u{c}' => "\\f".into(),
                        '\r' => "\\r".into(),
                        '\u{1b}' => "\\e".into(),
                        '"' => "\\\"".into(),
                        '\\' => "\\\\".into(),
                        '\u{85}' => "\\N".into(),
                        '\u{a0}' => "\\_".into(),
                        '\u{2028}' => "\\L".into(),
                        '\u{2029}' => "\\P".into(),
                        c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
                        c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
                        c => format!("\\U{:08X}", c as u32),
                    })
                } else {
                    None
                };
                match esc {
                    Some(e) => {
                        col += e.chars().count();
                        self.out.push_str(&e);
                    }
                    None => {
                        col += 1;
                        self.out.push(c);
                    }
                }
                spaces = false;
            }
            i += 1;
        }
        self.out.push('"');
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

/// go-yaml's analysis: a literal block is impossible with special characters or a space
/// right before a line break (or at the very end).
fn block_allowed(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !(is_printable(c) || is_break(c)) || c == '\u{feff}' {
            return false;
        }
        if c == ' ' {
            match chars.get(i + 1) {
                None => return false,
                Some(&n) if is_break(n) => return false,
                _ => {}
            }
        }
    }
    true
}

// ---------------- decoding ----------------

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: BTreeMap<usize, Value>,
    docs: Vec<Value>,
    error: Option<String>,
}

enum Frame {
    Seq(usize, Vec<Value>),
    Map(usize, BTreeMap<String, Value>, Option<String>),
}

impl Builder {
    fn push_value(&mut self, v: Value) {
        match self.stack.last_mut() {
            None => self.docs.push(v),
            Some(Frame::Seq(_, l)) => l.push(v),
            Some(Frame::Map(_, m, key)) => match key.take() {
                None => match key_string(&v) {
                    Ok(k) => *key = Some(k),
                    Err(e) => self.error = Some(e),
                },
                Some(k) => {
                    if k == "<<" {
                        // A merge key takes one mapping: cty's yaml refuses a sequence of them.
                        match v {
                            Value::Map(sm) => {
                                for (k2, v2) in sm {
                                    m.entry(k2).or_insert(v2);
                                }
                            }
                            v => {
                                let kind = match v {
                                    Value::List(_) => "tuple",
                                    v => v.type_name(),
                                };
                                self.error = Some(format!("cannot merge {kind} into mapping"));
                            }
                        }
                    } else {
                        m.insert(k, v);
                    }
                }
            },
        }
    }
}

fn key_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => n.to_text(),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("mapping key cannot be null".into()),
        _ => Err("YAML mapping keys must be scalars".into()),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let seq = matches!(ev, Event::SequenceStart(..));
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                match resolve(&text, style, tag.as_deref()) {
                    Ok(v) => {
                        if anchor > 0 {
                            self.anchors.insert(anchor, v.clone());
                        }
                        self.push_value(v);
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Event::SequenceStart(a, tag) | Event::MappingStart(a, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                if let Some(e) = collection_tag_error(tag.as_deref(), seq) {
                    self.error = Some(e);
                    return;
                }
                self.stack.push(if seq {
                    Frame::Seq(a, Vec::new())
                } else {
                    Frame::Map(a, BTreeMap::new(), None)
                })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (a, v) = match self.stack.pop() {
                    Some(Frame::Seq(a, l)) => (a, Value::tuple(l)),
                    Some(Frame::Map(a, m, _)) => (a, Value::object(m)),
                    None => return,
                };
                if a > 0 {
                    self.anchors.insert(a, v.clone());
                }
                self.push_value(v);
            }
            Event::Alias(a) => match self.anchors.get(&a).cloned() {
                Some(v) => self.push_value(v),
                None => self.error = Some("unknown anchor referenced".into()),
            },
            _ => {}
        }
    }
}

/// Resolves a scalar the way cty's yaml (YAML 1.1 flavoured) does.
fn resolve(text: &str, style: TScalarStyle, tag: Option<&str>) -> FnResult {
    if let Some(t) = tag {
        let t = t
            .trim_start_matches("tag:yaml.org,2002:")
            .trim_start_matches("!!");
        let plain = style == TScalarStyle::Plain;
        return match t {
            "str" | "binary" => Ok(Value::string(text)),
            // A quoted scalar stays a string whatever its tag says.
            "null" | "bool" | "int" | "float" if !plain => Ok(Value::string(text)),
            "null" => Ok(Value::Null),
            "bool" => resolve_plain(text),
            "int" | "float" => match resolve_plain(text)? {
                v @ Value::Number(_) => Ok(v),
                _ => Err(format!("cannot parse {text:?} as tag:yaml.org,2002:{t}")),
            },
            "timestamp" => Ok(Value::string(
                timestamp(text).unwrap_or_else(|| text.into()),
            )),
            _ => Err(format!(
                "unsupported tag {:?}",
                full_tag(tag.unwrap_or_default())
            )),
        };
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::string(text));
    }
    resolve_plain(text)
}

fn resolve_plain(text: &str) -> FnResult {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value::Bool(false))
        }
        // cty numbers hold infinities (tostring gives "+Inf"); only NaN has no number.
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Ok(Value::Number(Number::infinity(false)))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Ok(Value::Number(Number::infinity(true))),
        ".nan" | ".NaN" | ".NAN" => return Err("floating point NaN is not supported".into()),
        _ => {}
    }
    let plain = text.to_string();
    let (neg, body) = match plain.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    if let Some(t) = timestamp(&plain) {
        return Ok(Value::string(t));
    }
    // YAML 1.2's 0x and 0o, unsigned only; 0b is not a number to cty's yaml.
    let radix = if plain.len() != body.len() {
        None
    } else if let Some(h) = body.strip_prefix("0x") {
        Some((h, 16))
    } else {
        body.strip_prefix("0o").map(|o| (o, 8))
    };
    if let Some((digits, r)) = radix {
        if !digits.is_empty() {
            if let Some(n) = num_bigint::BigInt::parse_bytes(digits.as_bytes(), r) {
                let n = if neg { -n } else { n };
                if let Some(v) = Number::parse(&n.to_string()) {
                    return Ok(Value::Number(v));
                }
            }
        }
        return Ok(Value::string(text));
    }
    if super::is_decimal(&plain) {
        if let Some(n) = Number::parse(&plain) {
            return Ok(Value::Number(n));
        }
    }
    Ok(Value::string(text))
}

/// `!!map`, `!!seq` and `!!omap`-less plain collections are all cty's yaml accepts; `!!set`
/// it cannot read as a mapping.
fn collection_tag_error(tag: Option<&str>, seq: bool) -> Option<String> {
    let t = tag?;
    let short = t
        .trim_start_matches("tag:yaml.org,2002:")
        .trim_start_matches("!!");
    match (short, seq) {
        ("seq", true) | ("map", false) => None,
        ("set", false) => Some("can't interpret mapping as tag:yaml.org,2002:set".into()),
        _ => Some(format!("unsupported tag {:?}", full_tag(t))),
    }
}

/// A tag as go-yaml names it in messages: `!!x` in full, others as written.
fn full_tag(t: &str) -> String {
    match t.strip_prefix("!!") {
        Some(s) => format!("tag:yaml.org,2002:{s}"),
        None => t.to_string(),
    }
}

/// go-yaml's implicit timestamps (`2002-12-14`, `2001-12-14t21:59:43.10-05:00`, with `T`,
/// `t` or a space, a zone or UTC) as cty's yaml turns them into strings: RFC 3339 in
/// seconds, fractions dropped, a zero offset written `Z`. Invalid dates stay strings.
fn timestamp(s: &str) -> Option<String> {
    fn num(s: &mut &str, min: usize, max: usize) -> Option<u32> {
        let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if n < min {
            return None;
        }
        let v = s[..n].parse().ok()?;
        *s = &s[n..];
        Some(v)
    }
    fn lit(s: &mut &str, c: char) -> Option<()> {
        *s = s.strip_prefix(c)?;
        Some(())
    }
    let mut r = s;
    let year = num(&mut r, 4, 4)?;
    lit(&mut r, '-')?;
    let month = num(&mut r, 1, 2)?;
    lit(&mut r, '-')?;
    let day = num(&mut r, 1, 2)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day < 1 || day > days[month as usize - 1] {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if r.is_empty() {
        return Some(format!("{date}T00:00:00Z"));
    }
    let sep = r.chars().next()?;
    if !matches!(sep, 'T' | 't' | ' ') {
        return None;
    }
    r = &r[1..];
    let h = num(&mut r, 1, 2)?;
    lit(&mut r, ':')?;
    let m = num(&mut r, 1, 2)?;
    lit(&mut r, ':')?;
    let sec = num(&mut r, 1, 2)?;
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    if let Some(f) = r.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return None;
        }
        r = &f[n..];
    }
    // Go's layouts: a space-separated time has no zone (UTC), a T-separated one needs one.
    let zone = if (r.is_empty() && sep == ' ') || (r == "Z" && sep != ' ') {
        "Z".to_string()
    } else if sep != ' ' && (r.starts_with('+') || r.starts_with('-')) {
        let sign = &r[..1];
        let mut z = &r[1..];
        let zh = num(&mut z, 2, 2)?;
        lit(&mut z, ':')?;
        let zm = num(&mut z, 2, 2)?;
        if !z.is_empty() || zh > 23 || zm > 59 {
            return None;
        }
        if zh == 0 && zm == 0 {
            "Z".to_string()
        } else {
            format!("{sign}{zh:02}:{zm:02}")
        }
    } else {
        return None;
    };
    Some(format!("{date}T{h:02}:{m:02}:{sec:02}{zone}"))
}

/// libyaml (and so cty's yaml package) has no implicit empty keys in block mappings: a
/// `:` value indicator that no key (simple or `?`) precedes is "did not find expected key",
/// which yaml-rust2 accepts as a null key.
fn check_block_keys(src: &str) -> Result<(), String> {
    use yaml_rust2::scanner::{Scanner, Token, TokenType};
    // One entry per open block collection: Some(key seen) for mappings, None for sequences.
    let mut stack: Vec<Option<bool>> = Vec::new();
    let mut flow = 0usize;
    for Token(mark, tok) in Scanner::new(src.chars()) {
        match tok {
            TokenType::FlowSequenceStart | TokenType::FlowMappingStart => flow += 1,
            TokenType::FlowSequenceEnd | TokenType::FlowMappingEnd => flow = flow.saturating_sub(1),
            _ if flow > 0 => {}
            TokenType::BlockMappingStart => stack.push(Some(false)),
            TokenType::BlockSequenceStart => stack.push(None),
            TokenType::BlockEnd => {
                stack.pop();
            }
            TokenType::Key => {
                if let Some(Some(k)) = stack.last_mut() {
                    *k = true;
                }
            }
            TokenType::Value => {
                if let Some(Some(k)) = stack.last_mut() {
                    if !*k {
                        let line = mark.line().saturating_sub(1);
                        return Err(if line == 0 {
                            "did not find expected key".to_string()
                        } else {
                            format!(
                                "on line {line}, column {}: did not find expected key",
                                mark.col() + 1
                            )
                        });
                    }
                    *k = false;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn decode(src: &str) -> FnResult {
    // go-yaml reads YAML 1.1 documents only.
    if src.lines().any(|l| {
        l.strip_prefix("%YAML")
            .is_some_and(|v| v.split_whitespace().next() != Some("1.1"))
    }) {
        return Err("found incompatible YAML document".into());
    }
    // go-yaml's reader refuses any character outside YAML's printable set, wherever it is.
    if src.chars().any(|c| !is_yaml_printable(c)) {
        return Err("control characters are not allowed".into());
    }
    // go-yaml's reader reads a NEL (U+0085) as a line break, as it does LF (libyaml's
    // read_line); the parser here takes it for an ordinary character.
    let nel = src.replace('\u{85}', "\n");
    let src = nel.as_str();
    let mut b = Builder::default();
    let mut p = Parser::new_from_str(src);
    p.load(&mut b, true).map_err(|e| {
        format!(
            "on line {}, column {}: {}",
            e.marker().line(),
            e.marker().col() + 1,
            e.info()
        )
    })?;
    // A libyaml parse error comes before anything built from the events.
    check_block_keys(src)?;
    if let Some(e) = b.error {
        return Err(e);
    }
    match b.docs.len() {
        0 => Err("on line 1, column 1: missing start of document".into()),
        1 => Ok(b.docs.pop().unwrap_or(Value::Null)),
        _ => Err("unexpected extra content after value".into()),
    }
}

/// The characters YAML 1.1 allows in a stream (go-yaml's reader checks each one).
fn is_yaml_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
