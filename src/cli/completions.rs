//! `infra-lint completions SHELL`: a completion script, generated from the same clap
//! definition the parser uses, so it cannot offer a flag that does not exist.
use super::EXIT_OK;
use clap::CommandFactory;
use clap_complete::{Generator, Shell};

const BIN: &str = "infra-lint";

/// clap_complete's bash script completes nothing after a subcommand when the program's name
/// has a hyphen: it spells its states two ways (clap-rs/clap#6421). Generated for a name
/// without one it is consistent, and only its `complete` lines must then name the program.
const BASH_BIN: &str = "infra_lint";

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let script = script(args.shell)?;
    out.write_all(script.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}

fn script(shell: Shell) -> Result<String, String> {
    let mut cmd = super::Cli::command();
    cmd.set_bin_name(if shell == Shell::Bash { BASH_BIN } else { BIN });
    cmd.build();
    let mut buf = Vec::new();
    shell
        .try_generate(&cmd, &mut buf)
        .map_err(|e| format!("cannot generate the {shell} completions: {e}"))?;
    let text = String::from_utf8(buf).map_err(|e| e.to_string())?;
    if shell != Shell::Bash {
        return Ok(text);
    }
    let suffix = format!(" {BASH_BIN}");
    let mut named = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.strip_suffix(&suffix) {
            Some(head) if l.trim_start().starts_with("complete ") => {
                named += 1;
                format!("{head} {BIN}")
            }
            _ => l.to_string(),
        })
        .collect();
    if named == 0 {
        return Err("cannot generate the bash completions: no `complete` line to name".into());
    }
    Ok(lines.join("\n") + "\n")
}
