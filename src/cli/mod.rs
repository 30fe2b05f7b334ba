//! Subcommands. Each `run` writes to `out` and returns an exit code, so tests can drive them
//! in-process; only `main` turns the code into the process status.
pub mod baseline;
pub mod check;
pub mod completions;
pub mod inventory;
pub mod man;
pub mod redact;
pub mod rules;
pub mod show;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit codes (documented in README.md).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_INPUT: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "infra-lint",
    version,
    about = "Policy and drift linter for Terraform on AWS"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a Terraform root module and report findings.
    Check(check::CheckArgs),
    /// Print the evaluated model: what infra-lint sees.
    Show(show::ShowArgs),
    /// Read the live account (read-only) and write it as live.json, secrets redacted, for
    /// `check --live-from`.
    Inventory(inventory::InventoryArgs),
    /// Record the current findings in a baseline file, so `check --baseline` reports only new
    /// ones (adopting infra-lint on an existing codebase).
    Baseline(baseline::BaselineArgs),
    /// List every rule.
    Rules(rules::RulesArgs),
    /// Print one rule's documentation page.
    Rule(rules::RuleArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --out.
    Man(man::ManArgs),
}

/// How to reach AWS: for `--live`, for the state of an s3 backend, and for `inventory`.
#[derive(clap::Args, Debug, Clone)]
pub struct AwsArgs {
    /// The AWS profile (shared config and credentials files; SSO and assume-role work).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// A region to read (repeatable; default: from the AWS configuration).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Send AWS requests here instead (a local emulator); also AWS_ENDPOINT_URL.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Give up a live scan (or the s3 state read) after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub live_timeout: u64,
    /// How many requests of a live scan are in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub max_concurrency: u32,
    /// Quiet: `check` prints only input errors and the summary; no progress display (shown
    /// on stderr only when stderr is a terminal anyway).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl AwsArgs {
    /// Whether any option that only AWS reads was given.
    fn given(&self) -> Option<&'static str> {
        if self.profile.is_some() {
            Some("--profile")
        } else if !self.regions.is_empty() {
            Some("--region")
        } else if self.endpoint_url.is_some() {
            Some("--endpoint-url")
        } else {
            None
        }
    }

    #[cfg(feature = "aws")]
    pub fn options(&self) -> crate::live::aws::AwsOptions {
        use std::io::IsTerminal;
        crate::live::aws::AwsOptions {
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            endpoint_url: self.endpoint_url.clone(),
            timeout: std::time::Duration::from_secs(self.live_timeout),
            max_concurrency: self.max_concurrency as usize,
            progress: !self.quiet && std::io::stderr().is_terminal(),
        }
    }
}

