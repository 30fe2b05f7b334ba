//! A grammar-driven generator of Terraform expressions, deterministic from `(seed, index)`.
//!
//! It aims at a type (from the function signatures terraform declares) and reaches it with
//! literals, function calls, operators, conditionals, `for` expressions, indexing, splats and
//! templates; now and then it aims at a wrong type on purpose, so ill-typed calls and
//! operands are covered as much as well-typed ones. Values come from the shapes real modules
//! hold: nulls, empty collections, nested objects, unicode, large and fractional numbers,
//! CIDRs, timestamps, JSON/YAML documents.
use super::ast::{quote, Expr, For, Key, Part};
use super::signatures::{Signature, Ty};

/// The chance that a node aims at a different type than its context asks for.
const ILL_TYPED: f64 = 0.05;

pub struct Gen<'a> {
    rng: fastrand::Rng,
    sigs: &'a [Signature],
    /// `for` variables in scope, with what they were bound to.
    vars: Vec<(String, Ty)>,
    next_var: usize,
}

/// One case: the same `(seed, index)` gives the same expression for the same terraform.
pub fn case(seed: u64, index: u64, sigs: &[Signature]) -> Expr {
    // splitmix64 of the pair, so neighbouring indexes get unrelated streams.
    let mut z = seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(z ^ (z >> 31)),
        sigs,
        vars: Vec::new(),
        next_var: 0,
    };
    let depth = g.rng.u32(1..=4);
    let ty = g.any_ty(1);
    g.expr(&ty, depth)
}

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "10",
    "0.5",
    "1.5",
    "-2.5",
    "100",
    "255",
    "443",
    "1024",
    "65535",
    "3.14159",
    "0.1",
    "1e3",
    "1.5e2",
    "1e20",
    "2147483648",
    "9007199254740993",
    "12345678901234567890",
    "1e-7",
    "-0",
    "0.333333333333333333333",
    "7",
    "42",
];
const SMALL_INTS: &[&str] = &["0", "1", "2", "3", "-1", "4", "8", "1.5", "16"];
const STRINGS: &[&str] = &[
    "",
    "a",
    "abc",
    "Hello World",
    "foo-bar_baz",
    "é",
    "日本語",
    "👍🏽",
    "ﬀ",
    "e\u{301}",
    "a,b,c",
    " padded ",
    "true",
    "false",
    "1",
    "1.5",
    "-3",
    "null",
    "line1\nline2",
    "tab\tsep",
    "quote\"q",
    "back\\slash",
    "us-east-1",
    "arn:aws:iam::123456789012:role/app",
    "t3.micro",
    "10.0.0.0/16",
    "${literal}",
    "%{literal}",
    "HELLO",
    "MiXeD cAsE",
    "0x1F",
    "name",
    "hello@world.com",
    "a-b",
    "ÀÉÎ",
    "ǅ",
    "\u{0}",
    "  ",
    "aaa",
];
const KEYS: &[&str] = &[
    "a",
    "b",
    "name",
    "Name",
    "x",
    "port",
    "tags",
    "é",
    "0",
    "with space",
    "a-b",
    "enabled",
];
const CIDRS: &[&str] = &[
    "10.0.0.0/16",
    "10.0.0.0/8",
    "192.168.1.0/24",
    "172.16.0.0/12",
    "10.1.2.3/24",
    "0.0.0.0/0",
    "fd00::/56",
    "2001:db8::/32",
    "::/0",
    "10.0.0.0/33",
    "not-a-cidr",
    "10.0.0.0",
    "192.168.001.0/24",
    "10.0.0.0/32",
    "::ffff:10.0.0.0/104",
];
const REGEXES: &[&str] = &[
    "[a-z]+",
    "^(\\d+)-(\\d+)$",
    "(?P<name>[a-z]+)=(?P<val>\\d+)",
    "a|b",
    "(a)(b)?",
    "[",
    "\\w+@\\w+\\.com",
    "(?i)hello",
    "^$",
    ".*",
    "x*",
    "(\\d)",
    "[[:alpha:]]+",
    "\\p{Greek}",
];
const REGEX_SUBJECTS: &[&str] = &[
    "abc123",
    "12-34",
    "name=42 x=7",
    "ab",
    "a",
    "hello@world.com",
    "HELLO",
    "",
    "日本語",
    "αβγ",
];
const DATE_FORMATS: &[&str] = &[
    "YYYY-MM-DD",
    "DD MMM YYYY hh:mm ZZZ",
    "EEEE, MMMM D, YYYY",
    "h:mm AA",
    "HH:mm:ss",
    "'Date:' YYYY",
    "YY M D H m s",
    "ZZZZZ",
    "Z",
    "aa",
    "''",
    "EEE",
    "YYYYMMDDhhmmss",
];
const TIMESTAMPS: &[&str] = &[
    "2024-01-02T03:04:05Z",
    "2017-11-22T00:00:00Z",
    "2024-02-29T23:59:59+05:30",
    "1999-12-31T23:59:60Z",
    "2024-01-02",
    "not a time",
    "2024-01-02T03:04:05.123456789Z",
    "2024-01-02T03:04:05-00:00",
];
const DURATIONS: &[&str] = &[
    "1h",
    "-30m",
    "1.5h",
    "10s",
    "1h30m",
    "90m",
    "0s",
    "1d",
    "300ms",
    "2h45m30.5s",
    "",
    "1us",
];
const FORMATS: &[&str] = &[
    "%s",
    "%d",
    "%05d",
    "%.2f",
    "%v",
    "%q",
    "%#v",
    "%t",
    "%x",
    "%X",
    "%o",
    "%b",
    "%e",
    "%g",
    "%s-%s",
    "%[2]s %[1]s",
    "%%",
    "%10s|",
    "%-8s|",
    "%+d",
    "%*d",
    "%s %d",
    "plain",
    "%",
    "%z",
    "%.3s",
    "%6.2f",
    "%T",
    "%s%%",
];
const JSON_DOCS: &[&str] = &[
    "{\"a\":1,\"b\":[true,null]}",
    "[1,2.5,\"x\"]",
    "\"s\"",
    "null",
    "1e400",
    "{\"a\":{\"b\":{}}}",
    "[]",
    "{}",
    "{\"a\":1,\"a\":2}",
    "tru",
    "12345678901234567890",
    "-0",
    " 1 ",
    "0.1",
    "\"\\u00e9\"",
    "[1,]",
];
const YAML_DOCS: &[&str] = &[
    "a: 1\nb: [x, y]\n",
    "- 1\n- two\n- null\n",
    "foo",
    "~",
    "true",
    "yes",
    "0x1F",
    "1e3",
    "0o17",
    ".inf",
    "-.inf",
    ".nan",
    "{a: {b: c}}",
    "a: &x 1\nb: *x\n",
    "'quoted'",
    "- [1, 2]\n- {k: v}\n",
    "--- 1\n...\n",
    "a: 2001-12-14\n",
    "null: 1\n",
    "1_000",
    "+1",
    ".5",
    "0b101",
    "",
    "a: 1\na: 2\n",
    "[1, 2",
    "key: |\n  text\n  more\n",
    "012",
    "-0",
];
const CSV_DOCS: &[&str] = &[
    "a,b\n1,2\n",
    "a,b\n1\n",
    "x\n\"q,uoted\"\n",
    "",
    "a,a\n1,2\n",
    "h1,h2\r\n\"multi\nline\",v\n",
    "a\n",
    "é,ü\n1,2\n",
];
const BASE64: &[&str] = &[
    "aGVsbG8=",
    "aGVsbG8",
    "SGVsbG8sIHdvcmxkIQ==",
    "!!!",
    "",
    "w6k=",
    "/w==",
];
const NUMBER_STRINGS: &[&str] = &[
    "ff",
    "FF",
    "-101",
    "0x1f",
    "123",
    "7fffffffffffffff",
    "zz",
    "1.5",
    " 1",
    "",
    "+7",
    "123456789012345678901234567890",
];
const BASES: &[&str] = &["2", "8", "10", "16", "36", "1", "37", "62", "10.5"];
const ENCODINGS: &[&str] = &[
    "UTF-8",
    "UTF-16LE",
    "ISO-8859-1",
    "SHIFT_JIS",
    "windows-1252",
    "nope",
];
const UUID_NAMESPACES: &[&str] = &[
    "dns",
    "url",
    "oid",
    "x500",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "bad",
];
/// The files `oracle::FIXTURES` writes into every batch directory, and some that are missing.
const PATHS: &[&str] = &[
    "hello.txt",
    "unicode.txt",
    "tmpl.tftpl",
    "data.json",
    "dir/a.txt",
    "dir",
    "missing.txt",
    "./hello.txt",
    "dir/../hello.txt",
    "",
    "~/x",
    "dir/b.yaml",
];
const FILESET_PATTERNS: &[&str] = &[
    "*",
    "*.txt",
    "**",
    "dir/*",
    "**/*.yaml",
    "*.{txt,json}",
    "[a-h]*",
    "dir/**",
    "?ello.txt",
    "[",
];
const SEPARATORS: &[&str] = &[",", "", "-", ", ", "::", "é", "\n"];
const REPLACE_SUBSTRS: &[&str] = &["a", "/[aeiou]/", "/(\\w+)/", "", "o", "/^/", "/(?i)H/"];
const REPLACEMENTS: &[&str] = &["X", "$1", "${1}x", "", "$$", "é"];

