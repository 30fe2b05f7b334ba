//! Resources and the rest of an evaluated configuration, in Terraform's own names.
use super::Value;
use crate::model::Seq;
use crate::source::{Location, Span};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}

/// Where a value came from: its own expression (or its place in a state file) and, when it was
/// set elsewhere (a tfvars line, a module call argument, a variable default, the state that
/// filled what configuration left unknown), those places too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub location: Location,
    pub via: Vec<Via>,
    /// The value is computed only from text written in the configuration and its `.tfvars`
    /// files: no `--var`/`TF_VAR_` input, no resource attribute, no `for_each` element. Rules
    /// that care whether a value is written in the repository (plain-text secrets) read this.
    pub constant: bool,
}

/// One place a value passed through, with what that place is
/// ("terraform.tfvars sets var.db_public", "module argument publicly_accessible").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    pub location: Location,
    pub label: String,
    /// This place supplied the value: the configuration's own text did not know it (a state
    /// filled what a variable without value left unknown). Then that text holds no secret.
    pub supplies: bool,
}

/// Something infra-lint could not evaluate, with the reason; never a pass, never a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotEvaluated {
    /// The rule code, or None when the note comes from loading/evaluation.
    pub code: Option<String>,
    pub subject: String,
    pub reason: String,
    pub location: Option<Location>,
}

/// The sources a resource was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Config,
    State,
    Plan,
    Live,
    /// An ECS task definition file of the repository (`task-definition.json`).
    #[serde(rename = "task-definition")]
    TaskDefinition,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Config => "config",
            SourceKind::State => "state",
            SourceKind::Plan => "plan",
            SourceKind::Live => "live",
            SourceKind::TaskDefinition => "task-definition",
        }
    }
    /// How messages name what is true of this source ("in this configuration", "in the state").
    pub fn phrase(self) -> &'static str {
        match self {
            SourceKind::Config => "in this configuration",
            SourceKind::State => "in the loaded state",
            SourceKind::Plan => "in the loaded plan",
            SourceKind::Live => "in the account",
            SourceKind::TaskDefinition => "in the task definition file",
        }
    }
}

/// One source a resource was seen in, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub kind: SourceKind,
    pub location: Location,
}

/// What identifies a resource outside Terraform: its ID and ARN, as state and the account
/// have them (configuration knows them only after apply).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub id: Option<String>,
    pub arn: Option<String>,
}

/// By-products of evaluating HCL that rules may inspect where a value stayed unknown: what a
/// `jsonencode(...)` was given, the parts of a string template. Empty for other sources.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// For attributes written `jsonencode(X)` whose result is unknown (one part is known only
    /// after apply), X itself, keeping every known part: by attribute path.
    pub encoded: BTreeMap<String, Value>,
    /// For attributes written as a string template whose result is unknown
    /// (`"arn:${data.aws_partition.current.partition}:iam::aws:policy/X"`), its parts by
    /// attribute path: literal text and interpolated values, known ones as strings. Also the
    /// templates inside a `jsonencode` argument kept in `encoded`, by their path under the
    /// attribute (`container_definitions[0].image`).
    pub templates: BTreeMap<String, Vec<Value>>,
    /// References that evaluated to a value the plan knows (`port =
    /// aws_lb_target_group.api.port`, written `80` there), by attribute path: the value
    /// itself no longer names the resource, so the link is kept here.
    pub planned: BTreeMap<String, Vec<super::Cause>>,
}

/// What the configuration wrote for one attribute path, beyond its value (see `Written`).
#[derive(Clone, Copy, Debug, Default)]
pub struct WrittenAt<'a> {
    pub encoded: Option<&'a Value>,
    pub template: Option<&'a [Value]>,
}

