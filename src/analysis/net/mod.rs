//! The network model shared by the network rules (and ECS001): which route a subnet's traffic
//! takes, what a security group admits, which VPC endpoints a VPC has. Everything here reads
//! the model only and answers "unknown, because …" when configuration does not say.
pub mod admits;
pub mod db;
pub mod endpoints;
pub mod ingress;
pub mod routing;
pub mod service;

pub use admits::{admits_from, is_lb_group, lb_groups, Admits};
pub use endpoints::{endpoints_for, Endpoint};
pub use ingress::{all_ingress, ingress_of, Ingress, Ports};
pub use routing::{default_route, default_route_v4, DefaultRoute};

use crate::model::{Model, Resource, Value};
use crate::source::Location;

/// Security group resource types.
pub const SG_TYPES: &[&str] = &["aws_security_group", "aws_default_security_group"];
/// A default VPC's subnets are `aws_default_subnet`, with the same attributes.
pub const SUBNET_TYPES: &[&str] = &["aws_subnet", "aws_default_subnet"];

/// The address ranges of one subnet: its own CIDR block and its VPC's, as known values, and
/// the names of those attributes when they are known only after apply
/// (`aws_vpc.main.cidr_block`), which is how configuration writes a rule "from the VPC".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    pub cidrs: Vec<String>,
    pub labels: Vec<String>,
}

impl Network {
    /// Whether an ingress CIDR (a literal range or the label of a VPC or subnet range) covers
    /// this subnet's addresses.
    pub fn covered_by(&self, cidr: &str) -> bool {
        self.labels.iter().any(|l| l == cidr)
            || self
                .cidrs
                .iter()
                .any(|inner| ingress::cidr_contains(cidr, inner))
    }
}

/// The ranges of `subnet` (see `Network`).
pub fn network_of(model: &Model, subnet: &Resource) -> Network {
    let mut out = Network::default();
    let mut add = |r: &Resource| match r.get("cidr_block").map(Value::peel) {
        Some(Value::String(c)) => out.cidrs.push(c.clone()),
        _ => out
            .labels
            .push(format!("{}.{}.cidr_block", r.rtype, r.name)),
    };
    add(subnet);
    if let Some(v) = subnet.get("vpc_id") {
        for vpc in model.follow(v, &["aws_vpc", "aws_default_vpc"]).resources {
            add(vpc);
        }
    }
    out
}

/// Among the instances a reference reached (all instances of a `count`/`for_each` object),
/// keep those with the same instance key as `like` when there are any: `element(x[*].id,
/// count.index)` written in a counted resource reaches every instance, its own key is the one.
pub fn prefer_key<'a>(found: Vec<&'a Resource>, like: &Resource) -> Vec<&'a Resource> {
    if like.key.is_none() || found.len() < 2 {
        return found;
    }
    let same: Vec<&Resource> = found
        .iter()
        .copied()
        .filter(|r| r.key == like.key)
        .collect();
    if same.is_empty() {
        found
    } else {
        same
    }
}

/// A whole number from a number or a numeric string.
pub fn as_int(v: &Value) -> Option<i64> {
    match v.peel() {
        Value::Number(n) => n.to_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// True for a value that is set: not absent, not null, not the empty string the AWS provider
/// stores in state for an optional argument left unset.
pub fn is_set(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_absent())
}

/// Where `path` of `r` was written (or where its source holds it), or the resource itself.
pub fn location_of(r: &Resource, path: &str) -> Option<Location> {
    r.origin(path)
        .map(|o| o.location.clone())
        .or_else(|| r.location())
}
