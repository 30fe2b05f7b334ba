//! ECS002 ecs-execution-role-missing-policy.
use crate::analysis::ecs::agent_needs::{ecr_need, needs_of, Need, ECR, LOGS};
use crate::analysis::ecs::containers::{self, Definitions};
use crate::analysis::iam::policy::{ECS_TASK_EXECUTION_POLICY, ECS_TASK_EXECUTION_POLICY_ARN};
use crate::analysis::iam::role::{self, Access};
use crate::diag::fix::{Edit, Fix};
use crate::model::{Mode, Model, Resource, Value};
use crate::rules::provenance::origin_related;
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct EcsExecutionRoleMissingPolicy;

static META: RuleMeta = RuleMeta {
    code: "ECS002",
    name: "ecs-execution-role-missing-policy",
    category: "ecs",
    severity: Severity::Error,
    summary: "A task definition's execution role cannot pull its images, write its logs or read its secrets",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[crate::diag::fix::Applicability::Safe, crate::diag::fix::Applicability::DisplayOnly],
    inputs: &[Input::Config, Input::State, Input::Live, Input::TaskDefinition],
    options: &[],
    doc: include_str!("../../../rules/ecs-execution-role-missing-policy.md"),
};

/// The needs whose actions the role lacks, as written in messages.
struct Missing {
    why: String,
    actions: Vec<String>,
    resource: Option<String>,
    /// The policy whose Deny takes the actions away, when one does.
    denied_by: Option<String>,
    /// A grant on the secret's ARN without Secrets Manager's six random characters, which
    /// matches no secret.
    suffixless: Option<String>,
}

struct LacksPermissions<'a> {
    role: &'a str,
    missing: &'a [Missing],
    fix: FixKind<'a>,
    /// The role's managed policies are an exclusive list (`managed_policy_arns`, an
    /// `aws_iam_role_policy_attachments_exclusive`): where the ARN must be added.
    exclusive_list: Option<String>,
    /// The role declares `inline_policy` blocks, which make its inline policies exclusive.
    inline_blocks: bool,
    /// The role's name when it exists only in the account (made in the console): the fix is
    /// an IAM call, not an edit.
    console_role: Option<String>,
}

enum FixKind<'a> {
    AttachManaged,
    Inline(&'a [String]),
    AttachAndInline(&'a [String]),
    RemoveDeny(&'a [String]),
}

impl Violation for LacksPermissions<'_> {
    fn message(&self) -> String {
        let parts: Vec<String> = self
            .missing
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let who = if i == 0 {
                    format!("the execution role {}", self.role)
                } else {
                    "it".into()
                };
                let denied = m
                    .denied_by
                    .as_ref()
                    .map(|by| format!(", which {by} denies"))
                    .unwrap_or_default();
                let suffixless = m
                    .suffixless
                    .as_ref()
                    .map(|p| {
                        format!(
                            " (its policy grants {p}, which matches no secret: Secrets Manager \
                             appends six random characters to every secret's ARN, and tasks fail \
                             with ResourceInitializationError)"
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "{}, so {who} needs {}{denied}{suffixless}",
                    m.why,
                    m.actions.join(", ")
                )
            })
            .collect();
        parts.join("; ")
    }
    fn fix_title(&self) -> String {
        if let Some(p) = self.missing.iter().find_map(|m| m.suffixless.as_ref()) {
            return format!(
                "grant on {p}{} instead of {p} (or on the secret's full ARN)",
                crate::analysis::iam::policy::SECRET_SUFFIX
            );
        }
        let inline = |actions: &[String]| {
            if let Some(name) = &self.console_role {
                format!(
                    "allow {} to the role in the account (`aws iam put-role-policy --role-name \
                     {name} …`), or manage the role in Terraform",
                    actions.join(", ")
                )
            } else if self.inline_blocks {
                format!(
                    "give {} an inline_policy block allowing {}",
                    self.role,
                    actions.join(", ")
                )
            } else {
                format!(
                    "give {} an aws_iam_role_policy allowing {}",
                    self.role,
                    actions.join(", ")
                )
            }
        };
        let attach = match (&self.console_role, &self.exclusive_list) {
            (Some(name), _) => format!(
                "attach {ECS_TASK_EXECUTION_POLICY} to the role in the account: `aws iam \
                 attach-role-policy --role-name {name} --policy-arn \
                 {ECS_TASK_EXECUTION_POLICY_ARN}` (or manage the role in Terraform)"
            ),
            (None, Some(list)) => format!("add {ECS_TASK_EXECUTION_POLICY_ARN} to {list}"),
            (None, None) => format!(
                "attach {ECS_TASK_EXECUTION_POLICY} to {} with an aws_iam_role_policy_attachment",
                self.role
            ),
        };
        match &self.fix {
            FixKind::AttachManaged => attach,
            FixKind::Inline(a) => inline(a),
            FixKind::RemoveDeny(d) => format!(
                "narrow the Deny statements of {} so they leave the ECS agent's actions alone",
                d.join(", ")
            ),
            FixKind::AttachAndInline(a) => format!("{attach}; and {}", inline(a)),
        }
    }
}

struct NoExecutionRole<'a> {
    needs: &'a [Missing],
    task_role_only: bool,
}

