//! What the ECS agent does for a task definition's containers before they run (pull private
//! ECR images, create awslogs streams, fetch secrets) and the IAM actions each needs from the
//! execution role.
use crate::analysis::ecs::containers::{self, Container, ImageSource};
use crate::model::{Model, Resource, Value};

/// What the agent calls to pull (ECR user guide, "Using Amazon ECR images with Amazon ECS").
/// `ecr:BatchCheckLayerAvailability` is in the managed policy but only pushes need it.
pub const ECR: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
];
pub const LOGS: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents"];
pub const SECRETS_MANAGER: &str = "secretsmanager:GetSecretValue";
pub const SSM: &str = "ssm:GetParameters";

/// Something the ECS agent does for the task, and the actions it needs for it.
pub struct Need {
    pub why: String,
    /// Each entry: actions of which any one suffices (a `valueFrom` of unknown kind).
    pub actions: Vec<Vec<&'static str>>,
    /// The ARN the action is on, when known (a secret, a parameter).
    pub resource: Option<String>,
}

pub fn ecr_need(why: String) -> Need {
    Need {
        why,
        actions: ECR.iter().map(|a| vec![*a]).collect(),
        resource: None,
    }
}

/// What the ECS agent does for these containers; and, when an image is not known, why.
pub fn needs_of(model: &Model, td: &Resource, cs: &[Container]) -> (Vec<Need>, Option<String>) {
    let mut needs = Vec::new();
    let mut image_unknown = None;
    let mut pulls: Vec<String> = Vec::new();
    let mut logs: Vec<String> = Vec::new();
    let mut create_group: Vec<String> = Vec::new();
    for c in cs {
        match containers::image_source_of(model, td, c) {
            ImageSource::PrivateEcr => pulls.push(format!(
                "container {} pulls {}",
                c.label(),
                image_display(model, td, c)
            )),
            ImageSource::Unknown(why) => {
                image_unknown.get_or_insert(format!("container {}: {why}", c.label()));
            }
            ImageSource::Public(_) => {}
        }
        if c.log_driver().as_str() == Some("awslogs") {
            logs.push(c.label());
            let create = match c.get("logConfiguration").as_map() {
                Some(m) => m
                    .get("options")
                    .and_then(Value::as_map)
                    .and_then(|o| o.get("awslogs-create-group"))
                    .is_some_and(|v| v.as_str() == Some("true") || v.as_bool() == Some(true)),
                None => false,
            };
            if create {
                create_group.push(c.label());
            }
        }
        for s in c.secrets() {
            let name = s.name.as_str().unwrap_or("(unnamed)");
            needs.push(secret_need(
                model,
                s.value,
                format!("container {} reads secret {name}", c.label()),
            ));
        }
        if c.has_repository_credentials() {
            let v = match c.get("repositoryCredentials").as_map() {
                Some(m) => m
                    .get("credentialsParameter")
                    .cloned()
                    .unwrap_or(Value::Null),
                None => Value::Null,
            };
            let mut n = secret_need(
                model,
                &v,
                format!(
                    "container {} pulls from a private registry with repositoryCredentials",
                    c.label()
                ),
            );
            n.actions = vec![vec![SECRETS_MANAGER]];
            needs.push(n);
        }
    }
    if !pulls.is_empty() {
        let why = if pulls.len() == 1 {
            pulls.remove(0)
        } else {
            pulls.join(", ")
        };
        needs.insert(0, ecr_need(why));
    }
    if !logs.is_empty() {
        let at = usize::from(needs.first().is_some_and(|n| n.actions.len() == ECR.len()));
        needs.insert(
            at,
            Need {
                why: format!("{} the awslogs log driver", uses(&logs)),
                actions: LOGS.iter().map(|a| vec![*a]).collect(),
                resource: None,
            },
        );
    }
    if !create_group.is_empty() {
        needs.push(Need {
            why: format!("{} awslogs-create-group = true", uses(&create_group)),
            actions: vec![vec!["logs:CreateLogGroup"]],
            resource: None,
        });
    }
    (needs, image_unknown)
}

fn uses(names: &[String]) -> String {
    match names {
        [one] => format!("container {one} uses"),
        many => format!("containers {} use", many.join(", ")),
    }
}

