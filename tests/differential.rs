//! Differential fuzzing of the expression evaluator against real Terraform.
//!
//! Generated expressions (tests/differential/generate.rs, deterministic from a seed) are
//! evaluated by infra-lint in-process and by `terraform console` in batches
//! (tests/differential/oracle.rs), compared as `jsonencode(E)` results the way
//! tests/conformance.rs compares them (errors, unknowns and sensitive values are results of
//! their own), and every disagreement is minimized (tests/differential/shrink.rs). A minimized
//! disagreement that tests/differential/known.toml does not list fails the run.
//!
//! - `quick`: a fixed seed and size, for CI (terraform must be on PATH).
//! - `campaign` (ignored): as long and from the seed `scripts/difffuzz.sh [SECONDS] [SEED]`
//!   asks, writing a Markdown report of every minimized disagreement.
#[path = "differential/ast.rs"]
mod ast;
#[path = "common/console.rs"]
mod console;
#[path = "differential/generate.rs"]
mod generate;
#[path = "differential/known.rs"]
mod known;
#[path = "differential/oracle.rs"]
mod oracle;
#[path = "differential/shrink.rs"]
mod shrink;
#[path = "differential/signatures.rs"]
mod signatures;

use ast::Expr;
use oracle::Answer;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Expressions per terraform run: large enough that console's start-up is amortized, small
/// enough that a batch's diagnostics stay quick to read.
const BATCH: usize = 200;
/// Minimization rounds per disagreement; each removes at least one node, and trees are small.
const MAX_ROUNDS: usize = 40;

const QUICK_SEED: u64 = 12;
const QUICK_CASES: u64 = 1000;

struct Config {
    seed: u64,
    /// Stop after this many cases…
    cases: Option<u64>,
    /// …or once this long has passed (checked between batches).
    time: Option<Duration>,
    report: Option<PathBuf>,
}

/// One disagreement, minimized.
struct Finding {
    /// The generated case it came from.
    index: u64,
    original: String,
    expr: String,
    terraform: Answer,
    ours: Answer,
}

struct Outcome {
    cases: u64,
    elapsed: Duration,
    findings: Vec<Finding>,
    version: String,
}

fn disagree(pair: &(Answer, Answer)) -> bool {
    !pair.0.agrees(&pair.1)
}

/// Whether a smaller variant still shows the same disagreement: the same kinds of answer,
/// and when terraform rejects, the same reason (its diagnostic summary). Without the second
/// condition every "terraform rejects, infra-lint does not" case would shrink to whatever
/// infra-lint gets wrong most simply (say, a missing argument), hiding the original cause.
fn same_way(a: &(Answer, Answer), b: &(Answer, Answer)) -> bool {
    let summary = |x: &Answer| match x {
        Answer::Error(m) => m.split(": ").next().unwrap_or("").to_string(),
        _ => String::new(),
    };
    a.0.kind() == b.0.kind() && a.1.kind() == b.1.kind() && summary(&a.0) == summary(&b.0)
}

/// Generates and compares until the configured size or time, minimizing each batch's
/// disagreements; `after_batch` sees the findings so far (the campaign rewrites its report).
fn run(cfg: &Config, mut after_batch: impl FnMut(&Outcome)) -> Outcome {
    let (mut version, sigs) = signatures::load();
    eprintln!(
        "difffuzz: seed {} ({version}, {} functions)",
        cfg.seed,
        sigs.len()
    );
    let start = Instant::now();
    let mut findings = Vec::new();
    let mut next: u64 = 0;
    loop {
        let n = match cfg.cases {
            Some(total) if next >= total => break,
            Some(total) => (total - next).min(BATCH as u64),
            None => BATCH as u64,
        };
        if cfg.time.is_some_and(|t| start.elapsed() >= t) {
            break;
        }
        let exprs: Vec<Expr> = (next..next + n)
            .map(|i| generate::case(cfg.seed, i, &sigs))
            .collect();
        let texts: Vec<String> = exprs.iter().map(Expr::render).collect();
        let answers = oracle::evaluate(&texts);
        let mut found: Vec<(u64, Expr, (Answer, Answer))> = Vec::new();
        for (k, (e, a)) in exprs.into_iter().zip(answers).enumerate() {
            if disagree(&a) {
                found.push((next + k as u64, e, a));
            }
        }
        let count = found.len();
        findings.extend(minimize(found));
        next += n;
        eprintln!(
            "difffuzz: {next} cases, {count} new disagreements, {:.0?}",
            start.elapsed()
        );
        let so_far = Outcome {
            cases: next,
            elapsed: start.elapsed(),
            findings,
            version,
        };
        after_batch(&so_far);
        (findings, version) = (so_far.findings, so_far.version);
    }
    Outcome {
        cases: next,
        elapsed: start.elapsed(),
        findings,
        version,
    }
}

