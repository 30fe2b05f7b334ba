//! A loopback HTTP proxy in front of an AWS emulator that counts every call by operation (the
//! query protocol's `Action=`, the JSON protocol's `X-Amz-Target`, else method and path) and
//! the most requests it held at once, and answers the calls a plan picks with a fault instead
//! of forwarding them: a throttling error in the service's own shape, an HTTP 500, a slow
//! answer, no answer for a while (a stalled connection), or access denied. Shared by tests/live_scale.rs,
//! tests/cli_live_aws.rs and benches/live.rs. One request per connection, answered with
//! `Connection: close`, so "in flight" is exactly "connections being served".
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does instead of forwarding a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The service's throttling error: `ThrottlingException` (JSON protocol), `Throttling`
    /// (query protocol), `RequestLimitExceeded` (EC2), with HTTP 400.
    Throttle,
    /// HTTP 500 with an `InternalFailure` body.
    ServerError,
    /// Forwarded, but answered after this long.
    Slow(Duration),
    /// Held this long without an answer, then closed.
    Stall(Duration),
    /// The caller's policy does not grant the call: `AccessDenied` (query protocol),
    /// `AccessDeniedException` (JSON protocol), with HTTP 403.
    Deny,
}

/// Which call gets which fault: the operation and the how-manyth call of it this is (from 1).
pub type Plan = Box<dyn Fn(&str, u64) -> Option<Fault> + Send + Sync>;

/// A plan that faults nothing.
pub fn no_faults() -> Plan {
    Box::new(|_, _| None)
}

/// Every `every`th call of each operation, its first one included, gets the next of `faults`
/// in turn (each operation starting at a different one), so every operation meets a fault and
/// the call after a fault (its retry) goes through.
pub fn every_nth(every: u64, faults: Vec<Fault>) -> Plan {
    Box::new(move |op, n| {
        if every == 0 || faults.is_empty() || (n - 1) % every != 0 {
            return None;
        }
        let offset = op.bytes().map(u64::from).sum::<u64>();
        let turn = (n - 1) / every + offset;
        Some(faults[(turn % faults.len() as u64) as usize])
    })
}

#[derive(Default)]
struct Seen {
    /// Every call in arrival order, with the fault it got.
    log: Vec<(String, Option<Fault>)>,
    calls: BTreeMap<String, u64>,
}

pub struct Proxy {
    pub url: String,
    seen: Arc<Mutex<Seen>>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Proxy {
    /// Calls by operation, faulted ones (and so retries) included.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.seen.lock().unwrap().calls.clone()
    }

    /// Every call in arrival order, with the fault it got.
    pub fn log(&self) -> Vec<(String, Option<Fault>)> {
        self.seen.lock().unwrap().log.clone()
    }

    /// The most requests held at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    /// Forgets what was counted so far.
    pub fn reset(&self) {
        *self.seen.lock().unwrap() = Seen::default();
        self.max_in_flight.store(0, Ordering::SeqCst);
    }
}

/// Starts a proxy to `upstream` (`http://host:port`) on a free loopback port.
pub fn proxy(upstream: &str, plan: Plan) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_string();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let plan = Arc::new(plan);
    let (s, m) = (seen.clone(), max_in_flight.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { continue };
            let (upstream, seen, max, now, plan) = (
                upstream.clone(),
                s.clone(),
                m.clone(),
                in_flight.clone(),
                plan.clone(),
            );
            std::thread::spawn(move || {
                let Some(request) = read_request(&client) else {
                    return;
                };
                let held = now.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(held, Ordering::SeqCst);
                let fault = {
                    let mut seen = seen.lock().unwrap();
                    let n = seen.calls.entry(request.action.clone()).or_default();
                    *n += 1;
                    let fault = plan(&request.action, *n);
                    seen.log.push((request.action.clone(), fault));
                    fault
                };
                // No longer in flight once its answer starts: the client may send its next
                // request the moment it has read this one's.
                serve(client, &request, fault, &upstream, || {
                    now.fetch_sub(1, Ordering::SeqCst);
                });
            });
        }
    });
    Proxy {
        url,
        seen,
        max_in_flight,
    }
}

struct Request {
    head: String,
    body: Vec<u8>,
    action: String,
    json_protocol: bool,
    ec2: bool,
}

/// Reads one request: the head, then the body its Content-Length announces.
fn read_request(mut client: &TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = client.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let len: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = client.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf.split_off(head_end);
    let text = String::from_utf8_lossy(&body);
    let target = header("x-amz-target");
    let action = text
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .map(String::from)
        .or_else(|| {
            target
                .as_ref()
                .and_then(|t| t.rsplit('.').next())
                .map(String::from)
        })
        .unwrap_or_else(|| {
            let line = head.lines().next().unwrap_or("");
            line.rsplit_once(' ').map_or(line, |(l, _)| l).to_string()
        });
    Some(Request {
        ec2: text.contains("Version=2016-11-15"),
        json_protocol: target.is_some(),
        head,
        body,
        action,
    })
}

/// Answers one request: with its fault, or with what `upstream` answers. `answered` is called
/// just before the answer is written (or, for a stall, once the connection is given up).
fn serve(
    mut client: TcpStream,
    request: &Request,
    fault: Option<Fault>,
    upstream: &str,
    answered: impl FnOnce(),
) {
    let canned = |status: &str, (ctype, text): (&str, &str)| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        )
        .into_bytes()
    };
    const JSON: &str = "application/x-amz-json-1.1";
    let reply = match fault {
        Some(Fault::Throttle) => canned(
            "400 Bad Request",
            if request.json_protocol {
                (
                    JSON,
                    r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                )
            } else if request.ec2 {
                ("text/xml", "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>t</RequestID></Response>")
            } else {
                ("text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>t</RequestId></ErrorResponse>")
            },
        ),
        Some(Fault::ServerError) => canned(
            "500 Internal Server Error",
            if request.json_protocol {
                (JSON, r#"{"__type":"InternalFailure","message":"injected"}"#)
            } else {
                ("text/xml", "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected</Message></Error><RequestId>t</RequestId></ErrorResponse>")
            },
        ),
        Some(Fault::Deny) => canned(
            "403 Forbidden",
            if request.json_protocol {
                (
                    JSON,
                    r#"{"__type":"AccessDeniedException","message":"not authorized (injected)"}"#,
                )
            } else {
                ("text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized (injected)</Message></Error><RequestId>t</RequestId></ErrorResponse>")
            },
        ),
        Some(Fault::Stall(d)) => {
            std::thread::sleep(d);
            answered();
            return;
        }
        Some(Fault::Slow(d)) => {
            std::thread::sleep(d);
            forward(request, upstream)
        }
        None => forward(request, upstream),
    };
    answered();
    let _ = client.write_all(&reply);
}

/// What `upstream` answers to `request`, sent as it came but asking the server to close after
/// its answer; nothing if it cannot be reached.
fn forward(request: &Request, upstream: &str) -> Vec<u8> {
    let mut reply = Vec::new();
    let Ok(mut up) = TcpStream::connect(upstream) else {
        return reply;
    };
    let head = request
        .head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\r\n");
    let _ = write!(up, "{head}\r\nConnection: close\r\n\r\n");
    let _ = up.write_all(&request.body);
    let _ = up.read_to_end(&mut reply);
    reply
}
