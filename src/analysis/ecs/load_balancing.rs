//! From an `aws_ecs_service` `load_balancer` block to what carries its traffic: the target
//! group, the listeners forwarding to it, their load balancers and security groups.
use crate::model::{Model, Resource};

const TARGET_GROUPS: &[&str] = &["aws_lb_target_group", "aws_alb_target_group"];
const LISTENERS: &[&str] = &["aws_lb_listener", "aws_alb_listener"];
const LISTENER_RULES: &[&str] = &["aws_lb_listener_rule", "aws_alb_listener_rule"];
const LOAD_BALANCERS: &[&str] = &["aws_lb", "aws_alb"];

/// The target groups `load_balancer[i].target_group_arn` points at.
pub fn target_groups<'a>(model: &'a Model, service: &Resource, i: usize) -> Vec<&'a Resource> {
    of_types(
        model,
        service,
        &format!("load_balancer[{i}].target_group_arn"),
        TARGET_GROUPS,
    )
}

/// Listeners forwarding to `tg`, directly (`default_action`) or through a listener rule
/// (`action`), with `target_group_arn` or `forward { target_group { arn } }`.
pub fn listeners<'a>(model: &'a Model, tg: &Resource) -> Vec<&'a Resource> {
    let mut out: Vec<&Resource> = Vec::new();
    let mut add = |r: &'a Resource| {
        if !out.iter().any(|x| std::ptr::eq(*x, r)) {
            out.push(r);
        }
    };
    for t in LISTENERS {
        model.referrers(tg, t).into_iter().for_each(&mut add);
    }
    for t in LISTENER_RULES {
        for rule in model.referrers(tg, t) {
            of_types(model, rule, "listener_arn", LISTENERS)
                .into_iter()
                .for_each(&mut add);
        }
    }
    out
}

/// The load balancers in front of `tg`.
pub fn load_balancers<'a>(model: &'a Model, tg: &Resource) -> Vec<&'a Resource> {
    let mut out: Vec<&Resource> = Vec::new();
    for l in listeners(model, tg) {
        for lb in of_types(model, l, "load_balancer_arn", LOAD_BALANCERS) {
            if !out.iter().any(|x| std::ptr::eq(*x, lb)) {
                out.push(lb);
            }
        }
    }
    out
}

/// The inputs of "do the service's security groups admit the container port from the load
/// balancer?": the service's `network_configuration.security_groups` (targets) and the
/// security groups of the load balancers in front of `tg` (sources).
pub struct Reachability<'a> {
    pub targets: Vec<&'a Resource>,
    pub sources: Vec<&'a Resource>,
    /// Where the load balancers' addresses come from, one entry per subnet they are in: a
    /// CIDR rule that covers every one admits them too.
    pub networks: Vec<crate::analysis::net::Network>,
}

pub fn reachability<'a>(model: &'a Model, service: &Resource, tg: &Resource) -> Reachability<'a> {
    let targets = of_types(
        model,
        service,
        "network_configuration[0].security_groups",
        &["aws_security_group"],
    );
    let mut sources: Vec<&Resource> = Vec::new();
    let mut networks = Vec::new();
    for lb in load_balancers(model, tg) {
        for sg in of_types(model, lb, "security_groups", &["aws_security_group"]) {
            if !sources.iter().any(|x| std::ptr::eq(*x, sg)) {
                sources.push(sg);
            }
        }
        let mut subnets = of_types(model, lb, "subnets", crate::analysis::net::SUBNET_TYPES);
        subnets.extend(of_types(
            model,
            lb,
            "subnet_mapping",
            crate::analysis::net::SUBNET_TYPES,
        ));
        networks.extend(
            subnets
                .into_iter()
                .map(|s| crate::analysis::net::network_of(model, s)),
        );
    }
    Reachability {
        targets,
        sources,
        networks,
    }
}

