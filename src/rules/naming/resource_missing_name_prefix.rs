//! NAME001 resource-missing-name-prefix.
use crate::diag::fix::{Edit, Fix};
use crate::model::{Resource, Value};
use crate::rules::provenance::via_related;
use crate::rules::{
    Ctx, FixAvailability, Input, OptionKind, Rule, RuleMeta, RuleOption, Severity, Sink, Violation,
};
use std::collections::BTreeSet;

pub struct ResourceMissingNamePrefix;

static META: RuleMeta = RuleMeta {
    code: "NAME001",
    name: "resource-missing-name-prefix",
    category: "naming",
    severity: Severity::Warning,
    summary: "A resource's AWS name does not start with the configured name prefix",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[crate::diag::fix::Applicability::Unsafe],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[RuleOption {
        name: "check_labels",
        kind: OptionKind::Bool,
        default: "false",
        help: "Also require the Terraform block label (`resource \"aws_vpc\" \"karan_main\"`) to \
               start with the prefix (`-` read as `_`)",
    }],
    doc: include_str!("../../../rules/resource-missing-name-prefix.md"),
};

/// How a resource type carries its AWS-side name.
struct Naming {
    rtype: &'static str,
    /// The argument holding the whole name, if the type has one.
    full: Option<&'static str>,
    /// The argument that gives only the start of a generated name (`name_prefix`).
    prefix_form: Option<&'static str>,
    /// The `Name` tag is the name (VPC resources), or is checked too when set.
    tag: bool,
}

const fn named(rtype: &'static str, full: &'static str, prefix: Option<&'static str>) -> Naming {
    Naming {
        rtype,
        full: Some(full),
        prefix_form: prefix,
        tag: false,
    }
}

const fn tagged(rtype: &'static str) -> Naming {
    Naming {
        rtype,
        full: None,
        prefix_form: None,
        tag: true,
    }
}

/// The one table of which argument names which type. Types with no AWS-side name
/// (attachments, associations, rules, routes, listeners, policy attachments) are absent.
const NAMINGS: &[Naming] = &[
    // ECS
    named("aws_ecs_cluster", "name", None),
    named("aws_ecs_service", "name", None),
    named("aws_ecs_task_definition", "family", None),
    named("aws_ecs_capacity_provider", "name", None),
    // Load balancing
    named("aws_lb", "name", Some("name_prefix")),
    named("aws_alb", "name", Some("name_prefix")),
    named("aws_lb_target_group", "name", Some("name_prefix")),
    named("aws_alb_target_group", "name", Some("name_prefix")),
    // RDS
    named("aws_db_instance", "identifier", Some("identifier_prefix")),
    named(
        "aws_rds_cluster",
        "cluster_identifier",
        Some("cluster_identifier_prefix"),
    ),
    named(
        "aws_rds_cluster_instance",
        "identifier",
        Some("identifier_prefix"),
    ),
    named("aws_db_subnet_group", "name", Some("name_prefix")),
    named("aws_db_parameter_group", "name", Some("name_prefix")),
    named(
        "aws_rds_cluster_parameter_group",
        "name",
        Some("name_prefix"),
    ),
    named("aws_db_option_group", "name", Some("name_prefix")),
    // ElastiCache
    named(
        "aws_elasticache_replication_group",
        "replication_group_id",
        None,
    ),
    named("aws_elasticache_cluster", "cluster_id", None),
    named("aws_elasticache_subnet_group", "name", None),
    // IAM
    named("aws_iam_role", "name", Some("name_prefix")),
    named("aws_iam_policy", "name", Some("name_prefix")),
    named("aws_iam_user", "name", None),
    named("aws_iam_group", "name", None),
    named("aws_iam_instance_profile", "name", Some("name_prefix")),
    named("aws_iam_role_policy", "name", Some("name_prefix")),
    // VPC: the Name tag is the name
    tagged("aws_vpc"),
    tagged("aws_subnet"),
    tagged("aws_internet_gateway"),
    tagged("aws_egress_only_internet_gateway"),
    tagged("aws_nat_gateway"),
    tagged("aws_route_table"),
    tagged("aws_eip"),
    tagged("aws_network_acl"),
    tagged("aws_vpc_endpoint"),
    Naming {
        rtype: "aws_security_group",
        full: Some("name"),
        prefix_form: Some("name_prefix"),
        tag: true,
    },
    // S3
    named("aws_s3_bucket", "bucket", Some("bucket_prefix")),
    // CloudWatch
    named("aws_cloudwatch_log_group", "name", Some("name_prefix")),
    named("aws_cloudwatch_metric_alarm", "alarm_name", None),
    named("aws_cloudwatch_event_rule", "name", Some("name_prefix")),
    // ECR
    named("aws_ecr_repository", "name", None),
    // Secrets Manager, SSM
    named("aws_secretsmanager_secret", "name", Some("name_prefix")),
    named("aws_ssm_parameter", "name", None),
    // Compute and messaging
    named("aws_lambda_function", "function_name", None),
    named("aws_sns_topic", "name", Some("name_prefix")),
    named("aws_sqs_queue", "name", Some("name_prefix")),
    named("aws_dynamodb_table", "name", None),
    named("aws_kms_alias", "name", Some("name_prefix")),
];

