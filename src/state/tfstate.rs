//! Terraform state files, format version 4 (Terraform 0.12 and later), as `terraform state
//! pull` prints them and the local backend writes them.
use super::sensitive::{self, kind};
use super::{parse, Instance, Seg, StateDoc, StateError};
use crate::model::address::Address;
use crate::model::json::from_json;
use crate::model::Value;
use serde_json::Value as J;
use std::collections::HashSet;

/// Reads a state file. `Err` when the file cannot be read as a v4 state at all: not JSON, not
/// an object, no `version`, a format version other than 4, `resources` not a list. A resource
/// or instance that cannot be read (no mode/type/name, `attributes` not an object, only legacy
/// `attributes_flat`, a bad instance key, a duplicate) is left out and reported in
/// [`StateDoc::problems`], located; the rest of the file still loads.
pub fn read_state(text: &str) -> Result<StateDoc, StateError> {
    from_document(text, &parse(text)?)
}

pub(crate) fn from_document(text: &str, json: &J) -> Result<StateDoc, StateError> {
    let Some(top) = json.as_object() else {
        return Err(StateError::at(
            text,
            Some(0),
            format!("a Terraform state is a JSON object, not {}", kind(json)),
        ));
    };
    let at = |path: &[Seg], message: String| StateError::at_path(text, path, message);
    let version = match top.get("version") {
        None => return Err(at(&[], "not a Terraform state: no \"version\"".into())),
        Some(v) => v.as_u64().ok_or_else(|| {
            at(
                &[Seg::Key("version")],
                format!("state \"version\" is {v}, not a format version number"),
            )
        })?,
    };
    match version {
        4 => {}
        0..=3 => {
            return Err(at(
                &[Seg::Key("version")],
                format!(
                    "state format version {version} is not supported: infra-lint reads version 4 \
                     (Terraform 0.12 and later); upgrade it with a `terraform state pull` from \
                     Terraform ≥ 0.12"
                ),
            ))
        }
        _ => {
            return Err(at(
                &[Seg::Key("version")],
                format!(
                    "state format version {version} is newer than infra-lint supports (it reads \
                     version 4)"
                ),
            ))
        }
    }

    let mut problems = Vec::new();
    let terraform_version = top
        .get("terraform_version")
        .and_then(J::as_str)
        .map(str::to_string);
    if let Some(v) = &terraform_version {
        if !is_version(v) {
            // Terraform refuses such a file; nothing infra-lint reads depends on it.
            problems.push(at(
                &[Seg::Key("terraform_version")],
                format!("\"terraform_version\" {v:?} is not a version number"),
            ));
        }
    }

    let resources = match top.get("resources") {
        None | Some(J::Null) => &[][..],
        Some(J::Array(a)) => a.as_slice(),
        Some(other) => {
            return Err(at(
                &[Seg::Key("resources")],
                format!("\"resources\" is {}, not a list", kind(other)),
            ))
        }
    };
    let mut instances = Vec::new();
    let mut seen = HashSet::new();
    for (i, r) in resources.iter().enumerate() {
        read_resource(text, i, r, &mut instances, &mut seen, &mut problems);
    }

    Ok(StateDoc {
        version,
        terraform_version,
        serial: top.get("serial").and_then(J::as_u64),
        lineage: top.get("lineage").and_then(J::as_str).map(str::to_string),
        instances,
        outputs: read_outputs(text, top.get("outputs"), &mut problems),
        problems,
    })
}

