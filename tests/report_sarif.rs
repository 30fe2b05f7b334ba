//! `--format sarif`: the canonical document, schema validity of every fixture's document, and
//! the behaviours GitHub code scanning depends on (stable fingerprints, suppressions,
//! locations for findings without a source line, fixes that apply).
mod common;
use common::root;
use infra_lint::config::{Overrides, Settings};
use infra_lint::engine::{run, DocSource, LiveSource, Request};
use infra_lint::report::{sarif, CheckResult};
use infra_lint::rules::registry::RULES;
use infra_lint::source::Location;
use serde_json::Value as J;
use std::path::{Path, PathBuf};

/// Checks `dir` in process as `infra-lint check DIR` would, with the fixture harness's
/// inputs: its state, plan and live replay when it has them, and `select` (when given).
fn check(dir: &Path, select: Option<&str>) -> CheckResult {
    let doc = |name: &str| {
        let p = dir.join(name);
        p.is_file().then_some(DocSource::File(p))
    };
    let req = Request {
        dir: dir.to_path_buf(),
        state: doc("terraform.tfstate"),
        plan: doc("plan.json"),
        live: doc("live.json").map(LiveSource::Replay),
        ..Default::default()
    };
    let overrides = Overrides {
        select: select.map(|s| vec![s.to_string()]).unwrap_or_default(),
        ..Default::default()
    };
    let settings = Settings::load(dir, &overrides).expect("settings");
    run(&req, &settings).expect("check")
}

fn canonical() -> PathBuf {
    root().join("tests/reports/canonical")
}

fn sarif_json(r: &CheckResult) -> J {
    let text = sarif::render(r);
    assert!(
        text.ends_with("}\n"),
        "a pretty document with a trailing newline"
    );
    serde_json::from_str(&text).expect("SARIF is JSON")
}

fn results(doc: &J) -> &Vec<J> {
    doc["runs"][0]["results"].as_array().expect("results")
}

fn notifications(doc: &J) -> &Vec<J> {
    doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("utf-8")
        .into_owned()
}

