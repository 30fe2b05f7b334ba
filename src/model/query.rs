//! Following references between resources: what analyses and rules use to walk from an ECS
//! service to its task definition, target group, subnets and security groups. Every way of
//! following goes through here, whatever the source: a configuration value that stays Unknown
//! remembers the resource it waits for (`aws_security_group.db.id`, even through variables,
//! locals and module arguments); a known ID or ARN from state or the account is looked up in
//! the identity index (`model::links`).
use super::links::{self, Index, Leaf};
use super::{Cause, Model, Resource, Value};
use crate::model::Seq;

/// One resource a value points at, and the attribute read (`id`, `arn`, `name`…).
#[derive(Clone, Debug)]
pub struct Target<'a> {
    pub resource: &'a Resource,
    pub attribute: Option<String>,
}

/// What a value made of references and literals points at: the resources of the wanted types,
/// the literal strings that name no loaded resource (ids like `subnet-0abc` of objects outside
/// every source), and why the rest is not known.
#[derive(Debug, Default)]
pub struct Follow<'a> {
    pub resources: Vec<&'a Resource>,
    pub literals: Vec<String>,
    pub unknown: Option<String>,
}

impl Follow<'_> {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.literals.is_empty() && self.unknown.is_none()
    }
}

impl Model {
    /// The identity index and links, built once per model.
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(self))
    }

    /// Every instance of the configuration object `target` (`aws_subnet.private`,
    /// `data.aws_iam_policy.x`) declared in the module instance `module`.
    pub fn instances_of<'a>(&'a self, module: &str, target: &str) -> Vec<&'a Resource> {
        links::instances(self, module, target)
            .map(|i| &self.resources[i])
            .collect()
    }

    /// Resources whose ID or ARN is `key`.
    pub fn by_identity<'a>(&'a self, key: &str) -> Vec<&'a Resource> {
        self.index()
            .by_identity(key)
            .iter()
            .map(|&i| &self.resources[i])
            .collect()
    }

    /// A managed resource of `rtype` whose AWS name (`name` argument, or its ID where the ID is
    /// the name, as for IAM roles and policies) is `name`.
    pub fn by_name<'a>(&'a self, rtype: &'a str, name: &str) -> Option<&'a Resource> {
        self.resources_of(rtype).find(|r| {
            r.get("name").and_then(Value::as_str) == Some(name)
                || r.identity.id.as_deref() == Some(name)
        })
    }

    fn resolve<'a>(&'a self, v: &Value, holder: Option<&Resource>) -> Vec<Target<'a>> {
        let ix = self.index();
        let mut out: Vec<Target<'a>> = Vec::new();
        links::walk(v, "", &mut |_, leaf| {
            for (i, attribute, _) in ix.resolve_leaf(self, leaf, holder) {
                let r = &self.resources[i];
                if !out
                    .iter()
                    .any(|t| std::ptr::eq(t.resource, r) && t.attribute == attribute)
                {
                    out.push(Target {
                        resource: r,
                        attribute,
                    });
                }
            }
        });
        out
    }

    /// The resources a value refers to, anywhere inside it (lists, maps, interpolations that
    /// stayed unknown, known IDs and ARNs). Duplicates removed, order of first appearance.
    pub fn targets<'a>(&'a self, v: &Value) -> Vec<Target<'a>> {
        self.resolve(v, None)
    }

    /// The resources an attribute of `r` refers to (`path` as in `Resource::get_path`).
    /// Includes the links of references that evaluated to a planned value (`from_port =
    /// aws_lb_target_group.api.port`, now `80`).
    pub fn targets_of<'a>(&'a self, r: &Resource, path: &str) -> Vec<Target<'a>> {
        let mut out = r
            .get_path(path)
            .map(|v| self.resolve(v, Some(r)))
            .unwrap_or_default();
        if let Some(i) = self.position(r) {
            let under = |p: &str| {
                p == path
                    || p.strip_prefix(path)
                        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            };
            for l in self.index().outgoing(i).filter(|l| under(&l.path)) {
                let to = &self.resources[l.to];
                if !out
                    .iter()
                    .any(|t| std::ptr::eq(t.resource, to) && t.attribute == l.attribute)
                {
                    out.push(Target {
                        resource: to,
                        attribute: l.attribute.clone(),
                    });
                }
            }
        }
        out
    }

    /// Follows `v` to resources of `types` (managed or data, by type name): what it points at,
    /// the literals that name nothing loaded, and why the rest is unknown.
    pub fn follow<'a>(&'a self, v: &Value, types: &[&str]) -> Follow<'a> {
        let ix = self.index();
        let mut out = Follow::default();
        collect(self, ix, v, types, &mut out);
        out
    }

    /// Resources of `rtype` that refer to `to` from any attribute: the attachments of a role,
    /// the rules of a security group, the associations of a subnet.
    pub fn referrers<'a>(&'a self, to: &Resource, rtype: &'a str) -> Vec<&'a Resource> {
        let Some(i) = self.position(to) else {
            return Vec::new();
        };
        let mut out: Vec<&Resource> = Vec::new();
        for l in self.index().incoming(i) {
            let r = &self.resources[l.from];
            if r.rtype == rtype && !out.iter().any(|x| std::ptr::eq(*x, r)) {
                out.push(r);
            }
        }
        out
    }

    /// The index of `r` in `resources` (rules hold references into the model).
    pub fn position(&self, r: &Resource) -> Option<usize> {
        let base = self.resources.as_ptr() as usize;
        let at = r as *const Resource as usize;
        let size = std::mem::size_of::<Resource>();
        let i = at.checked_sub(base)? / size;
        (i < self.resources.len() && std::ptr::eq(&self.resources[i], r)).then_some(i)
    }

    /// A value whose unknown reads an input attribute of another resource
    /// (`aws_vpc.main.cidr_block`) becomes that attribute's value where it is known.
    pub fn input_value<'a>(&'a self, v: &'a Value) -> &'a Value {
        if let Value::Unknown(_) = v.peel() {
            if let [t] = self.targets(v).as_slice() {
                if let Some(x) = t.attribute.as_deref().and_then(|a| t.resource.get(a)) {
                    if x.is_wholly_known() {
                        return x;
                    }
                }
            }
        }
        v
    }
}

