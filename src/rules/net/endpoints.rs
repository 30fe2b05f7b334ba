//! VPC endpoints of a VPC, identified by the service they reach (`ecr.api`, `ecr.dkr`, `logs`,
//! `s3`), whatever the region part of the service name.
use super::refs;
use crate::model::{Cause, Model, Resource, Value};

#[derive(Clone, Debug)]
pub struct Endpoint<'a> {
    pub resource: &'a Resource,
    /// The service name (`com.amazonaws.eu-west-1.ecr.api`) or short name (`ecr.api`).
    pub service: Result<String, String>,
    /// `Interface` or `Gateway` (the provider's default is Gateway).
    pub kind: String,
}

impl Endpoint<'_> {
    /// Whether this endpoint reaches `service` (`ecr.api`, `s3`…); None when its name is not
    /// known.
    pub fn reaches(&self, service: &str) -> Option<bool> {
        match &self.service {
            Ok(s) => Some(s == service || s.ends_with(&format!(".{service}"))),
            Err(_) => None,
        }
    }
}

/// The endpoints in `vpc` (every endpoint of the configuration when `vpc` is None, and those
/// whose VPC is not known).
pub fn endpoints_for<'a>(model: &'a Model, vpc: Option<&Resource>) -> Vec<Endpoint<'a>> {
    let mut out = Vec::new();
    for e in model.resources_of("aws_vpc_endpoint") {
        if let (Some(vpc), Some(v)) = (vpc, e.get("vpc_id")) {
            let r = refs(model, v, &["aws_vpc", "aws_default_vpc"]);
            if !r.resources.is_empty() && !r.resources.iter().any(|x| std::ptr::eq(*x, vpc)) {
                continue;
            }
        }
        let kind = e
            .get("vpc_endpoint_type")
            .and_then(Value::as_str)
            .unwrap_or("Gateway")
            .to_string();
        out.push(Endpoint {
            resource: e,
            service: service_of(model, e),
            kind,
        });
    }
    out
}

fn service_of(model: &Model, e: &Resource) -> Result<String, String> {
    match e.get("service_name").map(Value::peel) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Unknown(u)) => {
            // terraform-aws-vpc's endpoints module reads the name from a
            // data.aws_vpc_endpoint_service whose `service` argument is known.
            if let Cause::Resource { module, target, .. } = u.cause() {
                let found = super::prefer_key(model.instances_of(module, target), e);
                if let [d] = found.as_slice() {
                    for k in ["service_name", "service"] {
                        if let Some(s) = d.get(k).and_then(Value::as_str) {
                            return Ok(s.to_string());
                        }
                    }
                }
            }
            Err(format!(
                "{}.service_name is not known: {}",
                e.address,
                u.cause()
            ))
        }
        _ => Err(format!("{} has no service_name", e.address)),
    }
}
