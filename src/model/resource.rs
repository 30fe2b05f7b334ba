//! Resources and the rest of an evaluated configuration, in Terraform's own names.
use super::Value;
use crate::diag::NotEvaluated;
use crate::source::Span;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}

/// Where a value came from: its own expression and, when it was set elsewhere (a tfvars line,
/// a module call argument, a variable default), those places too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub span: Span,
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
    pub span: Span,
    pub label: String,
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
    /// Full instance address: `module.db[0].aws_db_instance.this["a"]`.
    pub address: String,
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
}

impl Resource {
    /// Address without instance key: `module.db.aws_db_instance.this` style, for matching
    /// references (which name the configuration object, not one instance).
    pub fn config_address(&self) -> String {
        let prefix = if self.mode == Mode::Data { "data." } else { "" };
        let module = strip_keys(&self.module);
        if module.is_empty() {
            format!("{prefix}{}.{}", self.rtype, self.name)
        } else {
            format!("{module}.{prefix}{}.{}", self.rtype, self.name)
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }

    pub fn origin(&self, path: &str) -> Option<&Origin> {
        self.origins.get(path)
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

impl Model {
    pub fn resources_of<'a>(&'a self, rtype: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources
            .iter()
            .filter(move |r| r.mode == Mode::Managed && r.rtype == rtype)
    }
}

#[cfg(test)]
mod tests {
    use crate::hcl::{load, LoadOptions};

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
