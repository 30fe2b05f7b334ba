//! What the binary tells about itself: `rules` (sources, fix kinds), shell completions, the
//! manual page, and `show` offering only the formats it writes.
mod common;
use clap::CommandFactory;
use common::*;
use infra_lint::rules::registry::RULES;
use infra_lint::rules::FixAvailability;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

/// (exit code, stdout, stderr).
fn run_full(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `which` finds `program` on PATH.
fn installed(program: &str) -> bool {
    Command::new("which")
        .arg(program)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

// ---- rules ----

#[test]
fn rules_human_output() {
    let (code, out) = run(&["rules"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("rules_human", out);
}

/// The table's rows split into cells (columns are at least two spaces apart; only the summary,
/// the last, holds single spaces).
fn table_rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

/// The fix mark, written from the JSON alone: the human table must say the same.
fn mark_from_json(rule: &serde_json::Value) -> String {
    let kinds: Vec<&str> = rule["fix_kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    match rule["fix"].as_str().unwrap() {
        "none" => "none".into(),
        "sometimes" => format!("{}*", kinds.join("/")),
        "always" => kinds.join("/"),
        other => panic!("unknown fix availability {other:?}"),
    }
}

#[test]
fn rules_json_and_table_say_the_same() {
    let (code, out) = run(&["rules"]);
    assert_eq!(code, 0);
    let rows = table_rows(&out);
    assert_eq!(
        rows[0],
        ["code", "name", "category", "severity", "sources", "fix", "summary"]
    );
    let (code, json) = run(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rules = json.as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    assert_eq!(rows.len(), RULES.len() + 1);
    for (rule, row) in rules.iter().zip(&rows[1..]) {
        // The keys from before the fix kinds stay.
        for key in [
            "code", "name", "category", "severity", "summary", "fix", "inputs", "options",
        ] {
            assert!(rule.get(key).is_some(), "{rule}: lacks {key}");
        }
        let inputs: Vec<&str> = rule["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        let want = [
            rule["code"].as_str().unwrap().to_string(),
            rule["name"].as_str().unwrap().to_string(),
            rule["category"].as_str().unwrap().to_string(),
            rule["severity"].as_str().unwrap().to_string(),
            inputs.join(","),
            mark_from_json(rule),
            rule["summary"].as_str().unwrap().to_string(),
        ];
        assert_eq!(row, &want, "table row of {}", want[0]);
    }
    // The legend explains every word the fix column uses.
    let legend = &out[out.find("\n\n").expect("a legend after the table")..];
    for word in ["safe:", "unsafe:", "display-only:", "none:", "a/b:", "*:"] {
        assert!(legend.contains(word), "legend lacks {word}:\n{legend}");
    }
}

#[test]
fn fix_kinds_use_one_vocabulary_and_agree_with_availability() {
    let (_, json) = run(&["rules", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    for rule in json.as_array().unwrap() {
        let kinds = rule["fix_kinds"].as_array().unwrap();
        for k in kinds {
            assert!(
                ["safe", "unsafe", "display-only"].contains(&k.as_str().unwrap()),
                "{}: fix kind {k}",
                rule["code"]
            );
        }
        assert_eq!(
            kinds.is_empty(),
            rule["fix"] == "none",
            "{}: fix kinds exactly when fixes are available",
            rule["code"]
        );
    }
}

/// A rule's declared fix kinds are exactly those its `fail*` fixtures emit: a kind it emits
/// but does not declare, or declares but no fixture shows, fails.
#[test]
fn declared_fix_kinds_are_what_the_fixtures_emit() {
    for r in RULES {
        let m = r.meta();
        let base = root().join("fixtures").join(m.name);
        let mut emitted = BTreeSet::new();
        let mut without_fix = 0;
        let mut cases: Vec<_> = std::fs::read_dir(&base)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_dir()
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("fail"))
            })
            .collect();
        cases.sort();
        for dir in cases {
            let args = fixture_args(&dir, m.code);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, json) = check_json(&dir, &args);
            // A case that expects input errors (tests/rules_harness.rs) exits 2.
            let exit = if dir.join("expect-errors.txt").is_file() {
                2
            } else {
                1
            };
            assert_eq!(code, exit, "{}: {} has findings", m.code, dir.display());
            for f in json["findings"].as_array().unwrap() {
                if f["code"] != m.code {
                    continue;
                }
                match f["fix"]["applicability"].as_str() {
                    Some(a) => {
                        emitted.insert(a.to_string());
                    }
                    None => without_fix += 1,
                }
            }
        }
        let declared: BTreeSet<String> =
            m.fix_kinds.iter().map(|k| k.as_str().to_string()).collect();
        assert_eq!(
            emitted, declared,
            "{}: fix kinds emitted vs declared",
            m.code
        );
        if m.fix == FixAvailability::Always {
            assert_eq!(without_fix, 0, "{}: declares a fix always", m.code);
        }
    }
}

// ---- completions ----

fn completions(shell: &str) -> String {
    let (code, out, err) = run_full(&["completions", shell]);
    assert_eq!(code, 0, "completions {shell}: {err}");
    assert!(!out.trim().is_empty(), "completions {shell}: empty");
    assert!(out.contains("check"), "completions {shell}: no `check`");
    out
}

fn script_file(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

/// What bash offers for the last word of `words`, with the script loaded as `complete` would
/// call it.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    const DRIVER: &str = r#"
source "$1"; shift
fn=$(complete -p infra-lint | sed -E 's/.*-F ([^ ]+).*/\1/')
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
"$fn" infra-lint "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let o = Command::new("bash")
        .arg("-c")
        .arg(DRIVER)
        .arg("driver")
        .arg(script)
        .args(words)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success() && err.is_empty(), "bash: {err}");
    out.lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn bash_completions_parse_and_complete_subcommand_flags() {
    let script = completions("bash");
    assert!(script.contains("--format"));
    let f = script_file(&script);
    let o = Command::new("bash")
        .arg("-n")
        .arg(f.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "bash -n: {}", text(&o).1);
    // Past a subcommand: clap_complete alone completes nothing there for a hyphenated name.
    let got = bash_complete(f.path(), &["infra-lint", "check", "--for"]);
    assert_eq!(got, ["--format"]);
    let got = bash_complete(f.path(), &["infra-lint", "show", "--format", ""]);
    assert_eq!(got, ["json"]);
    let got = bash_complete(f.path(), &["infra-lint", "completions", "z"]);
    assert_eq!(got, ["zsh"]);
    let got = bash_complete(f.path(), &["infra-lint", "ru"]);
    assert_eq!(got, ["rules", "rule"]);
}

#[test]
fn zsh_completions() {
    let script = completions("zsh");
    assert!(script.starts_with("#compdef infra-lint"));
    assert!(script.contains("--format"));
    if !installed("zsh") {
        eprintln!("zsh is not installed: checked the script's text only");
        return;
    }
    let f = script_file(&script);
    let o = Command::new("zsh")
        .arg("-n")
        .arg(f.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "zsh -n: {}", text(&o).1);
}

#[test]
fn fish_completions() {
    let script = completions("fish");
    // fish names long options without their dashes.
    assert!(script.contains("-l format"));
    if !installed("fish") {
        eprintln!("fish is not installed: checked the script's text only");
        return;
    }
    let f = script_file(&script);
    let o = Command::new("fish")
        .arg("--no-execute")
        .arg(f.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "fish --no-execute: {}", text(&o).1);
    let complete = |line: &str| -> Vec<String> {
        let o = Command::new("fish")
            .arg("--no-config")
            .arg("-c")
            .arg(format!(
                "source {}; complete -C '{line}'",
                f.path().display()
            ))
            .output()
            .unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success(), "fish: {err}");
        // A candidate, then a tab and its description.
        out.lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(complete("infra-lint check --for"), ["--format"]);
    assert_eq!(complete("infra-lint show --format "), ["json"]);
}

#[test]
fn powershell_and_elvish_completions() {
    for shell in ["powershell", "elvish"] {
        let script = completions(shell);
        assert!(script.contains("--format"), "{shell}: no --format");
    }
    let script = completions("powershell");
    assert!(script.contains("Register-ArgumentCompleter"));
    for (shell, program) in [("powershell", "pwsh"), ("elvish", "elvish")] {
        if !installed(program) {
            eprintln!("{program} is not installed: checked the {shell} script's text only");
        }
    }
}

#[test]
fn completions_for_an_unknown_shell_are_a_usage_error() {
    let (code, out, err) = run_full(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("possible values: bash"), "{err}");
}

// ---- man ----

/// The commands a page must name: every subcommand of the parser but clap's `help`.
fn subcommands() -> Vec<clap::Command> {
    infra_lint::cli::Cli::command()
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .cloned()
        .collect()
}

/// A long option as roff writes it in bold (`\fB\-\-var\-file\fR`).
fn roff_flag(long: &str) -> String {
    format!(r"\fB\-\-{}\fR", long.replace('-', r"\-"))
}

/// The `.TH` line: the first after the preamble that defines the apostrophe string.
fn title_line(page: &str) -> &str {
    page.lines()
        .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
        .unwrap_or_default()
}

fn man_page(args: &[&str]) -> String {
    let out = bin()
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let (page, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    page
}

#[test]
fn man_page_documents_every_command_and_the_check_flags() {
    let page = man_page(&["man"]);
    // Title, section, date, source; the manual (last) is empty.
    assert_eq!(
        title_line(&page).trim_end(),
        r#".TH infra-lint 1 2023-11-14 "infra-lint 0.1.0""#
    );
    for sub in subcommands() {
        let heading = format!(".SS \"infra-lint {}\"", sub.get_name());
        assert!(page.contains(&heading), "no {heading}");
    }
    let check = subcommands()
        .into_iter()
        .find(|s| s.get_name() == "check")
        .unwrap();
    let longs: Vec<&str> = check.get_arguments().filter_map(|a| a.get_long()).collect();
    assert!(longs.contains(&"unsafe-fixes") && longs.contains(&"format"));
    let at = page.find(".SS \"infra-lint check\"").unwrap();
    let end = page[at + 1..]
        .find(".SS ")
        .map_or(page.len(), |e| at + 1 + e);
    for long in longs {
        assert!(
            page[at..end].contains(&roff_flag(long)),
            "check's --{long} is not on the page"
        );
    }
    // `show` documents only the format it writes.
    let at = page.find(".SS \"infra-lint show\"").unwrap();
    let end = at + 1 + page[at + 1..].find(".SS ").unwrap();
    assert!(!page[at..end].contains("human"));
    render(&page);
}

#[test]
fn man_out_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    let listed = man_page(&["man", "--out", &d]);
    let mut want: Vec<String> = vec!["infra-lint.1".into()];
    want.extend(
        subcommands()
            .iter()
            .map(|s| format!("infra-lint-{}.1", s.get_name())),
    );
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    want.sort();
    assert_eq!(files, want);
    let mut listed: Vec<String> = listed
        .lines()
        .map(|l| {
            Path::new(l)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    listed.sort();
    assert_eq!(listed, want, "stdout lists the pages written");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("infra-lint.1")).unwrap(),
        man_page(&["man"])
    );
    for file in &files {
        let page = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let title = file.trim_end_matches(".1");
        assert!(
            title_line(&page).starts_with(&format!(".TH {title} 1 2023-11-14 ")),
            "{file}: {}",
            title_line(&page)
        );
        render(&page);
    }
    let check = std::fs::read_to_string(dir.path().join("infra-lint-check.1")).unwrap();
    for long in [
        "format",
        "fix",
        "unsafe-fixes",
        "diff",
        "select",
        "live-from",
    ] {
        assert!(
            check.contains(&roff_flag(long)),
            "infra-lint-check.1: --{long}"
        );
    }
}

#[test]
fn man_rejects_a_malformed_source_date_epoch() {
    let out = bin()
        .args(["man"])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("SOURCE_DATE_EPOCH"));
}

/// Renders a page with every renderer on the machine and requires it to warn about nothing.
fn render(page: &str) {
    let f = script_file(page);
    let mut renderers = 0;
    if installed("groff") {
        renderers += 1;
        // -k: the page is UTF-8 (`…`, `×`), read through preconv as man does.
        let o = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(f.path())
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert!(o.status.success() && err.is_empty(), "groff: {err}");
    }
    if installed("man") {
        renderers += 1;
        let o = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(f.path())
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success() && err.is_empty(), "man: {err}");
        assert!(out.contains("infra-lint"), "man rendered nothing:\n{out}");
    }
    if installed("mandoc") {
        renderers += 1;
        let o = Command::new("mandoc")
            .args(["-T", "lint", "-W", "warning"])
            .arg(f.path())
            .output()
            .unwrap();
        let (out, err) = text(&o);
        // clap_mangen lists possible values after `.br`, a blank line and `.br`; mandoc notes
        // that it drops the redundant breaks (the page reads the same). Anything else fails.
        let other: Vec<&str> = out
            .lines()
            .chain(err.lines())
            .filter(|l| !l.contains("WARNING: skipping paragraph macro: br"))
            .collect();
        assert!(other.is_empty(), "mandoc:\n{}", other.join("\n"));
    }
    if renderers == 0 {
        eprintln!("none of groff, man, mandoc is installed: the page was not rendered");
    }
}

// ---- show ----

#[test]
fn show_offers_only_json() {
    let (code, help, _) = run_full(&["show", "--help"]);
    assert_eq!(code, 0);
    let format = help
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("--format"))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(format.contains("[possible values: json]"), "{help}");
    assert!(!help.contains("human"), "{help}");

    let dir = tree(&[("main.tf", b"resource \"aws_vpc\" \"v\" {}\n")]);
    let d = dir.path().to_string_lossy().into_owned();
    let (code, out, err) = run_full(&["show", &d, "--format", "human"]);
    assert_eq!(code, 2, "a usage error: {err}");
    assert!(out.is_empty());
    assert!(
        err.contains("invalid value 'human' for '--format <FORMAT>'")
            && err.contains("[possible values: json]"),
        "{err}"
    );

    let (code, out, _) = run_full(&["show", &d, "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["resources"][0]["address"], "aws_vpc.v");
    let (code, default, _) = run_full(&["show", &d]);
    assert_eq!(code, 0);
    assert_eq!(default, out, "json is the default");
}
