//! IAM policy documents as rules need them: statements with their effect, actions and
//! resources, read from every form a configuration writes them in — a JSON string
//! (`jsonencode`, heredoc, `file()`), a `jsonencode(X)` whose encoding waits for an ARN known
//! only after apply (the evaluator keeps X in `Resource::encoded`), and
//! `data "aws_iam_policy_document"` (followed through its `.json` reference, with its
//! `source_policy_documents` and `override_policy_documents`) — plus the AWS managed policies
//! whose content infra-lint knows.
use crate::model::json::from_json as json_to_value;
use crate::model::Seq;
use crate::model::{Mode, Model, Resource, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    /// Written as an expression not known before apply.
    Unknown,
}

/// One statement. `None` for actions or resources means "not known before apply".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub effect: Effect,
    pub actions: Option<Vec<String>>,
    /// The patterns are `NotAction`: the statement covers every action except these.
    pub not_action: bool,
    pub resources: Option<Vec<String>>,
    pub not_resource: bool,
    /// A `Condition` is present. A conditioned Allow still counts as granting (infra-lint
    /// cannot know the request context); a conditioned Deny does not count as denying.
    pub conditioned: bool,
}

/// A policy: its statements, and why parts of it could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub statements: Vec<Statement>,
    pub unknown: Vec<String>,
}

/// Whether a statement covers a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    Yes,
    No,
    Maybe(String),
}

impl Statement {
    fn allow(actions: &[&str]) -> Statement {
        Statement {
            effect: Effect::Allow,
            actions: Some(actions.iter().map(|a| a.to_string()).collect()),
            not_action: false,
            resources: Some(vec!["*".into()]),
            not_resource: false,
            conditioned: false,
        }
    }

    /// Whether the statement covers `action` on `resource` (None: the exact resource is not
    /// known or not relevant, and any resource the statement names counts).
    pub fn matches(&self, action: &str, resource: Option<&str>) -> Match {
        let Some(actions) = &self.actions else {
            return Match::Maybe("a statement's actions are not known before apply".into());
        };
        let hit = actions.iter().any(|p| wildcard(p, action, false));
        if hit == self.not_action {
            return Match::No;
        }
        let (Some(want), Some(resources)) = (resource, &self.resources) else {
            return Match::Yes;
        };
        let hit = resources.iter().any(|p| resource_matches(p, want));
        if hit != self.not_resource {
            Match::Yes
        } else {
            Match::No
        }
    }
}

/// What stands for the six random characters of a Secrets Manager ARN a task names without
/// them: matched by a pattern that covers any six characters there (`-??????`, `-*`, `*`) or
/// names them (`-AbCdEf`), never by the ARN without them.
pub const SECRET_SUFFIX: &str = "-??????";

fn resource_matches(pattern: &str, want: &str) -> bool {
    match want.strip_suffix(SECRET_SUFFIX) {
        Some(base) if want.contains(":secretsmanager:") => {
            wildcard(pattern, &format!("{base}-Ab1Cd2"), true)
                || pattern.strip_prefix(base).is_some_and(|rest| {
                    rest.len() == 7
                        && rest.starts_with('-')
                        && rest[1..]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '?')
                })
        }
        _ => wildcard(pattern, want, true),
    }
}

/// The pattern of an Allow for `action` that names the secret `want` (`…:secret:NAME-??????`)
/// without its six characters: it matches no secret at all.
pub fn suffixless_grant<'a>(
    statements: impl Iterator<Item = &'a Statement>,
    action: &str,
    want: &str,
) -> Option<String> {
    let base = want.strip_suffix(SECRET_SUFFIX)?;
    statements
        .filter(|s| {
            s.effect == Effect::Allow && !s.not_resource && s.matches(action, None) == Match::Yes
        })
        .flat_map(|s| s.resources.iter().flatten())
        .find(|p| p.as_str() == base)
        .cloned()
}

