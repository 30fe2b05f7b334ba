//! Following references between resources: what rules use to walk from an ECS service to its
//! task definition, target group, subnets and security groups.
//!
//! In configuration, `aws_security_group.db.id` is known only after apply; the evaluator keeps
//! it as `Unknown(Cause::Resource { module, target, attribute })`, and that value flows through
//! variables, locals and module arguments. So following *values* (not expressions) finds the
//! resource even when a module receives it as `var.security_group_ids`.
use super::{Cause, Mode, Model, Resource, Value};

/// One resource a value points at, and the attribute read (`id`, `arn`, `name`…).
#[derive(Clone, Debug)]
pub struct Target<'a> {
    pub resource: &'a Resource,
    pub attribute: Option<String>,
}

impl Model {
    /// Every instance of the configuration object `target` (`aws_subnet.private`,
    /// `data.aws_iam_policy.x`) declared in the module instance `module`.
    pub fn instances_of<'a>(&'a self, module: &str, target: &str) -> Vec<&'a Resource> {
        let (mode, rest) = match target.strip_prefix("data.") {
            Some(r) => (Mode::Data, r),
            None => (Mode::Managed, target),
        };
        let Some((rtype, name)) = rest.split_once('.') else {
            return Vec::new();
        };
        self.resources
            .iter()
            .filter(|r| r.mode == mode && r.module == module && r.rtype == rtype && r.name == name)
            .collect()
    }

    /// The resources a value refers to, anywhere inside it (lists, maps, interpolations that
    /// stayed unknown). Duplicates removed, order of first appearance.
    pub fn targets<'a>(&'a self, v: &Value) -> Vec<Target<'a>> {
        let mut out: Vec<Target<'a>> = Vec::new();
        walk_unknowns(v, &mut |c| {
            if let Cause::Resource {
                module,
                target,
                key,
                attribute,
            } = c
            {
                let all = self.instances_of(module, target);
                // A reference to one instance leads to it; to the whole object, to every one.
                let picked: Vec<&Resource> = match key {
                    Some(k) => all
                        .into_iter()
                        .filter(|r| r.key.as_ref() == Some(k))
                        .collect(),
                    None => all,
                };
                for r in picked {
                    if !out
                        .iter()
                        .any(|t| std::ptr::eq(t.resource, r) && t.attribute == *attribute)
                    {
                        out.push(Target {
                            resource: r,
                            attribute: attribute.clone(),
                        });
                    }
                }
            }
        });
        out
    }

    /// The resources an attribute of `r` refers to (`path` as in `Resource::get_path`).
    pub fn targets_of<'a>(&'a self, r: &Resource, path: &str) -> Vec<Target<'a>> {
        r.get_path(path)
            .map(|v| self.targets(v))
            .unwrap_or_default()
    }

    /// Resources of `rtype` that refer to `to` from any attribute: the attachments of a role,
    /// the rules of a security group, the associations of a subnet.
    pub fn referrers<'a>(&'a self, to: &Resource, rtype: &'a str) -> Vec<&'a Resource> {
        self.resources
            .iter()
            .filter(|r| r.rtype == rtype)
            .filter(|r| {
                r.attributes
                    .values()
                    .any(|v| self.targets(v).iter().any(|t| std::ptr::eq(t.resource, to)))
            })
            .collect()
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
                (Value::List(items) | Value::Set(items), Ok(i)) => items.get(i)?,
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
        Value::List(items) | Value::Set(items) => items.iter().for_each(|x| walk_unknowns(x, f)),
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
