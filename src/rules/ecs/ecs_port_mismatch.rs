//! ECS001 ecs-port-mismatch: the ports an ECS service, its task definition and its target
//! group use for the same traffic must agree, or ECS rejects the service or the targets never
//! become healthy.
use crate::analysis::ecs::containers::{
    partial_definitions, port, task_definitions_of, Container, Definitions, Partial,
};
use crate::analysis::ecs::load_balancing;
use crate::diag::fix::{Edit, Fix};
use crate::model::{Model, Origin, Resource, Value};
use crate::rules::provenance::origin_related_showing;
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};
use crate::source::Location;
use std::collections::BTreeSet;

pub struct EcsPortMismatch;

static META: RuleMeta = RuleMeta {
    code: "ECS001",
    name: "ecs-port-mismatch",
    category: "ecs",
    severity: Severity::Error,
    summary: "An ECS service, its container and its target group disagree on the port",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[
        crate::diag::fix::Applicability::Safe,
        crate::diag::fix::Applicability::Unsafe,
    ],
    inputs: &[
        Input::Config,
        Input::State,
        Input::Live,
        Input::TaskDefinition,
    ],
    options: &[],
    doc: include_str!("../../../rules/ecs-port-mismatch.md"),
};

enum Mismatch<'a> {
    UnknownContainer {
        name: &'a str,
        td: &'a str,
        containers: Vec<String>,
    },
    PortNotMapped {
        port: i64,
        container: String,
        mapped: Vec<i64>,
        /// Reported in a task definition file (the service is the account's, not the
        /// repository's to edit): the command that points the service at another port.
        in_file: Option<String>,
    },
    HostPort {
        container: String,
        container_port: i64,
        host_port: i64,
        mode: &'a str,
    },
    HealthCheckPort {
        port: i64,
        listening: Vec<i64>,
    },
    NotAdmitted {
        port: i64,
        service_groups: Vec<String>,
        lb_groups: Vec<String>,
    },
}

fn list(ports: &[i64]) -> String {
    if ports.is_empty() {
        return "none".into();
    }
    ports
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Violation for Mismatch<'_> {
    fn message(&self) -> String {
        match self {
            Mismatch::UnknownContainer {
                name,
                td,
                containers,
            } => format!(
                "load_balancer container_name \"{name}\" is not a container of {td} (containers: {}): ECS rejects the service",
                containers.join(", ")
            ),
            Mismatch::PortNotMapped {
                port,
                container,
                mapped,
                ..
            } if mapped.is_empty() => format!(
                "the service sends load balancer traffic to container_port {port}, but container {container} has no port mappings: ECS rejects the service"
            ),
            Mismatch::PortNotMapped {
                port,
                container,
                mapped,
                ..
            } => format!(
                "the service sends load balancer traffic to container_port {port}, but container {container} listens on {} (its portMappings): ECS rejects the service",
                list(mapped)
            ),
            Mismatch::HostPort {
                container,
                container_port,
                host_port,
                mode,
            } => format!(
                "container {container} maps hostPort {host_port} to containerPort {container_port}, but with network_mode \"{mode}\" hostPort must equal containerPort: ECS rejects the task definition"
            ),
            Mismatch::HealthCheckPort { port, listening } => format!(
                "target group health check port {port} is not a port the task listens on ({}): health checks fail, targets stay unhealthy and ECS keeps replacing the tasks",
                list(listening)
            ),
            Mismatch::NotAdmitted {
                port,
                service_groups,
                lb_groups,
            } => format!(
                "the service's security groups ({}) do not admit TCP {port} from the load balancer's ({}): traffic and health checks are dropped, targets stay unhealthy",
                service_groups.join(", "),
                lb_groups.join(", ")
            ),
        }
    }

    fn fix_title(&self) -> String {
        match self {
            Mismatch::UnknownContainer { containers, .. } => format!(
                "set container_name to the container that serves the traffic ({})",
                containers.join(" or ")
            ),
            Mismatch::PortNotMapped {
                port,
                container,
                in_file: Some(update),
                ..
            } => format!(
                "make container {container} listen on {port} again (its containerPort), or point the service at the new port first: {update}"
            ),
            Mismatch::PortNotMapped {
                container, mapped, ..
            } => match mapped.as_slice() {
                [one] => format!("set container_port to {one}, the port container {container} listens on"),
                [] => format!("add a portMappings entry to container {container}, or send the traffic to the container that serves it"),
                _ => format!("set container_port to the port container {container} serves on ({})", list(mapped)),
            },
            Mismatch::HostPort { container_port, .. } => {
                format!("set hostPort to {container_port} (or leave it out)")
            }
            Mismatch::HealthCheckPort { .. } => {
                "set health_check.port = \"traffic-port\": ip targets are registered on the container port".into()
            }
            Mismatch::NotAdmitted {
                port,
                service_groups,
                lb_groups,
            } => format!(
                "add ingress to {} on TCP {port} from security group {} (an `ingress` block, or an aws_vpc_security_group_ingress_rule with referenced_security_group_id)",
                service_groups.first().map_or("", String::as_str),
                lb_groups.first().map_or("", String::as_str)
            ),
        }
    }
}

