//! The layout reads as the flow: load (hcl, state) → model → analysis → rules → findings
//! (diag) → suppress → report, driven by the engine. Nothing downstream reaches back upstream:
//! each layer's non-test code names only the layers allowed below. Run with `--nocapture` to
//! print the import matrix.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Layer → the crate modules its code may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("source", &[]),
    ("model", &["source"]),
    ("diag", &["source", "model"]),
    ("hcl", &["source", "model", "diag"]),
    ("state", &["source", "model", "diag"]),
    ("live", &["source", "model", "diag", "state"]),
    // Task definition files are a loader: JSON spans from hcl, bounded reads from state.
    ("taskdef", &["source", "model", "diag", "hcl", "state"]),
    ("analysis", &["source", "model", "diag"]),
    ("rules", &["source", "model", "diag", "analysis"]),
    ("config", &["source", "model", "diag", "rules"]),
    ("suppress", &["source", "model", "diag", "rules", "config"]),
    ("report", &["source", "model", "diag", "rules"]),
    (
        "engine",
        &[
            "source", "model", "diag", "hcl", "state", "live", "taskdef", "analysis", "rules",
            "config", "suppress", "report",
        ],
    ),
    (
        "cli",
        &[
            "source", "model", "diag", "hcl", "state", "live", "taskdef", "rules", "config",
            "suppress", "report", "engine",
        ],
    ),
    // The fuzz targets' entry code drives whole runs, like the CLI.
    (
        "fuzzing",
        &[
            "source", "model", "diag", "hcl", "state", "live", "taskdef", "rules", "config",
            "suppress", "report", "engine",
        ],
    ),
];

const LAYERS: &[&str] = &[
    "source", "model", "diag", "hcl", "state", "live", "taskdef", "analysis", "rules", "config",
    "suppress", "report", "engine", "cli", "fuzzing",
];

fn files(p: &Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_file() {
        out.push(p.to_path_buf());
        return;
    }
    for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
        files(&e.path(), out);
    }
}

/// Modules compiled only for unit tests (declared under `#[cfg(test)]`): they may load HCL.
const TEST_ONLY: &[&str] = &["testing.rs", "builder.rs", "source_shapes.rs", "tests.rs"];

/// The crate modules a file's non-test code names (`crate::model::…`, `use crate::{a, b}`).
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            for part in group.split('}').next().unwrap_or("").split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out.retain(|n| LAYERS.contains(&n.as_str()));
    out
}

#[test]
fn no_layer_reaches_upstream() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut matrix: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (layer, allowed) in ALLOWED {
        let mut fs = Vec::new();
        let dir = src.join(layer);
        files(if dir.is_dir() { &dir } else { &src }, &mut fs);
        if !dir.is_dir() {
            fs.retain(|f| {
                f.file_name()
                    .is_some_and(|n| n == format!("{layer}.rs").as_str())
            });
        }
        assert!(!fs.is_empty(), "no files for layer {layer}");
        fs.retain(|f| !TEST_ONLY.iter().any(|t| f.ends_with(t)));
        for f in fs {
            let text = std::fs::read_to_string(&f).unwrap();
            for u in uses(&text) {
                if u != *layer && !allowed.contains(&u.as_str()) {
                    wrong.push(format!(
                        "{} uses crate::{u}",
                        f.strip_prefix(&src).unwrap().display()
                    ));
                }
                if u != *layer {
                    matrix.entry(layer).or_default().insert(u);
                }
            }
        }
    }
    for (layer, deps) in &matrix {
        println!(
            "{layer:>9} -> {}",
            deps.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert!(
        wrong.is_empty(),
        "upstream references:\n{}",
        wrong.join("\n")
    );
}

/// A new top-level module has to take its place in the flow, or the check above would not see it.
#[test]
fn every_module_is_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let module = name.strip_suffix(".rs").unwrap_or(&name).to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        if !ALLOWED.iter().any(|(l, _)| *l == module) {
            missing.push(module);
        }
    }
    assert!(
        missing.is_empty(),
        "modules of src/ with no layer in tests/layers.rs: {missing:?}"
    );
}
