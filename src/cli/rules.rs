//! `infra-lint rules` and `infra-lint rule CODE`.
use super::{Format, EXIT_OK};
use crate::rules::registry::{find, RULES};

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
pub struct RuleArgs {
    /// Rule code (RDS001) or name (rds-publicly-accessible).
    pub rule: String,
}

pub fn run_list(args: &RulesArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let text = match args.format {
        Format::Json => {
            let metas: Vec<_> = RULES.iter().map(|r| r.meta()).collect();
            serde_json::to_string_pretty(&metas).map_err(|e| e.to_string())? + "\n"
        }
        Format::Human => RULES
            .iter()
            .map(|r| {
                let m = r.meta();
                let fix = match m.fix {
                    crate::rules::FixAvailability::None => "",
                    crate::rules::FixAvailability::Sometimes => "fix*",
                    crate::rules::FixAvailability::Always => "fix",
                };
                format!(
                    "{:<8} {:<36} {:<8} {:<5} {}\n",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    fix,
                    m.summary
                )
            })
            .collect(),
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}

pub fn run_one(args: &RuleArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let rule = find(&args.rule).ok_or_else(|| {
        let names = RULES.iter().flat_map(|r| [r.meta().code, r.meta().name]);
        match crate::config::did_you_mean(&args.rule, names) {
            s if s.is_empty() => format!("no rule named {:?}; see `infra-lint rules`", args.rule),
            s => format!("no rule named {:?}{s}", args.rule),
        }
    })?;
    out.write_all(rule.meta().doc.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}