fn read_resource(
    text: &str,
    i: usize,
    r: &J,
    out: &mut Vec<Instance>,
    seen: &mut HashSet<(Address, Option<String>)>,
    problems: &mut Vec<StateError>,
) {
    let here = [Seg::Key("resources"), Seg::Index(i)];
    let Some(obj) = r.as_object() else {
        problems.push(StateError::at_path(
            text,
            &here,
            format!("resources[{i}] is {}, not an object", kind(r)),
        ));
        return;
    };
    let field = |k: &str| obj.get(k).and_then(J::as_str);
    let missing: Vec<&str> = ["mode", "type", "name"]
        .into_iter()
        .filter(|k| field(k).is_none_or(str::is_empty))
        .collect();
    if !missing.is_empty() {
        let quoted: Vec<String> = missing.iter().map(|k| format!("\"{k}\"")).collect();
        problems.push(StateError::at_path(
            text,
            &here,
            format!("resources[{i}] has no {}; skipped", quoted.join(", ")),
        ));
        return;
    }
    let (mode, rtype, name) = (
        field("mode").unwrap_or_default(),
        field("type").unwrap_or_default(),
        field("name").unwrap_or_default(),
    );
    let module = field("module");
    // The resource's own address, for messages that name it.
    let label = match Address::from_state(module, mode, rtype, name, None) {
        Ok(a) => a.to_string(),
        Err(e) => {
            problems.push(StateError::at_path(
                text,
                &here,
                format!("resources[{i}] ({rtype}.{name}): {e}; skipped"),
            ));
            return;
        }
    };
    let instances = match obj.get("instances") {
        None | Some(J::Null) => &[][..],
        Some(J::Array(a)) => a.as_slice(),
        Some(other) => {
            problems.push(StateError::at_path(
                text,
                &[here[0], here[1], Seg::Key("instances")],
                format!(
                    "resources[{i}] ({label}): \"instances\" is {}, not a list; skipped",
                    kind(other)
                ),
            ));
            return;
        }
    };
    let provider = field("provider").map(str::to_string);
    for (j, inst) in instances.iter().enumerate() {
        let path = [here[0], here[1], Seg::Key("instances"), Seg::Index(j)];
        let problem = |sub: Option<&'static str>, message: String| {
            let mut p = path.to_vec();
            p.extend(sub.map(Seg::Key));
            StateError::at_path(
                text,
                &p,
                format!("resources[{i}].instances[{j}] ({label}): {message}"),
            )
        };
        let Some(io) = inst.as_object() else {
            problems.push(problem(
                None,
                format!("{} instead of an object; skipped", kind(inst)),
            ));
            continue;
        };
        let address = match Address::from_state(module, mode, rtype, name, io.get("index_key")) {
            Ok(a) => a,
            Err(e) => {
                problems.push(problem(Some("index_key"), format!("{e}; skipped")));
                continue;
            }
        };
        let mut attributes = match (io.get("attributes"), io.get("attributes_flat")) {
            (Some(J::Object(_)), _) => from_json(&io["attributes"]),
            (Some(a), _) if !a.is_null() => {
                problems.push(problem(
                    Some("attributes"),
                    format!("\"attributes\" is {}, not an object; skipped", kind(a)),
                ));
                continue;
            }
            (_, Some(J::Object(flat))) => from_flatmap(flat),
            (_, Some(f)) if !f.is_null() => {
                problems.push(problem(
                    Some("attributes_flat"),
                    format!("\"attributes_flat\" is {}, not an object; skipped", kind(f)),
                ));
                continue;
            }
            // Terraform reads an instance without attributes as an empty object.
            _ => Value::Map(Default::default()),
        };
        let deposed = io.get("deposed").and_then(J::as_str).map(str::to_string);
        if !seen.insert((address.clone(), deposed.clone())) {
            let what = match &deposed {
                Some(d) => format!("deposed object {d:?} of {address}"),
                None => address.to_string(),
            };
            problems.push(problem(
                None,
                format!("{what} appears more than once; the first is kept"),
            ));
            continue;
        }
        if let Some(paths) = io.get("sensitive_attributes") {
            let (paths, unreadable) = sensitive::state_paths(paths);
            sensitive::mark_paths(&mut attributes, &paths);
            for u in unreadable {
                problems.push(problem(Some("sensitive_attributes"), u));
            }
        }
        sensitive::mark_schema(address.mode, &address.rtype, &mut attributes);
        // `dependencies` since 0.13; 0.12 wrote `depends_on`, which Terraform now ignores
        // but which names the same configuration objects.
        let dependencies = io
            .get("dependencies")
            .or_else(|| io.get("depends_on"))
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        out.push(Instance {
            address,
            provider: provider.clone(),
            schema_version: io.get("schema_version").and_then(J::as_u64),
            attributes,
            dependencies,
            status: io
                .get("status")
                .and_then(J::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            deposed,
        });
    }
}

