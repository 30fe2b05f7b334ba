//! VPC endpoints of a VPC, identified by the service they reach (`ecr.api`, `ecr.dkr`, `logs`,
//! `s3`), whatever the region part of the service name.

use crate::model::{Model, Resource, Value};

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
            // com.amazonaws.<region>.<service>: the region has no dot.
            Ok(s) => Some(match s.strip_prefix("com.amazonaws.") {
                Some(rest) => rest.split_once('.').is_some_and(|(_, svc)| svc == service),
                None => s == service || s.ends_with(&format!(".{service}")),
            }),
            Err(_) => None,
        }
    }
}

impl<'a> Endpoint<'a> {
    /// Whether this gateway endpoint has a route in `table` (its `route_table_ids`, or an
    /// `aws_vpc_endpoint_route_table_association`); `table` None is the VPC's implicit main
    /// table. Err when the tables are not known.
    pub fn serves_table(&self, model: &'a Model, table: Option<&Resource>) -> Result<bool, String> {
        // `aws_vpc.main.main_route_table_id` / `default_route_table_id` name the main table.
        let types = [
            "aws_route_table",
            "aws_default_route_table",
            "aws_vpc",
            "aws_default_vpc",
        ];
        let mut found = match self.resource.get("route_table_ids") {
            Some(v) => model.follow(v, &types),
            None => Default::default(),
        };
        for a in model.resources_of("aws_vpc_endpoint_route_table_association") {
            let ours = a.get("vpc_endpoint_id").is_some_and(|v| {
                model
                    .follow(v, &["aws_vpc_endpoint"])
                    .resources
                    .iter()
                    .any(|e| std::ptr::eq(*e, self.resource))
            });
            if let (true, Some(v)) = (ours, a.get("route_table_id")) {
                let r = model.follow(v, &types);
                found.resources.extend(r.resources);
                found.literals.extend(r.literals);
                found.unknown = found.unknown.or(r.unknown);
            }
        }
        let main = found.resources.iter().any(|r| r.rtype.ends_with("vpc"));
        let hit = match table {
            Some(t) => {
                found.resources.iter().any(|x| std::ptr::eq(*x, t))
                    || (main && t.rtype == "aws_default_route_table")
            }
            None => main,
        };
        if hit {
            return Ok(true);
        }
        if let Some(u) = found.unknown {
            return Err(format!(
                "route_table_ids of {} is not known: {u}",
                self.resource.address
            ));
        }
        if let Some(l) = found.literals.first() {
            return Err(format!(
                "{} is routed from route table {l}, which is not managed {}",
                self.resource.address,
                model.scope()
            ));
        }
        Ok(false)
    }
}

