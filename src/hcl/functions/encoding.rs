//! JSON, base64 and URL encodings.
use super::{str_arg, FnResult};
use crate::model::Seq;
use crate::model::{Number, Value};
use base64::Engine;
use std::collections::BTreeMap;

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    match name {
        "jsonencode" => json_encode(&a[0]).map(Value::String),
        "jsondecode" => json_decode(&str_arg(&a[0], "str")?),
        "base64encode" => Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(str_arg(&a[0], "str")?),
        )),
        "base64decode" => {
            let s = str_arg(&a[0], "str")?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|_| "failed to decode base64 data".to_string())?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| "the result of decoding the provided string is not valid UTF-8".into())
        }
        "urlencode" => Ok(Value::String(url_query_escape(&str_arg(&a[0], "str")?))),
        _ => Err(format!("unknown encoding function {name}")),
    }
}

/// Go's url.QueryEscape.
fn url_query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Terraform's jsonencode: compact, keys sorted, Go's HTML-safe string escaping.
pub(crate) fn json_encode(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    enc(v, &mut out)?;
    Ok(out)
}

fn enc(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_infinite() => {
            return Err("cannot serialize infinity as JSON".into())
        }
        Value::Number(n) => out.push_str(&n.to_text()?),
        Value::String(s) => json_string(s, out),
        Value::List(Seq { items: l, .. }) | Value::Set(l) => {
            out.push('[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                enc(e, out)?;
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                enc(e, out)?;
            }
            out.push('}');
        }
        Value::Unknown(_) => return Err("value is not known".into()),
        Value::Sensitive(v) => enc(v, out)?,
    }
    Ok(())
}

pub(crate) fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses JSON keeping number literals exact.
pub(crate) fn json_decode(s: &str) -> FnResult {
    let mut p = Parser {
        b: s.as_bytes(),
        i: 0,
    };
    p.ws();
    if p.i >= p.b.len() {
        return Err("unexpected end of JSON input".into());
    }
    let v = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(format!(
            "extraneous data after JSON value at offset {}",
            p.i
        ));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at offset {}", self.i))
    }
    fn value(&mut self, depth: usize) -> FnResult {
        if depth > 500 {
            return self.err("JSON nested too deeply");
        }
        self.ws();
        let Some(&c) = self.b.get(self.i) else {
            return self.err("unexpected end of JSON input");
        };
        match c {
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::object(m));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return self.err("invalid JSON: expected object key");
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return self.err("invalid JSON: expected ':'");
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    m.insert(k, v);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::object(m));
                        }
                        _ => return self.err("invalid JSON: expected ',' or '}'"),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut l = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::tuple(l));
                }
                loop {
                    l.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::tuple(l));
                        }
                        _ => return self.err("invalid JSON: expected ',' or ']'"),
                    }
                }
            }
            b'"' => self.string().map(Value::String),
            b't' => self.lit("true", Value::Bool(true)),
            b'f' => self.lit("false", Value::Bool(false)),
            b'n' => self.lit("null", Value::Null),
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                while self.i < self.b.len()
                    && matches!(
                        self.b[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("");
                if !super::is_decimal(text) || text.starts_with('+') {
                    return Err(format!("invalid number {text:?} in JSON"));
                }
                Number::parse(text)
                    .map(Value::Number)
                    .ok_or_else(|| format!("invalid number {text:?} in JSON"))
            }
            _ => self.err("invalid character in JSON"),
        }
    }
    fn lit(&mut self, word: &str, v: Value) -> FnResult {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            self.err("invalid JSON literal")
        }
    }
    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(h) => {
                self.i += 4;
                Ok(h)
            }
            None => self.err("invalid \\u escape in JSON string"),
        }
    }
    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return self.err("unterminated JSON string");
            };
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(self.i) else {
                        return self.err("unterminated JSON string");
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let h = self.hex4()?;
                            if (0xD800..0xDC00).contains(&h)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let l = self.hex4()?;
                                let cp = 0x10000
                                    + ((h - 0xD800) << 10)
                                    + (l.wrapping_sub(0xDC00) & 0x3FF);
                                char::from_u32(cp).unwrap_or('\u{FFFD}')
                            } else {
                                char::from_u32(h).unwrap_or('\u{FFFD}')
                            }
                        }
                        _ => return self.err("invalid escape in JSON string"),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return self.err("invalid control character in JSON string"),
                c => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| "invalid UTF-8 in JSON string".into())
    }
}
