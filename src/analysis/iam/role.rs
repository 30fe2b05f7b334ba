//! What an `aws_iam_role` in the configuration may do: every policy it gets, however it gets
//! it — `aws_iam_role_policy_attachment`, `aws_iam_policy_attachment`,
//! `aws_iam_role_policy_attachments_exclusive`, the role's own `managed_policy_arns` and
//! `inline_policy` blocks, `aws_iam_role_policy` — with customer managed `aws_iam_policy`
//! documents followed by reference and AWS managed policies known by name.
use super::policy::{self, Document, Effect, Match};
use crate::model::Seq;
use crate::model::{Mode, Model, Resource, Value};

/// One policy of a role: where it comes from (for messages) and its content.
#[derive(Clone, Debug)]
pub struct Source {
    pub label: String,
    pub document: Document,
}

#[derive(Clone, Debug, Default)]
pub struct Permissions {
    pub sources: Vec<Source>,
    /// Why the list of policies may be incomplete (a source could not read attachments).
    pub incomplete: Option<String>,
}

/// Whether a role may perform an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    Granted,
    /// Not granted, or denied (then the label of the denying policy).
    Missing(Option<String>),
    /// Not granted by what is known, and some policy is not known: why.
    Unknown(String),
}

impl Permissions {
    /// Evaluates like IAM: an explicit (unconditioned) Deny wins, then any Allow grants.
    pub fn allows(&self, action: &str, resource: Option<&str>) -> Access {
        let mut granted = false;
        let mut maybe: Option<String> = None;
        for src in &self.sources {
            for s in &src.document.statements {
                match (s.effect, s.matches(action, resource)) {
                    (Effect::Deny, Match::Yes) if !s.conditioned => {
                        return Access::Missing(Some(src.label.clone()))
                    }
                    (Effect::Allow, Match::Yes) => granted = true,
                    (Effect::Allow, Match::Maybe(why)) | (Effect::Unknown, Match::Maybe(why)) => {
                        maybe.get_or_insert(format!("{}: {why}", src.label));
                    }
                    (Effect::Unknown, Match::Yes) => {
                        maybe.get_or_insert(format!(
                            "{}: a statement's effect is not known",
                            src.label
                        ));
                    }
                    _ => {}
                }
            }
            if let Some(u) = src.document.unknown.first() {
                maybe.get_or_insert(format!("{}: {u}", src.label));
            }
        }
        match (granted, maybe.or_else(|| self.incomplete.clone())) {
            (true, _) => Access::Granted,
            (false, Some(why)) => Access::Unknown(why),
            (false, None) => Access::Missing(None),
        }
    }

    /// True when the role has the named AWS managed policy attached.
    pub fn has_aws_managed(&self, name: &str) -> bool {
        self.sources.iter().any(|s| s.label.ends_with(name))
    }
}

/// Attachments that point at a role through `attr`: by reference, or by the role's literal
/// name.
fn attached<'a>(
    model: &'a Model,
    role: &Resource,
    rtype: &'a str,
    attr: &str,
) -> Vec<&'a Resource> {
    model
        .resources_of(rtype)
        .filter(|a| {
            let Some(v) = a.get(attr) else { return false };
            if model
                .targets(v)
                .iter()
                .any(|t| std::ptr::eq(t.resource, role))
            {
                return true;
            }
            // A role written by its name, before any source knows its ID.
            let literal = |x: &Value| {
                x.as_str()
                    .and_then(|s| model.by_name("aws_iam_role", s))
                    .is_some_and(|r| std::ptr::eq(r, role))
            };
            match v.peel() {
                Value::List(Seq { items: l, .. }) | Value::Set(l) => l.iter().any(literal),
                x => literal(x),
            }
        })
        .collect()
}

/// The `aws_iam_role_policy_attachments_exclusive` resources that manage a role's managed
/// policies (they detach any other attachment).
pub fn exclusive_attachments<'a>(model: &'a Model, role: &Resource) -> Vec<&'a Resource> {
    attached(
        model,
        role,
        "aws_iam_role_policy_attachments_exclusive",
        "role_name",
    )
}

