//! LINT002 suppression-without-reason.
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink};

pub struct SuppressionWithoutReason;

pub static META: RuleMeta = RuleMeta {
    code: "LINT002",
    name: "suppression-without-reason",
    category: "lint",
    severity: Severity::Warning,
    summary: "An `infra-lint:ignore` comment does not say why",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[Input::Config],
    options: &[],
    doc: include_str!("../../../rules/suppression-without-reason.md"),
};

impl Rule for SuppressionWithoutReason {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    /// Reported by `diag::suppress::apply`.
    fn check(&self, _cx: &Ctx, _out: &mut Sink) {}
}
