//! `infra-lint check`: load, evaluate, run the rules, suppress, fix, report.
use super::{Format, LoadArgs, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::config::{Overrides, Settings};
use crate::diag::fix::{self, Applicability, TextEdit};
use crate::diag::InputError;
use crate::engine::Request;
use crate::report::{human, json, CheckResult};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
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

impl CheckArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            name_prefix: self.name_prefix.clone(),
            select: self.select.clone(),
            ignore: self.ignore.clone(),
        }
    }
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
fn fix_loop(args: &CheckArgs, req: &Request, settings: &Settings) -> Result<CheckResult, String> {
    let mut fixed = 0;
    let mut result = check(req, settings)?;
    for _ in 0..10 {
        let edits = fix_edits(&result, args.unsafe_fixes);
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

pub fn run(args: &CheckArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let settings = Settings::load(&args.load.dir, &args.overrides()).map_err(|e| e.message)?;
    let req = args.load.request()?;
    if args.diff {
        let result = check(&req, &settings)?;
        let edits = fix_edits(&result, args.unsafe_fixes);
        let (texts, _) = fix::apply(&result.sources, &edits);
        let mut diff = String::new();
        for (file, text) in &texts {
            let f = result.sources.get(*file);
            diff.push_str(&fix::unified_diff(&f.display, &f.text, text));
        }
        let diff = mask_secrets(&result, diff);
        out.write_all(diff.as_bytes()).map_err(|e| e.to_string())?;
        return Ok(if texts.is_empty() {
            EXIT_OK
        } else {
            EXIT_FINDINGS
        });
    }
    let result = if args.fix {
        fix_loop(args, &req, &settings)?
    } else {
        check(&req, &settings)?
    };
    let text = match args.format {
        Format::Human => human::render(&result, 100),
        Format::Json => json::render(&result),
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(if !result.errors.is_empty() {
        EXIT_INPUT
    } else if !result.findings.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
