//! EC2: VPCs, subnets, route tables and their associations, internet and NAT gateways,
//! security groups with their rules, VPC endpoints.
use super::{tags, Found, Limit};
use serde_json::{json, Value as J};

pub(super) async fn scan(
    ec2: aws_sdk_ec2::Client,
    region: &str,
    acct: &str,
    limit: &Limit,
) -> Found {
    let mut f = Found::default();
    let arn = |kind: &str, id: &str| format!("arn:aws:ec2:{region}:{acct}:{kind}/{id}");

    each_page!(
        limit,
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
        limit,
        f,
        ec2.describe_subnets().into_paginator().send(),
        "ec2:DescribeSubnets",
        &["aws_subnet", "aws_default_subnet"],
        |p| {
            for s in p.subnets() {
                let id = s.subnet_id().unwrap_or_default();
                // The default VPC's subnets are AWS's, as Terraform's aws_default_subnet.
                let rtype = if s.default_for_az() == Some(true) {
                    "aws_default_subnet"
                } else {
                    "aws_subnet"
                };
                f.push(
                    rtype,
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
        limit,
        f,
        ec2.describe_route_tables().into_paginator().send(),
        "ec2:DescribeRouteTables",
        &[
            "aws_route_table",
            "aws_default_route_table",
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
                // A VPC's main table is made with the VPC, as Terraform's
                // aws_default_route_table; the join still finds a state's aws_route_table
                // made main by an aws_main_route_table_association.
                let main = t.associations().iter().any(|a| a.main() == Some(true));
                let (rtype, default_id) = if main {
                    ("aws_default_route_table", id)
                } else {
                    ("aws_route_table", "")
                };
                f.push(rtype, region, Some(arn("route-table", id)), Some(id.into()), json!({
                        "id": id, "arn": arn("route-table", id), "vpc_id": t.vpc_id(), "route": routes,
                        "default_route_table_id": default_id,
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
        limit,
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
        limit,
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
        limit,
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
    each_page!(
        limit,
        f,
        ec2.describe_vpc_endpoints().into_paginator().send(),
        "ec2:DescribeVpcEndpoints",
        &["aws_vpc_endpoint"],
        |p| {
            for e in p.vpc_endpoints() {
                let id = e.vpc_endpoint_id().unwrap_or_default();
                f.push(
                    "aws_vpc_endpoint",
                    region,
                    Some(arn("vpc-endpoint", id)),
                    Some(id.into()),
                    json!({
                        "id": id, "arn": arn("vpc-endpoint", id), "vpc_id": e.vpc_id(),
                        "service_name": e.service_name(),
                        "vpc_endpoint_type": e.vpc_endpoint_type().map(|t| t.as_str()),
                        "state": e.state().map(|s| s.as_str().to_lowercase()),
                        "subnet_ids": e.subnet_ids(),
                        "route_table_ids": e.route_table_ids(),
                        "security_group_ids": e.groups().iter().filter_map(|g| g.group_id()).collect::<Vec<_>>(),
                        "private_dns_enabled": e.private_dns_enabled(),
                        "tags": tags(e.tags().iter().map(|t| (t.key(), t.value()))),
                    }),
                );
            }
        }
    );
    f
}
