//! Drift: where the state and the account disagree. Each rule reads the per-source layers a
//! resource keeps (`Resource::layers`): what the state held and what the scan read, before
//! merging. Comparisons go through `normalize`, so that what AWS fills in, reorders or spells
//! differently never counts as drift.
pub mod cfn_orphaned_stack;
pub mod drift_changed_attribute;
pub mod drift_missing_resource;
pub mod drift_unmanaged_resource;

use crate::model::{Model, Resource, SourceKind, Value};
use serde_json::{json, Value as J};

/// Whether a live scan is part of the model, with the regions it read.
pub(crate) fn live_loaded(model: &Model) -> bool {
    model.loaded.contains(&SourceKind::Live)
}

pub(crate) fn seen_in(r: &Resource, kind: SourceKind) -> bool {
    r.seen.iter().any(|s| s.kind == kind)
}

/// Managed by a state (or a plan's prior state).
pub(crate) fn managed(r: &Resource) -> bool {
    seen_in(r, SourceKind::State) || seen_in(r, SourceKind::Plan)
}

/// The region of an ARN (`arn:aws:ec2:eu-west-1:…`); None for global ARNs (IAM).
pub(crate) fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// "in eu-west-1, account 123456789012" for a live ARN.
pub(crate) fn where_live(arn: &str) -> String {
    let account = arn.split(':').nth(4).filter(|a| !a.is_empty());
    match (arn_region(arn), account) {
        (Some(r), Some(a)) => format!("{r}, account {a}"),
        (None, Some(a)) => format!("account {a}"),
        _ => "the account".into(),
    }
}

/// A string attribute as text.
pub(crate) fn text<'a>(
    attrs: &'a std::collections::BTreeMap<String, Value>,
    k: &str,
) -> Option<&'a str> {
    attrs
        .get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// An ARN's last part (`…:cluster/web` → `web`, `…:task-definition/web:3` → `web:3`): a
/// reference written as an ARN and one written as a name compare equal.
fn short(s: &str) -> &str {
    if s.starts_with("arn:") {
        s.rsplit('/').next().unwrap_or(s)
    } else {
        s
    }
}

fn sorted(mut v: Vec<J>) -> J {
    v.sort_by_key(|x| x.to_string());
    v.dedup();
    J::Array(v)
}

fn strings(v: Option<&J>) -> J {
    sorted(
        v.and_then(J::as_array)
            .into_iter()
            .flatten()
            .filter_map(J::as_str)
            // moto and the EC2 API name another account's group "123456789012/sg-…".
            .map(|s| {
                json!(short(
                    s.rsplit_once('/')
                        .filter(|(a, _)| a.chars().all(|c| c.is_ascii_digit()))
                        .map_or(s, |(_, g)| g)
                ))
            })
            .collect(),
    )
}

/// A policy document with statements, actions, resources and principals in a canonical order,
/// a single string and a one-element list the same.
fn policy(doc: &J) -> J {
    fn list(v: &J) -> J {
        match v {
            J::String(s) => json!([s]),
            J::Array(a) => sorted(a.clone()),
            J::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), list(v))).collect()),
            other => other.clone(),
        }
    }
    let statements = match doc.get("Statement") {
        Some(J::Array(a)) => a.clone(),
        Some(s @ J::Object(_)) => vec![s.clone()],
        _ => vec![],
    };
    let canon: Vec<J> = statements
        .iter()
        .map(|s| match s {
            J::Object(m) => J::Object(
                m.iter()
                    .filter(|(k, _)| k.as_str() != "Sid")
                    .map(|(k, v)| (k.clone(), if k == "Effect" { v.clone() } else { list(v) }))
                    .collect::<serde_json::Map<_, _>>()
                    .into_iter()
                    .collect::<std::collections::BTreeMap<_, _>>()
                    .into_iter()
                    .collect(),
            ),
            other => other.clone(),
        })
        .collect();
    json!({"Statement": sorted(canon)})
}

/// What of a container definition a deploy depends on: name, image, ports, the names of its
/// environment variables and secrets. (Values are not compared: they may be secrets, and the
/// rules that read them run on the live value anyway.)
fn containers(defs: &J) -> J {
    let names = |c: &J, k: &str| {
        sorted(
            c.get(k)
                .and_then(J::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| e.get("name").cloned())
                .collect(),
        )
    };
    sorted(
        defs.as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let ports = sorted(
                    c.get("portMappings")
                        .and_then(J::as_array)
                        .into_iter()
                        .flatten()
                        .map(|p| {
                            json!([
                                p.get("containerPort"),
                                p.get("hostPort").or(p.get("containerPort"))
                            ])
                        })
                        .collect(),
                );
                json!({"name": c.get("name"), "image": c.get("image"), "ports": ports,
                    "environment": names(c, "environment"), "secrets": names(c, "secrets")})
            })
            .collect(),
    )
}