/// What a parameter should get, beyond its declared type.
enum Hint {
    Strs(&'static [&'static str]),
    Nums(&'static [&'static str]),
    Typed(Ty),
    /// A collection of some kind (the declared type says `dynamic`).
    Collection,
    /// A map or an object.
    Mapping,
    TemplateVars,
}

fn list(t: Ty) -> Ty {
    Ty::List(Box::new(t))
}

fn hint(func: &str, i: usize) -> Option<Hint> {
    use Hint::*;
    Some(match (func, i) {
        ("cidrhost" | "cidrnetmask" | "cidrsubnet" | "cidrsubnets", 0) => Strs(CIDRS),
        ("cidrhost" | "cidrsubnet" | "cidrsubnets", _) => Nums(SMALL_INTS),
        ("regex" | "regexall", 0) => Strs(REGEXES),
        ("regex" | "regexall", 1) => Strs(REGEX_SUBJECTS),
        ("replace", 1) => Strs(REPLACE_SUBSTRS),
        ("replace", 2) => Strs(REPLACEMENTS),
        ("formatdate", 0) => Strs(DATE_FORMATS),
        ("formatdate", 1) | ("timeadd", 0) | ("timecmp", _) => Strs(TIMESTAMPS),
        ("timeadd", 1) => Strs(DURATIONS),
        ("format" | "formatlist", 0) => Strs(FORMATS),
        ("jsondecode", 0) => Strs(JSON_DOCS),
        ("yamldecode", 0) => Strs(YAML_DOCS),
        ("csvdecode", 0) => Strs(CSV_DOCS),
        ("base64decode" | "textdecodebase64", 0) => Strs(BASE64),
        ("textdecodebase64" | "textencodebase64", 1) => Strs(ENCODINGS),
        ("parseint", 0) => Strs(NUMBER_STRINGS),
        ("parseint", 1) => Nums(BASES),
        ("uuidv5", 0) => Strs(UUID_NAMESPACES),
        // Never the batch directory itself: it also holds the eN.tf files.
        ("fileset", 0) => Strs(&["dir", "./dir", "missing", "dir/sub"]),
        ("fileset", 1) => Strs(FILESET_PATTERNS),
        (
            "file" | "filebase64" | "filebase64sha256" | "filebase64sha512" | "fileexists"
            | "filemd5" | "filesha1" | "filesha256" | "filesha512" | "templatefile" | "abspath"
            | "basename" | "dirname" | "pathexpand",
            0,
        ) => Strs(PATHS),
        ("templatefile" | "templatestring", 1) => TemplateVars,
        ("indent", 0)
        | ("chunklist" | "element", 1)
        | ("substr" | "slice", 1 | 2)
        | ("range", _) => Nums(SMALL_INTS),
        ("split" | "join", 0) => Strs(SEPARATORS),
        ("lookup", 1) => Strs(KEYS),
        (
            "length" | "element" | "index" | "slice" | "reverse" | "one" | "flatten" | "concat"
            | "coalescelist" | "setproduct" | "tolist" | "toset" | "contains",
            0,
        ) => Collection,
        ("concat" | "coalescelist" | "setproduct", _) => Collection,
        ("keys" | "values" | "lookup" | "tomap" | "merge", 0) | ("merge", _) => Mapping,
        ("sum", 0) => Typed(list(Ty::Num)),
        ("zipmap", 1) => Collection,
        ("tonumber", 0) => Strs(&[
            "1",
            "1.5",
            "-0",
            "1e3",
            "abc",
            "0x10",
            " 2",
            "9007199254740993",
        ]),
        ("tobool", 0) => Strs(&["true", "false", "True", "1", ""]),
        _ => return None,
    })
}

