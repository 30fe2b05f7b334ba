//! The github, markdown and junit reports, rendered in process from the engine's result:
//! snapshots of the canonical set, and checks that read each document back.
use infra_lint::config::Settings;
use infra_lint::engine::{run, DocSource, LiveSource, Request};
use infra_lint::report::{github, junit, markdown, CheckResult};
use infra_lint::rules::Severity;
use infra_lint::source::Location;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap()
}

fn check(req: Request) -> CheckResult {
    let settings = Settings::load(&req.dir, &Default::default()).unwrap();
    let mut r = run(&req, &settings).expect("check");
    // Files are named from the repository root; fix it here so a copy of the sources without
    // `.git` names them the same.
    if req.dir.starts_with(repo()) {
        r.root = repo();
    }
    r
}

fn canonical() -> CheckResult {
    let r = check(Request {
        dir: repo().join("tests/reports/canonical"),
        ..Default::default()
    });
    // What the snapshots are meant to show: if the fixture stops producing these, they are
    // no longer the canonical set.
    assert!(r
        .findings
        .iter()
        .any(|f| f.code == "ECS001" && !f.related.is_empty()));
    assert!(r
        .findings
        .iter()
        .any(|f| f.code == "RDS001" && f.edits.is_some()));
    assert_eq!(r.suppressed.len(), 1);
    // The variable without a value, and the bucket of the file that does not parse.
    assert_eq!(r.not_evaluated.len(), 2);
    assert_eq!(r.errors.len(), 1);
    r
}

/// A configuration with no resources and a state holding one public, unencrypted database:
/// its findings point into the state only.
fn state_only() -> (tempfile::TempDir, CheckResult) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), "terraform {}\n").unwrap();
    let state = std::fs::read_to_string(
        repo().join("fixtures/rds-publicly-accessible/fail-state/terraform.tfstate"),
    )
    .unwrap()
    .replace("\"name\": \"orders\"", "\"name\": \"legacy\"");
    let r = check(Request {
        dir: dir.path().to_path_buf(),
        state: Some(DocSource::Text {
            display: "terraform.tfstate".into(),
            text: state,
        }),
        ..Default::default()
    });
    (dir, r)
}

fn live_only() -> CheckResult {
    let dir = repo().join("fixtures/rds-publicly-accessible/fail-live");
    check(Request {
        live: Some(LiveSource::Replay(DocSource::File(dir.join("live.json")))),
        dir,
        ..Default::default()
    })
}

#[test]
fn canonical_github() {
    insta::assert_snapshot!("canonical_github", github::render(&canonical()));
}

#[test]
fn canonical_markdown() {
    insta::assert_snapshot!("canonical_markdown", markdown::render(&canonical()));
}

#[test]
fn canonical_junit() {
    insta::assert_snapshot!("canonical_junit", junit::render(&canonical()));
}

// ---- github ------------------------------------------------------------------------------

/// One workflow command read back as the runner reads it (actions/runner `ActionCommand`).
#[derive(Debug)]
struct Command {
    level: String,
    props: Vec<(String, String)>,
    message: String,
}