/// IAM's wildcard match: `*` any run, `?` one character; action names compare
/// case-insensitively as IAM does, ARNs exactly.
pub fn wildcard(pattern: &str, text: &str, case_sensitive: bool) -> bool {
    let norm = |s: &str| {
        if case_sensitive {
            s.chars().collect::<Vec<_>>()
        } else {
            s.to_lowercase().chars().collect()
        }
    };
    let (p, t) = (norm(pattern), norm(text));
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A policy document from its JSON form (already parsed into a Value, JSON names).
pub fn from_json(v: &Value) -> Document {
    let mut doc = Document::default();
    let Some(m) = v.as_map() else {
        if let Value::Unknown(u) = v.peel() {
            doc.unknown
                .push(format!("the policy is not known: {}", u.cause()));
        } else {
            doc.unknown.push("the policy is not a JSON object".into());
        }
        return doc;
    };
    let stmts: Vec<&Value> = match m.get("Statement").map(Value::peel) {
        Some(Value::List(Seq { items: l, .. }) | Value::Set(l)) => l.iter().collect(),
        Some(s @ Value::Map(_)) => vec![s],
        Some(Value::Unknown(u)) => {
            doc.unknown.push(format!(
                "the policy's statements are not known: {}",
                u.cause()
            ));
            return doc;
        }
        _ => return doc,
    };
    for s in stmts {
        match s.as_map() {
            Some(s) => doc.statements.push(json_statement(s)),
            None => doc
                .unknown
                .push("a policy statement is not known before apply".into()),
        }
    }
    doc
}

fn json_statement(s: &std::collections::BTreeMap<String, Value>) -> Statement {
    let effect = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(_) => Effect::Deny, // IAM rejects the policy: it grants nothing
        None => Effect::Unknown,
    };
    let (actions, not_action) = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), _) => (strings(a), false),
        (None, Some(a)) => (strings(a), true),
        (None, None) => (Some(vec![]), false),
    };
    let (resources, not_resource) = match (s.get("Resource"), s.get("NotResource")) {
        (Some(r), _) => (strings(r), false),
        (None, Some(r)) => (strings(r), true),
        (None, None) => (None, false),
    };
    Statement {
        effect,
        actions,
        not_action,
        resources,
        not_resource,
        conditioned: s.get("Condition").is_some_and(|c| !c.is_null()),
    }
}

/// A string or a list of strings; None when any part is not known.
fn strings(v: &Value) -> Option<Vec<String>> {
    match v.peel() {
        Value::String(s) => Some(vec![s.clone()]),
        Value::List(Seq { items: l, .. }) | Value::Set(l) => {
            l.iter().map(|x| x.as_str().map(String::from)).collect()
        }
        Value::Null => Some(vec![]),
        _ => None,
    }
}

/// The policy an attribute of `r` holds (`policy`, `inline_policy[0].policy`).
pub fn document_at(model: &Model, r: &Resource, path: &str) -> Document {
    match r.get_path(path) {
        None => Document::default(),
        Some(v) => document_of(model, v, r.written(path).encoded, 0),
    }
}

/// The policy a value holds: JSON text, the structure kept from `jsonencode`, or a reference
/// to a `data "aws_iam_policy_document"`.
pub fn document_of(model: &Model, v: &Value, encoded: Option<&Value>, depth: usize) -> Document {
    match v.peel() {
        Value::Null => Document::default(),
        Value::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(j) => from_json(&json_to_value(&j)),
            Err(e) => Document {
                statements: vec![],
                unknown: vec![format!("the policy is not valid JSON: {e}")],
            },
        },
        Value::Unknown(u) => {
            if let Some(x) = encoded {
                return from_json(x);
            }
            let docs: Vec<&Resource> = model
                .targets(v)
                .into_iter()
                .map(|t| t.resource)
                .filter(|r| r.mode == Mode::Data && r.rtype == "aws_iam_policy_document")
                .collect();
            if docs.is_empty() || depth > 8 {
                return Document {
                    statements: vec![],
                    unknown: vec![format!("the policy is not known: {}", u.cause())],
                };
            }
            let mut out = Document::default();
            for d in docs {
                out.extend(policy_document_data(model, d, depth + 1));
            }
            out
        }
        _ => Document {
            statements: vec![],
            unknown: vec!["the policy is not a JSON string".into()],
        },
    }
}

impl Document {
    pub fn extend(&mut self, other: Document) {
        self.statements.extend(other.statements);
        self.unknown.extend(other.unknown);
    }
}

