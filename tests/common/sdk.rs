//! The SDK side of the tests against a moto server: clients that seed it as the console
//! would, and the check that a scan sent only reads. Shared by tests/cli_live_aws.rs and
//! tests/cli_taskdef_aws.rs.

/// The region every seeded world lives in.
pub const REGION: &str = "eu-west-1";

/// Each action is a read: Describe*/List*/Get*, or an HTTP GET (S3 GetObject).
pub fn assert_read_only(actions: &[String]) {
    let writes: Vec<&String> = actions
        .iter()
        .filter(|a| {
            !(a.starts_with("Describe")
                || a.starts_with("List")
                || a.starts_with("Get")
                || a.starts_with("GET "))
        })
        .collect();
    assert!(
        writes.is_empty(),
        "non-read calls: {writes:?} (all: {actions:?})"
    );
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub async fn sdk_config(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}