/// The endpoints in `vpc` (every endpoint of the configuration when `vpc` is None, and those
/// whose VPC is not known).
pub fn endpoints_for<'a>(model: &'a Model, vpc: Option<&Resource>) -> Vec<Endpoint<'a>> {
    let mut out = Vec::new();
    for e in model.resources_of("aws_vpc_endpoint") {
        if let (Some(vpc), Some(v)) = (vpc, e.get("vpc_id")) {
            let r = model.follow(v, &["aws_vpc", "aws_default_vpc"]);
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
            // `"com.amazonaws.${data.aws_region.current.name}.ecr.dkr"`: only the region is
            // unknown, and the region does not decide which service the endpoint reaches.
            // The parts after the region may be several (`.${each.value.service}`): all known.
            if let Some([Value::String(head), region, rest @ ..]) =
                e.written("service_name").template
            {
                let tail: Option<String> = rest.iter().map(Value::as_str).collect();
                if let Some(tail) = tail.filter(|t| t.starts_with('.')) {
                    if head == "com.amazonaws." && region.as_str().is_none() {
                        return Ok(format!("com.amazonaws.<region>{tail}"));
                    }
                }
            }
            // terraform-aws-vpc's endpoints module reads the name from a
            // data.aws_vpc_endpoint_service whose `service` argument is known.
            if let Some(v) = e.get("service_name") {
                let found: Vec<&Resource> =
                    model.targets(v).into_iter().map(|t| t.resource).collect();
                let found = super::prefer_key(found, e);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::{load, LoadOptions};
    use crate::rules::testing::model_tf;

    fn services(m: &Model) -> Vec<Result<String, String>> {
        let mut v: Vec<_> = endpoints_for(m, None)
            .into_iter()
            .map(|e| e.service)
            .collect();
        v.sort();
        v
    }

    #[test]
    fn names_from_literals_for_each_data_sources_and_unknown_regions() {
        let m = model_tf(
            r#"
data "aws_region" "current" {}
data "aws_vpc_endpoint_service" "s3" {
  service      = "s3"
  service_type = "Gateway"
}
resource "aws_vpc_endpoint" "s3" {
  vpc_id       = "vpc-1"
  service_name = data.aws_vpc_endpoint_service.s3.service_name
}
resource "aws_vpc_endpoint" "ecr" {
  for_each          = toset(["ecr.api", "ecr.dkr"])
  vpc_id            = "vpc-1"
  service_name      = "com.amazonaws.eu-west-1.${each.key}"
  vpc_endpoint_type = "Interface"
}
resource "aws_vpc_endpoint" "logs" {
  vpc_id            = "vpc-1"
  service_name      = "com.amazonaws.${data.aws_region.current.name}.logs"
  vpc_endpoint_type = "Interface"
}
resource "aws_vpc_endpoint" "by_map" {
  for_each          = { kms = "kms" }
  vpc_id            = "vpc-1"
  service_name      = "com.amazonaws.${data.aws_region.current.name}.${each.value}"
  vpc_endpoint_type = "Interface"
}
variable "service" {}
resource "aws_vpc_endpoint" "unknown_service" {
  vpc_id       = "vpc-1"
  service_name = "com.amazonaws.eu-west-1.${var.service}"
}
"#,
        );
        let got = services(&m);
        assert_eq!(got.len(), 6);
        assert!(got.contains(&Ok("com.amazonaws.eu-west-1.ecr.api".into())));
        assert!(got.contains(&Ok("com.amazonaws.eu-west-1.ecr.dkr".into())));
        assert!(got.contains(&Ok("s3".into())));
        assert!(got.contains(&Ok("com.amazonaws.<region>.logs".into())));
        assert!(got.contains(&Ok("com.amazonaws.<region>.kms".into())));
        assert!(got.iter().any(|s| s
            .as_ref()
            .is_err_and(|e| e.contains("var.service has no value"))));
        let eps = endpoints_for(&m, None);
        let ecr_api = eps.iter().find(|e| e.reaches("ecr.api") == Some(true));
        assert_eq!(ecr_api.map(|e| e.kind.as_str()), Some("Interface"));
        assert!(eps.iter().any(|e| e.reaches("s3") == Some(true)));
        assert!(eps.iter().any(|e| e.reaches("logs") == Some(true)));
        assert!(!eps.iter().any(|e| e.reaches("api") == Some(true)));
        assert!(!eps.iter().any(|e| e.reaches("ecr") == Some(true)));
    }

    /// terraform-aws-vpc's vpc-endpoints module names its services through
    /// data.aws_vpc_endpoint_service instances keyed like the endpoints.
    #[test]
    fn terraform_aws_vpc_endpoints_module() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/terraform-aws-vpc/examples/complete");
        assert!(dir.is_dir(), "corpus not found");
        let m = load(&dir, &LoadOptions::default()).model;
        let eps = endpoints_for(&m, None);
        for s in ["s3", "ecr.api", "ecr.dkr"] {
            assert!(
                eps.iter().any(|e| e.reaches(s) == Some(true)),
                "{s}: {:?}",
                eps.iter().map(|e| &e.service).collect::<Vec<_>>()
            );
        }
    }
}