/// A reference from an attribute to another object: `aws_iam_role.exec.arn` in
/// `execution_role_arn` becomes `{ from: "execution_role_arn", target:
/// "aws_iam_role.exec", attribute: ["arn"] }`. Targets carry the module path.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    pub from: String,
    pub target: String,
    pub attribute: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Resource {
    /// Full instance address as printed: `module.db[0].aws_db_instance.this["a"]`.
    pub address: String,
    /// The same address, typed: what sources are joined by.
    pub addr: super::Address,
    pub mode: Mode,
    pub rtype: String,
    pub name: String,
    /// Module instance path, "" for the root module.
    pub module: String,
    /// Instance key as printed in the address (`[0]`, `["web"]`), if any.
    pub key: Option<String>,
    /// Arguments, with nested blocks as lists of objects (as Terraform state holds them).
    pub attributes: BTreeMap<String, Value>,
    /// Attribute path (`load_balancer[0].container_port`) to where its value was written.
    pub origins: BTreeMap<String, Origin>,
    pub references: Vec<Reference>,
    /// The block header in configuration.
    pub span: Option<Span>,
    /// The whole block, for edits that add to it.
    pub block: Option<Span>,
    /// HCL evaluation by-products; read through `written`.
    pub written: Written,
    /// Every source the resource was read from, first the one that defines where findings
    /// point (configuration when it has the block).
    pub seen: Vec<Seen>,
    pub identity: Identity,
    /// Configuration addresses this instance depends on, from state `dependencies`.
    pub depends_on: Vec<String>,
    /// `lifecycle { ignore_changes = [...] }` as written: attribute paths (`tags`,
    /// `health_check[0].port`), or `*` for `all`.
    pub ignore_changes: Vec<String>,
    /// What each other source held for this resource, as it held it (the merged `attributes`
    /// keep configuration's values): drift compares state with the account here.
    pub layers: Vec<Layer>,
}

/// `import { to = <address>  id = "<id>" }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub to: String,
    /// None when not a known string.
    pub id: Option<String>,
    pub span: Span,
}

/// One source's own view of a resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub kind: SourceKind,
    pub location: Location,
    pub attributes: BTreeMap<String, Value>,
}

impl Resource {
    /// What the source of `kind` held for this resource, if it was seen there.
    pub fn layer(&self, kind: SourceKind) -> Option<&Layer> {
        self.layers.iter().find(|l| l.kind == kind)
    }

    /// Records what the source of `kind` at `location` held (the first document of a kind
    /// wins, as it does for the merged values).
    pub fn add_layer(
        &mut self,
        kind: SourceKind,
        location: &Location,
        attributes: &BTreeMap<String, Value>,
    ) {
        if self.layer(kind).is_none() {
            self.layers.push(Layer {
                kind,
                location: location.clone(),
                attributes: attributes.clone(),
            });
        }
    }

