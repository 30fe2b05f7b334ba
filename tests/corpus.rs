//! Loads every directory of ../shared/corpus that holds .tf files: no panic, no syntax error on
//! files `terraform fmt` accepts; prints what stayed Unknown and why.
use infra_lint::hcl::{load, LoadOptions};
use infra_lint::model::Seq;
use infra_lint::model::{Cause, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

mod common;
use common::{corpus, tf_dirs};

fn cause_kind(c: &Cause) -> String {
    match c {
        Cause::Variable(_) => "variable without a value".into(),
        Cause::Reference(r) if r.starts_with("data.") => "data source attribute".into(),
        Cause::Reference(r) if r.starts_with("module.") => {
            "module output of an unavailable module".into()
        }
        Cause::Reference(_) => "resource attribute known after apply".into(),
        Cause::Resource { target, .. } if target.starts_with("data.") => {
            "data source attribute".into()
        }
        Cause::Resource { .. } => "resource attribute known after apply".into(),
        Cause::Function(f) => format!("unsupported function {f}"),
        Cause::Combined(parts) => parts.first().map_or_else(|| "combined".into(), cause_kind),
        Cause::Template(_) => c
            .leaves()
            .first()
            .map_or_else(|| "template".into(), |l| cause_kind(l)),
        Cause::Other(o) => {
            let short: String = o.split(':').next().unwrap_or(o).chars().take(60).collect();
            format!("other: {short}")
        }
    }
}

fn tally(v: &Value, out: &mut BTreeMap<String, usize>, total: &mut usize) {
    *total += 1;
    match v {
        Value::Unknown(u) => *out.entry(cause_kind(u.cause())).or_default() += 1,
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            items.iter().for_each(|x| tally(x, out, total))
        }
        Value::Map(m) => m.values().for_each(|x| tally(x, out, total)),
        Value::Sensitive(x) => tally(x, out, total),
        _ => {}
    }
}

#[test]
fn every_corpus_directory_loads_without_syntax_errors() {
    let root = corpus();
    assert!(root.is_dir(), "corpus not found at {}", root.display());
    let mut dirs = Vec::new();
    tf_dirs(&root, &mut dirs);
    assert!(
        dirs.len() > 500,
        "expected the whole corpus, found {} dirs",
        dirs.len()
    );
    let mut syntax = Vec::new();
    let mut other_errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut error_samples: Vec<String> = Vec::new();
    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    let mut values = 0usize;
    let mut resources = 0usize;
    let mut not_evaluated: BTreeMap<String, usize> = BTreeMap::new();
    for dir in &dirs {
        let loaded = load(dir, &LoadOptions::default());
        resources += loaded.model.resources.len();
        for r in &loaded.model.resources {
            for v in r.attributes.values() {
                tally(v, &mut causes, &mut values);
            }
        }
        for n in &loaded.model.not_evaluated {
            let key: String = n.reason.split('(').next().unwrap_or("").trim().to_string();
            *not_evaluated
                .entry(format!(
                    "{}: {key}",
                    if n.subject.starts_with("function") {
                        n.subject.as_str()
                    } else {
                        ""
                    }
                ))
                .or_default() += 1;
        }
        for e in &loaded.errors {
            let at = e
                .location
                .as_ref()
                .and_then(|l| l.span())
                .map(|s| {
                    let l = loaded.sources.locate(s);
                    format!(
                        "{}/{}:{}:{}",
                        dir.strip_prefix(&root).unwrap_or(dir).display(),
                        l.file,
                        l.line,
                        l.column
                    )
                })
                .unwrap_or_else(|| dir.strip_prefix(&root).unwrap_or(dir).display().to_string());
            if e.message.starts_with("syntax error") {
                syntax.push(format!("{at}: {}", e.message));
            } else {
                let kind: String = e.message.chars().take(50).collect();
                *other_errors.entry(kind).or_default() += 1;
                if error_samples.len() < 40 {
                    error_samples.push(format!("{at}: {}", e.message));
                }
            }
        }
    }
    let unknown: usize = causes.values().sum();
    println!(
        "{} directories, {resources} resource instances, {values} values, {unknown} unknown",
        dirs.len()
    );
    let mut top: Vec<_> = causes.into_iter().collect();
    top.sort_by_key(|e| std::cmp::Reverse(e.1));
    println!("top causes of Unknown values:");
    for (k, n) in top.iter().take(15) {
        println!("  {n:>7}  {k}");
    }
    let mut ne: Vec<_> = not_evaluated.into_iter().collect();
    ne.sort_by_key(|e| std::cmp::Reverse(e.1));
    println!("top not-evaluated notes:");
    for (k, n) in ne.iter().take(15) {
        println!("  {n:>7}  {k}");
    }
    println!(
        "evaluation errors by kind ({}):",
        other_errors.values().sum::<usize>()
    );
    for (k, n) in &other_errors {
        println!("  {n:>5}  {k}");
    }
    for s in &error_samples {
        println!("    {s}");
    }
    assert!(
        syntax.is_empty(),
        "syntax errors on files terraform accepts:\n{}",
        syntax.join("\n")
    );
}

/// The same corpus through the binary: every directory gives a JSON report (no panic, exit
/// code 0, 1 or 2) and no syntax error.
#[test]
fn binary_checks_every_corpus_directory() {
    let mut dirs = Vec::new();
    tf_dirs(&corpus(), &mut dirs);
    let bin = env!("CARGO_BIN_EXE_infra-lint");
    let chunks: Vec<Vec<PathBuf>> = dirs
        .chunks(dirs.len().div_ceil(2))
        .map(|c| c.to_vec())
        .collect();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    let mut bad = Vec::new();
                    for d in chunk {
                        let out = std::process::Command::new(bin)
                            .args(["check", d.to_str().unwrap(), "--format", "json"])
                            .env_remove("TF_VAR_region")
                            .output()
                            .expect("run infra-lint");
                        let code = out.status.code();
                        let json: Option<serde_json::Value> =
                            serde_json::from_slice(&out.stdout).ok();
                        match (code, json) {
                            (Some(0..=2), Some(j)) => {
                                for e in j["errors"].as_array().into_iter().flatten() {
                                    if e["message"]
                                        .as_str()
                                        .unwrap_or("")
                                        .starts_with("syntax error")
                                    {
                                        bad.push(format!("{}: {}", d.display(), e));
                                    }
                                }
                            }
                            (c, _) => bad.push(format!(
                                "{}: exit {c:?}: {}",
                                d.display(),
                                String::from_utf8_lossy(&out.stderr)
                            )),
                        }
                    }
                    bad
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
