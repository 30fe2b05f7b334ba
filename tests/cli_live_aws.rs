#![cfg(feature = "aws")]
//! `--live` against a real moto server through the real aws-sdk clients: resources made by hand
//! (through the SDK, as the console makes them) are found at their ARNs by the same rules, the
//! scan sends only read calls, and an unreachable endpoint is a clear error. Each test starts
//! its own server (`INFRA_LINT_MOTO_SERVER`, set by scripts/test.sh) so that the request
//! recording sees only its own scan; without it the tests fail, never skip.
mod common;
use common::moto::{moto, moto_with, Moto};
use common::sdk::{assert_read_only, runtime, sdk_config, REGION};
use common::*;
use serde_json::Value as J;
use std::process::Command;

/// What a console user makes: a public database and a security group opened to the world.
fn seed(url: &str) -> String {
    runtime().block_on(async {
        let conf = sdk_config(url).await;
        let rds = aws_sdk_rds::Client::new(&conf);
        rds.create_db_instance()
            .db_instance_identifier("console-db")
            .engine("postgres")
            .db_instance_class("db.t3.micro")
            .master_username("admin")
            .master_user_password("console-db-password-not-shown")
            .allocated_storage(20)
            .publicly_accessible(true)
            .storage_encrypted(true)
            .backup_retention_period(7)
            .send()
            .await
            .expect("create db");
        let ec2 = aws_sdk_ec2::Client::new(&conf);
        let vpc = ec2.describe_vpcs().send().await.unwrap().vpcs()[0]
            .vpc_id()
            .unwrap()
            .to_string();
        let sg = ec2
            .create_security_group()
            .group_name("console-ssh")
            .description("made in the console")
            .vpc_id(vpc)
            .send()
            .await
            .unwrap()
            .group_id()
            .unwrap()
            .to_string();
        ec2.authorize_security_group_ingress()
            .group_id(&sg)
            .ip_permissions(open_to_world(22))
            .send()
            .await
            .unwrap();
        sg
    })
}

/// TCP `port` from anywhere, as the console's "Anywhere-IPv4" adds it.
fn open_to_world(port: i32) -> aws_sdk_ec2::types::IpPermission {
    aws_sdk_ec2::types::IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .ip_ranges(
            aws_sdk_ec2::types::IpRange::builder()
                .cidr_ip("0.0.0.0/0")
                .build(),
        )
        .build()
}

fn live_check(url: &str, dir: &std::path::Path, extra: &[&str]) -> (i32, J, String) {
    live_check_as(url, dir, extra, ("test", "test"))
}

fn live_check_as(
    url: &str,
    dir: &std::path::Path,
    extra: &[&str],
    (key, secret): (&str, &str),
) -> (i32, J, String) {
    let d = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "check",
        d.as_str(),
        "--format",
        "json",
        "--live",
        "--endpoint-url",
        url,
        "--region",
        REGION,
        "--live-timeout",
        "30",
    ];
    args.extend_from_slice(extra);
    let out = bin()
        .args(&args)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{e}: {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json, text)
}

fn on<'a>(json: &'a J, code: &str, resource: &str) -> Option<&'a J> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code && f["resource"] == resource)
}

#[test]
fn console_made_resources_are_found_at_their_arns() {
    let m = moto();
    let sg = seed(&m.url);
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, text) = live_check(&m.url, dir.path(), &["--name-prefix", "acme"]);
    assert_eq!(code, 1, "{json}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
    let db = "arn:aws:rds:eu-west-1:123456789012:db:console-db";
    let f = on(&json, "RDS001", db).unwrap_or_else(|| panic!("RDS001 on {db}: {json}"));
    assert_eq!(
        f["location"],
        serde_json::json!({"arn": db, "path": "publicly_accessible"})
    );
    let sg_arn = format!("arn:aws:ec2:eu-west-1:123456789012:security-group/{sg}");
    assert!(
        on(&json, "SG001", &sg_arn).is_some(),
        "SG001 on {sg_arn}: {json}"
    );
    assert!(
        on(&json, "NAME001", db).is_some(),
        "NAME001 on {db}: {json}"
    );
    // Encrypted, backed up: no RDS003/RDS004 on it.
    assert!(on(&json, "RDS003", db).is_none() && on(&json, "RDS004", db).is_none());
    assert_eq!(
        json["summary"]["documents"][0]["file"],
        "account 123456789012"
    );
    assert!(!text.contains("console-db-password-not-shown"));
}

/// Every request the emulator receives during a scan is a read: Describe*, List*, Get*.
#[test]
fn the_scan_sends_only_read_calls() {
    let m = moto();
    seed(&m.url);
    m.start_recording();
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, _) = live_check(&m.url, dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    let actions = m.recorded_actions();
    assert!(
        actions.len() >= 8,
        "the scan made {} calls: {actions:?}",
        actions.len()
    );
    assert_read_only(&actions);
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error_and_configuration_is_still_checked() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let dir = tree(&[(
        "main.tf",
        b"resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = true\n}\n" as &[u8],
    )]);
    let (code, json, _) = live_check(&url, dir.path(), &["--select", "RDS001"]);
    assert_eq!(code, 2, "{json}");
    let msg = json["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("cannot reach the AWS account"), "{msg}");
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        1,
        "configuration still checked"
    );
}