enum Problem<'a> {
    /// The name (or name prefix, or Name tag) is known and does not start with the prefix.
    Wrong { arg: &'a str, name: &'a str },
    /// The configuration's `name_prefix` is not known, but the name it generated is (from the
    /// state) and does not start with the prefix.
    GeneratedWrong { arg: &'a str, name: &'a str },
    /// No name at all: AWS generates one.
    Generated,
    /// A Name-tagged type with no Name tag.
    NoNameTag,
    /// The block label does not start with the prefix (`check_labels`).
    Label,
}

struct MissingPrefix<'a> {
    rtype: &'a str,
    label: &'a str,
    prefix: &'a str,
    problem: Problem<'a>,
    suggested: Option<String>,
}

impl Violation for MissingPrefix<'_> {
    fn message(&self) -> String {
        let (rtype, prefix) = (self.rtype, self.prefix);
        match &self.problem {
            Problem::Wrong { arg, name } => {
                format!("{rtype} {arg} {name:?} does not start with the name prefix {prefix:?}")
            }
            Problem::Generated => {
                format!("{rtype} has no name: AWS generates one without the name prefix {prefix:?}")
            }
            Problem::GeneratedWrong { arg, name } => format!(
                "{rtype} is named {name:?} from its {arg}, which does not start with the name \
                 prefix {prefix:?}"
            ),
            Problem::NoNameTag => format!(
                "{rtype} has no Name tag, so it has no name starting with the name prefix \
                 {prefix:?}"
            ),
            Problem::Label => format!(
                "{rtype} block label {:?} does not start with the name prefix {prefix:?}",
                self.label
            ),
        }
    }
    fn fix_title(&self) -> String {
        match (&self.problem, &self.suggested) {
            (Problem::Wrong { arg, .. }, Some(s)) if arg.starts_with("tags.") => {
                format!("set the {} tag to {s:?}", &arg[5..])
            }
            (Problem::Wrong { arg, .. }, Some(s)) => {
                format!("set {arg} = {s:?} (renaming replaces the resource)")
            }
            (Problem::Wrong { arg, .. }, None) => {
                format!("make {arg} start with {:?}", self.prefix)
            }
            (Problem::Generated, _) => "give it a name that starts with the prefix".into(),
            (Problem::GeneratedWrong { arg, .. }, _) => {
                format!("make {arg} start with {:?}", self.prefix)
            }
            (Problem::NoNameTag, _) => "add a Name tag that starts with the prefix".into(),
            (Problem::Label, _) => format!(
                "rename the block to start with {:?} and add a moved block",
                self.prefix
            ),
        }
    }
}

/// AWS requires every KMS alias name to begin with this: the prefix can only follow it.
const KMS_ALIAS: &str = "alias/";

