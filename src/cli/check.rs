//! `infra-lint check`: load, evaluate, run the rules, suppress, fix, report.
use super::{LoadArgs, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::config::{Overrides, Settings};
use crate::diag::fix::{self, Applicability, TextEdit};
use crate::diag::InputError;
use crate::engine::Request;
use crate::report::{human, CheckResult};
use crate::rules::Severity;
use std::path::{Path, PathBuf};

/// What `--format` can write.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Source excerpts and a summary, for a terminal.
    Human,
    /// The JSON contract (README.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request's diff.
    Github,
    /// A summary table, for $GITHUB_STEP_SUMMARY and pull request comments.
    Markdown,
    /// JUnit XML, for CI dashboards.
    Junit,
}

/// One `--format FORMAT[=FILE]`: a format and where it goes (stdout without a file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub format: OutputFormat,
    pub file: Option<PathBuf>,
}

fn parse_output(s: &str) -> Result<Output, String> {
    let (name, file) = match s.split_once('=') {
        Some((n, "")) => return Err(format!("{n}= needs a file name")),
        Some((n, f)) => (n, Some(PathBuf::from(f))),
        None => (s, None),
    };
    let format = <OutputFormat as clap::ValueEnum>::from_str(name, true).map_err(|_| {
        format!("unknown format {name:?}; one of human, json, sarif, github, markdown, junit")
    })?;
    Ok(Output { format, file })
}

/// `--fail-on`: the least severe finding that fails the run.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Findings never fail the run (input errors still do).
    Never,
}

impl FailOn {
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Error => s == Severity::Error,
            FailOn::Warning => s != Severity::Note,
            FailOn::Note => true,
            FailOn::Never => false,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

/// Which rules run and how: shared by `check` and `baseline`.
#[derive(clap::Args, Debug, Clone)]
pub struct SelectArgs {
    /// Configuration file (default: infra-lint.toml in DIR or a parent, up to the git root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Every managed resource's AWS name must start with this (rule NAME001).
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,
    /// Run only these rules: codes, names or code prefixes (`RDS001,ecs-port-mismatch,SG`).
    /// Replaces `select` and `ignore` from the configuration file.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (adds to `ignore` from the configuration file).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

impl SelectArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            name_prefix: self.name_prefix.clone(),
            select: self.select.clone(),
            ignore: self.ignore.clone(),
        }
    }
}

/// Which directories: as named, or every root module under them.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WalkArgs {
    /// Check every root module under each DIR: a directory with .tf files that no other
    /// directory there calls as a local module (skipping .terraform/, hidden directories and
    /// what .gitignore ignores); one combined report, paths relative to DIR.
    #[arg(long, short = 'r')]
    pub recursive: bool,
    /// Check this many root modules at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(usize))]
    pub jobs: Option<usize>,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Output: FORMAT or FORMAT=FILE, repeatable (human, json, sarif, github, markdown,
    /// junit). Without =FILE it goes to stdout (one at most); when none does, human does.
    #[arg(long = "format", value_name = "FORMAT[=FILE]", value_parser = parse_output)]
    pub formats: Vec<Output>,
    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "error")]
    pub fail_on: FailOn,
    /// Colour in the human output.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Report only findings not in this baseline (written by `infra-lint baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings in files changed since this git revision (and, where a local
    /// module changed, every finding of the roots that call it).
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Apply safe fixes to the files, then check again and report what is left.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, include fixes that change behaviour (review them).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff; write nothing.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
}

/// Runs the whole pipeline on a request.
pub fn check(req: &Request, settings: &Settings) -> Result<CheckResult, String> {
    crate::engine::run(req, settings)
}

/// The edits `--fix`/`--diff` would make for these findings.
fn fix_edits(result: &CheckResult, unsafe_fixes: bool) -> Vec<TextEdit> {
    let mut edits = Vec::new();
    for f in &result.findings {
        let Some(fx) = &f.fix else { continue };
        let allowed = match fx.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => unsafe_fixes,
            Applicability::DisplayOnly => false,
        };
        if !allowed {
            continue;
        }
        if let Some(es) = &f.edits {
            // All edits of one fix, or none of them.
            if es.iter().all(|e| !edits.iter().any(|x| overlaps(x, e))) {
                edits.extend(es.iter().cloned());
            }
        }
    }
    edits
}

fn overlaps(a: &TextEdit, b: &TextEdit) -> bool {
    a.file == b.file && !(a.end <= b.start || b.end <= a.start)
}

