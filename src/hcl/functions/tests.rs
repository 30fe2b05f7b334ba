//! Tests against outputs of `terraform console` (Terraform 1.11). Arguments are written as a
//! JSON array; the expected result is what `jsonencode(...)` printed in the console.
use super::encoding::{json_decode, json_encode};
use super::{call, FnCtx};
use crate::model::{Cause, Value};
use std::collections::BTreeMap;
use std::path::Path;

fn render(text: &str, vars: &BTreeMap<String, Value>) -> Result<Value, String> {
    // a minimal stand-in for the evaluator: replaces ${name} with string vars
    let mut out = text.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("${{{k}}}"), &v.to_tf_string()?);
    }
    Ok(Value::String(out))
}

fn run_in(dir: &Path, name: &str, args: Vec<Value>) -> Result<Value, String> {
    let ctx = FnCtx {
        cwd: dir,
        render_template: &render,
        limits: &crate::model::limits::Limits::DEFAULT,
    };
    call(name, args, &ctx).unwrap_or_else(|| panic!("{name} not implemented"))
}

fn run(name: &str, args: Vec<Value>) -> Result<Value, String> {
    run_in(Path::new("/tmp/fn-oracle"), name, args)
}

fn args(json: &str) -> Vec<Value> {
    match json_decode(json).expect("test args are JSON") {
        Value::List(l) => l.items,
        v => panic!("args must be a JSON array, got {v:?}"),
    }
}

/// `name(args...)` must give a result whose jsonencode is `want`.
#[track_caller]
fn t(name: &str, a: &str, want: &str) {
    let got = run(name, args(a)).unwrap_or_else(|e| panic!("{name}({a}) failed: {e}"));
    assert_eq!(json_encode(&got).unwrap(), want, "{name}({a})");
}

/// `name(args...)` must fail with a message containing `msg`.
#[track_caller]
fn e(name: &str, a: &str, msg: &str) {
    match run(name, args(a)) {
        Ok(v) => panic!("{name}({a}) should fail, got {v:?}"),
        Err(m) => assert!(m.contains(msg), "{name}({a}): {m:?} lacks {msg:?}"),
    }
}

/// A string result compared literally (for yamlencode and friends).
#[track_caller]
fn ts(name: &str, a: &str, want: &str) {
    let got = run(name, args(a)).unwrap_or_else(|e| panic!("{name}({a}) failed: {e}"));
    assert_eq!(got, Value::string(want), "{name}({a})");
}

