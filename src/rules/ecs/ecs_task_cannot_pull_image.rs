//! ECS004 ecs-task-cannot-pull-image.
use crate::analysis::ecs::containers::{
    image_source_of, partial_definitions, registry_name, Definitions, ImageSource,
};
use crate::analysis::net::service::{launch_in, network, Launch};
use crate::analysis::net::{endpoints_for, location_of, DefaultRoute, Endpoint};
use crate::model::{Model, Resource};
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct EcsTaskCannotPullImage;

static META: RuleMeta = RuleMeta {
    code: "ECS004",
    name: "ecs-task-cannot-pull-image",
    category: "ecs",
    severity: Severity::Error,
    summary: "Fargate tasks have no route to their image registry: no NAT, no public IP, no VPC endpoints",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[Input::Config, Input::State, Input::Live, Input::TaskDefinition],
    options: &[],
    doc: include_str!("../../../rules/ecs-task-cannot-pull-image.md"),
};

/// Why a subnet gives tasks no way out to the internet.
enum NoEgress {
    /// Only the VPC's local route.
    LocalOnly,
    /// Routed to an internet gateway, but the tasks get no public IP.
    IgwWithoutPublicIp,
}

struct CannotPull<'a> {
    subnet: &'a str,
    why: &'a NoEgress,
    /// Endpoints missing in the VPC (empty when the image needs the internet anyway).
    missing: Vec<&'static str>,
    /// An S3 gateway endpoint of the VPC without a route in the subnet's table.
    s3_unrouted: Option<String>,
    /// An image outside ECR, which no VPC endpoint reaches.
    outside_ecr: Option<(String, &'static str)>,
}

impl Violation for CannotPull<'_> {
    fn message(&self) -> String {
        let route = match self.why {
            NoEgress::LocalOnly => format!("{} has no default route (no NAT gateway)", self.subnet),
            NoEgress::IgwWithoutPublicIp => format!(
                "{} routes to an internet gateway but assign_public_ip is false, so tasks have no way out",
                self.subnet
            ),
        };
        let cause = match &self.outside_ecr {
            Some((image, registry)) => {
                format!("image {image} comes from {registry}, which VPC endpoints do not reach")
            }
            None => {
                let absent: Vec<&str> = self
                    .missing
                    .iter()
                    .filter(|m| !(**m == "s3" && self.s3_unrouted.is_some()))
                    .map(|m| if *m == "s3" { "s3 (gateway)" } else { m })
                    .collect();
                let unrouted = self
                    .s3_unrouted
                    .as_ref()
                    .filter(|_| self.missing.contains(&"s3"))
                    .map(|e| {
                        format!(
                            "the S3 gateway endpoint {e} has no route in the subnet's route table"
                        )
                    });
                let absent = (!absent.is_empty())
                    .then(|| format!("the VPC has no VPC endpoint for {}", absent.join(", ")));
                absent
                    .into_iter()
                    .chain(unrouted)
                    .collect::<Vec<_>>()
                    .join(", and ")
            }
        };
        format!("Fargate tasks cannot pull their image (CannotPullContainerError): {route}, and {cause}")
    }
    fn fix_title(&self) -> String {
        match (&self.outside_ecr, self.why) {
            (Some(_), _) => "route the subnets' 0.0.0.0/0 to a NAT gateway, or copy the image to ECR and add the ECR endpoints".into(),
            (None, NoEgress::IgwWithoutPublicIp) => "set assign_public_ip = true, move the tasks to subnets with a NAT gateway, or add the missing VPC endpoints".into(),
            (None, NoEgress::LocalOnly) => match (&self.s3_unrouted, self.missing.as_slice()) {
                (Some(e), ["s3"]) => format!(
                    "add a NAT gateway route, or the subnet's route table to route_table_ids of {e}"
                ),
                _ => format!(
                    "add a NAT gateway route or the VPC endpoints {}",
                    self.missing.join(", ")
                ),
            },
        }
    }
}

