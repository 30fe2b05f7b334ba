//! Reads every Terraform state in ../shared/corpus/{driftctl,tfstate-lookup,inframap,ecspresso}
//! (files named *.tfstate, and *.json files whose top level has "version" and "resources" or
//! "lineage"): no panic, every file expected to be valid loads without a problem, the others
//! fail or report exactly the problems listed below. Prints counts.
use infra_lint::model::Seq;
use infra_lint::model::Value;
use infra_lint::state::{read_state, StateDoc, StateError};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

mod common;
use common::corpus;

const DIRS: [&str; 4] = ["driftctl", "tfstate-lookup", "inframap", "ecspresso"];

/// What a file that is not a clean v4 state should give.
enum Expect {
    /// `read_state` fails with a message containing this.
    Fails(&'static str),
    /// The state loads with this many problems, each message containing this.
    Problems(usize, &'static str),
}

/// Every file that is not a clean state, decided one by one. Any file not listed must load with
/// zero problems.
const EXPECTED: &[(&str, Expect)] = &[
    // Not JSON: a resource is cut off mid-object (driftctl's own negative case).
    (
        "driftctl/pkg/iac/terraform/state/testdata/v4/invalid.tfstate",
        Expect::Fails("not valid JSON"),
    ),
    // Format v4 claiming `terraform_version: "invalid"`, which Terraform itself refuses. The
    // resources read fine; the bad version is reported and nothing else depends on it.
    (
        "driftctl/pkg/iac/terraform/state/testdata/v4/invalid_version.tfstate",
        Expect::Problems(
            1,
            "\"terraform_version\" \"invalid\" is not a version number",
        ),
    ),
    // (`unsupported_version.tfstate` says terraform_version 0.10.26 in a v4 file: driftctl
    // refuses Terraform < 0.11, but the format is v4 and reads cleanly, so it is not listed.)
    // Earlier state formats.
    (
        "inframap/generate/testdata/version_3_state.json",
        Expect::Fails("state format version 3 is not supported"),
    ),
    (
        "inframap/generate/testdata/empty.json",
        Expect::Fails("state format version 3 is not supported"),
    ),
    (
        "inframap/generate/testdata/invalid_version_state.json",
        Expect::Fails("state format version 2 is not supported"),
    ),
    (
        "tfstate-lookup/tfstate/roundtrip/v1-simple.in.tfstate",
        Expect::Fails("state format version 1 is not supported"),
    ),
    (
        "tfstate-lookup/tfstate/roundtrip/v3-bigint.in.tfstate",
        Expect::Fails("state format version 3 is not supported"),
    ),
    (
        "tfstate-lookup/tfstate/roundtrip/v3-grabbag.in.tfstate",
        Expect::Fails("state format version 3 is not supported"),
    ),
    (
        "tfstate-lookup/tfstate/roundtrip/v3-invalid-depends.in.tfstate",
        Expect::Fails("state format version 3 is not supported"),
    ),
    (
        "tfstate-lookup/tfstate/roundtrip/v3-simple.in.tfstate",
        Expect::Fails("state format version 3 is not supported"),
    ),
    // (Terraform's own round-trip fixtures and inframap's ECS example hold instances with
    // only the legacy flatmap `attributes_flat`: they load, rebuilt without the schema — see
    // `legacy_flatmap_states_load_with_their_structure`.)
];

fn state_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            state_files(&p, out);
        } else if looks_like_state(&p) {
            out.push(p);
        }
    }
}

fn looks_like_state(p: &Path) -> bool {
    match p.extension().and_then(|e| e.to_str()) {
        Some("tfstate") => true,
        Some("json") => std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|j| j.as_object().cloned())
            .is_some_and(|m| {
                m.contains_key("version")
                    && (m.contains_key("resources") || m.contains_key("lineage"))
            }),
        _ => false,
    }
}