/// Path-style names (`/karan/app/db`, `/ecs/karan-staging/web`) carry the prefix when one of
/// their segments starts with it: AWS and convention fix the leading segments of many paths
/// (`/aws/lambda/<function>`, `/aws/ecs/containerinsights/<cluster>/…`, `/ecs/<service>`).
fn carries_prefix(name: &str, prefix: &str) -> bool {
    if let Some(rest) = name.strip_prefix(KMS_ALIAS) {
        return rest.starts_with(prefix);
    }
    match name.strip_prefix('/') {
        Some(path) => path.split('/').any(|seg| seg.starts_with(prefix)),
        None => name.starts_with(prefix),
    }
}

/// The name with the prefix in front: `api` → `karan-api`, `-api` → `karan-api`,
/// `/app/db` → `/karan/app/db`.
fn prefixed(name: &str, prefix: &str) -> String {
    if let Some(rest) = name.strip_prefix(KMS_ALIAS) {
        return format!("{KMS_ALIAS}{}", prefixed(rest, prefix));
    }
    let prefix_ends_word = prefix.ends_with(['-', '_', '.', '/']);
    if let Some(rest) = name.strip_prefix('/') {
        format!("/{}/{rest}", prefix.trim_end_matches('/'))
    } else if prefix_ends_word {
        format!("{prefix}{}", name.trim_start_matches(['-', '_', '.']))
    } else if name.starts_with(['-', '_', '.']) {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}-{name}")
    }
}

fn normalized(label: &str) -> String {
    label.replace('-', "_")
}

fn set<'a>(r: &'a Resource, path: &str) -> Option<&'a Value> {
    r.get_path(path).filter(|v| !v.is_null())
}

impl Rule for ResourceMissingNamePrefix {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let Some(prefix) = cx.name_prefix() else {
            return;
        };
        let check_labels = cx.options.bool("check_labels");
        let mut labels_seen = BTreeSet::new();
        for r in cx.model.resources.iter() {
            if r.mode != crate::model::Mode::Managed {
                continue;
            }
            if check_labels
                && !normalized(&r.name).starts_with(&normalized(prefix))
                && labels_seen.insert(r.config_address())
            {
                let v = MissingPrefix {
                    rtype: &r.rtype,
                    label: &r.name,
                    prefix,
                    problem: Problem::Label,
                    suggested: None,
                };
                out.report(r, &v, r.location(), vec![]);
            }
            let Some(naming) = NAMINGS.iter().find(|n| n.rtype == r.rtype) else {
                continue;
            };
            check_name(r, naming, prefix, out);
        }
    }
}

fn check_name(r: &Resource, naming: &Naming, prefix: &str, out: &mut Sink) {
    // A configuration that writes `name_prefix` is judged by it, even where a state also
    // holds the `name` AWS generated from it.
    if let (Some(pf), Some(full)) = (naming.prefix_form, naming.full) {
        if r.writes(pf) && !r.writes(full) {
            if let (Some(v), Some(Value::String(name))) =
                (set(r, pf), set(r, full).map(Value::peel))
            {
                if !v.is_wholly_known() && !carries_prefix(name, prefix) {
                    report(
                        r,
                        prefix,
                        Problem::GeneratedWrong { arg: pf, name },
                        Some(pf),
                        out,
                    );
                    return check_tag(r, naming, prefix, out);
                }
            }
            check_arg(r, pf, prefix, out);
            return check_tag(r, naming, prefix, out);
        }
    }
    let named_by = [naming.full, naming.prefix_form]
        .into_iter()
        .flatten()
        .find(|a| set(r, a).is_some());
    match named_by {
        Some(arg) => check_arg(r, arg, prefix, out),
        // Only types with a `name_prefix` form have an optional name; for the others an absent
        // name is a configuration Terraform rejects, not a generated name.
        None if naming.prefix_form.is_some() => report(r, prefix, Problem::Generated, None, out),
        None => {}
    }
    check_tag(r, naming, prefix, out);
}

fn check_tag(r: &Resource, naming: &Naming, prefix: &str, out: &mut Sink) {
    if naming.tag {
        if set(r, "tags.Name").is_some() {
            check_arg(r, "tags.Name", prefix, out);
        } else if naming.full.is_none() && !tags_unknown(r) {
            report(r, prefix, Problem::NoNameTag, None, out);
        }
    }
}

