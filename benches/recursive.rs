//! `cargo bench --no-default-features --bench recursive`: `infra-lint check --recursive` as a
//! whole process on ../shared/corpus/cloudposse-terraform-aws-components and on synthetic
//! corpora of 4× and 16× its size (scripts/synth-corpus.sh), beside a parse-only floor measured
//! in the same run (hcl-edit parsing the same files in this process), so the evaluation and
//! rule overhead is a ratio; plus `check` on a small root (what pre-commit runs) and, when
//! `checkov` is on PATH, `checkov -d` on the same corpus. Prints medians, min/max, files/s,
//! lines/s and peak RSS (GNU time); no thresholds — the figures go to bench/RESULTS.md with
//! this command.
//!
//! BENCH_RUNS (default 5) sets the runs per measurement; BENCH_SIZES (default "1,4,16") the
//! corpus multiples; BENCH_CHECKOV=0 skips checkov even when installed.
#[path = "../tests/common/mod.rs"]
mod common;
use common::{corpus, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// The floor parses with the allocator the binary uses, so the ratio compares like with like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The Terraform files under `dir` as the recursive check walks them.
fn tf_files(dir: &Path) -> Vec<PathBuf> {
    ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".terraform")
        .build()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| {
            let n = p.to_string_lossy();
            (n.ends_with(".tf") || n.ends_with(".tf.json")) && p.is_file()
        })
        .collect()
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One run of a command as a process: wall time and peak RSS in KiB (from GNU time).
fn timed(cmd: &[&str]) -> (Duration, Option<u64>) {
    let rss_file =
        std::env::temp_dir().join(format!("infra-lint-bench-rss-{}", std::process::id()));
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut c = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).args(cmd);
        c
    } else {
        let mut c = Command::new(cmd[0]);
        c.args(&cmd[1..]);
        c
    };
    let start = Instant::now();
    let status = c
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run the command");
    let wall = start.elapsed();
    assert!(
        status.code().is_some_and(|c| c <= 2),
        "{cmd:?} ended with {status}"
    );
    let rss = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last()?.trim().parse().ok());
    (wall, rss)
}

fn main() {
    let exe = env!("CARGO_BIN_EXE_infra-lint");
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "1,4,16".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let cloudposse = corpus().join("cloudposse-terraform-aws-components");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "infra-lint {} on {cores} cores, {runs} runs each",
        env!("CARGO_PKG_VERSION")
    );

    // A small root first: what pre-commit pays on every commit.
    let small = root().join("examples/ecs-fargate");
    let small_s = small.to_string_lossy().into_owned();
    let mut walls = Vec::new();
    for _ in 0..(runs * 4) {
        walls.push(timed(&[exe, "check", &small_s, "--quiet"]).0);
    }
    let (med, min, max) = stats(walls);
    println!(
        "small root (examples/ecs-fargate): median {:.1} ms, min {:.1}, max {:.1}",
        ms(med),
        ms(min),
        ms(max)
    );

    let mut medians = Vec::new();
    for &n in &sizes {
        let dir = if n == 1 {
            cloudposse.clone()
        } else {
            let out = root().join(format!("target/bench-corpus/{n}x"));
            let ok = Command::new(root().join("scripts/synth-corpus.sh"))
                .arg(&cloudposse)
                .arg(&out)
                .arg(n.to_string())
                .status()
                .expect("scripts/synth-corpus.sh")
                .success();
            assert!(ok, "scripts/synth-corpus.sh failed");
            out
        };
        let files = tf_files(&dir);
        let texts: Vec<String> = files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect();
        let lines: usize = texts.iter().map(|t| t.lines().count()).sum();

        // The floor: parsing the same files, in this process, read from disk each time.
        let mut floor = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            let mut parsed = 0;
            for f in &files {
                if let Ok(t) = std::fs::read_to_string(f) {
                    parsed += usize::from(hcl_edit::parser::parse_body(&t).is_ok());
                }
            }
            std::hint::black_box(parsed);
            floor.push(start.elapsed());
        }
        let (floor_med, _, _) = stats(floor);

        let d = dir.to_string_lossy().into_owned();
        let mut walls = Vec::new();
        let mut rss = 0;
        for _ in 0..runs {
            let (w, r) = timed(&[
                exe,
                "check",
                "--recursive",
                &d,
                "--format",
                "json",
                "--fail-on",
                "never",
            ]);
            walls.push(w);
            rss = rss.max(r.unwrap_or(0));
        }
        let (med, min, max) = stats(walls);
        medians.push((n, med));
        let secs = med.as_secs_f64();
        println!(
            "{n:>2}x cloudposse: {} files, {lines} lines; check --recursive median {:.0} ms \
             (min {:.0}, max {:.0}), {:.0} files/s, {:.0} lines/s, peak RSS {:.1} MiB; \
             parse-only floor {:.0} ms, ratio {:.2}",
            files.len(),
            ms(med),
            ms(min),
            ms(max),
            files.len() as f64 / secs,
            lines as f64 / secs,
            rss as f64 / 1024.0,
            ms(floor_med),
            secs / floor_med.as_secs_f64(),
        );
    }
    if let (Some((1, one)), Some(&(n, big))) = (medians.first().copied(), medians.last()) {
        if n > 1 {
            println!(
                "growth: {n}x corpus takes {:.2}x the time of 1x",
                big.as_secs_f64() / one.as_secs_f64()
            );
        }
    }

    let checkov = std::env::var("BENCH_CHECKOV").map_or(true, |v| v != "0");
    let found = Command::new("checkov")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    match (checkov && found, medians.first()) {
        (true, Some((1, ours))) => {
            let d = cloudposse.to_string_lossy().into_owned();
            let (w, rss) = timed(&["checkov", "-d", &d, "--quiet", "--compact", "-o", "json"]);
            println!(
                "checkov -d cloudposse (one run): {:.1} s, peak RSS {:.0} MiB; infra-lint is {:.0}x faster",
                w.as_secs_f64(),
                rss.unwrap_or(0) as f64 / 1024.0,
                w.as_secs_f64() / ours.as_secs_f64()
            );
        }
        _ => println!(
            "checkov: not measured (not on PATH, or BENCH_CHECKOV=0; `pip install checkov`)"
        ),
    }
}
