#![allow(dead_code)]
pub mod live;
pub mod moto;
pub mod proxy;
#[cfg(feature = "aws")]
pub mod sdk;

use std::path::{Path, PathBuf};

pub fn bin() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("infra-lint").expect("binary");
    // Tests must not see the developer's TF_VAR_ variables.
    for (k, _) in std::env::vars() {
        if k.starts_with("TF_VAR_") {
            c.env_remove(k);
        }
    }
    c
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `infra-lint <args>` and returns (exit code, stdout).
pub fn run(args: &[&str]) -> (i32, String) {
    let out = bin().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `infra-lint check DIR --format json` parsed.
pub fn check_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let d = dir.to_string_lossy().into_owned();
    let mut args = vec!["check", d.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out) = run(&args);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{out}"));
    (code, json)
}

/// Writes files into a fresh temp directory.
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

pub fn findings(json: &serde_json::Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// (subject, reason) of every "not evaluated" entry of a JSON report.
pub fn not_evaluated(json: &serde_json::Value) -> Vec<(String, String)> {
    json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["subject"].as_str().unwrap().to_string(),
                n["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn errors(json: &serde_json::Value) -> Vec<String> {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let l = &e["location"];
            if l.is_null() {
                e["message"].as_str().unwrap().to_string()
            } else {
                format!(
                    "{}:{}:{}: {}",
                    l["file"].as_str().unwrap(),
                    l["line"],
                    l["column"],
                    e["message"].as_str().unwrap()
                )
            }
        })
        .collect()
}

/// ../shared/corpus (read in place, never copied).
/// Fails, saying why, when the checkout does not sit next to `shared/`: these tests read
/// third-party code that the repository must not hold.
pub fn corpus() -> PathBuf {
    let c = root().join("../shared/corpus");
    assert!(
        c.is_dir(),
        "this test reads ../shared/corpus (real third-party Terraform, state files and checkov \
         fixtures, kept outside the repository for their licenses), which is not at {}: check \
         the repository out next to the `shared/` directory (see README, Contributing)",
        c.display()
    );
    c
}

/// Every directory under `root` that holds `.tf` files (skipping `.terraform`), sorted.
pub fn tf_dirs(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(root) else {
        return;
    };
    let mut has_tf = false;
    let mut subdirs = Vec::new();
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == ".terraform") {
                continue;
            }
            subdirs.push(p);
        } else if p.extension().is_some_and(|x| x == "tf") {
            has_tf = true;
        }
    }
    if has_tf {
        out.push(root.to_path_buf());
    }
    subdirs.sort();
    for d in subdirs {
        tf_dirs(&d, out);
    }
}

/// How the rule harness runs a fixture: only the rule (unless the fixture has its own
/// configuration), failing on every finding, with the state (`--state` reads the local
/// backend's file), plan and live scan the fixture brings.
pub fn fixture_args(dir: &Path, code: &'static str) -> Vec<String> {
    let mut out: Vec<String> = if dir.join("infra-lint.toml").exists() {
        vec![]
    } else {
        vec!["--select".into(), code.into()]
    };
    // Every finding counts here, notes and warnings too.
    out.extend(["--fail-on".into(), "note".into()]);
    if dir.join("terraform.tfstate").exists() {
        out.push("--state".into());
    }
    for (file, flag) in [("plan.json", "--plan"), ("live.json", "--live-from")] {
        if dir.join(file).exists() {
            out.push(flag.into());
            out.push(dir.join(file).to_string_lossy().into_owned());
        }
    }
    out
}
