//! `--format sarif`: one SARIF 2.1.0 log with one run, as GitHub code scanning reads it.
//!
//! GitHub rejects the whole upload when any result lacks a physical location, so a finding
//! that has no source line (a state attribute, an object in the account) is anchored on the
//! most telling file there is and keeps its real place as a logical location and a message.
//! No result carries a snippet: file text could hold a secret.
use super::CheckResult;
use crate::rules::registry::RULES;
use crate::rules::{Finding, RuleMeta};
use crate::source::{display_path, FileId, Location, Span};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value as J};
use std::path::{Path, PathBuf};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// The `partialFingerprints` key: versioned, so a change of what a fingerprint hashes can
/// take a new key instead of silently re-identifying every alert.
pub const FINGERPRINT_KEY: &str = "infraLint/v1";

/// A path segment keeps only RFC 3986's unreserved characters; `:` is encoded too, or a
/// relative reference like `a:b.tf` would read as a URI with scheme `a`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn render(r: &CheckResult) -> String {
    let cx = Cx::new(r);
    let fingerprints = r.fingerprints();
    let suppressed_fingerprints = suppressed_fingerprints(r);
    let mut results: Vec<J> = r
        .findings
        .iter()
        .zip(&fingerprints)
        .map(|(f, fp)| cx.result(f, fp))
        .collect();
    // Suppressed results follow, in source order, each with its comment as the suppression.
    let mut suppressed: Vec<_> = r.suppressed.iter().zip(&suppressed_fingerprints).collect();
    suppressed.sort_by(|(a, _), (b, _)| {
        (a.at.file, a.at.start, a.finding.code).cmp(&(b.at.file, b.at.start, b.finding.code))
    });
    for (s, fp) in suppressed {
        let mut res = cx.result(&s.finding, fp);
        let mut sup = json!({
            "kind": "inSource",
            "location": { "physicalLocation": cx.source_physical(&s.at) },
        });
        if !s.reason.is_empty() {
            sup["justification"] = J::from(s.reason.as_str());
        }
        res["suppressions"] = json!([sup]);
        results.push(res);
    }
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver() },
            "invocations": [cx.invocation()],
            "originalUriBaseIds": {
                SRCROOT: { "uri": file_uri(&r.root, true) },
            },
            // Columns count characters (see `source::LineCol`), not SARIF's default UTF-16
            // code units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Fingerprints of the suppressed findings, numbered after the reported ones so an identical
/// finding on both sides keeps two distinct identities (as `CheckResult::fingerprints`).
fn suppressed_fingerprints(r: &CheckResult) -> Vec<String> {
    let all: Vec<&Finding> = r
        .findings
        .iter()
        .chain(r.suppressed.iter().map(|s| &s.finding))
        .collect();
    let files: Vec<Option<String>> = all
        .iter()
        .map(|f| f.span().map(|s| r.uri(s.file)))
        .collect();
    let mut fps =
        super::fingerprint::all(all.iter().copied().zip(files.iter().map(|f| f.as_deref())));
    fps.split_off(r.findings.len())
}

fn rule_index(code: &str) -> Option<usize> {
    RULES.iter().position(|r| r.meta().code == code)
}

fn rule_ref(code: &str) -> J {
    let mut j = json!({ "id": code });
    if let Some(i) = rule_index(code) {
        j["index"] = J::from(i);
    }
    j
}

fn driver() -> J {
    let rules: Vec<J> = RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": full_description(m) },
                "help": { "text": m.doc, "markdown": m.doc },
                "helpUri": m.help_uri(),
                "defaultConfiguration": { "level": m.severity.as_str() },
                "properties": {
                    "category": m.category,
                    "tags": [m.category],
                    "inputs": m.inputs,
                    "fix": m.fix,
                    "fixKinds": m.fix_kinds,
                },
            })
        })
        .collect();
    json!({
        "name": "infra-lint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": env!("CARGO_PKG_REPOSITORY"),
        "rules": rules,
    })
}

