//! IAM (global): roles with their attached managed policies and inline policies, and the
//! customer managed policies they attach with their default version's document; service-linked
//! roles are AWS's own and left out.
//!
//! All of it comes from GetAccountAuthorizationDetails (roles and customer managed policies,
//! documents included, 1,000 entries a page): a few calls for any account. A policy that does
//! not grant it (older read-only policies list the per-role calls) gets the same objects role
//! by role: ListRoles, then per role ListAttachedRolePolicies, ListRolePolicies and
//! GetRolePolicy, then GetPolicy and GetPolicyVersion per customer managed policy.
use super::{Found, Limit};
use aws_sdk_iam::types::EntityType;
use serde_json::{json, Value as J};
use std::collections::{BTreeMap, BTreeSet};

const ROLE_TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_role_policy",
];

/// The most entries a page of the IAM list calls holds.
const PAGE: i32 = 1000;

pub(super) async fn scan(iam: aws_sdk_iam::Client, limit: &Limit) -> Found {
    match by_authorization_details(&iam, limit).await {
        Some(f) => f,
        None => role_by_role(&iam, limit).await,
    }
}

/// A role as the scan holds it, whichever calls read it.
struct Role<'a> {
    name: &'a str,
    arn: &'a str,
    path: &'a str,
    id: Option<&'a str>,
    assume_role_policy: Option<&'a str>,
    managed: Vec<String>,
    /// (name, URL-encoded document)
    inline: Vec<(String, String)>,
}

/// Service-linked roles are AWS's own, not the account's design.
fn service_linked(path: &str) -> bool {
    path.starts_with("/aws-service-role/")
}

fn push_role(f: &mut Found, r: Role<'_>) {
    let inline: Vec<J> = r
        .inline
        .iter()
        .map(|(name, doc)| json!({"name": name, "policy": super::percent_decode(doc)}))
        .collect();
    f.push(
        "aws_iam_role",
        "global",
        Some(r.arn.to_string()),
        Some(r.name.to_string()),
        json!({
            "id": r.name, "arn": r.arn, "name": r.name, "path": r.path,
            "unique_id": r.id,
            "assume_role_policy": r.assume_role_policy.map(super::percent_decode),
            "managed_policy_arns": r.managed,
            "inline_policy": inline,
        }),
    );
}

/// The customer managed policies among `managed` (AWS managed ones are known by name).
fn customer_managed(managed: &[String]) -> impl Iterator<Item = &String> {
    managed
        .iter()
        .filter(|a| !a.starts_with("arn:aws:iam::aws:policy/"))
}

fn push_policy(
    f: &mut Found,
    arn: &str,
    name: Option<&str>,
    path: Option<&str>,
    id: Option<&str>,
    document: Option<&str>,
) {
    // `arn:aws:iam::123456789012:policy/team/app-pull` → `app-pull`, should a listing leave
    // the name out.
    let name = name.unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn));
    f.push(
        "aws_iam_policy",
        "global",
        Some(arn.to_string()),
        Some(arn.to_string()),
        json!({
            "id": arn, "arn": arn, "name": name, "path": path,
            "policy_id": id, "policy": document.map(super::percent_decode),
        }),
    );
}