#[test]
fn strings() {
    t("upper", "[1]", r#""1""#);
    t("lower", r#"["AbC"]"#, r#""abc""#);
    t(
        "title",
        r#"["hello wORLD foo_bar x-y é.a"]"#,
        r#""Hello WORLD Foo_bar X-Y É.A""#,
    );
    t("chomp", "[\"a\\n\\r\\n\\r\"]", r#""a""#);
    t("trimspace", "[\"  x\\n\"]", r#""x""#);
    t("trim", r#"["?!hello?!", "!?"]"#, r#""hello""#);
    t("trimprefix", r#"["helloworld", "hello"]"#, r#""world""#);
    t("trimsuffix", r#"["helloworld", "world"]"#, r#""hello""#);
    t("startswith", r#"["hello", "he"]"#, "true");
    t("endswith", r#"["hello", "he"]"#, "false");
    t("strcontains", r#"["hello", "ll"]"#, "true");
    t("strrev", r#"["abc"]"#, r#""cba""#);
    t("indent", "[2, \"a\\nb\\n\\nc\"]", r#""a\n  b\n  \n  c""#);
    t("split", r#"[",", "a,,b"]"#, r#"["a","","b"]"#);
    t("split", r#"[",", ""]"#, r#"[""]"#);
    t("join", r#"[",", ["a", 1], ["b"]]"#, r#""a,1,b""#);
    t("substr", r#"["hello", -3, -1]"#, r#""llo""#);
    t("substr", r#"["hello", 1, 100]"#, r#""ello""#);
    t("substr", r#"["hello", 10, 1]"#, r#""""#);
    t("replace", r#"["a.b.c", ".", "-"]"#, r#""a-b-c""#);
    t(
        "replace",
        r#"["hello world", "/(o)/", "[$1]"]"#,
        r#""hell[o] w[o]rld""#,
    );
    t(
        "replace",
        r#"["abc", "/(?P<x>b)/", "${x}${x}$$"]"#,
        r#""abb$c""#,
    );
    t("replace", r#"["abc", "/b/", "$0$1x"]"#, r#""abc""#);
    t("regex", r#"["(\\d+)-(\\d+)", "10-20"]"#, r#"["10","20"]"#);
    t(
        "regex",
        r#"["(?P<a>\\d+)-(?P<b>\\d+)", "10-20"]"#,
        r#"{"a":"10","b":"20"}"#,
    );
    t("regex", r#"["\\d+", "a10-20"]"#, r#""10""#);
    e("regex", r#"["x", "abc"]"#, "pattern did not match");
    t("regexall", r#"["\\d+", "a10-20"]"#, r#"["10","20"]"#);
    t(
        "regexall",
        r#"["(\\d)(\\d)", "a10-20"]"#,
        r#"[["1","0"],["2","0"]]"#,
    );
}

#[test]
fn format_verbs() {
    t(
        "format",
        r#"["%v %#v %q %t %5.2f|%-5s|%5d|%x %X %o %b %e", "a", {"a":1}, "q\"", true, 3.14159, "ab", 42, 255, 255, 8, 5, 1234.5]"#,
        r#""a {\"a\":1} \"q\\\"\" true  3.14|ab   |   42|ff FF 10 101 1.234500e+03""#,
    );
    t("format", r#"["%[2]s %[1]s %s", "a", "b"]"#, r#""b a b""#);
    t("format", r#"["%#v %#v", "x", 1]"#, r#""\"x\" 1""#);
    t(
        "format",
        r#"["%5.1s|%05d|%+d|%8.3f|%-8.3f|%.0f|%g", "abc", 42, 5, 3.14159, 2.5, 2.5, 1.5]"#,
        r#""    a|00042|+5|   3.142|2.500   |2|1.5""#,
    );
    t(
        "format",
        r#"["%.2f|%.1f|%.0f", 0.125, 0.25, 0.5]"#,
        r#""0.12|0.2|0""#,
    );
    t(
        "format",
        r#"["%e|%.2e|%E", 0.000123, 0, 1e21]"#,
        r#""1.230000e-04|0.00e+00|1.000000E+21""#,
    );
    t(
        "format",
        r#"["%g|%g|%g|%g", 100000, 1e21, 0.00001, 123.456]"#,
        r#""100000|1e+21|1e-05|123.456""#,
    );
    t(
        "format",
        r#"["%5t|%v|%#v", true, {"a":[1]}, "<"]"#,
        r#""true|{\"a\":[1]}|\"\\u003c\"""#,
    );
    t(
        "format",
        r#"["%010.3f|% d|%+.1f|%-6d|", -3.14159, 5, 2.25, 7]"#,
        r#""-00003.142| 5|+2.2|7     |""#,
    );
    t(
        "format",
        r#"["%d", 73786976294838206464]"#,
        r#""73786976294838206464""#,
    );
    t(
        "format",
        r#"["%d|%f|%q", "12", 1, 1]"#,
        r#""12|1.000000|\"1\"""#,
    );
    t(
        "format",
        r#"["%x|%x", -255, 1e30]"#,
        r#""-ff|c9f2c9cd04674edea40000000""#,
    );
    t(
        "format",
        r#"["%.3s|%-4.2s|%10v|%%", "héllo", "xyz", 3]"#,
        r#""hél|xy  |         3|%""#,
    );
    t("format", r#"["%v", null]"#, r#""null""#);
    e(
        "format",
        r#"["%s", null]"#,
        "null value cannot be formatted",
    );
    e("format", r#"["%d", 1.5]"#, "an integer is required");
    e("format", r#"["%s", [1]]"#, "string required");
    e(
        "format",
        r#"["%s %s", "a"]"#,
        "not enough arguments for \"%s\" at 3: need index 2 but have 1 total",
    );
    e(
        "format",
        r#"["%s", "a", "b"]"#,
        "too many arguments; only 1 used by format string",
    );
    e(
        "format",
        r#"["%z", 1]"#,
        "unsupported format verb 'z' in \"%z\" at offset 0",
    );
    e(
        "format",
        r#"["abc %"]"#,
        "invalid format string starting at offset 5",
    );
    e("format", r#"["%x", "hi"]"#, "a number is required");
    t(
        "formatlist",
        r#"["%s-%s", ["a","b"], "c"]"#,
        r#"["a-c","b-c"]"#,
    );
    t("formatlist", r#"["%s", []]"#, "[]");
    t("formatlist", r#"["%s", "a"]"#, r#"["a"]"#);
    e(
        "formatlist",
        r#"["%s-%s", ["a"], ["b", "c"]]"#,
        "argument 2 has length 2, which is inconsistent with argument 1 of length 1",
    );
}

#[test]
fn collections() {
    t("concat", r#"[["a"], [1]]"#, r#"["a",1]"#);
    t("distinct", r#"[["a", 1, "1"]]"#, r#"["a","1"]"#);
    t("sort", r#"[[10, 2, "b"]]"#, r#"["10","2","b"]"#);
    t("coalesce", r#"["", null, "b"]"#, r#""b""#);
    t("coalesce", r#"[1, "b"]"#, r#""1""#);
    e(
        "coalesce",
        r#"["", null]"#,
        "no non-null, non-empty-string arguments",
    );
    t("compact", r#"[["a", "", null, "b"]]"#, r#"["a","b"]"#);
    t("element", r#"[["a","b"], 5]"#, r#""b""#);
    e("element", r#"[["a","b"], -1]"#, "index out of range [-1]");
    t("element", r#"[["a","b"], -2]"#, r#""a""#);
    e("element", r#"[[], 1]"#, "empty list");
    t("flatten", r#"[[[1,[2]],[],3]]"#, "[1,2,3]");
    t("keys", r#"[{"b":1,"a":2}]"#, r#"["a","b"]"#);
    t("values", r#"[{"b":1,"a":2}]"#, "[2,1]");
    t("lookup", r#"[{"a":1}, "b", "x"]"#, r#""x""#);
    t("lookup", r#"[{"a":1}, "a"]"#, "1");
    e(
        "lookup",
        r#"[{"a":1}, "b"]"#,
        "lookup failed to find key \"b\"",
    );
    t(
        "merge",
        r#"[{"a":1}, null, {"b":2, "a":3}]"#,
        r#"{"a":3,"b":2}"#,
    );
    t("merge", "[]", "{}");
    t("index", r#"[["a","b"], "b"]"#, "1");
    e("index", r#"[["a","b"], "c"]"#, "item not found");
    t("contains", r#"[["a"], "a"]"#, "true");
    t("contains", r#"[["a"], "b"]"#, "false");
    t("contains", r#"[[1, 2], "2"]"#, "false");
    e("index", r#"[[1, 2], "2"]"#, "item not found");
    t("chunklist", "[[1,2,3], 0]", "[[1,2,3]]");
    t("alltrue", "[[null]]", "false");
    t("anytrue", "[[null, true]]", "true");
    t("flatten", r#"[[{"a":1}, [[2]]]]"#, r#"[{"a":1},2]"#);
    e("setproduct", "[]", "at least two arguments are required");
    e("setunion", "[]", "expects at least 1");
    e("coalescelist", "[[], []]", "no non-null arguments");
    e(
        "merge",
        r#"[{"a":1}, [1]]"#,
        "arguments must be maps or objects, got \"tuple\"",
    );
    t("one", "[[]]", "null");
    t("one", "[[5]]", "5");
    e("one", "[[1,2]]", "either zero or one elements");
    t("slice", "[[1,2,3], 1, 3]", "[2,3]");
    e("slice", "[[1,2,3], 2, 4]", "end index");
    t(
        "setproduct",
        r#"[["a","b"],[1,2]]"#,
        r#"[["a",1],["a",2],["b",1],["b",2]]"#,
    );
    t(
        "transpose",
        r#"[{"a":["1","2"], "b":["2"]}]"#,
        r#"{"1":["a"],"2":["a","b"]}"#,
    );
    t(
        "matchkeys",
        r#"[["a","b","c"], [1,2,3], [2,3]]"#,
        r#"["b","c"]"#,
    );
    t("chunklist", "[[1,2,3], 2]", "[[1,2],[3]]");
    t("zipmap", r#"[["a","b"], [1,2]]"#, r#"{"a":1,"b":2}"#);
    t("setunion", r#"[["b"],["a","c"]]"#, r#"["a","b","c"]"#);
    t("setintersection", r#"[["b","a"],["a","c"]]"#, r#"["a"]"#);
    t("setsubtract", r#"[["b","a"],["a","c"]]"#, r#"["b"]"#);
    t("reverse", "[[1,2,3]]", "[3,2,1]");
    t("alltrue", "[[]]", "true");
    t("anytrue", r#"[["true"]]"#, "true");
    t("length", r#"["héllo"]"#, "5");
    t("length", r#"[{"a":1}]"#, "1");
    t("coalescelist", "[[], [1]]", "[1]");
    t("sum", r#"[[1, "2", 3.5]]"#, "6.5");
}

#[test]
fn conversions() {
    t("tostring", "[null]", "null");
    t("tostring", "[1.5]", r#""1.5""#);
    e("tostring", "[[1]]", "cannot convert");
    t("tonumber", r#"["12.5"]"#, "12.5");
    e(
        "tonumber",
        r#"["0x10"]"#,
        "given string must be a decimal representation of a number",
    );
    e(
        "tonumber",
        r#"[" 5"]"#,
        "given string must be a decimal representation of a number",
    );
    t("tobool", r#"["true"]"#, "true");
    e("tobool", r#"["yes"]"#, "cannot convert");
    t("tolist", r#"[["a", 1]]"#, r#"["a","1"]"#);
    t("toset", r#"[[3, 1, "a"]]"#, r#"["1","3","a"]"#);
    t("tomap", r#"[{"a":1, "b":"x"}]"#, r#"{"a":"1","b":"x"}"#);
}

#[test]
fn numbers() {
    t("max", r#"["3", 2]"#, "3");
    t("min", r#"[3, 2, 7]"#, "2");
    t("abs", "[-2.5]", "2.5");
    t("signum", "[-3]", "-1");
    t("floor", "[-1.5]", "-2");
    t("ceil", "[-1.5]", "-1");
    t("ceil", "[1.2]", "2");
    t("floor", "[4]", "4");
    t("log", "[8, 2]", "3");
    t("pow", "[2, 0.5]", "1.4142135623730951");
    t("pow", "[2, 10]", "1024");
    // terraform console 1.11: Go's math.Pow, whose last digits differ from libm's.
    t("pow", "[10, 1.5]", "31.622776601683796");
    t("pow", "[10, -1.5]", "0.03162277660168379");
    t("pow", "[2, 0.3]", "1.2311444133449163");
    t("pow", "[7, 2.7]", "191.32191007901343");
    t("pow", "[3.3, 4.4]", "191.18831051580915");
    t("pow", "[1.1, 100.5]", "14453.228155208471");
    t("log", "[10, 3]", "2.095903274289385");
    t("log", "[7, 2.5]", "2.1236820163783645");
    t("parseint", r#"["-ff", 16]"#, "-255");
    t("parseint", r#"["zz", 36]"#, "1295");
    e("parseint", r#"["12", 1]"#, "base");
    t("range", "[3]", "[0,1,2]");
    t("range", "[3, 0]", "[3,2,1]");
    t("range", "[0, 10, 4]", "[0,4,8]");
    e("range", "[2000]", "more than 1024 values were generated");
}

#[test]
fn network() {
    t("cidrsubnet", r#"["10.0.0.0/16", 8, 2]"#, r#""10.0.2.0/24""#);
    t(
        "cidrsubnet",
        r#"["fd00:fd12:3456:7890::/56", 16, 162]"#,
        r#""fd00:fd12:3456:7800:a200::/72""#,
    );
    e(
        "cidrsubnet",
        r#"["10.0.0.0/24", 9, 0]"#,
        "insufficient address space to extend prefix of 24 by 9",
    );
    t(
        "cidrsubnets",
        r#"["10.0.0.0/16", 4, 4, 8, 4]"#,
        r#"["10.0.0.0/20","10.0.16.0/20","10.0.32.0/24","10.0.48.0/20"]"#,
    );
    t("cidrhost", r#"["10.0.0.0/24", -2]"#, r#""10.0.0.254""#);
    t("cidrhost", r#"["fd00::/64", 5]"#, r#""fd00::5""#);
    e(
        "cidrsubnets",
        r#"["10.0.0.0/24", 1, 1, 1]"#,
        "not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25",
    );
    t("cidrnetmask", r#"["172.16.0.0/12"]"#, r#""255.240.0.0""#);
}

#[test]
fn encodings_and_hashes() {
    t(
        "jsonencode",
        r#"[{"b":[1,null], "a":"x"}]"#,
        r#""{\"a\":\"x\",\"b\":[1,null]}""#,
    );
    // the console showed "\u003c\u003e\u0026\u2028 \t\n\r\u0001 é" as jsonencode's escapes
    let got = run(
        "jsonencode",
        vec![Value::string("<>&\u{2028} \t\n\r\u{1} é")],
    )
    .unwrap();
    assert_eq!(
        got,
        Value::string(r#""\u003c\u003e\u0026\u2028 \t\n\r\u0001 é""#)
    );
    t(
        "jsondecode",
        r#"["{\"a\": [1, 2.50, true, null, \"x\"], \"b\": 1e3}"]"#,
        r#"{"a":[1,2.5,true,null,"x"],"b":1000}"#,
    );
    e("jsondecode", r#"["{"]"#, "");
    t("base64encode", r#"["hello"]"#, r#""aGVsbG8=""#);
    t("base64decode", r#"["aGVsbG8="]"#, r#""hello""#);
    e("base64decode", r#"["!!"]"#, "failed to decode base64 data");
    t(
        "urlencode",
        r#"["a b&c=d/é~"]"#,
        r#""a+b%26c%3Dd%2F%C3%A9~""#,
    );
    t(
        "base64sha256",
        r#"["hello"]"#,
        r#""LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=""#,
    );
    t(
        "sha1",
        r#"["hello"]"#,
        r#""aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d""#,
    );
    t(
        "sha256",
        r#"["hello"]"#,
        r#""2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824""#,
    );
    t(
        "sha512",
        r#"["a"]"#,
        r#""1f40fc92da241694750979ee6cf582f2d5d7d28e18335de05abc54d0560e0f5302860c652bf08d560252aa5e74210546f369fbbbce8c12cfc7957b2652fe9a75""#,
    );
    t(
        "md5",
        r#"["hello"]"#,
        r#""5d41402abc4b2a76b9719d911017c592""#,
    );
}

#[test]
fn yaml() {
    ts(
        "yamlencode",
        r#"[{"a":1, "b":"x", "c":[1,2], "d":{"e":true, "f":null}, "g":"multi\nline", "h":"", "i":"yes", "j":"1.5", "k":1.5, "l":[], "m":{}}]"#,
        "\"a\": 1\n\"b\": \"x\"\n\"c\":\n- 1\n- 2\n\"d\":\n  \"e\": true\n  \"f\": null\n\"g\": |-\n  multi\n  line\n\"h\": \"\"\n\"i\": \"yes\"\n\"j\": \"1.5\"\n\"k\": 1.5\n\"l\": []\n\"m\": {}\n",
    );
    ts("yamlencode", r#"["hello"]"#, "\"hello\"\n");
    ts("yamlencode", "[true]", "true\n...\n");
    ts("yamlencode", "[[]]", "[]\n");
    ts(
        "yamlencode",
        r#"[[{"a":"b"},["x"]]]"#,
        "- \"a\": \"b\"\n- - \"x\"\n",
    );
    ts(
        "yamlencode",
        r#"[{"a":[{"b":1, "c":[{"d":2}]}]}]"#,
        "\"a\":\n- \"b\": 1\n  \"c\":\n  - \"d\": 2\n",
    );
    ts(
        "yamlencode",
        r#"[[[], {}, [[1]], {"a":[]}]]"#,
        "- []\n- {}\n- - - 1\n- \"a\": []\n",
    );
    ts("yamlencode", r#"["a\nb"]"#, "|-\n  a\n  b\n");
    ts(
        "yamlencode",
        r#"[["  lead\nx", "trail \nx", "a\tb\nc", "x\n", "\n", "a\n\nb", "\u0001\nx"]]"#,
        "- |2-\n    lead\n  x\n- \"trail \\nx\"\n- \"a\\tb\\nc\"\n- |\n  x\n- |2+\n\n- |-\n  a\n\n  b\n- \"\\x01\\nx\"\n",
    );
    ts(
        "yamlencode",
        r#"[{"k":"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss"}]"#,
        "\"k\": \"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp\n  qqqq rrrr ssss\"\n",
    );
    ts(
        "yamlencode",
        r#"[["\u00a0", "\u2028", "é\u0085"]]"#,
        "- \"\u{a0}\"\n- \"\\L\"\n- \"é\\N\"\n",
    );
    t(
        "yamldecode",
        r#"["a: [1, 2.5, true, null, x, '3']\nb: 0x10\nc: ~\nd: yes\ne: 1e3"]"#,
        r#"{"a":[1,2.5,true,null,"x","3"],"b":16,"c":null,"d":true,"e":1000}"#,
    );
    t(
        "yamldecode",
        r#"["a: &x {b: 1}\nc: *x\nd: 012\ne: 1_000"]"#,
        r#"{"a":{"b":1},"c":{"b":1},"d":12,"e":"1_000"}"#,
    );
    e("yamldecode", r#"[""]"#, "missing start of document");
    e(
        "yamldecode",
        r#"["---\na: 1\n---\nb: 2"]"#,
        "unexpected extra content after value",
    );
    t("jsondecode", r#"["{\"a\":1,\"a\":2}"]"#, r#"{"a":2}"#);
    for src in [": : :", ":", ": a", "- : :", "a: 1\n: b"] {
        e(
            "yamldecode",
            &format!("[{src:?}]"),
            "did not find expected key",
        );
    }
    e(
        "yamldecode",
        r#"["a:\n  : b"]"#,
        "on line 1, column 3: did not find expected key",
    );
    t("yamldecode", r#"["? a\n: b"]"#, r#"{"a":"b"}"#);
    t(
        "yamldecode",
        r#"["a:\n  b: 1\n  c:\n  - d: 2\n? e\n: f"]"#,
        r#"{"a":{"b":1,"c":[{"d":2}]},"e":"f"}"#,
    );
}

#[test]
fn unicode_like_cty() {
    t("upper", r#"["straße"]"#, r#""STRAßE""#);
    t("lower", r#"["ΣΑΣ İ"]"#, r#""σασ i""#);
    t("title", r#"["ǆemal straße"]"#, r#""ǅemal Straße""#);
    t("length", r#"["e\u0301👍🏽"]"#, "2");
    t("upper", r#"["e\u0301"]"#, r#""É""#);
    t("substr", r#"["e\u0301x", 0, 1]"#, r#""é""#);
    t("strrev", r#"["ae\u0301"]"#, r#""éa""#);
    t("abs", "[-0]", "0");
    t("floor", "[-0]", "0");
    t("ceil", "[-0.5]", "0");
}

#[test]
fn files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "hello ${name}").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/b.txt"), "x").unwrap();
    std::fs::write(dir.path().join("sub/c.json"), "x").unwrap();
    let r = |name: &str, a: &str| run_in(dir.path(), name, args(a));
    assert_eq!(
        r("file", r#"["a.txt"]"#).unwrap(),
        Value::string("hello ${name}")
    );
    assert!(r("file", r#"["missing.txt"]"#)
        .unwrap_err()
        .contains("no file exists"));
    assert_eq!(r("fileexists", r#"["a.txt"]"#).unwrap(), Value::Bool(true));
    assert_eq!(r("fileexists", r#"["nope"]"#).unwrap(), Value::Bool(false));
    assert_eq!(
        r("filebase64", r#"["sub/b.txt"]"#).unwrap(),
        Value::string("eA==")
    );
    assert_eq!(
        r("templatefile", r#"["a.txt", {"name": "world"}]"#).unwrap(),
        Value::string("hello world")
    );
    assert_eq!(
        r("fileset", r#"[".", "**/*.txt"]"#).unwrap(),
        Value::set(vec![Value::string("a.txt"), Value::string("sub/b.txt")])
    );
    assert_eq!(
        r("fileset", r#"["sub", "*.{json,txt}"]"#).unwrap(),
        Value::set(vec![Value::string("b.txt"), Value::string("c.json")])
    );
    t("abspath", r#"["x"]"#, r#""/tmp/fn-oracle/x""#);
    t("dirname", r#"["a/b/"]"#, r#""a/b""#);
    t("dirname", r#"["foo"]"#, r#"".""#);
    t("basename", r#"["a/b/"]"#, r#""b""#);
    t("basename", r#"[""]"#, r#"".""#);
}

#[test]
fn unknown_and_sensitive() {
    let unk = Value::unknown(Cause::Reference("aws_s3_bucket.b.arn".into()));
    // unknown in, the same unknown out
    assert_eq!(run("upper", vec![unk.clone()]).unwrap(), unk);
    assert_eq!(
        run(
            "join",
            vec![Value::string(","), Value::list(vec![unk.clone()])]
        )
        .unwrap(),
        unk
    );
    // length of a list with unknown elements is known
    assert_eq!(
        run(
            "length",
            vec![Value::list(vec![unk.clone(), Value::int(1)])]
        )
        .unwrap(),
        Value::int(2)
    );
    // lookup: another key's unknown value does not hide the one looked up
    let m = Value::Map(
        [
            ("a".to_string(), Value::string("x")),
            ("b".to_string(), unk.clone()),
        ]
        .into(),
    );
    assert_eq!(
        run(
            "lookup",
            vec![m.clone(), Value::string("a"), Value::string("d")]
        )
        .unwrap(),
        Value::string("x")
    );
    assert_eq!(
        run("lookup", vec![m.clone(), Value::string("b")]).unwrap(),
        unk
    );
    assert_eq!(run("lookup", vec![m, unk.clone()]).unwrap(), unk);
    // element/values/keys/reverse of a known collection keep its unknown elements apart
    let l = Value::list(vec![Value::string("x"), unk.clone(), Value::string("z")]);
    assert_eq!(
        run("element", vec![l.clone(), Value::int(2)]).unwrap(),
        Value::string("z")
    );
    assert_eq!(run("element", vec![l.clone(), Value::int(4)]).unwrap(), unk);
    assert_eq!(run("element", vec![l.clone(), unk.clone()]).unwrap(), unk);
    assert_eq!(
        run("reverse", vec![l]).unwrap(),
        Value::list(vec![Value::string("z"), unk.clone(), Value::string("x")])
    );
    let m2 = Value::Map(
        [
            ("a".to_string(), Value::string("x")),
            ("b".to_string(), unk.clone()),
        ]
        .into(),
    );
    assert_eq!(
        run("values", vec![m2.clone()]).unwrap(),
        Value::list(vec![Value::string("x"), unk.clone()])
    );
    assert_eq!(
        run("keys", vec![m2]).unwrap(),
        Value::list(vec![Value::string("a"), Value::string("b")])
    );
    // coalesce: known non-null first argument wins
    assert_eq!(
        run("coalesce", vec![Value::string("a"), unk.clone()]).unwrap(),
        Value::string("a")
    );
    // not deterministic
    assert!(matches!(run("uuid", vec![]).unwrap(), Value::Unknown(_)));
    assert!(matches!(
        run("timestamp", vec![]).unwrap(),
        Value::Unknown(_)
    ));
    // sensitive in, sensitive out
    let secret = Value::Sensitive(Box::new(Value::string("pw")));
    assert_eq!(
        run("upper", vec![secret.clone()]).unwrap(),
        Value::Sensitive(Box::new(Value::string("PW")))
    );
    assert_eq!(
        run("nonsensitive", vec![secret.clone()]).unwrap(),
        Value::string("pw")
    );
    assert_eq!(run("sensitive", vec![Value::string("pw")]).unwrap(), secret);
    let l = Value::list(vec![Value::string("a"), secret]);
    assert_eq!(
        run("length", vec![l]).unwrap(),
        Value::Sensitive(Box::new(Value::int(2)))
    );
    // arity
    assert!(run("upper", vec![])
        .unwrap_err()
        .contains("expects 1 argument"));
    assert!(call(
        "nosuchfunction",
        vec![],
        &FnCtx {
            cwd: Path::new("."),
            render_template: &render,
            limits: &crate::model::limits::Limits::DEFAULT,
        }
    )
    .is_none());
}

/// Every function with odd argument lists: must not panic.
#[test]
fn no_panics() {
    let names = [
        "jsonencode",
        "jsondecode",
        "yamlencode",
        "yamldecode",
        "templatefile",
        "file",
        "fileexists",
        "format",
        "formatlist",
        "join",
        "split",
        "concat",
        "merge",
        "lookup",
        "element",
        "index",
        "length",
        "keys",
        "values",
        "contains",
        "coalesce",
        "coalescelist",
        "compact",
        "distinct",
        "flatten",
        "one",
        "tostring",
        "tonumber",
        "tobool",
        "tolist",
        "toset",
        "tomap",
        "lower",
        "upper",
        "title",
        "replace",
        "substr",
        "trim",
        "trimprefix",
        "trimsuffix",
        "trimspace",
        "startswith",
        "endswith",
        "strcontains",
        "regex",
        "regexall",
        "cidrsubnet",
        "cidrsubnets",
        "cidrhost",
        "cidrnetmask",
        "max",
        "min",
        "abs",
        "ceil",
        "floor",
        "pow",
        "range",
        "zipmap",
        "slice",
        "setunion",
        "setintersection",
        "setsubtract",
        "sort",
        "reverse",
        "chunklist",
        "base64encode",
        "base64decode",
        "sha256",
        "md5",
        "abspath",
        "basename",
        "dirname",
        "sum",
        "signum",
        "log",
        "parseint",
        "chomp",
        "indent",
        "strrev",
        "alltrue",
        "anytrue",
        "transpose",
        "setproduct",
        "matchkeys",
        "sha1",
        "sha512",
        "base64sha256",
        "filebase64",
        "fileset",
        "urlencode",
        "uuid",
        "timestamp",
        "nonsensitive",
        "sensitive",
    ];
    let unk = Value::unknown(Cause::Other("x".into()));
    let odd: Vec<Value> = vec![
        Value::Null,
        unk.clone(),
        Value::Sensitive(Box::new(Value::string("s"))),
        Value::string(""),
        Value::string("/"),
        Value::string("10.0.0.0/8"),
        Value::string("%"),
        Value::string("%[9]d %.99999999999f"),
        Value::int(-1),
        Value::int(0),
        Value::int(1_000_000_000),
        Value::Number(crate::model::Number::from_f64(1e300).unwrap()),
        Value::Number(crate::model::Number::from_f64(-0.5).unwrap()),
        Value::Bool(true),
        Value::list(vec![]),
        Value::list(vec![Value::Null, unk.clone(), Value::list(vec![])]),
        Value::list(vec![Value::int(1), Value::string("a")]),
        Value::Set(vec![Value::string("a")]),
        Value::map(BTreeMap::new()),
        Value::Map([("k".to_string(), Value::list(vec![Value::int(1)]))].into()),
    ];
    let ctx = FnCtx {
        cwd: Path::new("/nonexistent-dir"),
        render_template: &render,
        limits: &crate::model::limits::Limits::DEFAULT,
    };
    for name in names {
        assert!(call(name, vec![], &ctx).is_some(), "{name} not implemented");
        for a in &odd {
            let _ = call(name, vec![a.clone()], &ctx);
            for b in &odd {
                let _ = call(name, vec![a.clone(), b.clone()], &ctx);
                let _ = call(name, vec![a.clone(), b.clone(), Value::int(3)], &ctx);
                let _ = call(name, vec![b.clone(), Value::int(2), a.clone()], &ctx);
            }
        }
    }
}

/// A function's result is NFC-normalized (as cty's strings are); an object with a non-ASCII
/// key stays an object, so a later conversion takes each attribute's own type.
#[test]
fn normalizing_keeps_an_object_an_object() {
    use crate::hcl::types::{type_of, Type};
    let mut m = std::collections::BTreeMap::new();
    m.insert("é".to_string(), Value::string(""));
    m.insert("b".to_string(), Value::int(0));
    let s = run("toset", vec![Value::tuple(vec![Value::object(m)])]).unwrap();
    assert!(
        matches!(type_of(&s), Type::Set(e) if matches!(*e, Type::Object(_))),
        "{:?}",
        type_of(&s)
    );
    t(
        "setunion",
        r#"[[{"é": "", "b": 0}]]"#,
        r#"[{"b":0,"é":""}]"#,
    );
}
