//! `cargo bench --bench live`: `infra-lint check --live` as a whole process against a moto
//! server of its own seeded by scripts/seed-live.py (BENCH_SCALE, default 2: about 600
//! resources), through a loopback proxy that counts calls by operation and the most requests
//! in flight (tests/common/proxy.rs). Prints median/min/max wall time, the calls by operation
//! beside the fewest that pagination needs for that world (tests/common/live.rs) and their
//! ratio, and the most requests in flight beside --max-concurrency; then one scan through the
//! same proxy answering every 3rd call of each operation with a throttling error, an HTTP 500
//! or a 300 ms delay, with its wall time and whether its findings equal the direct scan's. No
//! thresholds: the figures go to bench/RESULTS.md with this command. Needs the moto server
//! (INFRA_LINT_MOTO_SERVER, or the repository's .venv as scripts/test.sh makes it).
//!
//! BENCH_RUNS (default 5) sets the runs; BENCH_SCALE the world's size; BENCH_CONCURRENCY
//! (default 8, the CLI's default) the --max-concurrency of the scans.
#[path = "../tests/common/mod.rs"]
mod common;
use common::live::{against_minimum, finding_set, live_scan, minimum_calls};
use common::proxy::{self, every_nth, no_faults, Fault};
use std::time::Duration;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
        .max(1)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runs = env_or("BENCH_RUNS", 5);
    let scale = env_or("BENCH_SCALE", 2);
    let concurrency = env_or("BENCH_CONCURRENCY", 8).to_string();
    let m = common::moto::moto();
    let seeded = m.seed_live(&["--scale", &scale.to_string()]);
    println!(
        "infra-lint {} --live, moto world at scale {scale}: {} VPCs, {} clusters with {} \
         services, {} task definition revisions, {} load balancers, {} target groups, {} \
         listeners, {} roles, {} customer managed policies, {} DB instances, {} stacks; \
         {runs} runs, --max-concurrency {concurrency}",
        env!("CARGO_PKG_VERSION"),
        seeded["vpcs"],
        seeded["clusters"],
        seeded["services_per_cluster"]
            .as_array()
            .map_or(0, |s| s.iter().filter_map(|v| v.as_u64()).sum::<u64>()),
        seeded["task_definition_revisions"],
        seeded["load_balancers"],
        seeded["target_groups"],
        seeded["listeners"],
        seeded["roles"],
        seeded["customer_policies"],
        seeded["db_instances"],
        seeded["stacks"],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), "").unwrap();
    let args = ["--max-concurrency", &concurrency, "--live-timeout", "300"];

    let p = proxy::proxy(&m.url, no_faults());
    let mut walls = Vec::new();
    let (mut calls, mut in_flight, mut report) = (Default::default(), 0, None);
    for _ in 0..runs {
        p.reset();
        let (code, json, wall) = live_scan(&p.url, dir.path(), &args);
        assert!(code <= 1, "scan ended with {code}: {json}");
        walls.push(wall);
        calls = p.calls();
        in_flight = in_flight.max(p.max_in_flight());
        report = Some(json);
    }
    let report = report.unwrap();
    walls.sort();
    println!(
        "wall: median {:.0} ms, min {:.0}, max {:.0}; {} resources, {} findings",
        ms(walls[walls.len() / 2]),
        ms(walls[0]),
        ms(walls[walls.len() - 1]),
        report["summary"]["resources"],
        report["findings"].as_array().map_or(0, Vec::len),
    );
    let minimum = minimum_calls(&seeded);
    let rows = against_minimum(&calls, &minimum);
    println!(
        "{:<32} {:>6} {:>8} {:>6}",
        "operation", "calls", "minimum", "ratio"
    );
    for (op, c, min, ratio) in &rows {
        let ratio = ratio.map_or_else(|| "-".to_string(), |r| format!("{r:.2}"));
        println!("{op:<32} {c:>6} {min:>8} {ratio:>6}");
    }
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let least: u64 = rows.iter().map(|r| r.2).sum();
    println!(
        "{:<32} {total:>6} {least:>8} {:>6.2}",
        "all",
        total as f64 / least as f64
    );
    println!("most requests in flight: {in_flight} (--max-concurrency {concurrency})");

    let faulty = proxy::proxy(
        &m.url,
        every_nth(
            3,
            vec![
                Fault::Throttle,
                Fault::ServerError,
                Fault::Slow(Duration::from_millis(300)),
            ],
        ),
    );
    let (code, json, wall) = live_scan(&faulty.url, dir.path(), &args);
    let faults = faulty.log().iter().filter(|(_, f)| f.is_some()).count();
    println!(
        "faulty network (every 3rd call of each operation throttled, HTTP 500 or +300 ms): \
         {:.0} ms, {} calls of which {faults} faulted, exit {code}, findings {}",
        ms(wall),
        faulty.log().len(),
        if finding_set(&json) == finding_set(&report) {
            "equal to the direct scan's"
        } else {
            "DIFFERENT from the direct scan's"
        }
    );
}