/// Puts back the texts a fix pass overwrote.
fn restore(written: &[(PathBuf, String)]) -> Result<(), String> {
    for (path, old) in written {
        std::fs::write(path, old).map_err(|e| format!("cannot restore {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Applies fixes until none are left (or a pass changes nothing), re-checking each time.
/// A pass that would make a file unreadable is rolled back and reported.
fn fix_loop(unsafe_fixes: bool, req: &Request, settings: &Settings) -> Result<CheckResult, String> {
    let mut fixed = 0;
    let mut result = check(req, settings)?;
    for _ in 0..10 {
        let edits = fix_edits(&result, unsafe_fixes);
        if edits.is_empty() {
            break;
        }
        let (texts, n) = fix::apply(&result.sources, &edits);
        let mut written = Vec::new();
        for (file, text) in &texts {
            let f = result.sources.get(*file);
            if let Err(e) = std::fs::write(&f.path, text) {
                // The pass is all or nothing: a half-applied fix (a variable renamed in one file,
                // not in the other) is worse than none.
                restore(&written)?;
                return Err(format!(
                    "cannot write {}: {e}; no fix of this pass was applied",
                    f.path.display()
                ));
            }
            written.push((f.path.clone(), f.text.clone()));
        }
        let errors_before = result.errors.len();
        let next = check(req, settings)?;
        if next.errors.len() > errors_before {
            restore(&written)?;
            let mut r = check(req, settings)?;
            r.fixed = fixed;
            r.errors.push(InputError::new(
                "a fix would have made the configuration invalid; it was not applied (please report this)",
                None,
            ));
            return Ok(r);
        }
        fixed += n;
        result = next;
    }
    result.fixed = fixed;
    Ok(result)
}

/// Masks every secret's text in a diff, as excerpts do: its context lines may hold a password.
/// The diff then no longer applies to those lines; printing the secret would be worse.
fn mask_secrets(result: &CheckResult, mut diff: String) -> String {
    for s in &result.redact {
        let Some(text) = result.sources.get(s.file).text.get(s.start..s.end) else {
            continue;
        };
        for piece in text.lines().map(str::trim).filter(|p| p.len() > 2) {
            let masked: String = piece
                .chars()
                .map(|c| if c == '"' { c } else { '*' })
                .collect();
            diff = diff.replace(piece, &masked);
        }
    }
    diff
}

/// The directories named on the command line: a file stands for its directory; repeats (by
/// canonical path) are checked once. Paths that do not exist are input errors.
pub fn directories(paths: &[PathBuf]) -> (Vec<(PathBuf, String)>, Vec<InputError>) {
    let mut dirs: Vec<(PathBuf, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut errors = Vec::new();
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    for p in paths {
        let dir = if p.is_file() {
            match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            }
        } else if p.is_dir() {
            p.clone()
        } else if p.exists() {
            errors.push(InputError::new(
                format!("{} is neither a file nor a directory", p.display()),
                None,
            ));
            continue;
        } else {
            errors.push(InputError::new(
                format!("{} does not exist", p.display()),
                None,
            ));
            continue;
        };
        let key = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if seen.insert(key) {
            let shown = dir.to_string_lossy().replace('\\', "/");
            let shown = shown
                .strip_prefix("./")
                .unwrap_or(&shown)
                .trim_end_matches('/');
            let shown = if shown.is_empty() { "." } else { shown }.to_string();
            dirs.push((dir, shown));
        }
    }
    (dirs, errors)
}

/// Whether `dir` holds a Terraform file of its own (modules it calls do not count).
fn has_terraform_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            (n.ends_with(".tf") || n.ends_with(".tf.json")) && e.path().is_file()
        })
    })
}

/// How the findings of one directory are produced.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Check,
    Fix { unsafe_fixes: bool },
}

/// Each directory to check, with the prefix its paths get in the combined report: the
/// directories as named, or with `--recursive` every root module under them.
type Target = (PathBuf, String, Option<String>);