impl Rule for EcsPortMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for td in cx.model.resources_of("aws_ecs_task_definition") {
            check_host_ports(td, out);
        }
        let mut health_checked = BTreeSet::new();
        for svc in cx.model.resources_of("aws_ecs_service") {
            let blocks = svc
                .get("load_balancer")
                .and_then(Value::as_list)
                .map_or(0, <[Value]>::len);
            for i in 0..blocks {
                check_load_balancer(cx.analysis, svc, i, &mut health_checked, out);
            }
        }
    }
}

/// `awsvpc` and `host` tasks have no port translation: a hostPort must be the containerPort.
fn check_host_ports(td: &Resource, out: &mut Sink) {
    let mode = match td.get("network_mode").map(Value::peel) {
        Some(Value::String(m)) if m == "awsvpc" || m == "host" => m.as_str(),
        _ => return,
    };
    let Ok(p) = partial_definitions(td) else {
        return; // reported by the load balancer check when a service depends on it
    };
    for c in &p.known {
        for (j, m) in c.port_mappings().iter().enumerate() {
            let (Some(cp), Some(hp)) = (port(m.container_port), port(m.host_port)) else {
                continue;
            };
            // hostPort 0 asks for a dynamic port, which these modes ignore.
            if hp == cp || hp == 0 {
                continue;
            }
            let at = format!("container_definitions[{}].portMappings[{j}]", c.index);
            let host = td.origin_at(&format!("{at}.hostPort"));
            let mut related = vec![];
            push(
                &mut related,
                td.origin_at(&format!("{at}.containerPort")),
                format!("container {} listens on {cp}", c.label()),
            );
            push(
                &mut related,
                td.origin("network_mode"),
                format!("network_mode \"{mode}\""),
            );
            let f = out.report(
                td,
                &Mismatch::HostPort {
                    container: c.label(),
                    container_port: cp,
                    host_port: hp,
                    mode,
                },
                host.map(|o| o.location.clone()),
                related,
            );
            // Unsafe: which of the two ports the author meant is a guess.
            f.fix = precise(host, &format!("{at}.hostPort"), td).map(|o| {
                Fix::unsafe_(vec![Edit::SetValue {
                    origin: o.clone(),
                    text: cp.to_string(),
                }])
            });
        }
    }
}

