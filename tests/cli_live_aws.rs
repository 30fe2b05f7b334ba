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
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
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
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
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
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
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
