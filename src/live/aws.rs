//! Reading the live account with the AWS SDK, read-only (Describe/List/Get only), normalized to
//! Terraform resource types and attribute names so the rules read it as they read state.
//! Covered so far: STS (the account), EC2 (VPCs, subnets, route tables and their associations,
//! internet and NAT gateways, security groups), RDS (DB instances, DB subnet groups) and IAM
//! (roles with their attached managed policies and inline policies; service-linked roles left
//! out).
//! A call that fails (AccessDenied, an unreachable endpoint) is recorded as not readable with
//! the types it would have listed; the rest of the scan goes on.
use super::{Inventory, LiveObject, LiveScan, NotReadable};
use crate::model::json::from_json;
use serde_json::{json, Value as J};
use std::time::Duration;

/// How to reach the account.
#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// A bound on the whole scan.
    pub timeout: Option<Duration>,
}

pub struct AwsInventory {
    pub options: AwsOptions,
}

impl Inventory for AwsInventory {
    fn scan(&self) -> Result<LiveScan, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the AWS client runtime: {e}"))?;
        let timeout = self.options.timeout.unwrap_or(Duration::from_secs(120));
        rt.block_on(async {
            match tokio::time::timeout(timeout, scan(&self.options)).await {
                Ok(r) => r,
                Err(_) => Err(format!(
                    "the live scan did not finish within {}s (is the endpoint reachable?)",
                    timeout.as_secs()
                )),
            }
        })
    }
}

/// Accumulates what a scan finds.
#[derive(Default)]
struct Found {
    objects: Vec<LiveObject>,
    not_readable: Vec<NotReadable>,
}

impl Found {
    fn push(
        &mut self,
        rtype: &str,
        region: &str,
        arn: Option<String>,
        id: Option<String>,
        attrs: J,
    ) {
        self.objects.push(LiveObject {
            rtype: rtype.into(),
            region: Some(region.into()),
            arn,
            id,
            attributes: from_json(&attrs),
        });
    }
    fn denied(&mut self, call: &str, err: String, types: &[&str]) {
        self.not_readable.push(NotReadable {
            call: call.into(),
            reason: err,
            types: types.iter().map(|t| t.to_string()).collect(),
        });
    }
}

/// The error's code and message, as AWS reports them ("AccessDenied: User … is not authorized").
fn reason<E, R>(e: &aws_sdk_ec2::error::SdkError<E, R>) -> String
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.as_service_error() {
        Some(s) => format!(
            "{}: {}",
            s.code().unwrap_or("error"),
            s.message().unwrap_or("(no message)")
        ),
        None => format!("{}", aws_sdk_ec2::error::DisplayErrorContext(e)),
    }
}

fn tags<'a>(pairs: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>) -> J {
    J::Object(
        pairs
            .filter_map(|(k, v)| Some((k?.to_string(), J::String(v.unwrap_or("").to_string()))))
            .collect(),
    )
}

/// Runs `body` on every page of a paginated call; a page that fails records the call as not
/// readable (with the types it lists) and ends it.
macro_rules! each_page {
    ($f:ident, $pages:expr, $call:expr, $types:expr, |$p:ident| $body:block) => {{
        let mut pages = $pages;
        while let Some(page) = pages.next().await {
            match page {
                Ok($p) => $body,
                Err(e) => {
                    $f.denied($call, reason(&e), $types);
                    break;
                }
            }
        }
    }};
}

async fn scan(o: &AwsOptions) -> Result<LiveScan, String> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(p) = &o.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &o.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(u) = &o.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let conf = loader.load().await;
    let region = conf
        .region()
        .map(|r| r.to_string())
        .ok_or("no AWS region: pass --region or set AWS_REGION")?;
    let account = match aws_sdk_sts::Client::new(&conf)
        .get_caller_identity()
        .send()
        .await
    {
        Ok(id) => id.account().map(String::from),
        Err(e) => {
            return Err(format!(
                "cannot reach the AWS account (sts:GetCallerIdentity): {}",
                aws_sdk_sts::error::DisplayErrorContext(&e)
            ))
        }
    };
    let acct = account.clone().unwrap_or_default();
    let mut found = Found::default();
    let ec2 = aws_sdk_ec2::Client::new(&conf);
    let rds = aws_sdk_rds::Client::new(&conf);
    let iam = aws_sdk_iam::Client::new(&conf);
    let (a, b, c) = tokio::join!(
        scan_ec2(&ec2, &region, &acct),
        scan_rds(&rds, &region),
        scan_iam(&iam)
    );
    for part in [a, b, c] {
        found.objects.extend(part.objects);
        found.not_readable.extend(part.not_readable);
    }
    Ok(LiveScan {
        account,
        regions: vec![region],
        objects: found.objects,
        not_readable: found.not_readable,
    })
}