/// The first paragraph of the page's "What it does" on one line, with the list it introduces
/// when it ends in a colon; the summary when the page has none.
fn full_description(m: &RuleMeta) -> String {
    let section: Vec<&str> = m
        .doc
        .lines()
        .skip_while(|l| l.trim() != "## What it does")
        .skip(1)
        .take_while(|l| !l.starts_with('#'))
        .collect();
    let mut blocks = section
        .split(|l| l.trim().is_empty())
        .filter(|b| !b.is_empty());
    let Some(first) = blocks.next() else {
        return m.summary.to_string();
    };
    let mut text = first.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    if !text.ends_with(':') {
        return text;
    }
    match blocks.next().filter(|b| b[0].starts_with("- ")) {
        Some(list) => {
            // One line per item: continuation lines join their item.
            for l in list {
                if l.starts_with("- ") {
                    text.push('\n');
                } else {
                    text.push(' ');
                }
                text.push_str(l.trim());
            }
        }
        // What follows is not a list (a table): the sentence ends here.
        None => {
            text.pop();
            text.push('.');
        }
    }
    text
}

struct Cx<'a> {
    r: &'a CheckResult,
    /// The checked directory relative to the repository root (`""` or ending in `/`), where
    /// it can be told: state files are named relative to it.
    checked_dir: Option<String>,
}

