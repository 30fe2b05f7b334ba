//! Both evaluators on a batch of expressions, each answer reduced to what
//! tests/conformance.rs compares: the JSON text of `jsonencode(E)`, an error, an unknown,
//! or a sensitive value.
//!
//! Terraform: every expression is its own `locals` file (`eN.tf`, `eN = jsonencode(E)`) in one
//! scratch directory, and one `terraform console` reads `[local.e0, local.e1, ...]`. Console
//! evaluates every local, prints each failed one as `(known after apply)` and reports its
//! diagnostics with the file name on stderr, so one process answers the whole batch; a syntax
//! error makes the whole configuration invalid, so those files are dropped (their answer is
//! the error) and console runs again. ~0.3 s for a few hundred expressions instead of ~0.1 s
//! each.
use crate::console::decode_console_string;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Answer {
    /// The JSON text `jsonencode(E)` produced.
    Value(String),
    /// Rejected; the message (terraform's summary and first detail line, or ours).
    Error(String),
    Unknown,
    Sensitive,
    /// infra-lint panicked (never an agreement).
    Panic(String),
    /// No answer within the bound (never an agreement).
    Timeout,
}

impl Answer {
    pub fn kind(&self) -> &'static str {
        match self {
            Answer::Value(_) => "value",
            Answer::Error(_) => "error",
            Answer::Unknown => "unknown",
            Answer::Sensitive => "sensitive",
            Answer::Panic(_) => "panic",
            Answer::Timeout => "timeout",
        }
    }

    /// Errors agree whatever their wording; a panic or a timeout agrees with nothing.
    pub fn agrees(&self, other: &Answer) -> bool {
        match (self, other) {
            (Answer::Value(a), Answer::Value(b)) => a == b,
            (Answer::Error(_), Answer::Error(_)) => true,
            (Answer::Unknown, Answer::Unknown) | (Answer::Sensitive, Answer::Sensitive) => true,
            _ => false,
        }
    }

    /// One line for reports and known-list matching: `ERROR: msg`, `UNKNOWN`, or the JSON.
    pub fn show(&self) -> String {
        match self {
            Answer::Value(v) => v.clone(),
            Answer::Error(m) => format!("ERROR: {m}"),
            Answer::Unknown => "UNKNOWN".into(),
            Answer::Sensitive => "SENSITIVE".into(),
            Answer::Panic(m) => format!("PANIC: {m}"),
            Answer::Timeout => "TIMEOUT".into(),
        }
    }
}

/// Files the generated filesystem calls find (generate.rs's `PATHS` names them); written into
/// every batch directory, which is also infra-lint's working directory.
pub const FIXTURES: &[(&str, &str)] = &[
    ("hello.txt", "Hello, world!\n"),
    ("unicode.txt", "héllo 日本 👍🏽\r\nsecond line"),
    (
        "tmpl.tftpl",
        "Hi ${name}!%{ for x in items } [${x}]%{ endfor }\n%{~ if name != \"\" ~} named %{~ endif }",
    ),
    ("data.json", "{\"a\": [1, 2.5, null], \"b\": {\"c\": \"é\"}}\n"),
    ("dir/a.txt", "a"),
    ("dir/b.yaml", "k: v\nlist: [1, 2]\n"),
    ("dir/sub/c.txt", ""),
];

pub fn write_fixtures(dir: &Path) {
    for (name, text) in FIXTURES {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).expect("fixture directory");
        std::fs::write(path, text).expect("fixture file");
    }
}

const TERRAFORM_BOUND: Duration = Duration::from_secs(120);
/// Address space for one `terraform console`: a generated expression can make Terraform
/// allocate without end (a batch took all 24 GiB and the kernel's OOM killer), so it runs
/// under `prlimit` where that exists and fails alone instead.
const TERRAFORM_MEMORY: &str = "--as=4294967296";
const INFRA_LINT_BOUND: Duration = Duration::from_secs(10);

/// Terraform's and infra-lint's answers for each expression, evaluated side by side (console
/// runs while this process evaluates).
pub fn evaluate(exprs: &[String]) -> Vec<(Answer, Answer)> {
    let scratch = tempfile::Builder::new()
        .prefix("difffuzz-")
        .tempdir()
        .expect("a scratch directory");
    let dir = scratch.path();
    write_fixtures(dir);
    for (i, e) in exprs.iter().enumerate() {
        std::fs::write(
            dir.join(format!("e{i}.tf")),
            format!("locals {{\n  e{i} = jsonencode({e})\n}}\n"),
        )
        .expect("write a locals file");
    }
    let (tf, ours) = std::thread::scope(|s| {
        let tf = s.spawn(|| terraform(exprs, dir));
        let ours = infra_lint_all(exprs, dir);
        (tf.join().expect("terraform runner"), ours)
    });
    tf.into_iter().zip(ours).collect()
}