    /// Whether `lifecycle { ignore_changes }` covers the attribute path `path`.
    pub fn ignores_changes(&self, path: &str) -> bool {
        self.ignore_changes.iter().any(|i| {
            i == "*"
                || path == i
                || path
                    .strip_prefix(i.as_str())
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
                || i.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
    }

    /// A resource no configuration declares, as a state, plan or live loader creates it.
    pub fn from_address(addr: &super::Address, seen: Seen) -> Resource {
        Resource {
            address: addr.to_string(),
            addr: addr.clone(),
            mode: addr.mode,
            rtype: addr.rtype.clone(),
            name: addr.name.clone(),
            module: addr.module_path(),
            key: addr.key.as_ref().map(|k| k.to_string()),
            attributes: BTreeMap::new(),
            origins: BTreeMap::new(),
            references: Vec::new(),
            span: None,
            block: None,
            written: Written::default(),
            seen: vec![seen],
            identity: Identity::default(),
            depends_on: Vec::new(),
            ignore_changes: Vec::new(),
            layers: Vec::new(),
        }
    }

    /// Takes `attrs` as the resource's own attributes, each located at its path in the source at
    /// `location` (a resource only a state, plan or the account has).
    pub fn set_attributes_at(&mut self, attrs: &BTreeMap<String, Value>, location: &Location) {
        for (k, v) in attrs {
            self.attributes.insert(k.clone(), v.clone());
            self.set_origins_at(k, v, location, 0);
        }
    }

    /// `path` and, inside nested blocks (lists of objects: `health_check[0].port`,
    /// `network_configuration[0].assign_public_ip`), the paths below it, two levels deep:
    /// findings on a nested attribute then name its own place.
    fn set_origins_at(&mut self, path: &str, v: &Value, location: &Location, depth: usize) {
        self.origins.insert(
            path.to_string(),
            Origin {
                location: location.at_path(path),
                via: Vec::new(),
                constant: false,
            },
        );
        if depth >= 2 {
            return;
        }
        if let Value::List(Seq { items, .. }) | Value::Set(items) = v.peel() {
            for (i, item) in items.iter().enumerate() {
                if let Value::Map(m) = item.peel() {
                    for (k, inner) in m {
                        self.set_origins_at(
                            &format!("{path}[{i}].{k}"),
                            inner,
                            location,
                            depth + 1,
                        );
                    }
                }
            }
        }
    }

    /// Where findings about the resource point: its block header in configuration, else the
    /// first other source it was seen in.
    pub fn location(&self) -> Option<Location> {
        match &self.span {
            Some(s) => Some(Location::Source(s.clone())),
            None => self.seen.first().map(|s| s.location.clone()),
        }
    }

    /// The source that defines the resource: configuration when it has the block.
    pub fn primary_source(&self) -> SourceKind {
        if self.span.is_some() {
            SourceKind::Config
        } else {
            self.seen.first().map_or(SourceKind::Config, |s| s.kind)
        }
    }

    pub fn seen_in(&self, kind: SourceKind) -> bool {
        self.seen.iter().any(|s| s.kind == kind)
    }

    /// The place that supplied the value at `path` (or at a path enclosing it) when the
    /// configuration's own text did not know it: a state or plan.
    pub fn supplied_by(&self, path: &str) -> Option<&Via> {
        let mut p = path;
        loop {
            if let Some(v) = self
                .origins
                .get(p)
                .and_then(|o| o.via.iter().find(|v| v.supplies))
            {
                return Some(v);
            }
            p = &p[..p.rfind(['.', '['])?];
        }
    }

    /// True when the configuration writes `path` itself (not a value only a state or plan
    /// supplied to an argument configuration leaves unset).
    pub fn writes(&self, path: &str) -> bool {
        let Some(header) = &self.span else {
            return false;
        };
        self.origin(path)
            .is_some_and(|o| o.location.span().is_some_and(|s| s != header))
    }

    /// The HCL by-products recorded for one attribute path (nothing for other sources).
    pub fn written(&self, path: &str) -> WrittenAt<'_> {
        WrittenAt {
            encoded: self.written.encoded.get(path),
            template: self.written.templates.get(path).map(Vec::as_slice),
        }
    }

    /// Address without instance key: `module.db.aws_db_instance.this` style, for matching
    /// references (which name the configuration object, not one instance).
    pub fn config_address(&self) -> String {
        self.addr.config_address()
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }

    pub fn origin(&self, path: &str) -> Option<&Origin> {
        self.origins.get(path)
    }

    /// The most precise origin recorded for `path` or, failing that, for the nearest enclosing
    /// path: `container_definitions[0].portMappings[0].containerPort` is the `80` when the
    /// definitions were written as constructors, the whole `container_definitions` expression
    /// when they come from `file()` or a variable.
    pub fn origin_at(&self, path: &str) -> Option<&Origin> {
        let mut p = path;
        loop {
            if let Some(o) = self.origins.get(p) {
                return Some(o);
            }
            p = &p[..p.rfind(['.', '['])?];
        }
    }
}

/// `module.a[0].module.b["x"]` → `module.a.module.b`.
pub fn strip_keys(addr: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_str = false;
    for c in addr.chars() {
        match c {
            '"' if depth > 0 => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub module: String,
    pub name: String,
    pub value: Value,
    pub sensitive: bool,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Named {
    pub module: String,
    pub name: String,
    pub value: Value,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Backend {
    pub kind: String,
    pub attributes: BTreeMap<String, Value>,
    /// The settings `terraform init` saved for this backend type (`.terraform/terraform.tfstate`:
    /// the block merged with `-backend-config`), when that file is there.
    pub initialized: Option<BTreeMap<String, Value>>,
    /// The `backend "s3"` header.
    pub span: Span,
    /// The whole block, for edits that add to it.
    pub block: Span,
}

#[derive(Clone, Debug)]
pub struct Provider {
    pub module: String,
    pub name: String,
    pub alias: Option<String>,
    pub attributes: BTreeMap<String, Value>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ModuleCall {
    /// Instance address, e.g. `module.db` or `module.svc["web"]`.
    pub address: String,
    pub source: String,
    /// Directory shown to users, or None when the source is not available locally.
    pub dir: Option<String>,
    pub span: Span,
}

/// Everything infra-lint knows about a configuration after evaluation.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub resources: Vec<Resource>,
    /// Per resource type, whether the loaded sources hold every object of that type there is
    /// to see (see `Model::coverage`). Absent: complete.
    pub coverage: BTreeMap<String, Coverage>,
    /// The kinds of source this model was built from.
    pub loaded: std::collections::BTreeSet<SourceKind>,
    /// With a live scan: the resource types it reads and the regions it read. A state
    /// resource of such a type, in such a region, that the scan did not find is gone.
    pub live_types: std::collections::BTreeSet<String>,
    pub live_regions: Vec<String>,
    /// The root module's `import` blocks: the next apply adopts these objects.
    pub imports: Vec<Import>,
    /// The identity index and the links between resources, built on first use (see `links`).
    pub(crate) index: std::sync::OnceLock<super::links::Index>,
    pub variables: Vec<Variable>,
    pub locals: Vec<Named>,
    pub outputs: Vec<Named>,
    pub providers: Vec<Provider>,
    pub backend: Option<Backend>,
    /// The root module's `terraform { required_version = "..." }`, when it is a known string.
    pub required_version: Option<String>,
    pub modules: Vec<ModuleCall>,
    pub not_evaluated: Vec<NotEvaluated>,
}

/// Whether a source saw every object of a type: a live scan denied
/// `ec2:DescribeRouteTables` has not, and "no route table" is then not a fact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coverage {
    Complete,
    NotReadable(String),
}

impl Model {
    /// Ok when every object of `rtype` the sources could hold is loaded; the reason otherwise.
    /// An analysis calls this before it reads an absence (no route, no attachment) as a fact.
    pub fn coverage(&self, rtype: &str) -> Result<(), String> {
        match self.coverage.get(rtype) {
            Some(Coverage::NotReadable(why)) => Err(format!("{rtype} could not be read: {why}")),
            _ => Ok(()),
        }
    }

    /// Why the `dynamic "<kind>"` blocks inside `r` were not expanded, when their `for_each`
    /// was unknown (configuration only: other sources hold the expanded blocks).
    pub fn skipped_dynamic(&self, r: &Resource, kind: &str) -> Option<String> {
        let block = r.block.as_ref()?;
        let subject = format!("dynamic \"{kind}\"");
        self.not_evaluated
            .iter()
            .find(|n| {
                n.subject == subject
                    && n.location.as_ref().and_then(|l| l.span()).is_some_and(|s| {
                        s.file == block.file && s.start >= block.start && s.end <= block.end
                    })
            })
            .map(|n| format!("dynamic \"{kind}\" blocks: {}", n.reason))
    }

    /// Visits every source span the model holds, so a loader can map them all at once.
    pub fn for_each_span_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let loc = |l: &mut Location, f: &mut dyn FnMut(&mut Span)| {
            if let Location::Source(s) = l {
                f(s)
            }
        };
        for r in &mut self.resources {
            r.span
                .iter_mut()
                .chain(r.block.iter_mut())
                .for_each(&mut *f);
            for o in r.origins.values_mut() {
                loc(&mut o.location, f);
                for v in &mut o.via {
                    loc(&mut v.location, f);
                }
            }
            for s in &mut r.seen {
                loc(&mut s.location, f);
            }
        }
        for v in &mut self.variables {
            v.span.iter_mut().for_each(&mut *f);
        }
        for n in self.locals.iter_mut().chain(self.outputs.iter_mut()) {
            n.span.iter_mut().for_each(&mut *f);
        }
        if let Some(b) = &mut self.backend {
            f(&mut b.span);
            f(&mut b.block);
        }
        for p in &mut self.providers {
            f(&mut p.span);
        }
        for m in &mut self.modules {
            f(&mut m.span);
        }
        for n in &mut self.not_evaluated {
            if let Some(l) = &mut n.location {
                loc(l, f);
            }
        }
    }

    /// How messages say "among what was loaded": "in this configuration" when only
    /// configuration was read, naming the other sources when they were.
    pub fn scope(&self) -> &'static str {
        let state =
            self.loaded.contains(&SourceKind::State) || self.loaded.contains(&SourceKind::Plan);
        match (state, self.loaded.contains(&SourceKind::Live)) {
            (false, false) => "in this configuration",
            (true, false) => "in this configuration or its state",
            (false, true) => "in this configuration or the account",
            (true, true) => "in this configuration, its state or the account",
        }
    }

    /// Call after changing `resources`: links are rebuilt on next use.
    pub fn invalidate_links(&mut self) {
        self.index = std::sync::OnceLock::new();
    }

    pub fn resources_of<'a>(&'a self, rtype: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources
            .iter()
            .filter(move |r| r.mode == Mode::Managed && r.rtype == rtype)
    }
}

#[cfg(test)]
mod tests {
    use crate::hcl::{load, LoadOptions};