impl<'a> Cx<'a> {
    fn new(r: &'a CheckResult) -> Cx<'a> {
        // A configuration file's name is relative to the checked directory, its `uri` to the
        // repository root: the difference is the directory. (The result does not carry it.)
        let checked_dir = r.sources.files().find_map(|(id, f)| {
            if f.display.split('/').any(|p| p == "..") || Path::new(&f.display).is_absolute() {
                return None;
            }
            let uri = r.uri(id);
            let pre = uri.strip_suffix(f.display.as_str())?;
            (pre.is_empty() || pre.ends_with('/')).then(|| pre.to_string())
        });
        Cx { r, checked_dir }
    }

    fn artifact(&self, file: FileId) -> J {
        let f = self.r.sources.get(file);
        let abs = f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
        if abs.is_absolute() && !abs.starts_with(&self.r.root) {
            // Outside the repository (a module shared from elsewhere): no base to be
            // relative to.
            return json!({ "uri": file_uri(&abs, false) });
        }
        json!({ "uri": encode_relative(&self.r.uri(file)), "uriBaseId": SRCROOT })
    }

    fn region(&self, span: &Span) -> J {
        let p = self.r.sources.locate(span);
        json!({
            "startLine": p.line,
            "startColumn": p.column,
            "endLine": p.end_line,
            "endColumn": p.end_column,
        })
    }

    fn source_physical(&self, span: &Span) -> J {
        json!({ "artifactLocation": self.artifact(span.file), "region": self.region(span) })
    }

    /// A state or plan file named as the engine names it (relative to the checked directory
    /// when inside it, else as the user wrote it), relative to the repository root; None
    /// when it is not a file of the repository (an s3 object, a file elsewhere).
    fn state_uri(&self, name: &str) -> Option<String> {
        if name.contains("://") {
            return None;
        }
        let root = &self.r.root;
        let in_repo = |p: PathBuf| -> Option<String> {
            let abs = p.canonicalize().ok()?;
            abs.starts_with(root).then(|| display_path(root, &abs))
        };
        let p = Path::new(name);
        if p.is_absolute() {
            return in_repo(p.to_path_buf());
        }
        let from_checked = self
            .checked_dir
            .as_ref()
            .and_then(|d| in_repo(root.join(d).join(p)));
        from_checked.or_else(|| in_repo(std::env::current_dir().ok()?.join(p)))
    }

    /// A whole state file as a physical location: it is not read as source, so its lines
    /// are unknown and the region is its first line (GitHub needs a line).
    fn state_physical(&self, name: &str) -> Option<J> {
        let uri = self.state_uri(name)?;
        Some(json!({
            "artifactLocation": { "uri": encode_relative(&uri), "uriBaseId": SRCROOT },
            "region": { "startLine": 1 },
        }))
    }

    /// The physical and logical sides of a place.
    fn place(&self, l: &Location) -> (Option<J>, Vec<J>) {
        match l {
            Location::Source(s) => (Some(self.source_physical(s)), vec![]),
            Location::State { file, address, .. } => {
                (self.state_physical(file), vec![resource_logical(address)])
            }
            Location::Live { arn, .. } => (None, vec![live_logical(arn)]),
        }
    }

    /// A location object for a place; places without a source line say where they are in
    /// the message too, for viewers that ignore logical locations.
    fn location(&self, l: &Location, message: Option<&str>) -> J {
        let (physical, logical) = self.place(l);
        let text = match (message, l) {
            (Some(m), Location::Source(_)) => Some(m.to_string()),
            (Some(m), _) => Some(format!("{m} ({})", l.describe(&self.r.sources))),
            (None, Location::Source(_)) => None,
            (None, _) => Some(l.describe(&self.r.sources)),
        };
        let mut j = json!({});
        if let Some(p) = physical {
            j["physicalLocation"] = p;
        }
        if !logical.is_empty() {
            j["logicalLocations"] = J::from(logical);
        }
        if let Some(t) = text {
            j["message"] = json!({ "text": t });
        }
        j
    }

    /// Where a finding with no source line is shown: the first configuration place it
    /// names, else the root module's first file.
    fn stand_in(&self, f: &Finding) -> Option<J> {
        if let Some(s) = f.related.iter().find_map(|x| x.location.span()) {
            return Some(self.source_physical(s));
        }
        let files: Vec<(FileId, _)> = self.r.sources.files().collect();
        let (id, _) = files
            .iter()
            .find(|(_, sf)| !sf.display.contains('/'))
            .or(files.first())?;
        Some(json!({ "artifactLocation": self.artifact(*id), "region": { "startLine": 1 } }))
    }

    fn primary_location(&self, f: &Finding) -> J {
        let mut loc = match &f.location {
            Some(l) => self.location(l, None),
            None => json!({}),
        };
        if loc.get("physicalLocation").is_none() {
            if let Some(p) = self.stand_in(f) {
                loc["physicalLocation"] = p;
            }
        }
        // The finding's own subjects first: its address, then its object in the account.
        let live = match &f.location {
            Some(Location::Live { arn, .. }) => Some(arn.as_str()),
            _ => None,
        }
        .or(f.drift.as_ref().and_then(|d| d.arn.as_deref()));
        let address = f
            .drift
            .as_ref()
            .and_then(|d| d.address.as_deref())
            .or_else(|| {
                let a = f.resource.as_str();
                (!a.is_empty() && Some(a) != live && crate::model::Address::parse(a).is_ok())
                    .then_some(a)
            });
        let mut logical: Vec<J> = address.map(resource_logical).into_iter().collect();
        logical.extend(live.map(live_logical));
        if let Some(J::Array(more)) = loc.get("logicalLocations") {
            for l in more {
                let name = &l["fullyQualifiedName"];
                if !logical.iter().any(|x| &x["fullyQualifiedName"] == name) {
                    logical.push(l.clone());
                }
            }
        }
        // Rebuilt in the order every other location has.
        let mut out = json!({});
        if let Some(p) = loc.get("physicalLocation") {
            out["physicalLocation"] = p.clone();
        }
        if !logical.is_empty() {
            out["logicalLocations"] = J::from(logical);
        }
        if let Some(m) = loc.get("message") {
            out["message"] = m.clone();
        }
        out
    }

    fn result(&self, f: &Finding, fingerprint: &str) -> J {
        let related: Vec<J> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut j = self.location(&x.location, Some(&x.message));
                j["id"] = J::from(i + 1);
                j
            })
            .collect();
        let mut j = json!({
            "ruleId": f.code,
            "level": f.severity.as_str(),
            "message": { "text": f.message },
            "locations": [self.primary_location(f)],
            "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
        });
        if let Some(i) = rule_index(f.code) {
            j["ruleIndex"] = J::from(i);
        }
        if !related.is_empty() {
            j["relatedLocations"] = J::from(related);
        }
        if let Some(fix) = self.fix(f) {
            j["fixes"] = json!([fix]);
        }
        let mut props = json!({ "name": f.name });
        if !f.resource.is_empty() {
            props["resource"] = J::from(f.resource.as_str());
        }
        if !f.fix_title.is_empty() {
            props["fixTitle"] = J::from(f.fix_title.as_str());
        }
        if let Some(d) = &f.drift {
            props["drift"] = json!({
                "kind": d.kind.as_str(), "address": d.address, "arn": d.arn,
                "attribute": d.attribute, "stateValue": d.state_value,
                "liveValue": d.live_value,
            });
        }
        j["properties"] = props;
        j
    }

    /// The finding's resolved edits as SARIF replacements of the original text. They are
    /// normalized as `diag::fix::apply` applies them (sorted, repeats and overlaps dropped,
    /// inserted line endings matching the file's), so applying them gives what `--fix`
    /// writes.
    fn fix(&self, f: &Finding) -> Option<J> {
        let (Some(fx), Some(edits)) = (&f.fix, &f.edits) else {
            return None;
        };
        if edits.is_empty() {
            return None;
        }
        let mut by_file: std::collections::BTreeMap<FileId, Vec<_>> = Default::default();
        for e in edits {
            by_file.entry(e.file).or_default().push(e);
        }
        let changes: Vec<J> = by_file
            .into_iter()
            .map(|(file, mut es)| {
                es.sort();
                es.dedup();
                let sf = self.r.sources.get(file);
                let crlf = sf.text.contains("\r\n");
                let mut pos = 0;
                let mut replacements = Vec::new();
                for e in es {
                    if e.start < pos || e.end > sf.text.len() || e.start > e.end {
                        continue;
                    }
                    pos = e.end;
                    let (a, b) = (sf.line_col(e.start), sf.line_col(e.end));
                    let text = if crlf {
                        e.text.replace("\r\n", "\n").replace('\n', "\r\n")
                    } else {
                        e.text.clone()
                    };
                    replacements.push(json!({
                        "deletedRegion": {
                            "startLine": a.line,
                            "startColumn": a.column,
                            "endLine": b.line,
                            "endColumn": b.column,
                            "byteOffset": e.start,
                            "byteLength": e.end - e.start,
                        },
                        "insertedContent": { "text": text },
                    }));
                }
                json!({ "artifactLocation": self.artifact(file), "replacements": replacements })
            })
            .collect();
        Some(json!({
            "description": { "text": f.fix_title },
            "artifactChanges": changes,
            "properties": { "applicability": fx.applicability.as_str() },
        }))
    }

    fn invocation(&self) -> J {
        let r = self.r;
        let mut notes: Vec<J> = Vec::new();
        for e in &r.errors {
            let mut n = json!({ "level": "error", "message": { "text": e.message } });
            if let Some(l) = &e.location {
                n["locations"] = json!([self.location(l, None)]);
            }
            notes.push(n);
        }
        for ne in &r.not_evaluated {
            let code = ne
                .code
                .as_deref()
                .map(|c| format!("{c} "))
                .unwrap_or_default();
            let mut n = json!({
                "level": "note",
                "message": {
                    "text": format!("not evaluated: {code}{}: {}", ne.subject, ne.reason),
                },
                "properties": { "subject": ne.subject, "reason": ne.reason },
            });
            if let Some(c) = &ne.code {
                n["associatedRule"] = rule_ref(c);
            }
            if let Some(l) = &ne.location {
                n["locations"] = json!([self.location(l, None)]);
            }
            notes.push(n);
        }
        for call in &r.not_readable {
            notes.push(json!({
                "level": "warning",
                "message": { "text": format!("not checked (the scan could not read): {call}") },
            }));
        }
        // Rules the run left out, or ran at another severity than their default.
        let overrides: Vec<J> = RULES
            .iter()
            .map(|rule| rule.meta())
            .filter_map(|m| {
                let run = r.rules_run.iter().find(|(x, _)| x.code == m.code);
                let configuration = match run {
                    None => json!({ "enabled": false }),
                    Some((_, s)) if *s != m.severity => json!({ "level": s.as_str() }),
                    Some(_) => return None,
                };
                Some(json!({ "descriptor": rule_ref(m.code), "configuration": configuration }))
            })
            .collect();
        let mut inv = json!({
            "executionSuccessful": r.errors.is_empty(),
            "toolExecutionNotifications": notes,
        });
        if !overrides.is_empty() {
            inv["ruleConfigurationOverrides"] = J::from(overrides);
        }
        inv
    }
}