/// Every policy the role gets in the configuration.
pub fn permissions(model: &Model, role: &Resource) -> Permissions {
    let mut out = Permissions {
        incomplete: [
            "aws_iam_role_policy_attachment",
            "aws_iam_policy_attachment",
            "aws_iam_role_policy",
        ]
        .iter()
        .find_map(|t| model.coverage(t).err()),
        ..Permissions::default()
    };
    for (i, p) in role
        .get("inline_policy")
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let name = p
            .as_map()
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("(unnamed)");
        out.sources.push(Source {
            label: format!("{} inline policy {name}", role.address),
            document: policy::document_at(model, role, &format!("inline_policy[{i}].policy")),
        });
    }
    for a in attached(model, role, "aws_iam_role_policy", "role") {
        out.sources.push(Source {
            label: a.address.clone(),
            document: policy::document_at(model, a, "policy"),
        });
    }
    type Arn<'a> = (String, &'a Value, Option<&'a [Value]>);
    let mut arns: Vec<Arn> = Vec::new();
    if let Some(v) = role.get("managed_policy_arns") {
        list_or_one(v, &mut |i, x| {
            let t = role.written(&format!("managed_policy_arns[{i}]")).template;
            arns.push((role.address.clone(), x, t))
        });
    }
    for a in attached(model, role, "aws_iam_role_policy_attachment", "role")
        .into_iter()
        .chain(attached(model, role, "aws_iam_policy_attachment", "roles"))
    {
        if let Some(v) = a.get("policy_arn") {
            arns.push((a.address.clone(), v, a.written("policy_arn").template));
        }
    }
    for a in exclusive_attachments(model, role) {
        if let Some(v) = a.get("policy_arns") {
            list_or_one(v, &mut |i, x| {
                let t = a.written(&format!("policy_arns[{i}]")).template;
                arns.push((a.address.clone(), x, t))
            });
        }
    }
    for (via, v, template) in arns {
        out.sources.push(managed_policy(model, &via, v, template));
    }
    out
}

fn list_or_one<'a>(v: &'a Value, f: &mut dyn FnMut(usize, &'a Value)) {
    match v.peel() {
        Value::List(Seq { items: l, .. }) | Value::Set(l) => {
            l.iter().enumerate().for_each(|(i, x)| f(i, x))
        }
        Value::Null => {}
        x => f(0, x),
    }
}

/// A managed policy by ARN: AWS managed (known by name), a customer managed
/// `aws_iam_policy` in the configuration (by reference or by its ARN's name), or a
/// `data "aws_iam_policy"`.
fn managed_policy(model: &Model, via: &str, v: &Value, template: Option<&[Value]>) -> Source {
    let unknown = |label: String, why: String| Source {
        label,
        document: Document {
            statements: vec![],
            unknown: vec![why],
        },
    };
    if let Some(arn) = v.as_str() {
        return by_arn(model, via, arn);
    }
    // A template's parts travel with its value (`Cause::Template`): an ARN built in a local
    // and read from a list is recognised as well as one written in place.
    let carried = match v.peel() {
        Value::Unknown(u) => u.cause().template_parts(),
        _ => None,
    };
    if let Some(name) = template
        .or(carried.as_deref())
        .and_then(|t| aws_managed_in_template(t))
    {
        return aws_managed(via, name);
    }
    let targets = model.targets(v);
    for t in &targets {
        let r = t.resource;
        match (r.mode, r.rtype.as_str()) {
            (Mode::Managed, "aws_iam_policy") => {
                return Source {
                    label: format!("{via} → {}", r.address),
                    document: policy::document_at(model, r, "policy"),
                }
            }
            (Mode::Data, "aws_iam_policy") => {
                if let Some(arn) = r.get("arn").and_then(Value::as_str) {
                    return by_arn(model, via, arn);
                }
                if let Some(name) = r.get("name").and_then(Value::as_str) {
                    return aws_managed(via, name);
                }
            }
            _ => {}
        }
    }
    let why = match v.peel() {
        Value::Unknown(u) => format!("the policy ARN is not known: {}", u.cause()),
        _ => "the policy ARN is not a string".into(),
    };
    unknown(via.to_string(), why)
}

fn by_arn(model: &Model, via: &str, arn: &str) -> Source {
    if let Some(name) = policy::aws_managed_name(arn) {
        return aws_managed(via, name);
    }
    // A customer managed policy written as a literal ARN: the policy with that ARN in any
    // source, else (configuration, before apply) the one of that name.
    let name = arn.rsplit('/').next().unwrap_or(arn);
    if arn.contains(":policy/") {
        let known = model
            .by_identity(arn)
            .into_iter()
            .find(|p| p.rtype == "aws_iam_policy" && p.mode == Mode::Managed);
        if let Some(p) = known.or_else(|| model.by_name("aws_iam_policy", name)) {
            return Source {
                label: format!("{via} → {}", p.address),
                document: policy::document_at(model, p, "policy"),
            };
        }
    }
    Source {
        label: format!("{via} → {arn}"),
        document: Document {
            statements: vec![],
            unknown: vec![format!(
                "policy {arn} is not {}, its content is not known offline",
                model.scope()
            )],
        },
    }
}