impl Command {
    fn prop(&self, key: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn parse_commands(out: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    for line in out.lines().filter(|l| l.starts_with("::")) {
        let rest = &line[2..];
        let end = rest
            .find("::")
            .unwrap_or_else(|| panic!("no end of properties: {line}"));
        let (head, data) = (&rest[..end], &rest[end + 2..]);
        let (level, props) = head.split_once(' ').unwrap_or((head, ""));
        assert!(
            ["error", "warning", "notice"].contains(&level),
            "level in {line}"
        );
        let props: Vec<(String, String)> = props
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p
                    .split_once('=')
                    .unwrap_or_else(|| panic!("property {p} in {line}"));
                assert!(
                    ["file", "line", "col", "endLine", "endColumn", "title"].contains(&k),
                    "unknown property {k} in {line}"
                );
                (k.to_string(), unescape(v))
            })
            .collect();
        // A raw line break or an unescaped `%` would be read wrongly by the runner.
        assert!(!data.contains('\r'), "raw CR in {line}");
        for (i, _) in data.match_indices('%') {
            let code = data.get(i + 1..i + 3).unwrap_or("");
            assert!(
                ["25", "0D", "0A"].contains(&code),
                "stray % in message: {line}"
            );
        }
        commands.push(Command {
            level: level.to_string(),
            props,
            message: unescape(data),
        });
    }
    commands
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// Every finding has exactly one annotation at its level, titled with its rule, whose message
/// starts with the finding's own; configuration findings point at their file and lines.
fn assert_annotates_findings(r: &CheckResult, commands: &[Command]) {
    for f in &r.findings {
        let title = format!("{} {}", f.code, f.name);
        let mine: Vec<&Command> = commands
            .iter()
            .filter(|c| {
                c.prop("title") == Some(title.as_str())
                    && c.message.starts_with(&format!("{}\n", f.message))
                    && (f.resource.is_empty() || c.message.contains(&f.resource))
                    && match f.span() {
                        Some(s) => {
                            c.prop("file") == Some(r.uri(s.file).as_str())
                                && c.prop("line")
                                    == Some(r.sources.locate(s).line.to_string().as_str())
                        }
                        None => c.prop("file").is_none(),
                    }
            })
            .collect();
        assert_eq!(mine.len(), 1, "{title} {}: {commands:#?}", f.resource);
        assert_eq!(mine[0].level, level(f.severity));
        assert!(
            mine[0]
                .message
                .ends_with(&format!("\nsee: infra-lint rule {}", f.code)),
            "{:?}",
            mine[0].message
        );
        for rel in &f.related {
            assert!(mine[0].message.contains(&rel.message), "{rel:?}");
        }
    }
}

#[test]
fn github_commands_read_back() {
    let r = canonical();
    let out = github::render(&r);
    let commands = parse_commands(&out);
    assert_annotates_findings(&r, &commands);
    let lines: Vec<&str> = out.lines().collect();
    // One command per finding, input error and note, then the plain summary.
    assert_eq!(
        commands.len(),
        r.findings.len() + r.errors.len() + r.not_evaluated.len()
    );
    assert_eq!(lines.len(), commands.len() + 1);
    assert_eq!(
        *lines.last().unwrap(),
        format!("infra-lint: {}", r.summary_line())
    );
    let order: Vec<usize> = commands
        .iter()
        .map(|c| {
            ["error", "warning", "notice"]
                .iter()
                .position(|l| *l == c.level)
                .unwrap()
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "errors first: {order:?}"
    );

    let input = &commands[0];
    assert_eq!(input.prop("title"), Some("infra-lint: input error"));
    assert_eq!(
        input.prop("file"),
        Some("tests/reports/canonical/broken.tf")
    );
    assert_eq!(input.message, r.errors[0].message);
    let rds = r
        .not_evaluated
        .iter()
        .find(|n| n.code.as_deref() == Some("RDS001"))
        .unwrap();
    let ne = commands
        .iter()
        .find(|c| c.level == "notice" && c.message.contains(&rds.reason))
        .unwrap();
    assert_eq!(ne.prop("title"), Some("not evaluated"));
    assert_eq!(ne.prop("line"), Some("83"));
    // What a file that does not parse declares is a notice at its header.
    let unparsed = commands
        .iter()
        .find(|c| c.level == "notice" && c.message.contains("aws_s3_bucket.logs"))
        .unwrap();
    assert_eq!(
        unparsed.prop("file"),
        Some("tests/reports/canonical/broken.tf")
    );
    // The suppressed database is not annotated.
    assert!(!out.contains("aws_db_instance.demo"), "{out}");
}

#[test]
fn github_message_survives_every_escape() {
    let mut r = canonical();
    let odd = "100% sure: a,b | c\r\nnext line:: `x` %0A";
    r.findings[0].message = odd.into();
    r.findings[0].related[0].message = "related, with: 50%".into();
    let out = github::render(&r);
    let commands = parse_commands(&out);
    assert_annotates_findings(&r, &commands);
    // A message with CR LF still makes one line of output per command.
    assert_eq!(out.lines().count(), commands.len() + 1);
}

#[test]
fn multi_line_spans_leave_out_columns() {
    let mut r = canonical();
    let f = &mut r.findings[0];
    let Some(Location::Source(s)) = &mut f.location else {
        panic!("canonical findings are in configuration")
    };
    s.end += 60;
    let commands = parse_commands(&github::render(&r));
    let c = commands
        .iter()
        .find(|c| c.message.starts_with(&r.findings[0].message))
        .unwrap();
    assert_ne!(c.prop("line"), c.prop("endLine"));
    assert_eq!((c.prop("col"), c.prop("endColumn")), (None, None));
}

// ---- markdown ----------------------------------------------------------------------------

/// A table row's cells as GitHub splits them: on `|` not escaped by a backslash.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    if out.last().is_some_and(|c| c.trim().is_empty()) {
        out.pop();
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The rows of the findings table (between its delimiter row and the blank line after).
fn finding_rows(md: &str) -> Vec<Vec<String>> {
    let mut lines = md.lines().skip_while(|l| !l.starts_with("| Severity |"));
    lines.next();
    let delimiter = lines.next().unwrap_or_default();
    assert_eq!(cells(delimiter), vec!["---"; 6]);
    lines
        .take_while(|l| l.starts_with('|'))
        .map(cells)
        .collect()
}

#[test]
fn markdown_table_has_a_row_per_finding_whatever_the_message() {
    let mut r = canonical();
    r.findings[1].message = "port a | b\nsecond line `code`".into();
    let md = markdown::render(&r);
    let rows = finding_rows(&md);
    assert_eq!(rows.len(), r.findings.len(), "{md}");
    for (row, f) in rows.iter().zip(&r.findings) {
        assert_eq!(row.len(), 6, "{row:?}");
        assert_eq!(row[0], f.severity.as_str());
        assert!(row[1].starts_with(&format!("[{}](", f.code)), "{row:?}");
        assert!(row[1].ends_with(f.name));
        assert_eq!(row[2], format!("`{}`", f.resource));
        let s = f.span().unwrap();
        assert_eq!(
            row[3],
            format!("`{}:{}`", r.uri(s.file), r.sources.locate(s).line)
        );
    }
    assert!(
        rows[1][4].starts_with("port a | b<br>second line \\`code\\`"),
        "{:?}",
        rows[1]
    );
    assert!(md.contains("<details>") && md.contains("aws_db_instance.reports"));
    assert!(md.contains("### Input errors"));
    assert!(!md.contains("aws_db_instance.demo"), "{md}");
}

#[test]
fn markdown_reads_well_with_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
    )
    .unwrap();
    let r = check(Request {
        dir: dir.path().to_path_buf(),
        ..Default::default()
    });
    assert_eq!(
        markdown::render(&r),
        "## infra-lint\n\nNo findings in 1 file (1 resource).\n"
    );
}

