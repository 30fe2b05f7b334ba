//! Typed Terraform addresses: `module.a["x"].module.b[0].data.aws_iam_policy.p["k"]`.
//!
//! One parser and one printer for every layer, so that configuration, state, plan and live
//! sources compare addresses as values instead of as strings. The printed form is exactly
//! Terraform's (`addrs.StringKey.String`: HCL quoting, `$${`/`%%{` escapes, `\uXXXX` for
//! characters that do not print), and [`Address::parse`] reads it back.
use super::Mode;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The key of one instance of a resource or module with `count` (`[0]`) or `for_each`
/// (`["web"]`). Orders as Terraform sorts instances: integers before strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    Int(i64),
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", hcl_quoted(s)),
        }
    }
}

/// One `module.NAME[KEY]` step of a module instance path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<InstanceKey>,
}

impl fmt::Display for ModuleStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "module.{}", self.name)?;
        match &self.key {
            Some(k) => write!(f, "{k}"),
            None => Ok(()),
        }
    }
}

/// The address of one resource instance, or of a resource without instance key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Module instance path, empty for the root module.
    pub module: Vec<ModuleStep>,
    pub mode: Mode,
    pub rtype: String,
    pub name: String,
    pub key: Option<InstanceKey>,
}

// `Mode` implements neither `Hash` nor `Ord`; these impls order it as a derive would
// (managed before data), so deriving them on `Mode` later changes nothing here.
fn mode_rank(m: Mode) -> u8 {
    match m {
        Mode::Managed => 0,
        Mode::Data => 1,
    }
}

impl Hash for Address {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.module.hash(state);
        mode_rank(self.mode).hash(state);
        self.rtype.hash(state);
        self.name.hash(state);
        self.key.hash(state);
    }
}

impl Ord for Address {
    fn cmp(&self, other: &Address) -> Ordering {
        self.module
            .cmp(&other.module)
            .then_with(|| mode_rank(self.mode).cmp(&mode_rank(other.mode)))
            .then_with(|| self.rtype.cmp(&other.rtype))
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.key.cmp(&other.key))
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, other: &Address) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.module {
            write!(f, "{step}.")?;
        }
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.rtype, self.name)?;
        match &self.key {
            Some(k) => write!(f, "{k}"),
            None => Ok(()),
        }
    }
}

impl Address {
    /// Reads an address in Terraform's printed form. Module steps and the resource may carry
    /// instance keys; string keys use HCL quoting and may hold `.`, `[`, `]` and escapes.
    pub fn parse(text: &str) -> Result<Address, String> {
        let mut p = Parser::new(text);
        let module = p.module_steps()?;
        let mode = if p.peek_word("data") {
            p.word()?;
            p.dot()?;
            Mode::Data
        } else {
            Mode::Managed
        };
        let rtype = p
            .word()
            .map_err(|e| p.error(&format!("{e} (the resource type)")))?;
        p.dot()?;
        let name = p
            .word()
            .map_err(|e| p.error(&format!("{e} (the resource name)")))?;
        let key = p.key()?;
        if !p.at_end() {
            return Err(p.error("unexpected text after the resource address"));
        }
        Ok(Address {
            module,
            mode,
            rtype,
            name,
            key,
        })
    }

    /// Builds the address of one state instance from the fields a state (v4) resource and
    /// instance carry: `module` (`module.a["x"]`, absent or "" for the root), `mode`
    /// (`managed`/`data`), `type`, `name` and the instance's `index_key` (a whole number, a
    /// string, null or absent).
    pub fn from_state(
        module: Option<&str>,
        mode: &str,
        rtype: &str,
        name: &str,
        index_key: Option<&serde_json::Value>,
    ) -> Result<Address, String> {
        let module = match module {
            None | Some("") => Vec::new(),
            Some(m) => parse_module_path(m)?,
        };
        let mode = match mode {
            "managed" => Mode::Managed,
            "data" => Mode::Data,
            other => return Err(format!("unknown resource mode {other:?}")),
        };
        if rtype.is_empty() || name.is_empty() {
            return Err("a resource needs a type and a name".into());
        }
        let key = match index_key {
            None | Some(serde_json::Value::Null) => None,
            Some(k) => Some(key_from_json(k)?),
        };
        Ok(Address {
            module,
            mode,
            rtype: rtype.to_string(),
            name: name.to_string(),
            key,
        })
    }

