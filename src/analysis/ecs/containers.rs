//! The containers of an `aws_ecs_task_definition`, from its `container_definitions` however it
//! was written: `jsonencode(...)` (kept structured by the evaluator even when a part such as
//! an ECR repository URL is known only after apply), `file()`, `templatefile()`, heredoc JSON.
use crate::model::json::from_json as json_to_value;
use crate::model::Seq;
use crate::model::{Cause, Model, Resource, Value};

/// What a rule can know about a task definition's containers.
#[derive(Clone, Debug)]
pub enum Definitions {
    Known(Vec<Container>),
    /// Not known before apply, with the reason.
    Unknown(String),
    /// Known but not a JSON list of objects: the reason.
    Invalid(String),
    /// The attribute is absent.
    Missing,
}

/// One container definition: its fields as written (JSON names, e.g. `portMappings`).
#[derive(Clone, Debug)]
pub struct Container {
    /// Position in the list.
    pub index: usize,
    pub fields: std::collections::BTreeMap<String, Value>,
}

#[derive(Clone, Debug)]
pub struct PortMapping<'a> {
    pub container_port: &'a Value,
    pub host_port: &'a Value,
}

/// A name/value pair of `environment` or `secrets` (`valueFrom`).
#[derive(Clone, Debug)]
pub struct Pair<'a> {
    pub name: &'a Value,
    pub value: &'a Value,
}

const NULL: Value = Value::Null;

impl Container {
    pub fn get(&self, key: &str) -> &Value {
        self.fields.get(key).map_or(&NULL, Value::peel)
    }

    pub fn name(&self) -> Option<&str> {
        self.get("name").as_str()
    }

    /// `name` or, when it is not known, `#<index>` for messages.
    pub fn label(&self) -> String {
        self.name()
            .map_or_else(|| format!("#{}", self.index), String::from)
    }

    pub fn image(&self) -> &Value {
        self.get("image")
    }

    pub fn port_mappings(&self) -> Vec<PortMapping<'_>> {
        list(self.get("portMappings"))
            .iter()
            .map(|m| PortMapping {
                container_port: field(m, "containerPort"),
                host_port: field(m, "hostPort"),
            })
            .collect()
    }

    pub fn environment(&self) -> Vec<Pair<'_>> {
        pairs(self.get("environment"), "value")
    }

    pub fn secrets(&self) -> Vec<Pair<'_>> {
        pairs(self.get("secrets"), "valueFrom")
    }

    /// `logConfiguration.logDriver`; Null when there is no log configuration.
    pub fn log_driver(&self) -> &Value {
        match self.get("logConfiguration") {
            Value::Map(m) => m.get("logDriver").map_or(&NULL, Value::peel),
            other => other,
        }
    }

    /// `repositoryCredentials.credentialsParameter` set: a private registry's credentials.
    pub fn has_repository_credentials(&self) -> bool {
        !self.get("repositoryCredentials").is_null()
    }
}

fn list(v: &Value) -> &[Value] {
    match v.peel() {
        Value::List(Seq { items: l, .. }) | Value::Set(l) => l,
        _ => &[],
    }
}

fn field<'a>(m: &'a Value, key: &str) -> &'a Value {
    match m.peel() {
        Value::Map(m) => m.get(key).map_or(&NULL, Value::peel),
        _ => &NULL,
    }
}

fn pairs<'a>(v: &'a Value, value_key: &str) -> Vec<Pair<'a>> {
    list(v)
        .iter()
        .map(|e| Pair {
            name: field(e, "name"),
            value: field(e, value_key),
        })
        .collect()
}

/// A port number written as a number or a numeric string (ECS accepts only numbers, but
/// `"${var.port}"` inside jsonencode is a common slip that Terraform renders as a string).
pub use crate::analysis::net::as_int as port;

/// The containers of a task definition.
pub fn definitions(td: &Resource) -> Definitions {
    match partial_definitions(td) {
        Ok(p) => match p.unknown.into_iter().next() {
            Some((_, reason)) => Definitions::Unknown(reason),
            None => Definitions::Known(p.known),
        },
        Err(d) => d,
    }
}