fn check_load_balancer(
    analysis: &crate::analysis::Analysis,
    svc: &Resource,
    i: usize,
    health_checked: &mut BTreeSet<(String, String)>,
    out: &mut Sink,
) {
    let model = analysis.model;
    let base = format!("load_balancer[{i}]");
    let name_path = format!("{base}.container_name");
    let port_path = format!("{base}.container_port");
    let tds = task_definitions_of(model, svc);
    let port_v = svc.get_path(&port_path).map_or(&Value::Null, Value::peel);
    // Whether the service's groups admit its container port from the load balancer's needs
    // no container definition: decided whatever is known of the task definitions.
    if let Some(sent) = port(port_v) {
        for tg in load_balancing::target_groups(model, svc, i) {
            check_admission(analysis, svc, tg, sent, &port_path, out);
        }
    }
    if tds.is_empty() {
        let reason = match svc.get("task_definition").map(Value::peel) {
            Some(Value::String(s)) => {
                format!("task definition {s} is not declared {}", model.scope())
            }
            Some(v @ Value::Unknown(_)) => format!(
                "task_definition is not known: {}",
                v.first_unknown().expect("unknown").cause()
            ),
            _ => return,
        };
        out.not_evaluated(
            svc,
            reason,
            svc.origin("task_definition").map(|o| o.location.clone()),
        );
        return;
    }
    let name_v = svc.get_path(&name_path).map_or(&Value::Null, Value::peel);
    for td in tds {
        let partial = match partial_definitions(td) {
            Ok(p) => p,
            Err(Definitions::Unknown(reason) | Definitions::Invalid(reason)) => {
                out.not_evaluated(
                    svc,
                    format!("{} {reason}", td.address),
                    td.origin("container_definitions")
                        .map(|o| o.location.clone()),
                );
                // A health check on the port the service sends to is right whatever the
                // containers are; on another port, only they can say.
                if let Some(sent) = port(port_v) {
                    for tg in load_balancing::target_groups(model, svc, i) {
                        if health_checked.insert((tg.address.clone(), td.address.clone())) {
                            health_check_without_definitions(tg, td, sent, &reason, out);
                        }
                    }
                }
                continue;
            }
            Err(_) => continue,
        };
        let cs = &partial.known;
        let name = match name_v {
            Value::String(s) => s.as_str(),
            Value::Unknown(u) => {
                out.not_evaluated(
                    svc,
                    format!("{name_path} is not known: {}", u.cause()),
                    svc.origin(&name_path).map(|o| o.location.clone()),
                );
                continue;
            }
            _ => continue,
        };
        let Some(c) = cs.iter().find(|c| c.name() == Some(name)) else {
            let unnamed = cs
                .iter()
                .find(|c| c.name().is_none())
                .map(|c| format!("the name of container #{} is not known", c.index));
            if let Some(why) = unnamed.or_else(|| partial.unknown.first().map(|u| u.1.clone())) {
                out.not_evaluated(
                    svc,
                    format!(
                        "container {name} is not among the known containers of {}: {why}",
                        td.address
                    ),
                    svc.origin(&name_path).map(|o| o.location.clone()),
                );
                continue;
            }
            let mut related = vec![];
            for c in cs {
                let at = format!("container_definitions[{}].name", c.index);
                push(
                    &mut related,
                    td.origin_at(&at),
                    format!("{} has container {}", td.address, c.label()),
                );
            }
            let origin = svc.origin(&name_path);
            related.extend(
                origin
                    .into_iter()
                    .flat_map(|o| origin_related_showing(o, &format!("\"{name}\""))),
            );
            out.report(
                svc,
                &Mismatch::UnknownContainer {
                    name,
                    td: &td.address,
                    containers: cs.iter().map(Container::label).collect(),
                },
                origin.map(|o| o.location.clone()),
                related,
            );
            continue;
        };
        let Some(sent) = port(port_v) else {
            if let Value::Unknown(u) = port_v {
                out.not_evaluated(
                    svc,
                    format!("{port_path} is not known: {}", u.cause()),
                    svc.origin(&port_path).map(|o| o.location.clone()),
                );
            }
            continue;
        };
        match listening_ports(td, c) {
            Err(reason) => out.not_evaluated(
                svc,
                reason,
                td.origin_at(&format!("container_definitions[{}].portMappings", c.index))
                    .map(|o| o.location.clone()),
            ),
            Ok(ports) if !ports.iter().any(|p| p.port == sent) => {
                report_port_not_mapped(model, svc, i, td, c, sent, &ports, out);
            }
            Ok(_) => {}
        }
        let tgs = load_balancing::target_groups(model, svc, i);
        let tg_path = format!("{base}.target_group_arn");
        if let (true, Some(Value::Unknown(u))) =
            (tgs.is_empty(), svc.get_path(&tg_path).map(Value::peel))
        {
            out.not_evaluated(
                svc,
                format!(
                    "the target group's health check port is not checked: {tg_path} is not known: {}",
                    u.cause()
                ),
                svc.origin(&tg_path).map(|o| o.location.clone()),
            );
        }
        for tg in tgs {
            // Once per target group; again for a task definition file, which is the next
            // revision, not one of those already registered.
            let revision = if from_file(td) {
                td.address.clone()
            } else {
                String::new()
            };
            if health_checked.insert((tg.address.clone(), revision)) {
                check_health_check(tg, td, &partial, out);
            }
        }
    }
}

