//! `--format junit`: JUnit XML for CI dashboards.
//!
//! - One `<testsuite>` per rule that ran, named `CODE name`, its effective severity as a
//!   property.
//! - One failing `<testcase>` per finding, named by its resource (`aws_db_instance.main`);
//!   when a rule reports one resource more than once, each case adds its place to the name, so
//!   names stay unique and every finding keeps its own `<failure>` (a case holds only one).
//! - A resource a rule could not decide, with no finding, is a skipped case giving the reason;
//!   so is a suppressed finding, with the suppression's reason.
//! - A rule with none of these has one passing case named `no findings`. The result does not
//!   say which resources a rule examined, so there is no passing case per resource.
//! - Input errors are errored cases in a first suite named `infra-lint`, with the notes that
//!   no rule made and the calls a live scan could not make, as skipped cases.
//!
//! No timestamps or durations: the same check gives the same document.
use super::github::place;
use super::CheckResult;
use crate::rules::Finding;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

/// The suite of a rule's cases (and of the checker's own), named as the reports name rules.
struct Suite {
    code: String,
    name: String,
    severity: Option<&'static str>,
    /// (name, where it is for telling same-named cases apart, status)
    cases: Vec<(String, String, TestCaseStatus)>,
}

impl Suite {
    fn new(code: &str, name: &str, severity: Option<&'static str>) -> Suite {
        Suite {
            code: code.to_string(),
            name: name.to_string(),
            severity,
            cases: Vec::new(),
        }
    }
    fn title(&self) -> String {
        if self.name.is_empty() {
            self.code.clone()
        } else {
            format!("{} {}", self.code, self.name)
        }
    }
}

fn status(kind: Option<NonSuccessKind>, message: &str, ty: &str, text: &str) -> TestCaseStatus {
    let mut s = match kind {
        Some(k) => TestCaseStatus::non_success(k),
        None => TestCaseStatus::skipped(),
    };
    s.set_message(message).set_type(ty);
    if !text.is_empty() {
        s.set_description(text);
    }
    s
}

/// What a failure's text says besides its message: where, the places it names, the fix and
/// the rule's page.
fn details(r: &CheckResult, f: &Finding) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(l) = &f.location {
        lines.push(format!("at {}", place(r, l)));
    }
    super::github::related_help_see(r, f, &mut lines);
    lines
}

/// A case's name: the resource, else (an unused suppression names none) its place.
fn subject(r: &CheckResult, f: &Finding) -> (String, String) {
    let at = f.location.as_ref().map(|l| place(r, l)).unwrap_or_default();
    let name = if f.resource.is_empty() {
        at.clone()
    } else {
        f.resource.clone()
    };
    (name, at)
}

fn suite_for<'s>(suites: &'s mut Vec<Suite>, code: &str, name: &str) -> &'s mut Suite {
    let i = match suites.iter().position(|s| s.code == code) {
        Some(i) => i,
        None => {
            // A result built elsewhere may hold findings of a rule it does not list as run:
            // they still get a suite, so every finding is a failure.
            suites.push(Suite::new(code, name, None));
            suites.len() - 1
        }
    };
    &mut suites[i]
}

/// Names within a suite made unique: first by adding the place, then a number.
fn unique_names(cases: Vec<(String, String, TestCaseStatus)>) -> Vec<(String, TestCaseStatus)> {
    let count = |names: &[String], n: &str| names.iter().filter(|m| *m == n).count();
    let bare: Vec<String> = cases.iter().map(|c| c.0.clone()).collect();
    let placed: Vec<String> = cases
        .iter()
        .map(|(name, at, _)| {
            if count(&bare, name) > 1 && !at.is_empty() && at != name {
                format!("{name} at {at}")
            } else {
                name.clone()
            }
        })
        .collect();
    let mut seen: Vec<String> = Vec::new();
    cases
        .into_iter()
        .zip(placed.iter())
        .map(|((_, _, status), name)| {
            let mut n = name.clone();
            if count(&placed, name) > 1 {
                n = format!("{name} #{}", count(&seen, name) + 1);
            }
            seen.push(name.clone());
            (n, status)
        })
        .collect()
}

