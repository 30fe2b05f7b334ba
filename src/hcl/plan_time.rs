//! What `terraform plan` knows about a managed resource's attributes before apply.
//!
//! For a resource being created, the plan's value of an argument the configuration sets is the
//! configuration's value: `aws_lb_target_group.api.port` written `80` is `80` in the plan, and
//! every expression that reads it is known too. Only what the provider decides stays unknown:
//! attributes it computes (IDs, ARNs, `tags_all`, anything the configuration leaves unset) and the
//! arguments it rewrites before the plan (a `StateFunc` or a plan modifier) — those are listed in
//! [`PROVIDER_DECIDES`], the one table of them. `tests/plan_oracle.rs` compares every attribute
//! infra-lint evaluates with `terraform show -json` of a real plan, which is how the table is
//! kept honest.

/// Arguments of the AWS provider (5.100.0) that the configuration may set but whose planned
/// value is not the configured one: `(resource type, attribute, why)`.
pub const PROVIDER_DECIDES: &[(&str, &str, &str)] = &[
    (
        "aws_instance",
        "user_data",
        "the provider plans the SHA-1 of the configured text",
    ),
    (
        "aws_ecs_task_definition",
        "container_definitions",
        "the provider plans its own normalized JSON",
    ),
    (
        "aws_iam_policy",
        "policy",
        "the provider plans its own normalized JSON",
    ),
    (
        "aws_iam_role_policy",
        "policy",
        "the provider plans its own normalized JSON",
    ),
    (
        "aws_iam_role",
        "assume_role_policy",
        "the provider plans its own normalized JSON",
    ),
    (
        "aws_s3_bucket_policy",
        "policy",
        "the provider plans its own normalized JSON",
    ),
    (
        "aws_security_group_rule",
        "protocol",
        "the provider plans protocol numbers as names",
    ),
];

/// Attributes the provider computes on every resource type that has them; a configuration
/// cannot set them, so reading one is never a configured value.
const ALWAYS_COMPUTED: &[&str] = &["id", "arn", "tags_all"];

/// Whether the plan of a new `rtype` resource holds the configured value of its top-level
/// argument `attribute` (when the configuration sets it to a known value).
pub fn configured_value_is_planned(rtype: &str, attribute: &str) -> bool {
    !ALWAYS_COMPUTED.contains(&attribute)
        && !PROVIDER_DECIDES
            .iter()
            .any(|(t, a, _)| *t == rtype && *a == attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_arguments_are_planned_unless_the_provider_decides() {
        assert!(configured_value_is_planned("aws_lb_target_group", "port"));
        assert!(configured_value_is_planned(
            "aws_cloudwatch_log_group",
            "name"
        ));
        assert!(!configured_value_is_planned("aws_lb_target_group", "arn"));
        assert!(!configured_value_is_planned("aws_instance", "user_data"));
        assert!(configured_value_is_planned(
            "aws_launch_template",
            "user_data"
        ));
    }
}
