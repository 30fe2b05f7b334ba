//! RDS004 rds-storage-not-encrypted.
use crate::analysis::net::db::databases;
use crate::diag::fix::{Edit, Fix};
use crate::model::{Model, Resource, Value};
use crate::rules::provenance::via_related;
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink, Violation};

pub struct RdsStorageNotEncrypted;

static META: RuleMeta = RuleMeta {
    code: "RDS004",
    name: "rds-storage-not-encrypted",
    category: "rds",
    severity: Severity::Error,
    summary: "An RDS database stores its data, backups and snapshots unencrypted",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[crate::diag::fix::Applicability::Unsafe],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/rds-storage-not-encrypted.md"),
};

struct NotEncrypted<'a> {
    rtype: &'a str,
    /// `storage_encrypted` is written (and false); otherwise it is absent.
    written: bool,
}

impl Violation for NotEncrypted<'_> {
    fn message(&self) -> String {
        if self.written {
            format!(
                "{} has storage_encrypted = false: its storage, backups and snapshots are not \
                 encrypted at rest",
                self.rtype
            )
        } else {
            format!(
                "{} does not set storage_encrypted (default false): its storage, backups and \
                 snapshots are not encrypted at rest",
                self.rtype
            )
        }
    }
    fn fix_title(&self) -> String {
        "set storage_encrypted = true (replaces an existing database: migrate through an \
         encrypted snapshot copy)"
            .into()
    }
}

fn set<'a>(r: &'a Resource, name: &str) -> Option<&'a Value> {
    r.get(name).filter(|v| !v.is_absent())
}

/// Why the encryption of `r` is decided elsewhere, when it is: a replica or a restore takes it
/// from its source.
enum Source {
    /// Decided from this resource's own arguments.
    Own,
    /// Inherited from a source the model holds; that resource gets its own finding.
    InModel,
    /// Inherited from something outside the configuration.
    Outside(String),
}

fn encryption_source(model: &Model, r: &Resource) -> Source {
    let inherits = |attr: &str, what: &str| -> Option<Source> {
        let v = set(r, attr)?;
        let in_model = model.targets(v).iter().any(|t| {
            matches!(
                t.resource.rtype.as_str(),
                "aws_db_instance" | "aws_rds_cluster"
            )
        });
        Some(match v.peel() {
            _ if in_model => Source::InModel,
            Value::Unknown(u) => Source::Outside(format!(
                "{attr} is not known ({}): {what} would take its encryption from its source",
                u.cause()
            )),
            _ => Source::Outside(format!(
                "{attr} is set: {what} takes its encryption from a source outside the \
                 configuration"
            )),
        })
    };
    let candidates: &[(&str, &str)] = if r.rtype == "aws_db_instance" {
        &[
            ("replicate_source_db", "a read replica"),
            ("snapshot_identifier", "a database restored from a snapshot"),
            ("restore_to_point_in_time", "a point-in-time restore"),
        ]
    } else {
        &[
            ("replication_source_identifier", "a replica cluster"),
            ("snapshot_identifier", "a cluster restored from a snapshot"),
            ("restore_to_point_in_time", "a point-in-time restore"),
        ]
    };
    for (attr, what) in candidates {
        if let Some(s) = inherits(attr, what) {
            return s;
        }
    }
    Source::Own
}

impl Rule for RdsStorageNotEncrypted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for r in databases(cx.model) {
            let origin = r.origin("storage_encrypted");
            let span = origin.map(|o| o.location.clone());
            let encrypted = match set(r, "storage_encrypted").map(Value::peel) {
                None => None,
                Some(Value::Unknown(u)) => {
                    out.not_evaluated(
                        r,
                        format!("storage_encrypted is not known: {}", u.cause()),
                        span,
                    );
                    continue;
                }
                Some(v) => match v.to_tf_bool() {
                    Ok(b) => Some(b),
                    Err(_) => continue,
                },
            };
            if encrypted == Some(true) {
                continue;
            }
            // Serverless v1 clusters are always encrypted.
            if r.rtype == "aws_rds_cluster" {
                match set(r, "engine_mode").map(Value::peel) {
                    Some(Value::String(m)) if m == "serverless" => continue,
                    Some(Value::Unknown(u)) if encrypted.is_none() => {
                        out.not_evaluated(
                            r,
                            format!(
                                "engine_mode is not known ({}): serverless clusters are always \
                                 encrypted",
                                u.cause()
                            ),
                            r.origin("engine_mode").map(|o| o.location.clone()),
                        );
                        continue;
                    }
                    _ => {}
                }
            }
            // A cross-region replica is encrypted with kms_key_id; storage_encrypted is ignored.
            if r.rtype == "aws_db_instance"
                && set(r, "replicate_source_db").is_some()
                && set(r, "kms_key_id").is_some()
            {
                continue;
            }
            match encryption_source(cx.model, r) {
                Source::Own => {}
                Source::InModel => continue,
                Source::Outside(reason) => {
                    out.not_evaluated(r, reason, r.location());
                    continue;
                }
            }
            let v = NotEncrypted {
                rtype: &r.rtype,
                // A configuration that leaves it to the default says so, whatever state holds.
                written: encrypted.is_some() && (r.span.is_none() || r.writes("storage_encrypted")),
            };
            let fix = match (origin, &r.block) {
                (Some(o), _) if r.writes("storage_encrypted") => {
                    Some(Fix::unsafe_(vec![Edit::SetValue {
                        origin: o.clone(),
                        text: "true".into(),
                    }]))
                }
                (_, Some(block)) => Some(Fix::unsafe_(vec![Edit::InsertAttribute {
                    block: block.clone(),
                    name: "storage_encrypted".into(),
                    text: "true".into(),
                }])),
                (_, None) => None,
            };
            out.report(r, &v, span, via_related(r, "storage_encrypted"))
                .fix = fix;
        }
    }
}
