//! Every function Terraform has, known to infra-lint.
//!
//! Reads the functions from `terraform metadata functions -json` (terraform must be on PATH)
//! and, for each, checks that infra-lint implements it or deliberately leaves it Unknown, that
//! its arity matches Terraform's signature, that the name and its `core::` form are accepted
//! by the evaluator, and that the conformance table calls it. A function a new Terraform adds
//! fails here until infra-lint has it.
use infra_lint::hcl::eval::eval_standalone;
use infra_lint::hcl::functions;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Functions whose signature is variadic but whose implementation bounds the argument count
/// when called: (name, min, max) as infra-lint checks it, and calls just outside those bounds
/// that terraform must reject (checked against the real terraform below).
const CALL_TIME_BOUNDS: &[(&str, usize, Option<usize>, &[&str])] = &[
    ("range", 1, Some(3), &["range()", "range(1, 2, 3, 4)"]),
    ("lookup", 2, Some(3), &["lookup({a = 1}, \"a\", 2, 3)"]),
    ("join", 2, None, &["join(\",\")"]),
    ("coalesce", 1, None, &["coalesce()"]),
    ("coalescelist", 1, None, &["coalescelist()"]),
    ("max", 1, None, &["max()"]),
    ("min", 1, None, &["min()"]),
    ("try", 1, None, &["try()"]),
];

struct Signature {
    params: usize,
    variadic: bool,
}

fn terraform_functions() -> Vec<(String, Signature)> {
    let out = Command::new("terraform")
        .args(["metadata", "functions", "-json"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `terraform` (it must be on PATH): {e}"));
    assert!(out.status.success(), "terraform metadata functions failed");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let sigs = doc["function_signatures"]
        .as_object()
        .expect("function_signatures");
    sigs.iter()
        .map(|(name, s)| {
            let params = s["parameters"].as_array().map_or(0, Vec::len);
            let variadic = s.get("variadic_parameter").is_some_and(|v| !v.is_null());
            (name.clone(), Signature { params, variadic })
        })
        .collect()
}

fn terraform_rejects(expr: &str) -> bool {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("infra-lint-coverage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new("terraform")
        .args(["console", "-plan", "-no-color"])
        .arg(format!("-state={}", dir.join("s.tfstate").display()))
        .current_dir(&dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("terraform console");
    writeln!(child.stdin.take().unwrap(), "{expr}").unwrap();
    !child.wait().unwrap().success()
}

/// The function names the conformance table calls, with or without `core::`.
fn called_in_table() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/expressions.txt");
    let text = std::fs::read_to_string(path).expect("expressions.txt");
    let call = regex::Regex::new(r"((?:[A-Za-z_][\w-]*::)*)([A-Za-z_][\w-]*)\s*\(").unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| call.captures_iter(l).collect::<Vec<_>>())
        .filter(|c| matches!(&c[1], "" | "core::"))
        .map(|c| c[2].to_string())
        .collect()
}

#[test]
fn every_terraform_function_is_known_with_its_arity_and_a_conformance_row() {
    let fns = terraform_functions();
    assert!(fns.len() >= 236, "only {} functions listed", fns.len());
    let table = called_in_table();
    let mut problems = Vec::new();
    for (full, sig) in &fns {
        let name = full.strip_prefix("core::").unwrap_or(full);
        if full.starts_with("core::") {
            assert!(
                fns.iter().any(|(n, _)| n == name),
                "{full} without its plain form"
            );
        }
        let Some((min, max)) = functions::arity(name) else {
            problems.push(format!("{full}: infra-lint does not know it"));
            continue;
        };
        let expected = match CALL_TIME_BOUNDS.iter().find(|(n, ..)| *n == name) {
            Some((_, lo, hi, _)) => {
                if !sig.variadic || *lo < sig.params {
                    problems.push(format!(
                        "{full}: CALL_TIME_BOUNDS narrows a signature it does not match"
                    ));
                }
                (*lo, *hi)
            }
            None if sig.variadic => (sig.params, None),
            None => (sig.params, Some(sig.params)),
        };
        if (min, max) != expected {
            problems.push(format!(
                "{full}: infra-lint takes {min}..{max:?} arguments, terraform {expected:?}"
            ));
        }
        // The evaluator must accept the name (an arity error is fine, no arguments given).
        let err = eval_standalone(&format!("{full}()"), Path::new(".")).err();
        if let Some(e) = err.filter(|e| e.contains("no function named") || e.contains("namespace"))
        {
            problems.push(format!("{full}: the evaluator rejects the name: {e}"));
        }
        if !table.contains(name) {
            problems.push(format!("{full}: no row of the conformance table calls it"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn call_time_bounds_are_terraform_s() {
    for (name, _, _, outside) in CALL_TIME_BOUNDS {
        for expr in *outside {
            assert!(terraform_rejects(expr), "terraform accepts {expr} ({name})");
            assert!(
                eval_standalone(expr, Path::new(".")).is_err(),
                "infra-lint accepts {expr}"
            );
        }
    }
}

#[test]
fn names_terraform_lacks_are_errors_not_unknown() {
    for expr in [
        "nosuchfunc(1)",
        "core::nosuchfunc(1)",
        "foo::upper(\"a\")",
        "provider::upper(\"a\")",
    ] {
        assert!(terraform_rejects(expr), "terraform accepts {expr}");
        let r = eval_standalone(expr, Path::new("."));
        assert!(r.is_err(), "{expr}: {r:?}");
    }
    let e = eval_standalone("nosuchfunc(1)", Path::new(".")).unwrap_err();
    assert_eq!(e, "There is no function named \"nosuchfunc\".");
}

#[test]
fn not_evaluated_functions_are_unknown() {
    for (name, expr) in [
        ("timestamp", "timestamp()"),
        ("uuid", "uuid()"),
        ("plantimestamp", "plantimestamp()"),
        ("bcrypt", "bcrypt(\"x\")"),
        ("base64gzip", "base64gzip(\"x\")"),
        ("rsadecrypt", "rsadecrypt(\"YQ==\", \"key\")"),
    ] {
        assert!(functions::not_evaluated(name).is_some(), "{name}");
        let v = eval_standalone(expr, Path::new(".")).unwrap();
        assert!(
            matches!(v, infra_lint::model::Value::Unknown(_)),
            "{expr}: {v:?}"
        );
    }
}
