#![cfg(feature = "aws")]
//! `--live` against a real moto server through the real aws-sdk clients: resources made by hand
//! (through the SDK, as the console makes them) are found at their ARNs by the same rules, the
//! scan sends only read calls, and an unreachable endpoint is a clear error. Each test starts
//! its own server (`INFRA_LINT_MOTO_SERVER`, set by scripts/test.sh) so that the request
//! recording sees only its own scan; without it the tests fail, never skip.
mod common;
use common::*;
use serde_json::Value as J;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REGION: &str = "eu-west-1";

struct Moto {
    child: Child,
    url: String,
    /// Where the server's request recorder writes (never the repository).
    _recording: tempfile::TempDir,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
    moto_with(&[])
}

fn moto_with(env: &[(&str, &str)]) -> Moto {
    let bin = std::env::var("INFRA_LINT_MOTO_SERVER").unwrap_or_else(|_| {
        let venv = root().join(".venv/bin/moto_server");
        assert!(
            venv.exists(),
            "no moto server: run the suite with scripts/test.sh (it sets INFRA_LINT_MOTO_SERVER)"
        );
        venv.to_string_lossy().into_owned()
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let recording = tempfile::tempdir().unwrap();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .env(
            "MOTO_RECORDER_FILEPATH",
            recording.path().join("requests.jsonl"),
        )
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "moto_server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _recording: recording,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn sdk_config(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

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
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(
                        aws_sdk_ec2::types::IpRange::builder()
                            .cidr_ip("0.0.0.0/0")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        sg
    })
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
    // moto's own API, over plain HTTP.
    let post = |path: &str| {
        let addr = m.url.trim_start_matches("http://").to_string();
        let mut s = TcpStream::connect(&addr).unwrap();
        use std::io::{Read, Write};
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let get = |path: &str| {
        let addr = m.url.trim_start_matches("http://").to_string();
        let mut s = TcpStream::connect(&addr).unwrap();
        use std::io::{Read, Write};
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    post("/moto-api/recorder/reset-recording");
    post("/moto-api/recorder/start-recording");
    let dir = tree(&[("main.tf", b"" as &[u8])]);
    let (code, json, _) = live_check(&m.url, dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    post("/moto-api/recorder/stop-recording");
    let recording = get("/moto-api/recorder/download-recording");
    let body = recording.split("\r\n\r\n").nth(1).unwrap_or("");
    let mut actions = Vec::new();
    for line in body.lines().filter(|l| l.trim_start().starts_with('{')) {
        let entry: J = serde_json::from_str(line).unwrap();
        let raw = entry["body"].as_str().unwrap_or("");
        let text = if entry["body_encoded"] == true {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(raw)
                .unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            raw.to_string()
        };
        let action = text
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .map(String::from)
            .unwrap_or_else(|| format!("{} {}", entry["method"], entry["url"]));
        actions.push(action);
    }
    assert!(
        actions.len() >= 8,
        "the scan made {} calls: {actions:?}",
        actions.len()
    );
    let writes: Vec<&String> = actions
        .iter()
        .filter(|a| !(a.starts_with("Describe") || a.starts_with("List") || a.starts_with("Get")))
        .collect();
    assert!(
        writes.is_empty(),
        "non-read calls: {writes:?} (all: {actions:?})"
    );
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

/// A console-made execution role outside the configuration: decided from live IAM.
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
                iam.attach_role_policy()
                    .role_name("ecsTaskExecutionRole")
                    .policy_arn(
                        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                    )
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
