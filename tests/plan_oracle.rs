//! Oracle: real `terraform plan`. For every rule fixture and every corpus root that plans
//! offline, runs `terraform init -plugin-dir` + `terraform plan -refresh=false` with the
//! preinstalled AWS provider (credentials checks skipped, every request sent to a closed local
//! port) and compares every attribute infra-lint evaluates for a managed resource with
//! `terraform show -json` of the plan: equal where the plan knows the value, Unknown exactly
//! where `after_unknown` says so.
//!
//! Every difference must be explained in `tests/plan_oracle/known.txt` (resource type,
//! attribute path prefix, kind, reason); the agreement rate is printed and must not drop below
//! `tests/plan_oracle/rate.txt`. Directories that do not plan offline (a variable with no
//! value, a registry module, a data source that calls AWS) are listed with terraform's reason.
//! Fails, never skips, when terraform or the provider is missing.
use infra_lint::hcl::{load, plan_time, LoadOptions};
use infra_lint::model::{Mode, Seq, Value};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

mod common;

const WORKERS: usize = 3;

const PROVIDER: &str = r#"provider "aws" {
  region                      = "us-east-1"
  access_key                  = "oracle"
  secret_key                  = "oracle"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}
"#;

fn plugin_dir() -> PathBuf {
    let d = std::env::var_os("INFRA_LINT_TF_PLUGIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"));
    assert!(
        d.join("registry.terraform.io/hashicorp/aws/5.100.0")
            .is_dir(),
        "the plan oracle needs the AWS provider 5.100.0 as a plugin directory at {} \
         (set INFRA_LINT_TF_PLUGIN_DIR)",
        d.display()
    );
    d
}

/// How one comparison of a leaf came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Both known and equal, or both unknown.
    Agree,
    /// infra-lint has a value where the plan has another.
    Differs,
    /// infra-lint has a value where the plan says "known after apply".
    OursKnown,
    /// infra-lint says Unknown where the plan knows the value.
    PlanKnows,
    /// An empty list, set or map that the plan holds as null (the provider's SDK plans an
    /// empty collection of an optional argument as null).
    EmptyIsNull,
    /// A difference in an argument the provider rewrites (`plan_time::PROVIDER_DECIDES`):
    /// infra-lint keeps what the configuration wrote, which is what rules check.
    ProviderDecides,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Agree => "agree",
            Kind::Differs => "differs",
            Kind::OursKnown => "infra-lint-known",
            Kind::PlanKnows => "plan-knows",
            Kind::EmptyIsNull => "empty-is-null",
            Kind::ProviderDecides => "provider-decides",
        }
    }
}

#[derive(Debug)]
struct Leaf {
    path: String,
    kind: Kind,
    ours: String,
    plan: String,
}