/// Every fixture directory of every rule (pass, fail, their -state/-live variants, fixed),
/// with the rule it belongs to.
fn fixture_dirs() -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    for r in RULES {
        let m = r.meta();
        let base = root().join("fixtures").join(m.name);
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
            .unwrap_or_else(|e| panic!("{}: {e}", base.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        out.extend(dirs.into_iter().map(|d| (m.code, d)));
    }
    out
}

/// A configuration that no longer declares a database its state still holds: the findings on
/// it have only the state to point at.
fn state_only_tree() -> tempfile::TempDir {
    let state =
        std::fs::read(root().join("fixtures/rds-publicly-accessible/fail-state/terraform.tfstate"))
            .unwrap();
    common::tree(&[
        (
            "main.tf",
            b"terraform {\n  required_version = \">= 1.5\"\n}\n",
        ),
        ("terraform.tfstate", &state),
    ])
}

/// As the harness selects: only the fixture's rule, unless it brings its own infra-lint.toml.
fn harness_select(code: &'static str, dir: &Path) -> Option<&'static str> {
    (!dir.join("infra-lint.toml").exists()).then_some(code)
}

#[test]
fn canonical_document_snapshot() {
    let r = check(&canonical(), None);
    let mut doc = sarif_json(&r);
    let base = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    assert_eq!(
        decode(&base["file://".len()..]),
        format!("{}/", r.root.display()).replace("//", "/"),
        "the base is the repository root"
    );
    // The machine's root, the version and the rule pages (each checked here) would make the
    // snapshot churn on things it is not about.
    doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = J::from("file:///ROOT/");
    let driver = &mut doc["runs"][0]["tool"]["driver"];
    for key in ["version", "semanticVersion"] {
        assert_eq!(driver[key], env!("CARGO_PKG_VERSION"));
        driver[key] = J::from("[version]");
    }
    for (rule, meta) in driver["rules"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(RULES.iter().map(|r| r.meta()))
    {
        assert_eq!(rule["help"]["markdown"], meta.doc);
        assert_eq!(rule["help"]["text"], meta.doc);
        rule["help"] = J::from(format!("[rules/{}.md]", meta.name));
    }
    let text = serde_json::to_string_pretty(&doc).unwrap();
    assert!(
        !text.contains(&base),
        "the root URI appears only as the base"
    );
    insta::assert_snapshot!("canonical", text);
}

/// The results of a finding only a state holds and of one only the account holds: where they
/// are shown, and the places they keep.
#[test]
fn state_and_live_results_snapshot() {
    let state_only = state_only_tree();
    let live = root().join("fixtures/rds-publicly-accessible/fail-live");
    let mut out = Vec::new();
    for (dir, select) in [(state_only.path(), None), (live.as_path(), Some("RDS001"))] {
        out.extend(results(&sarif_json(&check(dir, select))).iter().cloned());
    }
    insta::assert_snapshot!(
        "state_and_live",
        serde_json::to_string_pretty(&J::from(out)).unwrap()
    );
}

#[test]
fn every_document_validates_against_the_sarif_schema() {
    let path = root().join("../shared/schemas/sarif-schema-2.1.0.json");
    let schema_text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. This test needs the shared directory (../shared, with \
             schemas/sarif-schema-2.1.0.json) next to the checkout",
            path.display()
        )
    });
    // The schema's `run.language` pattern has a stray `]`, a literal in ECMA-262 regexes that
    // the validator's regex check rejects; escaped, it means what the schema says.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    let schema_text = schema_text.replace(stray, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: J = serde_json::from_str(&schema_text).expect("schema JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let validator = jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");

    let mut docs = vec![("tests/reports/canonical (all rules)".to_string(), {
        sarif_json(&check(&canonical(), None))
    })];
    let state_only = state_only_tree();
    docs.push((
        "a resource only in the state".to_string(),
        sarif_json(&check(state_only.path(), None)),
    ));
    // What the binary writes, too: a file output, a combined report of two directories and
    // a run whose path does not exist.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("r.sarif");
    let canonical_dir = canonical().display().to_string();
    let fixture = root().join("fixtures/rds-publicly-accessible/fail");
    for (name, args) in [
        ("binary: --format sarif=FILE", vec![canonical_dir.clone()]),
        (
            "binary: two directories",
            vec![canonical_dir.clone(), fixture.display().to_string()],
        ),
        (
            "binary: a path that does not exist",
            vec!["/no/such/dir".to_string()],
        ),
    ] {
        let status = assert_cmd::Command::cargo_bin("infra-lint")
            .unwrap()
            .arg("check")
            .args(&args)
            .arg("--format")
            .arg(format!("sarif={}", file.display()))
            .output()
            .unwrap()
            .status;
        assert!(matches!(status.code(), Some(1 | 2)), "{name}: {status}");
        let doc: J = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        docs.push((name.to_string(), doc));
    }
    for (code, dir) in fixture_dirs() {
        let name = dir.strip_prefix(root()).unwrap().display().to_string();
        if let Some(sel) = harness_select(code, &dir) {
            docs.push((
                format!("{name} (--select {sel})"),
                sarif_json(&check(&dir, Some(sel))),
            ));
        }
        docs.push((
            format!("{name} (all rules)"),
            sarif_json(&check(&dir, None)),
        ));
    }
    // The validator rejects what the schema forbids (so a pass means something).
    let mut broken = docs[0].1.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        J::from(0);
    broken["runs"][0]["results"][1]["level"] = J::from("fatal");
    broken["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = J::from("file:///a b/");
    assert_eq!(validator.iter_errors(&broken).count(), 3);

    let mut failures = Vec::new();
    for (name, doc) in &docs {
        for e in validator.iter_errors(doc) {
            failures.push(format!("{name}: {}: {e}", e.instance_path()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} schema violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The documents cover what they are meant to: results anchored on a state file and
    // results on objects in the account, fixes, related places.
    let all: Vec<&J> = docs.iter().flat_map(|(_, d)| results(d)).collect();
    let on_state = all.iter().any(|r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with(".tfstate"))
    });
    let live = |r: &&&J| {
        r["locations"][0]["logicalLocations"]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| x["properties"]["source"] == "live"))
    };
    assert!(on_state, "no document has a result on a state file");
    assert!(all.iter().any(|r| live(&r)), "no result on a live object");
    assert!(all.iter().any(|r| r.get("fixes").is_some()), "no fix");
    assert!(all.iter().any(|r| r.get("relatedLocations").is_some()));
    assert!(all
        .iter()
        .all(|r| r["locations"][0].get("physicalLocation").is_some()));
}

