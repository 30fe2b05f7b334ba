//! The s3 backend's state object, read with GetObject through the same credentials, profile and
//! endpoint as `--live` (the backend block's own `region`, `profile` and `endpoints.s3` apply
//! where the command line does not set them).
use super::AwsOptions;
use crate::state::backend::S3Object;

/// The object's text within `max` bytes, or why it cannot be read (a missing bucket or key
/// names which).
pub fn get_state(o: &AwsOptions, obj: &S3Object, max: u64) -> Result<String, String> {
    super::bounded(o.timeout, "reading the state object", get(o, obj, max))
}

async fn get(o: &AwsOptions, obj: &S3Object, max: u64) -> Result<String, String> {
    let mut opts = o.clone();
    if opts.profile.is_none() {
        opts.profile = obj.profile.clone();
    }
    if opts.endpoint_url.is_none() {
        opts.endpoint_url = obj.endpoint.clone();
    }
    let conf = super::sdk_config(&opts, obj.region.as_deref()).await;
    if conf.region().is_none() {
        return Err(
            "no region: set region in the backend block, pass --region or set AWS_REGION".into(),
        );
    }
    // An emulator or a private endpoint at an address cannot take the bucket as a host name.
    let local = opts.endpoint_url.as_deref().is_some_and(|u| {
        let host = u
            .split("://")
            .nth(1)
            .unwrap_or(u)
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok()
    });
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(obj.path_style || local)
            .build(),
    );
    let out = s3
        .get_object()
        .bucket(&obj.bucket)
        .key(&obj.key)
        .send()
        .await
        .map_err(|e| super::reason(&e))?;
    let too_large = |size: String| {
        format!(
            "it is {size} bytes, over the limit of {max} (raise limits.max_state_bytes in \
             infra-lint.toml)"
        )
    };
    // The declared length spares reading a huge object at all; counting the chunks bounds one
    // whose length is not declared.
    if let Some(len) = out.content_length().filter(|&l| l as u64 > max) {
        return Err(too_large(len.to_string()));
    }
    let mut body = out.body;
    let mut bytes = Vec::new();
    while let Some(chunk) = body
        .try_next()
        .await
        .map_err(|e| format!("reading the object failed: {e}"))?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > max {
            return Err(too_large(format!("more than {max}")));
        }
    }
    String::from_utf8(bytes).map_err(|_| "the object is not UTF-8 text".to_string())
}