fn show(v: &Value) -> String {
    let s = v.to_display_json().to_string();
    if s.len() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

fn show_j(v: &J) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// A primitive as Terraform converts it to a string (the schema decides whether `"80"` is a
/// number; both spellings are the same value after conversion).
fn prim_ours(v: &Value) -> Option<String> {
    match v {
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => n.to_text().ok(),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn prim_plan(v: &J) -> Option<String> {
    match v {
        J::Bool(b) => Some(b.to_string()),
        J::Number(n) => {
            let t = n.to_string();
            infra_lint::model::Number::parse(&t)
                .and_then(|x| x.to_text().ok())
                .or(Some(t))
        }
        J::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn strings_equal(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // JSON documents (policies, container definitions) the provider re-encodes.
    let parse = |s: &str| {
        serde_json::from_str::<J>(s)
            .ok()
            .filter(|j| j.is_object() || j.is_array())
    };
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

fn unknown_all(u: &J) -> bool {
    matches!(u, J::Bool(true))
}

/// Compares infra-lint's value with the plan's at `path`, appending one leaf per primitive.
fn compare(path: &str, ours: &Value, plan: &J, unknown: &J, out: &mut Vec<Leaf>) {
    let ours = ours.peel();
    let leaf = |kind| Leaf {
        path: path.to_string(),
        kind,
        ours: show(ours),
        plan: if unknown_all(unknown) {
            "(known after apply)".into()
        } else {
            show_j(plan)
        },
    };
    if unknown_all(unknown) {
        // A partly known collection is what Terraform has too when it marks the whole as
        // unknown only for a set whose elements are not all known.
        let kind = if ours.is_wholly_known() && !ours.is_null() {
            Kind::OursKnown
        } else {
            Kind::Agree
        };
        out.push(leaf(kind));
        return;
    }
    match ours {
        // Not set: the provider fills it (null, a default or a computed value); nothing of
        // infra-lint's to compare.
        Value::Null => {}
        Value::Unknown(_) => out.push(leaf(Kind::PlanKnows)),
        Value::List(Seq { items, .. }) | Value::Set(items)
            if items.is_empty() && plan.is_null() =>
        {
            out.push(leaf(Kind::EmptyIsNull))
        }
        Value::Map(m) if m.is_empty() && plan.is_null() => out.push(leaf(Kind::EmptyIsNull)),
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            let Some(arr) = plan.as_array() else {
                out.push(leaf(Kind::Differs));
                return;
            };
            if arr.len() != items.len() {
                out.push(leaf(Kind::Differs));
                return;
            }
            let unk = |i: usize| unknown.get(i).cloned().unwrap_or(J::Bool(false));
            let mut ordered = Vec::new();
            for (i, (o, p)) in items.iter().zip(arr).enumerate() {
                compare(&format!("{path}[{i}]"), o, p, &unk(i), &mut ordered);
            }
            if ordered.iter().all(|l| l.kind == Kind::Agree) {
                out.extend(ordered);
                return;
            }
            // Sets come back in the provider's order: match each element to any plan element.
            let mut used = vec![false; arr.len()];
            let mut matched = Vec::new();
            for (i, o) in items.iter().enumerate() {
                let hit = (0..arr.len()).find(|&j| {
                    if used[j] {
                        return false;
                    }
                    let mut tmp = Vec::new();
                    compare(&format!("{path}[{i}]"), o, &arr[j], &unk(j), &mut tmp);
                    tmp.iter().all(|l| l.kind == Kind::Agree)
                });
                match hit {
                    Some(j) => {
                        used[j] = true;
                        compare(&format!("{path}[{i}]"), o, &arr[j], &unk(j), &mut matched);
                    }
                    None => {
                        out.extend(ordered);
                        return;
                    }
                }
            }
            out.extend(matched);
        }
        Value::Map(m) => {
            let Some(obj) = plan.as_object() else {
                out.push(leaf(Kind::Differs));
                return;
            };
            for (k, v) in m {
                let p = obj.get(k).cloned().unwrap_or(J::Null);
                let u = unknown.get(k).cloned().unwrap_or(J::Bool(false));
                compare(&format!("{path}.{k}"), v, &p, &u, out);
            }
        }
        prim => {
            let kind = match (prim_ours(prim), prim_plan(plan)) {
                (Some(a), Some(b)) if strings_equal(&a, &b) => Kind::Agree,
                _ => Kind::Differs,
            };
            out.push(leaf(kind));
        }
    }
}

/// One line of known.txt: differences of this kind at this path prefix of this type are
/// understood.
struct Known {
    rtype: String,
    path: String,
    kind: String,
    reason: String,
}

fn known() -> Vec<Known> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plan_oracle/known.txt"),
    )
    .expect("read tests/plan_oracle/known.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, '\t').collect();
            assert!(
                f.len() == 4,
                "known.txt: want TYPE<TAB>PATH<TAB>KIND<TAB>REASON: {l}"
            );
            Known {
                rtype: f[0].into(),
                path: f[1].into(),
                kind: f[2].into(),
                reason: f[3].into(),
            }
        })
        .collect()
}

fn explained<'a>(k: &'a [Known], rtype: &str, l: &Leaf) -> Option<&'a Known> {
    k.iter().find(|x| {
        (x.rtype == "*" || x.rtype == rtype)
            && (x.path == "*"
                || l.path == x.path
                || l.path.starts_with(&format!("{}.", x.path))
                || l.path.starts_with(&format!("{}[", x.path)))
            && x.kind == l.kind.name()
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n == ".terraform" || n.ends_with(".tfstate") || n == "live.json" {
            continue;
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(&name));
        } else {
            std::fs::copy(&p, to.join(&name)).unwrap();
        }
    }
}

