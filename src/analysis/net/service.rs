//! The network side of an ECS service: whether it runs on Fargate, its subnets and whether its
//! tasks get a public IP.
use super::location_of;
use crate::model::{Model, Resource, Value};
use crate::source::Location;

/// How a service launches its tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Launch {
    /// `launch_type = "FARGATE"` or a FARGATE/FARGATE_SPOT capacity provider strategy.
    Fargate,
    /// EC2, EXTERNAL, or a strategy with other capacity providers.
    Other,
    /// Neither set: the cluster's default capacity provider strategy, else EC2.
    Default,
    Unknown(String),
}

pub fn launch(svc: &Resource) -> Launch {
    if let Some(strategies) = svc
        .get("capacity_provider_strategy")
        .and_then(Value::as_list)
    {
        let mut any_unknown = None;
        for s in strategies {
            match s
                .as_map()
                .and_then(|m| m.get("capacity_provider"))
                .map(Value::peel)
            {
                Some(Value::String(p)) if p.starts_with("FARGATE") => return Launch::Fargate,
                Some(Value::Unknown(u)) => any_unknown = Some(u.cause().to_string()),
                _ => {}
            }
        }
        if let Some(u) = any_unknown {
            return Launch::Unknown(format!("capacity_provider_strategy is not known: {u}"));
        }
        if !strategies.is_empty() {
            return Launch::Other;
        }
    }
    match svc.get("launch_type").map(Value::peel) {
        Some(Value::String(t)) if t.eq_ignore_ascii_case("FARGATE") => Launch::Fargate,
        Some(Value::String(_)) => Launch::Other,
        Some(Value::Unknown(u)) => {
            Launch::Unknown(format!("launch_type is not known: {}", u.cause()))
        }
        _ => Launch::Default,
    }
}

/// How a service launches its tasks, with `Launch::Default` resolved through its cluster's
/// default capacity provider strategy when the configuration holds it.
pub fn launch_in(model: &Model, svc: &Resource) -> Launch {
    let l = launch(svc);
    if l != Launch::Default {
        return l;
    }
    let Some(cluster) = svc.get("cluster") else {
        return l; // the account's default cluster
    };
    let clusters = model.follow(cluster, &["aws_ecs_cluster"]).resources;
    let [cluster] = clusters.as_slice() else {
        return l;
    };
    // `aws_ecs_cluster_capacity_providers`, or the cluster's own (older) strategy blocks.
    let mut holders: Vec<&Resource> = model
        .resources_of("aws_ecs_cluster_capacity_providers")
        .filter(|c| {
            c.get("cluster_name").is_some_and(|v| {
                model
                    .follow(v, &["aws_ecs_cluster"])
                    .resources
                    .iter()
                    .any(|x| std::ptr::eq(*x, *cluster))
            })
        })
        .collect();
    holders.push(cluster);
    for h in holders {
        let Some(strategies) = h
            .get("default_capacity_provider_strategy")
            .and_then(Value::as_list)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        // FARGATE and FARGATE_SPOT, or providers of Auto Scaling groups: AWS does not mix them.
        let mut unknown = None;
        for s in strategies {
            match s
                .as_map()
                .and_then(|m| m.get("capacity_provider"))
                .map(Value::peel)
            {
                Some(Value::String(p)) => {
                    return if p.starts_with("FARGATE") {
                        Launch::Fargate
                    } else {
                        Launch::Other
                    };
                }
                Some(v @ Value::Unknown(u)) => {
                    if !model
                        .follow(v, &["aws_ecs_capacity_provider"])
                        .resources
                        .is_empty()
                    {
                        return Launch::Other;
                    }
                    unknown.get_or_insert_with(|| u.cause().to_string());
                }
                _ => {}
            }
        }
        if let Some(u) = unknown {
            return Launch::Unknown(format!(
                "the default capacity provider strategy of {} is not known: {u}",
                cluster.address
            ));
        }
    }
    l
}

/// `network_configuration[0]` of a service.
pub struct Network<'a> {
    pub subnets: Vec<&'a Resource>,
    /// Why some subnets are not known.
    pub subnets_unknown: Option<String>,
    pub subnets_span: Option<Location>,
    /// `assign_public_ip`: Ok(bool) (false when not set), Err(reason) when not known.
    pub public_ip: Result<bool, String>,
}

pub fn network<'a>(model: &'a Model, svc: &'a Resource) -> Option<Network<'a>> {
    let nc = svc.get_path("network_configuration[0]")?.as_map()?;
    let (subnets, subnets_unknown) = match nc.get("subnets") {
        Some(v) => {
            let r = model.follow(v, crate::analysis::net::SUBNET_TYPES);
            let unknown = r
                .unknown
                .map(|u| format!("subnets are not known: {u}"))
                .or_else(|| {
                    r.literals
                        .first()
                        .map(|l| format!("subnet {l} is not managed {}", model.scope()))
                });
            (r.resources, unknown)
        }
        None => (
            Vec::new(),
            Some("network_configuration has no subnets".into()),
        ),
    };
    let public_ip = match nc.get("assign_public_ip").map(Value::peel) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Unknown(u)) => Err(format!("assign_public_ip is not known: {}", u.cause())),
        Some(v) => v.to_tf_bool().map_err(|e| format!("assign_public_ip: {e}")),
    };
    Some(Network {
        subnets,
        subnets_unknown,
        subnets_span: location_of(svc, "network_configuration[0].subnets"),
        public_ip,
    })
}
