//! `terraform show -json PLANFILE` (plan representation format 1.x): the planned values, the
//! prior state they were planned from, and each change's actions.
use super::sensitive::{self, kind};
use super::{parse, Instance, PlanDoc, Seg, StateError};
use crate::model::address::{Address, InstanceKey};
use crate::model::json::from_json;
use crate::model::Seq;
use crate::model::{Cause, Value};
use serde_json::{Map, Value as J};
use std::collections::{HashMap, HashSet};

/// Reads a plan. `Err` when the document cannot be read as a plan at all: not JSON, not an
/// object, a `format_version` that is missing or not 1.x. A resource that cannot be read (no
/// address, a bad instance key, a duplicate) is left out and reported in
/// [`PlanDoc::problems`], located; so is a plan that errored.
pub fn read_plan(text: &str) -> Result<PlanDoc, StateError> {
    from_document(text, &parse(text)?)
}

pub(crate) fn from_document(text: &str, json: &J) -> Result<PlanDoc, StateError> {
    let Some(top) = json.as_object() else {
        return Err(StateError::at(
            text,
            Some(0),
            format!("a Terraform plan is a JSON object, not {}", kind(json)),
        ));
    };
    let format_version = match top.get("format_version") {
        Some(J::String(v)) if v.starts_with("1.") => v.clone(),
        Some(J::String(v)) => {
            return Err(StateError::at_path(
                text,
                &[Seg::Key("format_version")],
                format!(
                    "plan format version {v:?} is not supported: infra-lint reads format 1.x \
                     (`terraform show -json PLANFILE` from Terraform 0.12 and later)"
                ),
            ))
        }
        Some(other) => {
            return Err(StateError::at_path(
                text,
                &[Seg::Key("format_version")],
                format!(
                    "\"format_version\" is {}, not a version string",
                    kind(other)
                ),
            ))
        }
        None => {
            return Err(StateError::at(
                text,
                Some(0),
                "not a Terraform plan: no \"format_version\"",
            ))
        }
    };
    let mut reader = Reader {
        text,
        problems: Vec::new(),
    };
    if top.get("errored").and_then(J::as_bool) == Some(true) {
        reader.problems.push(StateError::at_path(
            text,
            &[Seg::Key("errored")],
            "the plan errored: planned values may be missing or partial",
        ));
    }

    let (actions, changes) = reader.changes(top.get("resource_changes"));

    let mut planned = Vec::new();
    let mut seen = HashSet::new();
    if let Some(root) = top.get("planned_values").and_then(|p| p.get("root_module")) {
        let path = vec![Seg::Key("planned_values"), Seg::Key("root_module")];
        reader.walk(root, None, path, &mut |r, resource, address, path| {
            let change = changes.get(&address);
            if change.is_some_and(|c| c.delete_only) {
                return;
            }
            if !seen.insert(address.clone()) {
                r.problem(
                    &path,
                    format!("{address} appears more than once; the first is kept"),
                );
                return;
            }
            let mut attributes = values(resource.get("values"));
            if let Some(c) = change {
                if let Some(after) = c.change.get("after").filter(|a| a.is_object()) {
                    fill_missing(&mut attributes, from_json(after));
                }
            }
            let mut inst = instance(resource, address, attributes);
            if let Some(c) = change {
                mark_unknowns(&mut inst, c.change.get("after_unknown"));
                mark_sensitive(&mut inst, c.change.get("after_sensitive"));
            }
            mark_sensitive(&mut inst, resource.get("sensitive_values"));
            mark_schema(&mut inst);
            planned.push(inst);
        });
    }
    // Changes whose planned object planned_values does not list, in change order: Terraform
    // lists them all, but a filtered or hand-written plan may not, and nothing planned is lost.
    let mut rest: Vec<&Change> = changes
        .values()
        .filter(|c| !c.delete_only && !seen.contains(&c.address))
        .filter(|c| c.change.get("after").is_some_and(J::is_object))
        .collect();
    rest.sort_by_key(|c| c.index);
    for c in rest {
        let attributes = from_json(&c.change["after"]);
        let mut inst = instance(c.resource, c.address.clone(), attributes);
        mark_unknowns(&mut inst, c.change.get("after_unknown"));
        mark_sensitive(&mut inst, c.change.get("after_sensitive"));
        mark_schema(&mut inst);
        planned.push(inst);
    }

    let mut prior = Vec::new();
    let mut seen = HashSet::new();
    if let Some(root) = top
        .get("prior_state")
        .and_then(|p| p.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        let path = vec![
            Seg::Key("prior_state"),
            Seg::Key("values"),
            Seg::Key("root_module"),
        ];
        reader.walk(root, None, path, &mut |r, resource, address, path| {
            let deposed = resource
                .get("deposed_key")
                .and_then(J::as_str)
                .map(str::to_string);
            if !seen.insert((address.clone(), deposed.clone())) {
                r.problem(
                    &path,
                    format!("{address} appears more than once; the first is kept"),
                );
                return;
            }
            let mut inst = instance(resource, address, values(resource.get("values")));
            inst.deposed = deposed;
            if resource.get("tainted").and_then(J::as_bool) == Some(true) {
                inst.status = Some("tainted".into());
            }
            inst.dependencies = strings(resource.get("depends_on"));
            mark_sensitive(&mut inst, resource.get("sensitive_values"));
            mark_schema(&mut inst);
            prior.push(inst);
        });
    }

    Ok(PlanDoc {
        format_version,
        terraform_version: top
            .get("terraform_version")
            .and_then(J::as_str)
            .map(str::to_string),
        planned,
        prior,
        actions,
        problems: reader.problems,
    })
}

