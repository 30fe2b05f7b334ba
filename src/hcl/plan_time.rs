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

/// The partitions of the AWS endpoints table the provider (5.100.0) resolves a region in:
/// `(region prefix, partition, DNS suffix, reverse DNS prefix)`, most specific prefix first.
const PARTITIONS: &[(&str, &str, &str, &str)] = &[
    ("us-gov-", "aws-us-gov", "amazonaws.com", "com.amazonaws"),
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov", "gov.ic.hci.csp"),
    ("us-iso-", "aws-iso", "c2s.ic.gov", "gov.ic.c2s"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk", "uk.adc-e.cloud"),
    ("cn-", "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"),
];

/// The commercial partition's region prefixes (`^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`).
const COMMERCIAL: &[&str] = &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"];

/// `(partition, DNS suffix, reverse DNS prefix)` of a region name, or None for a name that
/// is no region the endpoints table knows (the provider's answer is then not predictable).
pub fn partition_of(region: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let parts: Vec<&str> = region.split('-').collect();
    let shaped = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        return None;
    }
    if let Some((_, p, dns, rev)) = PARTITIONS.iter().find(|(pre, ..)| region.starts_with(pre)) {
        return Some((p, dns, rev));
    }
    COMMERCIAL
        .contains(&parts[0])
        .then_some(("aws", "amazonaws.com", "com.amazonaws"))
}

/// Data sources whose result the provider computes from its own configuration, without a
/// request, so `terraform plan` knows them: `(data source type, attributes)`.
pub const PROVIDER_FIXED_DATA: &[(&str, &[&str])] = &[
    ("aws_region", &["name", "id", "region", "endpoint"]),
    (
        "aws_partition",
        &["partition", "id", "dns_suffix", "reverse_dns_prefix"],
    ),
];

/// The value of `attribute` of a `dtype` data source ([`PROVIDER_FIXED_DATA`]) read with the
/// provider configured for `region` (for `aws_region`, the region it names).
pub fn provider_fixed_data(dtype: &str, attribute: &str, region: &str) -> Option<String> {
    let (partition, dns, rev) = partition_of(region)?;
    let v = match (dtype, attribute) {
        ("aws_region", "name" | "id" | "region") => region.to_string(),
        ("aws_region", "endpoint") => format!("ec2.{region}.{dns}"),
        ("aws_partition", "partition" | "id") => partition.to_string(),
        ("aws_partition", "dns_suffix") => dns.to_string(),
        ("aws_partition", "reverse_dns_prefix") => rev.to_string(),
        _ => return None,
    };
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_fixed_data_sources_follow_the_region() {
        // Read off `terraform plan` with the provider 5.100.0 (region cn-north-1).
        assert_eq!(
            provider_fixed_data("aws_partition", "dns_suffix", "cn-north-1").as_deref(),
            Some("amazonaws.com.cn")
        );
        assert_eq!(
            provider_fixed_data("aws_partition", "reverse_dns_prefix", "cn-north-1").as_deref(),
            Some("cn.com.amazonaws")
        );
        assert_eq!(
            provider_fixed_data("aws_region", "endpoint", "cn-north-1").as_deref(),
            Some("ec2.cn-north-1.amazonaws.com.cn")
        );
        assert_eq!(
            partition_of("us-gov-west-1").map(|p| p.0),
            Some("aws-us-gov")
        );
        assert_eq!(partition_of("eu-west-1").map(|p| p.0), Some("aws"));
        assert_eq!(partition_of("moto"), None);
        assert_eq!(partition_of("xx-east-1"), None);
        assert_eq!(
            provider_fixed_data("aws_region", "description", "eu-west-1"),
            None
        );
    }

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