fn terraform(exprs: &[String], dir: &Path) -> Vec<Answer> {
    let mut answers: Vec<Option<Answer>> = vec![None; exprs.len()];
    let mut live: Vec<usize> = (0..exprs.len()).collect();
    // Each round drops at least one file with a syntax error, or ends.
    for _round in 0..=exprs.len() {
        let query = format!(
            "[{}]",
            live.iter()
                .map(|i| format!("local.e{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let Some(run) = console(dir, &query) else {
            for i in &live {
                answers[*i] = Some(Answer::Timeout);
            }
            break;
        };
        let errors = located_errors(&run.stderr);
        if run.ok {
            let values = parse_tuple(&run.stdout);
            if values.as_ref().map(Vec::len) == Some(live.len()) && errors.unlocated == 0 {
                for (i, v) in live.iter().zip(values.unwrap()) {
                    answers[*i] = Some(match errors.by_file.get(i) {
                        Some(msg) => Answer::Error(msg.clone()),
                        None => v,
                    });
                }
            } else {
                // An error without a file, or output we cannot split: ask one by one.
                for i in &live {
                    answers[*i] = Some(console_one(dir, &exprs[*i]));
                }
            }
            break;
        }
        let invalid: Vec<usize> = live
            .iter()
            .copied()
            .filter(|i| errors.by_file.contains_key(i))
            .collect();
        if invalid.is_empty() {
            for i in &live {
                answers[*i] = Some(console_one(dir, &exprs[*i]));
            }
            break;
        }
        for i in &invalid {
            answers[*i] = Some(Answer::Error(errors.by_file[i].clone()));
            std::fs::remove_file(dir.join(format!("e{i}.tf"))).expect("drop an invalid file");
        }
        live.retain(|i| !errors.by_file.contains_key(i));
    }
    answers
        .into_iter()
        .map(|a| a.unwrap_or(Answer::Timeout))
        .collect()
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// `terraform console` in `dir` reading `input`, or None past the bound. Output goes to
/// files so a long error list cannot fill a pipe while we wait.
fn console(dir: &Path, input: &str) -> Option<Run> {
    let out_path = dir.join(".console.out");
    let err_path = dir.join(".console.err");
    let prlimit = Path::new("/usr/bin/prlimit");
    let mut cmd = if prlimit.exists() {
        let mut c = Command::new(prlimit);
        c.arg(TERRAFORM_MEMORY).arg("terraform");
        c
    } else {
        Command::new("terraform")
    };
    let mut child = cmd
        .arg("console")
        .arg("-no-color")
        // Never created: without it console locks and writes ./terraform.tfstate.
        .arg(format!("-state={}", dir.join(".none.tfstate").display()))
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out_path).expect("console output file"))
        .stderr(std::fs::File::create(&err_path).expect("console error file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `terraform` (it must be on PATH): {e}"));
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{input}").expect("write console input");
    }
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for terraform console") {
            break status;
        }
        if start.elapsed() > TERRAFORM_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Some(Run {
        ok: status.success(),
        stdout: read(&out_path),
        stderr: read(&err_path),
    })
}

/// One expression straight on console's input, as tests/conformance/regen.sh does: with the
/// batch's locals files set aside, so console evaluates this expression and no other (it
/// evaluates every local of the module, and one of them may be what failed the batch).
fn console_one(dir: &Path, expr: &str) -> Answer {
    let batch: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("the scratch directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    let aside = |p: &Path| p.with_extension("tf.aside");
    for p in &batch {
        std::fs::rename(p, aside(p)).expect("set a locals file aside");
    }
    let run = console(dir, &format!("jsonencode({expr})"));
    for p in &batch {
        std::fs::rename(aside(p), p).expect("put a locals file back");
    }
    match run {
        None => Answer::Timeout,
        // Terraform fails the expression either way; a bound of infra-lint's agrees with it.
        Some(run) if run.stderr.contains("out of memory") => {
            Answer::Error("terraform ran out of memory".to_string())
        }
        Some(run) => {
            // The last line: a warning about other files' errors may come first.
            let line = run
                .stdout
                .trim_end_matches('\n')
                .lines()
                .last()
                .unwrap_or("");
            if !run.ok || line.is_empty() {
                let msg = run
                    .stderr
                    .lines()
                    .find_map(|l| l.strip_prefix("Error: "))
                    .unwrap_or("rejected")
                    .to_string();
                Answer::Error(msg)
            } else {
                parse_element(line)
            }
        }
    }
}

struct Errors {
    /// The first error of each `eN.tf`: summary and first line of detail.
    by_file: BTreeMap<usize, String>,
    unlocated: usize,
}

/// The `Error:` blocks of console's stderr, by the `eN.tf` they are `on`.
fn located_errors(stderr: &str) -> Errors {
    let mut by_file = BTreeMap::new();
    let mut unlocated = 0;
    let blocks: Vec<&str> = stderr.split("\nError: ").collect();
    for (n, block) in blocks.iter().enumerate() {
        let block = if n == 0 {
            match block.trim_start().strip_prefix("Error: ") {
                Some(b) => b,
                None => continue,
            }
        } else {
            block
        };
        let summary = block.lines().next().unwrap_or("").trim();
        let file = block.lines().find_map(|l| {
            let rest = l.trim_start().strip_prefix("on e")?;
            rest.split_once(".tf line")?.0.parse::<usize>().ok()
        });
        // The detail is the first paragraph after the source excerpt (the lines that are
        // not indented once the `on` line and the snippet are past).
        let detail = block
            .lines()
            .skip(1)
            .skip_while(|l| l.is_empty() || l.starts_with(' '))
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let msg = if detail.is_empty() {
            summary.to_string()
        } else {
            format!("{summary}: {detail}")
        };
        match file {
            Some(i) => {
                by_file.entry(i).or_insert(msg);
            }
            None => unlocated += 1,
        }
    }
    Errors { by_file, unlocated }
}

/// Console's rendering of a tuple of strings, one element a line. When some locals failed,
/// a warning ("Due to the problems above…") comes first on stdout.
fn parse_tuple(stdout: &str) -> Option<Vec<Answer>> {
    let start = stdout.lines().position(|l| l == "[" || l == "[]")?;
    let body = stdout.lines().skip(start).collect::<Vec<_>>().join("\n");
    let body = body.trim();
    if body == "[]" {
        return Some(Vec::new());
    }
    let inner = body.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Some(parse_element(l.strip_suffix(',')?)))
        .collect()
}