async fn scan_ec2(ec2: &aws_sdk_ec2::Client, region: &str, acct: &str) -> Found {
    let mut f = Found::default();
    let arn = |kind: &str, id: &str| format!("arn:aws:ec2:{region}:{acct}:{kind}/{id}");

    each_page!(
        f,
        ec2.describe_vpcs().into_paginator().send(),
        "ec2:DescribeVpcs",
        &["aws_vpc", "aws_default_vpc"],
        |p| {
            for v in p.vpcs() {
                let id = v.vpc_id().unwrap_or_default();
                let rtype = if v.is_default() == Some(true) {
                    "aws_default_vpc"
                } else {
                    "aws_vpc"
                };
                f.push(
                    rtype,
                    region,
                    Some(arn("vpc", id)),
                    Some(id.into()),
                    json!({
                        "id": id, "arn": arn("vpc", id), "cidr_block": v.cidr_block(),
                        "tags": tags(v.tags().iter().map(|t| (t.key(), t.value()))),
                    }),
                );
            }
        }
    );

    each_page!(
        f,
        ec2.describe_subnets().into_paginator().send(),
        "ec2:DescribeSubnets",
        &["aws_subnet", "aws_default_subnet"],
        |p| {
            for s in p.subnets() {
                let id = s.subnet_id().unwrap_or_default();
                f.push(
                    "aws_subnet",
                    region,
                    Some(arn("subnet", id)),
                    Some(id.into()),
                    json!({
                        "id": id, "arn": arn("subnet", id), "vpc_id": s.vpc_id(),
                        "cidr_block": s.cidr_block(), "availability_zone": s.availability_zone(),
                        "map_public_ip_on_launch": s.map_public_ip_on_launch(),
                        "tags": tags(s.tags().iter().map(|t| (t.key(), t.value()))),
                    }),
                );
            }
        }
    );

    each_page!(
        f,
        ec2.describe_route_tables().into_paginator().send(),
        "ec2:DescribeRouteTables",
        &[
            "aws_route_table",
            "aws_route_table_association",
            "aws_main_route_table_association",
            "aws_route",
        ],
        |p| {
            for t in p.route_tables() {
                let id = t.route_table_id().unwrap_or_default();
                let routes: Vec<J> = t
                        .routes()
                        .iter()
                        // The VPC's local route is implicit in Terraform's `route`.
                        .filter(|r| r.gateway_id() != Some("local"))
                        .map(|r| json!({
                            "cidr_block": r.destination_cidr_block().unwrap_or(""),
                            "ipv6_cidr_block": r.destination_ipv6_cidr_block().unwrap_or(""),
                            "gateway_id": r.gateway_id().unwrap_or(""),
                            "nat_gateway_id": r.nat_gateway_id().unwrap_or(""),
                            "transit_gateway_id": r.transit_gateway_id().unwrap_or(""),
                            "vpc_peering_connection_id": r.vpc_peering_connection_id().unwrap_or(""),
                            "network_interface_id": r.network_interface_id().unwrap_or(""),
                            "egress_only_gateway_id": r.egress_only_internet_gateway_id().unwrap_or(""),
                        }))
                        .collect();
                f.push("aws_route_table", region, Some(arn("route-table", id)), Some(id.into()), json!({
                        "id": id, "arn": arn("route-table", id), "vpc_id": t.vpc_id(), "route": routes,
                        "tags": tags(t.tags().iter().map(|t| (t.key(), t.value()))),
                    }));
                for a in t.associations() {
                    let aid = a.route_table_association_id().unwrap_or_default();
                    if a.main() == Some(true) {
                        f.push(
                            "aws_main_route_table_association",
                            region,
                            None,
                            Some(aid.into()),
                            json!({
                                "id": aid, "vpc_id": t.vpc_id(), "route_table_id": id,
                            }),
                        );
                    } else if let Some(subnet) = a.subnet_id() {
                        f.push("aws_route_table_association", region, None, Some(aid.into()), json!({
                                "id": aid, "subnet_id": subnet, "route_table_id": id, "gateway_id": "",
                            }));
                    }
                }
            }
        }
    );

    each_page!(
        f,
        ec2.describe_internet_gateways().into_paginator().send(),
        "ec2:DescribeInternetGateways",
        &["aws_internet_gateway"],
        |p| {
            for g in p.internet_gateways() {
                let id = g.internet_gateway_id().unwrap_or_default();
                let vpc = g.attachments().first().and_then(|a| a.vpc_id());
                f.push(
                    "aws_internet_gateway",
                    region,
                    Some(arn("internet-gateway", id)),
                    Some(id.into()),
                    json!({
                        "id": id, "arn": arn("internet-gateway", id), "vpc_id": vpc,
                        "tags": tags(g.tags().iter().map(|t| (t.key(), t.value()))),
                    }),
                );
            }
        }
    );

    each_page!(
        f,
        ec2.describe_nat_gateways().into_paginator().send(),
        "ec2:DescribeNatGateways",
        &["aws_nat_gateway"],
        |p| {
            for g in p.nat_gateways() {
                let id = g.nat_gateway_id().unwrap_or_default();
                f.push(
                    "aws_nat_gateway",
                    region,
                    Some(arn("natgateway", id)),
                    Some(id.into()),
                    json!({
                        "id": id, "subnet_id": g.subnet_id(), "vpc_id": g.vpc_id(),
                        "tags": tags(g.tags().iter().map(|t| (t.key(), t.value()))),
                    }),
                );
            }
        }
    );

    each_page!(
        f,
        ec2.describe_security_groups().into_paginator().send(),
        "ec2:DescribeSecurityGroups",
        &[
            "aws_security_group",
            "aws_default_security_group",
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
        ],
        |p| {
            for g in p.security_groups() {
                let id = g.group_id().unwrap_or_default();
                let a = g
                    .security_group_arn()
                    .map(String::from)
                    .unwrap_or_else(|| arn("security-group", id));
                let rules = |perms: &[aws_sdk_ec2::types::IpPermission]| -> Vec<J> {
                    perms.iter().map(|p| {
                            let groups: Vec<&str> = p.user_id_group_pairs().iter()
                                .filter_map(|u| u.group_id()).filter(|g| *g != id).collect();
                            let is_self = p.user_id_group_pairs().iter().any(|u| u.group_id() == Some(id));
                            json!({
                                "from_port": p.from_port().unwrap_or(0),
                                "to_port": p.to_port().unwrap_or(0),
                                "protocol": p.ip_protocol().unwrap_or("-1"),
                                "cidr_blocks": p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).collect::<Vec<_>>(),
                                "ipv6_cidr_blocks": p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6()).collect::<Vec<_>>(),
                                "security_groups": groups,
                                "prefix_list_ids": p.prefix_list_ids().iter().filter_map(|l| l.prefix_list_id()).collect::<Vec<_>>(),
                                "self": is_self,
                                "description": "",
                            })
                        }).collect()
                };
                let rtype = if g.group_name() == Some("default") {
                    "aws_default_security_group"
                } else {
                    "aws_security_group"
                };
                f.push(
                    rtype,
                    region,
                    Some(a.clone()),
                    Some(id.into()),
                    json!({
                        "id": id, "arn": a, "name": g.group_name(), "description": g.description(),
                        "vpc_id": g.vpc_id(), "owner_id": g.owner_id(),
                        "ingress": rules(g.ip_permissions()),
                        "egress": rules(g.ip_permissions_egress()),
                        "tags": tags(g.tags().iter().map(|t| (t.key(), t.value()))),
                    }),
                );
            }
        }
    );
    f
}