#[test]
fn markdown_never_shows_source_text() {
    let dir = repo().join("fixtures/ecs-container-plaintext-secret/fail");
    let r = check(Request {
        dir,
        ..Default::default()
    });
    assert!(!r.redact.is_empty());
    let md = markdown::render(&r);
    for s in &r.redact {
        let secret = &r.sources.get(s.file).text[s.start..s.end];
        let secret = secret.trim_matches('"');
        assert!(secret.len() > 3 && !md.contains(secret), "{secret} in {md}");
    }
}

// ---- junit -------------------------------------------------------------------------------

fn parse_junit(xml: &str) -> quick_junit::Report {
    quick_junit::Report::deserialize_from_str(xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"))
}

fn failures(report: &quick_junit::Report) -> Vec<(String, String, String)> {
    use quick_junit::{NonSuccessKind, TestCaseStatus};
    report
        .test_suites
        .iter()
        .flat_map(|s| s.test_cases.iter().map(move |c| (s, c)))
        .filter_map(|(s, c)| match &c.status {
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Failure,
                message,
                ..
            } => Some((
                s.name.as_str().to_string(),
                c.name.as_str().to_string(),
                message.as_ref().unwrap().as_str().to_string(),
            )),
            _ => None,
        })
        .collect()
}

fn assert_junit_counts(r: &CheckResult, report: &quick_junit::Report) {
    assert_eq!(report.failures, r.findings.len());
    assert_eq!(report.errors, r.errors.len());
    let mut got: Vec<(String, String)> = failures(report)
        .into_iter()
        .map(|(suite, _, message)| (suite, message))
        .collect();
    let mut want: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| (format!("{} {}", f.code, f.name), f.message.clone()))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let mut cases = 0;
    for s in &report.test_suites {
        let mut names: Vec<&str> = s.test_cases.iter().map(|c| c.name.as_str()).collect();
        cases += names.len();
        assert_eq!(s.tests, names.len());
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(
            names.len(),
            n,
            "case names in {} are unique",
            s.name.as_str()
        );
    }
    assert_eq!(report.tests, cases);
}

