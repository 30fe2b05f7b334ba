//! The rules on state-shaped and live-shaped models (no HCL): references are known IDs and
//! ARNs, findings point at state or live locations, and a source that could not read a type
//! makes the rules that need it say "not evaluated".
use crate::model::builder::ModelBuilder;
use crate::model::Model;
use crate::rules::testing::run;
use crate::source::Location;
use serde_json::json;

fn public_db(b: ModelBuilder) -> ModelBuilder {
    b.resource(
        "aws_db_instance.db",
        json!({"id": "db-ABC", "arn": "arn:aws:rds:eu-west-1:123456789012:db:app",
               "identifier": "app", "port": 5432, "publicly_accessible": false,
               "db_subnet_group_name": "app-db", "vpc_security_group_ids": ["sg-db"]}),
    )
    .resource(
        "aws_db_subnet_group.db",
        json!({"id": "app-db", "name": "app-db", "subnet_ids": ["subnet-a"]}),
    )
    .resource("aws_subnet.a", json!({"id": "subnet-a", "vpc_id": "vpc-1"}))
    .resource(
        "aws_vpc.main",
        json!({"id": "vpc-1", "cidr_block": "10.0.0.0/16"}),
    )
    .resource(
        "aws_security_group.db",
        json!({"id": "sg-db", "vpc_id": "vpc-1", "ingress": [], "egress": []}),
    )
}

fn with_route(b: ModelBuilder, gateway: &str) -> ModelBuilder {
    b.resource(
        "aws_route_table.rt",
        json!({"id": "rtb-1", "vpc_id": "vpc-1", "route": [
            {"cidr_block": "0.0.0.0/0", "gateway_id": gateway, "nat_gateway_id": "",
             "ipv6_cidr_block": "", "transit_gateway_id": ""}]}),
    )
    .resource(
        "aws_route_table_association.a",
        json!({"id": "rtbassoc-1", "subnet_id": "subnet-a", "route_table_id": "rtb-1", "gateway_id": ""}),
    )
}

fn rds002(m: &Model) -> crate::rules::Sink {
    run(
        &crate::rules::rds::rds_reachable_from_internet::RdsReachableFromInternet,
        m,
    )
}

#[test]
fn rds002_follows_ids_in_state_and_points_at_the_state() {
    let m = with_route(public_db(ModelBuilder::state()), "igw-1")
        .resource(
            "aws_internet_gateway.igw",
            json!({"id": "igw-1", "vpc_id": "vpc-1"}),
        )
        .build();
    let sink = rds002(&m);
    assert_eq!(sink.findings.len(), 1, "{:?}", sink.not_evaluated);
    let f = &sink.findings[0];
    assert_eq!(f.resource, "aws_db_instance.db");
    assert!(
        matches!(&f.location, Some(Location::State { address, .. }) if address == "aws_db_instance.db"),
        "{:?}",
        f.location
    );
    // The route is named too, at its place in the state.
    assert!(f.related.iter().any(|r| matches!(&r.location,
        Location::State { address, .. } if address == "aws_route_table.rt")));
}

#[test]
fn rds002_private_route_in_state_is_no_finding() {
    let m = with_route(public_db(ModelBuilder::state()), "").build();
    let sink = rds002(&m);
    assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    assert!(sink.not_evaluated.is_empty(), "{:?}", sink.not_evaluated);
}

#[test]
fn unreadable_route_tables_make_rds002_not_evaluated_not_a_pass() {
    let m = public_db(ModelBuilder::live())
        .not_readable("aws_route_table", "AccessDenied on ec2:DescribeRouteTables")
        .build();
    let sink = rds002(&m);
    assert!(sink.findings.is_empty());
    assert!(
        sink.not_evaluated
            .iter()
            .any(|n| n.reason.contains("ec2:DescribeRouteTables")),
        "{:?}",
        sink.not_evaluated
    );
}

