//! Reading the live account with the AWS SDK, read-only (Describe/List/Get only), normalized to
//! Terraform resource types and attribute names so the rules read it as they read state.
//!
//! One scan reads STS (the account), then per region EC2, RDS, ECS, ELBv2 and CloudFormation,
//! and IAM once (it is global). Those service × region parts run concurrently, and within a
//! part the calls per item (a task definition, a cluster's services, a load balancer's
//! listeners, a listener's rules, a stack's resources) do too; at most `max_concurrency`
//! requests are in flight at a time, whichever part sends them. Throttled calls, HTTP 5xx
//! answers and attempts that time out (a stalled connection) are retried with exponential
//! backoff by the SDK's standard retry strategy. A call that fails (AccessDenied, a service
//! that errors) is recorded as not readable with the resource types it would have listed; the
//! rest of the scan goes on.
use super::{Inventory, LiveObject, LiveScan, NotReadable};
use crate::model::json::from_json;
use serde_json::Value as J;
use std::time::Duration;

/// Runs `body` on every page of a paginated call, each page's request within `limit`; a page
/// that fails records the call as not readable (with the types it lists) and ends it.
macro_rules! each_page {
    ($limit:expr, $f:ident, $pages:expr, $call:expr, $types:expr, |$p:ident| $body:block) => {{
        let mut pages = $pages;
        while let Some(page) = $limit.call(pages.next()).await {
            match page {
                Ok($p) => $body,
                Err(e) => {
                    $f.denied($call, $crate::live::aws::reason(&e), $types);
                    break;
                }
            }
        }
    }};
}

mod cfn;
mod ec2;
mod ecs;
mod elb;
mod iam;
mod progress;
mod rds;
pub mod s3;

/// How to reach the account.
#[derive(Clone, Debug)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// The regions to read; empty: the one the AWS configuration names.
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    /// A bound on the whole scan.
    pub timeout: Duration,
    /// How many requests of a scan are in flight at once.
    pub max_concurrency: usize,
    /// Show progress on stderr (the caller decides: only on a terminal, never with --quiet).
    pub progress: bool,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            regions: Vec::new(),
            endpoint_url: None,
            timeout: Duration::from_secs(120),
            max_concurrency: 8,
            progress: false,
        }
    }
}

/// Attempts per call, throttling included; the SDK backs off exponentially between them.
const MAX_ATTEMPTS: u32 = 6;

/// How long one attempt of a call may take before it is abandoned and tried again: a sixth
/// of the scan's bound (so a call that stalls on every attempt still ends within it), at
/// least 2 s and at most 20 s. Without it a connection that never answers holds its call,
/// and so its part of the scan, until the whole bound runs out.
fn attempt_timeout(bound: Duration) -> Duration {
    (bound / MAX_ATTEMPTS).clamp(Duration::from_secs(2), Duration::from_secs(20))
}

pub struct AwsInventory {
    pub options: AwsOptions,
}

/// A current-thread runtime: the scan is network-bound, and one thread keeps the binary's
/// footprint small.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the AWS client runtime: {e}"))
}

/// The SDK configuration from the default chain (environment, shared files, profiles with SSO
/// and assume-role, container and instance metadata), with the options' overrides.
pub(crate) async fn sdk_config(o: &AwsOptions, region: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(attempt_timeout(o.timeout))
                .build(),
        );
    if let Some(p) = &o.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region.or(o.regions.first().map(String::as_str)) {
        loader = loader.region(aws_config::Region::new(r.to_string()));
    }
    if let Some(u) = &o.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    loader.load().await
}

/// Runs `work` on a fresh runtime, bounded by `timeout`; past it, the error says `what` did
/// not finish.
pub(crate) fn bounded<T>(
    timeout: Duration,
    what: &str,
    work: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    runtime()?.block_on(async {
        match tokio::time::timeout(timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "{what} did not finish within {}s (is the endpoint reachable? --live-timeout \
                 sets the bound)",
                timeout.as_secs()
            )),
        }
    })
}

impl Inventory for AwsInventory {
    fn scan(&self) -> Result<LiveScan, String> {
        bounded(self.options.timeout, "the live scan", scan(&self.options))
    }
}

/// At most so many requests of a scan in flight, whichever part sends them: a request holds
/// its permit from before its first attempt to after its last (retries and their backoff
/// included).
pub(crate) struct Limit(tokio::sync::Semaphore);

impl Limit {
    fn new(max: usize) -> Limit {
        Limit(tokio::sync::Semaphore::new(max.max(1)))
    }

    /// Sends `request` once a permit is free.
    pub(crate) async fn call<T>(&self, request: impl std::future::Future<Output = T>) -> T {
        let _permit = self.0.acquire().await;
        request.await
    }
}

