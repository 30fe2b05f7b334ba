//! Links between resources as model data: "this attribute points at that resource", indexed
//! once per model and filled the same way whatever the source. Configuration links come from
//! typed references (an Unknown that remembers `aws_iam_role.exec.arn`); state and live links
//! come from one identity index (IDs and ARNs), disambiguated by state `dependencies`.
use super::{Cause, Mode, Model, Resource, Value};
use crate::model::Seq;
use std::collections::HashMap;

/// How a link was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A typed reference in configuration.
    Reference,
    /// A known ID or ARN that names another loaded resource.
    Identity,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Index of the resource holding the attribute, in `Model::resources`.
    pub from: usize,
    /// Attribute path in `from` (`load_balancer[0].target_group_arn`).
    pub path: String,
    pub to: usize,
    /// The attribute of `to` that is read (`id`, `arn`), when known.
    pub attribute: Option<String>,
    pub kind: LinkKind,
}

/// Arguments that hold a resource's own names and descriptions, never a pointer to another:
/// a string in them that equals some resource's ID (a task definition family `web`, an IAM role
/// named `web`) is a coincidence.
const NOT_REFERENCES: &[&str] = &[
    "id",
    "arn",
    "name",
    "name_prefix",
    "family",
    "description",
    "identifier",
    "tags",
    "tags_all",
    "container_name",
    "container_definitions",
    "policy",
    "assume_role_policy",
    "user_data",
];

#[derive(Clone, Debug, Default)]
pub struct Index {
    /// ID or ARN → resources that have it.
    identity: HashMap<String, Vec<usize>>,
    /// Known strings that configuration read from another resource's argument
    /// (`cluster_name = aws_ecs_cluster.main.name`, planned as `"main"`) → that resource: the
    /// value no longer says where it came from, and a name is not an identity.
    planned: HashMap<String, Vec<(usize, Option<String>)>>,
    links: Vec<Link>,
    outgoing: Vec<Vec<usize>>,
    incoming: Vec<Vec<usize>>,
}

/// Terraform types that name the same kind of AWS object: a live object joins a
/// configuration or state resource of any type of its group, and a configuration resource
/// collides with a live object of any type of its group (the ALB a state holds as
/// `aws_alb`, the main route table it holds as an `aws_route_table`).
const SAME_KIND: &[&[&str]] = &[
    &["aws_vpc", "aws_default_vpc"],
    &["aws_subnet", "aws_default_subnet"],
    &["aws_route_table", "aws_default_route_table"],
    &["aws_security_group", "aws_default_security_group"],
    &["aws_lb", "aws_alb"],
    &["aws_lb_target_group", "aws_alb_target_group"],
    &["aws_lb_listener", "aws_alb_listener"],
    &["aws_lb_listener_rule", "aws_alb_listener_rule"],
];

/// The first type of `rtype`'s group: two types are the same kind when this is equal.
pub fn kind_of(rtype: &str) -> &str {
    SAME_KIND
        .iter()
        .find(|g| g.contains(&rtype))
        .map_or(rtype, |g| g[0])
}