/// Shrinks every disagreement at once: each round evaluates the variants of all the
/// unfinished ones in shared batches.
fn minimize(found: Vec<(u64, Expr, (Answer, Answer))>) -> Vec<Finding> {
    minimize_with(found, oracle::evaluate)
}

fn minimize_with(
    found: Vec<(u64, Expr, (Answer, Answer))>,
    evaluate: impl Fn(&[String]) -> Vec<(Answer, Answer)>,
) -> Vec<Finding> {
    struct Work {
        index: u64,
        original: String,
        current: Expr,
        answers: (Answer, Answer),
        done: bool,
    }
    let mut work: Vec<Work> = found
        .into_iter()
        .map(|(index, e, answers)| Work {
            index,
            original: e.render(),
            current: e,
            answers,
            done: false,
        })
        .collect();
    for _ in 0..MAX_ROUNDS {
        let mut texts = Vec::new();
        let mut owners: Vec<(usize, Vec<Expr>)> = Vec::new();
        for (w, item) in work.iter().enumerate().filter(|(_, w)| !w.done) {
            let vs = shrink::variants(&item.current);
            texts.extend(vs.iter().map(Expr::render));
            owners.push((w, vs));
        }
        if owners.is_empty() {
            break;
        }
        let mut answers = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH * 2) {
            answers.extend(evaluate(chunk));
        }
        let mut answers = answers.into_iter();
        for (w, vs) in owners {
            let mine: Vec<(Answer, Answer)> = answers.by_ref().take(vs.len()).collect();
            let item = &mut work[w];
            // Variants come smallest first: the first that still disagrees the same way.
            match vs
                .into_iter()
                .zip(mine)
                .find(|(_, a)| disagree(a) && same_way(a, &item.answers))
            {
                Some((v, a)) => {
                    item.current = v;
                    item.answers = a;
                }
                None => item.done = true,
            }
        }
    }
    work.into_iter()
        .map(|w| Finding {
            index: w.index,
            original: w.original,
            expr: w.current.render(),
            terraform: w.answers.0,
            ours: w.answers.1,
        })
        .collect()
}

fn known_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/known.toml")
}

/// Findings by minimized expression (many cases shrink to the same one), each with the
/// known entry that explains it, if any.
struct Classified<'a> {
    unexplained: BTreeMap<&'a str, Vec<&'a Finding>>,
    explained: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a Finding>>>,
}

fn classify<'a>(findings: &'a [Finding], known: &'a [known::Entry]) -> Classified<'a> {
    let mut c = Classified {
        unexplained: BTreeMap::new(),
        explained: BTreeMap::new(),
    };
    for f in findings {
        match known
            .iter()
            .find(|k| k.matches(&f.expr, &f.terraform, &f.ours))
        {
            Some(k) => c
                .explained
                .entry(k.id.as_str())
                .or_default()
                .entry(f.expr.as_str())
                .or_default()
                .push(f),
            None => c.unexplained.entry(f.expr.as_str()).or_default().push(f),
        }
    }
    c
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).collect::<String>() + "…"
    }
}

/// Examples shown per group of a report.
const EXAMPLES: usize = 6;

/// A report's group for one finding: the kinds of the two answers, terraform's diagnostic
/// summary when it rejects, and the outermost function.
fn cause(expr: &str, f: &Finding) -> String {
    let head = expr.split('(').next().unwrap_or("");
    let head = if !head.is_empty() && head.chars().all(|ch| ch.is_alphanumeric() || ch == ':') {
        head
    } else {
        "(operator/literal)"
    };
    let why = match &f.terraform {
        Answer::Error(m) => format!(" \"{}\"", m.split(": ").next().unwrap_or("")),
        _ => String::new(),
    };
    format!(
        "terraform {}{why} / infra-lint {} — {head}",
        f.terraform.kind(),
        f.ours.kind()
    )
}