/// Declared `dynamic` results that are really one type, so calls can stand where it is asked.
fn effective_return(sig: &Signature) -> Ty {
    match sig.name.as_str() {
        "contains" => Ty::Bool,
        "index" | "sum" | "parseint" => Ty::Num,
        "format" => Ty::Str,
        "formatlist" | "keys" => list(Ty::Str),
        _ => sig.ret.clone(),
    }
}

fn matches(want: &Ty, have: &Ty) -> bool {
    match (want, have) {
        (Ty::Any, _) | (_, Ty::Any) => true,
        (Ty::List(a), Ty::List(b)) | (Ty::Set(a), Ty::Set(b)) | (Ty::Map(a), Ty::Map(b)) => {
            matches(a, b)
        }
        (a, b) => a == b,
    }
}

impl Gen<'_> {
    fn pick<'s>(&mut self, pool: &[&'s str]) -> &'s str {
        pool[self.rng.usize(..pool.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    fn any_ty(&mut self, nesting: u32) -> Ty {
        match self.rng.u32(0..if nesting > 0 { 7 } else { 4 }) {
            0 => Ty::Num,
            1 => Ty::Str,
            2 => Ty::Bool,
            3 => Ty::Any,
            4 => list(self.any_ty(nesting - 1)),
            5 => Ty::Set(Box::new(self.any_ty(nesting - 1))),
            _ => Ty::Map(Box::new(self.any_ty(nesting - 1))),
        }
    }

    pub fn expr(&mut self, ty: &Ty, depth: u32) -> Expr {
        let ty = if self.chance(ILL_TYPED) {
            self.any_ty(1)
        } else {
            ty.clone()
        };
        if depth == 0 || self.chance(0.15) {
            return self.leaf(&ty);
        }
        let d = depth - 1;
        match self.rng.u32(0..100) {
            0..=39 => self.call(&ty, d),
            40..=54 => self.operator(&ty, d),
            55..=61 => self.conditional(&ty, d),
            62..=71 => self.for_expr(&ty, d),
            72..=77 => self.index(&ty, d),
            78..=81 => self.splat(d),
            82..=89 if matches(&ty, &Ty::Str) => self.template(d),
            _ => self.literal(&ty, d),
        }
    }

    fn leaf(&mut self, ty: &Ty) -> Expr {
        if !self.vars.is_empty() && self.chance(0.4) {
            let candidates: Vec<String> = self
                .vars
                .iter()
                .filter(|(_, t)| matches(ty, t))
                .map(|(n, _)| n.clone())
                .collect();
            if !candidates.is_empty() {
                return Expr::Atom(candidates[self.rng.usize(..candidates.len())].clone());
            }
        }
        self.literal(ty, 0)
    }

    fn str_atom(&mut self, pool: &[&str]) -> Expr {
        Expr::Atom(quote(self.pick(pool)))
    }

    fn literal(&mut self, ty: &Ty, depth: u32) -> Expr {
        if self.chance(0.05) {
            return Expr::Atom("null".into());
        }
        match ty {
            Ty::Num => Expr::Atom(self.pick(NUMBERS).into()),
            Ty::Bool => Expr::Atom(self.pick(&["true", "false"]).into()),
            Ty::Str => {
                if self.chance(0.05) {
                    let r = self.pick(&[
                        "path.module",
                        "path.root",
                        "path.cwd",
                        "terraform.workspace",
                    ]);
                    Expr::Atom(r.into())
                } else {
                    self.str_atom(STRINGS)
                }
            }
            Ty::List(t) | Ty::Set(t) => {
                let n = self.len();
                let items = (0..n).map(|_| self.elem(t, depth)).collect();
                let tuple = Expr::Tuple(items);
                match (ty, self.rng.u32(0..4)) {
                    (Ty::Set(_), 0..=2) => call("toset", vec![tuple]),
                    (Ty::List(_), 0) => call("tolist", vec![tuple]),
                    _ => tuple,
                }
            }
            Ty::Map(t) => {
                let n = self.len();
                let items = (0..n).map(|_| (self.key(), self.elem(t, depth))).collect();
                let obj = Expr::Object(items);
                if self.chance(0.3) {
                    call("tomap", vec![obj])
                } else {
                    obj
                }
            }
            Ty::Any => self.shape(depth),
        }
    }

    fn elem(&mut self, t: &Ty, depth: u32) -> Expr {
        if depth == 0 {
            self.literal(t, 0)
        } else {
            self.expr(t, depth - 1)
        }
    }

    fn len(&mut self) -> usize {
        *[0, 1, 1, 2, 2, 3, 4].get(self.rng.usize(..7)).unwrap()
    }

    fn key(&mut self) -> Key {
        let k = self.pick(KEYS);
        if k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !k.starts_with(|c: char| c.is_ascii_digit())
            && self.chance(0.7)
        {
            Key::Ident(k.into())
        } else {
            Key::Expr(Expr::Atom(quote(k)))
        }
    }

    /// The shapes module values take: scalars, nested objects, lists of objects.
    fn shape(&mut self, depth: u32) -> Expr {
        match self.rng.u32(0..9) {
            0 => self.literal(&Ty::Num, depth),
            1 => self.literal(&Ty::Str, depth),
            2 => self.literal(&Ty::Bool, depth),
            3 => Expr::Atom(self.pick(&["null", "[]", "{}"]).into()),
            4 => self.object(depth),
            5 => Expr::Tuple((0..self.len()).map(|_| self.object(depth)).collect()),
            6 => {
                let t = self.any_ty(0);
                self.literal(&list(t), depth)
            }
            7 => {
                // A mixed tuple: unification and tuple-vs-list behaviour.
                let n = self.len();
                Expr::Tuple(
                    (0..n)
                        .map(|_| {
                            let t = self.any_ty(0);
                            self.elem(&t, depth)
                        })
                        .collect(),
                )
            }
            _ => {
                let t = self.any_ty(0);
                self.literal(&Ty::Map(Box::new(t)), depth)
            }
        }
    }

    /// An object like a module's input: name, port, tags, flags, a null, a nested list.
    fn object(&mut self, depth: u32) -> Expr {
        let mut fields: Vec<(Key, Expr)> = Vec::new();
        let all: [(&str, Ty); 6] = [
            ("name", Ty::Str),
            ("port", Ty::Num),
            ("enabled", Ty::Bool),
            ("tags", Ty::Map(Box::new(Ty::Str))),
            ("cidrs", list(Ty::Str)),
            ("extra", Ty::Any),
        ];
        for (k, t) in all {
            if self.chance(0.5) {
                let v = if k == "extra" && self.chance(0.6) {
                    Expr::Atom("null".into())
                } else if depth == 0 || matches!(t, Ty::Any) {
                    self.literal(&t, 0)
                } else {
                    self.expr(&t, depth - 1)
                };
                fields.push((Key::Ident(k.into()), v));
            }
        }
        Expr::Object(fields)
    }

    fn call(&mut self, ty: &Ty, depth: u32) -> Expr {
        // A third of the time any function (so every function is drawn evenly), else one
        // whose result fits.
        let fitting: Vec<usize> = (0..self.sigs.len())
            .filter(|&i| matches(ty, &effective_return(&self.sigs[i])))
            .collect();
        let i = if fitting.is_empty() || self.chance(0.33) {
            self.rng.usize(..self.sigs.len())
        } else {
            fitting[self.rng.usize(..fitting.len())]
        };
        let sig = self.sigs[i].clone();
        let mut args: Vec<Expr> = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, (_, t))| self.arg(&sig.name, i, t, depth))
            .collect();
        if let Some((_, t)) = &sig.variadic {
            let n = self.rng.usize(0..=3);
            for j in 0..n {
                let a = self.arg(&sig.name, sig.params.len() + j, t, depth);
                args.push(a);
            }
        }
        // Wrong arity now and then: terraform's static check against ours.
        if self.chance(0.02) {
            if args.is_empty() || self.chance(0.5) {
                args.push(self.leaf(&Ty::Any));
            } else {
                args.pop();
            }
        }
        let expand = sig.variadic.is_some() && !args.is_empty() && self.chance(0.05);
        if expand {
            let last = args.pop().unwrap();
            args.push(Expr::Tuple(vec![last]));
        }
        let name = if self.chance(0.03) {
            format!("core::{}", sig.name)
        } else {
            sig.name.clone()
        };
        Expr::Call { name, args, expand }
    }

    fn arg(&mut self, func: &str, i: usize, declared: &Ty, depth: u32) -> Expr {
        // A hint is followed most of the time; otherwise the declared type, which still
        // covers the interesting wrong-format inputs.
        if self.chance(0.8) {
            match hint(func, i) {
                Some(Hint::Strs(pool)) => return self.str_atom(pool),
                Some(Hint::Nums(pool)) => return Expr::Atom(self.pick(pool).into()),
                Some(Hint::Typed(t)) => return self.expr(&t, depth),
                Some(Hint::Collection) => {
                    let t = match self.rng.u32(0..4) {
                        0 => Ty::Set(Box::new(self.any_ty(0))),
                        1 => list(list(self.any_ty(0))),
                        _ => list(self.any_ty(0)),
                    };
                    return self.expr(&t, depth);
                }
                Some(Hint::Mapping) => {
                    return if self.chance(0.5) {
                        self.object(depth)
                    } else {
                        let t = Ty::Map(Box::new(self.any_ty(0)));
                        self.expr(&t, depth)
                    };
                }
                Some(Hint::TemplateVars) => {
                    let items = self.literal(&list(Ty::Str), 0);
                    let name = self.str_atom(STRINGS);
                    return Expr::Object(vec![
                        (Key::Ident("name".into()), name),
                        (Key::Ident("items".into()), items),
                    ]);
                }
                None => {}
            }
        }
        self.expr(declared, depth)
    }

    fn operator(&mut self, ty: &Ty, d: u32) -> Expr {
        let wrap = |g: &mut Self, e: Expr| {
            if matches!(e, Expr::Binary(..) | Expr::Cond(..)) && g.chance(0.8) {
                Expr::Paren(Box::new(e))
            } else {
                e
            }
        };
        let (op, lt, rt): (&'static str, Ty, Ty) = match ty {
            Ty::Num => {
                if self.chance(0.15) {
                    let e = self.expr(&Ty::Num, d);
                    let e = wrap(self, e);
                    return Expr::Unary("-", Box::new(e));
                }
                (self.pick(&["+", "-", "*", "/", "%"]), Ty::Num, Ty::Num)
            }
            Ty::Bool | Ty::Any => match self.rng.u32(0..4) {
                0 => {
                    let e = self.expr(&Ty::Bool, d);
                    let e = wrap(self, e);
                    return Expr::Unary("!", Box::new(e));
                }
                1 => (self.pick(&["&&", "||"]), Ty::Bool, Ty::Bool),
                2 => (self.pick(&["<", ">", "<=", ">="]), Ty::Num, Ty::Num),
                _ => {
                    let t = self.any_ty(1);
                    (self.pick(&["==", "!="]), t.clone(), t)
                }
            },
            // No operator makes strings or collections: compare and let the result be
            // converted (or fail to be).
            _ => (self.pick(&["==", "+", "&&"]), ty.clone(), ty.clone()),
        };
        let l = self.expr(&lt, d);
        let r = self.expr(&rt, d);
        let (l, r) = (wrap(self, l), wrap(self, r));
        Expr::Binary(op, Box::new(l), Box::new(r))
    }

    fn conditional(&mut self, ty: &Ty, d: u32) -> Expr {
        let c = self.expr(&Ty::Bool, d);
        let t = self.expr(ty, d);
        // Unification across branches: the other branch sometimes of another type.
        let f_ty = if self.chance(0.25) {
            self.any_ty(1)
        } else {
            ty.clone()
        };
        let f = self.expr(&f_ty, d);
        Expr::Cond(Box::new(c), Box::new(t), Box::new(f))
    }

    fn fresh_var(&mut self) -> String {
        let n = self.next_var;
        self.next_var += 1;
        let base = ["x", "v", "item", "k", "s", "each_v"][n % 6];
        match n / 6 {
            0 => base.to_string(),
            round => format!("{base}{round}"),
        }
    }

    fn for_expr(&mut self, ty: &Ty, d: u32) -> Expr {
        let elem = self.any_ty(0);
        let coll_ty = match self.rng.u32(0..4) {
            0 => Ty::Map(Box::new(elem.clone())),
            1 => Ty::Set(Box::new(elem.clone())),
            _ => list(elem.clone()),
        };
        let coll = if self.chance(0.3) {
            self.shape(d)
        } else {
            self.expr(&coll_ty, d)
        };
        let key_var = self.chance(0.4).then(|| self.fresh_var());
        let val_var = self.fresh_var();
        let saved = self.vars.len();
        if let Some(k) = &key_var {
            self.vars.push((k.clone(), Ty::Any));
        }
        self.vars.push((val_var.clone(), elem.clone()));
        let object = matches!(ty, Ty::Map(_)) || (matches!(ty, Ty::Any) && self.chance(0.4));
        let (key, val, group) = if object {
            let key = match self.rng.u32(0..3) {
                0 => Expr::Atom(key_var.clone().unwrap_or_else(|| val_var.clone())),
                1 => Expr::Template(vec![Part::Interp {
                    expr: Expr::Atom(val_var.clone()),
                    strip_left: false,
                    strip_right: false,
                }]),
                _ => self.expr(&Ty::Str, d),
            };
            let vt = match ty {
                Ty::Map(t) => (**t).clone(),
                _ => Ty::Any,
            };
            let val = self.expr(&vt, d);
            (Some(key), val, self.chance(0.15))
        } else {
            let vt = match ty {
                Ty::List(t) | Ty::Set(t) => (**t).clone(),
                _ => Ty::Any,
            };
            (None, self.expr(&vt, d), false)
        };
        let cond = self.chance(0.3).then(|| self.expr(&Ty::Bool, d));
        self.vars.truncate(saved);
        Expr::For(Box::new(For {
            key_var,
            val_var,
            coll,
            key,
            val,
            group,
            cond,
        }))
    }

    fn index(&mut self, ty: &Ty, d: u32) -> Expr {
        match self.rng.u32(0..3) {
            0 => {
                let base = self.literal(&list(ty.clone()), d);
                let i = if self.chance(0.7) {
                    Expr::Atom(self.pick(SMALL_INTS).into())
                } else {
                    self.expr(&Ty::Any, d)
                };
                Expr::Index(Box::new(base), Box::new(i))
            }
            1 => {
                let base = self.object(d);
                let k = self.pick(&["name", "port", "tags", "enabled", "extra", "missing"]);
                if self.chance(0.5) {
                    Expr::Attr(Box::new(base), k.into())
                } else {
                    Expr::Index(Box::new(base), Box::new(Expr::Atom(quote(k))))
                }
            }
            _ => {
                let base = self.literal(&Ty::Map(Box::new(ty.clone())), d);
                let k = self.str_atom(KEYS);
                Expr::Index(Box::new(base), Box::new(k))
            }
        }
    }

    fn splat(&mut self, d: u32) -> Expr {
        let base = match self.rng.u32(0..5) {
            0 => self.object(d),
            1 => Expr::Atom("null".into()),
            2 => self.shape(d),
            _ => Expr::Tuple((0..self.len()).map(|_| self.object(d)).collect()),
        };
        let attrs = (0..self.rng.usize(0..=2))
            .map(|_| {
                self.pick(&["name", "port", "tags", "cidrs", "missing"])
                    .to_string()
            })
            .collect();
        Expr::Splat {
            base: Box::new(base),
            full: self.chance(0.7),
            attrs,
        }
    }

    fn template(&mut self, d: u32) -> Expr {
        Expr::Template(self.parts(d, 2))
    }

    fn parts(&mut self, d: u32, nesting: u32) -> Vec<Part> {
        let n = self.rng.usize(1..=3);
        let mut parts = Vec::new();
        for _ in 0..n {
            let p = match self.rng.u32(0..if nesting > 0 { 5 } else { 3 }) {
                0 => Part::Lit(self.pick(STRINGS).to_string()),
                1 | 2 => {
                    let t = if self.chance(0.8) {
                        Ty::Str
                    } else {
                        self.any_ty(0)
                    };
                    Part::Interp {
                        expr: self.expr(&t, d),
                        strip_left: self.chance(0.1),
                        strip_right: self.chance(0.1),
                    }
                }
                3 => {
                    let c = self.expr(&Ty::Bool, d);
                    let t = self.parts(d, nesting - 1);
                    let f = self.chance(0.5).then(|| self.parts(d, nesting - 1));
                    Part::If(c, t, f)
                }
                _ => {
                    let var = self.fresh_var();
                    let coll = self.expr(&list(Ty::Str), d);
                    self.vars.push((var.clone(), Ty::Str));
                    let body = self.parts(d, nesting - 1);
                    self.vars.pop();
                    Part::For(var, coll, body)
                }
            };
            parts.push(p);
        }
        parts
    }
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Call {
        name: name.into(),
        args,
        expand: false,
    }
}
