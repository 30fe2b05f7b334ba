//! DRIFT002 missing-resource: in the state, gone from the account (deleted or detached by
//! hand). Only types the scan reads completely, in the regions it read, are decided.
use super::{arn_region, managed, seen_in, text};
use crate::diag::fix::Fix;
use crate::diag::{Drift, DriftKind};
use crate::model::Seq;
use crate::model::{Mode, Resource, SourceKind, Value};
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct DriftMissingResource;

static META: RuleMeta = RuleMeta {
    code: "DRIFT002",
    name: "missing-resource",
    category: "drift",
    severity: Severity::Error,
    summary: "A resource the state manages is gone from the account",
    fix: FixAvailability::Always,
    fix_kinds: &[crate::diag::fix::Applicability::DisplayOnly],
    inputs: &[Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/missing-resource.md"),
};

struct Missing<'a> {
    address: &'a str,
    what: String,
    region: String,
}

impl Violation for Missing<'_> {
    fn message(&self) -> String {
        format!(
            "{} is in the state but {} is not in the account ({}): it was deleted or detached \
             outside Terraform",
            self.address, self.what, self.region
        )
    }
    fn fix_title(&self) -> String {
        format!(
            "`terraform apply -target='{0}'` recreates it; if it was removed on purpose, \
             `terraform state rm '{0}'`",
            self.address
        )
    }
}

impl Rule for DriftMissingResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let model = cx.model;
        if !super::live_loaded(model) {
            return;
        }
        let account = |r: &Resource| {
            let arn = r.identity.arn.as_deref().unwrap_or_default();
            match arn_region(arn) {
                _ if r.rtype.starts_with("aws_iam_") => "IAM, account-wide".to_string(),
                Some(reg) => reg.to_string(),
                None if arn.starts_with("arn:") => "global".into(),
                None => model.live_regions.join(", "),
            }
        };
        for r in &model.resources {
            if r.mode != Mode::Managed || !managed(r) || seen_in(r, SourceKind::Live) {
                continue;
            }
            if !model.live_types.contains(&r.rtype) || model.coverage(&r.rtype).is_err() {
                continue;
            }
            // Edge associations (gateway_id) are not read by the scan.
            if r.rtype == "aws_route_table_association"
                && text(&r.attributes, "gateway_id").is_some()
            {
                continue;
            }
            let state = r.layer(SourceKind::State).or(r.layer(SourceKind::Plan));
            let location = r.location();
            let what = if r.rtype == "aws_iam_role_policy_attachment" {
                // Attachments are read as the role's managed_policy_arns.
                let (Some(role), Some(policy)) = (
                    text(&r.attributes, "role"),
                    text(&r.attributes, "policy_arn"),
                ) else {
                    continue;
                };
                let live_role = model.resources.iter().find(|x| {
                    x.rtype == "aws_iam_role"
                        && seen_in(x, SourceKind::Live)
                        && text(&x.attributes, "name") == Some(role)
                });
                let Some(live_role) = live_role else {
                    continue; // the role itself is missing: reported on the role
                };
                let attached = live_role
                    .layer(SourceKind::Live)
                    .and_then(|l| l.attributes.get("managed_policy_arns"))
                    .is_some_and(|v| match v.peel() {
                        Value::List(Seq { items: l, .. }) | Value::Set(l) => {
                            l.iter().any(|p| p.as_str() == Some(policy))
                        }
                        _ => true,
                    });
                if attached {
                    continue;
                }
                format!("policy {policy} attached to role {role}")
            } else {
                // Only what the scan could have seen: an ARN in a region it read.
                let arn = r.identity.arn.as_deref();
                match arn.and_then(arn_region) {
                    Some(reg) if !model.live_regions.iter().any(|x| x == reg) => continue,
                    None if arn.is_none() && model.live_regions.len() != 1 => continue,
                    _ => {}
                }
                let id = r
                    .identity
                    .arn
                    .clone()
                    .or_else(|| r.identity.id.clone())
                    .unwrap_or_else(|| "it".into());
                if id == "it" {
                    continue;
                }
                id
            };
            let v = Missing {
                address: &r.address,
                what: what.clone(),
                region: account(r),
            };
            let related: Vec<Related> = state
                .filter(|_| r.span.is_some())
                .map(|l| Related {
                    message: format!("{} in the state", r.address),
                    location: l.location.clone(),
                })
                .into_iter()
                .collect();
            let f = out.report(r, &v, location, related);
            f.fix = Some(Fix::display_only());
            f.drift = Some(Drift::of(
                DriftKind::Missing,
                Some(r.address.clone()),
                r.identity.arn.clone(),
            ));
        }
    }
}