/// The known containers of a task definition, and the reasons the others are not known (a
/// sidecar whose image comes from a data source): a rule about one container need not wait
/// for the rest.
#[derive(Clone, Debug)]
pub struct Partial {
    pub known: Vec<Container>,
    /// (index, reason) of each container definition that is not known.
    pub unknown: Vec<(usize, String)>,
}

/// Like `definitions`, keeping the known containers when some are not; `Err` when the list
/// as a whole is unknown, invalid or missing.
pub fn partial_definitions(td: &Resource) -> Result<Partial, Definitions> {
    let Some(v) = td.get("container_definitions") else {
        return Err(Definitions::Missing);
    };
    let structured = match v.peel() {
        Value::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(j) => json_to_value(&j),
            Err(e) => {
                return Err(Definitions::Invalid(format!(
                    "container_definitions is not JSON: {e}"
                )))
            }
        },
        Value::Unknown(u) => match td.written("container_definitions").encoded {
            Some(x) => x.clone(),
            None => match u
                .cause()
                .template_parts()
                .and_then(|p| json_with_unknowns(&p))
            {
                Some(x) => x,
                None => {
                    return Err(Definitions::Unknown(format!(
                        "container_definitions is not known: {}",
                        u.cause()
                    )))
                }
            },
        },
        Value::Null => return Err(Definitions::Missing),
        _ => {
            return Err(Definitions::Invalid(
                "container_definitions must be a JSON string".into(),
            ));
        }
    };
    match structured.peel() {
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            let mut out = Partial {
                known: Vec::new(),
                unknown: Vec::new(),
            };
            for (index, it) in items.iter().enumerate() {
                match it.peel() {
                    Value::Map(m) => out.known.push(Container {
                        index,
                        fields: m.entries.clone(),
                    }),
                    Value::Unknown(u) => out.unknown.push((
                        index,
                        format!("container definition #{index} is not known: {}", u.cause()),
                    )),
                    _ => {
                        return Err(Definitions::Invalid(format!(
                            "container definition #{index} is not an object"
                        )))
                    }
                }
            }
            Ok(out)
        }
        Value::Unknown(u) => Err(Definitions::Unknown(format!(
            "container_definitions is not known: {}",
            u.cause()
        ))),
        _ => Err(Definitions::Invalid(
            "container_definitions must be a JSON list of objects".into(),
        )),
    }
}

/// A JSON document written as a template with unknown parts (a heredoc or `templatefile()`
/// whose JSON holds one ARN known only after apply), parsed with each unknown part standing
/// for a value: a part that is a whole JSON value becomes that Unknown, a string that contains
/// one becomes Unknown as a whole. None when the known text is not JSON around its holes.
pub fn json_with_unknowns(parts: &[Value]) -> Option<Value> {
    // Private-use characters no JSON document here holds, bracketing the part's number.
    const OPEN: char = '\u{E000}';
    const CLOSE: char = '\u{E001}';
    let mut text = String::new();
    let mut holes: Vec<&Value> = Vec::new();
    let mut in_string = false;
    for p in parts {
        match p {
            Value::String(t) => {
                let mut escaped = false;
                for c in t.chars() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' if in_string => escaped = true,
                        '"' => in_string = !in_string,
                        _ => {}
                    }
                }
                text.push_str(t);
            }
            unknown => {
                let mark = format!("{OPEN}{}{CLOSE}", holes.len());
                holes.push(unknown);
                if in_string {
                    text.push_str(&mark);
                } else {
                    text.push('"');
                    text.push_str(&mark);
                    text.push('"');
                }
            }
        }
    }
    let parsed: serde_json::Value = serde_json::from_str(&text).ok()?;
    fn fill(v: Value, holes: &[&Value]) -> Value {
        match v {
            Value::String(s) if s.contains(OPEN) => {
                let hole = s
                    .split(OPEN)
                    .nth(1)
                    .and_then(|r| r.split(CLOSE).next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| holes.get(n));
                match hole {
                    Some(h) => (*h).clone(),
                    None => Value::unknown(crate::model::Cause::Other("not known".into())),
                }
            }
            Value::List(items) => Value::List(items.into_iter().map(|x| fill(x, holes)).collect()),
            Value::Map(m) => Value::Map(m.into_iter().map(|(k, x)| (k, fill(x, holes))).collect()),
            other => other,
        }
    }
    Some(fill(json_to_value(&parsed), &holes))
}

