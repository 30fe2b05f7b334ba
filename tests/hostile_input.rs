//! Hostile and broken input: every bound is a located error (exit 2), never a crash, a hang
//! or a memory blow-up, and what the bound did not stop is still checked. Inputs are built
//! here, at test time, and kept small except where size is the point (then sparse files).
mod common;
use common::{bin, check_json, errors, findings, tree};
use std::time::{Duration, Instant};

/// A resource RDS001 (publicly accessible) reports on line 5: proof that a file or root
/// beside the broken one was still checked.
const PUBLIC_DB: &[u8] = br#"resource "aws_db_instance" "ok" {
  identifier          = "ok"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = true
}
"#;

/// Runs `check DIR --format json`, asserting that it finished quickly: the bounds stop the
/// work early, so a slow run means one did not.
fn check_fast(dir: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let t = Instant::now();
    let r = check_json(dir, extra);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    r
}

fn has(errs: &[String], want: &str) -> bool {
    errs.iter().any(|e| e.contains(want))
}

fn assert_error(errs: &[String], want: &str) {
    assert!(has(errs, want), "no error containing {want:?} in {errs:#?}");
}

fn other_file_checked(json: &serde_json::Value) {
    assert!(
        findings(json).contains(&("RDS001".into(), "aws_db_instance.ok".into(), 5)),
        "the other file was not checked: {:#?}",
        findings(json)
    );
}

#[test]
fn count_past_the_instance_limit_is_an_error_and_the_block_is_checked_once() {
    let dir = tree(&[
        (
            "main.tf",
            br#"resource "aws_db_instance" "many" {
  count               = 1000000000
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = true
}
"#,
        ),
        ("ok.tf", PUBLIC_DB),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "main.tf:2:25: count expands this block into 1000000000 instances, over the limit of \
         10000 (raise limits.max_instances in infra-lint.toml)",
    );
    // Not silently gone: checked as one instance, with a note saying so.
    let f = findings(&json);
    assert!(
        f.iter()
            .any(|(c, r, l)| c == "RDS001" && r == "aws_db_instance.many" && *l == 5),
        "{f:#?}"
    );
    let notes = json["not_evaluated"].to_string();
    assert!(
        notes.contains("count is over the limit of 10000 instances"),
        "{notes}"
    );
    other_file_checked(&json);
}