/// The statements of a `data "aws_iam_policy_document"`. Overriding documents replace
/// statements by `sid`; taking the union instead can only make a role look more permissive,
/// never raise a false alarm.
fn policy_document_data(model: &Model, d: &Resource, depth: usize) -> Document {
    let mut out = Document::default();
    for key in ["source_policy_documents", "override_policy_documents"] {
        match d.get(key).map(Value::peel) {
            Some(Value::List(Seq { items: l, .. }) | Value::Set(l)) => {
                for x in l {
                    out.extend(document_of(model, x, None, depth));
                }
            }
            Some(Value::Unknown(u)) => out.unknown.push(format!(
                "{key} of {} is not known: {}",
                d.address,
                u.cause()
            )),
            _ => {}
        }
    }
    match d.get("statement").map(Value::peel) {
        Some(Value::List(Seq { items: l, .. }) | Value::Set(l)) => {
            for s in l {
                match s.as_map() {
                    Some(m) => out.statements.push(block_statement(m)),
                    None => out.unknown.push(match s.first_unknown() {
                        Some(u) => {
                            format!("a statement of {} is not known: {}", d.address, u.cause())
                        }
                        None => format!("a statement of {} is not known", d.address),
                    }),
                }
            }
        }
        Some(Value::Unknown(u)) => out.unknown.push(format!(
            "the statements of {} are not known: {}",
            d.address,
            u.cause()
        )),
        _ => {}
    }
    out
}

fn block_statement(s: &std::collections::BTreeMap<String, Value>) -> Statement {
    let effect = match s.get("effect").map(Value::peel) {
        None | Some(Value::Null) => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(Value::String(_)) => Effect::Allow,
        Some(_) => Effect::Unknown,
    };
    let present = |k: &str| s.get(k).is_some_and(|v| !v.is_null());
    let (actions, not_action) = if present("not_actions") && !present("actions") {
        (strings(&s["not_actions"]), true)
    } else {
        (s.get("actions").map_or(Some(vec![]), strings), false)
    };
    let (resources, not_resource) = if present("not_resources") && !present("resources") {
        (strings(&s["not_resources"]), true)
    } else if present("resources") {
        (strings(&s["resources"]), false)
    } else {
        (None, false)
    };
    let conditioned = s
        .get("condition")
        .and_then(Value::as_list)
        .is_some_and(|c| !c.is_empty());
    Statement {
        effect,
        actions,
        not_action,
        resources,
        not_resource,
        conditioned,
    }
}

/// The name of an AWS managed policy from its ARN (`arn:aws:iam::aws:policy/service-role/X`,
/// any partition) or from its name.
pub fn aws_managed_name(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let path = rest.strip_prefix("iam::aws:policy/")?;
    Some(path.rsplit('/').next().unwrap_or(path))
}

pub const ECS_TASK_EXECUTION_POLICY: &str = "AmazonECSTaskExecutionRolePolicy";
pub const ECS_TASK_EXECUTION_POLICY_ARN: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