async fn scan_rds(rds: &aws_sdk_rds::Client, region: &str) -> Found {
    let mut f = Found::default();
    each_page!(
        f,
        rds.describe_db_instances().into_paginator().send(),
        "rds:DescribeDBInstances",
        &["aws_db_instance"],
        |p| {
            for db in p.db_instances() {
                let arn = db.db_instance_arn().map(String::from);
                let id = db.dbi_resource_id().map(String::from);
                let port = db
                    .endpoint()
                    .and_then(|e| e.port())
                    .or(db.db_instance_port());
                f.push("aws_db_instance", region, arn.clone(), id.clone(), json!({
                        "id": id, "arn": arn, "resource_id": id,
                        "identifier": db.db_instance_identifier(),
                        "engine": db.engine(),
                        "publicly_accessible": db.publicly_accessible(),
                        "storage_encrypted": db.storage_encrypted(),
                        "kms_key_id": db.kms_key_id().unwrap_or(""),
                        "backup_retention_period": db.backup_retention_period(),
                        "port": port,
                        "db_subnet_group_name": db.db_subnet_group().and_then(|g| g.db_subnet_group_name()),
                        "vpc_security_group_ids": db.vpc_security_groups().iter()
                            .filter_map(|g| g.vpc_security_group_id()).collect::<Vec<_>>(),
                        "replicate_source_db": db.read_replica_source_db_instance_identifier().unwrap_or(""),
                        "tags": tags(db.tag_list().iter().map(|t| (t.key(), t.value()))),
                    }));
            }
        }
    );
    each_page!(
        f,
        rds.describe_db_subnet_groups().into_paginator().send(),
        "rds:DescribeDBSubnetGroups",
        &["aws_db_subnet_group"],
        |p| {
            for g in p.db_subnet_groups() {
                let name = g.db_subnet_group_name().unwrap_or_default();
                let arn = g.db_subnet_group_arn().map(String::from);
                f.push("aws_db_subnet_group", region, arn.clone(), Some(name.into()), json!({
                        "id": name, "arn": arn, "name": name, "vpc_id": g.vpc_id(),
                        "subnet_ids": g.subnets().iter().filter_map(|s| s.subnet_identifier()).collect::<Vec<_>>(),
                    }));
            }
        }
    );
    f
}