/// One entry of `resource_changes` for a current object (deposed objects are only deleted).
struct Change<'a> {
    index: usize,
    address: Address,
    resource: &'a Map<String, J>,
    change: &'a Map<String, J>,
    delete_only: bool,
}

/// Every change's actions, and the current objects' changes by address.
type Changes<'a> = (Vec<(Address, Vec<String>)>, HashMap<Address, Change<'a>>);

/// What [`Reader::walk`] calls for each resource: its object, address and document path.
type Visit<'a, 't> = dyn FnMut(&mut Reader<'t>, &'a Map<String, J>, Address, Vec<Seg<'a>>) + 'a;

struct Reader<'t> {
    text: &'t str,
    problems: Vec<StateError>,
}

impl<'t> Reader<'t> {
    fn problem(&mut self, path: &[Seg], message: String) {
        self.problems
            .push(StateError::at_path(self.text, path, message));
    }

    /// `resource_changes`: every change's actions, and the current objects' changes by address.
    fn changes<'a>(&mut self, list: Option<&'a J>) -> Changes<'a> {
        let mut actions = Vec::new();
        let mut by_address = HashMap::new();
        let items = match list {
            None | Some(J::Null) => &[][..],
            Some(J::Array(a)) => a.as_slice(),
            Some(other) => {
                self.problem(
                    &[Seg::Key("resource_changes")],
                    format!(
                        "\"resource_changes\" is {}, not a list; ignored",
                        kind(other)
                    ),
                );
                &[][..]
            }
        };
        for (i, rc) in items.iter().enumerate() {
            let path = [Seg::Key("resource_changes"), Seg::Index(i)];
            let Some(obj) = rc.as_object() else {
                self.problem(
                    &path,
                    format!("resource_changes[{i}] is {}, not an object", kind(rc)),
                );
                continue;
            };
            let module = obj.get("module_address").and_then(J::as_str);
            let address = match plan_address(obj, module) {
                Ok(a) => a,
                Err(e) => {
                    self.problem(&path, format!("resource_changes[{i}]: {e}; skipped"));
                    continue;
                }
            };
            let Some(change) = obj.get("change").and_then(J::as_object) else {
                self.problem(
                    &path,
                    format!("resource_changes[{i}] ({address}) has no \"change\" object; skipped"),
                );
                continue;
            };
            let acts = strings(change.get("actions"));
            let delete_only = acts == ["delete"];
            actions.push((address.clone(), acts));
            if obj.get("deposed").and_then(J::as_str).is_some() {
                continue;
            }
            if by_address.contains_key(&address) {
                self.problem(
                    &path,
                    format!("resource_changes[{i}]: {address} appears more than once; the first is kept"),
                );
                continue;
            }
            by_address.insert(
                address.clone(),
                Change {
                    index: i,
                    address,
                    resource: obj,
                    change,
                    delete_only,
                },
            );
        }
        (actions, by_address)
    }

    /// Every resource of a module value (`root_module` or a `child_modules` entry) and its
    /// descendants, with its address and its path in the document.
    fn walk<'a>(
        &mut self,
        module: &'a J,
        module_address: Option<&'a str>,
        path: Vec<Seg<'a>>,
        each: &mut Visit<'a, 't>,
    ) {
        if let Some(resources) = module.get("resources").and_then(J::as_array) {
            for (i, r) in resources.iter().enumerate() {
                let mut here = path.clone();
                here.extend([Seg::Key("resources"), Seg::Index(i)]);
                let Some(obj) = r.as_object() else {
                    self.problem(&here, format!("a resource is {}, not an object", kind(r)));
                    continue;
                };
                match plan_address(obj, module_address) {
                    Ok(address) => each(self, obj, address, here),
                    Err(e) => self.problem(&here, format!("{e}; skipped")),
                }
            }
        }
        if let Some(children) = module.get("child_modules").and_then(J::as_array) {
            for (i, child) in children.iter().enumerate() {
                let mut here = path.clone();
                here.extend([Seg::Key("child_modules"), Seg::Index(i)]);
                match child.get("address").and_then(J::as_str) {
                    Some(a) => self.walk(child, Some(a), here, each),
                    None => {
                        self.problem(&here, "a child module has no \"address\"; skipped".into())
                    }
                }
            }
        }
    }
}