fn targets(
    given: Vec<(PathBuf, String)>,
    walk: &WalkArgs,
    errors: &mut Vec<InputError>,
    uses: &mut std::collections::HashMap<PathBuf, usize>,
) -> Vec<Target> {
    let mut dirs: Vec<Target> = Vec::new();
    if walk.recursive {
        let mut seen = std::collections::HashSet::new();
        for (dir, shown) in &given {
            let found = crate::hcl::roots::discover(dir);
            for (d, n) in found.uses {
                *uses.entry(d).or_default() += n;
            }
            let roots = found.roots;
            if roots.is_empty() {
                errors.push(InputError::new(
                    format!("{shown} has no root module (a directory with *.tf files) under it"),
                    None,
                ));
            }
            for root in roots {
                if !seen.insert(root.canonicalize().unwrap_or_else(|_| root.clone())) {
                    continue;
                }
                let rel = root
                    .strip_prefix(dir)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_else(|_| root.to_string_lossy().into_owned());
                // Paths relative to DIR; with several DIRs, DIR itself leads.
                let prefix = if given.len() > 1 {
                    format!("{shown}/{rel}")
                } else {
                    rel.clone()
                };
                let display = if rel.is_empty() {
                    shown.clone()
                } else {
                    format!("{shown}/{rel}")
                };
                dirs.push((root, display, Some(prefix)));
            }
        }
    } else {
        let several = given.len() > 1;
        dirs = given
            .into_iter()
            .map(|(d, shown)| {
                let prefix = several.then(|| shown.clone());
                (d, shown, prefix)
            })
            .collect();
    }
    dirs
}

/// Checks every directory the arguments name (fixing first when asked) and combines the
/// results into one. Usage errors are `Err`; everything about the input is in the result.
pub fn collect(
    load: &LoadArgs,
    select: &SelectArgs,
    walk: &WalkArgs,
    mode: Mode,
    changed_since: Option<&str>,
) -> Result<CheckResult, String> {
    let (given, mut errors) = directories(&load.paths);
    let changed = match (changed_since, given.first()) {
        (Some(rev), Some((d, _))) => Some(crate::report::changed::Changed::since(d, rev)?),
        _ => None,
    };
    let jobs = walk
        .jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| format!("cannot start {jobs} threads: {e}"))?;
    let mut uses = std::collections::HashMap::new();
    let dirs = pool.install(|| targets(given, walk, &mut errors, &mut uses));
    // Modules several roots call are read and parsed once; not when fixing, where a root's
    // fixes change the files the next root reads.
    let shared = matches!(mode, Mode::Check)
        .then(|| std::sync::Arc::new(crate::hcl::files::SharedFiles::new(uses)))
        .filter(|s| s.shared_dirs() > 0);
    if dirs.len() > 1 {
        let single = [
            (
                load.state.as_deref().is_some_and(|s| !s.is_empty()),
                "--state FILE",
            ),
            (load.plan.is_some(), "--plan"),
            (load.live, "--live"),
            (load.live_from.is_some(), "--live-from"),
        ];
        if let Some((_, flag)) = single.iter().find(|(given, _)| *given) {
            return Err(format!(
                "{flag} reads one root module's sources; check one directory with it \
                 (--state with no file reads each directory's own backend)"
            ));
        }
    }
    errors.extend(load.var_errors());
    let one =
        |(dir, shown, prefix): &(PathBuf, String, Option<String>)| -> Result<CheckResult, String> {
            let (settings, config_error) =
                Settings::load_or_default(dir, &select.overrides()).map_err(|e| e.message)?;
            let mut req = load.request_for(dir)?;
            let stdin_error = req.read_stdin(&settings.limits);
            req.load.shared = shared.clone();
            // Each root of a recursive check reads the task definition files under it; the
            // repository's workflows are not any one root's.
            if walk.recursive {
                req.task_definitions.workflows = false;
            }
            let other_sources = req.state.is_some()
                || req.plan.is_some()
                || req.live.is_some()
                || !req.task_definitions.files.is_empty();
            let mut result = if !has_terraform_files(dir) && !other_sources {
                CheckResult::failed(
                    crate::source::repository_root(dir),
                    vec![InputError::new(
                        format!(
                            "{shown} has no Terraform files (*.tf, *.tf.json): nothing to check \
                         (a wrong path must not pass)"
                        ),
                        None,
                    )],
                )
            } else {
                match mode {
                    Mode::Check => check(&req, &settings)?,
                    Mode::Fix { unsafe_fixes } => fix_loop(unsafe_fixes, &req, &settings)?,
                }
            };
            if let Some(e) = stdin_error {
                result.errors.insert(0, e);
            }
            if let Some(e) = config_error {
                result.errors.insert(0, InputError::new(e.message, None));
            }
            if let Some(c) = &changed {
                crate::report::changed::apply(&mut result, dir, c);
            }
            if let Some(p) = prefix {
                result.prefix_paths(p);
            }
            Ok(result)
        };
    // Roots are checked in parallel and combined in their order, so the report is the serial
    // one. Fixes run one root at a time: two roots calling one module would edit it at once.
    let results: Vec<Result<CheckResult, String>> =
        if jobs <= 1 || dirs.len() <= 1 || matches!(mode, Mode::Fix { .. }) {
            dirs.iter().map(one).collect()
        } else {
            use rayon::prelude::*;
            pool.install(|| dirs.par_iter().map(one).collect())
        };
    let mut combined: Option<CheckResult> = None;
    for r in results {
        let r = r?;
        match &mut combined {
            None => combined = Some(r),
            Some(c) => c.absorb(r),
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut result = combined
        .unwrap_or_else(|| CheckResult::failed(crate::source::repository_root(&cwd), vec![]));
    result.sort();
    errors.append(&mut result.errors);
    result.errors = errors;
    Ok(result)
}

/// The outputs asked for: at most one on stdout; human there when none is.
fn outputs(args: &CheckArgs) -> Result<Vec<Output>, String> {
    let mut outs = args.formats.clone();
    let on_stdout = outs.iter().filter(|o| o.file.is_none()).count();
    if on_stdout > 1 {
        return Err(
            "only one --format can go to stdout; give the others a file (FORMAT=FILE)".into(),
        );
    }
    if on_stdout == 0 {
        outs.insert(
            0,
            Output {
                format: OutputFormat::Human,
                file: None,
            },
        );
    }
    Ok(outs)
}

fn render(result: &CheckResult, format: OutputFormat, color: bool, quiet: bool) -> String {
    match format {
        OutputFormat::Human => human::render(
            result,
            &human::Options {
                width: 100,
                color,
                quiet,
            },
        ),
        OutputFormat::Json => crate::report::json::render(result),
        OutputFormat::Sarif => crate::report::sarif::render(result),
        OutputFormat::Github => crate::report::github::render(result),
        OutputFormat::Markdown => crate::report::markdown::render(result),
        OutputFormat::Junit => crate::report::junit::render(result),
    }
}

/// Whether the human output on stdout is coloured: `--color`, then NO_COLOR
/// (https://no-color.org), then whether stdout is a terminal.
fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
                && std::io::stdout().is_terminal()
        }
    }
}

