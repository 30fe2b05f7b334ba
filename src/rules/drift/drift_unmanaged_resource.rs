//! DRIFT001 unmanaged-resource: a live resource no state manages, where it matters: inside a
//! VPC a state manages, named with the project's prefix, or named as a configuration resource
//! that is not yet created (the next apply collides with it).
use super::{managed, seen_in, text};
use crate::diag::fix::{Edit, Fix};
use crate::diag::{Drift, DriftKind};
use crate::model::links::kind_of;
use crate::model::Seq;
use crate::model::{Model, Resource, SourceKind, Value};
use crate::rules::naming::resource_missing_name_prefix::aws_name;
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct DriftUnmanagedResource;

static META: RuleMeta = RuleMeta {
    code: "DRIFT001",
    name: "unmanaged-resource",
    category: "drift",
    severity: Severity::Warning,
    summary: "A resource in the account that no state manages, where it collides or belongs",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[
        crate::diag::fix::Applicability::Unsafe,
        crate::diag::fix::Applicability::DisplayOnly,
    ],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/unmanaged-resource.md"),
};

/// AWS's own, never reported: made with the VPC or the account, or by AWS for itself.
const NEVER: &[&str] = &[
    "aws_default_vpc",
    "aws_default_subnet",
    "aws_default_route_table",
    "aws_default_security_group",
    "aws_main_route_table_association",
    // CFN001 reports stacks.
    "aws_cloudformation_stack",
];

enum Why {
    InVpc(String),
    Prefix(String),
    Collides(String),
}

struct Unmanaged<'a> {
    rtype: &'a str,
    arn: &'a str,
    id: &'a str,
    why: Why,
    import: Option<String>,
    delete: Option<String>,
}

impl Violation for Unmanaged<'_> {
    fn message(&self) -> String {
        let why = match &self.why {
            Why::InVpc(vpc) => format!("it is inside {vpc}, which the state manages"),
            Why::Prefix(name) => format!("its name {name:?} carries the project's name prefix"),
            Why::Collides(address) => format!(
                "{address} will create one of the same name: the next apply fails with \
                 \"already exists\""
            ),
        };
        format!(
            "{} {} ({}, {}) is not managed by any state, but {why}",
            self.rtype,
            self.id,
            self.arn,
            super::where_live(self.arn)
        )
    }
    fn fix_title(&self) -> String {
        match (&self.import, &self.delete) {
            (Some(cmd), _) => format!("adopt it: add the import block, or run `{cmd}`"),
            (None, Some(cmd)) => format!("import it into a configuration, or delete it: `{cmd}`"),
            (None, None) => "import it into a configuration, or delete it".into(),
        }
    }
}

/// The CLI command that deletes a live object of `rtype` (display-only: never run for you).
fn delete_command(r: &Resource, id: &str, region: Option<&str>) -> Option<String> {
    let region = region.map(|r| format!(" --region {r}")).unwrap_or_default();
    let cmd = match r.rtype.as_str() {
        "aws_vpc" => format!("aws ec2 delete-vpc --vpc-id {id}"),
        "aws_subnet" => format!("aws ec2 delete-subnet --subnet-id {id}"),
        "aws_route_table" => format!("aws ec2 delete-route-table --route-table-id {id}"),
        "aws_security_group" => format!("aws ec2 delete-security-group --group-id {id}"),
        "aws_internet_gateway" => format!("aws ec2 delete-internet-gateway --internet-gateway-id {id}"),
        "aws_nat_gateway" => format!("aws ec2 delete-nat-gateway --nat-gateway-id {id}"),
        "aws_vpc_endpoint" => format!("aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {id}"),
        "aws_db_instance" => format!(
            "aws rds delete-db-instance --db-instance-identifier {} --final-db-snapshot-identifier {}-final",
            text(&r.attributes, "identifier")?,
            text(&r.attributes, "identifier")?
        ),
        "aws_lb" => format!("aws elbv2 delete-load-balancer --load-balancer-arn {id}"),
        "aws_lb_target_group" => format!("aws elbv2 delete-target-group --target-group-arn {id}"),
        "aws_ecs_service" => format!(
            "aws ecs delete-service --cluster {} --service {} --force",
            text(&r.attributes, "cluster")?,
            text(&r.attributes, "name")?
        ),
        "aws_ecs_cluster" => format!("aws ecs delete-cluster --cluster {id}"),
        "aws_iam_role" => format!("aws iam delete-role --role-name {id}"),
        _ => return None,
    };
    Some(format!("{cmd}{region}"))
}