impl Violation for NoExecutionRole<'_> {
    fn message(&self) -> String {
        let whys: Vec<String> = self
            .needs
            .iter()
            .map(|m| format!("{}, which needs {}", m.why, m.actions.join(", ")))
            .collect();
        let task = if self.task_role_only {
            " (only task_role_arn is set: the task role is what the application uses; the ECS agent pulls images, creates log streams and reads secrets with the execution role)"
        } else {
            ""
        };
        format!(
            "aws_ecs_task_definition has no execution_role_arn{task}: {}",
            whys.join("; ")
        )
    }
    fn fix_title(&self) -> String {
        format!(
            "set execution_role_arn to a role that ecs-tasks.amazonaws.com assumes, with {ECS_TASK_EXECUTION_POLICY} attached"
        )
    }
}

impl Rule for EcsExecutionRoleMissingPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for td in cx.model.resources_of("aws_ecs_task_definition") {
            check_task_definition(cx.model, td, out);
        }
    }
}

fn check_task_definition(model: &Model, td: &Resource, out: &mut Sink) {
    let cs = match containers::definitions(td) {
        Definitions::Known(cs) => cs,
        Definitions::Unknown(reason) => {
            let span = td
                .origin("container_definitions")
                .map(|o| o.location.clone());
            out.not_evaluated(td, reason, span);
            return;
        }
        Definitions::Invalid(_) | Definitions::Missing => return,
    };
    let (mut needs, mut image_unknown) = needs_of(model, td, &cs);
    // On EC2 (and ECS Anywhere) the container instance role may pull images and write logs
    // for tasks; only Fargate relies on the execution role alone. Secrets always need it.
    let instance_role_may_do = |n: &Need| {
        n.actions
            .iter()
            .flatten()
            .all(|a| ECR.contains(a) || LOGS.contains(a) || *a == "logs:CreateLogGroup")
    };
    match launch(td) {
        Launch::Fargate => {}
        Launch::Instances => {
            needs.retain(|n| !instance_role_may_do(n));
            image_unknown = None;
        }
        Launch::Unknown(why) => {
            if image_unknown.is_some() || needs.iter().any(instance_role_may_do) {
                let span = td
                    .origin("requires_compatibilities")
                    .map(|o| o.location.clone());
                out.not_evaluated(td, why, span);
                return;
            }
        }
    }
    if needs.is_empty() && image_unknown.is_none() {
        return;
    }
    let role_value = td.get("execution_role_arn").filter(|v| !v.is_null());
    let Some(role_value) = role_value else {
        let missing: Vec<Missing> = needs
            .iter()
            .map(|n| Missing {
                why: n.why.clone(),
                actions: n.actions.iter().map(|a| a.join(" or ")).collect(),
                resource: n.resource.clone(),
                denied_by: None,
                suffixless: None,
            })
            .collect();
        if missing.is_empty() {
            if let Some(why) = image_unknown {
                out.not_evaluated(td, why, None);
            }
            return;
        }
        let task_role_only = td.get("task_role_arn").is_some_and(|v| !v.is_null());
        let span = task_role_only
            .then(|| td.origin("task_role_arn").map(|o| o.location.clone()))
            .flatten();
        out.report(
            td,
            &NoExecutionRole {
                needs: &missing,
                task_role_only,
            },
            span,
            vec![],
        )
        .fix = Some(Fix::display_only());
        return;
    };
    let origin = td.origin("execution_role_arn");
    let span = origin.map(|o| o.location.clone());
    let roles = role::roles_named_by(model, role_value);
    if roles.is_empty() {
        out.not_evaluated(td, outside_reason(model, role_value), span);
        return;
    }
    // Several candidate roles (a conditional): a finding only when every one lacks something.
    let mut lacking = Vec::new();
    for r in &roles {
        match evaluate(model, r, &needs) {
            Verdict::Ok => {
                if let Some(why) = image_unknown {
                    if !matches!(evaluate(model, r, &[ecr_need(String::new())]), Verdict::Ok) {
                        out.not_evaluated(td, why, span);
                    }
                }
                return;
            }
            Verdict::Unknown(why) => {
                out.not_evaluated(td, format!("{}: {why}", r.address), span.clone());
                return;
            }
            Verdict::Missing(m) => lacking.push((*r, m)),
        }
    }
    let (r, missing) = lacking.swap_remove(0);
    report_missing(model, td, r, &missing, out);
}

