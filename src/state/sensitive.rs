//! Sensitive marking of state and plan values, from the three places Terraform records it:
//! state `sensitive_attributes` paths (Terraform ≥ 0.15), the plan's mirror structures
//! (`sensitive_values`, `after_sensitive`: `true` at sensitive leaves), and the AWS provider's
//! schema, which older states do not record at all ([`SECRET_ATTRIBUTES`]).
pub use crate::model::secrets::{secret_paths, SECRET_ATTRIBUTES};
use crate::model::Seq;
use crate::model::{Mode, Value};
use serde_json::Value as J;

/// One step of a path to mark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
    /// Every element of a list or set, every value of a map.
    Every,
}

/// Marks the schema's secret attributes of a `mode`/`rtype` instance. Null values are left
/// alone: there is nothing to hide.
pub fn mark_schema(mode: Mode, rtype: &str, attrs: &mut Value) {
    for path in secret_paths(mode, rtype) {
        let steps: Vec<Step> = path
            .iter()
            .map(|s| match *s {
                "*" => Step::Every,
                k => Step::Key(k.to_string()),
            })
            .collect();
        mark_at(attrs, &steps, false);
    }
}

/// Reads a state instance's `sensitive_attributes`: a list of paths, each a list of steps
/// `{"type": "get_attr", "value": "password"}` or `{"type": "index", "value": {"value": 0,
/// "type": "number"}}` (a string index names a map key). Returns the paths and the problems
/// met; a path with a step it cannot follow is cut before that step, so more is marked,
/// never less. Something that is not a list of paths yields the empty path: everything.
pub(crate) fn state_paths(j: &J) -> (Vec<Vec<Step>>, Vec<String>) {
    let Some(paths) = j.as_array() else {
        return (
            vec![Vec::new()],
            vec![format!(
                "\"sensitive_attributes\" is not a list of paths ({}); every attribute is \
                 treated as sensitive",
                kind(j)
            )],
        );
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (n, path) in paths.iter().enumerate() {
        let Some(steps) = path.as_array() else {
            problems.push(format!(
                "sensitive_attributes[{n}] is not a list of steps; every attribute is treated \
                 as sensitive"
            ));
            out.push(Vec::new());
            continue;
        };
        let mut parsed = Vec::new();
        for step in steps {
            match state_step(step) {
                Ok(s) => parsed.push(s),
                Err(e) => {
                    problems.push(format!(
                        "sensitive_attributes[{n}]: {e}; the value above it is treated as \
                         sensitive"
                    ));
                    break;
                }
            }
        }
        out.push(parsed);
    }
    (out, problems)
}

fn state_step(step: &J) -> Result<Step, String> {
    let ty = step.get("type").and_then(J::as_str);
    let value = step.get("value");
    match (ty, value) {
        (Some("get_attr"), Some(J::String(name))) => Ok(Step::Key(name.clone())),
        (Some("index"), Some(key)) => {
            let ty = key.get("type").and_then(J::as_str);
            match (ty, key.get("value")) {
                (Some("string"), Some(J::String(k))) => Ok(Step::Key(k.clone())),
                (Some("number"), Some(J::Number(n))) => n
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .map(Step::Index)
                    .ok_or_else(|| format!("index {n} is not a list position")),
                _ => Err(format!("unsupported index step {key}")),
            }
        }
        _ => Err(format!("unsupported path step {step}")),
    }
}

/// Marks the value at each path sensitive (the empty path: every top-level attribute).
/// Paths that lead nowhere in `attrs` are ignored.
pub(crate) fn mark_paths(attrs: &mut Value, paths: &[Vec<Step>]) {
    for path in paths {
        mark_at(attrs, path, true);
    }
}

/// Marks sensitive every leaf where `mirror` (`sensitive_values`, `after_sensitive`) holds
/// `true`; objects and arrays in `mirror` follow the value's maps and lists.
pub(crate) fn mark_mirror(v: &mut Value, mirror: &J) {
    match (v, mirror) {
        (Value::Sensitive(_), _) => {}
        (v, J::Bool(true)) => mark(v),
        (Value::Map(m), J::Object(o)) => {
            for (k, sub) in o {
                if let Some(child) = m.get_mut(k) {
                    mark_mirror(child, sub);
                }
            }
        }
        (Value::List(Seq { items: l, .. }) | Value::Set(l), J::Array(a)) => {
            for (child, sub) in l.iter_mut().zip(a) {
                mark_mirror(child, sub);
            }
        }
        _ => {}
    }
}

/// Marks the value at `path`. At the root (an instance's attribute map) the empty path marks
/// every attribute, so the instance's attributes stay a map.
fn mark_at(v: &mut Value, path: &[Step], mark_null: bool) {
    if path.is_empty() {
        if let Value::Map(m) = v {
            m.values_mut().for_each(|c| mark_leaf(c, mark_null));
        } else {
            mark_leaf(v, mark_null);
        }
        return;
    }
    follow(v, path, mark_null);
}

fn follow(v: &mut Value, path: &[Step], mark_null: bool) {
    let Some((first, rest)) = path.split_first() else {
        mark_leaf(v, mark_null);
        return;
    };
    match (v, first) {
        // Already sensitive: everything inside is covered.
        (Value::Sensitive(_), _) => {}
        (Value::Map(m), Step::Key(k)) if m.contains_key(k) => {
            if let Some(c) = m.get_mut(k) {
                follow(c, rest, mark_null);
            }
        }
        // State stores an attribute of dynamic type (`terraform_data.input`) as
        // `{"value": V, "type": T}`; paths name the inside of V.
        (Value::Map(m), Step::Key(_) | Step::Index(_)) if is_dynamic_wrapper(m) => {
            if let Some(inner) = m.get_mut("value") {
                follow(inner, path, mark_null);
            }
        }
        (Value::List(Seq { items: l, .. }) | Value::Set(l), Step::Index(i)) => {
            if let Some(c) = l.get_mut(*i) {
                follow(c, rest, mark_null);
            }
        }
        (Value::List(Seq { items: l, .. }) | Value::Set(l), Step::Every) => {
            l.iter_mut().for_each(|c| follow(c, rest, mark_null));
        }
        (Value::Map(m), Step::Every) => {
            m.values_mut().for_each(|c| follow(c, rest, mark_null));
        }
        _ => {}
    }
}

/// `{"value": V, "type": T}` with T a cty type in JSON (`"string"`, `["object", {...}]`).
fn is_dynamic_wrapper(m: &std::collections::BTreeMap<String, Value>) -> bool {
    fn is_type(t: &Value) -> bool {
        match t {
            Value::String(s) => matches!(s.as_str(), "string" | "number" | "bool" | "dynamic"),
            Value::List(parts) => matches!(
                parts.first().and_then(Value::as_str),
                Some("object" | "tuple" | "list" | "set" | "map")
            ),
            _ => false,
        }
    }
    m.len() == 2 && m.contains_key("value") && m.get("type").is_some_and(is_type)
}

fn mark_leaf(v: &mut Value, mark_null: bool) {
    if mark_null || !matches!(v, Value::Null) {
        mark(v);
    }
}

fn mark(v: &mut Value) {
    let inner = std::mem::replace(v, Value::Null);
    *v = inner.mark_if(true);
}

pub(crate) fn kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "a bool",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::json::from_json;
    use serde_json::json;

    fn sens(v: Value) -> Value {
        Value::Sensitive(Box::new(v))
    }

    #[test]
    fn state_paths_mark_attributes_and_elements() {
        let mut attrs = from_json(&json!({
            "password": "p", "name": "n",
            "list": ["a", "b"], "tags": {"k": "v", "o": "w"},
            "block": [{"secret": "s", "plain": 1}]
        }));
        let (paths, problems) = state_paths(&json!([
            [{"type": "get_attr", "value": "password"}],
            [{"type": "get_attr", "value": "list"}, {"type": "index", "value": {"value": 1, "type": "number"}}],
            [{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "k", "type": "string"}}],
            [{"type": "get_attr", "value": "block"}, {"type": "index", "value": {"value": 0, "type": "number"}},
             {"type": "get_attr", "value": "secret"}],
            [{"type": "get_attr", "value": "missing"}],
            [{"type": "get_attr", "value": "list"}, {"type": "index", "value": {"value": 7, "type": "number"}}]
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        mark_paths(&mut attrs, &paths);
        let m = attrs.as_map().unwrap();
        assert_eq!(m["password"], sens(Value::string("p")));
        assert_eq!(m["name"], Value::string("n"));
        assert_eq!(
            m["list"],
            Value::list(vec![Value::string("a"), sens(Value::string("b"))])
        );
        assert_eq!(m["tags"].as_map().unwrap()["k"], sens(Value::string("v")));
        assert_eq!(m["tags"].as_map().unwrap()["o"], Value::string("w"));
        let block = &m["block"].as_list().unwrap()[0];
        assert_eq!(block.as_map().unwrap()["secret"], sens(Value::string("s")));
        assert_eq!(block.as_map().unwrap()["plain"], Value::int(1));
        assert!(!m.contains_key("missing"));
    }

    #[test]
    fn paths_reach_into_dynamic_values() {
        // terraform_data.input as Terraform 1.11 writes it.
        let mut attrs = from_json(&json!({
            "input": {"value": {"password": "p", "list": [1, "s"]},
                      "type": ["object", {"password": "string", "list": ["tuple", ["number", "string"]]}]},
            "tags": {"type": "x", "value": "y"}
        }));
        let (paths, _) = state_paths(&json!([
            [{"type": "get_attr", "value": "input"}, {"type": "get_attr", "value": "password"}],
            [{"type": "get_attr", "value": "input"}, {"type": "get_attr", "value": "list"},
             {"type": "index", "value": {"value": 1, "type": "number"}}],
            [{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "type", "type": "string"}}]
        ]));
        mark_paths(&mut attrs, &paths);
        let m = attrs.as_map().unwrap();
        let inner = m["input"].as_map().unwrap()["value"].as_map().unwrap();
        assert_eq!(inner["password"], sens(Value::string("p")));
        assert_eq!(
            inner["list"].as_list().unwrap()[1],
            sens(Value::string("s"))
        );
        assert_eq!(inner["list"].as_list().unwrap()[0], Value::int(1));
        // A map that happens to have "type" and "value" keys is followed as a map.
        assert_eq!(
            m["tags"].as_map().unwrap()["type"],
            sens(Value::string("x"))
        );
        assert_eq!(m["tags"].as_map().unwrap()["value"], Value::string("y"));
    }

    #[test]
    fn unreadable_steps_mark_more_not_less() {
        let mut attrs = from_json(&json!({"a": {"b": "x"}, "c": "y"}));
        let (paths, problems) = state_paths(&json!([
            [{"type": "get_attr", "value": "a"}, {"type": "splat", "value": null}]
        ]));
        assert_eq!(problems.len(), 1);
        mark_paths(&mut attrs, &paths);
        assert!(matches!(attrs.as_map().unwrap()["a"], Value::Sensitive(_)));
        assert_eq!(attrs.as_map().unwrap()["c"], Value::string("y"));

        let mut attrs = from_json(&json!({"a": 1, "c": "y"}));
        let (paths, problems) = state_paths(&json!({"not": "a list"}));
        assert_eq!(problems.len(), 1);
        mark_paths(&mut attrs, &paths);
        assert!(attrs
            .as_map()
            .unwrap()
            .values()
            .all(|v| matches!(v, Value::Sensitive(_))));
        assert!(matches!(attrs, Value::Map(_)));
    }

    #[test]
    fn mirror_marks_true_leaves() {
        let mut v = from_json(
            &json!({"input": {"list": [1, "s"], "password": "p", "name": "x"}, "other": 2}),
        );
        mark_mirror(
            &mut v,
            &json!({"input": {"list": [false, true], "password": true}, "other": false}),
        );
        let input = v.as_map().unwrap()["input"].as_map().unwrap();
        assert_eq!(input["password"], sens(Value::string("p")));
        assert_eq!(
            input["list"],
            Value::list(vec![Value::int(1), sens(Value::string("s"))])
        );
        assert_eq!(input["name"], Value::string("x"));
        assert_eq!(v.as_map().unwrap()["other"], Value::int(2));
    }

    #[test]
    fn schema_table_marks_known_secrets() {
        let mut db = from_json(&json!({"password": "hunter2", "username": "admin"}));
        mark_schema(Mode::Managed, "aws_db_instance", &mut db);
        assert_eq!(
            db.as_map().unwrap()["password"],
            sens(Value::string("hunter2"))
        );
        assert_eq!(db.as_map().unwrap()["username"], Value::string("admin"));

        let mut mq = from_json(
            &json!({"user": [{"username": "u", "password": "p"}, {"username": "v", "password": "q"}]}),
        );
        mark_schema(Mode::Managed, "aws_mq_broker", &mut mq);
        for u in mq.as_map().unwrap()["user"].as_list().unwrap() {
            assert!(matches!(
                u.as_map().unwrap()["password"],
                Value::Sensitive(_)
            ));
            assert!(!matches!(
                u.as_map().unwrap()["username"],
                Value::Sensitive(_)
            ));
        }

        // Null: nothing to hide. Already marked: not wrapped twice.
        let mut unset = from_json(&json!({"password": null}));
        mark_schema(Mode::Managed, "aws_db_instance", &mut unset);
        assert_eq!(unset.as_map().unwrap()["password"], Value::Null);
        let mut twice = from_json(&json!({"value": "v"}));
        mark_schema(Mode::Managed, "aws_ssm_parameter", &mut twice);
        mark_schema(Mode::Managed, "aws_ssm_parameter", &mut twice);
        assert_eq!(twice.as_map().unwrap()["value"], sens(Value::string("v")));

        // Data sources have their own entries.
        let mut data = from_json(&json!({"value": "v"}));
        mark_schema(Mode::Data, "aws_ssm_parameter", &mut data);
        assert!(data.is_sensitive());
        let mut other = from_json(&json!({"password": "x"}));
        mark_schema(Mode::Data, "aws_db_instance", &mut other);
        assert!(!other.is_sensitive());
    }

    #[test]
    fn table_has_one_row_per_type() {
        let mut seen = std::collections::HashSet::new();
        for (mode, rtype, paths) in SECRET_ATTRIBUTES {
            assert!(
                seen.insert((*mode == Mode::Data, *rtype)),
                "{rtype} listed twice"
            );
            assert!(!paths.is_empty());
        }
        assert!(secret_paths(Mode::Managed, "aws_vpc").is_empty());
    }
}