    /// The module instance path: `module.a["x"].module.b[0]`, "" for the root module.
    pub fn module_path(&self) -> String {
        let parts: Vec<String> = self.module.iter().map(ModuleStep::to_string).collect();
        parts.join(".")
    }

    /// The module path without instance keys: `module.a.module.b`, "" for the root module.
    pub fn module_config_path(&self) -> String {
        let parts: Vec<String> = self
            .module
            .iter()
            .map(|s| format!("module.{}", s.name))
            .collect();
        parts.join(".")
    }

    /// The configuration object this instance belongs to, with no instance key anywhere:
    /// `module.a.data.aws_iam_policy.p`. This is what references and state `dependencies`
    /// name.
    pub fn config_address(&self) -> String {
        let mut out = self.module_config_path();
        if !out.is_empty() {
            out.push('.');
        }
        if self.mode == Mode::Data {
            out.push_str("data.");
        }
        out.push_str(&self.rtype);
        out.push('.');
        out.push_str(&self.name);
        out
    }
}

/// Parses a module instance path alone: `module.a["x"].module.b`, "" for the root.
pub fn parse_module_path(text: &str) -> Result<Vec<ModuleStep>, String> {
    let mut p = Parser::new(text);
    if p.at_end() {
        return Ok(Vec::new());
    }
    let steps = p.module_path_only()?;
    if !p.at_end() {
        return Err(p.error("unexpected text after the module path"));
    }
    Ok(steps)
}

/// A state `index_key` or plan `index`: a whole number or a string.
pub fn key_from_json(v: &serde_json::Value) -> Result<InstanceKey, String> {
    match v {
        serde_json::Value::String(s) => Ok(InstanceKey::Str(s.clone())),
        serde_json::Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                // Terraform reads keys as float64 and truncates; accept `1.0`, not `1.5`.
                let f = n.as_f64()?;
                (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
            })
            .map(InstanceKey::Int)
            .ok_or_else(|| format!("instance key {n} is not a whole number")),
        other => Err(format!(
            "instance key {other} is neither a number nor a string"
        )),
    }
}

