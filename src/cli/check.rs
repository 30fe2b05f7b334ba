//! `infra-lint check`: load, evaluate, run the rules, report.
use super::{Format, LoadArgs, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::report::{human, json, CheckResult};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// Runs the whole pipeline on a directory.
pub fn check(load: &LoadArgs) -> Result<CheckResult, String> {
    if !load.dir.is_dir() {
        return Err(format!("{} is not a directory", load.dir.display()));
    }
    let loaded = crate::hcl::load(&load.dir, &load.options());
    let (findings, rule_ne) = crate::rules::run_all(&loaded.model);
    let mut not_evaluated = loaded.model.not_evaluated.clone();
    not_evaluated.extend(rule_ne);
    let mut result = CheckResult {
        resources: loaded.model.resources.len(),
        sources: loaded.sources,
        findings,
        errors: loaded.errors,
        not_evaluated,
    };
    result.sort();
    Ok(result)
}

pub fn run(args: &CheckArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let result = check(&args.load)?;
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
