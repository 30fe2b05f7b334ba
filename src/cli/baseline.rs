//! `infra-lint baseline`: record today's findings so `check --baseline` reports only new ones.
use super::check::{collect, Mode, SelectArgs};
use super::{LoadArgs, EXIT_INPUT, EXIT_OK};
use crate::report::baseline;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Where to write it (default: .infra-lint-baseline.json in the first DIR).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &BaselineArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let result = collect(&args.load, &args.select, Mode::Check, None)?;
    // A baseline of a run that could not read its input would hide nothing it should and
    // report everything later as new: refuse it, with the errors.
    if !result.errors.is_empty() {
        for e in &result.errors {
            let at = e
                .location
                .as_ref()
                .map(|l| format!(" ({})", l.describe(&result.sources)))
                .unwrap_or_default();
            eprintln!("infra-lint: {}{at}", e.message);
        }
        eprintln!("infra-lint: no baseline written: fix the input errors first");
        return Ok(EXIT_INPUT);
    }
    let file = args.out.clone().unwrap_or_else(|| {
        let (dirs, _) = super::check::directories(&args.load.paths);
        dirs.first()
            .map(|(d, _)| d.clone())
            .unwrap_or_else(|| PathBuf::from("."))
            .join(baseline::FILE_NAME)
    });
    std::fs::write(&file, baseline::render(&result))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    writeln!(
        out,
        "wrote {} to {}; `infra-lint check --baseline {}` reports only new ones",
        crate::report::count(result.findings.len(), "finding"),
        file.display(),
        file.display()
    )
    .map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}