/// A `valueFrom`: a Secrets Manager ARN (optionally with `:json-key:version-stage:version-id`),
/// an SSM parameter ARN or name, or a reference to either.
fn secret_need(model: &Model, v: &Value, why: String) -> Need {
    let (actions, resource, what) = match v.as_str() {
        Some(s) if s.starts_with("arn:") && s.split(':').nth(2) == Some("secretsmanager") => {
            let arn: Vec<&str> = s.split(':').take(7).collect();
            let mut arn = arn.join(":");
            // Written without the six random characters Secrets Manager appends to every
            // secret's ARN (`…:secret:db-password`): the request IAM sees names the full ARN.
            if !has_secret_suffix(&arn) {
                arn.push_str(crate::analysis::iam::policy::SECRET_SUFFIX);
            }
            (vec![SECRETS_MANAGER], Some(arn), "Secrets Manager")
        }
        Some(s) if s.starts_with("arn:") && s.split(':').nth(2) == Some("ssm") => {
            (vec![SSM], Some(s.to_string()), "SSM Parameter Store")
        }
        Some(_) => (vec![SSM], None, "SSM Parameter Store"),
        None => {
            // Only a reference to a secret's or parameter's identity says which store it is:
            // `data.aws_ssm_parameter.x.value` holds some ARN, of either kind.
            let kinds: Vec<&str> = model
                .targets(v)
                .iter()
                .filter(|t| matches!(t.attribute.as_deref(), None | Some("arn" | "id" | "name")))
                .map(|t| t.resource.rtype.as_str())
                .collect();
            if kinds
                .iter()
                .any(|k| k.starts_with("aws_secretsmanager_secret"))
            {
                (vec![SECRETS_MANAGER], None, "Secrets Manager")
            } else if kinds.contains(&"aws_ssm_parameter") {
                (vec![SSM], None, "SSM Parameter Store")
            } else {
                (vec![SECRETS_MANAGER, SSM], None, "")
            }
        }
    };
    let why = match (&resource, what) {
        // As the task definition writes it.
        (Some(arn), _) => format!(
            "{why} from {}",
            arn.strip_suffix(crate::analysis::iam::policy::SECRET_SUFFIX)
                .unwrap_or(arn)
        ),
        (None, "") => why,
        (None, w) => format!("{why} from {w}"),
    };
    Need {
        why,
        actions: vec![actions],
        resource,
    }
}