/// Within the bound for each block, a module's count multiplies its blocks' own: the total
/// for the root is bounded too, reported once, and the rest is still checked.
#[test]
fn nested_counts_past_the_total_instance_limit_are_one_error() {
    let dir = tree(&[
        ("ok.tf", PUBLIC_DB),
        ("infra-lint.toml", b"[limits]\nmax_total_instances = 1000\n"),
        (
            "main.tf",
            b"module \"many\" {\n  source = \"./m\"\n  count  = 50\n}\n",
        ),
        (
            "m/main.tf",
            b"resource \"aws_security_group\" \"sg\" {\n  count = 50\n  name  = \"sg-${count.index}\"\n}\n",
        ),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    let errs = errors(&json);
    let total: Vec<&String> = errs
        .iter()
        .filter(|e| e.contains("max_total_instances"))
        .collect();
    assert_eq!(total.len(), 1, "{errs:#?}");
    assert!(
        total[0].starts_with("m/main.tf:2:11: count expands this block into 50 more instances, ")
            && total[0].ends_with(
                "over the limit of 1000 (raise limits.max_total_instances in infra-lint.toml)"
            ),
        "{}",
        total[0]
    );
    other_file_checked(&json);
}

/// A number whose text Terraform would write out in full (`1e99999999` is 100 million digits)
/// is an error wherever it is turned into text or an integer, at once, and named in a short
/// form; the rest is still checked.
#[test]
fn numbers_too_long_to_write_out_are_errors_not_hangs() {
    let main = br#"variable "list" {
  type = list(string)
}

locals {
  s = tostring(1e99999999)
  j = jsonencode([1e-99999999])
  f = format("%d", 1e99999999)
  c = cidrhost("10.0.0.0/8", 1e99999999)
}

resource "aws_security_group" "many" {
  count = 1e99999999
  name  = "sg"
  tags  = { s = local.s, j = local.j, f = local.f, c = local.c, l = var.list[0] }
}
"#;
    let dir = tree(&[
        ("ok.tf", PUBLIC_DB),
        ("main.tf", main),
        ("terraform.tfvars", b"list = [1e-99999999]\n"),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    let errs = errors(&json);
    for want in [
        "terraform.tfvars:1:8: invalid value for variable \"list\": element 0: the number \
         ~1e-99999999 has more than 100000 digits: too long to write out",
        "main.tf:6:7: tostring: the number ~1e+99999999 has more than 100000 digits: too long \
         to write out",
        "main.tf:7:7: jsonencode: the number ~1e-99999999 has more than",
        "main.tf:8:7: format: unsupported value for \"%d\" at 0: the number ~1e+99999999 has",
        "main.tf:9:7: cidrhost: Invalid value for \"hostnum\" parameter: value must be a whole \
         number.",
        "main.tf:13:11: invalid count: must be a whole number ≥ 0, got ~1e+99999999",
    ] {
        assert_error(&errs, want);
    }
    other_file_checked(&json);
}

#[test]
fn for_each_past_the_instance_limit_is_an_error() {
    let dir = tree(&[
        (
            "main.tf",
            br#"module "m" {
  source   = "./m"
  for_each = { for p in setproduct(range(200), range(200)) : "${p[0]}-${p[1]}" => p }
}
"#,
        ),
        ("m/main.tf", b"variable \"unused\" {\n  default = 1\n}\n"),
        ("ok.tf", PUBLIC_DB),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "main.tf:3:14: for_each expands this block into 40000 instances, over the limit of 10000",
    );
    other_file_checked(&json);
}

#[test]
fn limits_are_set_in_infra_lint_toml_and_checked_strictly() {
    let dir = tree(&[
        ("infra-lint.toml", b"[limits]\nmax_instances = 3\n"),
        (
            "main.tf",
            b"resource \"aws_s3_bucket\" \"b\" {\n  count  = 5\n  bucket = \"b${count.index}\"\n}\n",
        ),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "main.tf:2:12: count expands this block into 5 instances, over the limit of 3",
    );

    let dir = tree(&[
        ("infra-lint.toml", b"[limits]\nmax_instance = 3\n"),
        ("ok.tf", PUBLIC_DB),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "infra-lint.toml:2: limits has no setting `max_instance`; did you mean `max_instances`?",
    );
    other_file_checked(&json);
}

#[test]
fn growing_values_stop_at_the_value_bounds() {
    let s76 = "a".repeat(76);
    let text = format!(
        r#"locals {{
  product  = setproduct(range(1000), range(1000), range(1000))
  wide     = format("%0100000000d", 1)
  repeated = join(",", [for i in range(1000) : join("", [for k in range(1000) : "{s76}"])])
  looped   = <<EOT
%{{ for i in range(1000) }}%{{ for k in range(1000) }}{s76}%{{ endfor }}%{{ endfor }}
EOT
  indented = indent(100000000, "a\nb")
  replaced = replace(join("", [for i in range(1000) : "xxxxxxxxxx"]), "x", join("", [for i in range(1000) : "yyyyyyyyyy"]))
  zeros    = file("/dev/zero")
}}
output "all" {{
  value = local.product
}}
output "w" {{
  value = [local.wide, local.repeated, local.looped, local.indented, local.replaced, local.zeros]
}}
"#
    );
    let dir = tree(&[("main.tf", text.as_bytes()), ("ok.tf", PUBLIC_DB)]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    let errs = errors(&json);
    for want in [
        "main.tf:2:14: setproduct: the value would have 4000000000 elements, over the limit of \
         1000000 (raise limits.max_elements in infra-lint.toml)",
        "main.tf:3:14: format: the value would hold 100000524 bytes of strings, over the limit \
         of 16777216 (raise limits.max_string_bytes in infra-lint.toml)",
        "main.tf:4:24: for expression: the value would hold",
        "main.tf:5:14: template: the value would hold",
        "main.tf:8:14: indent: the value would hold",
        "main.tf:9:14: replace: the value would hold 100010000 bytes",
        "main.tf:10:14: file: file \"/dev/zero\" is over the limit of 16777216 bytes \
         (raise limits.max_string_bytes in infra-lint.toml)",
    ] {
        assert_error(&errs, want);
    }
    other_file_checked(&json);
}

#[test]
fn deep_nesting_is_a_located_error_not_a_stack_overflow() {
    let deep = 100_000;
    let brackets = format!("a = {}{}\n", "[".repeat(deep), "]".repeat(deep));
    let parens = format!("b = {}1{}\n", "(".repeat(deep), ")".repeat(deep));
    let blocks = format!(
        "resource \"aws_s3_bucket\" \"b\" {{\n{}{}}}\n",
        "x {\n".repeat(deep),
        "}\n".repeat(deep)
    );
    let interpolations = format!("c = \"{}1{}\"\n", "${\"".repeat(deep), "\"}".repeat(deep));
    // A large heredoc is no problem in itself: it parses and evaluates in linear time (about
    // a second per MiB in a debug build, so the test keeps it small).
    let heredoc = format!(
        "locals {{\n  h = <<EOT\n{}\nEOT\n}}\n",
        "line of text\n".repeat(256 * 1024 / 13)
    );
    let dir = tree(&[
        (
            "brackets.tf",
            format!("locals {{\n{brackets}}}\n").as_bytes(),
        ),
        ("parens.tf", format!("locals {{\n{parens}}}\n").as_bytes()),
        ("blocks.tf", blocks.as_bytes()),
        (
            "interp.tf",
            format!("locals {{\n{interpolations}}}\n").as_bytes(),
        ),
        ("heredoc.tf", heredoc.as_bytes()),
        ("ok.tf", PUBLIC_DB),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    let errs = errors(&json);
    for file in [
        "brackets.tf:2:",
        "parens.tf:2:",
        "blocks.tf:",
        "interp.tf:2:",
    ] {
        assert!(
            errs.iter().any(|e| e.starts_with(file)
                && e.contains("invalid nesting depth; expected at most 64 nested levels")),
            "{file}: {errs:#?}"
        );
    }
    assert!(
        !errs.iter().any(|e| e.starts_with("heredoc.tf")),
        "{errs:#?}"
    );
    other_file_checked(&json);
}

#[test]
fn a_chain_of_references_is_bounded() {
    // Declared so that evaluating in file order starts at the deep end: l0 needs l1 needs ...
    let chain = |n: usize| {
        let mut t = String::from("locals {\n");
        for i in 0..n - 1 {
            t.push_str(&format!("  l{i} = local.l{} + 1\n", i + 1));
        }
        t.push_str(&format!(
            "  l{} = 0\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b-${{local.l0}}\"\n}}\n",
            n - 1
        ));
        t
    };
    // Within the bound: evaluated.
    let dir = tree(&[("main.tf", chain(200).as_bytes())]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert!(errors(&json).is_empty(), "{:#?}", errors(&json));
    assert_ne!(code, 2);

    let dir = tree(&[("main.tf", chain(2_000).as_bytes()), ("ok.tf", PUBLIC_DB)]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "references nest more than 256 deep (a variable, local or output whose value needs \
         another, and so on); raise limits.max_reference_depth in infra-lint.toml",
    );
    other_file_checked(&json);
}

#[test]
fn a_binary_file_named_tf_is_not_a_text_file() {
    let dir = tree(&[
        ("main.tf", b"\x7fELF\x02\x01\x01\x00\x00\x00binary"),
        ("latin1.tf", b"locals {\n  a = \"caf\xe9\"\n}\n"),
        ("ok.tf", PUBLIC_DB),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    let errs = errors(&json);
    assert_error(
        &errs,
        "main.tf:1:8: main.tf is not a text file (a NUL byte at offset 7)",
    );
    assert_error(
        &errs,
        "latin1.tf:2:11: latin1.tf is not a text file: it is not valid UTF-8 (invalid byte at \
         offset 19)",
    );
    other_file_checked(&json);
}

#[test]
fn a_tf_file_over_the_size_bound_is_not_read() {
    let dir = tree(&[("ok.tf", PUBLIC_DB)]);
    // Sparse: 100 MB declared, nothing written; the size alone refuses it.
    let big = std::fs::File::create(dir.path().join("big.tf")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "big.tf:1:1: big.tf is 104857600 bytes, over the limit of 16777216 for one file: not \
         read (raise limits.max_file_bytes in infra-lint.toml)",
    );
    other_file_checked(&json);
}

#[test]
fn module_cycles_and_symlink_loops_are_errors() {
    let dir = tree(&[
        (
            "main.tf",
            b"module \"a\" {\n  source = \"./a\"\n}\nmodule \"up\" {\n  source = \"./links/up\"\n}\nmodule \"loop\" {\n  source = \"./links/loop\"\n}\n",
        ),
        ("a/main.tf", b"module \"b\" {\n  source = \"../b\"\n}\n"),
        ("b/main.tf", b"module \"a\" {\n  source = \"../a\"\n}\n"),
        ("ok.tf", PUBLIC_DB),
    ]);
    let links = dir.path().join("links");
    std::fs::create_dir(&links).unwrap();
    std::os::unix::fs::symlink("..", links.join("up")).unwrap();
    std::os::unix::fs::symlink("loop", links.join("loop")).unwrap();
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    let errs = errors(&json);
    assert_error(
        &errs,
        "b/main.tf:2:12: module \"a\" calls a, which is already being loaded: module cycle",
    );
    assert_error(
        &errs,
        "main.tf:5:12: module \"up\" calls ., which is already being loaded: module cycle",
    );
    assert_error(
        &errs,
        "main.tf:8:12: module \"loop\": source directory \"./links/loop\" cannot be resolved: \
         Too many levels of symbolic links",
    );
    other_file_checked(&json);
}

#[test]
fn a_state_file_over_the_size_bound_is_not_read() {
    let dir = tree(&[("ok.tf", PUBLIC_DB)]);
    let state = std::fs::File::create(dir.path().join("huge.tfstate")).unwrap();
    state.set_len(1024 * 1024 * 1024).unwrap();
    let state = dir.path().join("huge.tfstate");
    let (code, json) = check_fast(dir.path(), &["--state", state.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "cannot read state or plan file huge.tfstate: it is 1073741824 bytes, over the limit of \
         536870912 (raise limits.max_state_bytes in infra-lint.toml)",
    );
    other_file_checked(&json);
}

/// `--state -` is bounded as a file is: the read stops past the limit (only limit + 1 bytes
/// are held), the error says so, and the configuration is still checked.
#[test]
fn a_state_on_stdin_over_the_size_bound_is_not_read() {
    let dir = tree(&[
        ("ok.tf", PUBLIC_DB),
        ("infra-lint.toml", b"[limits]\nmax_state_bytes = 1000\n"),
    ]);
    let t = Instant::now();
    let out = bin()
        .args([
            "check",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
            "--state",
            "-",
        ])
        .write_stdin(vec![b' '; 5000])
        .output()
        .unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_error(
        &errors(&json),
        "cannot read a state or plan from stdin: it is more than 1000 bytes, over the limit of \
         1000 (raise limits.max_state_bytes in infra-lint.toml)",
    );
    other_file_checked(&json);
}

#[test]
fn recursive_templatefile_is_an_error() {
    let dir = tree(&[
        (
            "main.tf",
            b"locals {\n  t = templatefile(\"${path.module}/self.tpl\", {})\n}\noutput \"t\" {\n  value = local.t\n}\n",
        ),
        ("self.tpl", b"x ${templatefile(\"self.tpl\", {})}\n"),
        ("ok.tf", PUBLIC_DB),
    ]);
    let (code, json) = check_fast(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_error(
        &errors(&json),
        "templatefile: cannot recursively call templatefile from inside a templatefile call",
    );
    other_file_checked(&json);
}

#[test]
fn a_panic_in_one_root_is_reported_and_the_other_roots_still_are() {
    let dir = tree(&[("good/main.tf", PUBLIC_DB), ("bad/main.tf", PUBLIC_DB)]);
    let out = bin()
        .current_dir(dir.path())
        .env("INFRA_LINT_TEST_PANIC", "bad")
        .args(["check", "good", "bad", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errs = errors(&json);
    assert_eq!(
        errs,
        vec![
            "internal error while checking bad: INFRA_LINT_TEST_PANIC is set for this \
             directory; please report this"
                .to_string()
        ]
    );
    assert_eq!(
        findings(&json)
            .into_iter()
            .filter(|(c, _, _)| c == "RDS001")
            .collect::<Vec<_>>(),
        vec![("RDS001".to_string(), "aws_db_instance.ok".to_string(), 5)]
    );
    assert!(json.to_string().contains("good/main.tf"), "{json}");
}
