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

use crate::model::{Resource, Value};
use crate::source::Location;

/// Security group resource types.
pub const SG_TYPES: &[&str] = &["aws_security_group", "aws_default_security_group"];

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