/// Options shared by commands that load configuration.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// The root module directory (`check` takes several, and a file stands for its directory).
    #[arg(value_name = "DIR", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// A variables file, as `terraform -var-file` (repeatable; later wins).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A variable value, as `terraform -var` (repeatable; later wins).
    /// Parsed when the check starts, so a malformed one is an input error in every report.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A Terraform state (format version 4) to check with the configuration: FILE, `-` for
    /// stdin (`terraform state pull | infra-lint check --state -`), or nothing for the
    /// configuration's local backend.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    pub state: Option<String>,
    /// The output of `terraform show -json PLANFILE` (or `-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<String>,
    /// A recorded live scan (`live.json`) to check as the account, offline.
    #[arg(long = "live-from", value_name = "FILE", conflicts_with = "live")]
    pub live_from: Option<PathBuf>,
    /// Also read the live account, read-only (credentials from the AWS default chain).
    #[arg(long)]
    pub live: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The workspace whose state `--state` reads from the backend (default: TF_WORKSPACE,
    /// then the one selected in .terraform/environment, then `default`).
    #[arg(long, value_name = "NAME")]
    pub workspace: Option<String>,
    /// An ECS task definition JSON file to check (register input or describe output),
    /// repeatable. Without it, files named like task-definition*.json under DIR and those
    /// the repository's workflows deploy are read.
    #[arg(long = "task-definition", value_name = "FILE")]
    pub task_definitions: Vec<PathBuf>,
    /// Read no task definition file unless --task-definition names it.
    #[arg(long = "no-task-definitions", conflicts_with = "task_definitions")]
    pub no_task_definitions: bool,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

impl LoadArgs {
    /// The one directory of a command that reads one (`show`).
    pub fn dir(&self) -> Result<PathBuf, String> {
        match self.paths.as_slice() {
            [] => Ok(PathBuf::from(".")),
            [d] => Ok(d.clone()),
            _ => Err("this command reads one directory".into()),
        }
    }

    /// The engine request for the one directory these arguments name.
    pub fn request(&self) -> Result<crate::engine::Request, String> {
        self.request_for(&self.dir()?)
    }

    /// `--var` values that are not NAME=VALUE, as input errors (they are left out).
    pub fn var_errors(&self) -> Vec<crate::diag::InputError> {
        self.vars
            .iter()
            .filter_map(|v| parse_var(v).err())
            .map(|e| crate::diag::InputError::new(format!("--var: {e}"), None))
            .collect()
    }

    /// The engine request these arguments ask for in `dir` (stdin, when named, is read here,
    /// once).
    pub fn request_for(&self, dir: &std::path::Path) -> Result<crate::engine::Request, String> {
        use crate::engine::DocSource;
        if self.state.as_deref() == Some("-") && self.plan.as_deref() == Some("-") {
            return Err("--state - and --plan - cannot both read stdin".into());
        }
        let doc = |v: &Option<String>, backend_ok: bool| -> Result<Option<DocSource>, String> {
            Ok(match v.as_deref() {
                None => None,
                Some("") if backend_ok => Some(DocSource::Backend),
                Some("") => return Err("--plan needs a file".into()),
                Some("-") => Some(DocSource::Stdin),
                Some(f) => Some(DocSource::File(PathBuf::from(f))),
            })
        };
        if let Some(flag) = self.aws.given() {
            if !self.live && self.state.is_none() {
                return Err(format!(
                    "{flag} applies to --live and to --state from an s3 backend; neither was given"
                ));
            }
        }
        Ok(crate::engine::Request {
            dir: dir.to_path_buf(),
            load: self.options(),
            state: doc(&self.state, true)?,
            plan: doc(&self.plan, false)?,
            live: self.live_source()?,
            workspace: self.workspace.clone(),
            task_definitions: crate::taskdef::TaskDefinitions {
                files: self.task_definitions.clone(),
                discover: !self.no_task_definitions,
                workflows: !self.no_task_definitions,
            },
            #[cfg(feature = "aws")]
            aws: self.aws.options(),
        })
    }

    fn live_source(&self) -> Result<Option<crate::engine::LiveSource>, String> {
        use crate::engine::{DocSource, LiveSource};
        if let Some(f) = &self.live_from {
            return Ok(Some(LiveSource::Replay(DocSource::File(f.clone()))));
        }
        if !self.live {
            return Ok(None);
        }
        #[cfg(feature = "aws")]
        {
            Ok(Some(LiveSource::Aws))
        }
        #[cfg(not(feature = "aws"))]
        {
            Err("--live needs infra-lint built with the `aws` feature; use --live-from FILE".into())
        }
    }

    pub fn options(&self) -> crate::hcl::LoadOptions {
        crate::hcl::LoadOptions {
            var_files: self.var_files.clone(),
            vars: self.vars.iter().filter_map(|v| parse_var(v).ok()).collect(),
            env_vars: Vec::new(),
            shared: None,
        }
        .with_process_env()
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

pub fn run(cli: Cli, out: &mut dyn std::io::Write) -> i32 {
    let r = match cli.command {
        Command::Check(a) => check::run(&a, out),
        Command::Show(a) => show::run(&a, out),
        Command::Inventory(a) => inventory::run(&a, out),
        Command::Baseline(a) => baseline::run(&a, out),
        Command::Rules(a) => rules::run_list(&a, out),
        Command::Rule(a) => rules::run_one(&a, out),
        Command::Completions(a) => completions::run(&a, out),
        Command::Man(a) => man::run(&a, out),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("infra-lint: {e}");
            EXIT_INPUT
        }
    }
}
