//! ELBv2: load balancers, target groups with their health checks, listeners and their rules
//! (the default rule is the listener's `default_action`), with the tags of load balancers and
//! target groups (a CloudFormation stack's resources carry `aws:cloudformation:stack-name`).
use super::{tags, Found, Limit};
use aws_sdk_elasticloadbalancingv2::types::Action;
use serde_json::{json, Value as J};
use std::collections::HashMap;

/// Without the load balancers, their listeners and rules cannot be listed either.
const LB_TYPES: &[&str] = &[
    "aws_lb",
    "aws_alb",
    "aws_lb_listener",
    "aws_alb_listener",
    "aws_lb_listener_rule",
    "aws_alb_listener_rule",
];
const TG_TYPES: &[&str] = &["aws_lb_target_group", "aws_alb_target_group"];
const LISTENER_TYPES: &[&str] = &["aws_lb_listener", "aws_alb_listener"];
const RULE_TYPES: &[&str] = &["aws_lb_listener_rule", "aws_alb_listener_rule"];
/// The most a page of the Describe calls holds (without it, the service picks: moto 50).
const PAGE: i32 = 400;

pub(super) async fn scan(
    elb: aws_sdk_elasticloadbalancingv2::Client,
    region: &str,
    limit: &Limit,
) -> Found {
    let mut f = Found::default();
    let mut lbs = Vec::new();
    each_page!(
        limit,
        f,
        elb.describe_load_balancers()
            .page_size(PAGE)
            .into_paginator()
            .send(),
        "elasticloadbalancing:DescribeLoadBalancers",
        LB_TYPES,
        |p| { lbs.extend(p.load_balancers().iter().cloned()) }
    );
    let mut tgs = Vec::new();
    each_page!(
        limit,
        f,
        elb.describe_target_groups()
            .page_size(PAGE)
            .into_paginator()
            .send(),
        "elasticloadbalancing:DescribeTargetGroups",
        TG_TYPES,
        |p| { tgs.extend(p.target_groups().iter().cloned()) }
    );
    let arns: Vec<String> = lbs
        .iter()
        .filter_map(|l| l.load_balancer_arn())
        .chain(tgs.iter().filter_map(|t| t.target_group_arn()))
        .map(String::from)
        .collect();
    let tagged = tags_of(&elb, &arns, &mut f, limit).await;
    let tags_for = |arn: Option<&str>| {
        tagged
            .get(arn.unwrap_or_default())
            .cloned()
            .unwrap_or(json!({}))
    };

    for l in &lbs {
        let arn = l.load_balancer_arn().map(String::from);
        let subnets: Vec<&str> = l
            .availability_zones()
            .iter()
            .filter_map(|z| z.subnet_id())
            .collect();
        f.push("aws_lb", region, arn.clone(), arn.clone(), json!({
            "id": arn, "arn": arn, "name": l.load_balancer_name(),
            "arn_suffix": arn.as_deref().and_then(|a| a.split_once(":loadbalancer/")).map(|(_, s)| s),
            "dns_name": l.dns_name(), "zone_id": l.canonical_hosted_zone_id(),
            "internal": l.scheme().map(|s| s.as_str()) == Some("internal"),
            "load_balancer_type": l.r#type().map(|t| t.as_str()),
            "ip_address_type": l.ip_address_type().map(|t| t.as_str()),
            "security_groups": l.security_groups(),
            "subnets": subnets,
            "subnet_mapping": subnets.iter().map(|s| json!({"subnet_id": s})).collect::<Vec<_>>(),
            "vpc_id": l.vpc_id(),
            "tags": tags_for(l.load_balancer_arn()),
        }));
    }
    for t in &tgs {
        let arn = t.target_group_arn().map(String::from);
        f.push("aws_lb_target_group", region, arn.clone(), arn.clone(), json!({
            "id": arn, "arn": arn, "name": t.target_group_name(),
            "arn_suffix": arn.as_deref().and_then(|a| a.rsplit_once(':')).map(|(_, s)| s),
            "port": t.port(), "protocol": t.protocol().map(|p| p.as_str()),
            "protocol_version": t.protocol_version(),
            "target_type": t.target_type().map(|x| x.as_str()),
            "vpc_id": t.vpc_id(),
            "load_balancer_arns": t.load_balancer_arns(),
            "health_check": [{
                "enabled": t.health_check_enabled(),
                "path": t.health_check_path().unwrap_or(""),
                "port": t.health_check_port(),
                "protocol": t.health_check_protocol().map(|p| p.as_str()),
                "matcher": t.matcher().and_then(|m| m.http_code().or(m.grpc_code())).unwrap_or(""),
                "interval": t.health_check_interval_seconds(),
                "timeout": t.health_check_timeout_seconds(),
                "healthy_threshold": t.healthy_threshold_count(),
                "unhealthy_threshold": t.unhealthy_threshold_count(),
            }],
            "tags": tags_for(t.target_group_arn()),
        }));
    }

    // Each load balancer's listeners, the load balancers at once (within the limit).
    let per_lb = futures_util::future::join_all(
        lbs.iter().filter_map(|l| l.load_balancer_arn()).map(|lb| {
            let elb = &elb;
            async move {
                let mut f = Found::default();
                let mut listeners = Vec::new();
                each_page!(
                    limit,
                    f,
                    elb.describe_listeners()
                        .load_balancer_arn(lb)
                        .page_size(PAGE)
                        .into_paginator()
                        .send(),
                    "elasticloadbalancing:DescribeListeners",
                    LISTENER_TYPES,
                    |p| { listeners.extend(p.listeners().iter().cloned()) }
                );
                (f, listeners)
            }
        }),
    )
    .await;
    let mut listeners = Vec::new();
    for (found, l) in per_lb {
        f.extend(found);
        listeners.extend(l);
    }
    for l in &listeners {
        let arn = l.listener_arn().map(String::from);
        f.push("aws_lb_listener", region, arn.clone(), arn.clone(), json!({
            "id": arn, "arn": arn, "load_balancer_arn": l.load_balancer_arn(),
            "port": l.port(), "protocol": l.protocol().map(|p| p.as_str()),
            "ssl_policy": l.ssl_policy().unwrap_or(""),
            "certificate_arn": l.certificates().first().and_then(|c| c.certificate_arn()).unwrap_or(""),
            "default_action": l.default_actions().iter().map(action).collect::<Vec<_>>(),
        }));
    }
    // Each listener's rules, the listeners at once (within the limit).
    let per_listener = futures_util::future::join_all(
        listeners
            .iter()
            .filter_map(|l| l.listener_arn())
            .map(|listener| rules_of(&elb, listener, limit)),
    )
    .await;
    for (listener, rules) in listeners
        .iter()
        .filter_map(|l| l.listener_arn())
        .zip(per_listener)
    {
        let rules = match rules {
            Ok(rules) => rules,
            Err(e) => {
                f.denied("elasticloadbalancing:DescribeRules", e, RULE_TYPES);
                continue;
            }
        };
        for r in &rules {
            if r.is_default() == Some(true) {
                continue;
            }
            let arn = r.rule_arn().map(String::from);
            f.push("aws_lb_listener_rule", region, arn.clone(), arn.clone(), json!({
                "id": arn, "arn": arn, "listener_arn": listener,
                "priority": r.priority().and_then(|p| p.parse::<i64>().ok()),
                "action": r.actions().iter().map(action).collect::<Vec<_>>(),
                "condition": r.conditions().iter().map(|c| {
                    let values = |v: &[String]| json!([{"values": v}]);
                    let mut m = serde_json::Map::new();
                    match c.field() {
                        Some("path-pattern") => { m.insert("path_pattern".into(), values(c.path_pattern_config().map_or(c.values(), |p| p.values()))); }
                        Some("host-header") => { m.insert("host_header".into(), values(c.host_header_config().map_or(c.values(), |p| p.values()))); }
                        Some("http-request-method") => { m.insert("http_request_method".into(), values(c.http_request_method_config().map_or(c.values(), |p| p.values()))); }
                        Some("source-ip") => { m.insert("source_ip".into(), values(c.source_ip_config().map_or(c.values(), |p| p.values()))); }
                        Some(other) => { m.insert(other.replace('-', "_"), values(c.values())); }
                        None => {}
                    }
                    J::Object(m)
                }).collect::<Vec<_>>(),
            }));
        }
    }
    f
}

