//! The rule framework: metadata, the `Rule` trait, findings.
pub mod drift;
pub mod ecs;
pub mod lint;
pub mod naming;
pub mod provenance;
pub mod rds;
pub mod registry;
pub mod secrets;
pub mod sg;
#[cfg(test)]
mod source_shapes;
pub mod terraform;
#[cfg(test)]
pub mod testing;

pub use crate::diag::{Finding, Related, Severity};
use crate::model::{Model, Resource};
use crate::source::Location;

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
    /// ECS task definition files of the repository (`task-definition.json`).
    #[serde(rename = "task-definition")]
    TaskDefinition,
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
    /// The applicabilities its fixes can have: `fix` says whether a finding gets one, this
    /// says how far `--fix` may take it. Empty exactly when `fix` is `None`.
    pub fix_kinds: &'static [crate::diag::fix::Applicability],
    pub inputs: &'static [Input],
    pub options: &'static [RuleOption],
    /// The rule's documentation page (rules/<name>.md).
    #[serde(skip)]
    pub doc: &'static str,
}

impl RuleMeta {
    /// The rule's page on the web (the same text as `infra-lint rule CODE`): SARIF `helpUri`
    /// and the Markdown report's links.
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/rules/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.name
        )
    }
}

/// A rule option's value, typed as the rule declared it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue {
    Bool(bool),
    Integer(i64),
    String(String),
    StringList(Vec<String>),
}

/// A rule's options: what `infra-lint.toml` sets, else the declared defaults.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    values: std::collections::BTreeMap<&'static str, OptionValue>,
}

impl RuleOptions {
    /// Resolves every declared option of `meta` from the file's values (already checked for
    /// type by `config`) and the declared defaults.
    pub fn resolve(
        meta: &RuleMeta,
        given: impl Fn(&str) -> Option<serde_json::Value>,
    ) -> RuleOptions {
        let mut values = std::collections::BTreeMap::new();
        for o in meta.options {
            let default: Option<serde_json::Value> =
                toml::from_str::<toml::Value>(&format!("v = {}", o.default))
                    .ok()
                    .and_then(|t| t.get("v").cloned())
                    .and_then(|v| serde_json::to_value(v).ok());
            let v = given(o.name).or(default);
            let typed = match (o.kind, v) {
                (OptionKind::Bool, Some(serde_json::Value::Bool(b))) => OptionValue::Bool(b),
                (OptionKind::Bool, _) => OptionValue::Bool(false),
                (OptionKind::Integer, Some(v)) => OptionValue::Integer(v.as_i64().unwrap_or(0)),
                (OptionKind::Integer, None) => OptionValue::Integer(0),
                (OptionKind::String, Some(serde_json::Value::String(s))) => OptionValue::String(s),
                (OptionKind::String, _) => OptionValue::String(String::new()),
                (OptionKind::StringList, Some(serde_json::Value::Array(a))) => {
                    OptionValue::StringList(
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect(),
                    )
                }
                (OptionKind::StringList, _) => OptionValue::StringList(Vec::new()),
            };
            values.insert(o.name, typed);
        }
        RuleOptions { values }
    }
    pub fn bool(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(OptionValue::Bool(true)))
    }
    pub fn int(&self, name: &str) -> i64 {
        match self.values.get(name) {
            Some(OptionValue::Integer(i)) => *i,
            _ => 0,
        }
    }
    pub fn string(&self, name: &str) -> &str {
        match self.values.get(name) {
            Some(OptionValue::String(s)) => s,
            _ => "",
        }
    }
    pub fn strings(&self, name: &str) -> &[String] {
        match self.values.get(name) {
            Some(OptionValue::StringList(v)) => v,
            _ => &[],
        }
    }
}

/// What a rule sees: the model, the analyses computed from it, its own metadata and options,
/// and the project's naming prefix. Not the whole settings.
pub struct Ctx<'a, 'm> {
    pub model: &'m Model,
    pub analysis: &'a crate::analysis::Analysis<'m>,
    pub meta: &'static RuleMeta,
    pub options: RuleOptions,
    name_prefix: Option<&'a str>,
}

impl<'a, 'm> Ctx<'a, 'm> {
    pub fn new(
        analysis: &'a crate::analysis::Analysis<'m>,
        meta: &'static RuleMeta,
        options: RuleOptions,
        name_prefix: Option<&'a str>,
    ) -> Ctx<'a, 'm> {
        Ctx {
            model: analysis.model,
            analysis,
            meta,
            options,
            name_prefix,
        }
    }
    /// The required name prefix (`name_prefix` / `--name-prefix`), if any.
    pub fn name_prefix(&self) -> Option<&str> {
        self.name_prefix
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
            drift: None,
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

/// Runs one rule and collects what it reports.
pub fn run_rule(rule: &dyn Rule, cx: &Ctx) -> Sink {
    let mut sink = Sink::new(rule.meta());
    rule.check(cx, &mut sink);
    sink
}

/// The rules whose findings locate secrets: their spans are masked in every excerpt, so they
/// run (for masking only) even when not selected.
pub fn secret_finders() -> [&'static dyn Rule; 2] {
    [
        &secrets::plaintext_secret::PlaintextSecret,
        &ecs::ecs_container_plaintext_secret::EcsContainerPlaintextSecret,
    ]
}