/// A scanner whose policy denies ec2:DescribeRouteTables (moto enforces IAM after the first
/// actions): the routing rules say "not checked" with the call, everything else still runs.
#[test]
fn a_denied_call_makes_exactly_what_needs_it_not_checked() {
    // The seeding below makes exactly these many unauthenticated calls.
    let m = moto_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "6")]);
    let (key, secret) = runtime().block_on(async {
        let conf = sdk_config(&m.url).await;
        let iam = aws_sdk_iam::Client::new(&conf);
        iam.create_user()
            .user_name("scanner")
            .send()
            .await
            .expect("create user");
        let k = iam
            .create_access_key()
            .user_name("scanner")
            .send()
            .await
            .expect("access key");
        let k = k.access_key().unwrap();
        let policy = r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ec2:DescribeRouteTables", "Resource": "*"}]}"#;
        iam.put_user_policy()
            .user_name("scanner")
            .policy_name("read-but-not-routes")
            .policy_document(policy)
            .send()
            .await
            .expect("policy");
        let ec2 = aws_sdk_ec2::Client::new(&conf);
        let subnets: Vec<String> = ec2
            .describe_subnets()
            .send()
            .await
            .unwrap()
            .subnets()
            .iter()
            .filter_map(|s| s.subnet_id().map(String::from))
            .collect();
        let rds = aws_sdk_rds::Client::new(&conf);
        rds.create_db_subnet_group()
            .db_subnet_group_name("app-db")
            .db_subnet_group_description("app")
            .set_subnet_ids(Some(subnets))
            .send()
            .await
            .expect("subnet group");
        rds.create_db_instance()
            .db_instance_identifier("app-db")
            .engine("postgres")
            .db_instance_class("db.t3.micro")
            .master_username("admin")
            .master_user_password("app-db-password")
            .allocated_storage(20)
            .db_subnet_group_name("app-db")
            .publicly_accessible(false)
            .storage_encrypted(true)
            .send()
            .await
            .expect("db");
        (
            k.access_key_id().to_string(),
            k.secret_access_key().to_string(),
        )
    });
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, _) = live_check_as(&m.url, dir.path(), &[], (&key, &secret));
    assert!(code == 0 || code == 1, "{json}");
    let not_checked = json["summary"]["not_checked"].as_array().unwrap();
    assert_eq!(not_checked.len(), 1, "{json}");
    assert!(not_checked[0]
        .as_str()
        .unwrap()
        .starts_with("ec2:DescribeRouteTables: "));
    let db = "arn:aws:rds:eu-west-1:123456789012:db:app-db";
    let ne: Vec<&J> = json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["subject"] == db)
        .collect();
    assert!(
        ne.iter().any(|n| n["code"] == "RDS002"
            && n["reason"]
                .as_str()
                .unwrap()
                .contains("ec2:DescribeRouteTables")),
        "{json}"
    );
    // What does not need the routes is still decided: the groups were read.
    assert!(json["summary"]["resources"].as_u64().unwrap() > 5, "{json}");
    assert!(!ne.iter().any(|n| n["code"] == "RDS001"), "{json}");
}

/// A console-made execution role outside the configuration: decided from live IAM, first
/// without any policy, then with a customer managed policy that grants what is needed.
#[test]
fn a_console_made_execution_role_is_decided_from_live_iam() {
    let m = moto();
    let task = r#"resource "aws_ecs_task_definition" "web" {
  family                   = "web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  container_definitions = jsonencode([{
    name             = "web"
    image            = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1"
    essential        = true
    logConfiguration = { logDriver = "awslogs", options = { awslogs-group = "/ecs/web" } }
  }])
}
"#;
    let dir = tree(&[("main.tf", task.as_bytes())]);
    let iam = |attach: bool| {
        runtime().block_on(async {
            let conf = sdk_config(&m.url).await;
            let iam = aws_sdk_iam::Client::new(&conf);
            if attach {
                // A customer managed policy granting what the managed one would: decided
                // from its document, which the scan reads (GetPolicy, GetPolicyVersion).
                let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#;
                let policy = iam
                    .create_policy()
                    .policy_name("web-execution")
                    .policy_document(doc)
                    .send()
                    .await
                    .expect("policy");
                iam.attach_role_policy()
                    .role_name("ecsTaskExecutionRole")
                    .policy_arn(policy.policy().unwrap().arn().unwrap())
                    .send()
                    .await
                    .expect("attach");
            } else {
                iam.create_role()
                    .role_name("ecsTaskExecutionRole")
                    .assume_role_policy_document(
                        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                    )
                    .send()
                    .await
                    .expect("role");
            }
        })
    };
    iam(false);
    let ecs002 = |json: &J| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "ECS002")
            .count()
    };
    let (code, json, _) = live_check(&m.url, dir.path(), &["--select", "ECS002"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(ecs002(&json), 1, "{json}");
    iam(true);
    let (code, json, _) = live_check(&m.url, dir.path(), &["--select", "ECS002"]);
    assert_eq!(code, 0, "{json}");
    assert!(!json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["code"] == "ECS002"));
}

/// The "acme" world (tests/worlds/acme): applied with the real `terraform apply` into moto,
/// its state in moto's S3 under the workspace "staging", in a directory of its own.
struct World {
    dir: tempfile::TempDir,
}

const STATE_BUCKET: &str = "acme-state";
const DB_PASSWORD: &str = "world-db-password-planted";
const LIVE_DB_PASSWORD: &str = "hunter2-live-planted";
/// In the configuration of tests/worlds/acme (the worker's environment).
const CONFIG_DB_PASSWORD: &str = "config-db-password-planted";

fn terraform(dir: &std::path::Path, url: &str, args: &[&str]) {
    common::moto::terraform(dir, url, args, &[("TF_VAR_db_password", DB_PASSWORD)]);
}

impl World {
    fn apply(m: &Moto) -> World {
        let plugins =
            std::env::var("INFRA_LINT_TF_PLUGIN_DIR").unwrap_or_else(|_| "/opt/tf-plugins".into());
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            root().join("tests/worlds/acme/main.tf"),
            dir.path().join("main.tf"),
        )
        .unwrap();
        runtime().block_on(async {
            let conf = sdk_config(&m.url).await;
            let s3 = s3_client(&conf);
            create_bucket(&s3, STATE_BUCKET)
                .await
                .expect("state bucket");
        });
        let endpoints = format!("endpoints={{s3=\"{0}\",sts=\"{0}\"}}", m.url);
        let plugin_dir = format!("-plugin-dir={plugins}");
        terraform(
            dir.path(),
            &m.url,
            &[
                "init",
                "-input=false",
                &plugin_dir,
                "-backend-config=bucket=acme-state",
                "-backend-config=key=world/terraform.tfstate",
                "-backend-config=region=eu-west-1",
                &format!("-backend-config={endpoints}"),
                "-backend-config=use_path_style=true",
                "-backend-config=skip_credentials_validation=true",
                "-backend-config=skip_requesting_account_id=true",
                "-backend-config=skip_metadata_api_check=true",
                "-backend-config=skip_region_validation=true",
            ],
        );
        terraform(dir.path(), &m.url, &["workspace", "new", "staging"]);
        terraform(
            dir.path(),
            &m.url,
            &["apply", "-auto-approve", "-input=false"],
        );
        World { dir }
    }
}