/// A listener's rules, every page; the error's reason if a page fails.
async fn rules_of(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    listener: &str,
    limit: &Limit,
) -> Result<Vec<aws_sdk_elasticloadbalancingv2::types::Rule>, String> {
    let mut rules = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = limit
            .call(
                elb.describe_rules()
                    .listener_arn(listener)
                    .page_size(PAGE)
                    .set_marker(marker.clone())
                    .send(),
            )
            .await
            .map_err(|e| super::reason(&e))?;
        rules.extend(out.rules().iter().cloned());
        marker = out.next_marker().map(String::from);
        if marker.is_none() {
            return Ok(rules);
        }
    }
}

/// A listener or rule action in the provider's shape.
fn action(a: &Action) -> J {
    let forward: Vec<J> = a
        .forward_config()
        .map(|fw| {
            json!({"target_group": fw.target_groups().iter().map(|t| json!({
                "arn": t.target_group_arn(), "weight": t.weight()})).collect::<Vec<_>>()})
        })
        .into_iter()
        .collect();
    let redirect: Vec<J> = a
        .redirect_config()
        .map(|r| {
            json!({"protocol": r.protocol(), "port": r.port(), "host": r.host(), "path": r.path(),
                "query": r.query(), "status_code": r.status_code().map(|s| s.as_str())})
        })
        .into_iter()
        .collect();
    let fixed: Vec<J> = a
        .fixed_response_config()
        .map(|r| {
            json!({"content_type": r.content_type(), "status_code": r.status_code(),
                "message_body": r.message_body().unwrap_or("")})
        })
        .into_iter()
        .collect();
    json!({
        "type": a.r#type().map(|t| t.as_str()),
        "order": a.order(),
        "target_group_arn": a.target_group_arn().unwrap_or(""),
        "forward": forward, "redirect": redirect, "fixed_response": fixed,
    })
}

/// Tags by resource ARN (DescribeTags takes 20 ARNs at a time). A failure is noted but does
/// not hide the resources: only their tags are then unknown.
async fn tags_of(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    arns: &[String],
    f: &mut Found,
    limit: &Limit,
) -> HashMap<String, J> {
    let mut out = HashMap::new();
    for batch in arns.chunks(20) {
        match limit
            .call(
                elb.describe_tags()
                    .set_resource_arns(Some(batch.to_vec()))
                    .send(),
            )
            .await
        {
            Ok(r) => {
                for d in r.tag_descriptions() {
                    if let Some(arn) = d.resource_arn() {
                        out.insert(
                            arn.to_string(),
                            tags(d.tags().iter().map(|t| (t.key(), t.value()))),
                        );
                    }
                }
            }
            Err(e) => {
                f.denied("elasticloadbalancing:DescribeTags", super::reason(&e), &[]);
                break;
            }
        }
    }
    out
}
