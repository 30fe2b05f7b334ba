//! A `--live` scan as a whole process, and the fewest calls a scan of a seeded world can make
//! (scripts/seed-live.py prints what it made): shared by tests/live_scale.rs and
//! benches/live.rs.
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

pub const REGION: &str = "eu-west-1";

/// `infra-lint check DIR --live --endpoint-url URL --region eu-west-1 --format json EXTRA…`:
/// exit code, the JSON report, wall time.
pub fn live_scan(url: &str, dir: &Path, extra: &[&str]) -> (i32, J, Duration) {
    let start = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_infra-lint"))
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--live", "--endpoint-url", url])
        .args(["--region", REGION])
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run infra-lint");
    let wall = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{e}: {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json, wall)
}

/// The findings of a report as comparable lines: code, resource, location.
pub fn finding_set(json: &J) -> std::collections::BTreeSet<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{} {} {}", f["code"], f["resource"], f["location"]))
        .collect()
}

fn pages(items: u64, page: u64) -> u64 {
    items.div_ceil(page).max(1)
}

/// The fewest calls by operation a scan of the world `seeded` describes can make: every list
/// call read at its API's largest page, every batch call at its largest batch, and one call per
/// item only where the API has no batch form (a task definition, a load balancer's listeners,
/// a listener's rules, a stack's resources, a cluster's services). An operation not listed
/// here is one a batch call makes unnecessary.
pub fn minimum_calls(seeded: &J) -> BTreeMap<&'static str, u64> {
    let n = |k: &str| {
        seeded[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {seeded}"))
    };
    let services: Vec<u64> = seeded["services_per_cluster"]
        .as_array()
        .expect("services_per_cluster")
        .iter()
        .filter_map(J::as_u64)
        .collect();
    let mut m = BTreeMap::new();
    m.insert("GetCallerIdentity", 1);
    // EC2's Describe calls answer everything in one page when not asked for less.
    for op in [
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeRouteTables",
        "DescribeInternetGateways",
        "DescribeNatGateways",
        "DescribeSecurityGroups",
        "DescribeVpcEndpoints",
    ] {
        m.insert(op, 1);
    }
    // RDS: 100 records a page.
    m.insert("DescribeDBInstances", pages(n("db_instances"), 100));
    m.insert("DescribeDBSubnetGroups", 1);
    m.insert("DescribeDBClusters", pages(n("db_clusters"), 100));
    // ECS: 100 a page; DescribeClusters takes 100 clusters, DescribeServices 10 services;
    // a task definition is described alone.
    m.insert("ListClusters", pages(n("clusters"), 100));
    if n("clusters") > 0 {
        m.insert("DescribeClusters", n("clusters").div_ceil(100));
    }
    m.insert(
        "ListServices",
        services.iter().map(|&s| pages(s, 100)).sum(),
    );
    let described: u64 = services.iter().map(|&s| s.div_ceil(10)).sum();
    if described > 0 {
        m.insert("DescribeServices", described);
    }
    m.insert(
        "ListTaskDefinitions",
        pages(n("task_definition_revisions"), 100),
    );
    if n("task_definitions_read") > 0 {
        m.insert("DescribeTaskDefinition", n("task_definitions_read"));
    }
    // ELBv2: 400 a page; DescribeTags takes 20 ARNs; listeners by load balancer, rules by
    // listener.
    let (lbs, tgs) = (n("load_balancers"), n("target_groups"));
    m.insert("DescribeLoadBalancers", pages(lbs, 400));
    m.insert("DescribeTargetGroups", pages(tgs, 400));
    if lbs + tgs > 0 {
        m.insert("DescribeTags", (lbs + tgs).div_ceil(20));
    }
    if lbs > 0 {
        m.insert("DescribeListeners", lbs);
    }
    if n("listeners") > 0 {
        m.insert("DescribeRules", n("listeners"));
    }
    // IAM: roles and customer managed policies, documents included, 1,000 entries a page.
    m.insert(
        "GetAccountAuthorizationDetails",
        pages(n("roles") + n("customer_policies"), 1000),
    );
    // CloudFormation: 100 stacks a page; each stack's resources (under 100) in one call.
    m.insert("ListStacks", pages(n("stacks"), 100));
    if n("stacks") > 0 {
        m.insert("ListStackResources", n("stacks"));
    }
    m
}

/// Calls by operation against the minimum, as table rows: operation, calls, minimum, ratio
/// (None where no call was needed at all).
pub fn against_minimum(
    calls: &BTreeMap<String, u64>,
    minimum: &BTreeMap<&'static str, u64>,
) -> Vec<(String, u64, u64, Option<f64>)> {
    let mut ops: std::collections::BTreeSet<String> = calls.keys().cloned().collect();
    ops.extend(minimum.keys().map(|k| k.to_string()));
    ops.into_iter()
        .map(|op| {
            let c = calls.get(&op).copied().unwrap_or(0);
            let min = minimum.get(op.as_str()).copied().unwrap_or(0);
            let ratio = (min > 0).then(|| c as f64 / min as f64);
            (op, c, min, ratio)
        })
        .collect()
}