/// What an unknown value waits for: the resource object (`aws_vpc.main`,
/// `data.aws_vpc.default`) and attribute, when it is a resource attribute known after apply.
pub fn awaited_attribute(v: &Value) -> Option<(&str, Option<&str>)> {
    let Value::Unknown(u) = v.peel() else {
        return None;
    };
    awaited(u.cause())
}

/// Like `awaited_attribute`, for one cause.
pub fn awaited(c: &Cause) -> Option<(&str, Option<&str>)> {
    match c {
        Cause::Resource {
            target, attribute, ..
        } => Some((target.as_str(), attribute.as_deref())),
        _ => None,
    }
}

fn collect<'a>(model: &'a Model, ix: &Index, v: &Value, types: &[&str], out: &mut Follow<'a>) {
    match v.peel() {
        Value::String(s) => {
            let found: Vec<&Resource> = ix
                .resolve_leaf(model, Leaf::Str(s), None)
                .into_iter()
                .map(|(i, _, _)| &model.resources[i])
                .filter(|r| types.contains(&r.rtype.as_str()))
                .collect();
            if found.is_empty() {
                out.literals.push(s.clone());
            }
            push_all(out, found);
        }
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            for x in items {
                collect(model, ix, x, types, out);
            }
        }
        Value::Map(m) => {
            for x in m.values() {
                collect(model, ix, x, types, out);
            }
        }
        Value::Unknown(u) => {
            for leaf in u.cause().leaves() {
                let found: Vec<&Resource> = ix
                    .resolve_leaf(model, Leaf::Cause(leaf), None)
                    .into_iter()
                    .map(|(i, _, _)| &model.resources[i])
                    .filter(|r| types.contains(&r.rtype.as_str()))
                    .collect();
                if found.is_empty() {
                    out.unknown.get_or_insert_with(|| leaf.to_string());
                }
                push_all(out, found);
            }
        }
        _ => {}
    }
}

