//! A moto server of a test's (or the benchmark's) own, on a free loopback port, so that what
//! it records and what a proxy in front of it counts is only that test's scan; and the
//! repository's seeding script (scripts/seed-live.py) run against it. The server comes from
//! `INFRA_LINT_MOTO_SERVER` (scripts/test.sh sets it), else the repository's `.venv`.
use serde_json::Value as J;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub url: String,
    /// Where the server's request recorder writes (never the repository).
    _recording: tempfile::TempDir,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// A call to moto's own API, over plain HTTP; the response's body.
    pub fn api(&self, method: &str, path: &str) -> String {
        use std::io::{Read, Write};
        let addr = self.url.trim_start_matches("http://").to_string();
        let mut s = TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }

    /// Forgets what was recorded so far and records what follows.
    pub fn start_recording(&self) {
        self.api("POST", "/moto-api/recorder/reset-recording");
        self.api("POST", "/moto-api/recorder/start-recording");
    }

    /// The AWS action of every request recorded since `start_recording`: the query
    /// protocol's `Action=`, the JSON protocol's `X-Amz-Target`, else the HTTP method and path
    /// (S3's REST calls).
    pub fn recorded_actions(&self) -> Vec<String> {
        self.api("POST", "/moto-api/recorder/stop-recording");
        let body = self.api("GET", "/moto-api/recorder/download-recording");
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
            let target = entry["headers"]
                .as_object()
                .and_then(|h| {
                    h.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
                        .and_then(|(_, v)| v.as_str())
                })
                .and_then(|t| t.rsplit('.').next())
                .map(String::from);
            let action = text
                .split('&')
                .find_map(|kv| kv.strip_prefix("Action="))
                .map(String::from)
                .or(target)
                .unwrap_or_else(|| {
                    format!(
                        "{} {}",
                        entry["method"].as_str().unwrap_or(""),
                        entry["url"].as_str().unwrap_or("")
                    )
                });
            actions.push(action);
        }
        actions
    }

    /// Runs scripts/seed-live.py against this server with `args`; what it made, as it prints it.
    pub fn seed_live(&self, args: &[&str]) -> J {
        let out = Command::new(python())
            .arg(super::root().join("scripts/seed-live.py"))
            .arg(&self.url)
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/seed-live.py");
        assert!(out.status.success(), "scripts/seed-live.py {args:?} failed");
        serde_json::from_slice(&out.stdout).expect("seed-live.py prints JSON")
    }
}

fn moto_server() -> PathBuf {
    std::env::var_os("INFRA_LINT_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let venv = super::root().join(".venv/bin/moto_server");
            assert!(
                venv.exists(),
                "no moto server: run the suite with scripts/test.sh (it sets INFRA_LINT_MOTO_SERVER)"
            );
            venv
        })
}

/// The Python of the virtualenv the moto server is installed in (it has boto3).
fn python() -> PathBuf {
    moto_server().with_file_name("python")
}

pub fn moto() -> Moto {
    moto_with(&[])
}

pub fn moto_with(env: &[(&str, &str)]) -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let recording = tempfile::tempdir().unwrap();
    let child = Command::new(moto_server())
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

/// Runs `terraform` in `dir` against the moto server at `url` (the configuration reads it as
/// `var.aws_endpoint`), with `env` added; its stdout. Test keys, no metadata lookups, and a
/// dead proxy for anything not sent to moto, so nothing leaves the machine.
pub fn terraform(dir: &std::path::Path, url: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(std::env::var("TERRAFORM").unwrap_or_else(|_| "terraform".into()))
        .arg(format!("-chdir={}", dir.display()))
        .args(args)
        .arg("-no-color")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env_remove("TF_WORKSPACE")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("TF_VAR_aws_endpoint", url)
        .envs(env.iter().copied())
        .output()
        .expect("run terraform (it must be on PATH)");
    assert!(
        out.status.success(),
        "terraform {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
