//! LINT001 unused-suppression.
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink};

pub struct UnusedSuppression;

pub static META: RuleMeta = RuleMeta {
    code: "LINT001",
    name: "unused-suppression",
    category: "lint",
    severity: Severity::Warning,
    summary: "An `infra-lint:ignore` comment matches no finding",
    fix: FixAvailability::Always,
    fix_kinds: &[crate::diag::fix::Applicability::Safe],
    inputs: &[Input::Config],
    options: &[],
    doc: include_str!("../../../rules/unused-suppression.md"),
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    /// Reported by `diag::suppress::apply`, which sees every other rule's findings.
    fn check(&self, _cx: &Ctx, _out: &mut Sink) {}
}
