//! Every rule, declared once. Codes are never reused.
use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &super::rds::rds_publicly_accessible::RdsPubliclyAccessible,
    &super::lint::unused_suppression::UnusedSuppression,
    &super::lint::suppression_without_reason::SuppressionWithoutReason,
    &super::ecs::ecs_execution_role_missing_policy::EcsExecutionRoleMissingPolicy,
];

/// Finds a rule by code (`RDS001`) or name (`rds-publicly-accessible`), case-insensitively.
pub fn find(key: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let m = r.meta();
        m.code.eq_ignore_ascii_case(key) || m.name.eq_ignore_ascii_case(key)
    })
}