/// What the task definition's containers need: the first image from outside private ECR
/// (with its registry), and whether one logs with `awslogs`.
struct Needs {
    outside_ecr: Option<(String, &'static str)>,
    awslogs: bool,
    /// Why an image is not known (a container known only at apply, or its image), when no
    /// known image already needs the internet.
    unknown: Option<String>,
}

fn needs(model: &Model, td: &Resource) -> Result<Needs, String> {
    let p = match partial_definitions(td) {
        Ok(p) => p,
        Err(Definitions::Missing) => return Err("container_definitions is not set".into()),
        Err(Definitions::Unknown(e) | Definitions::Invalid(e)) => return Err(e),
        Err(Definitions::Known(_)) => unreachable!("partial_definitions returns Ok for these"),
    };
    let mut out = Needs {
        outside_ecr: None,
        awslogs: false,
        unknown: p.unknown.into_iter().next().map(|(_, why)| why),
    };
    for c in &p.known {
        if c.log_driver().as_str() == Some("awslogs") {
            out.awslogs = true;
        }
        match image_source_of(model, td, c) {
            ImageSource::PrivateEcr => {}
            ImageSource::Public(host) => {
                if out.outside_ecr.is_none() {
                    let image = c.image().as_str().unwrap_or_default().to_string();
                    out.outside_ecr = Some((image, registry_name(&host)));
                }
            }
            ImageSource::Unknown(why) => {
                out.unknown
                    .get_or_insert(format!("container {}: {why}", c.label()));
            }
        }
    }
    Ok(out)
}

const ECR_ENDPOINTS: &[&str] = &["ecr.api", "ecr.dkr", "s3"];

/// The endpoints of `needed` not found among `eps`; Err when an endpoint's service is not
/// known and might be one of them. A gateway endpoint (S3) counts only when it has a route in
/// the subnet's route `table`.
fn missing<'a>(
    model: &'a Model,
    eps: &[Endpoint<'a>],
    needed: &[&'static str],
    table: Option<&Resource>,
) -> Result<(Vec<&'static str>, Option<String>), String> {
    // An endpoint the sources could not list might be the one that is missing.
    model.coverage("aws_vpc_endpoint")?;
    let mut out = Vec::new();
    let mut unrouted = None;
    for n in needed {
        let mut unknown = None;
        let found = eps.iter().any(|e| match e.reaches(n) {
            Some(true) if e.kind.eq_ignore_ascii_case("Interface") => true,
            Some(true) if *n == "s3" => match e.serves_table(model, table) {
                Ok(b) => {
                    if !b {
                        unrouted = Some(e.resource.address.clone());
                    }
                    b
                }
                Err(u) => {
                    unknown = Some(u);
                    false
                }
            },
            Some(_) => false,
            None => {
                unknown = e.service.clone().err();
                false
            }
        });
        if !found {
            if let Some(u) = unknown {
                return Err(u);
            }
            out.push(*n);
        }
    }
    Ok((out, unrouted))
}

fn vpc_of<'a>(model: &'a Model, subnet: &Resource) -> Option<&'a Resource> {
    let v = subnet.get("vpc_id")?;
    model
        .follow(v, &["aws_vpc", "aws_default_vpc"])
        .resources
        .first()
        .copied()
}

