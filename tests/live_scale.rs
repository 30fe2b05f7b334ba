#![cfg(feature = "aws")]
//! `--live` at scale against a real moto server seeded by scripts/seed-live.py, through a
//! loopback proxy that counts every call (tests/common/proxy.rs): the calls by operation stay
//! within 1.2× the fewest that pagination needs, with no call per item where a batch call
//! exists; no more requests are in flight than `--max-concurrency`; and a proxy that throttles,
//! fails with HTTP 500, answers slowly or not at all on a share of the calls changes neither
//! the findings nor the scan's bound. Not timed: benches/live.rs measures.
mod common;
use common::live::{against_minimum, finding_set, live_scan, minimum_calls};
use common::moto::moto;
use common::proxy::{self, every_nth, no_faults, Fault};
use common::tree;
use std::time::Duration;

/// Each call is a read: Describe*, List*, Get*.
fn assert_read_only(calls: &std::collections::BTreeMap<String, u64>) {
    let writes: Vec<&String> = calls
        .keys()
        .filter(|a| !(a.starts_with("Describe") || a.starts_with("List") || a.starts_with("Get")))
        .collect();
    assert!(writes.is_empty(), "non-read calls: {writes:?}");
}

/// A world with more than a page of databases (100 a page) and more load balancers than moto
/// returns unasked (50), 25 services in each of 3 clusters (3 DescribeServices each), 110
/// roles, 41 task definition revisions.
#[test]
fn calls_stay_within_the_pagination_minimum() {
    let m = moto();
    let seeded = m.seed_live(&[
        "--set",
        "db_instances=104",
        "--set",
        "load_balancers=55",
        "--set",
        "listeners_per_lb=1",
        "--set",
        "services_per_cluster=25",
        "--set",
        "roles=110",
        "--set",
        "families=41",
        "--set",
        "revisions_per_family=1",
    ]);
    let p = proxy::proxy(&m.url, no_faults());
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, _) = live_scan(&p.url, dir.path(), &["--live-timeout", "60"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        json["summary"]["not_checked"],
        serde_json::json!([]),
        "{json}"
    );
    let calls = p.calls();
    assert_read_only(&calls);
    let minimum = minimum_calls(&seeded);
    let rows = against_minimum(&calls, &minimum);
    let table: Vec<String> = rows
        .iter()
        .map(|(op, c, min, _)| format!("{op}: {c} (minimum {min})"))
        .collect();
    for (op, c, min, _) in &rows {
        assert!(
            *min > 0 || *c == 0,
            "{op} is called {c} times where a batch call needs none of it: {table:#?}"
        );
        assert!(
            *c as f64 <= 1.2 * *min as f64,
            "{op}: {c} calls, the minimum is {min}: {table:#?}"
        );
    }
    // The world did need more than one page or batch of these.
    for op in ["DescribeDBInstances", "DescribeServices", "DescribeTags"] {
        assert!(minimum[op] > 1, "{op}: {table:#?}");
    }
    assert_eq!(calls["DescribeDBInstances"], 2, "{table:#?}");
}

/// However many parts and calls per item a scan has, no more requests are in flight than
/// --max-concurrency, and that many are.
#[test]
fn requests_in_flight_stay_within_max_concurrency() {
    let m = moto();
    m.seed_live(&[]);
    let p = proxy::proxy(&m.url, no_faults());
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    for n in [1, 3] {
        p.reset();
        let (code, json, _) = live_scan(
            &p.url,
            dir.path(),
            &["--max-concurrency", &n.to_string(), "--live-timeout", "60"],
        );
        assert_eq!(code, 1, "{json}");
        // And the scan does use them: dozens of task definitions, rules and stacks are read
        // one call each.
        assert_eq!(
            p.max_in_flight(),
            n,
            "--max-concurrency {n}: {} requests in flight at most",
            p.max_in_flight()
        );
    }
}