/// The exit status of a finished check (README.md, "Exit codes").
pub fn status(result: &CheckResult, fail_on: FailOn) -> i32 {
    if !result.errors.is_empty() {
        EXIT_INPUT
    } else if result.findings.iter().any(|f| fail_on.fails(f.severity)) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn diff(args: &CheckArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let (given, mut errors) = directories(&args.load.paths);
    let dirs = targets(given, &args.walk, &mut errors, &mut Default::default());
    if let Some(e) = errors.first() {
        return Err(e.message.clone());
    }
    let mut any = false;
    for (dir, _, prefix) in &dirs {
        let settings = Settings::load(dir, &args.select.overrides()).map_err(|e| e.message)?;
        let mut result = check(&args.load.request_for(dir)?, &settings)?;
        if let Some(p) = prefix {
            result.prefix_paths(p);
        }
        let edits = fix_edits(&result, args.unsafe_fixes);
        let (texts, _) = fix::apply(&result.sources, &edits);
        let mut diff = String::new();
        for (file, text) in &texts {
            let f = result.sources.get(*file);
            diff.push_str(&fix::unified_diff(&f.display, &f.text, text));
        }
        any |= !texts.is_empty();
        let diff = mask_secrets(&result, diff);
        out.write_all(diff.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(if any { EXIT_FINDINGS } else { EXIT_OK })
}

pub fn run(args: &CheckArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    if args.unsafe_fixes && !args.fix && !args.diff {
        return Err("--unsafe-fixes applies to --fix and --diff; add one of them".into());
    }
    let outs = outputs(args)?;
    if args.diff {
        return diff(args, out);
    }
    let mode = if args.fix {
        Mode::Fix {
            unsafe_fixes: args.unsafe_fixes,
        }
    } else {
        Mode::Check
    };
    let mut result = collect(
        &args.load,
        &args.select,
        &args.walk,
        mode,
        args.changed_since.as_deref(),
    )?;
    if let Some(b) = &args.baseline {
        crate::report::baseline::apply(&mut result, b);
    }
    let color = use_color(args.color);
    let quiet = args.load.aws.quiet;
    let mut code = status(&result, args.fail_on);
    for o in &outs {
        let text = render(&result, o.format, color && o.file.is_none(), quiet);
        let written = match &o.file {
            None => out
                .write_all(text.as_bytes())
                .map_err(|e| format!("cannot write to stdout: {e}")),
            Some(f) => std::fs::write(f, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", f.display())),
        };
        if let Err(e) = written {
            eprintln!("infra-lint: {e}");
            code = EXIT_INPUT;
        }
    }
    Ok(code)
}