/// What console users then do to the account: a checkout service (its own task definition, a
/// plain-text DB_PASSWORD, container port 80 behind the target group whose health check
/// probes 8080) run by the console's execution role without its managed policy, a public
/// reporting database, a hand-made VPC here and one in another region, and the stack a failed
/// console deploy leaves.
fn console_changes(url: &str) {
    runtime().block_on(async {
        let conf = sdk_config(url).await;
        let iam = aws_sdk_iam::Client::new(&conf);
        let role = iam
            .create_role()
            .role_name("ecsTaskExecutionRole")
            .assume_role_policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            )
            .send()
            .await
            .expect("role");
        let role_arn = role.role().unwrap().arn().to_string();
        let ec2 = aws_sdk_ec2::Client::new(&conf);
        let subnets: Vec<String> = ec2
            .describe_subnets()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("tag:Name")
                    .values("acme-private-a")
                    .values("acme-private-b")
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .subnets()
            .iter()
            .filter_map(|s| s.subnet_id().map(String::from))
            .collect();
        assert_eq!(subnets.len(), 2, "the world's private subnets");
        let groups = ec2
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("group-name")
                    .values("acme-tasks")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let tasks_sg = groups.security_groups()[0].group_id().unwrap().to_string();
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&conf);
        let tg = elb
            .describe_target_groups()
            .names("acme-checkout")
            .send()
            .await
            .unwrap()
            .target_groups()[0]
            .target_group_arn()
            .unwrap()
            .to_string();
        let ecs = aws_sdk_ecs::Client::new(&conf);
        use aws_sdk_ecs::types as t;
        let env = |k: &str, v: &str| t::KeyValuePair::builder().name(k).value(v).build();
        ecs.register_task_definition()
            .family("checkout")
            .network_mode(t::NetworkMode::Awsvpc)
            .requires_compatibilities(t::Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .execution_role_arn(&role_arn)
            .container_definitions(
                t::ContainerDefinition::builder()
                    .name("web")
                    .image("public.ecr.aws/nginx/nginx:1.27")
                    .essential(true)
                    .port_mappings(
                        t::PortMapping::builder()
                            .container_port(80)
                            .protocol(t::TransportProtocol::Tcp)
                            .build(),
                    )
                    .environment(env("MODE", "prod"))
                    .environment(env("DB_PASSWORD", LIVE_DB_PASSWORD))
                    .log_configuration(
                        t::LogConfiguration::builder()
                            .log_driver(t::LogDriver::Awslogs)
                            .options("awslogs-group", "/ecs/checkout")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("task definition");
        ecs.create_service()
            .cluster("acme-cluster")
            .service_name("checkout")
            .task_definition("checkout")
            .desired_count(1)
            .launch_type(t::LaunchType::Fargate)
            .load_balancers(
                t::LoadBalancer::builder()
                    .target_group_arn(&tg)
                    .container_name("web")
                    .container_port(80)
                    .build(),
            )
            .network_configuration(
                t::NetworkConfiguration::builder()
                    .awsvpc_configuration(
                        t::AwsVpcConfiguration::builder()
                            .set_subnets(Some(subnets))
                            .security_groups(&tasks_sg)
                            .assign_public_ip(t::AssignPublicIp::Disabled)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("service");
        aws_sdk_rds::Client::new(&conf)
            .create_db_instance()
            .db_instance_identifier("reporting-db")
            .engine("postgres")
            .db_instance_class("db.t3.micro")
            .master_username("admin")
            .master_user_password("reporting-db-password-planted")
            .allocated_storage(20)
            .publicly_accessible(true)
            .storage_encrypted(true)
            .backup_retention_period(7)
            .send()
            .await
            .expect("db");
        let legacy = |ec2: aws_sdk_ec2::Client, cidr: &'static str, name: &'static str| async move {
            ec2.create_vpc()
                .cidr_block(cidr)
                .tag_specifications(
                    aws_sdk_ec2::types::TagSpecification::builder()
                        .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
                        .tags(aws_sdk_ec2::types::Tag::builder().key("Name").value(name).build())
                        .build(),
                )
                .send()
                .await
                .expect("vpc")
                .vpc()
                .unwrap()
                .vpc_id()
                .unwrap()
                .to_string()
        };
        legacy(ec2, "10.99.0.0/16", "legacy-vpc").await;
        let east = conf
            .to_builder()
            .region(aws_config::Region::new("us-east-1"))
            .build();
        legacy(aws_sdk_ec2::Client::new(&east), "10.98.0.0/16", "legacy-east").await;
        let template = r#"{"Resources": {"ServiceSecurityGroup": {"Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "made by the ECS console"}}}}"#;
        aws_sdk_cloudformation::Client::new(&conf)
            .create_stack()
            .stack_name("ECS-Console-V2-Service-checkout")
            .template_body(template)
            .send()
            .await
            .expect("stack");
    });
}

/// The drift of the seed story, made by hand after apply: a VPC made in the console with the
/// name a new configuration block wants, the execution role's managed policy detached, the
/// database switched to public, a rule admitting the world added to its group, and a console
/// stack that owns a load balancer the configuration wants. The configuration then gains the
/// two blocks (the next pull request).
fn drift_changes(url: &str, dir: &std::path::Path) {
    runtime().block_on(async {
        let conf = sdk_config(url).await;
        let ec2 = aws_sdk_ec2::Client::new(&conf);
        ec2.create_vpc()
            .cidr_block("10.41.0.0/16")
            .tag_specifications(
                aws_sdk_ec2::types::TagSpecification::builder()
                    .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
                    .tags(
                        aws_sdk_ec2::types::Tag::builder()
                            .key("Name")
                            .value("acme-shared")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("hand-made vpc");
        aws_sdk_iam::Client::new(&conf)
            .detach_role_policy()
            .role_name("acme-task-execution")
            .policy_arn("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
            .send()
            .await
            .expect("detach");
        aws_sdk_rds::Client::new(&conf)
            .modify_db_instance()
            .db_instance_identifier("acme-db")
            .publicly_accessible(true)
            .apply_immediately(true)
            .send()
            .await
            .expect("public db");
        let groups = ec2
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("group-name")
                    .values("acme-db")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let db_sg = groups.security_groups()[0].group_id().unwrap().to_string();
        ec2.authorize_security_group_ingress()
            .group_id(&db_sg)
            .ip_permissions(open_to_world(5432))
            .send()
            .await
            .expect("rule by hand");
        let subnets: Vec<String> = ec2
            .describe_subnets()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("tag:Name")
                    .values("acme-public-a")
                    .values("acme-public-b")
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .subnets()
            .iter()
            .filter_map(|s| s.subnet_id().map(String::from))
            .collect();
        let template = serde_json::json!({"Resources": {"LoadBalancer": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"Name": "acme-api", "Subnets": subnets}}}});
        aws_sdk_cloudformation::Client::new(&conf)
            .create_stack()
            .stack_name("ECS-Console-V2-Service-api")
            .template_body(template.to_string())
            .send()
            .await
            .expect("console stack");
    });
    let mut main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    main.push_str(
        r#"
resource "aws_vpc" "shared" {
  cidr_block = "10.41.0.0/16"
  tags       = { Name = "acme-shared" }
}

resource "aws_lb" "api" {
  name               = "acme-api"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = [for s in aws_subnet.public : s.id]
}
"#,
    );
    std::fs::write(dir.join("main.tf"), main).unwrap();
}

fn drift_findings(json: &J) -> Vec<&J> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("DRIFT") || f["code"] == "CFN001")
        .collect()
}

fn codes_on(json: &J, resource: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"] == resource)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// `check DIR --state --live --endpoint-url URL --region R --name-prefix P` end to end: a world
/// applied by terraform (state in S3, workspace "staging"), changed in the console, read
/// through the real SDK clients with only read calls; the same rules on configuration, state
/// and live resources, live findings at their ARNs, secrets nowhere in any output; then the
/// same account written by `inventory` and replayed offline.
#[test]
fn a_terraform_world_changed_in_the_console_is_checked_end_to_end() {
    let m = moto();
    let world = World::apply(&m);
    let dir = world.dir.path();
    let acct = "123456789012";
    let region = REGION;

    // Right after apply the account is what the state says: no drift, whatever AWS filled in
    // or reordered.
    let (_, clean, _) = live_check(&m.url, dir, &["--state", "--name-prefix", "acme-"]);
    assert!(
        drift_findings(&clean).is_empty(),
        "no drift after apply: {:?}",
        drift_findings(&clean)
    );
    assert_eq!(
        clean["summary"]["drift"],
        serde_json::json!({"unmanaged": 0, "missing": 0, "changed": 0, "orphaned-stack": 0})
    );

    console_changes(&m.url);
    drift_changes(&m.url, dir);

    m.start_recording();
    let (code, json, text) = live_check(
        &m.url,
        dir,
        &["--state", "--name-prefix", "acme-", "--region", "us-east-1"],
    );
    assert_read_only(&m.recorded_actions());
    assert_eq!(code, 1, "{json}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");

    // The state came from S3, in the workspace terraform selected; the account from STS.
    let docs = json["summary"]["documents"].as_array().unwrap();
    let state = docs
        .iter()
        .find(|d| d["file"] == "s3://acme-state/env:/staging/world/terraform.tfstate")
        .unwrap_or_else(|| panic!("the s3 state: {docs:?}"));
    assert!(state["joined"].as_u64().unwrap() >= 20, "{state}");
    let live = docs
        .iter()
        .find(|d| d["file"] == format!("account {acct}"))
        .unwrap_or_else(|| panic!("the account: {docs:?}"));
    assert!(live["joined"].as_u64().unwrap() >= 15, "{live}");
    assert!(
        json["summary"]["not_checked"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{json}"
    );

    // Console-made resources, found at their ARNs by the rules written for configuration.
    let service = format!("arn:aws:ecs:{region}:{acct}:service/acme-cluster/checkout");
    let task = format!("arn:aws:ecs:{region}:{acct}:task-definition/checkout:1");
    let db = format!("arn:aws:rds:{region}:{acct}:db:reporting-db");
    let role = format!("arn:aws:iam::{acct}:role/ecsTaskExecutionRole");
    // The console service's container listens on 80, the configured health check probes 8080:
    // reported where the fix goes (the configuration's line), naming the live container.
    let ecs001 = on(&json, "ECS001", "aws_lb_target_group.checkout")
        .unwrap_or_else(|| panic!("ECS001 on the target group: {json}"));
    assert!(
        ecs001["message"].as_str().unwrap().contains("8080"),
        "the health check port that nothing listens on: {ecs001}"
    );
    assert_eq!(ecs001["location"]["file"], "main.tf", "{ecs001}");
    assert_eq!(
        ecs001["related"][0]["location"]["arn"],
        task.as_str(),
        "{ecs001}"
    );
    let on_service = codes_on(&json, &service);
    assert!(on_service.contains(&"NAME001".into()), "{json}");
    // Private subnets without a NAT gateway, an image from ECR Public: the tasks cannot pull.
    assert!(on_service.contains(&"ECS004".into()), "{json}");
    let on_task = codes_on(&json, &task);
    for code in ["ECS005", "ECS002", "NAME001"] {
        assert!(
            on_task.contains(&code.into()),
            "{code} on {task}: {on_task:?} {json}"
        );
    }
    let ecs005 = on(&json, "ECS005", &task).unwrap();
    assert_eq!(ecs005["location"]["arn"], task.as_str(), "{ecs005}");
    assert!(codes_on(&json, &db).contains(&"RDS001".into()), "{json}");
    assert!(codes_on(&json, &role).contains(&"NAME001".into()), "{json}");
    // The hand-made VPCs, in both regions read.
    let vpcs: Vec<&J> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "NAME001" && f["resource"].as_str().unwrap().contains(":vpc/"))
        .collect();
    assert!(
        vpcs.iter().any(|f| f["resource"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:ec2:us-east-1:")),
        "{vpcs:?}"
    );
    assert!(
        vpcs.iter().any(|f| f["resource"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:ec2:eu-west-1:")),
        "{vpcs:?}"
    );

    // AWS's own (the default VPCs' subnets, the VPCs' main route tables) are not named by
    // anyone: no naming finding on them.
    assert!(
        !json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "NAME001"
                && (f["resource"].as_str().unwrap().contains(":subnet/")
                    || f["resource"].as_str().unwrap().contains(":route-table/"))),
        "{json}"
    );

    // The seed story's drift, each with both sides and a fix.
    let drift = |code: &str, resource: &str| {
        on(&json, code, resource)
            .unwrap_or_else(|| panic!("{code} on {resource}: {:?}", drift_findings(&json)))
    };
    // The VPC made by hand with the name aws_vpc.shared wants: adopt it with an import block.
    let shared = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DRIFT001" && f["drift"]["address"] == "aws_vpc.shared")
        .unwrap_or_else(|| panic!("DRIFT001 for aws_vpc.shared: {:?}", drift_findings(&json)));
    assert!(
        shared["drift"]["arn"]
            .as_str()
            .unwrap()
            .contains(":vpc/vpc-"),
        "{shared}"
    );
    assert_eq!(shared["fix"]["applicability"], "unsafe", "{shared}");
    let import = shared["fix"]["edits"][0]["replacement"].as_str().unwrap();
    assert!(
        import.contains("import {") && import.contains("to = aws_vpc.shared"),
        "{import}"
    );
    assert!(
        shared["fix_title"]
            .as_str()
            .unwrap()
            .contains("terraform import 'aws_vpc.shared' vpc-"),
        "{shared}"
    );
    // The policy detached after apply.
    let detached = drift("DRIFT002", "aws_iam_role_policy_attachment.execution");
    assert_eq!(detached["location"]["file"], "main.tf", "{detached}");
    assert!(detached["fix_title"]
        .as_str()
        .unwrap()
        .contains("terraform apply -target='aws_iam_role_policy_attachment.execution'"));
    // The database switched to public: drift, and RDS001 on the live value.
    let public = drift("DRIFT003", "aws_db_instance.main");
    assert_eq!(
        public["drift"]["attribute"], "publicly_accessible",
        "{public}"
    );
    assert_eq!(public["drift"]["state_value"], false);
    assert_eq!(public["drift"]["live_value"], true);
    let rds001 = drift("RDS001", "aws_db_instance.main");
    assert_eq!(
        rds001["location"]["path"], "publicly_accessible",
        "{rds001}"
    );
    // The rule added by hand to the database's group.
    let opened = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DRIFT003" && f["resource"] == "aws_security_group.db")
        .unwrap_or_else(|| panic!("DRIFT003 on the db group: {:?}", drift_findings(&json)));
    assert_eq!(opened["drift"]["attribute"], "ingress", "{opened}");
    assert!(
        opened["drift"]["live_value"]
            .to_string()
            .contains("0.0.0.0/0"),
        "{opened}"
    );
    // The console stack that owns the load balancer aws_lb.api wants.
    let stack = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["code"] == "CFN001"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("ECS-Console-V2-Service-api")
        })
        .unwrap_or_else(|| panic!("CFN001 on the console stack: {:?}", drift_findings(&json)));
    assert!(
        stack["message"]
            .as_str()
            .unwrap()
            .contains("aws_lb.api will create"),
        "{stack}"
    );
    assert!(
        stack["fix_title"]
            .as_str()
            .unwrap()
            .contains("--stack-name ECS-Console-V2-Service-api --retain-resources LoadBalancer"),
        "{stack}"
    );
    let counts = &json["summary"]["drift"];
    for kind in ["unmanaged", "missing", "changed", "orphaned-stack"] {
        assert!(counts[kind].as_u64().unwrap() >= 1, "{kind}: {counts}");
    }

    // The configured task definition's execution role is the console's: decided from live IAM,
    // reported at the configuration's line.
    let worker = on(&json, "ECS002", "aws_ecs_task_definition.worker")
        .unwrap_or_else(|| panic!("ECS002 on the configured worker: {json}"));
    assert_eq!(worker["location"]["file"], "main.tf", "{worker}");
    // What terraform made with the prefix is not reported for its name, nor as public.
    assert!(
        !json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "NAME001" && f["resource"].as_str().unwrap().starts_with("aws_")),
        "{json}"
    );

    // The worker's plain-text DB_PASSWORD in configuration is found at its line.
    let worker_secret = on(&json, "ECS005", "aws_ecs_task_definition.worker")
        .unwrap_or_else(|| panic!("ECS005 on the configured worker: {json}"));
    assert_eq!(
        worker_secret["location"]["file"], "main.tf",
        "{worker_secret}"
    );

    // Secrets planted in configuration (the worker's DB_PASSWORD), state (the database
    // password) and live (the checkout service's DB_PASSWORD) appear nowhere.
    let secrets = [DB_PASSWORD, LIVE_DB_PASSWORD, CONFIG_DB_PASSWORD];
    let clean = |what: &str, text: &str| {
        for s in secrets {
            assert!(!text.contains(s), "{what} shows {s}");
        }
    };
    clean("check --format json", &text);
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        a.extend(
            [
                "--state",
                "--live",
                "--endpoint-url",
                &m.url,
                "--region",
                region,
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        a
    };
    let d = dir.to_string_lossy().into_owned();
    let aws_env = |c: &mut assert_cmd::Command| {
        c.env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE");
    };
    let mut human = bin();
    aws_env(&mut human);
    let human = human
        .args(args(&["check", &d, "--name-prefix", "acme-"]))
        .output()
        .unwrap();
    assert_eq!(human.status.code(), Some(1));
    let human_text = String::from_utf8_lossy(&human.stdout).into_owned();
    assert!(human_text.contains(&service), "{human_text}");
    clean("check (human)", &human_text);
    clean("check (stderr)", &String::from_utf8_lossy(&human.stderr));
    let mut show = bin();
    aws_env(&mut show);
    let show = show.args(args(&["show", &d])).output().unwrap();
    let show_text = String::from_utf8_lossy(&show.stdout).into_owned();
    assert!(
        show_text.contains("reporting-db"),
        "show lists live resources"
    );
    clean("show", &show_text);

    // inventory → live.json → check --live-from: the same live findings, offline.
    let out = tempfile::tempdir().unwrap();
    let live_json = out.path().join("live.json");
    let mut inv = bin();
    aws_env(&mut inv);
    let inv = inv
        .args([
            "inventory",
            "--endpoint-url",
            &m.url,
            "--region",
            region,
            "--region",
            "us-east-1",
        ])
        .arg("--out")
        .arg(&live_json)
        .output()
        .unwrap();
    assert_eq!(
        inv.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&inv.stderr)
    );
    let written = std::fs::read_to_string(&live_json).unwrap();
    clean("inventory", &written);
    let scan: J = serde_json::from_str(&written).unwrap();
    assert_eq!(scan["regions"], serde_json::json!([region, "us-east-1"]));
    let stack = scan["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_cloudformation_stack")
        .unwrap_or_else(|| panic!("the console's stack: {written}"));
    assert_eq!(
        stack["attributes"]["name"],
        "ECS-Console-V2-Service-checkout"
    );
    assert_eq!(
        stack["attributes"]["resources"][0]["type"], "AWS::EC2::SecurityGroup",
        "{stack}"
    );
    let td = scan["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["arn"] == task.as_str())
        .unwrap();
    let defs: J =
        serde_json::from_str(td["attributes"]["container_definitions"].as_str().unwrap()).unwrap();
    assert_eq!(defs[0]["portMappings"][0]["containerPort"], 80, "{defs}");
    assert_eq!(
        defs[0]["environment"][1],
        serde_json::json!({"name": "DB_PASSWORD", "value": "(sensitive)"}),
        "{defs}"
    );
    // The same state (still from S3) with the recorded account instead of the live one.
    let mut replay = bin();
    aws_env(&mut replay);
    let replay = replay
        .args(["check", &d, "--format", "json", "--name-prefix", "acme-"])
        .args(["--state", "--endpoint-url", &m.url, "--live-from"])
        .arg(&live_json)
        .output()
        .unwrap();
    let replayed: J = serde_json::from_slice(&replay.stdout).unwrap();
    let live_findings = |j: &J| -> std::collections::BTreeSet<(String, String)> {
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().into(),
                    f["resource"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let expected: std::collections::BTreeSet<_> = live_findings(&json);
    assert_eq!(live_findings(&replayed), expected);
}

/// An S3 client for moto: path-style, since a loopback address cannot take the bucket as a
/// host name.
fn s3_client(conf: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(conf)
            .force_path_style(true)
            .build(),
    )
}

/// A bucket in the tests' region (eu-west-1 needs its location constraint).
async fn create_bucket(
    s3: &aws_sdk_s3::Client,
    name: &str,
) -> Result<(), aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::create_bucket::CreateBucketError>>
{
    s3.create_bucket()
        .bucket(name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .map(|_| ())
}

/// The s3 backend with a key that is not there (and a bucket that is not there): a clear
/// error naming the object, exit 2, and the configuration is still checked.
#[test]
fn a_missing_s3_state_is_a_clear_error_and_configuration_is_still_checked() {
    let m = moto();
    runtime().block_on(async {
        let conf = sdk_config(&m.url).await;
        create_bucket(&s3_client(&conf), "team-state")
            .await
            .expect("bucket");
    });
    for (bucket, expect) in [
        ("team-state", "NoSuchKey"),
        ("no-such-bucket", "NoSuchBucket"),
    ] {
        let main = format!(
            "terraform {{\n  backend \"s3\" {{\n    bucket = \"{bucket}\"\n    key    = \"app/terraform.tfstate\"\n    region = \"eu-west-1\"\n  }}\n}}\n\nresource \"aws_db_instance\" \"db\" {{\n  publicly_accessible = true\n}}\n"
        );
        let dir = tree(&[("main.tf", main.as_bytes())]);
        let d = dir.path().to_string_lossy().into_owned();
        let out = bin()
            .args([
                "check", &d, "--format", "json", "--select", "RDS001", "--state",
            ])
            .args(["--endpoint-url", &m.url])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap();
        let json: J = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(2), "{json}");
        let msg = json["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.contains(&format!("s3://{bucket}/app/terraform.tfstate")) && msg.contains(expect),
            "{msg}"
        );
        assert_eq!(json["errors"][0]["location"]["file"], "main.tf", "{json}");
        assert_eq!(
            json["findings"].as_array().unwrap().len(),
            1,
            "configuration still checked"
        );
    }
    // An object over limits.max_state_bytes is refused by its declared length, unread.
    runtime().block_on(async {
        let conf = sdk_config(&m.url).await;
        s3_client(&conf)
            .put_object()
            .bucket("team-state")
            .key("big/terraform.tfstate")
            .body(vec![b' '; 2000].into())
            .send()
            .await
            .expect("put");
    });
    let main = "terraform {\n  backend \"s3\" {\n    bucket = \"team-state\"\n    key    = \"big/terraform.tfstate\"\n    region = \"eu-west-1\"\n  }\n}\n";
    let dir = tree(&[
        ("main.tf", main.as_bytes()),
        ("infra-lint.toml", b"[limits]\nmax_state_bytes = 1000\n"),
    ]);
    let out = bin()
        .args([
            "check",
            &dir.path().to_string_lossy(),
            "--format",
            "json",
            "--state",
        ])
        .args(["--endpoint-url", &m.url])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let json: J = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{json}");
    assert!(
        json["errors"][0]["message"].as_str().unwrap().ends_with(
            "s3://team-state/big/terraform.tfstate (workspace default): it is 2000 bytes, over \
             the limit of 1000 (raise limits.max_state_bytes in infra-lint.toml); or pass the \
             state with --state FILE"
        ),
        "{json}"
    );
}

/// Throttled calls are retried with backoff: a scan through a proxy that throttles the first
/// DescribeVpcs (EC2), DescribeDBInstances (RDS) and ListClusters (ECS) reads everything
/// and finds what a direct scan finds, with nothing "not checked".
#[test]
fn throttled_calls_are_retried_and_the_scan_completes() {
    let m = moto();
    let sg = seed(&m.url);
    const THROTTLE: &[&str] = &["DescribeVpcs", "DescribeDBInstances", "ListClusters"];
    // The first call of each of those gets the service's throttling error.
    let proxy = proxy::proxy(
        &m.url,
        Box::new(|op, n| (n == 1 && THROTTLE.contains(&op)).then_some(proxy::Fault::Throttle)),
    );
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, _) = live_check(&proxy.url, dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
    assert!(
        json["summary"]["not_checked"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{json}"
    );
    let db = "arn:aws:rds:eu-west-1:123456789012:db:console-db";
    assert!(on(&json, "RDS001", db).is_some(), "{json}");
    let sg_arn = format!("arn:aws:ec2:eu-west-1:123456789012:security-group/{sg}");
    assert!(on(&json, "SG001", &sg_arn).is_some(), "{json}");
    let seen = proxy.log();
    for action in THROTTLE {
        let calls: Vec<bool> = seen
            .iter()
            .filter(|(a, _)| a == action)
            .map(|(_, t)| t.is_some())
            .collect();
        assert_eq!(
            calls,
            vec![true, false],
            "{action} throttled once, then retried: {seen:?}"
        );
    }
}

/// Progress is drawn on a terminal (a pseudo-terminal from `script`), and never when stderr is
/// piped or with --quiet.
#[test]
fn progress_shows_on_a_terminal_only() {
    let m = moto();
    seed(&m.url);
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let exe = assert_cmd::cargo::cargo_bin("infra-lint");
    let command = |extra: &str| {
        format!(
            "{} check {} --live --endpoint-url {} --region {REGION} --select RDS001 {extra}",
            exe.display(),
            dir.path().display(),
            m.url
        )
    };
    let on_tty = |extra: &str| {
        let out = Command::new("script")
            .args(["-q", "-e", "-c", &command(extra), "/dev/null"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("TERM", "xterm")
            .output()
            .expect("`script` (util-linux) gives the command a terminal");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_tty("");
    assert!(
        shown.contains("live scan") && shown.contains("services"),
        "{shown}"
    );
    assert!(
        shown.contains("RDS001"),
        "the report still follows: {shown}"
    );
    let quiet = on_tty("--quiet");
    assert!(!quiet.contains("live scan"), "{quiet}");
    // --quiet keeps the summary (and input errors) only.
    assert!(quiet.contains("1 error in 1 file"), "{quiet}");
    assert!(!quiet.contains("rds-publicly-accessible"), "{quiet}");
    let piped = bin()
        .args([
            "check",
            &dir.path().to_string_lossy(),
            "--live",
            "--endpoint-url",
            &m.url,
        ])
        .args(["--region", REGION, "--select", "RDS001"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("live scan"), "{stderr}");
}

/// The policy README.md documents, parsed from its ```json block.
fn readme_policy() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find("The read-only policy a scan needs")
        .expect("README documents the scan's policy");
    let block = &readme[at..];
    let start = block.find("```json").unwrap() + "```json".len();
    let end = start + block[start..].find("```").unwrap();
    let text = block[start..end].to_string();
    serde_json::from_str::<J>(&text).expect("the README's policy is JSON");
    text
}

/// One of everything the scan reads, so that every call it can make is made: a cluster with a
/// service and its task definition, a load balancer with a target group, a listener and a
/// rule, a role with a customer managed and an inline policy, a database, a VPC endpoint, a
/// stack, and a state object in S3. Then a scanner user with `policy`; returns its keys.
fn seed_everything(url: &str, policy: &str) -> (String, String) {
    runtime().block_on(async {
        let conf = sdk_config(url).await;
        let ec2 = aws_sdk_ec2::Client::new(&conf);
        let vpc = ec2.describe_vpcs().send().await.unwrap().vpcs()[0]
            .vpc_id()
            .unwrap()
            .to_string();
        let subnets: Vec<String> = ec2
            .describe_subnets()
            .send()
            .await
            .unwrap()
            .subnets()
            .iter()
            .filter_map(|s| s.subnet_id().map(String::from))
            .collect();
        ec2.create_vpc_endpoint()
            .vpc_id(&vpc)
            .service_name("com.amazonaws.eu-west-1.s3")
            .send()
            .await
            .expect("endpoint");
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&conf);
        let lb = elb
            .create_load_balancer()
            .name("app")
            .set_subnets(Some(subnets[..2].to_vec()))
            .send()
            .await
            .expect("lb");
        let lb = lb.load_balancers()[0].load_balancer_arn().unwrap().to_string();
        let tg = elb
            .create_target_group()
            .name("app")
            .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
            .port(80)
            .vpc_id(&vpc)
            .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Ip)
            .send()
            .await
            .expect("tg");
        let tg = tg.target_groups()[0].target_group_arn().unwrap().to_string();
        use aws_sdk_elasticloadbalancingv2::types as lbt;
        let forward = lbt::Action::builder()
            .r#type(lbt::ActionTypeEnum::Forward)
            .target_group_arn(&tg)
            .build();
        let listener = elb
            .create_listener()
            .load_balancer_arn(&lb)
            .protocol(lbt::ProtocolEnum::Http)
            .port(80)
            .default_actions(forward.clone())
            .send()
            .await
            .expect("listener");
        elb.create_rule()
            .listener_arn(listener.listeners()[0].listener_arn().unwrap())
            .priority(10)
            .conditions(
                lbt::RuleCondition::builder()
                    .field("path-pattern")
                    .values("/api/*")
                    .build(),
            )
            .actions(forward)
            .send()
            .await
            .expect("rule");
        let iam = aws_sdk_iam::Client::new(&conf);
        iam.create_role()
            .role_name("app-execution")
            .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
            .send()
            .await
            .expect("role");
        let custom = iam
            .create_policy()
            .policy_name("app-pull")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}]}"#)
            .send()
            .await
            .expect("policy");
        iam.attach_role_policy()
            .role_name("app-execution")
            .policy_arn(custom.policy().unwrap().arn().unwrap())
            .send()
            .await
            .expect("attach");
        iam.put_role_policy()
            .role_name("app-execution")
            .policy_name("logs")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}"#)
            .send()
            .await
            .expect("inline");
        let ecs = aws_sdk_ecs::Client::new(&conf);
        use aws_sdk_ecs::types as t;
        ecs.create_cluster().cluster_name("app").send().await.expect("cluster");
        ecs.register_task_definition()
            .family("app")
            .container_definitions(
                t::ContainerDefinition::builder()
                    .name("app")
                    .image("nginx")
                    .memory(512)
                    .port_mappings(t::PortMapping::builder().container_port(80).build())
                    .build(),
            )
            .send()
            .await
            .expect("task definition");
        ecs.create_service()
            .cluster("app")
            .service_name("app")
            .task_definition("app")
            .desired_count(1)
            .send()
            .await
            .expect("service");
        aws_sdk_rds::Client::new(&conf)
            .create_db_instance()
            .db_instance_identifier("app-db")
            .engine("postgres")
            .db_instance_class("db.t3.micro")
            .master_username("admin")
            .master_user_password("app-db-password")
            .allocated_storage(20)
            .send()
            .await
            .expect("db");
        aws_sdk_cloudformation::Client::new(&conf)
            .create_stack()
            .stack_name("ECS-Console-V2-Service-app")
            .template_body(r#"{"Resources": {"G": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g"}}}}"#)
            .send()
            .await
            .expect("stack");
        let s3 = s3_client(&conf);
        create_bucket(&s3, "app-state").await.expect("bucket");
        let state = r#"{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "l", "outputs": {}, "resources": []}"#;
        s3.put_object()
            .bucket("app-state")
            .key("app/terraform.tfstate")
            .body(state.as_bytes().to_vec().into())
            .send()
            .await
            .expect("state object");
        iam.create_user().user_name("scanner").send().await.expect("user");
        let k = iam.create_access_key().user_name("scanner").send().await.expect("key");
        iam.put_user_policy()
            .user_name("scanner")
            .policy_name("infra-lint-read-only")
            .policy_document(policy)
            .send()
            .await
            .expect("scanner policy");
        let k = k.access_key().unwrap();
        (k.access_key_id().to_string(), k.secret_access_key().to_string())
    })
}

/// README's policy is all a whole scan (and the s3 state read) needs: moto enforcing IAM, a
/// scanner with exactly that policy, one of everything in the account, nothing "not checked".
/// A policy without one of its actions is then refused that call (so enforcement is real).
#[test]
fn the_readme_policy_is_all_a_scan_needs() {
    let policy = readme_policy();
    // How many requests the seeding makes, counted on a server of its own: moto enforces IAM
    // from the request after that many.
    let counting = moto();
    counting.start_recording();
    seed_everything(&counting.url, &policy);
    let seeding = counting.recorded_actions().len();
    drop(counting);
    let main = "terraform {\n  backend \"s3\" {\n    bucket = \"app-state\"\n    key    = \"app/terraform.tfstate\"\n    region = \"eu-west-1\"\n  }\n}\n";
    let dir = tree(&[("main.tf", main.as_bytes())]);
    let scan = |policy: &str| {
        let m = moto_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", &seeding.to_string())]);
        let keys = seed_everything(&m.url, policy);
        let (code, json, _) = live_check_as(&m.url, dir.path(), &["--state"], (&keys.0, &keys.1));
        (code, json)
    };
    let (code, json) = scan(&policy);
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
    assert!(code == 0 || code == 1, "{json}");
    assert_eq!(
        json["summary"]["not_checked"],
        serde_json::json!([]),
        "{json}"
    );
    let live = &json["summary"]["documents"];
    assert!(
        live.to_string()
            .contains("s3://app-state/app/terraform.tfstate"),
        "{live}"
    );
    let mut without: J = serde_json::from_str(&policy).unwrap();
    let actions = without["Statement"][0]["Action"].as_array_mut().unwrap();
    let before = actions.len();
    actions.retain(|a| a != "ecs:DescribeServices");
    assert_eq!(actions.len(), before - 1);
    let without = without.to_string();
    let (_, json) = scan(&without);
    let nc = json["summary"]["not_checked"].to_string();
    assert!(nc.contains("ecs:DescribeServices"), "{json}");
}

/// An Aurora cluster's member is read as Terraform's aws_rds_cluster_instance: its storage is
/// the cluster's, so an unencrypted cluster is reported once, on the cluster.
#[test]
fn an_aurora_member_is_a_cluster_instance_and_the_cluster_is_reported_once() {
    let m = moto();
    runtime().block_on(async {
        let rds = aws_sdk_rds::Client::new(&sdk_config(&m.url).await);
        rds.create_db_cluster()
            .db_cluster_identifier("events")
            .engine("aurora-postgresql")
            .master_username("admin")
            .master_user_password("events-password-planted")
            .storage_encrypted(false)
            .send()
            .await
            .expect("cluster");
        rds.create_db_instance()
            .db_instance_identifier("events-1")
            .db_cluster_identifier("events")
            .engine("aurora-postgresql")
            .db_instance_class("db.r6g.large")
            .send()
            .await
            .expect("member");
    });
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, text) = live_check(&m.url, dir.path(), &["--select", "RDS004"]);
    assert_eq!(code, 1, "{json}");
    let on: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert_eq!(
        on,
        vec!["arn:aws:rds:eu-west-1:123456789012:cluster:events"],
        "{json}"
    );
    assert!(!text.contains("events-password-planted"));
}

/// A read replica in the account leads to its source in the account: its encryption is decided
/// from the source (reported there), not left "not evaluated".
#[test]
fn a_live_read_replica_is_decided_from_its_live_source() {
    let m = moto();
    runtime().block_on(async {
        let rds = aws_sdk_rds::Client::new(&sdk_config(&m.url).await);
        rds.create_db_instance()
            .db_instance_identifier("reports")
            .engine("mysql")
            .db_instance_class("db.t3.micro")
            .master_username("admin")
            .master_user_password("reports-password-planted")
            .allocated_storage(20)
            .storage_encrypted(false)
            .backup_retention_period(7)
            .send()
            .await
            .expect("source");
        rds.create_db_instance_read_replica()
            .db_instance_identifier("reports-replica")
            .source_db_instance_identifier("reports")
            .send()
            .await
            .expect("replica");
    });
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, _) = live_check(&m.url, dir.path(), &["--select", "RDS004"]);
    assert_eq!(code, 1, "{json}");
    let on: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert!(
        on.contains(&"arn:aws:rds:eu-west-1:123456789012:db:reports"),
        "{json}"
    );
    let open: Vec<&J> = json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["subject"]
                .as_str()
                .unwrap()
                .ends_with(":db:reports-replica")
        })
        .collect();
    assert!(
        open.is_empty(),
        "the replica is decided from its source: {json}"
    );
}
