//! ECS: clusters, their services (load balancers, network configuration, launch type and
//! capacity providers) and task definitions: every one a service runs, and the newest ACTIVE
//! revision of every family (what the next deploy of a family registers against). Older ACTIVE
//! revisions no service runs are not read: CI pipelines register one per deploy, and only the
//! running and the newest decide what a deploy does.
use super::{tags, Found, Limit};
use aws_sdk_ecs::types::{ContainerDefinition, TaskDefinition};
use serde_json::{json, Map, Value as J};
use std::collections::BTreeSet;

const SERVICE_TYPES: &[&str] = &["aws_ecs_service"];
const TASK_TYPES: &[&str] = &["aws_ecs_task_definition"];
/// The most a page of the list calls holds (ListServices gives 10 unless asked).
const PAGE: i32 = 100;

pub(super) async fn scan(ecs: aws_sdk_ecs::Client, region: &str, limit: &Limit) -> Found {
    let mut f = Found::default();
    let mut clusters = Vec::new();
    each_page!(
        limit,
        f,
        ecs.list_clusters()
            .max_results(PAGE)
            .into_paginator()
            .send(),
        "ecs:ListClusters",
        &["aws_ecs_cluster", "aws_ecs_service"],
        |p| { clusters.extend(p.cluster_arns().iter().cloned()) }
    );
    for batch in clusters.chunks(100) {
        match limit
            .call(
                ecs.describe_clusters()
                    .set_clusters(Some(batch.to_vec()))
                    .include(aws_sdk_ecs::types::ClusterField::Settings)
                    .include(aws_sdk_ecs::types::ClusterField::Tags)
                    .send(),
            )
            .await
        {
            Ok(out) => {
                for c in out.clusters() {
                    let arn = c.cluster_arn().map(String::from);
                    f.push("aws_ecs_cluster", region, arn.clone(), arn.clone(), json!({
                        "id": arn, "arn": arn, "name": c.cluster_name(),
                        "setting": c.settings().iter().map(|s| json!({
                            "name": s.name().map(|n| n.as_str()), "value": s.value()})).collect::<Vec<_>>(),
                        "tags": tags(c.tags().iter().map(|t| (t.key(), t.value()))),
                    }));
                }
            }
            Err(e) => f.denied(
                "ecs:DescribeClusters",
                super::reason(&e),
                &["aws_ecs_cluster"],
            ),
        }
    }

    // Each cluster's services, the clusters at once (within the limit).
    let mut running: BTreeSet<String> = BTreeSet::new();
    let per_cluster = futures_util::future::join_all(
        clusters
            .iter()
            .map(|cluster| services(&ecs, cluster, region, limit)),
    )
    .await;
    for (found, tds) in per_cluster {
        f.extend(found);
        running.extend(tds);
    }

    // The newest ACTIVE revision of each family: the listing is newest first.
    let mut families = BTreeSet::new();
    let mut listing_failed = false;
    let mut pages = ecs
        .list_task_definitions()
        .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
        .sort(aws_sdk_ecs::types::SortOrder::Desc)
        .max_results(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = limit.call(pages.next()).await {
        match page {
            Ok(p) => {
                for arn in p.task_definition_arns() {
                    if families.insert(family_of(arn).to_string()) {
                        running.insert(arn.clone());
                    }
                }
            }
            Err(e) => {
                f.denied("ecs:ListTaskDefinitions", super::reason(&e), TASK_TYPES);
                listing_failed = true;
                break;
            }
        }
    }
    // The task definitions, all at once (within the limit): the API describes one at a time.
    let described = futures_util::future::join_all(running.iter().map(|arn| {
        limit.call(
            ecs.describe_task_definition()
                .task_definition(arn)
                .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
                .send(),
        )
    }))
    .await;
    let mut described_failed = false;
    for out in described {
        match out {
            Ok(out) => {
                if let Some(td) = out.task_definition() {
                    push_task_definition(&mut f, region, td, out.tags());
                }
            }
            Err(e) => {
                if !described_failed && !listing_failed {
                    f.denied("ecs:DescribeTaskDefinition", super::reason(&e), TASK_TYPES);
                }
                described_failed = true;
            }
        }
    }
    f
}

/// A cluster's services (ListServices, then DescribeServices 10 at a time, the batches at
/// once), with the task definitions they run.
async fn services(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    region: &str,
    limit: &Limit,
) -> (Found, BTreeSet<String>) {
    let mut f = Found::default();
    let mut arns = Vec::new();
    each_page!(
        limit,
        f,
        ecs.list_services()
            .cluster(cluster)
            .max_results(PAGE)
            .into_paginator()
            .send(),
        "ecs:ListServices",
        SERVICE_TYPES,
        |p| { arns.extend(p.service_arns().iter().cloned()) }
    );
    let described = futures_util::future::join_all(arns.chunks(10).map(|batch| {
        limit.call(
            ecs.describe_services()
                .cluster(cluster)
                .set_services(Some(batch.to_vec()))
                .include(aws_sdk_ecs::types::ServiceField::Tags)
                .send(),
        )
    }))
    .await;
    let mut running = BTreeSet::new();
    for out in described {
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                f.denied("ecs:DescribeServices", super::reason(&e), SERVICE_TYPES);
                continue;
            }
        };
        for s in out.services() {
            let arn = s.service_arn().map(String::from);
            if let Some(td) = s.task_definition() {
                running.insert(td.to_string());
            }
            let net: Vec<J> = s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|v| {
                json!({
                    "subnets": v.subnets(),
                    "security_groups": v.security_groups(),
                    "assign_public_ip": v.assign_public_ip().map(|a| a.as_str()) == Some("ENABLED"),
                })
            })
            .into_iter()
            .collect();
            f.push("aws_ecs_service", region, arn.clone(), arn.clone(), json!({
            "id": arn, "name": s.service_name(), "cluster": s.cluster_arn(),
            "task_definition": s.task_definition(),
            "desired_count": s.desired_count(),
            "launch_type": s.launch_type().map(|l| l.as_str()).unwrap_or(""),
            "platform_version": s.platform_version().unwrap_or(""),
            "capacity_provider_strategy": s.capacity_provider_strategy().iter().map(|c| json!({
                "capacity_provider": c.capacity_provider(), "weight": c.weight(), "base": c.base()})).collect::<Vec<_>>(),
            "load_balancer": s.load_balancers().iter().map(|l| json!({
                "target_group_arn": l.target_group_arn().unwrap_or(""),
                "elb_name": l.load_balancer_name().unwrap_or(""),
                "container_name": l.container_name(),
                "container_port": l.container_port()})).collect::<Vec<_>>(),
            "network_configuration": net,
            "health_check_grace_period_seconds": s.health_check_grace_period_seconds().unwrap_or(0),
            "scheduling_strategy": s.scheduling_strategy().map(|x| x.as_str()),
            "deployment_controller": s.deployment_controller().map(|d| vec![json!({"type": d.r#type().as_str()})]).unwrap_or_default(),
            "iam_role": s.role_arn().unwrap_or(""),
            "enable_execute_command": s.enable_execute_command(),
            "propagate_tags": s.propagate_tags().map(|x| x.as_str()).unwrap_or("NONE"),
            "created_by": s.created_by(),
            "tags": tags(s.tags().iter().map(|t| (t.key(), t.value()))),
        }));
        }
    }
    (f, running)
}

/// `arn:…:task-definition/web:12` → `web`.
fn family_of(arn: &str) -> &str {
    let tail = arn.rsplit('/').next().unwrap_or(arn);
    tail.rsplit_once(':').map_or(tail, |(f, _)| f)
}

fn push_task_definition(
    f: &mut Found,
    region: &str,
    td: &TaskDefinition,
    tag_list: &[aws_sdk_ecs::types::Tag],
) {
    let arn = td.task_definition_arn().map(String::from);
    let containers: Vec<J> = td.container_definitions().iter().map(container).collect();
    let compat = |c: &[aws_sdk_ecs::types::Compatibility]| -> Vec<String> {
        c.iter().map(|x| x.as_str().to_string()).collect()
    };
    // Identity by ARN only: Terraform's `id` is the family, which every revision shares.
    f.push(
        "aws_ecs_task_definition",
        region,
        arn.clone(),
        None,
        json!({
            "id": td.family(), "arn": arn,
            "arn_without_revision": arn.as_deref().and_then(|a| a.rsplit_once(':')).map(|(a, _)| a),
            "family": td.family(), "revision": td.revision(),
            "container_definitions": J::Array(containers).to_string(),
            "cpu": td.cpu(), "memory": td.memory(),
            "network_mode": td.network_mode().map(|n| n.as_str()),
            "requires_compatibilities": compat(td.requires_compatibilities()),
            "execution_role_arn": td.execution_role_arn().unwrap_or(""),
            "task_role_arn": td.task_role_arn().unwrap_or(""),
            "status": td.status().map(|s| s.as_str()),
            "tags": tags(tag_list.iter().map(|t| (t.key(), t.value()))),
        }),
    );
}

/// One container as the provider holds it in `container_definitions`: the API's camelCase
/// names, keys sorted, unset fields left out.
fn container(c: &ContainerDefinition) -> J {
    let mut m = Map::new();
    let mut put = |k: &str, v: J| {
        if !v.is_null() {
            m.insert(k.to_string(), v);
        }
    };
    let strings = |v: &[String]| -> J {
        if v.is_empty() {
            J::Null
        } else {
            json!(v)
        }
    };
    put("command", strings(c.command()));
    if c.cpu() != 0 {
        put("cpu", json!(c.cpu()));
    }
    put(
        "dependsOn",
        if c.depends_on().is_empty() {
            J::Null
        } else {
            c.depends_on()
                .iter()
                .map(|d| json!({"containerName": d.container_name(), "condition": d.condition().as_str()}))
                .collect()
        },
    );
    put("entryPoint", strings(c.entry_point()));
    put(
        "environment",
        c.environment()
            .iter()
            .map(|e| json!({"name": e.name(), "value": e.value()}))
            .collect(),
    );
    put(
        "environmentFiles",
        if c.environment_files().is_empty() {
            J::Null
        } else {
            c.environment_files()
                .iter()
                .map(|e| json!({"value": e.value(), "type": e.r#type().as_str()}))
                .collect()
        },
    );
    put("essential", json!(c.essential()));
    if let Some(h) = c.health_check() {
        put(
            "healthCheck",
            json!({"command": h.command(), "interval": h.interval(), "timeout": h.timeout(),
                "retries": h.retries(), "startPeriod": h.start_period()}),
        );
    }
    put("image", json!(c.image()));
    if let Some(l) = c.log_configuration() {
        let mut log = Map::new();
        log.insert("logDriver".into(), json!(l.log_driver().as_str()));
        if let Some(o) = l.options() {
            let sorted: std::collections::BTreeMap<_, _> = o.iter().collect();
            log.insert("options".into(), json!(sorted));
        }
        if !l.secret_options().is_empty() {
            log.insert(
                "secretOptions".into(),
                l.secret_options()
                    .iter()
                    .map(|s| json!({"name": s.name(), "valueFrom": s.value_from()}))
                    .collect(),
            );
        }
        put("logConfiguration", J::Object(log));
    }
    put("memory", json!(c.memory()));
    put("memoryReservation", json!(c.memory_reservation()));
    put(
        "mountPoints",
        c.mount_points()
            .iter()
            .map(|p| json!({"sourceVolume": p.source_volume(), "containerPath": p.container_path(), "readOnly": p.read_only()}))
            .collect(),
    );
    put("name", json!(c.name()));
    put(
        "portMappings",
        c.port_mappings()
            .iter()
            .map(|p| {
                let mut pm = Map::new();
                if let Some(v) = p.app_protocol() {
                    pm.insert("appProtocol".into(), json!(v.as_str()));
                }
                if let Some(v) = p.container_port() {
                    pm.insert("containerPort".into(), json!(v));
                }
                if let Some(v) = p.host_port() {
                    pm.insert("hostPort".into(), json!(v));
                }
                if let Some(v) = p.name() {
                    pm.insert("name".into(), json!(v));
                }
                if let Some(v) = p.protocol() {
                    pm.insert("protocol".into(), json!(v.as_str()));
                }
                J::Object(pm)
            })
            .collect(),
    );
    put(
        "readonlyRootFilesystem",
        json!(c.readonly_root_filesystem()),
    );
    put(
        "secrets",
        if c.secrets().is_empty() {
            J::Null
        } else {
            c.secrets()
                .iter()
                .map(|s| json!({"name": s.name(), "valueFrom": s.value_from()}))
                .collect()
        },
    );
    put("user", json!(c.user()));
    put(
        "volumesFrom",
        c.volumes_from()
            .iter()
            .map(|v| json!({"sourceContainer": v.source_container(), "readOnly": v.read_only()}))
            .collect(),
    );
    put("workingDirectory", json!(c.working_directory()));
    J::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_is_the_arn_without_its_revision() {
        assert_eq!(
            family_of("arn:aws:ecs:eu-west-1:123456789012:task-definition/web-api:12"),
            "web-api"
        );
        assert_eq!(family_of("web:3"), "web");
    }

    #[test]
    fn a_container_is_held_as_the_provider_holds_it() {
        let c = ContainerDefinition::builder()
            .name("app")
            .image("nginx:1.27")
            .essential(true)
            .port_mappings(
                aws_sdk_ecs::types::PortMapping::builder()
                    .container_port(8080)
                    .protocol(aws_sdk_ecs::types::TransportProtocol::Tcp)
                    .build(),
            )
            .environment(
                aws_sdk_ecs::types::KeyValuePair::builder()
                    .name("MODE")
                    .value("prod")
                    .build(),
            )
            .build();
        assert_eq!(
            container(&c).to_string(),
            r#"{"environment":[{"name":"MODE","value":"prod"}],"essential":true,"image":"nginx:1.27","mountPoints":[],"name":"app","portMappings":[{"containerPort":8080,"protocol":"tcp"}],"volumesFrom":[]}"#
        );
    }
}
