//! `cargo bench --bench drift`: matching a live scan against a state at scale. Synthesizes a
//! state of N security groups and a scan of N live groups (every tenth changed by hand, every
//! hundredth gone and replaced by an unmanaged one), then times, side by side in one run:
//! loading the state alone (the floor), loading state and joining the scan, and the drift
//! rules on the joined model. Prints medians and the ratio to the floor; N from BENCH_N
//! (default 20000), passes from BENCH_PASSES (default 5). No thresholds: numbers are recorded
//! with the command that produced them.
use infra_lint::config::Settings;
use infra_lint::engine::{load, run_rules, DocSource, LiveSource, Request};
use serde_json::json;
use std::time::{Duration, Instant};

fn sg(i: usize, cidr: &str) -> serde_json::Value {
    let id = format!("sg-{i:017x}");
    json!({"id": id, "arn": format!("arn:aws:ec2:eu-west-1:123456789012:security-group/{id}"),
        "name": format!("acme-{i}"), "vpc_id": "vpc-0a1b2c3d4e5f60001", "description": "d",
        "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": [cidr],
            "ipv6_cidr_blocks": [], "security_groups": [], "prefix_list_ids": [], "self": false,
            "description": ""}], "egress": [], "tags": {}})
}

fn main() {
    let n: usize = std::env::var("BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let passes: usize = std::env::var("BENCH_PASSES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let instances: Vec<_> = (0..n)
        .map(|i| json!({"index_key": format!("g{i}"), "schema_version": 1, "attributes": sg(i, "10.40.0.0/16")}))
        .collect();
    let state = json!({"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "bench",
        "outputs": {}, "resources": [{"mode": "managed", "type": "aws_security_group", "name": "g",
        "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "each": "map", "instances": instances}]})
    .to_string();
    let objects: Vec<_> = (0..n)
        .map(|i| {
            let (i, cidr) = match i {
                i if i % 100 == 0 => (n + i, "10.40.0.0/16"),
                i if i % 10 == 0 => (i, "0.0.0.0/0"),
                i => (i, "10.40.0.0/16"),
            };
            let a = sg(i, cidr);
            json!({"type": "aws_security_group", "region": "eu-west-1", "arn": a["arn"], "id": a["id"], "attributes": a})
        })
        .collect();
    let live = json!({"format": "infra-lint-live", "version": 1, "account": "123456789012",
        "regions": ["eu-west-1"], "resources": objects, "not_readable": []})
    .to_string();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_security_group\" \"g\" {\n  for_each = var.groups\n}\nvariable \"groups\" {}\n",
    )
    .unwrap();
    let doc = |text: &str| DocSource::Text {
        display: "bench".into(),
        text: text.to_string(),
    };
    let state_only = Request {
        dir: dir.path().to_path_buf(),
        state: Some(doc(&state)),
        ..Request::default()
    };
    let joined = Request {
        live: Some(LiveSource::Replay(doc(&live))),
        ..state_only.clone()
    };
    let settings = Settings {
        select: vec!["DRIFT".into()],
        ..Settings::default()
    };
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (mut floor, mut parse, mut join, mut rules) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut found = 0;
    for _ in 0..passes {
        let t = Instant::now();
        let l = load(&state_only).unwrap();
        floor.push(t.elapsed());
        drop(l);
        let t = Instant::now();
        let scan = infra_lint::live::read(&live).unwrap();
        parse.push(t.elapsed());
        drop(scan);
        let t = Instant::now();
        let l = load(&joined).unwrap();
        join.push(t.elapsed());
        let t = Instant::now();
        let r = run_rules(&l.model, &settings);
        rules.push(t.elapsed());
        found = r.findings.len();
    }
    let (floor, parse, join, rules) = (median(floor), median(parse), median(join), median(rules));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "drift: {n} state instances × {n} live objects, {passes} passes, {found} drift findings"
    );
    println!(
        "  load the state alone (floor)     median {:8.1} ms",
        ms(floor)
    );
    println!(
        "  load the state and join the scan median {:8.1} ms  ({:.2}× the floor)",
        ms(join),
        ms(join) / ms(floor)
    );
    println!(
        "  read live.json alone             median {:8.1} ms",
        ms(parse)
    );
    let matching = join.saturating_sub(floor).saturating_sub(parse);
    println!(
        "  matching (join − floor − read)   median {:8.1} ms",
        ms(matching)
    );
    println!(
        "  drift rules on the joined model  median {:8.1} ms  ({:.2}× the floor)",
        ms(rules),
        ms(rules) / ms(floor)
    );
}