/// Where a container image comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageSource {
    /// `<account>.dkr.ecr.<region>.amazonaws.com/...`, or an `aws_ecr_repository` URL.
    PrivateEcr,
    /// Any other registry (Docker Hub, public.ecr.aws, ghcr.io…): pulled over the internet.
    Public(String),
    Unknown(String),
}

/// Classifies an image reference; references to `aws_ecr_repository` count as private ECR
/// even though their URL is known only after apply.
pub fn image_source(model: &Model, image: &Value) -> ImageSource {
    match image.peel() {
        Value::String(s) => classify(s),
        Value::Null => ImageSource::Unknown("the container has no image".into()),
        v => {
            if model.targets(v).iter().any(|t| {
                matches!(
                    t.resource.rtype.as_str(),
                    "aws_ecr_repository" | "aws_ecr_repository_creation_template"
                )
            }) {
                return ImageSource::PrivateEcr;
            }
            let mut reason = String::from("the image is not known");
            crate::model::query::walk_unknowns(v, &mut |c: &Cause| {
                reason = format!("the image is not known: {c}");
            });
            ImageSource::Unknown(reason)
        }
    }
}

/// The image of container `c` of `td`: `image_source`, and for an image only partly known
/// (`"${var.account}.dkr.ecr.eu-west-1.amazonaws.com/web:${var.tag}"`), private ECR when the
/// registry host is written out.
pub fn image_source_of(model: &Model, td: &Resource, c: &Container) -> ImageSource {
    match image_source(model, c.image()) {
        ImageSource::Unknown(why) => match image_template(td, c) {
            Some(text) if text.split_once('/').is_some_and(|(h, _)| is_ecr_host(h)) => {
                ImageSource::PrivateEcr
            }
            _ => ImageSource::Unknown(why),
        },
        known => known,
    }
}

/// The image of container `c` as written in a template, its unknown parts as `…`.
pub fn image_template(td: &Resource, c: &Container) -> Option<String> {
    let parts = td
        .written(&format!("container_definitions[{}].image", c.index))
        .template?;
    Some(template_text(parts))
}

fn template_text(parts: &[Value]) -> String {
    parts.iter().map(|p| p.as_str().unwrap_or("…")).collect()
}

fn is_ecr_host(host: &str) -> bool {
    host.contains(".dkr.ecr.") && host.contains(".amazonaws.com")
}

fn classify(image: &str) -> ImageSource {
    let registry = image.split('/').next().unwrap_or("");
    // Docker's rule: the first component names a registry when it looks like a host.
    let is_host = image.contains('/')
        && (registry.contains('.') || registry.contains(':') || registry == "localhost");
    if is_host && is_ecr_host(registry) {
        ImageSource::PrivateEcr
    } else if is_host {
        ImageSource::Public(registry.to_string())
    } else {
        ImageSource::Public("docker.io".into())
    }
}

/// The registry of an `ImageSource::Public` host, as messages name it.
pub fn registry_name(host: &str) -> &'static str {
    if host == "docker.io" || host.ends_with(".docker.io") {
        "Docker Hub"
    } else if host == "public.ecr.aws" {
        "ECR Public (public.ecr.aws)"
    } else if host == "ghcr.io" {
        "GitHub Container Registry (ghcr.io)"
    } else if host == "quay.io" {
        "Quay (quay.io)"
    } else {
        "a registry outside Amazon ECR"
    }
}

