//! `infra-lint rules` and `infra-lint rule CODE`.
use super::{Format, EXIT_OK};
use crate::rules::registry::{find, RULES};
use crate::rules::{FixAvailability, Input, RuleMeta};

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
pub struct RuleArgs {
    /// Rule code (RDS001) or name (rds-publicly-accessible).
    pub rule: String,
}

/// What the marks of the `sources` and `fix` columns mean.
const LEGEND: &str = "\
sources: what a rule reads: config (the .tf and .tfvars files), state (--state, --plan),
  live (--live, --live-from)
fix: safe: `check --fix` applies it; unsafe: it changes behaviour, `--fix --unsafe-fixes`
  applies it; display-only: a command or a choice, shown and never applied; none: only the
  help line
  a/b: a finding's fix is one of these, depending on the finding
  *: only some findings get one (e.g. where the value to change is written in the checked files)
";

/// A rule's fixes in the one vocabulary every output uses: `none`, or its kinds joined by `/`,
/// with `*` when not every finding gets one.
pub fn fix_mark(m: &RuleMeta) -> String {
    let kinds: Vec<&str> = m.fix_kinds.iter().map(|k| k.as_str()).collect();
    match m.fix {
        FixAvailability::None => "none".into(),
        FixAvailability::Sometimes => kinds.join("/") + "*",
        FixAvailability::Always => kinds.join("/"),
    }
}

fn input_name(i: Input) -> &'static str {
    match i {
        Input::Config => "config",
        Input::State => "state",
        Input::Live => "live",
        Input::TaskDefinition => "task-definition",
    }
}

fn sources(m: &RuleMeta) -> String {
    m.inputs
        .iter()
        .map(|&i| input_name(i))
        .collect::<Vec<_>>()
        .join(",")
}

fn table() -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "code", "name", "category", "severity", "sources", "fix", "summary",
    ]
    .map(String::from)];
    rows.extend(RULES.iter().map(|r| {
        let m = r.meta();
        [
            m.code.to_string(),
            m.name.to_string(),
            m.category.to_string(),
            m.severity.as_str().to_string(),
            sources(m),
            fix_mark(m),
            m.summary.to_string(),
        ]
    }));
    let mut widths = [0; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let (last, padded) = row.split_last().expect("seven columns");
        for (cell, w) in padded.iter().zip(widths) {
            out.push_str(&format!("{cell:<w$}  "));
        }
        out.push_str(last);
        out.push('\n');
    }
    out
}

pub fn run_list(args: &RulesArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    let text = match args.format {
        Format::Json => {
            let metas: Vec<_> = RULES.iter().map(|r| r.meta()).collect();
            serde_json::to_string_pretty(&metas).map_err(|e| e.to_string())? + "\n"
        }
        Format::Human => table() + "\n" + LEGEND,
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
