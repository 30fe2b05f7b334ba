//! CFN001 orphaned-cloudformation-stack: a CloudFormation stack a console wizard left
//! (`ECS-Console-V2-*`, `Infra-ECS-Cluster-*`), one stuck after a failure, or one whose
//! resources are what Terraform manages or will create: it still owns them, and the next apply
//! collides with it.
use super::{managed, seen_in, text};
use crate::diag::fix::Fix;
use crate::diag::{Drift, DriftKind};
use crate::model::{Resource, SourceKind, Value};
use crate::rules::naming::resource_missing_name_prefix::aws_name;
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct CfnOrphanedStack;

static META: RuleMeta = RuleMeta {
    code: "CFN001",
    name: "orphaned-cloudformation-stack",
    category: "drift",
    severity: Severity::Warning,
    summary: "A CloudFormation stack left by a console wizard or a failed deploy, or one that owns what Terraform manages",
    fix: FixAvailability::Always,
    fix_kinds: &[crate::diag::fix::Applicability::DisplayOnly],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/orphaned-cloudformation-stack.md"),
};

/// Stack name prefixes of the AWS console's wizards.
const WIZARDS: &[&str] = &["ECS-Console-V2-", "Infra-ECS-Cluster-", "ECS-Console-"];

/// CloudFormation types that Terraform names, and the Terraform types they are.
const KINDS: &[(&str, &[&str])] = &[
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        &["aws_lb", "aws_alb"],
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        &["aws_lb_target_group", "aws_alb_target_group"],
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        &["aws_lb_listener", "aws_alb_listener"],
    ),
    ("AWS::ECS::Service", &["aws_ecs_service"]),
    ("AWS::ECS::Cluster", &["aws_ecs_cluster"]),
    ("AWS::EC2::SecurityGroup", &["aws_security_group"]),
    ("AWS::EC2::VPC", &["aws_vpc"]),
    ("AWS::IAM::Role", &["aws_iam_role"]),
];

struct Orphaned {
    stack: String,
    status: String,
    reasons: Vec<String>,
    retain: Vec<String>,
    region: Option<String>,
}

impl Violation for Orphaned {
    fn message(&self) -> String {
        format!(
            "CloudFormation stack {} ({}) {}",
            self.stack,
            self.status,
            self.reasons.join("; ")
        )
    }
    fn fix_title(&self) -> String {
        let region = self
            .region
            .as_ref()
            .map(|r| format!(" --region {r}"))
            .unwrap_or_default();
        if self.retain.is_empty() {
            return format!(
                "delete it: `aws cloudformation delete-stack --stack-name {}{region}`",
                self.stack
            );
        }
        format!(
            "delete it, keeping what Terraform should adopt: `aws cloudformation delete-stack \
             --stack-name {} --retain-resources {}{region}`; then import those resources",
            self.stack,
            self.retain.join(" ")
        )
    }
}

/// A physical ID compared with a resource's identity or name: ARNs, IDs and names alike.
fn is(r: &Resource, physical: &str) -> bool {
    r.identity.arn.as_deref() == Some(physical)
        || r.identity.id.as_deref() == Some(physical)
        || aws_name(r) == Some(physical)
        || physical
            .rsplit('/')
            .nth(1)
            .is_some_and(|n| aws_name(r) == Some(n))
}

impl Rule for CfnOrphanedStack {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let model = cx.model;
        let terraform: Vec<&Resource> = model
            .resources
            .iter()
            .filter(|r| seen_in(r, SourceKind::Config) || managed(r))
            .collect();
        for stack in model.resources_of("aws_cloudformation_stack") {
            let name = text(&stack.attributes, "name")
                .unwrap_or_default()
                .to_string();
            let status = text(&stack.attributes, "status").unwrap_or("").to_string();
            let mut reasons = Vec::new();
            if WIZARDS.iter().any(|w| name.starts_with(w)) {
                reasons.push("was left by an AWS console wizard".to_string());
            }
            if status.ends_with("_FAILED") || status == "ROLLBACK_COMPLETE" {
                reasons.push(format!("is stuck in {status} and can only be deleted"));
            }
            let mut related = Vec::new();
            let mut retain = Vec::new();
            if let Some(Value::List(resources)) = stack.attributes.get("resources").map(Value::peel)
            {
                for res in resources {
                    let Some(m) = res.as_map() else { continue };
                    let get = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
                    let (cfn_type, physical, logical) =
                        (get("type"), get("physical_id"), get("logical_id"));
                    if physical.is_empty() {
                        continue;
                    }
                    let types = KINDS
                        .iter()
                        .find(|(t, _)| *t == cfn_type)
                        .map(|(_, t)| *t)
                        .unwrap_or(&[]);
                    for r in terraform
                        .iter()
                        .filter(|r| types.contains(&r.rtype.as_str()) && is(r, physical))
                    {
                        let side = if managed(r) { "manages" } else { "will create" };
                        reasons.push(format!(
                            "owns {logical} ({cfn_type} {physical}), which {} {side}",
                            r.address
                        ));
                        if let Some(location) = r.location() {
                            related.push(Related {
                                message: format!("{} {side} {physical}", r.address),
                                location,
                            });
                        }
                        retain.push(logical.to_string());
                    }
                }
            }
            if reasons.is_empty() {
                continue;
            }
            retain.sort();
            retain.dedup();
            let arn = stack
                .identity
                .arn
                .clone()
                .unwrap_or_else(|| stack.address.clone());
            let v = Orphaned {
                stack: name,
                status,
                reasons,
                retain,
                region: super::arn_region(&arn).map(String::from),
            };
            let f = out.report(stack, &v, None, related);
            f.fix = Some(Fix::display_only());
            f.drift = Some(Drift::of(DriftKind::OrphanedStack, None, Some(arn)));
        }
    }
}
