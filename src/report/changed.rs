//! `--changed-since REF`: what a pull request check on a large repository wants — only the
//! findings the change could have caused.
//!
//! A root module none of whose files changed reports nothing. In a root where a file it reads
//! from elsewhere changed (a local module, a variables file outside the directory), every
//! finding stays: a module's change shows up wherever it is called. Otherwise a finding stays
//! when it, or a place it names, is in a changed file; a finding with no source line (state,
//! live) stays with its root.
use crate::report::CheckResult;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The files changed since a revision: committed, staged, unstaged and untracked, as
/// absolute paths.
pub struct Changed {
    files: HashSet<PathBuf>,
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("--changed-since needs git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "--changed-since: git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Changed {
    /// Asks git in the repository holding `dir`.
    pub fn since(dir: &Path, rev: &str) -> Result<Changed, String> {
        if rev.starts_with('-') {
            return Err(format!("--changed-since: {rev:?} is not a revision"));
        }
        let root = git(dir, &["rev-parse", "--show-toplevel"])?;
        let root = PathBuf::from(root.trim());
        let root = root.canonicalize().unwrap_or(root);
        // `REF` alone (not `REF...HEAD`): the working tree counts, as pre-commit and a local
        // run see it.
        let diffed = git(&root, &["diff", "--name-only", "--no-renames", rev, "--"])?;
        let untracked = git(&root, &["ls-files", "--others", "--exclude-standard"])?;
        let files = diffed
            .lines()
            .chain(untracked.lines())
            .filter(|l| !l.is_empty())
            .map(|l| {
                let p = root.join(l);
                p.canonicalize().unwrap_or(p)
            })
            .collect();
        Ok(Changed { files })
    }

    fn contains(&self, path: &Path) -> bool {
        let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.files.contains(&abs)
    }
}

/// Keeps the findings of one root module's result that the change could have caused, and
/// counts the others.
pub fn apply(r: &mut CheckResult, dir: &Path, changed: &Changed) {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut touched = Vec::new();
    let mut from_elsewhere = false;
    for (id, f) in r.sources.files() {
        if changed.contains(&f.path) {
            touched.push(id);
            let abs = f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
            from_elsewhere |= abs.parent() != Some(dir.as_path());
        }
    }
    let before = r.findings.len();
    if touched.is_empty() {
        r.findings.clear();
    } else if !from_elsewhere {
        r.findings.retain(|f| {
            let mut places = f
                .location
                .iter()
                .chain(f.related.iter().map(|x| &x.location))
                .peekable();
            if places.peek().is_none() {
                return true;
            }
            let mut any_source = false;
            let hit = places.any(|l| match l.span() {
                Some(s) => {
                    any_source = true;
                    touched.contains(&s.file)
                }
                None => false,
            });
            hit || !any_source
        });
    }
    let left_out = before - r.findings.len();
    r.outside_changes = Some(r.outside_changes.unwrap_or(0) + left_out);
}