fn task_with_role(b: ModelBuilder) -> ModelBuilder {
    let defs = json!([{"name": "web", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1",
        "essential": true, "portMappings": [{"containerPort": 80, "hostPort": 80}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}}]);
    b.resource(
        "aws_ecs_task_definition.web",
        json!({"id": "web", "arn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3",
               "family": "web", "network_mode": "awsvpc", "requires_compatibilities": ["FARGATE"],
               "execution_role_arn": "arn:aws:iam::123456789012:role/web-exec",
               "container_definitions": defs.to_string()}),
    )
    .resource(
        "aws_iam_role.exec",
        json!({"id": "web-exec", "arn": "arn:aws:iam::123456789012:role/web-exec", "name": "web-exec",
               "inline_policy": [], "managed_policy_arns": []}),
    )
}

fn ecs002(m: &Model) -> crate::rules::Sink {
    run(
        &crate::rules::ecs::ecs_execution_role_missing_policy::EcsExecutionRoleMissingPolicy,
        m,
    )
}

#[test]
fn ecs002_decides_a_role_named_by_arn_in_live() {
    let m = task_with_role(ModelBuilder::live()).build();
    let sink = ecs002(&m);
    assert_eq!(sink.findings.len(), 1, "{:?}", sink.not_evaluated);
    assert!(matches!(
        sink.findings[0].location,
        Some(Location::Live { .. })
    ));

    let attached = task_with_role(ModelBuilder::live())
        .resource(
            "aws_iam_role_policy_attachment.exec",
            json!({"id": "web-exec-2024", "role": "web-exec",
                   "policy_arn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}),
        )
        .build();
    let sink = ecs002(&attached);
    assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    assert!(sink.not_evaluated.is_empty(), "{:?}", sink.not_evaluated);
}

#[test]
fn unreadable_attachments_make_ecs002_not_evaluated() {
    let m = task_with_role(ModelBuilder::live())
        .not_readable(
            "aws_iam_role_policy_attachment",
            "AccessDenied on iam:ListAttachedRolePolicies",
        )
        .build();
    let sink = ecs002(&m);
    assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    assert!(
        sink.not_evaluated
            .iter()
            .any(|n| n.reason.contains("iam:ListAttachedRolePolicies")),
        "{:?}",
        sink.not_evaluated
    );
}

#[test]
fn identity_links_are_model_data() {
    let m = task_with_role(ModelBuilder::state())
        .resource(
            "aws_iam_role_policy_attachment.exec",
            json!({"id": "web-exec-2024", "role": "web-exec", "policy_arn": "arn:aws:iam::aws:policy/x"}),
        )
        .build();
    let role = m.resources_of("aws_iam_role").next().unwrap();
    let att: Vec<&str> = m
        .referrers(role, "aws_iam_role_policy_attachment")
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(att, ["aws_iam_role_policy_attachment.exec"]);
    let td = m.resources_of("aws_ecs_task_definition").next().unwrap();
    let t = m.targets_of(td, "execution_role_arn");
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].attribute.as_deref(), Some("arn"));
    // A name is not a pointer: the task definition's family `web` names nothing.
    assert!(m
        .index()
        .outgoing(m.position(td).unwrap())
        .all(|l| l.path != "family"));
}

#[test]
fn sg001_on_a_state_shaped_group() {
    let m = ModelBuilder::state()
        .resource(
            "aws_security_group.ssh",
            json!({"id": "sg-1", "name": "ssh", "vpc_id": "vpc-1", "ingress": [
                {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
                 "ipv6_cidr_blocks": [], "security_groups": [], "self": false, "prefix_list_ids": [],
                 "description": ""}], "egress": []}),
        )
        .build();
    let sink = run(
        &crate::rules::sg::sg_ingress_open_to_world::SgIngressOpenToWorld,
        &m,
    );
    assert_eq!(sink.findings.len(), 1, "{:?}", sink.not_evaluated);
    assert!(matches!(
        sink.findings[0].location,
        Some(Location::State { .. })
    ));
}
