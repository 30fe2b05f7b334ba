//! Root modules under a directory, for `check --recursive`.
//!
//! A root module is a directory holding `.tf` or `.tf.json` files that no other directory under
//! the searched one calls as a local module (`source = "./…"` or `"../…"`). `.terraform/` and
//! hidden directories are skipped, and `.gitignore` (with `.ignore` and git's global excludes)
//! is honoured, as git would. Module calls are read from the files' `module` blocks without
//! evaluating anything: a `source` must be a literal string, as Terraform requires.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every directory under `dir` with Terraform files, and the local module directories each
/// of them calls (canonical paths).
fn module_dirs(dir: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".terraform")
        .build();
    let files: Vec<PathBuf> = walker
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            (name.ends_with(".tf") || name.ends_with(".tf.json"))
                && e.file_type().is_some_and(|t| t.is_file())
        })
        .map(ignore::DirEntry::into_path)
        .collect();
    // Reading the calls means parsing every file once: in parallel, as the checks are.
    use rayon::prelude::*;
    let calls: Vec<(PathBuf, Vec<PathBuf>)> = files
        .par_iter()
        .filter_map(|path| {
            let parent = path.parent()?;
            let parent = parent
                .canonicalize()
                .unwrap_or_else(|_| parent.to_path_buf());
            let json = path.to_string_lossy().ends_with(".json");
            let called = std::fs::read_to_string(path)
                .map(|text| {
                    local_sources(&text, json)
                        .into_iter()
                        .map(|s| {
                            let c = parent.join(s);
                            c.canonicalize().unwrap_or(c)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some((parent, called))
        })
        .collect();
    let mut dirs: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (parent, called) in calls {
        dirs.entry(parent).or_default().extend(called);
    }
    dirs
}

/// The `source` of every `module` block whose source is a local path.
fn local_sources(text: &str, json: bool) -> Vec<String> {
    let local = |s: &str| s.starts_with("./") || s.starts_with("../");
    if json {
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
            return vec![];
        };
        // `"module": {"name": {...}}` or `"module": [{"name": {...}}]`.
        let blocks: Vec<&serde_json::Value> = match &doc["module"] {
            serde_json::Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        return blocks
            .into_iter()
            .filter_map(|b| b.as_object())
            .flat_map(|o| o.values())
            .filter_map(|m| m["source"].as_str())
            .filter(|s| local(s))
            .map(String::from)
            .collect();
    }
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return vec![];
    };
    body.get_blocks("module")
        .filter_map(|b| b.body.get_attribute("source"))
        .filter_map(|a| a.value.as_str().map(String::from))
        .filter(|s| local(s))
        .collect()
}

/// The root modules under `dir`, sorted, as paths under `dir` (not canonical, so they read as
/// the user wrote `dir`).
pub fn find(dir: &Path) -> Vec<PathBuf> {
    let base = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let dirs = module_dirs(dir);
    let called: BTreeSet<&PathBuf> = dirs.values().flatten().collect();
    dirs.keys()
        .filter(|d| !called.contains(d))
        .map(|d| match d.strip_prefix(&base) {
            Ok(rel) if rel.as_os_str().is_empty() => dir.to_path_buf(),
            Ok(rel) => dir.join(rel),
            Err(_) => d.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_read_from_hcl_and_json() {
        assert_eq!(
            local_sources(
                "module \"a\" {\n  source = \"../mods/a\"\n}\nmodule \"b\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
                false
            ),
            vec!["../mods/a"]
        );
        assert_eq!(
            local_sources(
                r#"{"module": {"x": {"source": "./x"}, "y": {"source": "git::y"}}}"#,
                true
            ),
            vec!["./x"]
        );
    }
}
