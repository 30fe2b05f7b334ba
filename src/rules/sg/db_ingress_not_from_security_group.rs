//! SG002 db-ingress-not-from-security-group.
use crate::analysis::net::db::{databases, db_groups, db_port};
use crate::analysis::net::ingress::Source;
use crate::analysis::net::location_of;
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct DbIngressNotFromSecurityGroup;

static META: RuleMeta = RuleMeta {
    code: "SG002",
    name: "db-ingress-not-from-security-group",
    category: "sg",
    severity: Severity::Warning,
    summary: "A database's security group admits CIDR ranges instead of the security groups of its clients",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/db-ingress-not-from-security-group.md"),
};

struct CidrIngress<'a> {
    db: &'a str,
    rule: String,
    cidr: &'a str,
    /// None: not known, and the rule opens every port.
    port: Option<i64>,
}

impl Violation for CidrIngress<'_> {
    fn message(&self) -> String {
        let port = match self.port {
            Some(p) => format!("the database port {p} of {}", self.db),
            None => format!("every port, so on the port of {} too", self.db),
        };
        format!(
            "{} admits {} on {port}: every address in that range can connect, not only the application's tasks",
            self.rule, self.cidr
        )
    }
    fn fix_title(&self) -> String {
        "admit the application's security group (source_security_group_id / referenced_security_group_id) instead of a CIDR range".into()
    }
}

impl Rule for DbIngressNotFromSecurityGroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let all = cx.analysis.ingress();
        for db in databases(cx.model) {
            let (groups, unknown) = db_groups(cx.model, db);
            if groups.is_empty() {
                if let Some(u) = unknown {
                    out.not_evaluated(db, u, location_of(db, "vpc_security_group_ids"));
                }
                continue;
            }
            // Not known: only rules open on every port decide.
            let port = db_port(cx.model, db);
            let mut port_unknown = None;
            for i in all
                .iter()
                .filter(|i| groups.iter().any(|g| i.applies_to(g)))
            {
                let Some(c) = i.sources.iter().find_map(|s| match &s.source {
                    Source::Cidr(c) => Some((c.clone(), s)),
                    // Written as a CIDR attribute: a range, whatever its value.
                    Source::Unknown(u) if leaf(&s.path).starts_with("cidr") => {
                        Some((format!("a CIDR range ({u})"), s))
                    }
                    _ => None,
                }) else {
                    continue;
                };
                let covers = match &port {
                    Ok(p) => i.ports.covers(*p),
                    Err(_) if i.ports.covers_every_port() => Some(true),
                    Err(e) => {
                        port_unknown.get_or_insert(format!("the database port is not known: {e}"));
                        continue;
                    }
                };
                match (i.carries_tcp(), covers) {
                    (Some(false), _) | (_, Some(false)) => continue,
                    (Some(true), Some(true)) => {}
                    _ => {
                        out.not_evaluated(
                            db,
                            format!(
                                "{} admits {} but its protocol or ports are not known",
                                i.describe(),
                                c.0
                            ),
                            i.span(leaf(&c.1.path)),
                        );
                        continue;
                    }
                }
                let mut related: Vec<Related> = location_of(db, "vpc_security_group_ids")
                    .map(|span| Related {
                        message: format!("security groups of {}", db.address),
                        location: span,
                    })
                    .into_iter()
                    .collect();
                related.extend(crate::rules::provenance::via_related(
                    db,
                    "vpc_security_group_ids",
                ));
                related.extend(crate::rules::provenance::via_related(i.rule, &c.1.path));
                out.report(
                    db,
                    &CidrIngress {
                        db: &db.address,
                        rule: i.describe(),
                        cidr: &c.0,
                        port: port.as_ref().ok().copied(),
                    },
                    i.span(leaf(&c.1.path)),
                    related,
                );
            }
            if let Some(u) = port_unknown {
                out.not_evaluated(db, u, location_of(db, "port"));
            }
        }
    }
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}