/// Roles and customer managed policies from GetAccountAuthorizationDetails; None when a page of
/// it fails (the caller then reads role by role).
async fn by_authorization_details(iam: &aws_sdk_iam::Client, limit: &Limit) -> Option<Found> {
    let mut roles = Vec::new();
    let mut policies = BTreeMap::new();
    let mut pages = iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .max_items(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = limit.call(pages.next()).await {
        let p = page.ok()?;
        roles.extend(p.role_detail_list().iter().cloned());
        for policy in p.policies() {
            if let Some(arn) = policy.arn() {
                policies.insert(arn.to_string(), policy.clone());
            }
        }
    }
    let mut f = Found::default();
    let mut used = BTreeSet::new();
    for role in &roles {
        let (Some(name), Some(arn)) = (role.role_name(), role.arn()) else {
            continue;
        };
        let path = role.path().unwrap_or("/");
        if service_linked(path) {
            continue;
        }
        let managed: Vec<String> = role
            .attached_managed_policies()
            .iter()
            .filter_map(|a| a.policy_arn().map(String::from))
            .collect();
        used.extend(customer_managed(&managed).cloned());
        let inline = role
            .role_policy_list()
            .iter()
            .filter_map(|p| {
                Some((
                    p.policy_name()?.to_string(),
                    p.policy_document()?.to_string(),
                ))
            })
            .collect();
        push_role(
            &mut f,
            Role {
                name,
                arn,
                path,
                id: role.role_id(),
                assume_role_policy: role.assume_role_policy_document(),
                managed,
                inline,
            },
        );
    }
    for arn in used {
        let Some(policy) = policies.get(&arn) else {
            continue;
        };
        let document = policy
            .policy_version_list()
            .iter()
            .find(|v| v.is_default_version())
            .and_then(|v| v.document());
        push_policy(
            &mut f,
            &arn,
            policy.policy_name(),
            policy.path(),
            policy.policy_id(),
            document,
        );
    }
    Some(f)
}

/// The same objects, read role by role.
async fn role_by_role(iam: &aws_sdk_iam::Client, limit: &Limit) -> Found {
    let mut f = Found::default();
    let mut roles = Vec::new();
    each_page!(
        limit,
        f,
        iam.list_roles().max_items(PAGE).into_paginator().send(),
        "iam:ListRoles",
        ROLE_TYPES,
        |p| { roles.extend(p.roles().iter().cloned()) }
    );
    if f.not_readable.iter().any(|n| n.call == "iam:ListRoles") {
        return f;
    }
    let mut used = BTreeSet::new();
    for role in &roles {
        if service_linked(role.path()) {
            continue;
        }
        let name = role.role_name();
        let mut managed = Vec::new();
        each_page!(
            limit,
            f,
            iam.list_attached_role_policies()
                .role_name(name)
                .max_items(PAGE)
                .into_paginator()
                .send(),
            "iam:ListAttachedRolePolicies",
            &[
                "aws_iam_role_policy_attachment",
                "aws_iam_policy_attachment",
            ],
            |p| {
                managed.extend(
                    p.attached_policies()
                        .iter()
                        .filter_map(|a| a.policy_arn().map(String::from)),
                )
            }
        );
        let mut names = Vec::new();
        each_page!(
            limit,
            f,
            iam.list_role_policies()
                .role_name(name)
                .max_items(PAGE)
                .into_paginator()
                .send(),
            "iam:ListRolePolicies",
            &["aws_iam_role_policy"],
            |p| { names.extend(p.policy_names().iter().cloned()) }
        );
        let mut inline = Vec::new();
        for policy in names {
            match limit
                .call(
                    iam.get_role_policy()
                        .role_name(name)
                        .policy_name(&policy)
                        .send(),
                )
                .await
            {
                Ok(doc) => inline.push((policy, doc.policy_document().to_string())),
                Err(e) => f.denied(
                    "iam:GetRolePolicy",
                    super::reason(&e),
                    &["aws_iam_role_policy"],
                ),
            }
        }
        used.extend(customer_managed(&managed).cloned());
        push_role(
            &mut f,
            Role {
                name,
                arn: role.arn(),
                path: role.path(),
                id: Some(role.role_id()),
                assume_role_policy: role.assume_role_policy_document(),
                managed,
                inline,
            },
        );
    }
    for arn in used {
        let policy = match limit.call(iam.get_policy().policy_arn(&arn).send()).await {
            Ok(p) => p.policy().cloned(),
            Err(e) => {
                f.denied("iam:GetPolicy", super::reason(&e), &["aws_iam_policy"]);
                continue;
            }
        };
        let Some(policy) = policy else { continue };
        let version = policy.default_version_id().unwrap_or("v1");
        let document = match limit
            .call(
                iam.get_policy_version()
                    .policy_arn(&arn)
                    .version_id(version)
                    .send(),
            )
            .await
        {
            Ok(v) => v
                .policy_version()
                .and_then(|v| v.document())
                .map(String::from),
            Err(e) => {
                f.denied(
                    "iam:GetPolicyVersion",
                    super::reason(&e),
                    &["aws_iam_policy"],
                );
                continue;
            }
        };
        push_policy(
            &mut f,
            &arn,
            policy.policy_name(),
            policy.path(),
            policy.policy_id(),
            document.as_deref(),
        );
    }
    f
}