/// The task definitions an `aws_ecs_service` runs: through its `task_definition` reference
/// (to a configured task definition, or to a `data "aws_ecs_task_definition"` that names a
/// family), or a literal `family[:revision]` or ARN. Task definition files of the same family
/// are included: they are what the pipeline registers for the service next.
pub fn task_definitions_of<'a>(model: &'a Model, service: &Resource) -> Vec<&'a Resource> {
    let Some(v) = service.get("task_definition") else {
        return Vec::new();
    };
    let mut out: Vec<&'a Resource> = Vec::new();
    let mut families: Vec<String> = Vec::new();
    let literal = v.as_str().is_some();
    if let Some(s) = v.as_str() {
        families.push(family_of(s).to_string());
    } else {
        // `targets_of` also has the links of planned values: a revision-less ARN built from
        // the family (`"arn:…:task-definition/${aws_ecs_task_definition.app.family}"`) runs
        // that task definition's latest revision.
        for t in model.targets_of(service, "task_definition") {
            let r = t.resource;
            if r.rtype != "aws_ecs_task_definition" {
                continue;
            }
            match r.mode {
                crate::model::Mode::Managed => {
                    if !out.iter().any(|x| std::ptr::eq(*x, r)) {
                        out.push(r);
                    }
                    if let Some(f) = r.get("family").and_then(Value::as_str) {
                        families.push(f.to_string());
                    }
                }
                crate::model::Mode::Data => {
                    if let Some(s) = r.get("task_definition").and_then(Value::as_str) {
                        families.push(family_of(s).to_string());
                    }
                }
            }
        }
    }
    for td in model.resources_of("aws_ecs_task_definition") {
        // Through a reference, the resource it names and the files of its family; a literal
        // names a family, whatever source holds its revisions.
        if !literal && !td.seen_in(crate::model::SourceKind::TaskDefinition) {
            continue;
        }
        let family = td.get("family").and_then(Value::as_str);
        if family.is_some_and(|f| families.iter().any(|x| x == f))
            && !out.iter().any(|x| std::ptr::eq(*x, td))
        {
            out.push(td);
        }
    }
    out
}