fn check_arg(r: &Resource, path: &str, prefix: &str, out: &mut Sink) {
    // Unknown names are decided at apply time: skipped, not flagged.
    let Some(Value::String(name)) = set(r, path).map(Value::peel) else {
        return;
    };
    if !carries_prefix(name, prefix) {
        let problem = Problem::Wrong { arg: path, name };
        report(r, prefix, problem, Some(path), out);
    }
}

fn report(r: &Resource, prefix: &str, problem: Problem, path: Option<&str>, out: &mut Sink) {
    let origin = path.and_then(|p| r.origin(p));
    let suggested = match &problem {
        Problem::Wrong { name, .. } => Some(prefixed(name, prefix)),
        _ => None,
    };
    // Only a literal name can be rewritten (SetValue finds none in an expression).
    let fix = match (origin, &suggested) {
        (Some(o), Some(s)) => Some(Fix::unsafe_(vec![Edit::SetValue {
            origin: o.clone(),
            text: quoted(s),
        }])),
        _ => None,
    };
    let v = MissingPrefix {
        rtype: &r.rtype,
        label: &r.name,
        prefix,
        problem,
        suggested,
    };
    // `tags.Name` inside a `tags = {...}` expression: point at the expression.
    let shown = path.and_then(|p| {
        r.origin(p)
            .map(|_| p)
            .or_else(|| p.split_once('.').map(|(head, _)| head))
    });
    let mut related = shown.map(|p| via_related(r, p)).unwrap_or_default();
    if let Problem::GeneratedWrong { .. } = v.problem {
        // Where the generated name was read.
        related.extend(via_related(r, "name"));
    }
    let span = shown.and_then(|p| r.origin(p)).map(|o| o.location.clone());
    out.report(r, &v, span, related).fix = fix;
}

/// `tags` computed from something unknown may still hold a Name.
fn tags_unknown(r: &Resource) -> bool {
    r.get("tags")
        .is_some_and(|t| !t.is_wholly_known() && !matches!(t.peel(), Value::Map(_)))
}

fn quoted(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace("${", "$${")
    )
}

/// The name AWS knows a resource by, as the naming table says where it is written: the name
/// argument, else the `Name` tag for tagged types. None when unset or not a known string.
pub fn aws_name(r: &Resource) -> Option<&str> {
    let naming = NAMINGS.iter().find(|n| n.rtype == r.rtype)?;
    naming
        .full
        .and_then(|k| r.get(k))
        .and_then(Value::as_str)
        .or_else(|| {
            naming
                .tag
                .then(|| r.get_path("tags.Name").and_then(Value::as_str))
                .flatten()
        })
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixing_keeps_separators_and_paths() {
        assert_eq!(prefixed("api", "karan"), "karan-api");
        assert_eq!(prefixed("-api", "karan"), "karan-api");
        assert_eq!(prefixed("_api", "karan"), "karan_api");
        assert_eq!(prefixed("/app/db", "karan"), "/karan/app/db");
        // A prefix that already ends in a separator gets no second one.
        assert_eq!(prefixed("orders", "acme-"), "acme-orders");
        assert_eq!(prefixed("-orders", "acme-"), "acme-orders");
        assert_eq!(prefixed("/app/db", "acme/"), "/acme/app/db");
        assert!(carries_prefix("/karan/app/db", "karan"));
        assert!(carries_prefix("karan-api", "karan"));
        assert!(!carries_prefix("api-karan", "karan"));
        assert!(carries_prefix("/ecs/karan-staging/web", "karan"));
        assert!(carries_prefix("/aws/lambda/karan-resize", "karan"));
        assert!(!carries_prefix("/app/db-url", "karan"));
        assert!(carries_prefix("alias/karan-app", "karan"));
        assert!(!carries_prefix("alias/app", "karan"));
        assert_eq!(prefixed("alias/app", "karan"), "alias/karan-app");
    }

    #[test]
    fn every_type_is_listed_once() {
        let mut seen = BTreeSet::new();
        for n in NAMINGS {
            assert!(seen.insert(n.rtype), "{} twice", n.rtype);
            assert!(n.full.is_some() || n.tag, "{} has no name source", n.rtype);
        }
    }
}
