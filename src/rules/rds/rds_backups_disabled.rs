//! RDS003 rds-backups-disabled.
use crate::analysis::net::db::databases;
use crate::analysis::net::is_set;
use crate::diag::fix::{Edit, Fix};
use crate::model::Value;
use crate::rules::provenance::via_related;
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink, Violation};

pub struct RdsBackupsDisabled;

static META: RuleMeta = RuleMeta {
    code: "RDS003",
    name: "rds-backups-disabled",
    category: "rds",
    severity: Severity::Warning,
    summary: "An RDS database keeps no automated backups (backup_retention_period = 0)",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[crate::diag::fix::Applicability::Unsafe],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/rds-backups-disabled.md"),
};

/// The retention AWS recommends as a starting point; the fix proposes it.
const RETENTION_DAYS: &str = "7";

struct BackupsDisabled<'a> {
    rtype: &'a str,
}

impl Violation for BackupsDisabled<'_> {
    fn message(&self) -> String {
        if self.rtype == "aws_rds_cluster" {
            "aws_rds_cluster has backup_retention_period = 0: Aurora accepts 1 to 35 days, so the \
             apply fails"
                .into()
        } else {
            format!(
                "{} has backup_retention_period = 0: no automated backups and no point-in-time \
                 recovery",
                self.rtype
            )
        }
    }
    fn fix_title(&self) -> String {
        format!("keep automated backups: set backup_retention_period = {RETENTION_DAYS} (days)")
    }
}

impl Rule for RdsBackupsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for r in databases(cx.model) {
            // Absent: the provider's default keeps 1 day (instances) or 1 day (clusters).
            let Some(v) = r.get("backup_retention_period") else {
                continue;
            };
            let origin = r.origin("backup_retention_period");
            let span = origin.map(|o| o.location.clone());
            let days = match v.peel() {
                Value::Null => continue,
                Value::Unknown(u) => {
                    out.not_evaluated(
                        r,
                        format!("backup_retention_period is not known: {}", u.cause()),
                        span,
                    );
                    continue;
                }
                other => other.to_tf_number().ok().and_then(|n| n.to_i64()),
            };
            if days != Some(0) {
                continue;
            }
            // A read replica's backups are its source's business: RDS creates replicas with
            // retention 0 by default and PostgreSQL replicas cannot keep automated backups.
            if r.rtype == "aws_db_instance" && is_set(r.get("replicate_source_db")) {
                continue;
            }
            // Written in configuration: change it there; known only from a state: add it.
            let fix = match (origin, &r.block) {
                (Some(o), _) if r.writes("backup_retention_period") => {
                    Some(Fix::unsafe_(vec![Edit::SetValue {
                        origin: o.clone(),
                        text: RETENTION_DAYS.into(),
                    }]))
                }
                (_, Some(block)) => Some(Fix::unsafe_(vec![Edit::InsertAttribute {
                    block: block.clone(),
                    name: "backup_retention_period".into(),
                    text: RETENTION_DAYS.into(),
                }])),
                _ => None,
            };
            out.report(
                r,
                &BackupsDisabled { rtype: &r.rtype },
                span,
                via_related(r, "backup_retention_period"),
            )
            .fix = fix;
        }
    }
}