/// `arn:aws:ecs:…:task-definition/web:12`, `web:12` and `web` → `web`.
pub fn family_of(s: &str) -> &str {
    let tail = s.rsplit('/').next().unwrap_or(s);
    tail.split(':').next().unwrap_or(tail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::model_tf;

    #[test]
    fn jsonencode_with_an_unknown_image_keeps_the_ports() {
        let m = model_tf(
            r#"
resource "aws_ecr_repository" "app" { name = "app" }
resource "aws_ecs_task_definition" "t" {
  family = "web"
  container_definitions = jsonencode([{
    name         = "web"
    image        = "${aws_ecr_repository.app.repository_url}:latest"
    portMappings = [{ containerPort = 80, hostPort = 80 }]
    environment  = [{ name = "DB_PASSWORD", value = "hunter2" }]
  }])
}
resource "aws_ecs_service" "s" { task_definition = aws_ecs_task_definition.t.arn }
"#,
        );
        let svc = m.resources_of("aws_ecs_service").next().unwrap();
        let tds = task_definitions_of(&m, svc);
        assert_eq!(tds.len(), 1);
        let Definitions::Known(cs) = definitions(tds[0]) else {
            panic!("{:?}", definitions(tds[0]))
        };
        assert_eq!(cs[0].name(), Some("web"));
        assert_eq!(port(cs[0].port_mappings()[0].container_port), Some(80));
        assert_eq!(image_source(&m, cs[0].image()), ImageSource::PrivateEcr);
        assert_eq!(cs[0].environment()[0].name.as_str(), Some("DB_PASSWORD"));
        assert!(cs[0].log_driver().is_null());
    }

    #[test]
    fn heredoc_json_and_registries() {
        let m = model_tf(
            r#"
resource "aws_ecs_task_definition" "t" {
  family = "web"
  container_definitions = <<EOF
[{"name": "web", "image": "nginx:1.27", "portMappings": [{"containerPort": "8080"}],
  "logConfiguration": {"logDriver": "awslogs"}}]
EOF
}
resource "aws_ecs_service" "s" { task_definition = "web:3" }
"#,
        );
        let svc = m.resources_of("aws_ecs_service").next().unwrap();
        let td = task_definitions_of(&m, svc)[0];
        let Definitions::Known(cs) = definitions(td) else {
            panic!()
        };
        assert_eq!(port(cs[0].port_mappings()[0].container_port), Some(8080));
        assert_eq!(cs[0].log_driver().as_str(), Some("awslogs"));
        assert_eq!(
            image_source(&m, cs[0].image()),
            ImageSource::Public("docker.io".into())
        );
        assert_eq!(
            classify("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"),
            ImageSource::PrivateEcr
        );
        assert_eq!(
            classify("public.ecr.aws/nginx/nginx:latest"),
            ImageSource::Public("public.ecr.aws".into())
        );
    }

    #[test]
    fn registries() {
        let name = |image: &str| match classify(image) {
            ImageSource::Public(host) => Some(registry_name(&host)),
            _ => None,
        };
        assert_eq!(
            name("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"),
            None
        );
        assert_eq!(name("nginx:latest"), Some("Docker Hub"));
        assert_eq!(name("bitnami/nginx"), Some("Docker Hub"));
        assert_eq!(name("docker.io/library/nginx"), Some("Docker Hub"));
        assert_eq!(
            name("registry-1.docker.io/library/nginx"),
            Some("Docker Hub")
        );
        assert_eq!(
            name("public.ecr.aws/nginx/nginx:1"),
            Some("ECR Public (public.ecr.aws)")
        );
        assert_eq!(
            name("ghcr.io/o/i"),
            Some("GitHub Container Registry (ghcr.io)")
        );
        assert_eq!(name("quay.io/o/i"), Some("Quay (quay.io)"));
        assert_eq!(
            name("localhost:5000/x"),
            Some("a registry outside Amazon ECR")
        );
        assert_eq!(
            classify("localhost/x"),
            ImageSource::Public("localhost".into())
        );
    }

    /// A heredoc of JSON with one ARN known only after apply still shows its containers.
    #[test]
    fn heredoc_json_with_an_unknown_part_keeps_its_fields() {
        let m = model_tf(
            r#"
variable "tag" {}
resource "aws_secretsmanager_secret" "db" { name = "db" }
resource "aws_ecs_task_definition" "t" {
  container_definitions = <<EOF
[{"name": "web", "image": "nginx:${var.tag}", "essential": true,
  "portMappings": [{"containerPort": 8080}],
  "secrets": [{"name": "DB", "valueFrom": "${aws_secretsmanager_secret.db.arn}"}],
  "memory": ${var.tag}}]
EOF
}
"#,
        );
        let td = m.resources_of("aws_ecs_task_definition").next().unwrap();
        let Definitions::Known(cs) = definitions(td) else {
            panic!("{:?}", definitions(td))
        };
        let c = &cs[0];
        assert_eq!(c.fields["name"], Value::string("web"));
        assert_eq!(
            c.fields["portMappings"].as_list().unwrap()[0]
                .as_map()
                .unwrap()["containerPort"],
            Value::int(8080)
        );
        assert!(matches!(c.fields["image"], Value::Unknown(_)));
        assert!(matches!(c.fields["memory"], Value::Unknown(_)));
        let secret = &c.fields["secrets"].as_list().unwrap()[0].as_map().unwrap()["valueFrom"];
        assert_eq!(
            m.targets(secret)[0].resource.address,
            "aws_secretsmanager_secret.db"
        );
    }

    #[test]
    fn partly_known_images_are_ecr_when_the_host_is_written() {
        let m = model_tf(
            r#"
variable "acct" {}
variable "tag" {}
variable "registry" {}
resource "aws_ecs_task_definition" "t" {
  container_definitions = jsonencode([
    { name = "a", image = "${var.acct}.dkr.ecr.eu-west-1.amazonaws.com/web:latest" },
    { name = "b", image = "ghcr.io/acme/web:${var.tag}" },
    { name = "c", image = "${var.registry}/web:1" },
  ])
}
"#,
        );
        let td = m.resources_of("aws_ecs_task_definition").next().unwrap();
        let Definitions::Known(cs) = definitions(td) else {
            panic!()
        };
        let sources: Vec<ImageSource> = cs.iter().map(|c| image_source_of(&m, td, c)).collect();
        assert_eq!(sources[0], ImageSource::PrivateEcr);
        assert_eq!(
            image_template(td, &cs[0]).as_deref(),
            Some("….dkr.ecr.eu-west-1.amazonaws.com/web:latest")
        );
        assert_eq!(
            sources[1],
            ImageSource::Unknown("the image is not known: var.tag has no value".into())
        );
        assert!(matches!(sources[2], ImageSource::Unknown(_)));
    }

    #[test]
    fn unknown_definitions_say_why() {
        let m = model_tf(
            r#"
variable "defs" { type = string }
resource "aws_ecs_task_definition" "t" { container_definitions = var.defs }
"#,
        );
        let td = m.resources_of("aws_ecs_task_definition").next().unwrap();
        match definitions(td) {
            Definitions::Unknown(r) => assert_eq!(
                r,
                "container_definitions is not known: var.defs has no value"
            ),
            other => panic!("{other:?}"),
        }
    }
}
