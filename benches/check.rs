//! `cargo bench --bench check`: the whole `check` pipeline (load, evaluate, every rule,
//! suppressions) over every directory of ../shared/corpus that holds .tf files — 663 roots,
//! 253k lines, of which cloudposse's components are 143k. Prints the median of the passes and
//! the peak resident memory; no thresholds here (a timed test would be flaky), the numbers are
//! recorded with the command that produced them.
use infra_lint::config::Settings;
use infra_lint::engine::{run, Request};
use std::path::PathBuf;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{corpus, tf_dirs};
use std::time::{Duration, Instant};

fn pass(dirs: &[PathBuf], settings: &Settings) -> (Duration, usize) {
    let start = Instant::now();
    let mut findings = 0;
    for d in dirs {
        let req = Request {
            dir: d.clone(),
            ..Request::default()
        };
        if let Ok(r) = run(&req, settings) {
            findings += r.findings.len();
        }
    }
    (start.elapsed(), findings)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let corpus = corpus();
    let passes: usize = std::env::var("BENCH_PASSES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let settings = Settings::default();
    for (label, root) in [
        (
            "cloudposse components",
            corpus.join("cloudposse-terraform-aws-components"),
        ),
        ("whole corpus", corpus.clone()),
    ] {
        let mut dirs = Vec::new();
        tf_dirs(&root, &mut dirs);
        let mut times = Vec::new();
        let mut findings = 0;
        for _ in 0..passes {
            let (t, f) = pass(&dirs, &settings);
            times.push(t);
            findings = f;
        }
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "{label}: {} roots, {passes} passes, median {:.1} ms per pass ({:.2} ms per root), min {:.1} ms, max {:.1} ms, {findings} findings",
            dirs.len(),
            median.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3 / dirs.len().max(1) as f64,
            times[0].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
    }
    if let Some(kib) = peak_rss_kib() {
        println!("peak resident memory: {:.1} MiB", kib as f64 / 1024.0);
    }
}