fn aws_managed(via: &str, name: &str) -> Source {
    let label = format!("{via} → {name}");
    match policy::aws_managed(name) {
        Some(statements) => Source {
            label,
            document: Document {
                statements,
                unknown: vec![],
            },
        },
        None => Source {
            label,
            document: Document {
                statements: vec![],
                unknown: vec![format!(
                    "the AWS managed policy {name} is not one infra-lint knows the content of"
                )],
            },
        },
    }
}

/// `"arn:${data.aws_partition.current.partition}:iam::aws:policy/…/Name"`: an unknown
/// partition does not hide which AWS managed policy the ARN names.
fn aws_managed_in_template(parts: &[Value]) -> Option<&str> {
    let (first, rest) = parts.split_first()?;
    let last = rest.last()?.as_str()?;
    let path = last.split_once(":iam::aws:policy/")?.1;
    // Only the partition may be unknown: `arn:` + partition + the literal tail.
    if first.as_str() != Some("arn:") || rest.len() != 2 || path.contains("${") {
        return None;
    }
    Some(path.rsplit('/').next().unwrap_or(path))
}

/// The `aws_iam_role` resources a value (an `execution_role_arn`, a `role`) names: by
/// reference, or by a literal ARN ending in the name of a role of the configuration.
pub fn roles_named_by<'a>(model: &'a Model, v: &Value) -> Vec<&'a Resource> {
    if let Some(arn) = v.as_str() {
        let known: Vec<&Resource> = model
            .by_identity(arn)
            .into_iter()
            .filter(|r| r.mode == Mode::Managed && r.rtype == "aws_iam_role")
            .collect();
        if !known.is_empty() {
            return known;
        }
        let Some((_, path)) = arn.split_once(":role/") else {
            return Vec::new();
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        return model.by_name("aws_iam_role", name).into_iter().collect();
    }
    model
        .targets(v)
        .into_iter()
        .map(|t| t.resource)
        .filter(|r| r.mode == Mode::Managed && r.rtype == "aws_iam_role")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::{load, LoadOptions};
    use crate::rules::testing::model_tf;

    fn role<'a>(m: &'a Model, name: &str) -> &'a Resource {
        m.resources_of("aws_iam_role")
            .find(|r| r.name == name)
            .unwrap()
    }

    const ASSUME: &str = r#"
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}
"#;

    #[test]
    fn every_way_of_giving_a_role_a_policy() {
        let m = model_tf(&format!(
            r#"{ASSUME}
resource "aws_ecr_repository" "app" {{ name = "app" }}
resource "aws_iam_role" "a" {{
  name               = "a"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  inline_policy {{
    name = "logs"
    policy = jsonencode({{
      Version   = "2012-10-17"
      Statement = [{{ Effect = "Allow", Action = ["logs:Create*", "logs:PutLogEvents"], Resource = aws_ecr_repository.app.arn }}]
    }})
  }}
}}
data "aws_iam_policy_document" "ecr" {{
  statement {{
    actions   = ["ecr:*"]
    resources = ["*"]
  }}
  statement {{
    effect    = "Deny"
    actions   = ["ecr:DeleteRepository"]
    resources = ["*"]
  }}
}}
resource "aws_iam_policy" "ecr" {{ policy = data.aws_iam_policy_document.ecr.json }}
resource "aws_iam_role_policy_attachment" "ecr" {{
  role       = aws_iam_role.a.name
  policy_arn = aws_iam_policy.ecr.arn
}}
resource "aws_iam_role_policy" "secrets" {{
  role   = "a"
  policy = <<EOF
{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
  "Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*"}}]}}
EOF
}}
"#
        ));
        let p = permissions(&m, role(&m, "a"));
        assert_eq!(p.sources.len(), 3, "{p:#?}");
        assert_eq!(p.allows("logs:CreateLogStream", None), Access::Granted);
        assert_eq!(p.allows("ECR:BatchGetImage", None), Access::Granted);
        assert_eq!(
            p.allows("ecr:DeleteRepository", None),
            Access::Missing(Some(
                "aws_iam_role_policy_attachment.ecr → aws_iam_policy.ecr".into()
            ))
        );
        assert_eq!(
            p.allows(
                "secretsmanager:GetSecretValue",
                Some("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-x1Y2z3")
            ),
            Access::Granted
        );
        assert_eq!(
            p.allows(
                "secretsmanager:GetSecretValue",
                Some("arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-x1Y2z3")
            ),
            Access::Missing(None)
        );
        assert_eq!(p.allows("ssm:GetParameters", None), Access::Missing(None));
    }

    #[test]
    fn aws_managed_policies_by_arn_data_source_and_exclusive_lists() {
        let m = model_tf(&format!(
            r#"{ASSUME}
resource "aws_iam_role" "a" {{
  name                = "a"
  assume_role_policy  = data.aws_iam_policy_document.assume.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"]
}}
data "aws_iam_policy" "exec" {{ name = "AmazonECSTaskExecutionRolePolicy" }}
resource "aws_iam_policy_attachment" "x" {{
  name       = "x"
  roles      = [aws_iam_role.a.name]
  policy_arn = data.aws_iam_policy.exec.arn
}}
resource "aws_iam_role" "b" {{
  name               = "b"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}}
resource "aws_iam_role_policy_attachments_exclusive" "b" {{
  role_name   = aws_iam_role.b.name
  policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}}
data "aws_partition" "current" {{}}
locals {{ partition = data.aws_partition.current.partition }}
resource "aws_iam_role" "c" {{
  name               = "c"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}}
resource "aws_iam_role_policy_attachment" "c" {{
  role       = aws_iam_role.c.id
  policy_arn = "arn:${{local.partition}}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}}
"#
        ));
        let a = permissions(&m, role(&m, "a"));
        assert_eq!(a.allows("ssm:GetParameters", None), Access::Granted);
        assert_eq!(a.allows("ecr:BatchGetImage", None), Access::Granted);
        assert_eq!(
            a.allows("secretsmanager:GetSecretValue", None),
            Access::Missing(None)
        );
        let b = permissions(&m, role(&m, "b"));
        assert!(matches!(
            b.allows("ecr:BatchGetImage", None),
            Access::Unknown(r) if r.contains("ReadOnlyAccess is not one infra-lint knows")
        ));
        let c = permissions(&m, role(&m, "c"));
        assert_eq!(c.allows("ecr:GetAuthorizationToken", None), Access::Granted);
        assert_eq!(c.allows("ssm:GetParameters", None), Access::Missing(None));
    }

    #[test]
    fn source_and_override_policy_documents_are_merged() {
        let m = model_tf(&format!(
            r#"{ASSUME}
data "aws_iam_policy_document" "base" {{
  statement {{
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["*"]
  }}
}}
data "aws_iam_policy_document" "extra" {{
  statement {{
    sid         = "NotIam"
    not_actions = ["iam:*"]
    resources   = ["arn:aws:ssm:*:*:parameter/app/*"]
  }}
}}
data "aws_iam_policy_document" "exec" {{
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.extra.json]
}}
resource "aws_iam_role" "a" {{
  name               = "a"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  inline_policy {{
    name   = "exec"
    policy = data.aws_iam_policy_document.exec.json
  }}
}}
"#
        ));
        let p = permissions(&m, role(&m, "a"));
        assert_eq!(p.allows("logs:PutLogEvents", None), Access::Granted);
        assert_eq!(
            p.allows(
                "ssm:GetParameters",
                Some("arn:aws:ssm:eu-west-1:1:parameter/app/x")
            ),
            Access::Granted
        );
        assert_eq!(
            p.allows(
                "ssm:GetParameters",
                Some("arn:aws:ssm:eu-west-1:1:parameter/db/x")
            ),
            Access::Missing(None)
        );
        assert_eq!(p.allows("iam:PassRole", None), Access::Missing(None));
    }

    /// terraform-aws-modules/ecs builds its execution role from a policy document with
    /// `dynamic "statement"` blocks, attached through a customer managed policy.
    #[test]
    fn terraform_aws_modules_ecs_execution_role() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/terraform-aws-ecs/examples/fargate");
        if !dir.is_dir() {
            return;
        }
        let m = load(&dir, &LoadOptions::default()).model;
        let r = m
            .resources
            .iter()
            .find(|r| r.address == "module.ecs_service.aws_iam_role.task_exec[0]")
            .expect("the module's execution role");
        let p = permissions(&m, r);
        for a in [
            "ecr:GetAuthorizationToken",
            "ecr:BatchGetImage",
            "logs:PutLogEvents",
        ] {
            assert_eq!(p.allows(a, None), Access::Granted, "{a}: {p:#?}");
        }
        assert_eq!(
            p.allows("secretsmanager:GetSecretValue", None),
            Access::Missing(None)
        );
    }
}
