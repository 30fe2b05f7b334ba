//! CloudFormation: stacks in every status but DELETE_COMPLETE (a ROLLBACK_COMPLETE or
//! DELETE_FAILED stack left by a failed console deploy still owns what it made), each with the
//! resources it holds. Terraform has no attribute for those, so the stack carries them as
//! `resources` (logical ID, physical ID, CloudFormation type, status): drift reads which stack
//! owns a load balancer Terraform wants to create.
use super::{Found, Limit};
use serde_json::json;

const TYPES: &[&str] = &["aws_cloudformation_stack"];

pub(super) async fn scan(
    cfn: aws_sdk_cloudformation::Client,
    region: &str,
    limit: &Limit,
) -> Found {
    let mut f = Found::default();
    let mut stacks = Vec::new();
    each_page!(
        limit,
        f,
        cfn.list_stacks().into_paginator().send(),
        "cloudformation:ListStacks",
        TYPES,
        |p| {
            stacks.extend(
                p.stack_summaries()
                    .iter()
                    .filter(|s| s.stack_status().map(|x| x.as_str()) != Some("DELETE_COMPLETE"))
                    .cloned(),
            )
        }
    );
    // Each stack's resources, the stacks at once (within the limit).
    let resources = futures_util::future::join_all(stacks.iter().map(|s| {
        let (cfn, id) = (&cfn, s.stack_id().unwrap_or_default().to_string());
        async move {
            let mut pages = cfn
                .list_stack_resources()
                .stack_name(id)
                .into_paginator()
                .send();
            let mut resources = Vec::new();
            while let Some(page) = limit.call(pages.next()).await {
                let page = match page {
                    Ok(p) => p,
                    Err(e) => return Err(e),
                };
                resources.extend(page.stack_resource_summaries().iter().map(|r| {
                    json!({
                        "logical_id": r.logical_resource_id(),
                        "physical_id": r.physical_resource_id().unwrap_or(""),
                        "type": r.resource_type(),
                        "status": r.resource_status().map(|x| x.as_str()),
                    })
                }));
            }
            Ok(resources)
        }
    }))
    .await;
    for (s, resources) in stacks.iter().zip(resources) {
        let id = s.stack_id().map(String::from);
        let resources = match resources {
            Ok(r) => json!(r),
            Err(e) => {
                f.denied(
                    "cloudformation:ListStackResources",
                    super::reason(&e),
                    TYPES,
                );
                serde_json::Value::Null
            }
        };
        f.push(
            "aws_cloudformation_stack",
            region,
            id.clone(),
            id.clone(),
            json!({
                "id": id, "name": s.stack_name(),
                "status": s.stack_status().map(|x| x.as_str()),
                "status_reason": s.stack_status_reason().unwrap_or(""),
                "resources": resources,
            }),
        );
    }
    f
}