fn read_outputs(
    text: &str,
    outputs: Option<&J>,
    problems: &mut Vec<StateError>,
) -> Vec<(String, Value)> {
    let Some(outputs) = outputs.and_then(J::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, o) in outputs {
        let Some(value) = o.get("value") else {
            problems.push(StateError::at_path(
                text,
                &[Seg::Key("outputs"), Seg::Key(name)],
                format!("output {name:?} has no \"value\"; skipped"),
            ));
            continue;
        };
        let sensitive = o.get("sensitive").and_then(J::as_bool) == Some(true);
        out.push((name.clone(), from_json(value).mark_if(sensitive)));
    }
    out
}

/// What hashicorp/go-version accepts, roughly: `v1.2.3`, `0.12.0-beta1`, `1.5.0+ent`.
fn is_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, _build) = v.split_once('+').unwrap_or((v, ""));
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    !core.is_empty()
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && pre
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// A node of a legacy flatmap while it is rebuilt.
enum Flat {
    Leaf(String),
    Branch(std::collections::BTreeMap<String, Flat>),
}

/// Rebuilds the legacy flatmap of a Terraform 0.11 state (`"ingress.#" = "1"`,
/// `"ingress.1234.cidr_blocks.0" = "0.0.0.0/0"`, `"tags.%" = "1"`, `"tags.Name" = "x"`) as
/// nested values, best effort: without the provider's schema every leaf is a string (numbers
/// stay strings, which the rules read as numbers), except `true`/`false`, and a map key that
/// itself holds a dot is split.
pub(crate) fn from_flatmap(flat: &serde_json::Map<String, J>) -> Value {
    let mut root: std::collections::BTreeMap<String, Flat> = Default::default();
    for (k, v) in flat {
        let text = match v {
            J::String(s) => s.clone(),
            other => other.to_string(),
        };
        let parts: Vec<&str> = k.split('.').collect();
        let mut node = &mut root;
        for (i, p) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                node.entry(p.to_string())
                    .or_insert(Flat::Leaf(text.clone()));
                break;
            }
            let entry = node
                .entry(p.to_string())
                .or_insert_with(|| Flat::Branch(Default::default()));
            if let Flat::Leaf(_) = entry {
                *entry = Flat::Branch(Default::default());
            }
            let Flat::Branch(next) = entry else {
                unreachable!()
            };
            node = next;
        }
    }
    flat_value(Flat::Branch(root))
}