fn of_types<'a>(model: &'a Model, r: &Resource, path: &str, types: &[&str]) -> Vec<&'a Resource> {
    model
        .targets_of(r, path)
        .into_iter()
        .map(|t| t.resource)
        .filter(|t| types.contains(&t.rtype.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::model_tf;

    #[test]
    fn from_a_service_to_the_load_balancer_security_groups() {
        let m = model_tf(
            r#"
resource "aws_security_group" "alb" {}
resource "aws_security_group" "svc" {}
resource "aws_lb" "main" { security_groups = [aws_security_group.alb.id] }
resource "aws_lb" "internal" {}
resource "aws_lb_target_group" "web" {}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  default_action {
    type = "forward"
    forward {
      target_group { arn = aws_lb_target_group.web.arn }
    }
  }
}
resource "aws_lb_listener" "other" { load_balancer_arn = aws_lb.internal.arn }
resource "aws_lb_listener_rule" "api" {
  listener_arn = aws_lb_listener.other.arn
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
resource "aws_ecs_service" "s" {
  network_configuration { security_groups = [aws_security_group.svc.id] }
  load_balancer { target_group_arn = aws_lb_target_group.web.arn }
}
"#,
        );
        let svc = m.resources_of("aws_ecs_service").next().unwrap();
        let tgs = target_groups(&m, svc, 0);
        assert_eq!(tgs.len(), 1);
        let names = |rs: Vec<&Resource>| rs.iter().map(|r| r.address.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(listeners(&m, tgs[0])),
            ["aws_lb_listener.http", "aws_lb_listener.other"]
        );
        assert_eq!(
            names(load_balancers(&m, tgs[0])),
            ["aws_lb.main", "aws_lb.internal"]
        );
        let r = reachability(&m, svc, tgs[0]);
        assert_eq!(names(r.targets), ["aws_security_group.svc"]);
        assert_eq!(names(r.sources), ["aws_security_group.alb"]);
    }

    /// A rule from the VPC's range admits the load balancer inside it: written as the VPC's
    /// attribute (configuration) or as the literal range (state).
    #[test]
    fn a_cidr_covering_the_load_balancer_subnets_admits_it() {
        use crate::analysis::net::{admits_from, Admits};
        let tf = |cidr: &str| {
            model_tf(&format!(
                r#"
resource "aws_vpc" "main" {{ cidr_block = "10.0.0.0/16" }}
resource "aws_subnet" "a" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}}
resource "aws_security_group" "alb" {{}}
resource "aws_security_group" "svc" {{
  ingress {{
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [{cidr}]
  }}
}}
resource "aws_lb" "main" {{
  security_groups = [aws_security_group.alb.id]
  subnets         = [aws_subnet.a.id]
}}
resource "aws_lb_target_group" "web" {{}}
resource "aws_lb_listener" "http" {{
  load_balancer_arn = aws_lb.main.arn
  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }}
}}
resource "aws_ecs_service" "s" {{
  network_configuration {{ security_groups = [aws_security_group.svc.id] }}
  load_balancer {{ target_group_arn = aws_lb_target_group.web.arn }}
}}
"#
            ))
        };
        for (cidr, admitted) in [
            ("aws_vpc.main.cidr_block", true),
            ("\"10.0.0.0/16\"", true),
            ("aws_subnet.a.cidr_block", true),
            ("\"10.0.1.0/25\"", false),
            ("\"192.168.0.0/16\"", false),
        ] {
            let m = tf(cidr);
            let svc = m.resources_of("aws_ecs_service").next().unwrap();
            let tg = target_groups(&m, svc, 0)[0];
            let r = reachability(&m, svc, tg);
            assert_eq!(r.networks.len(), 1);
            let a = admits_from(
                &crate::analysis::Analysis::new(&m),
                &r.targets,
                80,
                &r.sources,
                &r.networks,
            );
            assert_eq!(matches!(a, Admits::Yes { .. }), admitted, "{cidr}: {a:?}");
        }
    }
}