/// (ruleId, resource) -> (fingerprint, start line) of every result.
fn fingerprint_lines(doc: &J) -> std::collections::BTreeMap<(String, String), (String, u64)> {
    results(doc)
        .iter()
        .map(|r| {
            (
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["properties"]["resource"].as_str().unwrap().to_string(),
                ),
                (
                    r["partialFingerprints"][sarif::FINGERPRINT_KEY]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn fingerprints_do_not_move_with_lines_inserted_above() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["main.tf", "broken.tf"] {
        std::fs::copy(canonical().join(f), tmp.path().join(f)).unwrap();
    }
    let r = check(tmp.path(), None);
    let before = sarif_json(&r);
    let fps: Vec<String> = results(&before)
        .iter()
        .take(r.findings.len())
        .map(|x| {
            x["partialFingerprints"][sarif::FINGERPRINT_KEY]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(fps, r.fingerprints(), "the result's own fingerprints");

    let main = tmp.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let moved = format!(
        "# a comment someone added\n\n{}",
        text.replacen(
            "resource \"aws_ecs_service\"",
            "# another one\n\n\nresource \"aws_ecs_service\"",
            1
        )
    );
    std::fs::write(&main, moved).unwrap();
    let after = sarif_json(&check(tmp.path(), None));
    let (a, b) = (fingerprint_lines(&before), fingerprint_lines(&after));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, (fp, line)) in &a {
        let (fp2, line2) = &b[k];
        assert_ne!(line, line2, "{k:?} must have moved, or this proves nothing");
        assert_eq!(fp, fp2, "{k:?}: fingerprint changed with its line");
    }
    assert!(a.len() >= 5, "findings and the suppressed one: {a:?}");
}

#[test]
fn suppressed_finding_is_a_result_with_its_suppression() {
    let r = check(&canonical(), None);
    let doc = sarif_json(&r);
    let suppressed: Vec<&J> = results(&doc)
        .iter()
        .filter(|x| x.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
    let s = suppressed[0];
    assert_eq!(s["ruleId"], "RDS001");
    assert_eq!(s["properties"]["resource"], "aws_db_instance.demo");
    let sup = &s["suppressions"][0];
    assert_eq!(sup["kind"], "inSource");
    assert_eq!(sup["justification"], "demo database, torn down nightly");
    let text = std::fs::read_to_string(canonical().join("main.tf")).unwrap();
    let comment_line = text
        .lines()
        .position(|l| l.contains("infra-lint:ignore RDS001"))
        .unwrap() as u64
        + 1;
    let at = &sup["location"]["physicalLocation"];
    assert_eq!(at["region"]["startLine"], comment_line);
    assert_eq!(
        at["artifactLocation"]["uri"],
        "tests/reports/canonical/main.tf"
    );
    assert_eq!(at["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // The finding itself stays where it is: on the attribute, the line after the comment.
    assert_eq!(
        s["locations"][0]["physicalLocation"]["region"]["startLine"],
        comment_line + 1
    );
    assert_eq!(results(&doc).len(), r.findings.len() + 1);
}

#[test]
fn input_errors_and_not_evaluated_are_notifications() {
    let doc = sarif_json(&check(&canonical(), None));
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = notifications(&doc);
    let errors: Vec<&J> = notes.iter().filter(|n| n["level"] == "error").collect();
    assert_eq!(errors.len(), 1, "{notes:#?}");
    assert!(errors[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("syntax error"));
    let at = &errors[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        at["artifactLocation"]["uri"],
        "tests/reports/canonical/broken.tf"
    );
    assert_eq!(at["region"]["startLine"], 2);

    let ne: Vec<&J> = notes.iter().filter(|n| n["level"] == "note").collect();
    assert_eq!(ne.len(), 2, "{notes:#?}");
    // The bucket of the file that does not parse, under no rule, at its header.
    let (unparsed, ne): (Vec<&J>, Vec<&J>) = ne
        .into_iter()
        .partition(|n| n["properties"]["subject"] == "aws_s3_bucket.logs");
    assert_eq!(unparsed.len(), 1, "{notes:#?}");
    assert!(unparsed[0]["associatedRule"].is_null(), "{notes:#?}");
    assert_eq!(
        unparsed[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    assert_eq!(ne[0]["associatedRule"]["id"], "RDS001");
    assert_eq!(ne[0]["associatedRule"]["index"], 0);
    assert_eq!(ne[0]["properties"]["subject"], "aws_db_instance.reports");
    assert!(ne[0]["properties"]["reason"]
        .as_str()
        .unwrap()
        .contains("var.reports_public has no value"));
    let text = std::fs::read_to_string(canonical().join("main.tf")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("var.reports_public"))
        .unwrap() as u64
        + 1;
    assert_eq!(
        ne[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        line
    );

    // A clean directory ran successfully and says nothing.
    let pass = root().join("fixtures/rds-publicly-accessible/pass");
    let clean = sarif_json(&check(&pass, Some("RDS001")));
    assert_eq!(
        clean["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    assert!(notifications(&clean).is_empty());
    assert!(results(&clean).is_empty());
}

#[test]
fn findings_without_a_source_line_keep_their_address_and_arn() {
    let (mut state_seen, mut live_seen) = (0, 0);
    let state_only = state_only_tree();
    let mut dirs: Vec<(Option<&str>, PathBuf)> = vec![(None, state_only.path().to_path_buf())];
    dirs.extend(
        fixture_dirs()
            .into_iter()
            .map(|(code, dir)| (harness_select(code, &dir), dir)),
    );
    for (select, dir) in dirs {
        let r = check(&dir, select);
        let doc = sarif_json(&r);
        for (f, res) in r.findings.iter().zip(results(&doc)) {
            let loc = &res["locations"][0];
            let logical: Vec<&str> = loc["logicalLocations"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .map(|x| x["fullyQualifiedName"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .map(decode);
            let at = format!("{}: {} {}", dir.display(), f.code, f.message);
            match &f.location {
                Some(Location::State { file, address, .. }) => {
                    state_seen += 1;
                    assert!(logical.contains(&address.as_str()), "{at}: {logical:?}");
                    let want = dir.join(&**file);
                    let got = r.root.join(uri.as_deref().expect("a physical location"));
                    assert_eq!(
                        got.canonicalize().unwrap(),
                        want.canonicalize().unwrap(),
                        "{at}: the state file, relative to the root"
                    );
                    let m = loc["message"]["text"].as_str().unwrap();
                    assert!(m.contains(address.as_str()), "{at}: {m}");
                }
                Some(Location::Live { arn, path }) => {
                    live_seen += 1;
                    assert!(logical.contains(&arn.as_str()), "{at}: {logical:?}");
                    assert!(uri.is_some(), "{at}: GitHub needs a physical location");
                    let m = loc["message"]["text"].as_str().unwrap();
                    assert!(m.contains(arn.as_str()) && m.contains(path.as_str()), "{m}");
                }
                Some(Location::Source(_)) => {
                    let a = f.resource.as_str();
                    if infra_lint::model::Address::parse(a).is_ok() {
                        assert!(logical.contains(&a), "{at}: {logical:?}");
                    }
                }
                None => {}
            }
            // Every related place is there, whatever its kind, with its message.
            let related = res["relatedLocations"].as_array();
            assert_eq!(related.map_or(0, Vec::len), f.related.len(), "{at}");
            for (x, j) in f.related.iter().zip(related.into_iter().flatten()) {
                let text = j["message"]["text"].as_str().unwrap();
                assert!(text.starts_with(&x.message), "{at}: {text}");
                match &x.location {
                    Location::Source(_) => assert!(j.get("physicalLocation").is_some()),
                    Location::State { address, .. } => {
                        assert_eq!(j["logicalLocations"][0]["fullyQualifiedName"], **address)
                    }
                    Location::Live { arn, .. } => {
                        assert_eq!(j["logicalLocations"][0]["fullyQualifiedName"], **arn)
                    }
                }
            }
        }
    }
    assert!(
        state_seen > 0,
        "no fixture has a finding located in a state"
    );
    assert!(
        live_seen > 0,
        "no fixture has a finding located in the account"
    );
}

/// The byte offset of a one-based line and code-point column.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    text[start..]
        .char_indices()
        .nth(column as usize - 1)
        .map_or(text.len(), |(i, _)| start + i)
}

/// Applies every result's fix through its SARIF regions, both ways they are given (line and
/// column; byte offset and length), and compares with what `--fix` would write. Returns how
/// many fixes it checked.
fn assert_fixes_apply(name: &str, r: &CheckResult) -> usize {
    let doc = sarif_json(r);
    let mut checked = 0;
    for (f, res) in r.findings.iter().zip(results(&doc)) {
        let edits = f.edits.as_deref().unwrap_or_default();
        let Some(fixes) = res.get("fixes") else {
            assert!(edits.is_empty(), "{name}: {} has edits but no fix", f.code);
            continue;
        };
        assert_eq!(fixes[0]["description"]["text"], f.fix_title);
        let (want, _) = infra_lint::diag::fix::apply(&r.sources, edits);
        let changes = fixes[0]["artifactChanges"].as_array().unwrap();
        assert_eq!(changes.len(), want.len(), "{name}: one change per file");
        for (change, (file, expected)) in changes.iter().zip(&want) {
            assert_eq!(
                decode(change["artifactLocation"]["uri"].as_str().unwrap()),
                r.uri(*file)
            );
            let original = &r.sources.get(*file).text;
            let mut by_lines = original.clone();
            let mut by_bytes = original.clone();
            let mut reps: Vec<&J> = change["replacements"].as_array().unwrap().iter().collect();
            reps.reverse();
            for rep in reps {
                let d = &rep["deletedRegion"];
                let n = |k: &str| d[k].as_u64().unwrap();
                let text = rep["insertedContent"]["text"].as_str().unwrap();
                let (a, b) = (
                    offset_of(original, n("startLine"), n("startColumn")),
                    offset_of(original, n("endLine"), n("endColumn")),
                );
                by_lines.replace_range(a..b, text);
                let at = n("byteOffset") as usize;
                by_bytes.replace_range(at..at + n("byteLength") as usize, text);
            }
            assert_eq!(&by_lines, expected, "{name}: {} by line and column", f.code);
            assert_eq!(&by_bytes, expected, "{name}: {} by byte offset", f.code);
            checked += 1;
        }
    }
    checked
}

#[test]
fn fixes_applied_through_their_regions_give_the_fixed_text() {
    let r = check(&canonical(), None);
    assert_eq!(assert_fixes_apply("canonical", &r), 3);
    let doc = sarif_json(&r);
    let rds = results(&doc)
        .iter()
        .find(|x| x["ruleId"] == "RDS001" && x.get("suppressions").is_none())
        .unwrap();
    let rep = &rds["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(rep["insertedContent"]["text"], "false");
    assert_eq!(rep["deletedRegion"]["startLine"], 64);
    assert_eq!(rep["deletedRegion"]["startColumn"], 25);
    assert_eq!(rep["deletedRegion"]["endColumn"], 29);

    // Every rule's fixes, as they are and with CRLF line endings (inserted lines take the
    // file's) after a line of multi-byte characters (byte offsets no longer equal the
    // character count).
    let mut checked = 0;
    for (code, dir) in fixture_dirs() {
        if !dir.ends_with("fail") || !dir.with_file_name("fixed").is_dir() {
            continue;
        }
        let name = dir.display().to_string();
        checked += assert_fixes_apply(&name, &check(&dir, harness_select(code, &dir)));
        let tmp = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_file() {
                let text = std::fs::read_to_string(&p).unwrap();
                let text = if p.extension().is_some_and(|x| x == "tf") {
                    format!("# é ünïcode ✓\n{text}").replace('\n', "\r\n")
                } else {
                    text
                };
                std::fs::write(tmp.path().join(e.file_name()), text).unwrap();
            }
        }
        checked += assert_fixes_apply(
            &format!("{name} (CRLF)"),
            &check(tmp.path(), harness_select(code, &dir)),
        );
    }
    assert!(checked >= 10, "only {checked} fixes checked");
}

#[test]
fn columns_count_characters_where_offsets_count_bytes() {
    let line = "  publicly_accessible = /* ✓ é */ true";
    let text =
        format!("resource \"aws_db_instance\" \"x\" {{\n  identifier = \"ünï\"\n{line}\n}}\n");
    let tmp = common::tree(&[("main.tf", text.as_bytes())]);
    let r = check(tmp.path(), Some("RDS001"));
    assert_eq!(assert_fixes_apply("multi-byte", &r), 1);
    let doc = sarif_json(&r);
    let res = &results(&doc)[0];
    let column = line.chars().count() as u64 - 3;
    let region = &res["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], column);
    assert_eq!(region["endColumn"], column + 4);
    let deleted = &res["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"];
    assert_eq!(deleted["startColumn"], column);
    assert_eq!(deleted["byteOffset"], text.find("true").unwrap());
    assert_eq!(doc["runs"][0]["columnKind"], "unicodeCodePoints");
}

/// Several directories in one report (`check a b`): names carry their directory, and state
/// places still resolve to the state file in the repository.
#[test]
fn combined_reports_keep_repository_paths() {
    let dirs = [
        "tests/reports/canonical",
        "fixtures/rds-publicly-accessible/fail-state",
    ];
    let mut combined: Option<CheckResult> = None;
    for d in dirs {
        // Test binaries run in the package root, so these are paths as a user there types them.
        let mut r = check(&root().join(d), None);
        r.prefix_paths(d);
        match &mut combined {
            None => combined = Some(r),
            Some(c) => c.absorb(r),
        }
    }
    let mut combined = combined.unwrap();
    combined.sort();
    let doc = sarif_json(&combined);
    let uris = |j: &J| -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![j];
        while let Some(v) = stack.pop() {
            match v {
                J::Object(m) => {
                    if let Some(J::String(u)) = m.get("artifactLocation").map(|a| &a["uri"]) {
                        out.push(decode(u));
                    }
                    stack.extend(m.values());
                }
                J::Array(a) => stack.extend(a),
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    };
    assert_eq!(
        uris(&doc["runs"][0]["results"]),
        [
            "fixtures/rds-publicly-accessible/fail-state/main.tf",
            "fixtures/rds-publicly-accessible/fail-state/terraform.tfstate",
            "tests/reports/canonical/main.tf",
        ]
    );
}
