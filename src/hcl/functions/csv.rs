//! `csvdecode`: Go's `encoding/csv` reader with its defaults (RFC 4180, no lazy quotes), as
//! cty drives it: the first record names the attributes, every record must have as many
//! fields, and the result is a list of objects of strings.
use super::FnResult;
use crate::model::Value;
use std::collections::BTreeMap;

pub(super) fn decode(src: &str) -> FnResult {
    let mut r = Reader::new(src);
    let headers = match r.record() {
        None => return Err("missing header line".into()),
        Some(Err(e)) => return Err(e),
        Some(Ok(h)) => h,
    };
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(format!("duplicate column name {h:?}"));
        }
    }
    let mut rows = Vec::new();
    while let Some(rec) = r.record() {
        let line = r.record_line;
        let rec = rec?;
        if rec.len() != headers.len() {
            return Err(format!(
                "CSV parse error on line {line}: wrong number of fields"
            ));
        }
        let row: BTreeMap<String, Value> = headers
            .iter()
            .cloned()
            .zip(rec.into_iter().map(Value::String))
            .collect();
        rows.push(Value::object(row));
    }
    Ok(Value::list(rows))
}

struct Reader<'a> {
    rest: &'a str,
    /// Lines read so far (Go's `numLine`).
    line: usize,
    /// The line the last record started on.
    record_line: usize,
}

impl<'a> Reader<'a> {
    fn new(src: &'a str) -> Reader<'a> {
        Reader {
            rest: src,
            line: 0,
            record_line: 0,
        }
    }

    /// Go's `readLine`: one line with its `\n`, `\r\n` read as `\n`, a `\r` before the end
    /// of input dropped. None at the end.
    fn read_line(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            return None;
        }
        let (mut line, rest) = match self.rest.find('\n') {
            Some(i) => (self.rest[..=i].to_string(), &self.rest[i + 1..]),
            None => (self.rest.to_string(), ""),
        };
        self.rest = rest;
        self.line += 1;
        if line.ends_with("\r\n") {
            line.truncate(line.len() - 2);
            line.push('\n');
        } else if !line.ends_with('\n') && line.ends_with('\r') {
            line.pop();
        }
        Some(line)
    }

    /// The next record, skipping empty lines. None at the end of input.
    fn record(&mut self) -> Option<Result<Vec<String>, String>> {
        let mut line = loop {
            let l = self.read_line()?;
            if !(l.is_empty() || l == "\n") {
                break l;
            }
        };
        self.record_line = self.line;
        let err = |line: usize, msg: &str| Err(format!("CSV parse error on line {line}: {msg}"));
        let mut fields = Vec::new();
        let mut pos = 0;
        loop {
            let rest = &line[pos..];
            if !rest.starts_with('"') {
                let (field, next) = match rest.find(',') {
                    Some(i) => (&rest[..i], Some(pos + i + 1)),
                    None => (rest.strip_suffix('\n').unwrap_or(rest), None),
                };
                if field.contains('"') {
                    return Some(err(self.line, "bare \" in non-quoted-field"));
                }
                fields.push(field.to_string());
                match next {
                    Some(n) => pos = n,
                    None => return Some(Ok(fields)),
                }
                continue;
            }
            // A quoted field, which may run over several lines.
            let mut field = String::new();
            pos += 1;
            loop {
                let rest = &line[pos..];
                if let Some(i) = rest.find('"') {
                    field.push_str(&rest[..i]);
                    let after = &rest[i + 1..];
                    if after.starts_with('"') {
                        field.push('"');
                        pos += i + 2;
                    } else if after.starts_with(',') {
                        fields.push(std::mem::take(&mut field));
                        pos += i + 2;
                        break;
                    } else if after.is_empty() || after == "\n" {
                        fields.push(std::mem::take(&mut field));
                        return Some(Ok(fields));
                    } else {
                        return Some(err(self.line, "extraneous or missing \" in quoted-field"));
                    }
                } else if !rest.is_empty() {
                    field.push_str(rest);
                    match self.read_line() {
                        Some(l) => {
                            line = l;
                            pos = 0;
                        }
                        None => {
                            return Some(err(self.line, "extraneous or missing \" in quoted-field"))
                        }
                    }
                } else {
                    return Some(err(self.line, "extraneous or missing \" in quoted-field"));
                }
            }
        }
    }
}
