//! RDS002 rds-reachable-from-internet.
use crate::analysis::net::db::{databases, db_groups, db_port};
use crate::analysis::net::{location_of, DefaultRoute};
use crate::model::Resource;
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct RdsReachableFromInternet;

static META: RuleMeta = RuleMeta {
    code: "RDS002",
    name: "rds-reachable-from-internet",
    category: "rds",
    severity: Severity::Error,
    summary: "A database sits in subnets routed to an internet gateway, or its security groups admit the internet on its port",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/rds-reachable-from-internet.md"),
};

enum Exposure {
    OpenRule {
        rule: String,
        cidr: String,
        /// None: not known, and the rule opens every port.
        port: Option<i64>,
    },
    PublicSubnet {
        subnet: String,
        group: String,
    },
}

struct Reachable<'a> {
    db: &'a str,
    exposure: Exposure,
    also_public_subnet: bool,
}

impl Violation for Reachable<'_> {
    fn message(&self) -> String {
        match &self.exposure {
            Exposure::OpenRule { rule, cidr, port } => {
                let also = if self.also_public_subnet {
                    ", and its subnet group holds subnets routed to an internet gateway"
                } else {
                    ""
                };
                let port = match port {
                    Some(p) => format!("port {p}"),
                    None => "every port".into(),
                };
                format!(
                    "{rule} admits {cidr} on {port} of {}: the database port is open to every address{also}",
                    self.db
                )
            }
            Exposure::PublicSubnet { subnet, group } => format!(
                "{} is placed in {group}, which holds {subnet}, whose default route goes to an internet gateway: one public IP (publicly_accessible, a restored snapshot) exposes it",
                self.db
            ),
        }
    }
    fn fix_title(&self) -> String {
        match &self.exposure {
            Exposure::OpenRule { cidr, .. } => {
                format!("drop the {cidr} rule and admit only the application's security group")
            }
            Exposure::PublicSubnet { .. } => {
                "move the database to private subnets (no route to an internet gateway)".into()
            }
        }
    }
}

/// A subnet of the DB's subnet group routed to an internet gateway: (subnet group, subnet,
/// route). Err when the subnet group or its routing is not known.
fn public_subnet<'a>(
    cx: &Ctx<'_, 'a>,
    db: &'a Resource,
) -> Result<Option<(&'a Resource, &'a Resource, DefaultRoute<'a>)>, String> {
    let Some(v) = db.get("db_subnet_group_name").filter(|v| !v.is_null()) else {
        return Ok(None); // the default subnet group: outside what configuration shows
    };
    let groups = cx.model.follow(v, &["aws_db_subnet_group"]);
    let mut unknown = groups
        .unknown
        .map(|u| format!("db_subnet_group_name is not known: {u}"));
    if groups.resources.is_empty() {
        if let Some(l) = groups.literals.first() {
            // A name written literally: the group of that name, from any source.
            let named: Vec<&Resource> = cx
                .model
                .by_name("aws_db_subnet_group", l)
                .into_iter()
                .collect();
            if named.is_empty() {
                return Err(format!(
                    "DB subnet group {l} is not managed {}",
                    cx.model.scope()
                ));
            }
            return scan_groups(cx, named, unknown);
        }
    }
    let r = scan_groups(cx, groups.resources, unknown.take())?;
    Ok(r)
}

fn scan_groups<'a>(
    cx: &Ctx<'_, 'a>,
    groups: Vec<&'a Resource>,
    mut unknown: Option<String>,
) -> Result<Option<(&'a Resource, &'a Resource, DefaultRoute<'a>)>, String> {
    for g in groups {
        let Some(v) = g.get("subnet_ids") else {
            continue;
        };
        let subnets = cx.model.follow(v, crate::analysis::net::SUBNET_TYPES);
        if let Some(u) = subnets.unknown {
            unknown.get_or_insert(format!("subnet_ids of {} is not known: {u}", g.address));
        }
        for s in subnets.resources {
            match cx.analysis.default_route(s) {
                r @ DefaultRoute::InternetGateway { .. } => return Ok(Some((g, s, r))),
                DefaultRoute::Unknown(u) => {
                    unknown.get_or_insert(u);
                }
                _ => {}
            }
        }
    }
    match unknown {
        Some(u) => Err(u),
        None => Ok(None),
    }
}

impl Rule for RdsReachableFromInternet {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let all = cx.analysis.ingress();
        for db in databases(cx.model) {
            let mut unknown: Option<String> = None;
            let (groups, groups_unknown) = db_groups(cx.model, db);
            if let Some(u) = groups_unknown {
                unknown = Some(u);
            }
            // A world-open rule on the database port; a rule open on every port decides even
            // when the port is not known.
            let mut open = None;
            let port = db_port(cx.model, db);
            for i in all
                .iter()
                .filter(|i| groups.iter().any(|g| i.applies_to(g)))
            {
                let Some(w) = i.world_sources().next() else {
                    continue;
                };
                let covers = match &port {
                    Ok(p) => i.ports.covers(*p),
                    Err(_) if i.ports.covers_every_port() => Some(true),
                    Err(e) => {
                        unknown.get_or_insert(format!("the database port is not known: {e}"));
                        continue;
                    }
                };
                match (i.carries_tcp(), covers) {
                    (Some(true), Some(true)) => {
                        open = Some((i, w, port.as_ref().ok().copied()));
                        break;
                    }
                    (Some(false), _) | (_, Some(false)) => {}
                    _ => {
                        unknown.get_or_insert(format!(
                            "{} admits the internet on ports or a protocol not known",
                            i.describe()
                        ));
                    }
                }
            }
            let subnet = public_subnet(cx, db);
            let mut related = Vec::new();
            let public = match &subnet {
                Ok(Some((g, s, route))) => {
                    if let Some(span) = location_of(db, "db_subnet_group_name") {
                        related.push(Related {
                            message: format!("subnet group {}", g.address),
                            location: span,
                        });
                    }
                    if let Some(span) = route.route_span().or_else(|| s.location()) {
                        related.push(Related {
                            message: format!(
                                "default route of {} to an internet gateway",
                                s.address
                            ),
                            location: span,
                        });
                    }
                    Some((*g, *s))
                }
                Ok(None) => None,
                Err(u) => {
                    unknown.get_or_insert(u.clone());
                    None
                }
            };
            if let Some((i, w, port)) = open {
                let leaf = w.path.rsplit('.').next().unwrap_or(&w.path);
                out.report(
                    db,
                    &Reachable {
                        db: &db.address,
                        exposure: Exposure::OpenRule {
                            rule: i.describe(),
                            cidr: match &w.source {
                                crate::analysis::net::ingress::Source::Cidr(c) => c.clone(),
                                _ => String::new(),
                            },
                            port,
                        },
                        also_public_subnet: public.is_some(),
                    },
                    i.span(leaf),
                    related,
                );
            } else if let Some((g, s)) = public {
                out.report(
                    db,
                    &Reachable {
                        db: &db.address,
                        exposure: Exposure::PublicSubnet {
                            subnet: s.address.clone(),
                            group: g.address.clone(),
                        },
                        also_public_subnet: false,
                    },
                    location_of(db, "db_subnet_group_name"),
                    related.into_iter().skip(1).collect(),
                );
            } else if let Some(u) = unknown {
                out.not_evaluated(db, u, db.location());
            }
        }
    }
}