fn security_group_rules(v: &J) -> J {
    sorted(
        v.as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let protocol = match r.get("protocol").and_then(J::as_str).unwrap_or("-1") {
                    "all" | "-1" => "-1".to_string(),
                    "6" => "tcp".into(),
                    "17" => "udp".into(),
                    p => p.to_lowercase(),
                };
                let port = |k: &str| if protocol == "-1" { json!(0) } else { r.get(k).cloned().unwrap_or(json!(0)) };
                json!({
                    "protocol": protocol, "from_port": port("from_port"), "to_port": port("to_port"),
                    "cidr_blocks": strings(r.get("cidr_blocks")),
                    "ipv6_cidr_blocks": strings(r.get("ipv6_cidr_blocks")),
                    "security_groups": strings(r.get("security_groups")),
                    "prefix_list_ids": strings(r.get("prefix_list_ids")),
                    "self": r.get("self").and_then(J::as_bool).unwrap_or(false),
                })
            })
            .collect(),
    )
}

/// The attributes drift compares, per type. Everything else (tags, timestamps, counts that
/// autoscaling moves, provider-only settings) is not drift that breaks a deploy.
pub(crate) fn compared(rtype: &str) -> &'static [&'static str] {
    match rtype {
        "aws_db_instance" => &[
            "publicly_accessible",
            "port",
            "storage_encrypted",
            "backup_retention_period",
            "vpc_security_group_ids",
            "db_subnet_group_name",
        ],
        "aws_rds_cluster" => &[
            "port",
            "storage_encrypted",
            "backup_retention_period",
            "vpc_security_group_ids",
            "db_subnet_group_name",
        ],
        "aws_security_group" | "aws_default_security_group" => &["ingress", "egress"],
        "aws_lb" | "aws_alb" => &["internal", "security_groups", "subnets"],
        "aws_lb_target_group" | "aws_alb_target_group" => {
            &["port", "protocol", "target_type", "health_check"]
        }
        "aws_lb_listener" | "aws_alb_listener" => &["port", "protocol", "default_action"],
        "aws_ecs_service" => &[
            "task_definition",
            "launch_type",
            "load_balancer",
            "network_configuration",
        ],
        "aws_ecs_task_definition" => &[
            "container_definitions",
            "execution_role_arn",
            "task_role_arn",
            "network_mode",
            "cpu",
            "memory",
        ],
        "aws_iam_role" => &["assume_role_policy", "managed_policy_arns"],
        "aws_vpc" => &["cidr_block"],
        "aws_subnet" => &["cidr_block", "vpc_id", "map_public_ip_on_launch"],
        "aws_route_table" => &["route"],
        "aws_vpc_endpoint" => &[
            "service_name",
            "vpc_endpoint_type",
            "subnet_ids",
            "security_group_ids",
            "route_table_ids",
        ],
        _ => &[],
    }
}