enum Launch {
    Fargate,
    /// EC2, ECS Anywhere, managed instances: a container instance role exists.
    Instances,
    Unknown(String),
}

/// `requires_compatibilities` (EC2 when absent, as ECS defaults).
fn launch(td: &Resource) -> Launch {
    let Some(v) = td.get("requires_compatibilities").filter(|v| !v.is_null()) else {
        return Launch::Instances;
    };
    match v.as_list() {
        Some(items) => {
            if items.iter().any(|x| x.as_str() == Some("FARGATE")) {
                Launch::Fargate
            } else if let Some(u) = items.iter().find_map(Value::first_unknown) {
                Launch::Unknown(format!(
                    "requires_compatibilities is not known: {}",
                    u.cause()
                ))
            } else {
                Launch::Instances
            }
        }
        None => match v.first_unknown() {
            Some(u) => Launch::Unknown(format!(
                "requires_compatibilities is not known: {}",
                u.cause()
            )),
            None => Launch::Instances,
        },
    }
}

enum Verdict {
    Ok,
    Missing(Vec<Missing>),
    Unknown(String),
}

fn evaluate(model: &Model, role: &Resource, needs: &[Need]) -> Verdict {
    let perms = role::permissions(model, role);
    let mut missing = Vec::new();
    let mut unknown = None;
    for n in needs {
        let mut lacking = Vec::new();
        let mut denied_by = None;
        for alternatives in &n.actions {
            let access: Vec<Access> = alternatives
                .iter()
                .map(|a| perms.allows(a, n.resource.as_deref()))
                .collect();
            if access.contains(&Access::Granted) {
                continue;
            }
            if let Some(Access::Unknown(why)) =
                access.iter().find(|a| matches!(a, Access::Unknown(_)))
            {
                unknown.get_or_insert(why.clone());
                continue;
            }
            let denied = access.iter().find_map(|a| match a {
                Access::Missing(Some(by)) => Some(by.clone()),
                _ => None,
            });
            if denied.is_some() {
                denied_by = denied;
            }
            lacking.push(alternatives.join(" or "));
        }
        if !lacking.is_empty() {
            let suffixless = n.resource.as_deref().and_then(|want| {
                n.actions.iter().flatten().find_map(|a| {
                    crate::analysis::iam::policy::suffixless_grant(
                        perms
                            .sources
                            .iter()
                            .flat_map(|s| s.document.statements.iter()),
                        a,
                        want,
                    )
                })
            });
            missing.push(Missing {
                why: n.why.clone(),
                actions: lacking,
                resource: n.resource.clone(),
                denied_by,
                suffixless,
            });
        }
    }
    match (missing.is_empty(), unknown) {
        (false, _) => Verdict::Missing(missing),
        (true, Some(why)) => Verdict::Unknown(why),
        (true, None) => Verdict::Ok,
    }
}

fn report_missing(
    model: &Model,
    td: &Resource,
    role: &Resource,
    missing: &[Missing],
    out: &mut Sink,
) {
    let origin = td.origin("execution_role_arn");
    let mut related = origin.map(origin_related).unwrap_or_default();
    if let Some(location) = role.location() {
        related.push(Related {
            message: format!("execution role {}", role.address),
            location,
        });
    }
    let in_managed = |a: &str| ECR.contains(&a) || LOGS.contains(&a);
    let mut denied: Vec<&str> = missing
        .iter()
        .filter_map(|m| m.denied_by.as_deref())
        .collect();
    denied.dedup();
    let granting = missing.iter().filter(|m| m.denied_by.is_none());
    let managed_helps = granting
        .clone()
        .flat_map(|m| m.actions.iter())
        .any(|a| in_managed(a));
    let mut others: Vec<String> = granting
        .flat_map(|m| {
            m.actions
                .iter()
                .filter(|a| !in_managed(a))
                .map(|a| match &m.resource {
                    Some(r) => format!("{a} on {r}"),
                    None => a.clone(),
                })
        })
        .collect();
    others.dedup();
    let denied: Vec<String> = denied.into_iter().map(String::from).collect();
    let kind = if !denied.is_empty() {
        FixKind::RemoveDeny(&denied)
    } else {
        match (managed_helps, others.is_empty()) {
            (true, true) => FixKind::AttachManaged,
            (true, false) => FixKind::AttachAndInline(&others),
            (false, _) => FixKind::Inline(&others),
        }
    };
    // A role only the account has: its managed_policy_arns is what the scan read, not a list
    // Terraform enforces.
    let console_role = (role.span.is_none()
        && role
            .seen
            .iter()
            .all(|s| s.kind == crate::model::SourceKind::Live))
    .then(|| role.get("name").and_then(Value::as_str).map(String::from))
    .flatten();
    let exclusive_list = if console_role.is_some() {
        None
    } else if role
        .get("managed_policy_arns")
        .is_some_and(|v| !v.is_null())
    {
        Some(format!("managed_policy_arns of {}", role.address))
    } else {
        role::exclusive_attachments(model, role)
            .first()
            .map(|a| format!("policy_arns of {}", a.address))
    };
    // A new attachment next to an exclusive list would be detached by it on every apply.
    let edit = if managed_helps && denied.is_empty() && exclusive_list.is_none() {
        attach_edit(model, role)
    } else {
        None
    };
    let v = LacksPermissions {
        role: &role.address,
        missing,
        fix: kind,
        exclusive_list,
        inline_blocks: role
            .get("inline_policy")
            .and_then(Value::as_list)
            .is_some_and(|l| !l.is_empty()),
        console_role,
    };
    let f = out.report(td, &v, origin.map(|o| o.location.clone()), related);
    f.fix = Some(match edit {
        Some(e) => Fix::safe(vec![e]),
        None => Fix::display_only(),
    });
}

