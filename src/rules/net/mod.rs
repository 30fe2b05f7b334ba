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

use crate::model::{Cause, Model, Resource, Value};

/// Security group resource types.
pub const SG_TYPES: &[&str] = &["aws_security_group", "aws_default_security_group"];

/// What a value made of references and literals points at: the resources of the wanted
/// types, the literal strings (ids like `subnet-0abc`), and why the rest is not known.
#[derive(Debug, Default)]
pub struct Refs<'a> {
    pub resources: Vec<&'a Resource>,
    pub literals: Vec<String>,
    pub unknown: Option<String>,
}

impl Refs<'_> {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.literals.is_empty() && self.unknown.is_none()
    }
}

/// Follows `v` to resources of `types` (managed or data, by type name).
pub fn refs<'a>(model: &'a Model, v: &Value, types: &[&str]) -> Refs<'a> {
    let mut out = Refs::default();
    collect_refs(model, v, types, &mut out);
    out
}

fn collect_refs<'a>(model: &'a Model, v: &Value, types: &[&str], out: &mut Refs<'a>) {
    match v.peel() {
        Value::String(s) => out.literals.push(s.clone()),
        Value::List(items) | Value::Set(items) => {
            for x in items {
                collect_refs(model, x, types, out);
            }
        }
        Value::Map(m) => {
            for x in m.values() {
                collect_refs(model, x, types, out);
            }
        }
        Value::Unknown(u) => {
            for leaf in u.cause().leaves() {
                collect_cause(model, leaf, types, out);
            }
        }
        _ => {}
    }
}

fn collect_cause<'a>(model: &'a Model, cause: &Cause, types: &[&str], out: &mut Refs<'a>) {
    {
        {
            let found: Vec<&Resource> = match cause {
                // `aws_route_table.private[1].id` is that instance; `aws_subnet.public` all.
                Cause::Resource {
                    module,
                    target,
                    key,
                    ..
                } => model
                    .instances_of(module, target)
                    .into_iter()
                    .filter(|r| types.contains(&r.rtype.as_str()))
                    .filter(|r| key.is_none() || r.key == *key)
                    .collect(),
                _ => Vec::new(),
            };
            if found.is_empty() {
                out.unknown.get_or_insert_with(|| cause.to_string());
            }
            for r in found {
                if !out.resources.iter().any(|x| std::ptr::eq(*x, r)) {
                    out.resources.push(r);
                }
            }
        }
    }
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

/// A value whose unknown reads an input attribute of another resource in configuration
/// (`aws_vpc.main.cidr_block`) becomes that attribute's value when it is known.
pub fn through_inputs<'a>(model: &'a Model, v: &'a Value) -> &'a Value {
    if let Value::Unknown(u) = v.peel() {
        if let Cause::Resource {
            module,
            target,
            key,
            attribute: Some(a),
        } = u.cause()
        {
            let mut found = model.instances_of(module, target);
            if key.is_some() {
                found.retain(|r| r.key == *key);
            }
            if let [r] = found.as_slice() {
                if let Some(x) = r.get(a) {
                    if x.is_wholly_known() {
                        return x;
                    }
                }
            }
        }
    }
    v
}

/// A whole number from a number or a numeric string.
pub fn as_int(v: &Value) -> Option<i64> {
    match v.peel() {
        Value::Number(n) => n.to_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// True for a value that is set: not absent, not null.
pub fn is_set(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null())
}

/// Whether a `dynamic "<kind>"` block inside `r` was skipped because its `for_each` is unknown.
pub fn dynamic_unknown(model: &Model, r: &Resource, kind: &str) -> Option<String> {
    let block = r.block.as_ref()?;
    let subject = format!("dynamic \"{kind}\"");
    model
        .not_evaluated
        .iter()
        .find(|n| {
            n.subject == subject
                && n.span.as_ref().is_some_and(|s| {
                    s.file == block.file && s.start >= block.start && s.end <= block.end
                })
        })
        .map(|n| format!("dynamic \"{kind}\" blocks: {}", n.reason))
}

/// The span of `path` in `r`, or its header.
pub fn span_of(r: &Resource, path: &str) -> Option<crate::source::Span> {
    r.origin(path)
        .map(|o| o.span.clone())
        .or_else(|| r.span.clone())
}