fn flat_value(f: Flat) -> Value {
    match f {
        Flat::Leaf(s) if s == "true" => Value::Bool(true),
        Flat::Leaf(s) if s == "false" => Value::Bool(false),
        Flat::Leaf(s) => Value::String(s),
        Flat::Branch(mut m) => {
            if m.remove("#").is_some() {
                let mut items: Vec<(String, Flat)> = m.into_iter().collect();
                // List indexes in number order; set hashes in any stable order.
                items.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), k.clone()));
                Value::List(items.into_iter().map(|(_, v)| flat_value(v)).collect())
            } else {
                m.remove("%");
                Value::Map(m.into_iter().map(|(k, v)| (k, flat_value(v))).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::address::InstanceKey;
    use crate::model::Mode;

    fn state(resources: &str) -> String {
        format!(
            r#"{{"version": 4, "terraform_version": "1.5.7", "serial": 3, "lineage": "l",
                "outputs": {{}}, "resources": {resources}}}"#
        )
    }

    #[test]
    fn reads_metadata_instances_and_keys() {
        let text = state(
            r#"[
            {"module": "module.a[\"x\"]", "mode": "managed", "type": "aws_instance", "name": "web",
             "each": "map", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [
               {"index_key": "k.1", "schema_version": 1, "attributes": {"id": "i-1", "n": 12345678901234567890},
                "dependencies": ["module.a.aws_subnet.s"], "status": "tainted"},
               {"index_key": "k.1", "deposed": "00000001", "schema_version": 1, "attributes": {"id": "i-0"}}
             ]},
            {"mode": "data", "type": "aws_ami", "name": "x", "provider": "provider.aws",
             "instances": [{"schema_version": 0}]}
        ]"#,
        );
        let doc = read_state(&text).unwrap();
        assert_eq!(doc.version, 4);
        assert_eq!(doc.terraform_version.as_deref(), Some("1.5.7"));
        assert_eq!(doc.serial, Some(3));
        assert_eq!(doc.lineage.as_deref(), Some("l"));
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.instances.len(), 3);
        let web = &doc.instances[0];
        assert_eq!(
            web.address.to_string(),
            r#"module.a["x"].aws_instance.web["k.1"]"#
        );
        assert_eq!(web.address.key, Some(InstanceKey::Str("k.1".into())));
        assert_eq!(
            web.provider.as_deref(),
            Some(r#"provider["registry.terraform.io/hashicorp/aws"]"#)
        );
        assert_eq!(web.schema_version, Some(1));
        assert_eq!(web.dependencies, ["module.a.aws_subnet.s"]);
        assert_eq!(web.status.as_deref(), Some("tainted"));
        assert_eq!(web.deposed, None);
        let n = web.attributes.as_map().unwrap()["n"]
            .as_number()
            .unwrap()
            .format();
        assert_eq!(n, "12345678901234567890");
        assert_eq!(doc.instances[1].deposed.as_deref(), Some("00000001"));
        let ami = &doc.instances[2];
        assert_eq!(ami.address.mode, Mode::Data);
        assert_eq!(ami.attributes, Value::Map(Default::default()));
    }

    #[test]
    fn version_rules() {
        let e = read_state(r#"{"version": 3, "modules": []}"#).unwrap_err();
        assert_eq!(
            e.message,
            "state format version 3 is not supported: infra-lint reads version 4 (Terraform \
             0.12 and later); upgrade it with a `terraform state pull` from Terraform ≥ 0.12"
        );
        assert_eq!((e.line, e.column), (Some(1), Some(13)));
        for v in ["0", "1", "2"] {
            let e = read_state(&format!(r#"{{"version": {v}}}"#)).unwrap_err();
            assert!(e.message.contains(&format!("version {v} is not supported")));
        }
        let e = read_state(r#"{"version": 5}"#).unwrap_err();
        assert!(e.message.contains("newer than infra-lint supports"), "{e}");
        assert!(read_state(r#"{"version": "4"}"#).is_err());
        assert!(read_state(r#"{"lineage": "x"}"#)
            .unwrap_err()
            .message
            .contains("no \"version\""));
        assert!(read_state("[]").is_err());
    }

    #[test]
    fn missing_resources_is_an_empty_state() {
        let doc = read_state(r#"{"version": 4}"#).unwrap();
        assert!(doc.instances.is_empty() && doc.problems.is_empty() && doc.outputs.is_empty());
        let doc = read_state(r#"{"version": 4, "resources": null}"#).unwrap();
        assert!(doc.instances.is_empty());
        assert!(read_state(r#"{"version": 4, "resources": {}}"#).is_err());
    }

    #[test]
    fn malformed_json_is_located() {
        let e = read_state(
            "{\n  \"version\": 4,\n  \"resources\": [\n    {\"mode\" \"managed\"}\n  ]\n}",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(4));
        assert_eq!(e.column, Some(13));
        assert!(e.message.contains("expected `:`"), "{e}");
    }

    #[test]
    fn broken_resources_are_problems_and_the_rest_loads() {
        let text = state(
            r#"[
  {"mode": "managed", "name": "a", "instances": []},
  {"mode": "managed", "type": "t", "name": "ok", "instances": [{"attributes": {"id": "1"}}]},
  {"mode": "managed", "type": "t", "name": "str", "instances": [{"attributes": "x"}]},
  {"mode": "managed", "type": "t", "name": "flat", "instances": [{"attributes_flat": "x"}]},
  {"mode": "resource", "type": "t", "name": "m", "instances": []},
  {"mode": "managed", "type": "t", "name": "k", "instances": [{"index_key": [1], "attributes": {}}]},
  {"mode": "managed", "type": "t", "name": "ok", "instances": [{"attributes": {"id": "2"}}]},
  7
]"#,
        );
        let doc = read_state(&text).unwrap();
        assert_eq!(doc.instances.len(), 1);
        assert_eq!(doc.instances[0].address.to_string(), "t.ok");
        let msgs: Vec<String> = doc.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(msgs.len(), 7, "{msgs:#?}");
        assert!(
            msgs[0].starts_with("line 3, column 3: resources[0] has no \"type\"; skipped"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].starts_with(
                "line 5, column 80: resources[2].instances[0] (t.str): \"attributes\" is a string"
            ),
            "{}",
            msgs[1]
        );
        assert!(
            msgs[2].contains("resources[3].instances[0] (t.flat): \"attributes_flat\" is a string"),
            "{}",
            msgs[2]
        );
        assert!(msgs[2].starts_with("line 6, column "), "{}", msgs[2]);
        assert!(
            msgs[3].contains("resources[4] (t.m): unknown resource mode \"resource\""),
            "{}",
            msgs[3]
        );
        assert!(
            msgs[4].contains("resources[5].instances[0] (t.k): instance key [1] is neither"),
            "{}",
            msgs[4]
        );
        assert!(
            msgs[5].contains("resources[6].instances[0] (t.ok): t.ok appears more than once"),
            "{}",
            msgs[5]
        );
        assert!(
            msgs[6].starts_with("line 10, column 3: resources[7] is a number"),
            "{}",
            msgs[6]
        );
    }

    #[test]
    fn sensitive_attributes_outputs_and_schema() {
        let text = r#"{"version": 4, "terraform_version": "1.6.0",
  "outputs": {"pw": {"value": "s3cret", "type": "string", "sensitive": true},
              "id": {"value": "x", "type": "string"}},
  "resources": [
    {"mode": "managed", "type": "aws_db_instance", "name": "db", "provider": "provider.aws",
     "instances": [{"attributes": {"password": "hunter2", "username": "admin", "tags": {"k": "v"}},
                    "sensitive_attributes": [[{"type": "get_attr", "value": "tags"},
                                              {"type": "index", "value": {"value": "k", "type": "string"}}]]}]}
  ]}"#;
        let doc = read_state(text).unwrap();
        assert!(doc.problems.is_empty());
        let a = doc.instances[0].attributes.as_map().unwrap();
        assert!(matches!(a["password"], Value::Sensitive(_)), "schema table");
        assert!(matches!(
            a["tags"].as_map().unwrap()["k"],
            Value::Sensitive(_)
        ));
        assert_eq!(a["username"], Value::string("admin"));
        assert_eq!(doc.outputs[0].0, "pw");
        assert_eq!(
            doc.outputs[0].1,
            Value::Sensitive(Box::new(Value::string("s3cret")))
        );
        assert_eq!(doc.outputs[1], ("id".into(), Value::string("x")));
    }

    #[test]
    fn odd_terraform_version_is_a_problem_only() {
        let doc = read_state(r#"{"version": 4, "terraform_version": "invalid", "resources": []}"#)
            .unwrap();
        assert_eq!(doc.problems.len(), 1);
        assert!(doc.problems[0].message.contains("not a version number"));
        for ok in [
            "0.12.26",
            "1.5.0-beta1",
            "v1.2",
            "1.8.0-alpha20240216",
            "1.5.0+ent",
        ] {
            assert!(is_version(ok), "{ok}");
        }
    }

    #[test]
    fn real_terraform_state() {
        // Written by Terraform 1.11.4 (terraform_data resources, a for_each module, a data
        // source, a sensitive input and output, a tainted instance).
        let doc = read_state(include_str!("testdata/terraform_data.tfstate")).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let addrs: Vec<String> = doc
            .instances
            .iter()
            .map(|i| i.address.to_string())
            .collect();
        assert_eq!(
            addrs,
            [
                "terraform_data.a",
                "terraform_data.c[0]",
                "terraform_data.c[1]",
                "terraform_data.chg",
                "terraform_data.gone[0]",
                "terraform_data.m[\"$${x}\"]",
                "terraform_data.m[\"a.b\"]",
                "terraform_data.m[\"q\\\"x\"]",
                "module.child[\"k1\"].data.terraform_remote_state.x",
                "module.child[\"k1\"].terraform_data.inner[0]",
            ]
        );
        // terraform_data.input has a dynamic type: state wraps it as {"value", "type"}.
        let a = &doc.instances[0].attributes.as_map().unwrap()["input"];
        let input = a.as_map().unwrap()["value"].as_map().unwrap();
        assert!(matches!(input["password"], Value::Sensitive(_)));
        assert!(matches!(
            input["list"].as_list().unwrap()[1],
            Value::Sensitive(_)
        ));
        assert_eq!(input["list"].as_list().unwrap()[0], Value::int(1));
        assert_eq!(
            input["big"].as_number().unwrap().format(),
            "12345678901234567890123"
        );
        assert_eq!(doc.instances[2].status.as_deref(), Some("tainted"));
        let s = doc.outputs.iter().find(|(n, _)| n == "s").unwrap();
        assert!(matches!(s.1, Value::Sensitive(_)));
    }
}
