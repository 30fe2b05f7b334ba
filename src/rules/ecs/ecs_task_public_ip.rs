//! ECS003 ecs-task-public-ip.
use crate::analysis::net::service::{launch_in, network, Launch};
use crate::analysis::net::{location_of, DefaultRoute};
use crate::diag::fix::{Edit, Fix};
use crate::rules::provenance::via_related;
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink, Violation};

pub struct EcsTaskPublicIp;

static META: RuleMeta = RuleMeta {
    code: "ECS003",
    name: "ecs-task-public-ip",
    category: "ecs",
    severity: Severity::Warning,
    summary:
        "Fargate tasks get a public IP address or run in subnets routed to an internet gateway",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[crate::diag::fix::Applicability::Unsafe],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/ecs-task-public-ip.md"),
};

enum TaskPublicIp<'a> {
    Assigned,
    PublicSubnet { subnet: &'a str, ipv6: bool },
}

impl Violation for TaskPublicIp<'_> {
    fn message(&self) -> String {
        match self {
            TaskPublicIp::Assigned => "aws_ecs_service network_configuration has assign_public_ip = true: every Fargate task gets a public IP address".into(),
            TaskPublicIp::PublicSubnet { subnet, ipv6: false } => format!(
                "aws_ecs_service runs Fargate tasks in {subnet}, whose default route (0.0.0.0/0) goes to an internet gateway: the tasks sit in a public subnet"
            ),
            TaskPublicIp::PublicSubnet { subnet, ipv6: true } => format!(
                "aws_ecs_service runs Fargate tasks in {subnet}, whose IPv6 default route (::/0) goes to an internet gateway: tasks with an IPv6 address are reachable from the internet"
            ),
        }
    }
    fn fix_title(&self) -> String {
        match self {
            TaskPublicIp::Assigned => "set assign_public_ip = false and give the private subnets a NAT gateway or VPC endpoints".into(),
            TaskPublicIp::PublicSubnet { ipv6: false, .. } => "place the service in private subnets (default route to a NAT gateway) behind the load balancer".into(),
            TaskPublicIp::PublicSubnet { ipv6: true, .. } => "route ::/0 to an egress-only internet gateway (aws_egress_only_internet_gateway)".into(),
        }
    }
}

impl Rule for EcsTaskPublicIp {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for svc in cx.model.resources_of("aws_ecs_service") {
            let Some(net) = network(cx.model, svc) else {
                continue;
            };
            let kind = launch_in(cx.model, svc);
            match (&kind, &net.public_ip) {
                (Launch::Other, _) => continue,
                (Launch::Unknown(e), Ok(true)) => {
                    out.not_evaluated(
                        svc,
                        format!("whether it runs on Fargate is not known: {e}"),
                        location_of(svc, "launch_type"),
                    );
                    continue;
                }
                // assign_public_ip works only on Fargate: a service that sets it runs there.
                (Launch::Default, Ok(true)) | (Launch::Fargate, _) => {}
                _ => continue,
            }
            match &net.public_ip {
                Ok(true) => {
                    let path = "network_configuration[0].assign_public_ip";
                    let fix = svc.origin(path).map(|o| {
                        Fix::unsafe_(vec![Edit::SetValue {
                            origin: o.clone(),
                            text: "false".into(),
                        }])
                    });
                    out.report(
                        svc,
                        &TaskPublicIp::Assigned,
                        location_of(svc, path),
                        via_related(svc, path),
                    )
                    .fix = fix;
                    continue;
                }
                Ok(false) => {}
                Err(e) => {
                    out.not_evaluated(
                        svc,
                        e.clone(),
                        location_of(svc, "network_configuration[0].assign_public_ip"),
                    );
                    continue;
                }
            }
            let mut unknown = net.subnets_unknown.clone();
            let mut found = false;
            for s in &net.subnets {
                let route = cx.analysis.default_route(s);
                match &route {
                    DefaultRoute::InternetGateway { ipv6, .. } => {
                        let ipv6 = *ipv6;
                        let related = route.igw_related().into_iter().collect();
                        out.report(
                            svc,
                            &TaskPublicIp::PublicSubnet {
                                subnet: &s.address,
                                ipv6,
                            },
                            net.subnets_span.clone(),
                            related,
                        );
                        found = true;
                        break;
                    }
                    DefaultRoute::Unknown(u) => {
                        unknown.get_or_insert(u.clone());
                    }
                    _ => {}
                }
            }
            if let (false, Some(u)) = (found, unknown) {
                out.not_evaluated(
                    svc,
                    format!("whether the tasks' subnets are public is not known: {u}"),
                    net.subnets_span.clone(),
                );
            }
        }
    }
}