fn report(cfg: &Config, out: &Outcome, known: &[known::Entry], c: &Classified) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "# Differential fuzzing report\n");
    let _ = writeln!(
        r,
        "- seed {}, {} cases in {:.0?} ({})",
        cfg.seed, out.cases, out.elapsed, out.version
    );
    let _ = writeln!(
        r,
        "- {} disagreements, {} distinct after minimizing: {} not in the known list, {} known",
        out.findings.len(),
        c.unexplained.len() + c.explained.values().map(BTreeMap::len).sum::<usize>(),
        c.unexplained.len(),
        c.explained.values().map(BTreeMap::len).sum::<usize>()
    );
    let _ = writeln!(
        r,
        "- reproduce: `scripts/difffuzz.sh SECONDS {}` (case N of a seed is always the same expression)\n",
        cfg.seed
    );
    let item = |r: &mut String, expr: &str, fs: &[&Finding]| {
        let f = fs[0];
        let _ = writeln!(r, "- `{expr}`");
        let _ = writeln!(r, "  - terraform:  `{}`", clip(&f.terraform.show(), 300));
        let _ = writeln!(r, "  - infra-lint: `{}`", clip(&f.ours.show(), 300));
        let _ = writeln!(
            r,
            "  - from case {} ({} cases shrink to it): `{}`",
            f.index,
            fs.len(),
            clip(&f.original, 400)
        );
    };
    let _ = writeln!(r, "## Not in the known list\n");
    // Grouped by how the answers differ (with terraform's reason when it rejects) and by the
    // outermost function: a first cut at the cause. Smallest examples first.
    let mut groups: BTreeMap<String, Vec<(&str, &Vec<&Finding>)>> = BTreeMap::new();
    for (expr, fs) in &c.unexplained {
        groups
            .entry(cause(expr, fs[0]))
            .or_default()
            .push((expr, fs));
    }
    for (g, items) in &mut groups {
        items.sort_by_key(|(e, _)| (e.len(), *e));
        let cases: usize = items.iter().map(|(_, fs)| fs.len()).sum();
        let _ = writeln!(r, "### {g} ({} distinct, {cases} cases)\n", items.len());
        for (expr, fs) in items.iter().take(EXAMPLES) {
            item(&mut r, expr, fs);
        }
        if items.len() > EXAMPLES {
            let _ = writeln!(r, "- … and {} more", items.len() - EXAMPLES);
        }
        r.push('\n');
    }
    let _ = writeln!(r, "## Known differences seen\n");
    for k in known {
        if let Some(exprs) = c.explained.get(k.id.as_str()) {
            let _ = writeln!(
                r,
                "### {} ({} distinct)\n\n{}\n",
                k.id,
                exprs.len(),
                k.reason.trim()
            );
            for (expr, fs) in exprs.iter().take(EXAMPLES) {
                item(&mut r, expr, fs);
            }
            r.push('\n');
        }
    }
    let unseen: Vec<&str> = known
        .iter()
        .filter(|k| !c.explained.contains_key(k.id.as_str()))
        .map(|k| k.id.as_str())
        .collect();
    let _ = writeln!(
        r,
        "## Known entries not seen in this run\n\n{}",
        unseen.join(", ")
    );
    r
}

/// Runs, writes the report, and fails on any disagreement the known list does not explain.
fn run_and_judge(cfg: Config) {
    let known = known::load(&std::fs::read_to_string(known_path()).expect("read known.toml"));
    let write = |out: &Outcome| {
        let c = classify(&out.findings, &known);
        let text = report(&cfg, out, &known, &c);
        if let Some(path) = &cfg.report {
            std::fs::write(path, &text).expect("write the report");
        }
        text
    };
    let out = run(&cfg, |so_far| {
        write(so_far);
    });
    let text = write(&out);
    if let Some(path) = &cfg.report {
        eprintln!("difffuzz: report in {}", path.display());
    }
    let c = classify(&out.findings, &known);
    // The quick run's report lives in a temporary file CI throws away: print it whole.
    let shown = match &cfg.report {
        Some(path) if cfg.cases.is_none() => format!("see {}", path.display()),
        _ => text,
    };
    assert!(
        c.unexplained.is_empty(),
        "{} disagreements with terraform not in tests/differential/known.toml \
         (seed {}): {shown}",
        c.unexplained.len(),
        cfg.seed
    );
}

#[test]
fn quick() {
    run_and_judge(Config {
        seed: QUICK_SEED,
        cases: Some(QUICK_CASES),
        time: None,
        report: Some(std::env::temp_dir().join("difffuzz-quick.md")),
    });
}

/// `scripts/difffuzz.sh` runs this with DIFFFUZZ_SECONDS, DIFFFUZZ_SEED, DIFFFUZZ_REPORT.
#[test]
#[ignore = "long; run by scripts/difffuzz.sh"]
fn campaign() {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let seed = var("DIFFFUZZ_SEED")
        .map(|s| s.parse().expect("DIFFFUZZ_SEED is a number"))
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        });
    let seconds: u64 = var("DIFFFUZZ_SECONDS")
        .map(|s| s.parse().expect("DIFFFUZZ_SECONDS is a number"))
        .unwrap_or(300);
    run_and_judge(Config {
        seed,
        cases: var("DIFFFUZZ_CASES").map(|s| s.parse().expect("DIFFFUZZ_CASES is a number")),
        time: Some(Duration::from_secs(seconds)),
        report: Some(
            var("DIFFFUZZ_REPORT")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join(format!("difffuzz-{seed}.md"))),
        ),
    });
}