pub fn render(r: &CheckResult) -> String {
    let mut own = Suite::new("infra-lint", "", None);
    for e in &r.errors {
        let at = e.location.as_ref().map(|l| place(r, l)).unwrap_or_default();
        let name = if at.is_empty() {
            "input error".to_string()
        } else {
            format!("input error at {at}")
        };
        own.cases.push((
            name,
            String::new(),
            status(
                Some(NonSuccessKind::Error),
                &e.message,
                "input-error",
                &e.location
                    .as_ref()
                    .map_or(String::new(), |_| format!("at {at}")),
            ),
        ));
    }
    let mut suites: Vec<Suite> = r
        .rules_run
        .iter()
        .map(|(m, s)| Suite::new(m.code, m.name, Some(s.as_str())))
        .collect();
    for f in &r.findings {
        let (name, at) = subject(r, f);
        let mut text = details(r, f);
        // A case that fails also tells what the rule could not decide about the resource.
        let undecided = r.not_evaluated.iter().filter(|n| {
            n.code.as_deref() == Some(f.code) && n.subject == f.resource && !f.resource.is_empty()
        });
        text.extend(undecided.map(|n| format!("not evaluated: {}", n.reason)));
        let st = status(
            Some(NonSuccessKind::Failure),
            &f.message,
            f.severity.as_str(),
            &text.join("\n"),
        );
        suite_for(&mut suites, f.code, f.name)
            .cases
            .push((name, at, st));
    }
    // One skipped case per undecided resource, its reasons together.
    let mut undecided: Vec<(&str, &str, Vec<&crate::diag::NotEvaluated>)> = Vec::new();
    for n in &r.not_evaluated {
        let Some(code) = n.code.as_deref() else {
            let at = n.location.as_ref().map(|l| place(r, l)).unwrap_or_default();
            let text = n
                .location
                .as_ref()
                .map_or(String::new(), |_| format!("at {at}"));
            own.cases.push((
                n.subject.clone(),
                at,
                status(None, &n.reason, "not-evaluated", &text),
            ));
            continue;
        };
        if r.findings
            .iter()
            .any(|f| f.code == code && f.resource == n.subject)
        {
            continue;
        }
        match undecided
            .iter_mut()
            .find(|(c, s, _)| *c == code && *s == n.subject)
        {
            Some((_, _, notes)) => notes.push(n),
            None => undecided.push((code, &n.subject, vec![n])),
        }
    }
    for (code, subject, notes) in undecided {
        let reasons: Vec<&str> = notes.iter().map(|n| n.reason.as_str()).collect();
        // With one note the message is its reason; with several, each place keeps its own.
        let text: Vec<String> = notes
            .iter()
            .filter_map(|n| {
                let at = place(r, n.location.as_ref()?);
                Some(if notes.len() == 1 {
                    format!("at {at}")
                } else {
                    format!("at {at}: {}", n.reason)
                })
            })
            .collect();
        let name = crate::rules::registry::find(code).map_or("", |r| r.meta().name);
        suite_for(&mut suites, code, name).cases.push((
            subject.to_string(),
            String::new(),
            status(None, &reasons.join("; "), "not-evaluated", &text.join("\n")),
        ));
    }
    for s in &r.suppressed {
        let f = &s.finding;
        let (name, at) = subject(r, f);
        let reason = if s.reason.is_empty() {
            "suppressed (no reason given)".to_string()
        } else {
            format!("suppressed: {}", s.reason)
        };
        let comment = place(r, &crate::source::Location::Source(s.at.clone()));
        let text = format!("{}\nat {at}\nby the comment at {comment}", f.message);
        suite_for(&mut suites, f.code, f.name).cases.push((
            name,
            at,
            status(None, &reason, "suppressed", &text),
        ));
    }
    for call in &r.not_readable {
        own.cases.push((
            format!("not checked: {call}"),
            String::new(),
            status(
                None,
                "the live scan could not read it; the rules that need it are not evaluated",
                "not-checked",
                "",
            ),
        ));
    }

    let mut report = Report::new("infra-lint");
    let all = std::iter::once(own).filter(|s| !s.cases.is_empty());
    for mut suite in all.chain(suites) {
        if suite.cases.is_empty() {
            suite.cases.push((
                "no findings".into(),
                String::new(),
                TestCaseStatus::success(),
            ));
        }
        let title = suite.title();
        let mut ts = TestSuite::new(title.as_str());
        if let Some(sev) = suite.severity {
            ts.add_property(Property::new("severity", sev));
        }
        for (name, st) in unique_names(suite.cases) {
            let mut case = TestCase::new(name, st);
            case.set_classname(title.as_str());
            ts.add_test_case(case);
        }
        report.add_test_suite(ts);
    }
    // Writing to memory cannot fail.
    report.to_string().unwrap_or_default()
}