/// The service's security groups must admit the container port from the load balancer's
/// (an NLB without security groups, or a service without any, is not decided here).
fn check_admission(
    analysis: &crate::analysis::Analysis,
    svc: &Resource,
    tg: &Resource,
    sent: i64,
    port_path: &str,
    out: &mut Sink,
) {
    let reach = load_balancing::reachability(analysis.model, svc, tg);
    if reach.targets.is_empty() || reach.sources.is_empty() {
        return;
    }
    let sg_path = "network_configuration[0].security_groups";
    match crate::analysis::net::admits_from(
        analysis,
        &reach.targets,
        sent,
        &reach.sources,
        &reach.networks,
    ) {
        crate::analysis::net::Admits::Yes { .. } => {}
        crate::analysis::net::Admits::Unknown(reason) => out.not_evaluated(
            svc,
            format!("whether the security groups admit port {sent} is not known: {reason}"),
            svc.origin(sg_path).map(|o| o.location.clone()),
        ),
        crate::analysis::net::Admits::No => {
            let names = |rs: &[&Resource]| rs.iter().map(|r| r.address.clone()).collect();
            let mut related = Vec::new();
            for (what, rs) in [
                ("service security group", &reach.targets),
                ("load balancer security group", &reach.sources),
            ] {
                for r in rs.iter() {
                    if let Some(location) = r.location() {
                        related.push(Related {
                            message: format!("{what} {}", r.address),
                            location,
                        });
                    }
                }
            }
            out.report(
                svc,
                &Mismatch::NotAdmitted {
                    port: sent,
                    service_groups: names(&reach.targets),
                    lb_groups: names(&reach.sources),
                },
                svc.origin(port_path).map(|o| o.location.clone()),
                related,
            );
        }
    }
}

/// A port a container listens on, and where it is written.
struct Listening<'a> {
    port: i64,
    origin: Option<&'a Origin>,
    container: String,
}