/// Terraform's `toHCLQuotedString`: the key as an HCL quoted string.
fn hcl_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    // Doubling the introducer keeps `${`/`%{` from reading as a template.
                    out.push(c);
                }
            }
            c if !is_print(c) => {
                let code = c as u32;
                if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` without Unicode tables: control characters,
/// every space but U+0020, the common format characters (soft hyphen, zero-width and
/// direction marks, BOM), private-use code points and noncharacters do not print. Unassigned
/// code points print here and not in Go: an address with one prints differently.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF
        | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD
        | 0xE0001 | 0xE0020..=0xE007F | 0xFDD0..=0xFDEF)
        // Noncharacters: the last two code points of every plane.
        && (c as u32) & 0xFFFE != 0xFFFE
}

/// A cursor over an address, with errors that quote the address and say where.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn error(&self, what: &str) -> String {
        format!(
            "invalid address {:?}: {what} at character {}",
            self.text,
            self.text[..self.pos].chars().count() + 1
        )
    }

    /// True when the next identifier is `w` and a `.` follows it.
    fn peek_word(&self, w: &str) -> bool {
        self.rest()
            .strip_prefix(w)
            .is_some_and(|r| r.starts_with('.'))
    }

    fn word(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            let ok = if i == 0 {
                c.is_alphabetic() || c == '_'
            } else {
                c.is_alphanumeric() || c == '_' || c == '-'
            };
            if !ok {
                break;
            }
            end = i + c.len_utf8();
        }
        if end == 0 {
            return Err(self.error("expected a name"));
        }
        self.pos += end;
        Ok(rest[..end].to_string())
    }

    fn dot(&mut self) -> Result<(), String> {
        if self.rest().starts_with('.') {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error("expected \".\""))
        }
    }

    /// `module.NAME[KEY].` steps before a resource. A step is a module step only when
    /// `module.NAME` is followed by a key or a dot: `module.x` alone is not a resource.
    fn module_steps(&mut self) -> Result<Vec<ModuleStep>, String> {
        let mut steps = Vec::new();
        while self.peek_word("module") {
            self.pos += "module.".len();
            let name = self.word()?;
            let key = self.key()?;
            steps.push(ModuleStep { name, key });
            self.dot()?;
        }
        Ok(steps)
    }

    /// A module path with nothing after it: `module.a["x"].module.b`.
    fn module_path_only(&mut self) -> Result<Vec<ModuleStep>, String> {
        let mut steps = Vec::new();
        loop {
            if !self.peek_word("module") {
                return Err(self.error("expected \"module.\""));
            }
            self.pos += "module.".len();
            let name = self.word()?;
            let key = self.key()?;
            steps.push(ModuleStep { name, key });
            if self.at_end() {
                return Ok(steps);
            }
            self.dot()?;
        }
    }

    fn key(&mut self) -> Result<Option<InstanceKey>, String> {
        if !self.rest().starts_with('[') {
            return Ok(None);
        }
        self.pos += 1;
        let key = if self.rest().starts_with('"') {
            self.pos += 1;
            InstanceKey::Str(self.quoted()?)
        } else {
            let rest = self.rest();
            let len = rest
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
                .map_or(rest.len(), |(i, _)| i);
            let digits = &rest[..len];
            let n = digits
                .parse::<i64>()
                .map_err(|_| self.error("expected a whole number or a quoted string key"))?;
            self.pos += len;
            InstanceKey::Int(n)
        };
        if !self.rest().starts_with(']') {
            return Err(self.error("expected \"]\""));
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// The rest of an HCL quoted string after its opening quote, escapes decoded.
    fn quoted(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return Err(self.error("unterminated string key"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    let (decoded, len) = self.escape()?;
                    out.push(decoded);
                    self.pos += len;
                }
                '$' | '%' if rest[1..].starts_with(&format!("{c}{{")) => {
                    out.push(c);
                    out.push('{');
                    self.pos += 3;
                }
                '$' | '%' if rest[1..].starts_with('{') => {
                    return Err(self.error("template sequences are not allowed in a key"));
                }
                '\n' => return Err(self.error("unterminated string key")),
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// One backslash escape at the cursor: the character and the escape's length.
    fn escape(&self) -> Result<(char, usize), String> {
        let rest = &self.rest()[1..];
        let simple = |c| Ok((c, 2));
        match rest.chars().next() {
            Some('n') => simple('\n'),
            Some('r') => simple('\r'),
            Some('t') => simple('\t'),
            Some('"') => simple('"'),
            Some('\\') => simple('\\'),
            Some(u @ ('u' | 'U')) => {
                let digits = if u == 'u' { 4 } else { 8 };
                let hex = rest
                    .get(1..1 + digits)
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| self.error("expected hexadecimal digits after \\u"))?;
                let c = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| self.error("invalid character escape"))?;
                Ok((c, 2 + digits))
            }
            _ => Err(self.error("invalid escape sequence")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(k: &str) -> Option<InstanceKey> {
        Some(InstanceKey::Str(k.into()))
    }

    #[test]
    fn prints_terraform_form() {
        let a = Address {
            module: vec![
                ModuleStep {
                    name: "a".into(),
                    key: s("x"),
                },
                ModuleStep {
                    name: "b".into(),
                    key: Some(InstanceKey::Int(0)),
                },
            ],
            mode: Mode::Data,
            rtype: "aws_iam_policy".into(),
            name: "p".into(),
            key: s("k"),
        };
        assert_eq!(
            a.to_string(),
            r#"module.a["x"].module.b[0].data.aws_iam_policy.p["k"]"#
        );
        assert_eq!(a.module_path(), r#"module.a["x"].module.b[0]"#);
        assert_eq!(a.module_config_path(), "module.a.module.b");
        assert_eq!(
            a.config_address(),
            "module.a.module.b.data.aws_iam_policy.p"
        );
    }

    #[test]
    fn root_addresses() {
        let a = Address::parse("aws_instance.web[3]").unwrap();
        assert!(a.module.is_empty());
        assert_eq!(a.mode, Mode::Managed);
        assert_eq!(a.key, Some(InstanceKey::Int(3)));
        assert_eq!(a.module_path(), "");
        assert_eq!(a.module_config_path(), "");
        assert_eq!(a.config_address(), "aws_instance.web");
        let d = Address::parse("data.aws_caller_identity.current").unwrap();
        assert_eq!(d.mode, Mode::Data);
        assert_eq!(d.config_address(), "data.aws_caller_identity.current");
    }

    #[test]
    fn quoting_matches_terraform() {
        // Expected strings are what `terraform state list` prints for these keys.
        let cases = [
            ("a.b", r#"["a.b"]"#),
            ("q\"x", r#"["q\"x"]"#),
            ("${x}", r#"["$${x}"]"#),
            ("%{if}", r#"["%%{if}"]"#),
            ("$x %y", r#"["$x %y"]"#),
            ("back\\slash", r#"["back\\slash"]"#),
            ("tab\tnl\ncr\r", r#"["tab\tnl\ncr\r"]"#),
            ("", r#"[""]"#),
            ("\u{1}\u{200b}é", r#"["\u0001\u200bé"]"#),
            ("\u{f0000}", r#"["\U000f0000"]"#),
            ("\u{fffe}", r#"["\ufffe"]"#),
            ("[0]", r#"["[0]"]"#),
        ];
        for (raw, printed) in cases {
            assert_eq!(InstanceKey::Str(raw.into()).to_string(), printed, "{raw:?}");
        }
        assert_eq!(InstanceKey::Int(-2).to_string(), "[-2]");
    }

    #[test]
    fn parses_tricky_keys_and_round_trips() {
        let texts = [
            r#"module.a["x.y[0]"].module.b[0].data.aws_iam_policy.p["k\"]."]"#,
            r#"aws_s3_bucket.b["$${x}"]"#,
            r#"aws_s3_bucket.b["$$${x}"]"#,
            r#"aws_s3_bucket.b["%%{x}"]"#,
            r#"aws_s3_bucket.b["a\\b\n\t\u0001"]"#,
            "module.data.data.x.y",
            "module.m.module.n.aws-thing_x.name-with-dash",
            "aws_instance.web",
        ];
        for t in texts {
            let a = Address::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"));
            assert_eq!(a.to_string(), t);
            assert_eq!(Address::parse(&a.to_string()).unwrap(), a);
        }
        let a = Address::parse(texts[0]).unwrap();
        assert_eq!(a.module[0].key, s("x.y[0]"));
        assert_eq!(a.key, s("k\"]."));
        assert_eq!(Address::parse(texts[1]).unwrap().key, s("${x}"));
        assert_eq!(Address::parse(texts[2]).unwrap().key, s("$${x}"));
        let m = Address::parse("module.data.data.x.y").unwrap();
        assert_eq!(m.module[0].name, "data");
        assert_eq!(m.mode, Mode::Data);
        // An escape for a character that prints is read, and printed as the character.
        let u = Address::parse(r#"a.b["\u00e9\U0001F600"]"#).unwrap();
        assert_eq!(u.key, s("é😀"));
        assert_eq!(u.to_string(), "a.b[\"é😀\"]");
    }

    #[test]
    fn round_trips_generated_keys() {
        let specials = [
            "", ".", "[", "]", "\"", "\\", "$", "{", "%", "$$", "\n", "é", "\u{7f}",
        ];
        for a in specials {
            for b in specials {
                for c in specials {
                    let key = format!("{a}{b}{c}");
                    let addr = Address {
                        module: vec![ModuleStep {
                            name: "m".into(),
                            key: s(&key),
                        }],
                        mode: Mode::Managed,
                        rtype: "t".into(),
                        name: "n".into(),
                        key: s(&key),
                    };
                    let text = addr.to_string();
                    assert_eq!(Address::parse(&text), Ok(addr), "{text}");
                }
            }
        }
    }

    #[test]
    fn rejects_malformed() {
        for t in [
            "",
            "aws_instance",
            "aws_instance.",
            ".x",
            "module.a",
            "module.a.",
            "aws_instance.web[",
            "aws_instance.web[x]",
            "aws_instance.web[1.5]",
            r#"aws_instance.web["a]"#,
            r#"aws_instance.web["${x}"]"#,
            r#"aws_instance.web["\q"]"#,
            r#"aws_instance.web["\u12"]"#,
            "aws_instance.web[0].id",
            "aws_instance.web extra",
            "data.x",
        ] {
            assert!(Address::parse(t).is_err(), "{t:?} parsed");
        }
        let e = Address::parse("aws_instance.web[x]").unwrap_err();
        assert!(e.contains("at character 18"), "{e}");
    }

    #[test]
    fn from_state_fields() {
        let a = Address::from_state(
            Some(r#"module.a["x"].module.b[1]"#),
            "managed",
            "aws_instance",
            "web",
            Some(&json!("k.1")),
        )
        .unwrap();
        assert_eq!(
            a.to_string(),
            r#"module.a["x"].module.b[1].aws_instance.web["k.1"]"#
        );
        let b = Address::from_state(None, "data", "aws_ami", "x", Some(&json!(2))).unwrap();
        assert_eq!(b.to_string(), "data.aws_ami.x[2]");
        let c = Address::from_state(Some(""), "managed", "t", "n", Some(&json!(null))).unwrap();
        assert_eq!(c.to_string(), "t.n");
        let f: serde_json::Value = serde_json::from_str("1.0").unwrap();
        assert_eq!(
            Address::from_state(None, "managed", "t", "n", Some(&f))
                .unwrap()
                .key,
            Some(InstanceKey::Int(1))
        );
        assert!(Address::from_state(None, "resource", "t", "n", None).is_err());
        assert!(Address::from_state(None, "managed", "t", "n", Some(&json!(1.5))).is_err());
        assert!(Address::from_state(None, "managed", "t", "n", Some(&json!([1]))).is_err());
        assert!(Address::from_state(Some("modul.x"), "managed", "t", "n", None).is_err());
        assert!(Address::from_state(None, "managed", "", "n", None).is_err());
    }

    #[test]
    fn orders_like_terraform() {
        let mut v: Vec<Address> = [
            r#"t.n["b"]"#,
            "t.n[10]",
            "t.n",
            "t.n[2]",
            r#"t.n["a"]"#,
            "data.t.n",
            "module.m.t.n",
        ]
        .iter()
        .map(|t| Address::parse(t).unwrap())
        .collect();
        v.sort();
        let printed: Vec<String> = v.iter().map(Address::to_string).collect();
        assert_eq!(
            printed,
            [
                "t.n",
                "t.n[2]",
                "t.n[10]",
                r#"t.n["a"]"#,
                r#"t.n["b"]"#,
                "data.t.n",
                "module.m.t.n"
            ]
        );
    }
}