fn count_sensitive(v: &Value) -> usize {
    match v {
        Value::Sensitive(_) => 1,
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            items.iter().map(count_sensitive).sum()
        }
        Value::Map(m) => m.values().map(count_sensitive).sum(),
        _ => 0,
    }
}

#[test]
fn every_corpus_state_loads_as_expected() {
    let root = corpus();
    assert!(root.is_dir(), "corpus not found at {}", root.display());
    let mut files = Vec::new();
    for d in DIRS {
        state_files(&root.join(d), &mut files);
    }
    assert!(
        files.len() > 130,
        "expected the whole state corpus, found {} files",
        files.len()
    );

    let expected: BTreeMap<&str, &Expect> = EXPECTED.iter().map(|(p, e)| (*p, e)).collect();
    let mut panics = Vec::new();
    let mut wrong = Vec::new();
    let mut seen_expected = BTreeSet::new();
    let mut loaded: Vec<(String, StateDoc)> = Vec::new();
    let mut failed = 0usize;
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap();
        let result: Result<Result<StateDoc, StateError>, _> =
            catch_unwind(AssertUnwindSafe(|| read_state(&text)));
        let Ok(result) = result else {
            panics.push(rel);
            continue;
        };
        let expect = expected.get(rel.as_str());
        if expect.is_some() {
            seen_expected.insert(rel.clone());
        }
        match (&result, expect) {
            (Ok(doc), None) if doc.problems.is_empty() => {}
            (Err(e), Some(Expect::Fails(msg))) if e.message.contains(msg) => {}
            (Ok(doc), Some(Expect::Problems(n, msg)))
                if doc.problems.len() == *n
                    && doc.problems.iter().all(|p| p.message.contains(msg)) => {}
            (Ok(doc), _) => wrong.push(format!(
                "{rel}: loaded with {} problem(s): {:?}",
                doc.problems.len(),
                doc.problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            )),
            (Err(e), _) => wrong.push(format!("{rel}: failed: {e}")),
        }
        match result {
            Ok(doc) => loaded.push((rel, doc)),
            Err(_) => failed += 1,
        }
    }
    assert!(panics.is_empty(), "read_state panicked on: {panics:#?}");
    assert!(
        wrong.is_empty(),
        "unexpected results:\n{}",
        wrong.join("\n")
    );
    let missing: Vec<&&str> = expected
        .keys()
        .filter(|k| !seen_expected.contains(**k))
        .collect();
    assert!(missing.is_empty(), "listed but not found: {missing:?}");

    let mut per_type: BTreeMap<String, usize> = BTreeMap::new();
    let (mut instances, mut problems, mut sensitive, mut outputs) = (0, 0, 0, 0);
    let (mut in_modules, mut int_keys, mut str_keys, mut data) = (0, 0, 0, 0);
    for (_, doc) in &loaded {
        problems += doc.problems.len();
        outputs += doc.outputs.len();
        for i in &doc.instances {
            instances += 1;
            *per_type.entry(i.address.rtype.clone()).or_default() += 1;
            sensitive += count_sensitive(&i.attributes);
            in_modules += usize::from(!i.address.module.is_empty());
            data += usize::from(i.address.mode == infra_lint::model::Mode::Data);
            match &i.address.key {
                Some(infra_lint::model::address::InstanceKey::Int(_)) => int_keys += 1,
                Some(infra_lint::model::address::InstanceKey::Str(_)) => str_keys += 1,
                None => {}
            }
            // Every address prints in a form the parser reads back.
            let printed = i.address.to_string();
            assert_eq!(
                infra_lint::model::address::Address::parse(&printed).as_ref(),
                Ok(&i.address),
                "{printed}"
            );
        }
    }
    let mut top: Vec<(&String, &usize)> = per_type.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!(
        "state corpus: {} files, {} loaded ({} with problems, {} problems), {} failed",
        files.len(),
        loaded.len(),
        loaded
            .iter()
            .filter(|(_, d)| !d.problems.is_empty())
            .count(),
        problems,
        failed
    );
    println!(
        "instances: {instances} ({data} data, {in_modules} in modules, {int_keys} [int] keys, \
         {str_keys} [\"str\"] keys), {} types, {sensitive} sensitive values, {outputs} outputs",
        per_type.len()
    );
    for (t, n) in top.iter().take(10) {
        println!("  {n:5} {t}");
    }
    assert!(instances > 600, "only {instances} instances");
}