/// The containerPorts of `c`'s port mappings; Err with the reason when one is not known.
fn listening_ports<'a>(td: &'a Resource, c: &Container) -> Result<Vec<Listening<'a>>, String> {
    if let Value::Unknown(u) = c.get("portMappings") {
        return Err(format!(
            "the portMappings of container {} are not known: {}",
            c.label(),
            u.cause()
        ));
    }
    let mut out = Vec::new();
    for (j, m) in c.port_mappings().iter().enumerate() {
        let Some(p) = port(m.container_port) else {
            let why = match m.container_port.first_unknown() {
                Some(u) => u.cause().to_string(),
                None => "it is not a number".into(),
            };
            return Err(format!(
                "containerPort of port mapping #{j} of container {} is not known: {why}",
                c.label()
            ));
        };
        out.push(Listening {
            port: p,
            origin: td.origin_at(&format!(
                "container_definitions[{}].portMappings[{j}].containerPort",
                c.index
            )),
            container: c.label(),
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn report_port_not_mapped(
    model: &Model,
    svc: &Resource,
    i: usize,
    td: &Resource,
    c: &Container,
    sent: i64,
    ports: &[Listening],
    out: &mut Sink,
) {
    let port_path = format!("load_balancer[{i}].container_port");
    let origin = svc.origin(&port_path);
    let mut related = vec![];
    for p in ports {
        push(
            &mut related,
            p.origin,
            format!("container {} listens on {}", p.container, p.port),
        );
    }
    if ports.is_empty() {
        push(
            &mut related,
            td.origin_at(&format!("container_definitions[{}]", c.index)),
            format!("container {} has no port mappings", c.label()),
        );
    }
    related.extend(
        origin
            .into_iter()
            .flat_map(|o| origin_related_showing(o, &sent.to_string())),
    );
    // A target group's own port is not where ECS registers its targets, so it does not have
    // to match; when it equals the wrong port it likely explains the mistake: show it.
    for tg in load_balancing::target_groups(model, svc, i) {
        if let Some(tp) = tg.get("port").and_then(port) {
            if tp == sent {
                push(
                    &mut related,
                    tg.origin("port"),
                    format!(
                        "{} port {tp} (harmless: ECS registers the tasks on their container port)",
                        tg.address
                    ),
                );
            }
        }
    }
    let mapped: Vec<i64> = ports.iter().map(|p| p.port).collect();
    let in_file = ports
        .first()
        .and_then(|p| p.origin)
        .or_else(|| td.origin_at(&format!("container_definitions[{}]", c.index)))
        .map(|o| o.location.clone());
    let at = source_first(
        origin.map(|o| o.location.clone()),
        in_file.filter(|_| from_file(td)),
        format!(
            "service {} sends load balancer traffic to container_port {sent}",
            svc.address
        ),
        &mut related,
    );
    if at.as_ref() != origin.map(|o| &o.location) {
        for tg in load_balancing::target_groups(model, svc, i) {
            if let Some(location) = tg.location() {
                related.push(Related {
                    message: format!("target group {} receives the traffic", tg.address),
                    location,
                });
            }
        }
    }
    let f = out.report(
        svc,
        &Mismatch::PortNotMapped {
            port: sent,
            container: c.label(),
            mapped: mapped.clone(),
            in_file: (at.as_ref() != origin.map(|o| &o.location)).then(|| {
                let text = |p: &str| {
                    svc.get_path(p)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map_or_else(|| format!("<{p}>"), String::from)
                };
                format!(
                    "aws ecs update-service --cluster {} --service {} --load-balancers targetGroupArn={},containerName={},containerPort={}",
                    text("cluster"),
                    text("name"),
                    text(&format!("load_balancer[{i}].target_group_arn")),
                    c.label(),
                    mapped.first().map_or_else(|| "<port>".into(), i64::to_string)
                )
            }),
        },
        at,
        related,
    );
    // The service must send where the container listens: with one port there is no choice.
    if let ([one], Some(o)) = (mapped.as_slice(), origin) {
        f.fix = Some(Fix::safe(vec![Edit::SetValue {
            origin: o.clone(),
            text: one.to_string(),
        }]));
    }
}

/// The health check of `tg` when the containers of `td` are not known: decided when it probes
/// the port the service sends to (`sent`), not evaluated otherwise.
fn health_check_without_definitions(
    tg: &Resource,
    td: &Resource,
    sent: i64,
    reason: &str,
    out: &mut Sink,
) {
    let path = "health_check[0].port";
    let Some(hp) = tg.get_path(path).map(Value::peel).and_then(port) else {
        return;
    };
    if hp == sent
        || !matches!(tg.get("target_type").map(Value::peel), Some(Value::String(t)) if t == "ip")
    {
        return;
    }
    out.not_evaluated(
        tg,
        format!(
            "health_check.port {hp} is not the container port {sent} the service sends to, and whether the task also listens on {hp} is not known: {} {reason}",
            td.address
        ),
        tg.origin(path).map(|o| o.location.clone()),
    );
}

/// A numeric health check port on an `ip` target group reaches the task's own address: it must
/// be a port some container of the task listens on. `instance` targets (bridge mode, dynamic
/// host ports) are checked on host ports this configuration cannot know: left alone.
fn check_health_check(tg: &Resource, td: &Resource, p: &Partial, out: &mut Sink) {
    let path = "health_check[0].port";
    let Some(hc) = tg.get_path(path).map(Value::peel) else {
        return;
    };
    let Some(hp) = port(hc) else {
        if let Value::Unknown(u) = hc {
            out.not_evaluated(
                tg,
                format!("health_check.port is not known: {}", u.cause()),
                tg.origin(path).map(|o| o.location.clone()),
            );
        }
        return; // "traffic-port" or absent: the registered port, always right
    };
    match tg.get("target_type").map(Value::peel) {
        Some(Value::String(t)) if t == "ip" => {}
        Some(Value::Unknown(u)) => {
            out.not_evaluated(
                tg,
                format!("target_type is not known: {}", u.cause()),
                tg.origin("target_type").map(|o| o.location.clone()),
            );
            return;
        }
        _ => return,
    }
    if let Some((_, reason)) = p.unknown.first() {
        out.not_evaluated(
            tg,
            format!("health_check.port {hp}: {} {reason}", td.address),
            tg.origin(path).map(|o| o.location.clone()),
        );
        return;
    }
    let mut ports = Vec::new();
    for c in &p.known {
        match listening_ports(td, c) {
            Ok(p) => ports.extend(p),
            Err(reason) => {
                out.not_evaluated(tg, format!("{}: {reason}", td.address), None);
                return;
            }
        }
    }
    if ports.iter().any(|p| p.port == hp) {
        return;
    }
    let origin = tg.origin(path);
    let mut related = vec![];
    for p in &ports {
        push(
            &mut related,
            p.origin,
            format!("container {} listens on {}", p.container, p.port),
        );
    }
    related.extend(
        origin
            .into_iter()
            .flat_map(|o| origin_related_showing(o, &hp.to_string())),
    );
    let at = source_first(
        origin.map(|o| o.location.clone()),
        ports
            .first()
            .and_then(|p| p.origin)
            .filter(|_| from_file(td))
            .map(|o| o.location.clone()),
        format!("target group {} health checks port {hp}", tg.address),
        &mut related,
    );
    let f = out.report(
        tg,
        &Mismatch::HealthCheckPort {
            port: hp,
            listening: ports.iter().map(|p| p.port).collect(),
        },
        at,
        related,
    );
    f.fix = origin.map(|o| {
        Fix::safe(vec![Edit::SetValue {
            origin: o.clone(),
            text: "\"traffic-port\"".into(),
        }])
    });
}

/// A task definition file of the repository: the revision the pipeline registers next.
fn from_file(td: &Resource) -> bool {
    td.primary_source() == crate::model::SourceKind::TaskDefinition
}

/// Where a finding points: `primary` (the service's or target group's own place) when it is a
/// source line; when only a state or the account holds it, the task definition's line
/// (`alternative`, a file the deploy is about to register), where the user can still act
/// before the deploy. The place passed over is kept as a related label.
fn source_first(
    primary: Option<Location>,
    alternative: Option<Location>,
    label: String,
    related: &mut Vec<Related>,
) -> Option<Location> {
    match (primary, alternative) {
        (Some(p), Some(a)) if p.span().is_none() && a.span().is_some() => {
            related.insert(
                0,
                Related {
                    message: label,
                    location: p,
                },
            );
            Some(a)
        }
        (p, _) => p,
    }
}

/// `origin` only when it is the exact place of `path` (not an enclosing fallback).
fn precise<'a>(origin: Option<&'a Origin>, path: &str, r: &'a Resource) -> Option<&'a Origin> {
    origin.filter(|_| r.origin(path).is_some())
}

fn push(related: &mut Vec<Related>, origin: Option<&Origin>, message: String) {
    if let Some(o) = origin {
        related.push(Related {
            message,
            location: o.location.clone(),
        });
    }
}