fn parse_element(s: &str) -> Answer {
    match s {
        "(known after apply)" => Answer::Unknown,
        "(sensitive value)" => Answer::Sensitive,
        _ => match decode_console_string(s) {
            Some(v) => Answer::Value(v),
            None => Answer::Error(format!("unreadable console output: {s}")),
        },
    }
}

pub fn infra_lint_one(expr: &str, dir: &Path) -> Answer {
    use infra_lint::model::Value;
    let src = format!("jsonencode({expr})");
    let result = std::panic::catch_unwind(|| infra_lint::hcl::eval::eval_standalone(&src, dir));
    match result {
        Err(p) => Answer::Panic(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
        Ok(Err(msg)) => Answer::Error(msg.lines().next().unwrap_or("").to_string()),
        Ok(Ok(Value::String(s))) => Answer::Value(s),
        Ok(Ok(Value::Unknown(_))) => Answer::Unknown,
        Ok(Ok(Value::Sensitive(_))) => Answer::Sensitive,
        Ok(Ok(other)) => Answer::Value(format!("<jsonencode returned {other:?}>")),
    }
}

/// infra-lint on each expression in order, on a worker thread so a hang is a `Timeout`
/// answer rather than a stuck run (the stuck worker is abandoned; a new one carries on).
fn infra_lint_all(exprs: &[String], dir: &Path) -> Vec<Answer> {
    let mut answers = Vec::with_capacity(exprs.len());
    while answers.len() < exprs.len() {
        let start = answers.len();
        let (tx, rx) = mpsc::channel();
        let todo: Vec<String> = exprs[start..].to_vec();
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            for e in todo {
                if tx.send(infra_lint_one(&e, &dir)).is_err() {
                    break;
                }
            }
        });
        loop {
            match rx.recv_timeout(INFRA_LINT_BOUND) {
                Ok(a) => answers.push(a),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    answers.push(Answer::Timeout);
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if answers.len() == exprs.len() {
                break;
            }
        }
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_console_errors_by_file() {
        let stderr = "\nError: Invalid operand\n\n  on e1.tf line 2, in locals:\n   2:   e1 = jsonencode(1+\"a\")\n\nUnsuitable value for right operand: a number is required.\n\n\nError: Call to unknown function\n\n  on e5.tf line 2, in locals:\n   2:   e5 = jsonencode(nosuch(1))\n    ├────────────────\n    │ while calling x\n\nThere is no function named \"nosuch\".\n";
        let errors = located_errors(stderr);
        assert_eq!(errors.unlocated, 0);
        assert_eq!(
            errors.by_file[&1],
            "Invalid operand: Unsuitable value for right operand: a number is required."
        );
        assert_eq!(
            errors.by_file[&5],
            "Call to unknown function: There is no function named \"nosuch\"."
        );
    }

    #[test]
    fn reads_console_tuples() {
        let out =
            "[\n  \"2\",\n  (known after apply),\n  (sensitive value),\n  \"\\\"${x}\\\"\",\n]\n";
        assert_eq!(
            parse_tuple(out),
            Some(vec![
                Answer::Value("2".into()),
                Answer::Unknown,
                Answer::Sensitive,
                Answer::Value("\"${x}\"".into()),
            ])
        );
        assert_eq!(parse_tuple("[]\n"), Some(vec![]));
    }
}