/// `…:secret:db-password-AbCdEf`: the name ends in Secrets Manager's six random characters.
fn has_secret_suffix(arn: &str) -> bool {
    let name = arn.rsplit(':').next().unwrap_or("");
    name.rsplit_once('-').is_some_and(|(n, tail)| {
        !n.is_empty() && tail.len() == 6 && tail.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

fn image_display_str(s: &str) -> String {
    let s = s.split('@').next().unwrap_or(s);
    match s.rfind(':') {
        Some(i) if !s[i..].contains('/') => s[..i].to_string(),
        _ => s.to_string(),
    }
}

/// The image without its tag, or the repository it comes from.
fn image_display(model: &Model, td: &Resource, c: &Container) -> String {
    if let Some(s) = c.image().as_str() {
        return image_display_str(s);
    }
    if let Some(t) = model
        .targets(c.image())
        .iter()
        .find(|t| t.resource.rtype.starts_with("aws_ecr_repository"))
    {
        return format!("an image from {}", t.resource.address);
    }
    // `…` stands for the parts known only at apply.
    containers::image_template(td, c).map_or_else(
        || "a private ECR image".into(),
        |text| image_display_str(&text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::model_tf;

    #[test]
    fn value_from_kinds() {
        let m = model_tf(
            r#"
resource "aws_secretsmanager_secret" "db" { name = "db" }
resource "aws_ssm_parameter" "p" {
  name  = "/p"
  type  = "String"
  value = "x"
}
"#,
        );
        let sm = secret_need(
            &m,
            &Value::string("arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf:password::"),
            "w".into(),
        );
        assert_eq!(sm.actions, vec![vec![SECRETS_MANAGER]]);
        assert_eq!(
            sm.resource.as_deref(),
            Some("arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf")
        );
        let by_name = secret_need(&m, &Value::string("/app/token"), "w".into());
        assert_eq!((by_name.actions, by_name.resource), (vec![vec![SSM]], None));
        let secret = m.resources_of("aws_secretsmanager_secret").next().unwrap();
        let reference = Value::unknown(crate::model::Cause::Resource {
            module: String::new(),
            target: "aws_secretsmanager_secret.db".into(),
            key: None,
            attribute: Some("arn".into()),
        });
        assert!(std::ptr::eq(m.targets(&reference)[0].resource, secret));
        let n = secret_need(&m, &reference, "w".into());
        assert_eq!(n.actions, vec![vec![SECRETS_MANAGER]]);
        assert_eq!(n.why, "w from Secrets Manager");
        let unknown = Value::unknown(crate::model::Cause::Variable("x".into()));
        let n = secret_need(&m, &unknown, "w".into());
        assert_eq!(n.actions, vec![vec![SECRETS_MANAGER, SSM]]);
    }

    #[test]
    fn ecr_images_with_unknown_parts() {
        let m = model_tf(
            r#"
variable "acct" {}
variable "tag" {}
variable "registry" {}
resource "aws_ecr_repository" "app" { name = "app" }
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([
    { name = "a", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:${var.tag}" },
    { name = "b", image = "${var.acct}.dkr.ecr.eu-west-1.amazonaws.com/web:latest" },
    { name = "c", image = "${aws_ecr_repository.app.repository_url}:1" },
    { name = "d", image = "1.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:ab" },
    { name = "e", image = "ghcr.io/acme/web:${var.tag}" },
    { name = "f", image = "${var.registry}/web:1" },
  ])
}
"#,
        );
        let td = m.resources_of("aws_ecs_task_definition").next().unwrap();
        let containers::Definitions::Known(cs) = containers::definitions(td) else {
            panic!()
        };
        let (needs, unknown) = needs_of(&m, td, &cs);
        assert_eq!(
            needs[0].why,
            "container a pulls 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web, \
             container b pulls ….dkr.ecr.eu-west-1.amazonaws.com/web, \
             container c pulls an image from aws_ecr_repository.app, \
             container d pulls 1.dkr.ecr.eu-west-1.amazonaws.com/app"
        );
        // A registry outside ECR, or one not known, is not a known ECR pull.
        assert_eq!(
            unknown.as_deref(),
            Some("container e: the image is not known: var.tag has no value")
        );
    }

    #[test]
    fn images_without_tags() {
        assert_eq!(
            image_display_str("1.dkr.ecr.eu-west-1.amazonaws.com/app:1.2"),
            "1.dkr.ecr.eu-west-1.amazonaws.com/app"
        );
        assert_eq!(
            image_display_str("localhost:5000/app@sha256:ab"),
            "localhost:5000/app"
        );
        assert_eq!(
            image_display_str("localhost:5000/app"),
            "localhost:5000/app"
        );
    }

    #[test]
    fn log_group_creation_and_private_registry_credentials() {
        let m = model_tf(
            r#"
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([
    {
      name  = "app"
      image = "ghcr.io/acme/app:1"
      repositoryCredentials = { credentialsParameter = "arn:aws:secretsmanager:eu-west-1:1:secret:ghcr-AbCdEf" }
      logConfiguration = { logDriver = "awslogs", options = { awslogs-create-group = "true" } }
    },
    { name = "proxy", image = "nginx:1.27", logConfiguration = { logDriver = "awslogs" } },
  ])
}
"#,
        );
        let td = m.resources_of("aws_ecs_task_definition").next().unwrap();
        let containers::Definitions::Known(cs) = containers::definitions(td) else {
            panic!()
        };
        let (needs, unknown) = needs_of(&m, td, &cs);
        assert!(unknown.is_none());
        let whys: Vec<&str> = needs.iter().map(|n| n.why.as_str()).collect();
        assert_eq!(
            whys,
            [
                "containers app, proxy use the awslogs log driver",
                "container app pulls from a private registry with repositoryCredentials from arn:aws:secretsmanager:eu-west-1:1:secret:ghcr-AbCdEf",
                "container app uses awslogs-create-group = true",
            ]
        );
        assert_eq!(needs[1].actions, vec![vec![SECRETS_MANAGER]]);
        assert_eq!(needs[2].actions, vec![vec!["logs:CreateLogGroup"]]);
    }
}