async fn scan_iam(iam: &aws_sdk_iam::Client) -> Found {
    let mut f = Found::default();
    const ROLE_TYPES: &[&str] = &[
        "aws_iam_role",
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_role_policy",
    ];
    let mut roles = Vec::new();
    let mut pages = iam.list_roles().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => roles.extend(p.roles().iter().cloned()),
            Err(e) => {
                f.denied("iam:ListRoles", reason(&e), ROLE_TYPES);
                return f;
            }
        }
    }
    for role in roles {
        // Service-linked roles are AWS's own, not the account's design.
        if role.path().starts_with("/aws-service-role/") {
            continue;
        }
        let name = role.role_name();
        let mut managed = Vec::new();
        let mut pages = iam
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => managed.extend(
                    p.attached_policies()
                        .iter()
                        .filter_map(|a| a.policy_arn().map(String::from)),
                ),
                Err(e) => {
                    f.denied(
                        "iam:ListAttachedRolePolicies",
                        reason(&e),
                        &[
                            "aws_iam_role_policy_attachment",
                            "aws_iam_policy_attachment",
                        ],
                    );
                    break;
                }
            }
        }
        let mut inline = Vec::new();
        match iam.list_role_policies().role_name(name).send().await {
            Ok(p) => {
                for policy in p.policy_names() {
                    match iam
                        .get_role_policy()
                        .role_name(name)
                        .policy_name(policy)
                        .send()
                        .await
                    {
                        Ok(doc) => inline.push(json!({
                            "name": policy,
                            "policy": percent_decode(doc.policy_document()),
                        })),
                        Err(e) => {
                            f.denied("iam:GetRolePolicy", reason(&e), &["aws_iam_role_policy"])
                        }
                    }
                }
            }
            Err(e) => f.denied("iam:ListRolePolicies", reason(&e), &["aws_iam_role_policy"]),
        }
        let arn = role.arn().to_string();
        f.push(
            "aws_iam_role",
            "global",
            Some(arn.clone()),
            Some(name.to_string()),
            json!({
                "id": name, "arn": arn, "name": name, "path": role.path(),
                "unique_id": role.role_id(),
                "assume_role_policy": role.assume_role_policy_document().map(percent_decode),
                "managed_policy_arns": managed,
                "inline_policy": inline,
            }),
        );
    }
    f
}

/// IAM returns policy documents URL-encoded (RFC 3986: `%XX`, and `+` stays `+`).
fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy_documents_are_url_decoded() {
        assert_eq!(
            super::percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(super::percent_decode("a%2"), "a%2");
        assert_eq!(super::percent_decode("a+b%2Bc%zz"), "a+b+c%zz");
        assert_eq!(super::percent_decode("{\"a\": 1}"), "{\"a\": 1}");
    }
}
