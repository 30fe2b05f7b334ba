//! RDS001 rds-publicly-accessible.
use crate::diag::fix::{Edit, Fix};
use crate::model::Value;
use crate::rules::provenance::origin_related;
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink, Violation};

pub struct RdsPubliclyAccessible;

static META: RuleMeta = RuleMeta {
    code: "RDS001",
    name: "rds-publicly-accessible",
    category: "rds",
    severity: Severity::Error,
    summary: "An RDS database instance is reachable through a public IP address",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[crate::diag::fix::Applicability::Safe],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/rds-publicly-accessible.md"),
};

const TYPES: &[&str] = &["aws_db_instance", "aws_rds_cluster_instance"];

struct PubliclyAccessible<'a> {
    rtype: &'a str,
}

impl Violation for PubliclyAccessible<'_> {
    fn message(&self) -> String {
        format!(
            "{} has publicly_accessible = true: the database gets a public IP address",
            self.rtype
        )
    }
    fn fix_title(&self) -> String {
        "set publicly_accessible = false and reach the database from inside the VPC".into()
    }
}

impl Rule for RdsPubliclyAccessible {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for r in
            cx.model.resources.iter().filter(|r| {
                r.mode == crate::model::Mode::Managed && TYPES.contains(&r.rtype.as_str())
            })
        {
            // What is deployed decides too: a database switched to public after apply is
            // public now, whatever configuration and state say (DRIFT003 reports the change).
            let live = r
                .layer(crate::model::SourceKind::Live)
                .filter(|_| r.seen.len() > 1)
                .filter(|l| {
                    l.attributes.get("publicly_accessible").map(Value::peel)
                        == Some(&Value::Bool(true))
                });
            if let (Some(l), false) = (
                live,
                r.get("publicly_accessible").map(Value::peel) == Some(&Value::Bool(true)),
            ) {
                let related = r
                    .origin("publicly_accessible")
                    .map(|o| {
                        vec![crate::rules::Related {
                            message: "publicly_accessible is false here".into(),
                            location: o.location.clone(),
                        }]
                    })
                    .unwrap_or_default();
                out.report(
                    r,
                    &PubliclyAccessible { rtype: &r.rtype },
                    Some(l.location.at_path("publicly_accessible")),
                    related,
                );
                continue;
            }
            let Some(v) = r.get("publicly_accessible") else {
                continue; // the provider's default is false
            };
            let origin = r.origin("publicly_accessible");
            let fix = origin.map(|o| {
                Fix::safe(vec![Edit::SetValue {
                    origin: o.clone(),
                    text: "false".into(),
                }])
            });
            match v.peel() {
                Value::Bool(true) => {
                    let related = origin.map(origin_related).unwrap_or_default();
                    out.report(
                        r,
                        &PubliclyAccessible { rtype: &r.rtype },
                        origin.map(|o| o.location.clone()),
                        related,
                    )
                    .fix = fix;
                }
                Value::String(s) if s == "true" => {
                    out.report(
                        r,
                        &PubliclyAccessible { rtype: &r.rtype },
                        origin.map(|o| o.location.clone()),
                        vec![],
                    )
                    .fix = fix;
                }
                Value::Unknown(u) => out.not_evaluated(
                    r,
                    format!("publicly_accessible is not known: {}", u.cause()),
                    origin.map(|o| o.location.clone()),
                ),
                _ => {}
            }
        }
    }
}
