//! `infra-lint inventory`: the live account read once (read-only) and written as `live.json`,
//! secrets redacted, for `check --live-from` (reproducible CI runs, bug reports, fast tests).
use super::AwsArgs;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Write the scan here (default: stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[cfg(feature = "aws")]
pub fn run(args: &InventoryArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    use crate::live::Inventory;
    let scan = crate::live::aws::AwsInventory {
        options: args.aws.options(),
    }
    .scan()?;
    let text = crate::live::write(&scan, |rtype, attrs| {
        super::redact::attributes(crate::model::Mode::Managed, rtype, attrs)
    });
    match &args.out {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => out.write_all(text.as_bytes()).map_err(|e| e.to_string())?,
    }
    // What could not be read is in the file too; say so where a person looks.
    for n in &scan.not_readable {
        eprintln!("infra-lint: not read: {}: {}", n.call, n.reason);
    }
    if !args.aws.quiet {
        if let Some(path) = &args.out {
            eprintln!(
                "infra-lint: {} resources of account {} in {} written to {}",
                scan.objects.len(),
                scan.account.as_deref().unwrap_or("(unknown)"),
                scan.regions.join(", "),
                path.display()
            );
        }
    }
    Ok(super::EXIT_OK)
}

#[cfg(not(feature = "aws"))]
pub fn run(_: &InventoryArgs, _: &mut dyn std::io::Write) -> Result<i32, String> {
    Err("inventory needs infra-lint built with the `aws` feature".into())
}