/// The VPC a live object is in: its `vpc_id`, or its subnets' (`subnets`, `subnet_ids`, an ECS
/// service's network configuration).
fn vpc_of<'m>(model: &'m Model, r: &Resource) -> Option<&'m Resource> {
    let vpcs = |id: &str| {
        model
            .by_identity(id)
            .into_iter()
            .find(|v| kind_of(&v.rtype) == "aws_vpc")
    };
    if let Some(id) = text(&r.attributes, "vpc_id") {
        return vpcs(id);
    }
    let subnet = ["subnets", "subnet_ids"]
        .iter()
        .find_map(|k| r.attributes.get(*k))
        .or_else(|| r.get_path("network_configuration[0].subnets"))
        .and_then(|v| match v.peel() {
            Value::List(Seq { items: l, .. }) | Value::Set(l) => {
                l.first().and_then(Value::as_str).map(String::from)
            }
            _ => None,
        })?;
    let s = model
        .by_identity(&subnet)
        .into_iter()
        .find(|s| kind_of(&s.rtype) == "aws_subnet")?;
    text(&s.attributes, "vpc_id").and_then(vpcs)
}

impl Rule for DriftUnmanagedResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let model = cx.model;
        if !super::live_loaded(model) {
            return;
        }
        // Configuration resources not yet created, by kind and name: what the next apply makes.
        let wanted: Vec<(&Resource, &str)> = model
            .resources
            .iter()
            .filter(|r| {
                seen_in(r, SourceKind::Config) && !managed(r) && !seen_in(r, SourceKind::Live)
            })
            .filter_map(|r| aws_name(r).map(|n| (r, n)))
            .collect();
        // Task definition families a state manages or a task definition file of the
        // repository registers: other revisions of them are deploys.
        let families: std::collections::BTreeSet<&str> = model
            .resources
            .iter()
            .filter(|r| {
                r.rtype == "aws_ecs_task_definition"
                    && (managed(r) || seen_in(r, SourceKind::TaskDefinition))
            })
            .filter_map(|r| text(&r.attributes, "family"))
            .collect();
        for r in &model.resources {
            let live_only = r.seen.len() == 1 && seen_in(r, SourceKind::Live);
            if !live_only || NEVER.contains(&r.rtype.as_str()) {
                continue;
            }
            let name = aws_name(r);
            if r.rtype == "aws_ecs_task_definition"
                && text(&r.attributes, "family").is_some_and(|f| families.contains(f))
            {
                continue;
            }
            let collides = name.and_then(|n| {
                wanted
                    .iter()
                    .find(|(w, wn)| *wn == n && kind_of(&w.rtype) == kind_of(&r.rtype))
                    .map(|(w, _)| *w)
            });
            let why = if let Some(w) = collides {
                Why::Collides(w.address.clone())
            } else if let Some(vpc) = vpc_of(model, r).filter(|v| managed(v)) {
                Why::InVpc(vpc.address.clone())
            } else if let (Some(p), Some(n)) = (cx.name_prefix(), name) {
                if n.starts_with(p) {
                    Why::Prefix(n.to_string())
                } else {
                    continue;
                }
            } else {
                continue;
            };
            let arn = r.identity.arn.clone().unwrap_or_else(|| r.address.clone());
            let id = r
                .identity
                .id
                .clone()
                .or_else(|| text(&r.attributes, "id").map(String::from))
                .unwrap_or_else(|| arn.clone());
            // An import block already adopts it: the next apply manages it.
            if model.imports.iter().any(|i| {
                i.id.as_deref() == Some(id.as_str()) || i.id.as_deref() == Some(arn.as_str())
            }) {
                continue;
            }
            let region = super::arn_region(&arn);
            let import = collides.map(|w| format!("terraform import '{}' {id}", w.address));
            let delete = delete_command(r, &id, region);
            let mut related = vec![];
            if let Some((w, location)) = collides.and_then(|w| w.location().map(|l| (w, l))) {
                related.push(Related {
                    message: format!("{} creates {:?}", w.address, name.unwrap_or_default()),
                    location,
                });
            }
            let v = Unmanaged {
                rtype: &r.rtype,
                arn: &arn,
                id: &id,
                why,
                import: import.clone(),
                delete,
            };
            let f = out.report(r, &v, None, related);
            f.fix = Some(
                match collides.and_then(|w| w.block.clone().map(|b| (w, b))) {
                    Some((w, block)) => Fix::unsafe_(vec![Edit::InsertAfter {
                        span: block,
                        text: format!("\n\nimport {{\n  to = {}\n  id = \"{id}\"\n}}", w.address),
                    }]),
                    None => Fix::display_only(),
                },
            );
            f.drift = Some(Drift::of(
                DriftKind::Unmanaged,
                collides.map(|w| w.address.clone()),
                Some(arn),
            ));
        }
    }
}