/// Legacy flatmap states load with their structure rebuilt: maps from `%`, lists from `#`, and
/// the security-group rules of inframap's ECS example keep their links (`security_group_id`).
#[test]
fn legacy_flatmap_states_load_with_their_structure() {
    let read = |rel: &str| {
        let doc = read_state(&std::fs::read_to_string(corpus().join(rel)).unwrap()).unwrap();
        assert!(doc.problems.is_empty(), "{rel}: {:?}", doc.problems);
        doc
    };
    let doc = read("tfstate-lookup/tfstate/roundtrip/v3-grabbag.out.tfstate");
    let triggers: Vec<&Value> = doc
        .instances
        .iter()
        .filter_map(|i| i.attributes.as_map()?.get("triggers"))
        .collect();
    assert!(triggers.iter().any(|t| t
        .as_map()
        .is_some_and(|m| m.len() == 9 && m.get("foo").and_then(Value::as_str) == Some("bar"))));
    assert!(triggers
        .iter()
        .any(|t| t.as_map().is_some_and(|m| m.is_empty())));

    let doc = read("inframap/generate/testdata/aws_state_multiple_hanging_edges.json");
    let sg = doc
        .instances
        .iter()
        .find(|i| i.address.rtype == "aws_security_group")
        .unwrap();
    assert_eq!(
        sg.attributes.as_map().unwrap()["ingress"],
        Value::list(vec![])
    );
    assert!(doc
        .instances
        .iter()
        .any(|i| i.address.rtype == "aws_security_group_rule"
            && i.attributes
                .as_map()
                .and_then(|m| m.get("security_group_id"))
                .and_then(Value::as_str)
                .is_some_and(|s| s.starts_with("sg-"))));
}

/// Through the binary: every corpus state is checked with an empty configuration (each state's
/// resources are then state-only), with zero crashes; the clean ones give no input error, the
/// listed ones exit 2 with a located error. Prints the findings per rule.
#[test]
fn every_corpus_state_through_the_binary() {
    let root = corpus();
    let mut files = Vec::new();
    for d in DIRS {
        state_files(&root.join(d), &mut files);
    }
    let empty = tempfile::tempdir().unwrap();
    let expected: BTreeMap<&str, &Expect> = EXPECTED.iter().map(|(p, e)| (*p, e)).collect();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut resources = 0u64;
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let p = path.to_string_lossy().into_owned();
        let d = empty.path().to_string_lossy().into_owned();
        let out = common::bin()
            .args(["check", &d, "--format", "json", "--state", &p])
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(matches!(code, Some(0..=2)), "{rel}: crashed ({code:?})");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{rel}: bad JSON output: {e}"));
        let errors = json["errors"].as_array().unwrap();
        match expected.get(rel.as_str()) {
            None => assert!(errors.is_empty(), "{rel}: {errors:?}"),
            Some(_) => {
                assert_eq!(code, Some(2), "{rel}");
                assert!(
                    errors.iter().all(|e| e["location"]["file"] == p),
                    "{rel}: {errors:?}"
                );
            }
        }
        resources += json["summary"]["resources"].as_u64().unwrap();
        for f in json["findings"].as_array().unwrap() {
            *per_rule
                .entry(f["code"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    println!(
        "{} state files through the binary: {resources} resources; findings per rule: {per_rule:?}",
        files.len()
    );
    assert!(resources > 600, "{resources}");
}