/// Accumulates what a scan finds.
#[derive(Default)]
pub(crate) struct Found {
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
        let mut attributes = from_json(&attrs);
        // The provider marks these sensitive in state; a scan holds them the same way.
        crate::state::sensitive::mark_schema(crate::model::Mode::Managed, rtype, &mut attributes);
        self.objects.push(LiveObject {
            rtype: rtype.into(),
            region: Some(region.into()),
            arn,
            id,
            attributes,
        });
    }
    /// Records `call` as not readable; once per part, however many of its requests failed.
    fn denied(&mut self, call: &str, err: String, types: &[&str]) {
        if self.not_readable.iter().any(|n| n.call == call) {
            return;
        }
        self.not_readable.push(NotReadable {
            call: call.into(),
            reason: err,
            types: types.iter().map(|t| t.to_string()).collect(),
        });
    }
    /// Takes in what another part (or a concurrent share of this one) found; a call refused
    /// with the same reason in both is listed once.
    fn extend(&mut self, other: Found) {
        self.objects.extend(other.objects);
        for n in other.not_readable {
            if !self
                .not_readable
                .iter()
                .any(|m| m.call == n.call && m.reason == n.reason)
            {
                self.not_readable.push(n);
            }
        }
    }
}

/// The error's code and message, as AWS reports them ("AccessDenied: User … is not authorized").
pub(crate) fn reason<E, R>(e: &aws_sdk_ec2::error::SdkError<E, R>) -> String
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

pub(crate) fn tags<'a>(pairs: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>) -> J {
    J::Object(
        pairs
            .filter_map(|(k, v)| Some((k?.to_string(), J::String(v.unwrap_or("").to_string()))))
            .collect(),
    )
}

type Part<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Found> + 'a>>;

async fn scan(o: &AwsOptions) -> Result<LiveScan, String> {
    let base = sdk_config(o, None).await;
    let regions: Vec<String> = if o.regions.is_empty() {
        vec![base
            .region()
            .map(|r| r.to_string())
            .ok_or("no AWS region: pass --region or set AWS_REGION")?]
    } else {
        let mut seen = std::collections::BTreeSet::new();
        o.regions
            .iter()
            .filter(|r| seen.insert(r.as_str()))
            .cloned()
            .collect()
    };
    let account = match aws_sdk_sts::Client::new(&base)
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
    let configs: Vec<(String, aws_config::SdkConfig)> = regions
        .iter()
        .map(|r| {
            let conf = base
                .to_builder()
                .region(aws_config::Region::new(r.clone()))
                .build();
            (r.clone(), conf)
        })
        .collect();
    let limit = Limit::new(o.max_concurrency);
    let l = &limit;
    let mut parts: Vec<(String, Part<'_>)> = Vec::new();
    for (region, conf) in &configs {
        let (r, a) = (region.as_str(), acct.as_str());
        parts.push((
            format!("ec2 {r}"),
            Box::pin(ec2::scan(aws_sdk_ec2::Client::new(conf), r, a, l)),
        ));
        parts.push((
            format!("rds {r}"),
            Box::pin(rds::scan(aws_sdk_rds::Client::new(conf), r, a, l)),
        ));
        parts.push((
            format!("ecs {r}"),
            Box::pin(ecs::scan(aws_sdk_ecs::Client::new(conf), r, l)),
        ));
        parts.push((
            format!("elbv2 {r}"),
            Box::pin(elb::scan(
                aws_sdk_elasticloadbalancingv2::Client::new(conf),
                r,
                l,
            )),
        ));
        parts.push((
            format!("cloudformation {r}"),
            Box::pin(cfn::scan(aws_sdk_cloudformation::Client::new(conf), r, l)),
        ));
    }
    parts.push((
        "iam".into(),
        Box::pin(iam::scan(aws_sdk_iam::Client::new(&base), l)),
    ));

    let progress = progress::Progress::new(o.progress, parts.iter().map(|(l, _)| l.clone()));
    let results = futures_util::future::join_all(parts.into_iter().map(|(label, part)| {
        let progress = &progress;
        async move {
            progress.started(&label);
            let found = part.await;
            progress.finished(&label, found.objects.len());
            found
        }
    }))
    .await;
    progress.clear();
    let mut found = Found::default();
    for part in results {
        found.extend(part);
    }
    Ok(LiveScan {
        account,
        regions,
        objects: found.objects,
        not_readable: found.not_readable,
    })
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
    fn an_attempt_gets_a_sixth_of_the_bound_within_limits() {
        use std::time::Duration;
        let t = super::attempt_timeout;
        assert_eq!(t(Duration::from_secs(24)), Duration::from_secs(4));
        assert_eq!(t(Duration::from_secs(120)), Duration::from_secs(20));
        assert_eq!(t(Duration::from_secs(600)), Duration::from_secs(20));
        assert_eq!(t(Duration::from_secs(3)), Duration::from_secs(2));
    }

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