/// The address from `mode`/`type`/`name`/`index` under `module`, or from `address` when
/// those are missing.
fn plan_address(r: &Map<String, J>, module: Option<&str>) -> Result<Address, String> {
    let field = |k: &str| r.get(k).and_then(J::as_str);
    match (field("mode"), field("type"), field("name")) {
        (Some(mode), Some(rtype), Some(name)) => {
            Address::from_state(module, mode, rtype, name, r.get("index"))
        }
        _ => match field("address") {
            Some(a) => Address::parse(a),
            None => Err("no \"mode\", \"type\" and \"name\", and no \"address\"".into()),
        },
    }
}

fn instance(r: &Map<String, J>, address: Address, attributes: Value) -> Instance {
    Instance {
        address,
        provider: r
            .get("provider_name")
            .and_then(J::as_str)
            .map(|p| format!("provider[\"{p}\"]")),
        schema_version: r.get("schema_version").and_then(J::as_u64),
        attributes,
        dependencies: Vec::new(),
        status: None,
        deposed: None,
    }
}

fn values(v: Option<&J>) -> Value {
    match v {
        Some(v @ J::Object(_)) => from_json(v),
        _ => Value::Map(Default::default()),
    }
}

fn strings(v: Option<&J>) -> Vec<String> {
    v.and_then(J::as_array)
        .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Adds to `base` what `extra` has and `base` lacks, at any depth.
fn fill_missing(base: &mut Value, extra: Value) {
    match (base, extra) {
        (Value::Map(b), Value::Map(e)) => {
            for (k, v) in e {
                match b.get_mut(&k) {
                    Some(existing) => fill_missing(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (Value::List(b), Value::List(e)) if b.len() == e.len() => {
            for (x, y) in b.iter_mut().zip(e) {
                fill_missing(x, y);
            }
        }
        (b @ Value::Null, e) => *b = e,
        _ => {}
    }
}

/// Marks what a mirror structure (`sensitive_values`, `after_sensitive`) says is sensitive.
fn mark_sensitive(inst: &mut Instance, mirror: Option<&J>) {
    if let Some(m) = mirror {
        sensitive::mark_mirror(&mut inst.attributes, m);
    }
}

/// The provider's secret attributes, marked last so that no later step replaces a mark.
fn mark_schema(inst: &mut Instance) {
    sensitive::mark_schema(inst.address.mode, &inst.address.rtype, &mut inst.attributes);
}

/// Where `after_unknown` is `true` the value becomes unknown, its cause naming the
/// attribute (`aws_instance.web.private_ip is known only after apply`). Attributes planned
/// unknown are absent from `after`, unknown list elements null; both are filled in.
fn mark_unknowns(inst: &mut Instance, mirror: Option<&J>) {
    let Some(mirror) = mirror else { return };
    let address = inst.address.to_string();
    if mirror == &J::Bool(true) {
        // Nothing of the object is known; it stays a map of what the configuration says.
        inst.attributes = Value::unknown(Cause::Reference(address));
        return;
    }
    let mut path = String::new();
    unknown_at(&mut inst.attributes, mirror, &address, &mut path);
}

fn unknown_at(v: &mut Value, mirror: &J, address: &str, path: &mut String) {
    if let Value::Sensitive(inner) = v {
        // Unknown inside, still sensitive.
        return unknown_at(inner, mirror, address, path);
    }
    match mirror {
        J::Bool(true) => *v = Value::unknown(Cause::Reference(format!("{address}{path}"))),
        J::Object(o) if has_true(mirror) => {
            if matches!(v, Value::Null) {
                *v = Value::Map(Default::default());
            }
            let Value::Map(m) = v else { return };
            for (k, sub) in o {
                if !has_true(sub) {
                    continue;
                }
                let len = path.len();
                path.push_str(&step_text(k));
                unknown_at(
                    m.entry(k.clone()).or_insert(Value::Null),
                    sub,
                    address,
                    path,
                );
                path.truncate(len);
            }
        }
        J::Array(a) if has_true(mirror) => {
            if matches!(v, Value::Null) {
                *v = Value::list(Vec::new());
            }
            let (Value::List(Seq { items: l, .. }) | Value::Set(l)) = v else {
                return;
            };
            for (i, sub) in a.iter().enumerate() {
                if !has_true(sub) {
                    continue;
                }
                if l.len() <= i {
                    l.resize(i + 1, Value::Null);
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                unknown_at(&mut l[i], sub, address, path);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn has_true(j: &J) -> bool {
    match j {
        J::Bool(b) => *b,
        J::Object(o) => o.values().any(has_true),
        J::Array(a) => a.iter().any(has_true),
        _ => false,
    }
}

/// `.name` for an identifier-like key, `["kubernetes.io/role"]` otherwise.
fn step_text(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ident {
        format!(".{k}")
    } else {
        InstanceKey::Str(k.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mode;

    fn find<'a>(list: &'a [Instance], address: &str) -> &'a Instance {
        list.iter()
            .find(|i| i.address.to_string() == address)
            .unwrap_or_else(|| panic!("{address} not found"))
    }

    fn attr<'a>(i: &'a Instance, k: &str) -> &'a Value {
        &i.attributes.as_map().unwrap()[k]
    }

    #[test]
    fn format_version_rules() {
        let e = read_plan(r#"{"format_version": "2.0", "planned_values": {}}"#).unwrap_err();
        assert!(e.message.contains("\"2.0\" is not supported"), "{e}");
        assert!(e.message.contains("format 1.x"), "{e}");
        assert_eq!(e.line, Some(1));
        assert!(read_plan(r#"{"format_version": 1}"#).is_err());
        assert!(read_plan(r#"{"planned_values": {}}"#).is_err());
        assert!(read_plan("{").is_err());
        let ok = read_plan(r#"{"format_version": "1.0"}"#).unwrap();
        assert!(ok.planned.is_empty() && ok.prior.is_empty() && ok.actions.is_empty());
    }

    #[test]
    fn unknowns_deletes_and_merging() {
        let text = r#"{
  "format_version": "1.2", "terraform_version": "1.6.0",
  "planned_values": {"root_module": {
    "resources": [
      {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
       "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
       "values": {"ami": "ami-1", "ebs": [{"size": 8}, null], "tags": {"Name": "w"}},
       "sensitive_values": {"ebs": [{}, {}]}}
    ],
    "child_modules": [{"address": "module.db[\"a\"]", "resources": [
      {"address": "module.db[\"a\"].aws_db_instance.this[0]", "mode": "managed",
       "type": "aws_db_instance", "name": "this", "index": 0,
       "provider_name": "registry.terraform.io/hashicorp/aws",
       "values": {"password": "pw", "port": 5432}, "sensitive_values": {}}
    ]}]
  }},
  "resource_changes": [
    {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
     "change": {"actions": ["create"], "before": null,
                "after": {"ami": "ami-1", "ebs": [{"size": 8}, null], "tags": {"Name": "w"}, "user_data": "x"},
                "after_unknown": {"id": true, "ebs": [{"id": true}, true], "tags": {},
                                  "network": [{"kubernetes.io/x": true}]},
                "after_sensitive": {"user_data": true}}},
    {"address": "module.db[\"a\"].aws_db_instance.this[0]", "module_address": "module.db[\"a\"]",
     "mode": "managed", "type": "aws_db_instance", "name": "this", "index": 0,
     "change": {"actions": ["no-op"], "after": {"password": "pw", "port": 5432}, "after_unknown": {}}},
    {"address": "aws_s3_bucket.old", "mode": "managed", "type": "aws_s3_bucket", "name": "old",
     "change": {"actions": ["delete"], "before": {"id": "b"}, "after": null, "after_unknown": {}}},
    {"address": "aws_s3_bucket.cbd", "mode": "managed", "type": "aws_s3_bucket", "name": "cbd",
     "deposed": "00000001",
     "change": {"actions": ["delete"], "before": {"id": "c"}, "after": null}},
    {"address": "aws_db_instance.new", "mode": "managed", "type": "aws_db_instance", "name": "new",
     "change": {"actions": ["create"], "after": {"engine": "postgres"}, "after_unknown": {"password": true}}},
    {"address": "data.aws_ami.late", "mode": "data", "type": "aws_ami", "name": "late",
     "change": {"actions": ["read"], "after": {"owners": ["amazon"]}, "after_unknown": {"id": true}}}
  ]
}"#;
        let doc = read_plan(text).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.format_version, "1.2");
        let printed: Vec<String> = doc.planned.iter().map(|i| i.address.to_string()).collect();
        assert_eq!(
            printed,
            [
                "aws_instance.web",
                "module.db[\"a\"].aws_db_instance.this[0]",
                "aws_db_instance.new",
                "data.aws_ami.late"
            ]
        );
        let web = find(&doc.planned, "aws_instance.web");
        assert_eq!(
            web.provider.as_deref(),
            Some("provider[\"registry.terraform.io/hashicorp/aws\"]")
        );
        assert_eq!(web.schema_version, Some(1));
        let id = attr(web, "id");
        assert_eq!(
            id.first_unknown().unwrap().cause().to_string(),
            "aws_instance.web.id is known only after apply"
        );
        let ebs = attr(web, "ebs").as_list().unwrap();
        assert_eq!(ebs[0].as_map().unwrap()["size"], Value::int(8));
        assert_eq!(
            ebs[0].as_map().unwrap()["id"]
                .first_unknown()
                .unwrap()
                .cause()
                .to_string(),
            "aws_instance.web.ebs[0].id is known only after apply"
        );
        assert_eq!(
            ebs[1].first_unknown().unwrap().cause().to_string(),
            "aws_instance.web.ebs[1] is known only after apply"
        );
        let network = attr(web, "network").as_list().unwrap();
        assert_eq!(
            network[0].first_unknown().unwrap().cause().to_string(),
            "aws_instance.web.network[0][\"kubernetes.io/x\"] is known only after apply"
        );
        assert_eq!(
            attr(web, "tags").as_map().unwrap()["Name"],
            Value::string("w")
        );
        // Merged from `after`, marked from `after_sensitive`.
        assert_eq!(
            attr(web, "user_data"),
            &Value::Sensitive(Box::new(Value::string("x")))
        );
        let pw = find(&doc.planned, "aws_db_instance.new");
        assert!(
            matches!(attr(pw, "password"), Value::Sensitive(_)),
            "{:?}",
            attr(pw, "password")
        );
        assert!(attr(pw, "password").first_unknown().is_some());
        let db = find(&doc.planned, "module.db[\"a\"].aws_db_instance.this[0]");
        assert!(matches!(attr(db, "password"), Value::Sensitive(_)));
        assert_eq!(db.address.module_path(), "module.db[\"a\"]");
        let late = find(&doc.planned, "data.aws_ami.late");
        assert_eq!(late.address.mode, Mode::Data);
        assert!(attr(late, "id").first_unknown().is_some());

        let acts: Vec<(String, Vec<String>)> = doc
            .actions
            .iter()
            .map(|(a, v)| (a.to_string(), v.clone()))
            .collect();
        assert_eq!(acts.len(), 6);
        assert_eq!(
            acts[2],
            ("aws_s3_bucket.old".into(), vec!["delete".to_string()])
        );
        assert_eq!(
            acts[3],
            ("aws_s3_bucket.cbd".into(), vec!["delete".to_string()])
        );
        assert!(!doc
            .planned
            .iter()
            .any(|i| i.address.rtype == "aws_s3_bucket"));
    }

    #[test]
    fn broken_entries_are_problems() {
        let text = r#"{"format_version": "1.1", "errored": true,
  "planned_values": {"root_module": {"resources": [
     {"mode": "managed", "type": "t"},
     {"mode": "managed", "type": "t", "name": "ok", "values": {}},
     {"mode": "managed", "type": "t", "name": "ok", "values": {}}
  ], "child_modules": [{"resources": []}]}},
  "resource_changes": [{"address": "t.ok"}, 3]
}"#;
        let doc = read_plan(text).unwrap();
        assert_eq!(doc.planned.len(), 1);
        let msgs: Vec<String> = doc.problems.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 6, "{msgs:#?}");
        assert!(msgs[0].contains("the plan errored"), "{}", msgs[0]);
        assert!(
            msgs.iter().any(|m| m.contains("(t.ok) has no \"change\"")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("resource_changes[1] is a number")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 3, column 6: no \"mode\"")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("t.ok appears more than once")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("child module has no \"address\"")),
            "{msgs:#?}"
        );
    }

    #[test]
    fn real_terraform_plan() {
        // `terraform show -json` of Terraform 1.11.4: after the state in
        // testdata/terraform_data.tfstate, with `gen` changed from 1 to 2 (one instance
        // deleted, one replaced, one tainted instance replaced).
        let doc = read_plan(include_str!("testdata/terraform_data.plan.json")).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.terraform_version.as_deref(), Some("1.11.4"));
        let planned: Vec<String> = doc.planned.iter().map(|i| i.address.to_string()).collect();
        assert!(
            !planned.contains(&"terraform_data.gone[0]".to_string()),
            "{planned:?}"
        );
        assert!(planned.contains(&"module.child[\"k1\"].terraform_data.inner[0]".to_string()));
        let gone = doc
            .actions
            .iter()
            .find(|(a, _)| a.to_string() == "terraform_data.gone[0]")
            .unwrap();
        assert_eq!(gone.1, ["delete"]);
        let c1 = find(&doc.planned, "terraform_data.c[1]");
        assert_eq!(
            attr(c1, "id").first_unknown().unwrap().cause().to_string(),
            "terraform_data.c[1].id is known only after apply"
        );
        assert_eq!(attr(c1, "input"), &Value::int(1));
        let a = find(&doc.planned, "terraform_data.a");
        let input = attr(a, "input").as_map().unwrap();
        assert!(matches!(input["password"], Value::Sensitive(_)));
        assert!(matches!(
            input["list"].as_list().unwrap()[1],
            Value::Sensitive(_)
        ));
        assert_eq!(
            input["big"].as_number().unwrap().format(),
            "12345678901234567890123"
        );
        let m = find(&doc.planned, "terraform_data.m[\"$${x}\"]");
        assert_eq!(attr(m, "input"), &Value::string("${x}"));

        // The prior state is the state the plan was made from.
        assert_eq!(doc.prior.len(), 10);
        let c1 = find(&doc.prior, "terraform_data.c[1]");
        assert_eq!(c1.status.as_deref(), Some("tainted"));
        assert!(matches!(attr(c1, "id"), Value::String(_)));
        let x = find(
            &doc.prior,
            "module.child[\"k1\"].data.terraform_remote_state.x",
        );
        assert_eq!(x.address.mode, Mode::Data);
        let a = find(&doc.prior, "terraform_data.a");
        assert!(matches!(
            attr(a, "input").as_map().unwrap()["password"],
            Value::Sensitive(_)
        ));
    }
}