/// A share of every operation's calls throttled (in each protocol's shape), failed with HTTP
/// 500, answered 300 ms late, and the first ListServices and DescribeSecurityGroups held
/// without an answer for longer than the whole scan may take: the scan retries each (the
/// stalled ones once their attempt times out), and ends within its bound with exactly the
/// findings of a direct scan and nothing "not checked".
#[test]
fn a_throttling_failing_slow_network_changes_nothing_but_time() {
    let m = moto();
    m.seed_live(&[]);
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, direct, _) = live_scan(&m.url, dir.path(), &["--live-timeout", "60"]);
    assert_eq!(code, 1, "{direct}");
    let expected = finding_set(&direct);
    assert!(expected.len() > 20, "{direct}");

    const STALL: &[&str] = &["ListServices", "DescribeSecurityGroups"];
    let share = every_nth(
        3,
        vec![
            Fault::Throttle,
            Fault::ServerError,
            Fault::Slow(Duration::from_millis(300)),
        ],
    );
    let plan: proxy::Plan = Box::new(move |op, n| {
        if n == 1 && STALL.contains(&op) {
            Some(Fault::Stall(Duration::from_secs(30)))
        } else {
            share(op, n)
        }
    });
    let p = proxy::proxy(&m.url, plan);
    // An attempt gets a sixth of the bound: 4 s here, so a stalled call is tried again.
    let bound = 24;
    let (code, faulted, wall) =
        live_scan(&p.url, dir.path(), &["--live-timeout", &bound.to_string()]);
    assert_eq!(code, 1, "{faulted}");
    assert_eq!(faulted["errors"], serde_json::json!([]), "{faulted}");
    assert_eq!(
        faulted["summary"]["not_checked"],
        serde_json::json!([]),
        "{faulted}"
    );
    assert_eq!(finding_set(&faulted), expected);
    assert!(
        wall < Duration::from_secs(bound),
        "{wall:?} past the {bound}s bound"
    );
    let log = p.log();
    for kind in [
        Fault::Throttle,
        Fault::ServerError,
        Fault::Slow(Duration::from_millis(300)),
        Fault::Stall(Duration::from_secs(30)),
    ] {
        let n = log.iter().filter(|(_, f)| *f == Some(kind)).count();
        assert!(n > 0, "no call got {kind:?}: {log:?}");
    }
    let faulted_calls = log.iter().filter(|(_, f)| f.is_some()).count();
    assert!(
        faulted_calls * 5 >= log.len(),
        "{faulted_calls} of {} calls faulted",
        log.len()
    );
}

/// The IAM objects of `infra-lint inventory` through `url`, by ARN, without `policy_id` (moto's
/// GetAccountAuthorizationDetails leaves it out; AWS's has it).
fn iam_objects(url: &str) -> std::collections::BTreeMap<String, serde_json::Value> {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("live.json");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_infra-lint"))
        .args(["inventory", "--endpoint-url", url, "--region", "eu-west-1"])
        .arg("--out")
        .arg(&file)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .status()
        .unwrap();
    assert!(status.success());
    let scan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(scan["not_readable"], serde_json::json!([]), "{scan}");
    scan["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"].as_str().unwrap().starts_with("aws_iam_"))
        .map(|r| {
            let mut r = r.clone();
            r["attributes"].as_object_mut().unwrap().remove("policy_id");
            (r["arn"].as_str().unwrap().to_string(), r)
        })
        .collect()
}

/// A policy that does not grant iam:GetAccountAuthorizationDetails (older read-only policies
/// list the per-role calls): the roles and policies are read role by role, and are the same.
#[test]
fn without_the_authorization_details_roles_are_read_one_by_one_and_are_the_same() {
    let m = moto();
    m.seed_live(&["--set", "roles=12", "--set", "customer_policies=4"]);
    let batch = iam_objects(&m.url);
    assert!(batch.len() >= 16, "{batch:#?}");
    let p = proxy::proxy(
        &m.url,
        Box::new(|op, _| (op == "GetAccountAuthorizationDetails").then_some(Fault::Deny)),
    );
    assert_eq!(iam_objects(&p.url), batch);
    let calls = p.calls();
    assert_eq!(calls["GetAccountAuthorizationDetails"], 1, "{calls:?}");
    assert_eq!(calls["ListAttachedRolePolicies"], 12, "{calls:?}");
    assert_eq!(calls["GetPolicyVersion"], 4, "{calls:?}");
}