/// The statements of the AWS managed policies infra-lint knows (by name). Others are unknown.
pub fn aws_managed(name: &str) -> Option<Vec<Statement>> {
    let s = match name {
        "AmazonECSTaskExecutionRolePolicy" => Statement::allow(&[
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ]),
        "AdministratorAccess" => Statement::allow(&["*"]),
        "PowerUserAccess" => Statement {
            not_action: true,
            ..Statement::allow(&["iam:*", "organizations:*", "account:*"])
        },
        "AmazonEC2ContainerRegistryReadOnly" => Statement::allow(&[
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:GetRepositoryPolicy",
            "ecr:DescribeRepositories",
            "ecr:ListImages",
            "ecr:DescribeImages",
            "ecr:BatchGetImage",
            "ecr:GetLifecyclePolicy",
            "ecr:GetLifecyclePolicyPreview",
            "ecr:ListTagsForResource",
            "ecr:DescribeImageScanFindings",
        ]),
        "AmazonEC2ContainerRegistryPullOnly" => Statement::allow(&[
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "ecr:BatchImportUpstreamImage",
        ]),
        "AmazonEC2ContainerRegistryFullAccess" => Statement::allow(&["ecr:*"]),
        "CloudWatchLogsFullAccess" => Statement::allow(&["logs:*"]),
        "SecretsManagerReadWrite" => Statement::allow(&["secretsmanager:*"]),
        "AmazonSSMReadOnlyAccess" => Statement::allow(&["ssm:Describe*", "ssm:Get*", "ssm:List*"]),
        "AmazonSSMFullAccess" => Statement::allow(&["ssm:*"]),
        _ => return None,
    };
    Some(vec![s])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_named_without_its_suffix_is_matched_as_iam_matches_the_full_arn() {
        let want = format!("arn:aws:secretsmanager:eu-west-1:1:secret:db{SECRET_SUFFIX}");
        for (p, hit) in [
            ("arn:aws:secretsmanager:eu-west-1:1:secret:db", false),
            ("arn:aws:secretsmanager:eu-west-1:1:secret:db-??????", true),
            ("arn:aws:secretsmanager:eu-west-1:1:secret:db-*", true),
            ("arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf", true),
            (
                "arn:aws:secretsmanager:eu-west-1:1:secret:dbx-AbCdEf",
                false,
            ),
            ("*", true),
        ] {
            assert_eq!(resource_matches(p, &want), hit, "{p}");
        }
    }

    #[test]
    fn wildcards_match_like_iam() {
        assert!(wildcard("ecr:*", "ecr:BatchGetImage", false));
        assert!(wildcard("ECR:get*", "ecr:GetAuthorizationToken", false));
        assert!(wildcard("*", "logs:PutLogEvents", false));
        assert!(wildcard("logs:Put?ogEvents", "logs:PutLogEvents", false));
        assert!(!wildcard("ecr:Get*", "ecr:BatchGetImage", false));
        assert!(!wildcard("ecr:*", "ecrpublic:GetAuthorizationToken", false));
        assert!(wildcard(
            "arn:aws:secretsmanager:*:*:secret:db-*",
            "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbC",
            true
        ));
        assert!(!wildcard(
            "arn:aws:ssm:*:*:parameter/A",
            "arn:aws:ssm:x:1:parameter/a",
            true
        ));
    }

    #[test]
    fn json_statements_with_string_or_list_actions_and_not_action() {
        let j: serde_json::Value = serde_json::from_str(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"ecr:Get*","Resource":"*"},
              {"Effect":"Allow","NotAction":["iam:*"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
              {"Effect":"Deny","Action":["logs:*"],"Resource":["arn:aws:logs:*:*:log-group:/secret*"]}
            ]}"#,
        )
        .unwrap();
        let d = from_json(&json_to_value(&j));
        assert!(d.unknown.is_empty());
        assert_eq!(d.statements.len(), 3);
        assert_eq!(
            d.statements[0].matches("ecr:GetDownloadUrlForLayer", None),
            Match::Yes
        );
        assert_eq!(
            d.statements[0].matches("ecr:BatchGetImage", None),
            Match::No
        );
        assert!(d.statements[1].not_action && d.statements[1].conditioned);
        assert_eq!(d.statements[1].matches("iam:PassRole", None), Match::No);
        assert_eq!(
            d.statements[1].matches("ssm:GetParameters", None),
            Match::Yes
        );
        assert_eq!(
            d.statements[2].matches(
                "logs:PutLogEvents",
                Some("arn:aws:logs:eu:1:log-group:/app")
            ),
            Match::No
        );
        // A single statement object is a valid Statement too.
        let j: serde_json::Value =
            serde_json::from_str(r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#).unwrap();
        assert_eq!(from_json(&json_to_value(&j)).statements.len(), 1);
    }

    #[test]
    fn managed_policy_arns_in_any_partition() {
        assert_eq!(
            aws_managed_name(ECS_TASK_EXECUTION_POLICY_ARN),
            Some(ECS_TASK_EXECUTION_POLICY)
        );
        assert_eq!(
            aws_managed_name("arn:aws-cn:iam::aws:policy/AdministratorAccess"),
            Some("AdministratorAccess")
        );
        assert_eq!(aws_managed_name("arn:aws:iam::123456789012:policy/x"), None);
        let s = aws_managed(ECS_TASK_EXECUTION_POLICY).unwrap();
        assert_eq!(s[0].matches("logs:PutLogEvents", None), Match::Yes);
        assert_eq!(
            s[0].matches("secretsmanager:GetSecretValue", None),
            Match::No
        );
        assert_eq!(s[0].matches("ssm:GetParameters", None), Match::No);
    }
}
