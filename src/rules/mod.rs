//! The rule framework: metadata, the `Rule` trait, findings.
pub mod ecs;
pub mod lint;
pub mod naming;
pub mod provenance;
pub mod rds;
pub mod registry;
pub mod secrets;
pub mod sg;
pub mod terraform;
#[cfg(test)]
pub mod testing;

use crate::config::Settings;
pub use crate::diag::{Finding, Related, Severity};
use crate::model::{Model, Resource};
use crate::source::{Location, Span};

/// Whether a rule can offer an edit (STYLE.md §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// What a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Config,
    State,
    Live,
}

/// The type of a rule option in `infra-lint.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptionKind {
    Bool,
    Integer,
    String,
    StringList,
}

/// A rule option: `[rules.<name>] <option> = value`.
#[derive(Debug, serde::Serialize)]
pub struct RuleOption {
    pub name: &'static str,
    pub kind: OptionKind,
    /// The default, as TOML.
    pub default: &'static str,
    pub help: &'static str,
}

#[derive(Debug, serde::Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub fix: FixAvailability,
    pub inputs: &'static [Input],
    pub options: &'static [RuleOption],
    /// The rule's documentation page (rules/<name>.md).
    #[serde(skip)]
    pub doc: &'static str,
}

/// What a rule sees: the model and its settings.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub settings: &'a Settings,
    pub code: &'static str,
}

impl Ctx<'_> {
    /// The required name prefix (`name_prefix` / `--name-prefix`), if any.
    pub fn name_prefix(&self) -> Option<&str> {
        self.settings.name_prefix.as_deref()
    }
    fn option(&self, name: &str) -> Option<&serde_json::Value> {
        self.settings.option(self.code, name)
    }
    pub fn option_bool(&self, name: &str) -> bool {
        self.option(name)
            .and_then(|v| v.as_bool())
            .unwrap_or_else(|| self.default_of(name) == "true")
    }
    pub fn option_int(&self, name: &str) -> i64 {
        self.option(name)
            .and_then(|v| v.as_i64())
            .unwrap_or_else(|| self.default_of(name).parse().unwrap_or(0))
    }
    pub fn option_strings(&self, name: &str) -> Vec<String> {
        match self.option(name) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => serde_json::from_str::<Vec<String>>(self.default_of(name)).unwrap_or_default(),
        }
    }
    pub fn option_string(&self, name: &str) -> String {
        match self.option(name) {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => self.default_of(name).trim_matches('"').to_string(),
        }
    }
    fn default_of(&self, name: &str) -> &'static str {
        registry::find(self.code)
            .and_then(|r| r.meta().options.iter().find(|o| o.name == name))
            .map_or("", |o| o.default)
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Ctx, out: &mut Sink);
}

/// A rule's output: findings and the cases it could not decide.
pub struct Sink {
    meta: &'static RuleMeta,
    pub findings: Vec<Finding>,
    pub not_evaluated: Vec<crate::diag::NotEvaluated>,
}

/// A rule violation as a typed value: the only place its wording lives (STYLE.md §3).
pub trait Violation {
    fn message(&self) -> String;
    fn fix_title(&self) -> String;
}

impl Sink {
    pub fn new(meta: &'static RuleMeta) -> Sink {
        Sink {
            meta,
            findings: Vec::new(),
            not_evaluated: Vec::new(),
        }
    }

    pub fn report(
        &mut self,
        r: &Resource,
        v: &dyn Violation,
        location: Option<Location>,
        related: Vec<Related>,
    ) -> &mut Finding {
        self.report_on(&r.address, v, location.or_else(|| r.location()), related)
    }

    /// A finding about something that is not a resource (the backend, a variable), named by
    /// `subject`.
    pub fn report_on(
        &mut self,
        subject: &str,
        v: &dyn Violation,
        location: Option<Location>,
        related: Vec<Related>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            code: self.meta.code,
            name: self.meta.name,
            severity: self.meta.severity,
            message: v.message(),
            fix_title: v.fix_title(),
            resource: subject.to_string(),
            location,
            related,
            fix: None,
            edits: None,
            redact: Vec::new(),
        });
        self.findings.last_mut().expect("just pushed")
    }

    pub fn not_evaluated(&mut self, r: &Resource, reason: String, location: Option<Location>) {
        self.not_evaluated_on(&r.address, reason, location.or_else(|| r.location()));
    }

    pub fn not_evaluated_on(&mut self, subject: &str, reason: String, location: Option<Location>) {
        self.not_evaluated.push(crate::diag::NotEvaluated {
            code: Some(self.meta.code.to_string()),
            subject: subject.to_string(),
            reason,
            location,
        });
    }
}

/// Every secret the secret-finding rules locate, whether or not they are selected: an excerpt
/// or a diff printed for another rule must not show a password in its context lines. The
/// selected ones already ran: their findings carry the spans.
pub fn secret_spans(findings: &[Finding], model: &Model, settings: &Settings) -> Vec<Span> {
    let finders: [&dyn Rule; 2] = [
        &secrets::plaintext_secret::PlaintextSecret,
        &ecs::ecs_container_plaintext_secret::EcsContainerPlaintextSecret,
    ];
    let unselected = finders
        .into_iter()
        .filter(|r| settings.severity_of(r.meta()).is_none())
        .flat_map(|rule| run_rule(rule, model, settings).findings);
    findings
        .iter()
        .flat_map(|f| f.redact.iter().cloned())
        .chain(unselected.flat_map(|f| f.redact))
        .collect()
}

fn run_rule(rule: &dyn Rule, model: &Model, settings: &Settings) -> Sink {
    let meta = rule.meta();
    let mut sink = Sink::new(meta);
    let cx = Ctx {
        model,
        settings,
        code: meta.code,
    };
    rule.check(&cx, &mut sink);
    sink
}

/// Runs every enabled rule over the model, with the severities the settings give them.
pub fn run_all(
    model: &Model,
    settings: &Settings,
) -> (Vec<Finding>, Vec<crate::diag::NotEvaluated>) {
    let mut findings = Vec::new();
    let mut ne = Vec::new();
    for rule in registry::RULES {
        let meta = rule.meta();
        let Some(severity) = settings.severity_of(meta) else {
            continue;
        };
        let sink = run_rule(*rule, model, settings);
        findings.extend(sink.findings.into_iter().map(|mut f| {
            f.severity = severity;
            f
        }));
        ne.extend(sink.not_evaluated);
    }
    (findings, ne)
}
