//! Where each value of a JSON document written in a heredoc sits in the source, so that a
//! finding about `container_definitions[0].portMappings[0].containerPort` can point at the
//! `8080` inside `<<EOF ... EOF`. Interpolations (`${...}`) count as opaque values; a
//! template directive (`%{...}`) or anything that is not JSON ends the scan with nothing.

/// `(path, byte range)` of every value, paths relative to the document (`[0].name`,
/// `.family`). `text` is the heredoc expression as written, `<<EOF` line included.
pub fn value_spans(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let start = text.find('\n').map_or(0, |i| i + 1);
    scan(text, start, true)
}

/// The same for a plain JSON document (a file such as an ECS task definition): `${` and `%{`
/// inside strings are text, as JSON has them.
pub fn document_spans(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    scan(text, 0, false)
}

fn scan(text: &str, start: usize, template: bool) -> Vec<(String, std::ops::Range<usize>)> {
    let mut s = Scanner {
        b: text.as_bytes(),
        pos: start,
        out: Vec::new(),
        template,
    };
    s.skip_ws();
    match s.value("") {
        Some(()) => s.out,
        None => Vec::new(),
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
    out: Vec<(String, std::ops::Range<usize>)>,
    /// A heredoc template: `${...}` is an opaque value, `%{` ends the scan.
    template: bool,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.skip_ws();
        (self.peek() == Some(c)).then(|| self.pos += 1)
    }

    /// One value at the current position, recorded under `path` (the root is not recorded).
    fn value(&mut self, path: &str) -> Option<()> {
        self.skip_ws();
        let from = self.pos;
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        let k = self.string()?;
                        let key = serde_json::from_slice::<String>(&self.b[k.clone()]).ok()?;
                        self.eat(b':')?;
                        self.value(&format!("{path}.{key}"))?;
                        self.skip_ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    let mut i = 0;
                    loop {
                        self.value(&format!("{path}[{i}]"))?;
                        i += 1;
                        self.skip_ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
            }
            b'"' => {
                self.string()?;
            }
            _ => self.scalar()?,
        }
        if !path.is_empty() {
            self.out.push((path.to_string(), from..self.pos));
        }
        Some(())
    }

    /// A JSON string (interpolations inside it included); its range with the quotes.
    fn string(&mut self) -> Option<std::ops::Range<usize>> {
        let from = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(from..self.pos);
                }
                b'%' if self.template && self.b.get(self.pos + 1) == Some(&b'{') => return None,
                b'$' if self.template && self.b.get(self.pos + 1) == Some(&b'{') => {
                    self.interpolation()?
                }
                _ => self.pos += 1,
            }
        }
    }

    /// A number, literal or `${...}`, up to the next delimiter.
    fn scalar(&mut self) -> Option<()> {
        let from = self.pos;
        while let Some(c) = self.peek() {
            match c {
                b',' | b']' | b'}' => break,
                c if c.is_ascii_whitespace() => break,
                b'%' if self.b.get(self.pos + 1) == Some(&b'{') => return None,
                b'$' if self.b.get(self.pos + 1) == Some(&b'{') => self.interpolation()?,
                _ => self.pos += 1,
            }
        }
        (self.pos > from).then_some(())
    }

    /// `${ ... }` with nested braces and strings.
    fn interpolation(&mut self) -> Option<()> {
        self.pos += 2;
        let mut depth = 1;
        while depth > 0 {
            match self.peek()? {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                b'"' => {
                    self.pos += 1;
                    while self.peek()? != b'"' {
                        self.pos += if self.peek()? == b'\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::value_spans;

    fn at<'a>(text: &'a str, spans: &[(String, std::ops::Range<usize>)], path: &str) -> &'a str {
        let r = spans.iter().find(|(p, _)| p == path).unwrap().1.clone();
        &text[r]
    }

    #[test]
    fn paths_point_at_values_with_interpolations() {
        let text = "<<EOF\n[{\"name\": \"web\", \"portMappings\": [{\"containerPort\": ${var.port}, \"hostPort\": 80}],\n \"image\": \"${var.repo}:${var.tag}\", \"x\": {\"a\": [true, null]}}]\nEOF";
        let s = value_spans(text);
        assert_eq!(at(text, &s, "[0].name"), "\"web\"");
        assert_eq!(
            at(text, &s, "[0].portMappings[0].containerPort"),
            "${var.port}"
        );
        assert_eq!(at(text, &s, "[0].portMappings[0].hostPort"), "80");
        assert_eq!(at(text, &s, "[0].image"), "\"${var.repo}:${var.tag}\"");
        assert_eq!(at(text, &s, "[0].x.a[1]"), "null");
        assert!(at(text, &s, "[0]").starts_with("{\"name\""));
    }

    #[test]
    fn documents_keep_template_syntax_as_text() {
        let text = "{\"family\": \"web\", \"containerDefinitions\": [{\"image\": \"app:${TAG}\", \"command\": [\"%{x}\"]}]}";
        let s = super::document_spans(text);
        assert_eq!(at(text, &s, ".family"), "\"web\"");
        assert_eq!(
            at(text, &s, ".containerDefinitions[0].image"),
            "\"app:${TAG}\""
        );
        assert_eq!(
            at(text, &s, ".containerDefinitions[0].command[0]"),
            "\"%{x}\""
        );
    }

    #[test]
    fn directives_and_broken_json_give_nothing() {
        assert!(value_spans("<<EOF\n[%{ for c in var.cs }{\"a\": 1}%{ endfor }]\nEOF").is_empty());
        assert!(value_spans("<<EOF\n[{\"a\" 1}]\nEOF").is_empty());
    }
}