fn terraform(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_INPUT", "0")
        // Nothing may leave the machine: every AWS request meets a closed local port.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "")
        .env_remove("AWS_PROFILE")
        .output()
        .map_err(|e| format!("cannot run terraform: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .map(str::trim)
            .map(|l| l.trim_start_matches(['│', '╷', '╵', ' ']))
            .find(|l| l.starts_with("Error:"))
            .unwrap_or("failed")
            .to_string();
        Err(first)
    }
}

type Planned = BTreeMap<String, (J, J, String)>;

/// The plan's resource changes of managed resources by address: (after, after_unknown, type),
/// and the directory it planned (the copy with the oracle's provider block, which infra-lint
/// then reads too: the region that data sources such as `aws_region` read is that block's).
fn plan_of(dir: &Path) -> Result<(tempfile::TempDir, Planned), String> {
    let work = tempfile::tempdir().unwrap();
    copy_dir(dir, work.path());
    // An existing unaliased provider block takes the oracle's settings as an override.
    let cfg = load(dir, &LoadOptions::default()).model;
    let has_aws = cfg
        .providers
        .iter()
        .any(|p| p.module.is_empty() && p.name == "aws" && p.alias.is_none());
    let file = if has_aws {
        "zz_plan_oracle_override.tf"
    } else {
        "zz_plan_oracle.tf"
    };
    std::fs::write(work.path().join(file), PROVIDER).unwrap();
    let plugins = plugin_dir();
    terraform(
        work.path(),
        &[
            "init",
            "-no-color",
            "-input=false",
            "-backend=false",
            &format!("-plugin-dir={}", plugins.display()),
        ],
    )?;
    terraform(
        work.path(),
        &[
            "plan",
            "-no-color",
            "-input=false",
            "-refresh=false",
            "-lock=false",
            "-out=oracle.plan",
        ],
    )?;
    let json = terraform(work.path(), &["show", "-json", "oracle.plan"])?;
    let plan: J = serde_json::from_slice(&json).map_err(|e| format!("plan JSON: {e}"))?;
    let mut out = BTreeMap::new();
    for rc in plan["resource_changes"].as_array().into_iter().flatten() {
        if rc["mode"] != "managed" {
            continue;
        }
        let ch = &rc["change"];
        out.insert(
            rc["address"].as_str().unwrap_or_default().to_string(),
            (
                ch["after"].clone(),
                ch["after_unknown"].clone(),
                rc["type"].as_str().unwrap_or_default().to_string(),
            ),
        );
    }
    Ok((work, out))
}

/// Corpus roots worth planning: AWS resources, no module infra-lint could not read (a
/// registry module not downloaded), every root variable with a value.
fn plannable(dir: &Path) -> bool {
    let m = load(dir, &LoadOptions::default()).model;
    m.resources
        .iter()
        .any(|r| r.mode == Mode::Managed && r.rtype.starts_with("aws_"))
        && m.modules.iter().all(|c| c.dir.is_some())
        && m.variables
            .iter()
            .filter(|v| v.module.is_empty())
            .all(|v| v.value.is_wholly_known())
}

fn dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut rules: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    rules.sort();
    for r in rules {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&r)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        cases.sort();
        out.extend(cases);
    }
    let corpus = common::corpus();
    if std::env::var_os("INFRA_LINT_PLAN_ORACLE_ALL").is_some() {
        let mut all = Vec::new();
        common::tf_dirs(&corpus, &mut all);
        out.extend(all.into_iter().filter(|d| plannable(d)));
    } else {
        let list = std::fs::read_to_string(root.join("tests/plan_oracle/corpus.txt"))
            .expect("read tests/plan_oracle/corpus.txt");
        for l in list
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let d = corpus.join(l);
            assert!(
                d.is_dir(),
                "tests/plan_oracle/corpus.txt: {l} is not in the corpus"
            );
            out.push(d);
        }
    }
    out
}