/// The canonical form of one attribute's value, or None when it cannot be compared (unknown,
/// not read).
pub(crate) fn normalize(attr: &str, v: &Value) -> Option<J> {
    if !v.is_wholly_known() {
        return None;
    }
    let raw = v.peel().to_display_json();
    let doc = |s: &str| serde_json::from_str::<J>(s).ok();
    Some(match attr {
        "assume_role_policy" | "policy" => policy(&doc(raw.as_str()?)?),
        "container_definitions" => containers(&doc(raw.as_str()?)?),
        "ingress" | "egress" => security_group_rules(&raw),
        "vpc_security_group_ids" | "security_groups" | "subnets" | "subnet_ids"
        | "security_group_ids" | "route_table_ids" | "managed_policy_arns" => strings(Some(&raw)),
        "task_definition" | "cluster" | "execution_role_arn" | "task_role_arn" => {
            json!(short(raw.as_str().unwrap_or("")))
        }
        "health_check" => {
            let h = raw.get(0).cloned().unwrap_or(J::Null);
            let port = h.get("port").and_then(J::as_str).unwrap_or("traffic-port").to_string();
            json!({"port": port, "path": h.get("path"), "protocol": h.get("protocol"),
                "matcher": h.get("matcher"), "enabled": h.get("enabled").cloned().unwrap_or(json!(true))})
        }
        "default_action" => sorted(
            raw.as_array().into_iter().flatten()
                .map(|a| json!({"type": a.get("type"), "target_group_arn": a.get("target_group_arn")}))
                .collect(),
        ),
        "load_balancer" => sorted(
            raw.as_array().into_iter().flatten()
                .map(|l| json!({"container_name": l.get("container_name"), "container_port": l.get("container_port"),
                    "target_group_arn": l.get("target_group_arn")}))
                .collect(),
        ),
        "network_configuration" => {
            let n = raw.get(0).cloned().unwrap_or(J::Null);
            json!({"subnets": strings(n.get("subnets")), "security_groups": strings(n.get("security_groups")),
                "assign_public_ip": n.get("assign_public_ip").and_then(J::as_bool).unwrap_or(false)})
        }
        "route" => sorted(
            raw.as_array().into_iter().flatten()
                .map(|r| {
                    let target = ["gateway_id", "nat_gateway_id", "transit_gateway_id", "vpc_peering_connection_id",
                        "network_interface_id", "egress_only_gateway_id", "vpc_endpoint_id"]
                        .iter()
                        .find_map(|k| r.get(*k).and_then(J::as_str).filter(|s| !s.is_empty()))
                        .unwrap_or("");
                    json!({"cidr_block": r.get("cidr_block"), "ipv6_cidr_block": r.get("ipv6_cidr_block"), "target": target})
                })
                .collect(),
        ),
        // Numbers as the API and the provider spell them differently ("256" and 256).
        "cpu" | "memory" | "port" | "backup_retention_period" => match &raw {
            J::String(s) => s.parse::<i64>().map(|n| json!(n)).unwrap_or(raw.clone()),
            other => other.clone(),
        },
        _ => raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(j: J) -> Value {
        crate::model::json::from_json(&j)
    }

    #[test]
    fn policies_compare_whatever_the_order_and_spelling() {
        let a = json!(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["b:X","a:Y"],"Resource":"*","Principal":{"Service":"ecs-tasks.amazonaws.com"}},{"Sid":"s","Effect":"Deny","Action":"c:Z","Resource":"*"}]}"#
        );
        let b = json!(
            r#"{"Statement":[{"Action":"c:Z","Effect":"Deny","Resource":["*"]},{"Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Resource":"*","Effect":"Allow","Action":["a:Y","b:X"]}],"Version":"2012-10-17"}"#
        );
        assert_eq!(
            normalize("assume_role_policy", &v(a.clone())),
            normalize("assume_role_policy", &v(b))
        );
        let c = json!(r#"{"Statement":[{"Effect":"Allow","Action":"a:Y","Resource":"*"}]}"#);
        assert_ne!(
            normalize("assume_role_policy", &v(a)),
            normalize("assume_role_policy", &v(c))
        );
    }

    #[test]
    fn security_group_rules_ignore_order_descriptions_and_the_account_prefix() {
        let state = json!([{"from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"],
            "security_groups": ["sg-1"], "description": "db", "self": false}]);
        let live = json!([{"from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"],
            "security_groups": ["123456789012/sg-1"], "description": "", "self": false, "ipv6_cidr_blocks": []}]);
        assert_eq!(
            normalize("ingress", &v(state.clone())),
            normalize("ingress", &v(live))
        );
        let opened = json!([{"from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16", "0.0.0.0/0"],
            "security_groups": ["sg-1"], "self": false}]);
        assert_ne!(
            normalize("ingress", &v(state)),
            normalize("ingress", &v(opened))
        );
    }

    #[test]
    fn containers_compare_by_what_a_deploy_needs() {
        let state = json!(
            r#"[{"name":"web","image":"nginx:1","portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}],"environment":[{"name":"B","value":"1"},{"name":"A","value":"2"}],"essential":true}]"#
        );
        let live = json!(
            r#"[{"essential":true,"environment":[{"name":"A","value":"x"},{"name":"B","value":"y"}],"image":"nginx:1","mountPoints":[],"name":"web","portMappings":[{"containerPort":80,"protocol":"tcp"}],"volumesFrom":[]}]"#
        );
        assert_eq!(
            normalize("container_definitions", &v(state.clone())),
            normalize("container_definitions", &v(live))
        );
        let other =
            json!(r#"[{"name":"web","image":"nginx:2","portMappings":[{"containerPort":80}]}]"#);
        assert_ne!(
            normalize("container_definitions", &v(state)),
            normalize("container_definitions", &v(other))
        );
    }

    #[test]
    fn arn_and_name_forms_compare_equal() {
        assert_eq!(
            normalize(
                "task_definition",
                &v(json!("arn:aws:ecs:eu-west-1:1:task-definition/web:3"))
            ),
            normalize("task_definition", &v(json!("web:3")))
        );
        assert_eq!(
            normalize("cpu", &v(json!("256"))),
            normalize("cpu", &v(json!(256)))
        );
    }
}