fn push_all<'a>(out: &mut Follow<'a>, found: Vec<&'a Resource>) {
    for r in found {
        if !out.resources.iter().any(|x| std::ptr::eq(*x, r)) {
            out.resources.push(r);
        }
    }
}

impl Resource {
    /// A nested value by path: `load_balancer[0].container_port`, `tags.Name`.
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let mut parts = path_steps(path).into_iter();
        let first = parts.next()?;
        let mut v = self.attributes.get(first.as_str())?;
        for p in parts {
            v = match (v.peel(), p.parse::<usize>()) {
                (Value::List(Seq { items, .. }) | Value::Set(items), Ok(i)) => items.get(i)?,
                (Value::Map(m), _) => m.get(p.as_str())?,
                _ => return None,
            };
        }
        Some(v)
    }
}

/// `a[0].b.c` → ["a", "0", "b", "c"].
fn path_steps(path: &str) -> Vec<String> {
    path.split(['.', '['])
        .map(|s| s.trim_end_matches(']').trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Calls `f` on the cause of every Unknown inside `v`.
pub fn walk_unknowns(v: &Value, f: &mut dyn FnMut(&Cause)) {
    match v {
        Value::Unknown(u) => u.cause().leaves().into_iter().for_each(&mut *f),
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            items.iter().for_each(|x| walk_unknowns(x, f))
        }
        Value::Map(m) => m.values().for_each(|x| walk_unknowns(x, f)),
        Value::Sensitive(inner) => walk_unknowns(inner, f),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::hcl::{load, LoadOptions};
    use crate::model::Value;

    #[test]
    fn values_lead_to_resources_through_module_arguments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("m")).unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"
resource "aws_security_group" "db" {}
module "db" {
  source = "./m"
  sgs    = [aws_security_group.db.id]
}
"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("m/main.tf"),
            r#"
variable "sgs" {}
resource "aws_db_instance" "this" {
  vpc_security_group_ids = var.sgs
}
"#,
        )
        .unwrap();
        let loaded = load(dir.path(), &LoadOptions::default());
        let m = &loaded.model;
        let db = m.resources_of("aws_db_instance").next().unwrap();
        let t = m.targets_of(db, "vpc_security_group_ids");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].resource.address, "aws_security_group.db");
        assert_eq!(t[0].attribute.as_deref(), Some("id"));
        let sg = t[0].resource;
        assert_eq!(m.referrers(sg, "aws_db_instance").len(), 1);
        assert!(db.get_path("vpc_security_group_ids[0]").is_some());
    }

    #[test]
    fn functions_over_several_references_keep_them_all() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"
resource "aws_subnet" "a" {}
resource "aws_subnet" "b" {}
resource "aws_ecs_service" "s" {
  network_configuration {
    subnets = compact(distinct([aws_subnet.a.id, aws_subnet.b.id, ""]))
  }
}
"#,
        )
        .unwrap();
        let m = load(dir.path(), &LoadOptions::default()).model;
        let svc = m.resources_of("aws_ecs_service").next().unwrap();
        let v = svc.get_path("network_configuration[0].subnets").unwrap();
        let got: Vec<&str> = m
            .targets(v)
            .iter()
            .map(|t| t.resource.address.as_str())
            .collect();
        assert_eq!(got, ["aws_subnet.a", "aws_subnet.b"]);
        let Value::Unknown(u) = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            u.cause().to_string(),
            "aws_subnet.a.id is known only after apply (and 1 more value not known)"
        );
    }
}
