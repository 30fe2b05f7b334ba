//! What security groups admit from each other, and which belong to load balancers: the
//! questions ECS001, SG001 and RDS002 ask of the normalized ingress.
use super::ingress::{is_world, Ports, Protocol, Source};
use super::SG_TYPES;
use crate::model::{Model, Resource, Value};
use crate::source::Location;

/// The security groups attached to load balancers (`aws_lb`, `aws_alb`, `aws_elb`).
pub fn lb_groups(model: &Model) -> Vec<&Resource> {
    let mut out: Vec<&Resource> = Vec::new();
    for t in ["aws_lb", "aws_alb", "aws_elb"] {
        for lb in model.resources_of(t) {
            if lb.get("load_balancer_type").and_then(Value::as_str) == Some("network")
                && lb.get("security_groups").is_none()
            {
                continue;
            }
            if let Some(v) = lb.get("security_groups") {
                out.extend(model.follow(v, SG_TYPES).resources);
            }
        }
    }
    out
}

/// Whether `sg` is attached to a load balancer.
pub fn is_lb_group(model: &Model, sg: &Resource) -> bool {
    lb_groups(model).iter().any(|g| std::ptr::eq(*g, sg))
}

/// The answer of [`admits_from`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admits {
    /// Admitted; `span` points at the rule that admits it.
    Yes {
        span: Option<Location>,
    },
    No,
    Unknown(String),
}

/// Whether any of `targets` (security groups) admits TCP `port` from any of `sources`
/// (security groups), by a rule naming one of them, a CIDR rule covering 0.0.0.0/0, or one
/// covering every network the sources' addresses come from (`networks`; a rule from the VPC's
/// CIDR admits a load balancer in that VPC).
pub fn admits_from(
    analysis: &crate::analysis::Analysis,
    targets: &[&Resource],
    port: i64,
    sources: &[&Resource],
    networks: &[super::Network],
) -> Admits {
    let all = analysis.ingress();
    let mut unknown: Option<String> = None;
    for t in targets {
        for i in all.iter().filter(|i| i.applies_to(t)) {
            let carries = match (i.carries_tcp(), i.ports.covers(port)) {
                (Some(false), _) | (_, Some(false)) => continue,
                (Some(true), Some(true)) => true,
                (None, _) | (_, None) => false,
            };
            for s in &i.sources {
                let hit = match &s.source {
                    Source::Group(g) => sources.iter().any(|x| std::ptr::eq(*x, *g)),
                    Source::SelfGroup => sources.iter().any(|x| std::ptr::eq(*x, *t)),
                    Source::Cidr(c) => {
                        is_world(c)
                            || !networks.is_empty() && networks.iter().all(|n| n.covered_by(c))
                    }
                    Source::Unknown(u) => {
                        unknown.get_or_insert_with(|| format!("{}: {u}", i.describe()));
                        false
                    }
                    Source::GroupId(_) | Source::PrefixList => false,
                };
                if hit && carries {
                    return Admits::Yes {
                        span: i.span(s.path.rsplit('.').next().unwrap_or(&s.path)),
                    };
                }
                if hit {
                    let why = match (&i.protocol, &i.ports) {
                        (Protocol::Unknown(u), _) | (_, Ports::Unknown(u)) => u.clone(),
                        _ => "protocol or ports not known".into(),
                    };
                    unknown.get_or_insert_with(|| format!("{}: {why}", i.describe()));
                }
            }
        }
    }
    match unknown {
        Some(u) => Admits::Unknown(u),
        None => Admits::No,
    }
}
