//! `--format json`: one document, version 1 (the contract in README.md).
use super::CheckResult;
use crate::source::{Location, SourceMap};
use serde_json::{json, Value as J};

/// A location as the JSON contract has it: file, line and column for source; file, address
/// and attribute path for a state or plan; ARN and path for the live account.
pub fn location_json(sources: &SourceMap, l: &Location) -> J {
    match l {
        Location::Source(s) => serde_json::to_value(sources.locate(s)).unwrap_or(J::Null),
        Location::State {
            file,
            address,
            path,
        } => json!({ "file": &**file, "address": address, "path": path }),
        Location::Live { arn, path } => json!({ "arn": arn, "path": path }),
    }
}

fn loc(sources: &SourceMap, l: &Option<Location>) -> J {
    l.as_ref().map_or(J::Null, |l| location_json(sources, l))
}

/// A fix with its edits located in the original files; null when it has no exact edit.
fn fix_json(sources: &SourceMap, f: &crate::rules::Finding) -> J {
    let (Some(fx), Some(edits)) = (&f.fix, &f.edits) else {
        return J::Null;
    };
    let edits: Vec<J> = edits
        .iter()
        .map(|e| {
            let f = sources.get(e.file);
            let (a, b) = (f.line_col(e.start), f.line_col(e.end));
            json!({
                "file": f.display,
                "start": { "line": a.line, "column": a.column, "offset": e.start },
                "end": { "line": b.line, "column": b.column, "offset": e.end },
                "replacement": e.text,
            })
        })
        .collect();
    json!({ "applicability": fx.applicability.as_str(), "edits": edits })
}

pub fn render(r: &CheckResult) -> String {
    let findings: Vec<J> = r
        .findings
        .iter()
        .map(|f| {
            let mut j = json!({
                "code": f.code,
                "name": f.name,
                "severity": f.severity.as_str(),
                "message": f.message,
                "resource": f.resource,
                "location": loc(&r.sources, &f.location),
                "related": f.related.iter().map(|x| json!({
                    "message": x.message,
                    "location": location_json(&r.sources, &x.location),
                })).collect::<Vec<_>>(),
                "fix_title": f.fix_title,
                "fix": fix_json(&r.sources, f),
                "help": format!("infra-lint rule {}", f.code),
            });
            if let Some(d) = &f.drift {
                j["drift"] = json!({
                    "kind": d.kind.as_str(), "address": d.address, "arn": d.arn,
                    "attribute": d.attribute, "state_value": d.state_value,
                    "live_value": d.live_value,
                });
            }
            j
        })
        .collect();
    let errors: Vec<J> = r
        .errors
        .iter()
        .map(|e| json!({ "message": e.message, "location": loc(&r.sources, &e.location) }))
        .collect();
    let ne: Vec<J> = r
        .not_evaluated
        .iter()
        .map(|n| {
            json!({
                "code": n.code,
                "subject": n.subject,
                "reason": n.reason,
                "location": loc(&r.sources, &n.location),
            })
        })
        .collect();
    let suppressed: Vec<J> = r
        .suppressed
        .iter()
        .map(|s| {
            json!({
                "code": s.finding.code,
                "name": s.finding.name,
                "severity": s.finding.severity.as_str(),
                "message": s.finding.message,
                "resource": s.finding.resource,
                "location": loc(&r.sources, &s.finding.location),
                "reason": s.reason,
                "suppressed_at": location_json(&r.sources, &Location::Source(s.at.clone())),
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "findings": findings,
        "errors": errors,
        "not_evaluated": ne,
        "suppressed": suppressed,
        "summary": {
            "findings": r.findings.len(),
            "errors": r.count(crate::rules::Severity::Error),
            "warnings": r.count(crate::rules::Severity::Warning),
            "notes": r.count(crate::rules::Severity::Note),
            "input_errors": r.errors.len(),
            "not_evaluated": r.not_evaluated.len(),
            "files": r.files(),
            "resources": r.resources,
            "fixable": r.fixable(crate::diag::fix::Applicability::Safe),
            "unsafe_fixable": r.fixable(crate::diag::fix::Applicability::Unsafe),
            "fixed": r.fixed,
            "documents": r.documents.iter().map(|d| json!({
                "file": d.name, "joined": d.joined, "only_in_document": d.added,
            })).collect::<Vec<_>>(),
            "not_checked": r.not_readable,
            "drift": r.drift_counts(),
            "suppressed": r.suppressed.len(),
            "baselined": r.baseline.map(|b| b.baselined),
            "baseline_unmatched": r.baseline.map(|b| b.unmatched),
            "outside_changes": r.outside_changes,
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
