//! Baselines: adopting the linter on a codebase that already has findings. `infra-lint
//! baseline` records every current finding's fingerprint; `check --baseline FILE` then reports
//! only findings not recorded, and says how many it held back and how many entries matched
//! nothing (fixed since, or changed so much they are new findings).
use crate::diag::InputError;
use crate::report::{BaselineStats, CheckResult};
use serde_json::{json, Value as J};
use std::path::Path;

pub const FILE_NAME: &str = ".infra-lint-baseline.json";
const VERSION: u64 = 1;

/// The baseline document for a result: fingerprints with what they stand for, so a reviewer
/// can read the file (and a diff of it) without running anything.
pub fn render(r: &CheckResult) -> String {
    let fps = r.fingerprints();
    let mut entries: Vec<J> = r
        .findings
        .iter()
        .zip(&fps)
        .map(|(f, fp)| {
            json!({
                "fingerprint": fp,
                "code": f.code,
                "resource": f.resource,
                "file": f.span().map(|s| r.uri(s.file)),
                "message": crate::report::fingerprint::normalized_message(&f.message),
            })
        })
        .collect();
    entries.sort_by(|a, b| {
        (
            a["code"].as_str(),
            a["resource"].as_str(),
            a["fingerprint"].as_str(),
        )
            .cmp(&(
                b["code"].as_str(),
                b["resource"].as_str(),
                b["fingerprint"].as_str(),
            ))
    });
    let doc = json!({ "version": VERSION, "tool": "infra-lint", "findings": entries });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The fingerprints a baseline file holds, or why it cannot be used.
pub fn read(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let doc: J = serde_json::from_str(&text).map_err(|e| {
        format!(
            "baseline {} is not JSON ({e}); write it with `infra-lint baseline`",
            path.display()
        )
    })?;
    if doc["version"].as_u64() != Some(VERSION) {
        return Err(format!(
            "baseline {} has version {}, expected {VERSION}; write it again with `infra-lint baseline`",
            path.display(),
            doc["version"]
        ));
    }
    let entries = doc["findings"]
        .as_array()
        .ok_or_else(|| format!("baseline {} has no `findings` list", path.display()))?;
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e["fingerprint"].as_str().map(String::from).ok_or_else(|| {
                format!(
                    "baseline {}: entry {} has no fingerprint",
                    path.display(),
                    i + 1
                )
            })
        })
        .collect()
}

/// Holds back the findings the baseline records. A baseline that cannot be read is an input
/// error and holds back nothing: a broken baseline must not hide findings, nor pass silently.
pub fn apply(r: &mut CheckResult, path: &Path) {
    let recorded = match read(path) {
        Ok(fps) => fps,
        Err(e) => {
            r.errors.push(InputError::new(e, None));
            return;
        }
    };
    let mut left: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for fp in &recorded {
        *left.entry(fp.as_str()).or_insert(0) += 1;
    }
    let fps = r.fingerprints();
    let mut kept = Vec::new();
    let mut baselined = 0;
    for (f, fp) in std::mem::take(&mut r.findings).into_iter().zip(&fps) {
        match left.get_mut(fp.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                baselined += 1;
            }
            _ => kept.push(f),
        }
    }
    r.findings = kept;
    r.baseline = Some(BaselineStats {
        baselined,
        unmatched: left.values().sum(),
    });
}