#[test]
fn infra_lint_values_match_terraform_plan() {
    let v = Command::new("terraform").arg("version").output();
    assert!(
        v.is_ok_and(|o| o.status.success()),
        "`terraform` is not on PATH: the plan oracle needs the real Terraform CLI"
    );
    plugin_dir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = dirs();
    let next = AtomicUsize::new(0);
    type Outcome = (PathBuf, Result<Vec<(String, String, Vec<Leaf>)>, String>);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(dir) = dirs.get(i) else { break };
                let r = plan_of(dir).map(|(work, plan)| {
                    let model = load(work.path(), &LoadOptions::default()).model;
                    let mut per = Vec::new();
                    for r in model.resources.iter().filter(|r| r.mode == Mode::Managed) {
                        let Some((after, unknown, rtype)) = plan.get(&r.address) else {
                            continue;
                        };
                        let mut leaves = Vec::new();
                        for (name, v) in &r.attributes {
                            let p = after.get(name).cloned().unwrap_or(J::Null);
                            let u = unknown.get(name).cloned().unwrap_or(J::Bool(false));
                            let start = leaves.len();
                            compare(name, v, &p, &u, &mut leaves);
                            if !plan_time::configured_value_is_planned(rtype, name) {
                                for l in &mut leaves[start..] {
                                    if l.kind != Kind::Agree {
                                        l.kind = Kind::ProviderDecides;
                                    }
                                }
                            }
                        }
                        per.push((r.address.clone(), rtype.clone(), leaves));
                    }
                    per
                });
                results.lock().unwrap().push((dir.clone(), r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let known = known();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut explained_n: BTreeMap<String, usize> = BTreeMap::new();
    let mut planned = 0;
    let mut not_planned = Vec::new();
    for (dir, r) in &results {
        let shown = dir
            .strip_prefix(root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| dir.clone());
        match r {
            Err(e) => not_planned.push(format!("  {}: {e}", shown.display())),
            Ok(per) => {
                planned += 1;
                for (address, rtype, leaves) in per {
                    for l in leaves {
                        *counts.entry(l.kind.name()).or_default() += 1;
                        if l.kind == Kind::Agree {
                            continue;
                        }
                        if l.kind == Kind::ProviderDecides {
                            let why = plan_time::PROVIDER_DECIDES
                                .iter()
                                .find(|(t, a, _)| t == rtype && l.path.starts_with(a))
                                .map_or("computed by the provider", |(_, _, why)| why);
                            *explained_n
                                .entry(format!("{rtype}\t{}\tprovider-decides\t{why} (plan_time::PROVIDER_DECIDES)", l.path.split(['.', '[']).next().unwrap_or(&l.path)))
                                .or_default() += 1;
                            continue;
                        }
                        match explained(&known, rtype, l) {
                            Some(k) => {
                                *explained_n
                                    .entry(format!(
                                        "{}\t{}\t{}\t{}",
                                        k.rtype, k.path, k.kind, k.reason
                                    ))
                                    .or_default() += 1
                            }
                            None => unexplained.push(format!(
                                "  {} {address} {} [{}]\n    infra-lint: {}\n    plan:       {}",
                                shown.display(),
                                l.path,
                                l.kind.name(),
                                l.ours,
                                l.plan
                            )),
                        }
                    }
                }
            }
        }
    }
    // What the provider rewrites is not infra-lint's to agree with.
    let total: usize = counts
        .iter()
        .filter(|(k, _)| **k != "provider-decides")
        .map(|(_, n)| n)
        .sum();
    let agree = counts.get("agree").copied().unwrap_or(0);
    let rate = if total == 0 {
        0.0
    } else {
        agree as f64 / total as f64
    };
    println!(
        "plan oracle: {planned} of {} directories planned; {total} attribute values compared",
        results.len()
    );
    for (k, n) in &counts {
        println!("  {k}: {n}");
    }
    println!("agreement rate: {:.4} ({agree}/{total})", rate);
    println!("explained differences (known.txt):");
    for (k, n) in &explained_n {
        println!("  {n:>5}  {k}");
    }
    println!("did not plan offline:\n{}", not_planned.join("\n"));
    let corpus = common::corpus().canonicalize().unwrap();
    let planned_corpus: Vec<String> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .filter_map(|(d, _)| {
            d.canonicalize()
                .ok()?
                .strip_prefix(&corpus)
                .ok()
                .map(|p| p.display().to_string())
        })
        .collect();
    if std::env::var_os("INFRA_LINT_PLAN_ORACLE_ALL").is_some() {
        println!(
            "corpus roots that plan offline (tests/plan_oracle/corpus.txt):\n{}",
            planned_corpus.join("\n")
        );
    }
    let floor: f64 = std::fs::read_to_string(root.join("tests/plan_oracle/rate.txt"))
        .expect("read tests/plan_oracle/rate.txt")
        .trim()
        .parse()
        .expect("rate.txt holds a number");
    assert!(
        planned > 0,
        "no directory planned:\n{}",
        not_planned.join("\n")
    );
    assert!(
        unexplained.is_empty(),
        "{} values differ from terraform plan without a line in tests/plan_oracle/known.txt:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(
        rate + 1e-9 >= floor,
        "agreement with terraform plan dropped: {rate:.4} < {floor:.4} (tests/plan_oracle/rate.txt)"
    );
}