fn resource_logical(address: &str) -> J {
    json!({ "fullyQualifiedName": address, "kind": "resource" })
}

/// An object in the account, by ARN (or ID where it has none).
fn live_logical(arn: &str) -> J {
    json!({ "fullyQualifiedName": arn, "kind": "resource", "properties": { "source": "live" } })
}

/// A `/`-separated relative path as a URI reference.
fn encode_relative(path: &str) -> String {
    path.split('/')
        .map(|seg| percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// An absolute path as a `file:` URI (a directory's with a trailing slash, as SARIF wants
/// for a base).
fn file_uri(path: &Path, dir: bool) -> String {
    let s = path_bytes(path);
    let (host, path): (&[u8], &[u8]) = match s.strip_prefix(b"//") {
        Some(rest) if cfg!(windows) => {
            let end = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        }
        _ => (b"", &s[..]),
    };
    let mut out = String::from("file://");
    out.push_str(&String::from_utf8_lossy(host));
    if !path.starts_with(b"/") {
        out.push('/');
    }
    let segs: Vec<String> = path
        .split(|&b| b == b'/')
        .map(|seg| {
            // A drive letter keeps its colon (`/C:/`), as file URIs write it.
            if seg.len() == 2 && seg[1] == b':' && seg[0].is_ascii_alphabetic() {
                String::from_utf8_lossy(seg).into_owned()
            } else {
                percent_encoding::percent_encode(seg, SEGMENT).to_string()
            }
        })
        .collect();
    out.push_str(&segs.join("/"));
    if dir && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The path's bytes, `/`-separated (on Unix a file name's bytes are kept as they are, and a
/// backslash is part of a name).
#[cfg(unix)]
fn path_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

/// Windows: `\\?\C:\x` and `C:\x` become `C:/x`; `\\?\UNC\host\share` becomes
/// `//host/share`.
#[cfg(not(unix))]
fn path_bytes(p: &Path) -> Vec<u8> {
    let s = p.to_string_lossy().replace('\\', "/");
    let s = if s.starts_with("//?/UNC/") {
        format!("//{}", &s["//?/UNC/".len()..])
    } else if s.starts_with("//?/") {
        s["//?/".len()..].to_string()
    } else {
        s
    };
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            encode_relative("infra/my db/ünï:x.tf"),
            "infra/my%20db/%C3%BCn%C3%AF%3Ax.tf"
        );
        assert_eq!(
            file_uri(Path::new("/work/a b/repo"), true),
            "file:///work/a%20b/repo/"
        );
        assert_eq!(file_uri(Path::new("/"), true), "file:///");
    }

    #[cfg(windows)]
    #[test]
    fn windows_paths_become_file_uris() {
        assert_eq!(
            file_uri(Path::new(r"\\?\C:\src\infra"), true),
            "file:///C:/src/infra/"
        );
        assert_eq!(
            file_uri(Path::new(r"\\?\UNC\host\share\x"), true),
            "file://host/share/x/"
        );
    }

    fn meta(doc: &'static str) -> RuleMeta {
        RuleMeta {
            code: "X001",
            name: "x",
            category: "x",
            severity: crate::rules::Severity::Note,
            summary: "the summary",
            fix: crate::rules::FixAvailability::None,
            fix_kinds: &[],
            inputs: &[],
            options: &[],
            doc,
        }
    }

    #[test]
    fn full_description_is_the_first_paragraph_of_what_it_does() {
        let page = "# X001 x\n\n## What it does\nFlags this\nand that.\n\nMore.\n\n## Why\n";
        assert_eq!(full_description(&meta(page)), "Flags this and that.");
        let list = "## What it does\nFlags ports that:\n\n- are a;\n- are\n  b.\n\nMore.\n";
        assert_eq!(
            full_description(&meta(list)),
            "Flags ports that:\n- are a;\n- are b."
        );
        let table = "## What it does\nCompares these:\n\n| a | b |\n\n## Why\n";
        assert_eq!(full_description(&meta(table)), "Compares these.");
        assert_eq!(full_description(&meta("# X001 x\n")), "the summary");
    }
}
