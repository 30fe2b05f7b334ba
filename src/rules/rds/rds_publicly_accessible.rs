//! RDS001 rds-publicly-accessible.
use crate::model::{Model, Value};
use crate::rules::{FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation};

pub struct RdsPubliclyAccessible;

static META: RuleMeta = RuleMeta {
    code: "RDS001",
    name: "rds-publicly-accessible",
    category: "rds",
    severity: Severity::Error,
    summary: "An RDS database instance is reachable through a public IP address",
    fix: FixAvailability::None,
    inputs: &[Input::Config, Input::State, Input::Live],
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

    fn check(&self, model: &Model, out: &mut Sink) {
        for r in model
            .resources
            .iter()
            .filter(|r| r.mode == crate::model::Mode::Managed && TYPES.contains(&r.rtype.as_str()))
        {
            let Some(v) = r.get("publicly_accessible") else {
                continue; // the provider's default is false
            };
            let origin = r.origin("publicly_accessible");
            match v.peel() {
                Value::Bool(true) => {
                    let related = origin
                        .map(|o| {
                            o.via
                                .iter()
                                .map(|v| Related {
                                    message: v.label.clone(),
                                    span: v.span.clone(),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    out.report(
                        r,
                        &PubliclyAccessible { rtype: &r.rtype },
                        origin.map(|o| o.span.clone()),
                        related,
                    );
                }
                Value::String(s) if s == "true" => out.report(
                    r,
                    &PubliclyAccessible { rtype: &r.rtype },
                    origin.map(|o| o.span.clone()),
                    vec![],
                ),
                Value::Unknown(u) => out.not_evaluated(
                    r,
                    format!("publicly_accessible is not known: {}", u.cause()),
                    origin.map(|o| o.span.clone()),
                ),
                _ => {}
            }
        }
    }
}