/// A new `aws_iam_role_policy_attachment` after the role's block; only for a role written
/// once (no count/for_each: the reference would need the same expansion).
fn attach_edit(model: &Model, role: &Resource) -> Option<Edit> {
    if role.key.is_some() || !written_here(model, &role.module) {
        return None;
    }
    let block = role.block.clone()?;
    let taken = |label: &str| {
        model.resources.iter().any(|r| {
            r.mode == Mode::Managed
                && r.rtype == "aws_iam_role_policy_attachment"
                && r.module == role.module
                && r.name == label
        })
    };
    // `api_execution_execution` would stutter.
    let base = if role.name.ends_with("execution") {
        format!("{}_policy", role.name)
    } else {
        format!("{}_execution", role.name)
    };
    let label = std::iter::once(base.clone())
        .chain((2..).map(|i| format!("{base}_{i}")))
        .find(|l| !taken(l))?;
    Some(Edit::InsertAfter {
        span: block,
        text: format!(
            "\n\nresource \"aws_iam_role_policy_attachment\" \"{label}\" {{\n  role       = aws_iam_role.{}.name\n  policy_arn = \"{ECS_TASK_EXECUTION_POLICY_ARN}\"\n}}",
            role.name
        ),
    })
}

/// True when the module instance's code is the user's own (local sources all the way down),
/// not a registry or git module that `terraform init` downloaded: never edit those.
fn written_here(model: &Model, module: &str) -> bool {
    model
        .modules
        .iter()
        .filter(|m| module == m.address || module.starts_with(&format!("{}.", m.address)))
        .all(|m| m.source.starts_with("./") || m.source.starts_with("../"))
}

/// Why a role that is not an `aws_iam_role` of the configuration cannot be judged.
fn outside_reason(model: &Model, v: &Value) -> String {
    if let Some(arn) = v.as_str() {
        return format!(
            "execution_role_arn {arn:?} names a role outside the configuration; its policies are not known offline"
        );
    }
    if let Some(t) = model.targets(v).first() {
        return format!(
            "execution_role_arn comes from {}, a role outside the configuration; its policies are not known offline",
            t.resource.address
        );
    }
    match v.first_unknown() {
        Some(u) => format!("execution_role_arn is not known: {}", u.cause()),
        None => "execution_role_arn is not a role ARN".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{model, model_tf};

    #[test]
    fn registry_modules_are_not_edited() {
        let m = model(&[
            (
                "main.tf",
                r#"
module "local" { source = "./m" }
module "remote" { source = "terraform-aws-modules/ecs/aws//modules/service" }
"#,
            ),
            ("m/main.tf", "resource \"aws_iam_role\" \"r\" {}\n"),
        ]);
        assert!(written_here(&m, ""));
        assert!(written_here(&m, "module.local"));
        assert!(!written_here(&m, "module.remote"));
        assert!(!written_here(&m, "module.remote.module.inner"));
    }

    #[test]
    fn launch_types() {
        let m = model_tf(
            r#"
variable "compat" { type = list(string) }
resource "aws_ecs_task_definition" "a" { requires_compatibilities = ["EC2", "FARGATE"] }
resource "aws_ecs_task_definition" "b" { requires_compatibilities = ["EXTERNAL"] }
resource "aws_ecs_task_definition" "c" {}
resource "aws_ecs_task_definition" "d" { requires_compatibilities = var.compat }
"#,
        );
        let l = |name: &str| launch(m.resources.iter().find(|r| r.name == name).unwrap());
        assert!(matches!(l("a"), Launch::Fargate));
        assert!(matches!(l("b"), Launch::Instances));
        assert!(matches!(l("c"), Launch::Instances));
        assert!(
            matches!(l("d"), Launch::Unknown(w) if w == "requires_compatibilities is not known: var.compat has no value")
        );
    }
}