    /// The text each path's most precise origin points at, and the labels of its vias.
    fn origins(main: &str, rtype: &str, paths: &[&str]) -> Vec<(String, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), main).unwrap();
        let loaded = load(dir.path(), &LoadOptions::default());
        let r = loaded.model.resources_of(rtype).next().unwrap();
        paths
            .iter()
            .map(|p| {
                let o = r
                    .origin_at(p)
                    .unwrap_or_else(|| panic!("no origin for {p}"));
                let s = o.location.span().expect("configuration origin");
                let text = loaded.sources.get(s.file).text[s.start..s.end].to_string();
                (text, o.via.iter().map(|v| v.label.clone()).collect())
            })
            .collect()
    }

    fn texts(v: Vec<(String, Vec<String>)>) -> Vec<String> {
        v.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn jsonencode_constructors_give_each_field_its_place() {
        let main = r#"
variable "port" { default = 8080 }
locals { defs = [{ name = "x" }] }
resource "aws_ecs_task_definition" "t" {
  container_definitions = jsonencode([
    {
      name         = "web"
      portMappings = [{ containerPort = 80 }, { "containerPort" = var.port }]
      environment  = [for k, v in { A = "1" } : { name = k, value = v }]
    }
  ])
}
"#;
        let got = origins(
            main,
            "aws_ecs_task_definition",
            &[
                "container_definitions[0].portMappings[0].containerPort",
                "container_definitions[0].portMappings[1].containerPort",
                "container_definitions[0].name",
                // Inside a `for` expression: the nearest recorded place.
                "container_definitions[0].environment[0].name",
                "container_definitions[1].name",
            ],
        );
        assert_eq!(got[1].1.len(), 1, "var.port's default is a via: {got:?}");
        assert_eq!(
            texts(got),
            [
                "80",
                "var.port",
                "\"web\"",
                "[for k, v in { A = \"1\" } : { name = k, value = v }]",
                "jsonencode([\n    {\n      name         = \"web\"\n      portMappings = [{ containerPort = 80 }, { \"containerPort\" = var.port }]\n      environment  = [for k, v in { A = \"1\" } : { name = k, value = v }]\n    }\n  ])",
            ]
        );
    }

    #[test]
    fn heredoc_json_and_plain_objects_and_calls() {
        let main = r#"
resource "aws_ecs_task_definition" "t" {
  family = "web"
  container_definitions = <<-EOF
    [{"name": "web", "portMappings": [{"containerPort": 8080}]}]
  EOF
  tags = { Name = "web", Team = upper("a") }
  volume {
    name = "data"
    efs_volume_configuration {
      root_directory = file("x")
    }
  }
}
"#;
        let got = origins(
            main,
            "aws_ecs_task_definition",
            &[
                "container_definitions[0].portMappings[0].containerPort",
                "container_definitions[0]",
                "tags.Team",
                "volume[0].efs_volume_configuration[0].root_directory",
            ],
        );
        assert_eq!(
            texts(got),
            [
                "8080",
                r#"{"name": "web", "portMappings": [{"containerPort": 8080}]}"#,
                "upper(\"a\")",
                "file(\"x\")",
            ]
        );
    }

    #[test]
    fn origin_says_whether_a_value_is_written_in_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"
variable "with_default" {
  default = "a"
}
variable "from_tfvars" {}
variable "from_cli" {}
locals {
  joined = "${var.with_default}-${var.from_tfvars}"
}
resource "aws_db_instance" "x" {
  literal  = "p"
  default  = var.with_default
  tfvars   = var.from_tfvars
  cli      = var.from_cli
  local    = local.joined
  computed = aws_iam_role.r.arn
  mixed    = "${var.with_default}${var.from_cli}"
}
"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("terraform.tfvars"), "from_tfvars = \"b\"\n").unwrap();
        let opts = LoadOptions {
            vars: vec![("from_cli".into(), "c".into())],
            ..Default::default()
        };
        let loaded = load(dir.path(), &opts);
        let r = loaded.model.resources_of("aws_db_instance").next().unwrap();
        let constant = |a: &str| r.origin(a).unwrap().constant;
        assert!(constant("literal"));
        assert!(constant("default"));
        assert!(constant("tfvars"));
        assert!(constant("local"));
        assert!(!constant("cli"));
        assert!(!constant("computed"));
        assert!(!constant("mixed"));
    }
}