impl Rule for EcsTaskCannotPullImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for svc in cx.model.resources_of("aws_ecs_service") {
            let Some(net) = network(cx.model, svc) else {
                continue;
            };
            match launch_in(cx.model, svc) {
                Launch::Fargate => {}
                // EC2 tasks pull through the instance's network; the default strategy is the
                // cluster's.
                Launch::Other | Launch::Default => continue,
                Launch::Unknown(e) => {
                    out.not_evaluated(
                        svc,
                        format!("whether it runs on Fargate is not known: {e}"),
                        location_of(svc, "launch_type"),
                    );
                    continue;
                }
            }
            // The first subnet that gives tasks no way out, and why.
            let mut blocked: Option<(&Resource, NoEgress, DefaultRoute)> = None;
            let mut unknown = net.subnets_unknown.clone();
            for s in &net.subnets {
                // Registries answer over IPv4: `::/0` gives tasks no way to them.
                let route = cx.analysis.default_route_v4(s);
                let why = match (&route, &net.public_ip) {
                    (DefaultRoute::None { .. }, _) => NoEgress::LocalOnly,
                    (DefaultRoute::InternetGateway { .. }, Ok(false)) => {
                        NoEgress::IgwWithoutPublicIp
                    }
                    (DefaultRoute::InternetGateway { .. }, Err(e)) => {
                        unknown.get_or_insert(e.clone());
                        continue;
                    }
                    (DefaultRoute::Unknown(u), _) => {
                        unknown.get_or_insert(u.clone());
                        continue;
                    }
                    _ => continue,
                };
                blocked = Some((s, why, route));
                break;
            }
            let Some((subnet, why, route)) = blocked else {
                if let Some(u) = unknown {
                    out.not_evaluated(
                        svc,
                        format!("whether the tasks can reach their registry is not known: {u}"),
                        net.subnets_span.clone(),
                    );
                }
                continue;
            };
            let eps = endpoints_for(cx.model, vpc_of(cx.model, subnet));
            let td = svc
                .get("task_definition")
                .map(|v| cx.model.follow(v, &["aws_ecs_task_definition"]))
                .unwrap_or_default();
            // Every definition the service may run (the configured one, the repository's file
            // of its family): one whose image needs the internet decides.
            let mut all: Vec<Result<(Needs, &Resource), String>> =
                crate::analysis::ecs::containers::task_definitions_of(cx.model, svc)
                    .into_iter()
                    .map(|t| needs(cx.model, t).map(|n| (n, t)))
                    .collect();
            let pick = all
                .iter()
                .position(|r| matches!(r, Ok((n, _)) if n.outside_ecr.is_some()))
                .unwrap_or(0);
            let defs = if all.is_empty() {
                Err(td.unknown.unwrap_or_else(|| {
                    format!("the task definition is not managed {}", cx.model.scope())
                }))
            } else {
                all.swap_remove(pick)
            };
            let mut needed: Vec<&'static str> = ECR_ENDPOINTS.to_vec();
            let mut outside_ecr = None;
            let mut td_related = Vec::new();
            let mut images_unknown = None;
            match &defs {
                Ok((n, t)) => {
                    if n.awslogs {
                        needed.push("logs");
                    }
                    outside_ecr.clone_from(&n.outside_ecr);
                    if let (Some((image, _)), Some(span)) =
                        (&outside_ecr, location_of(t, "container_definitions"))
                    {
                        td_related.push(Related {
                            message: format!("{} runs image {image}", t.address),
                            location: span,
                        });
                    }
                    images_unknown.clone_from(&n.unknown);
                }
                Err(e) => images_unknown = Some(e.clone()),
            }
            let table = match &route {
                DefaultRoute::InternetGateway { table, .. } => Some(*table),
                DefaultRoute::None { table } => *table,
                _ => None,
            };
            let (missing, s3_unrouted) = match missing(cx.model, &eps, &needed, table) {
                Ok(m) => m,
                Err(u) => {
                    out.not_evaluated(
                        svc,
                        format!("which VPC endpoints exist is not known: {u}"),
                        net.subnets_span.clone(),
                    );
                    continue;
                }
            };
            // Without the definitions, missing ECR endpoints decide alone: every image needs
            // either the internet or them.
            if outside_ecr.is_none() && missing.is_empty() {
                if let Some(e) = images_unknown {
                    out.not_evaluated(
                        svc,
                        format!(
                            "the VPC endpoints for ECR exist but the images are not known: {e}"
                        ),
                        location_of(svc, "task_definition"),
                    );
                }
                continue;
            }
            let mut related = Vec::new();
            let route_note = match &route {
                DefaultRoute::InternetGateway { .. } => route.igw_related(),
                DefaultRoute::None { table: Some(t) } => t.span.clone().map(|span| Related {
                    message: format!("route table of {}: no default route", subnet.address),
                    location: span.into(),
                }),
                _ => None,
            };
            related.extend(route_note);
            related.extend(td_related);
            let span = match why {
                NoEgress::IgwWithoutPublicIp => {
                    location_of(svc, "network_configuration[0].assign_public_ip")
                        .filter(|_| {
                            svc.origin("network_configuration[0].assign_public_ip")
                                .is_some()
                        })
                        .or(net.subnets_span.clone())
                }
                NoEgress::LocalOnly => net.subnets_span.clone(),
            };
            out.report(
                svc,
                &CannotPull {
                    subnet: &subnet.address,
                    why: &why,
                    s3_unrouted,
                    missing: if outside_ecr.is_some() {
                        Vec::new()
                    } else {
                        missing
                    },
                    outside_ecr,
                },
                span,
                related,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::rules::testing::model_tf;

    fn run(image: &str) -> Sink {
        let m = model_tf(&format!(
            r#"
variable "registry" {{}}
resource "aws_vpc" "main" {{ cidr_block = "10.0.0.0/16" }}
resource "aws_subnet" "isolated" {{ vpc_id = aws_vpc.main.id }}
resource "aws_vpc_endpoint" "ecr" {{
  for_each          = toset(["ecr.api", "ecr.dkr"])
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.eu-west-1.${{each.value}}"
  vpc_endpoint_type = "Interface"
}}
resource "aws_vpc_endpoint" "s3" {{
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.eu-west-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_vpc.main.main_route_table_id]
}}
resource "aws_ecs_task_definition" "api" {{
  family = "api"
  container_definitions = jsonencode([{{
    name             = "api"
    image            = "{image}"
    logConfiguration = {{ logDriver = "awslogs" }}
  }}])
}}
resource "aws_ecs_service" "api" {{
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.api.arn
  network_configuration {{ subnets = [aws_subnet.isolated.id] }}
}}
"#
        ));
        crate::rules::testing::run(&EcsTaskCannotPullImage, &m)
    }

    #[test]
    fn a_container_known_but_for_its_image_still_needs_the_logs_endpoint() {
        for image in [
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1",
            "${var.registry}/api:1",
        ] {
            let s = run(image);
            assert_eq!(s.findings.len(), 1, "{image}");
            assert!(
                s.findings[0].message.ends_with("no VPC endpoint for logs"),
                "{image}: {}",
                s.findings[0].message
            );
        }
    }
}