#[test]
fn generation_is_deterministic_and_varied() {
    let (_, sigs) = signatures::load();
    let a: Vec<String> = (0..50)
        .map(|i| generate::case(7, i, &sigs).render())
        .collect();
    let b: Vec<String> = (0..50)
        .map(|i| generate::case(7, i, &sigs).render())
        .collect();
    assert_eq!(a, b);
    let mut distinct = a.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() > 45, "{a:#?}");
    // Over a few thousand cases every function is called at least once.
    let text: String = (0..3000)
        .map(|i| generate::case(1, i, &sigs).render())
        .collect::<Vec<_>>()
        .join("\n");
    let missing: Vec<&str> = sigs
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| !text.contains(&format!("{n}(")))
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}

/// Without terraform: a malformed known.toml (bad regex, missing reason, repeated id) fails
/// here, not halfway through a campaign.
#[test]
fn known_list_is_well_formed() {
    known::load(&std::fs::read_to_string(known_path()).expect("read known.toml"));
}

/// Prints generated cases with both answers: `DIFFFUZZ_SEED=S DIFFFUZZ_FROM=N DIFFFUZZ_CASES=K
/// cargo test --test differential -- --ignored show --nocapture` (what a report's "case N" was).
#[test]
#[ignore = "a tool: prints cases"]
fn show() {
    let var = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (seed, from, count) = (
        var("DIFFFUZZ_SEED", QUICK_SEED),
        var("DIFFFUZZ_FROM", 0),
        var("DIFFFUZZ_CASES", 20),
    );
    let (_, sigs) = signatures::load();
    let texts: Vec<String> = (from..from + count)
        .map(|i| generate::case(seed, i, &sigs).render())
        .collect();
    for (i, (e, (tf, ours))) in texts.iter().zip(oracle::evaluate(&texts)).enumerate() {
        let mark = if tf.agrees(&ours) { "=" } else { "≠" };
        println!("{mark} case {}: {e}", from + i as u64);
        println!("    terraform:  {}", clip(&tf.show(), 200));
        println!("    infra-lint: {}", clip(&ours.show(), 200));
    }
}

#[test]
fn minimizing_keeps_the_smallest_variant_that_disagrees_the_same_way() {
    use ast::Key;
    let (_, sigs) = signatures::load();
    // A stand-in oracle: "infra-lint" wrongly errors on any `upper(` call whose argument is
    // a number; terraform fails on `tomap(` (a different disagreement, to be avoided).
    let fake = |texts: &[String]| -> Vec<(Answer, Answer)> {
        texts
            .iter()
            .map(|t| {
                let ours = if t.contains("upper(0") || t.contains("upper(1") {
                    Answer::Error("boom".into())
                } else {
                    Answer::Value("1".into())
                };
                let tf = if t.contains("tomap(") {
                    Answer::Error("Invalid function argument: x".into())
                } else {
                    Answer::Value("1".into())
                };
                (tf, ours)
            })
            .collect()
    };
    let big = Expr::Object(vec![
        (
            Key::Ident("a".into()),
            Expr::Call {
                name: "upper".into(),
                args: vec![Expr::Binary(
                    "+",
                    Box::new(Expr::Atom("10".into())),
                    Box::new(Expr::Atom("2".into())),
                )],
                expand: false,
            },
        ),
        (Key::Ident("b".into()), generate::case(3, 3, &sigs)),
    ]);
    // As found: upper(10 + 2) renders `upper(10 + 2)`, which the fake judges as a number.
    let found = vec![(
        0,
        big.clone(),
        (Answer::Value("1".into()), Answer::Error("boom".into())),
    )];
    let out = minimize_with(found, fake);
    assert_eq!(out[0].expr, "upper(0)");
    assert_eq!(out[0].original, big.render());
}

#[test]
fn oracle_reads_values_errors_unknowns_and_syntax_errors() {
    let exprs: Vec<String> = [
        "1 + 1",
        "1 + \"a\"",
        "plantimestamp()",
        "sensitive(1)",
        "upper(",
        "{a = \"é\", b = [null, 1.5]}",
        "file(\"hello.txt\")",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let got = oracle::evaluate(&exprs);
    let tf: Vec<String> = got.iter().map(|(t, _)| t.show()).collect();
    assert_eq!(tf[0], "2");
    assert!(tf[1].starts_with("ERROR: Invalid operand"), "{}", tf[1]);
    assert_eq!(tf[2], "UNKNOWN");
    assert_eq!(tf[3], "SENSITIVE");
    assert!(tf[4].starts_with("ERROR: "), "{}", tf[4]);
    assert_eq!(tf[5], r#"{"a":"é","b":[null,1.5]}"#);
    assert_eq!(tf[6], r#""Hello, world!\n""#);
    for (i, (t, ours)) in got.iter().enumerate() {
        assert!(t.agrees(ours), "{}: {t:?} vs {ours:?}", exprs[i]);
    }
}