#[test]
fn junit_parses_with_a_failure_per_finding() {
    use quick_junit::TestCaseStatus;
    let r = canonical();
    let report = parse_junit(&junit::render(&r));
    assert_junit_counts(&r, &report);
    // A suite per rule that ran, after the checker's own.
    let names: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names[0], "infra-lint");
    let rules: Vec<String> = r
        .rules_run
        .iter()
        .map(|(m, _)| format!("{} {}", m.code, m.name))
        .collect();
    assert_eq!(
        names[1..],
        rules.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    let rds = &report.test_suites[1 + rules.iter().position(|n| n.starts_with("RDS001")).unwrap()];
    let status = |name: &str| {
        &rds.test_cases
            .iter()
            .find(|c| c.name.as_str() == name)
            .unwrap_or_else(|| panic!("{name} in {rds:#?}"))
            .status
    };
    assert!(matches!(
        status("aws_db_instance.main"),
        TestCaseStatus::NonSuccess { .. }
    ));
    match status("aws_db_instance.reports") {
        TestCaseStatus::Skipped { message, ty, .. } => {
            let rds = r
                .not_evaluated
                .iter()
                .find(|n| n.code.as_deref() == Some("RDS001"))
                .unwrap();
            assert_eq!(message.as_ref().unwrap().as_str(), rds.reason);
            assert_eq!(ty.as_ref().unwrap().as_str(), "not-evaluated");
        }
        s => panic!("{s:?}"),
    }
    match status("aws_db_instance.demo") {
        TestCaseStatus::Skipped { ty, .. } => {
            assert_eq!(ty.as_ref().unwrap().as_str(), "suppressed")
        }
        s => panic!("{s:?}"),
    }
    // A rule that found nothing passes once.
    let quiet = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str().starts_with("SG001"))
        .unwrap();
    assert_eq!(quiet.test_cases.len(), 1);
    assert_eq!(quiet.test_cases[0].name.as_str(), "no findings");
    assert!(matches!(
        quiet.test_cases[0].status,
        TestCaseStatus::Success { .. }
    ));
}

#[test]
fn junit_keeps_every_finding_of_one_resource() {
    let r = check(Request {
        dir: repo().join("fixtures/ecs-container-plaintext-secret/fail"),
        ..Default::default()
    });
    let per_resource = r
        .findings
        .iter()
        .filter(|f| f.code == "ECS005" && f.resource == "aws_ecs_task_definition.web")
        .count();
    assert!(
        per_resource > 1,
        "the fixture reports one resource more than once"
    );
    assert_junit_counts(&r, &parse_junit(&junit::render(&r)));
}

// ---- places outside configuration --------------------------------------------------------

#[test]
fn state_and_live_findings_appear_in_every_format() {
    let (_dir, state) = state_only();
    let live = live_only();
    for (r, kind) in [(&state, "state"), (&live, "live")] {
        let outside: Vec<_> = r.findings.iter().filter(|f| f.span().is_none()).collect();
        assert!(!outside.is_empty(), "{kind}: a finding with no source line");
        let place =
            |f: &infra_lint::rules::Finding| f.location.as_ref().unwrap().describe(&r.sources);

        let commands = parse_commands(&github::render(r));
        assert_annotates_findings(r, &commands);
        for f in &outside {
            assert!(
                commands
                    .iter()
                    .any(|c| c.message.contains(&format!("\nat {}\n", place(f)))),
                "{kind}: {} named in {commands:#?}",
                place(f)
            );
        }

        let md = markdown::render(r);
        let rows = finding_rows(&md);
        assert_eq!(rows.len(), r.findings.len());
        for f in &outside {
            assert!(
                rows.iter().any(|row| row[3] == format!("`{}`", place(f))
                    && row[4].contains(&f.message.replace('_', "\\_"))),
                "{kind}: {} in\n{md}",
                place(f)
            );
        }

        let report = parse_junit(&junit::render(r));
        assert_junit_counts(r, &report);
        let failed = failures(&report);
        for f in &outside {
            assert!(
                failed
                    .iter()
                    .any(|(_, name, m)| name.starts_with(&f.resource) && *m == f.message),
                "{kind}: {} in {failed:#?}",
                f.resource
            );
        }
    }
    assert!(state
        .findings
        .iter()
        .any(|f| matches!(f.location, Some(Location::State { .. }))));
    assert!(live
        .findings
        .iter()
        .any(|f| matches!(f.location, Some(Location::Live { .. }))));
}
