//! IAM (global): roles with their attached managed policies and inline policies, and the
//! customer managed policies they attach with their default version's document; service-linked
//! roles are AWS's own and left out.
use super::Found;
use serde_json::json;

pub(super) async fn scan(iam: aws_sdk_iam::Client) -> Found {
    let mut f = Found::default();
    const ROLE_TYPES: &[&str] = &[
        "aws_iam_role",
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_role_policy",
    ];
    let mut roles = Vec::new();
    let mut pages = iam.list_roles().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => roles.extend(p.roles().iter().cloned()),
            Err(e) => {
                f.denied("iam:ListRoles", super::reason(&e), ROLE_TYPES);
                return f;
            }
        }
    }
    let mut customer_policies = std::collections::BTreeSet::new();
    for role in roles {
        // Service-linked roles are AWS's own, not the account's design.
        if role.path().starts_with("/aws-service-role/") {
            continue;
        }
        let name = role.role_name();
        let mut managed = Vec::new();
        let mut pages = iam
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => managed.extend(
                    p.attached_policies()
                        .iter()
                        .filter_map(|a| a.policy_arn().map(String::from)),
                ),
                Err(e) => {
                    f.denied(
                        "iam:ListAttachedRolePolicies",
                        super::reason(&e),
                        &[
                            "aws_iam_role_policy_attachment",
                            "aws_iam_policy_attachment",
                        ],
                    );
                    break;
                }
            }
        }
        let mut inline = Vec::new();
        match iam.list_role_policies().role_name(name).send().await {
            Ok(p) => {
                for policy in p.policy_names() {
                    match iam
                        .get_role_policy()
                        .role_name(name)
                        .policy_name(policy)
                        .send()
                        .await
                    {
                        Ok(doc) => inline.push(json!({
                            "name": policy,
                            "policy": super::percent_decode(doc.policy_document()),
                        })),
                        Err(e) => f.denied(
                            "iam:GetRolePolicy",
                            super::reason(&e),
                            &["aws_iam_role_policy"],
                        ),
                    }
                }
            }
            Err(e) => f.denied(
                "iam:ListRolePolicies",
                super::reason(&e),
                &["aws_iam_role_policy"],
            ),
        }
        customer_policies.extend(
            managed
                .iter()
                .filter(|a| !a.starts_with("arn:aws:iam::aws:policy/"))
                .cloned(),
        );
        let arn = role.arn().to_string();
        f.push(
            "aws_iam_role",
            "global",
            Some(arn.clone()),
            Some(name.to_string()),
            json!({
                "id": name, "arn": arn, "name": name, "path": role.path(),
                "unique_id": role.role_id(),
                "assume_role_policy": role.assume_role_policy_document().map(super::percent_decode),
                "managed_policy_arns": managed,
                "inline_policy": inline,
            }),
        );
    }
    // Customer managed policies the roles use, with their default version's document (AWS
    // managed ones are known by name).
    for arn in customer_policies {
        let policy = match iam.get_policy().policy_arn(&arn).send().await {
            Ok(p) => p.policy().cloned(),
            Err(e) => {
                f.denied("iam:GetPolicy", super::reason(&e), &["aws_iam_policy"]);
                continue;
            }
        };
        let Some(policy) = policy else { continue };
        let version = policy.default_version_id().unwrap_or("v1");
        let document = match iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(version)
            .send()
            .await
        {
            Ok(v) => v
                .policy_version()
                .and_then(|v| v.document())
                .map(super::percent_decode),
            Err(e) => {
                f.denied(
                    "iam:GetPolicyVersion",
                    super::reason(&e),
                    &["aws_iam_policy"],
                );
                continue;
            }
        };
        f.push(
            "aws_iam_policy",
            "global",
            Some(arn.clone()),
            Some(arn.clone()),
            json!({
                "id": arn, "arn": arn, "name": policy.policy_name(), "path": policy.path(),
                "policy_id": policy.policy_id(), "policy": document,
            }),
        );
    }
    f
}