/// The identifiers other resources use to point at `r`: its ID and ARN.
pub fn identifiers(r: &Resource) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let attr = |k: &str| r.get(k).and_then(Value::as_str).map(String::from);
    let candidates = [
        r.identity.id.clone().or_else(|| attr("id")),
        r.identity.arn.clone().or_else(|| attr("arn")),
    ];
    for v in candidates.into_iter().flatten() {
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

impl Index {
    pub fn build(model: &Model) -> Index {
        let n = model.resources.len();
        let mut ix = Index {
            identity: HashMap::new(),
            planned: HashMap::new(),
            links: Vec::new(),
            outgoing: vec![Vec::new(); n],
            incoming: vec![Vec::new(); n],
        };
        for (i, r) in model.resources.iter().enumerate() {
            for key in identifiers(r) {
                ix.identity.entry(key).or_default().push(i);
            }
        }
        let mut links = Vec::new();
        for (i, r) in model.resources.iter().enumerate() {
            for (path, causes) in &r.written.planned {
                for c in causes {
                    for (to, attribute, kind) in ix.resolve_leaf(model, Leaf::Cause(c), Some(r)) {
                        let link = Link {
                            from: i,
                            path: path.clone(),
                            to,
                            attribute,
                            kind,
                        };
                        if to == i || links.contains(&link) {
                            continue;
                        }
                        if let Some(s) = link
                            .attribute
                            .as_deref()
                            .and_then(|a| model.resources[to].get(a))
                            .and_then(Value::as_str)
                        {
                            let at = ix.planned.entry(s.to_string()).or_default();
                            let entry = (to, link.attribute.clone());
                            if !at.contains(&entry) {
                                at.push(entry);
                            }
                        }
                        links.push(link);
                    }
                }
            }
        }
        for (i, r) in model.resources.iter().enumerate() {
            for (name, v) in &r.attributes {
                if NOT_REFERENCES.contains(&name.as_str()) {
                    continue;
                }
                walk(v, name, &mut |path, leaf| {
                    for (to, attribute, kind) in ix.resolve_leaf(model, leaf, Some(r)) {
                        if to != i {
                            links.push(Link {
                                from: i,
                                path: path.to_string(),
                                to,
                                attribute,
                                kind,
                            });
                        }
                    }
                });
            }
        }
        for (k, l) in links.iter().enumerate() {
            ix.outgoing[l.from].push(k);
            ix.incoming[l.to].push(k);
        }
        ix.links = links;
        ix
    }

    /// The resources one leaf of a value points at: through its typed reference when it is an
    /// Unknown, through the identity index when it is a known string. `holder` (the resource
    /// the value belongs to) breaks ties between resources sharing an ID by its dependencies.
    pub(crate) fn resolve_leaf(
        &self,
        model: &Model,
        leaf: Leaf<'_>,
        holder: Option<&Resource>,
    ) -> Vec<(usize, Option<String>, LinkKind)> {
        match leaf {
            Leaf::Cause(Cause::Resource {
                module,
                target,
                key,
                attribute,
            }) => instances(model, module, target)
                .filter(|&i| key.is_none() || model.resources[i].key == *key)
                .map(|i| (i, attribute.clone(), LinkKind::Reference))
                .collect(),
            Leaf::Cause(_) => Vec::new(),
            Leaf::Str(s) => {
                let Some(found) = self.identity.get(s) else {
                    return self
                        .planned
                        .get(s)
                        .into_iter()
                        .flatten()
                        .map(|(i, a)| (*i, a.clone(), LinkKind::Reference))
                        .collect();
                };
                let mut found = found.clone();
                if found.len() > 1 {
                    if let Some(h) = holder.filter(|h| !h.depends_on.is_empty()) {
                        let dep: Vec<usize> = found
                            .iter()
                            .copied()
                            .filter(|&i| {
                                h.depends_on.contains(&model.resources[i].config_address())
                            })
                            .collect();
                        if !dep.is_empty() {
                            found = dep;
                        }
                    }
                }
                found
                    .into_iter()
                    .map(|i| {
                        let r = &model.resources[i];
                        let attribute = if r.identity.arn.as_deref() == Some(s) {
                            "arn"
                        } else {
                            "id"
                        };
                        (i, Some(attribute.to_string()), LinkKind::Identity)
                    })
                    .collect()
            }
        }
    }

    pub fn by_identity(&self, key: &str) -> &[usize] {
        self.identity.get(key).map_or(&[], Vec::as_slice)
    }

    pub fn links(&self) -> &[Link] {
        &self.links
    }

    pub fn outgoing(&self, from: usize) -> impl Iterator<Item = &Link> {
        self.outgoing
            .get(from)
            .into_iter()
            .flatten()
            .map(|&k| &self.links[k])
    }

    pub fn incoming(&self, to: usize) -> impl Iterator<Item = &Link> {
        self.incoming
            .get(to)
            .into_iter()
            .flatten()
            .map(|&k| &self.links[k])
    }
}

/// One leaf of a value that may point at a resource.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Leaf<'a> {
    Cause(&'a Cause),
    Str(&'a str),
}

/// Calls `f` with the path and every leaf of `v` that may point at a resource.
pub(crate) fn walk(v: &Value, path: &str, f: &mut dyn FnMut(&str, Leaf<'_>)) {
    match v {
        Value::Unknown(u) => {
            for c in u.cause().leaves() {
                f(path, Leaf::Cause(c));
            }
        }
        Value::String(s) => f(path, Leaf::Str(s)),
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            for (i, x) in items.iter().enumerate() {
                walk(x, &format!("{path}[{i}]"), f);
            }
        }
        Value::Map(m) => {
            for (k, x) in m {
                // Nested blocks name other objects with any key (`target_group { arn = … }`);
                // only tags and descriptions are never pointers.
                if matches!(k.as_str(), "tags" | "tags_all" | "description") {
                    continue;
                }
                walk(x, &format!("{path}.{k}"), f);
            }
        }
        Value::Sensitive(inner) => walk(inner, path, f),
        _ => {}
    }
}

/// Indexes of every instance of the configuration object `target` (`aws_subnet.private`,
/// `data.aws_iam_policy.x`) declared in the module instance `module`.
pub(crate) fn instances<'a>(
    model: &'a Model,
    module: &'a str,
    target: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    let (mode, rest) = match target.strip_prefix("data.") {
        Some(r) => (Mode::Data, r),
        None => (Mode::Managed, target),
    };
    let (rtype, name) = rest.split_once('.').unwrap_or(("", ""));
    model
        .resources
        .iter()
        .enumerate()
        .filter(move |(_, r)| {
            !rtype.is_empty()
                && r.mode == mode
                && r.module == module
                && r.rtype == rtype
                && r.name == name
        })
        .map(|(i, _)| i)
}
