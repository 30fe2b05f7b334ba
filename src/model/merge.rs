//! Joining another source's values into a resource: a state, a plan or the live account fills
//! what the resource's configuration left unknown, and every value it supplies names its place.
//! A value configuration knows stays configuration's (it is what the next apply writes).
use super::{Origin, Resource, SourceKind, Value, Via};
use crate::model::Seq;
use crate::source::Location;
use std::collections::BTreeMap;

/// Merges `attrs` (as the source at `location` holds them) into `r`.
pub fn merge_attributes(
    r: &mut Resource,
    attrs: &BTreeMap<String, Value>,
    location: &Location,
    kind: SourceKind,
) {
    for (k, v) in attrs {
        let at = location.at_path(k);
        match r.attributes.remove(k) {
            Some(c) => {
                let mut filled_at = Vec::new();
                let filled = fill_at(c.clone(), v.clone(), k, &mut filled_at);
                if differs(&c, v) {
                    note_state_value(r, k, v, at, kind, true);
                }
                for (p, part) in filled_at {
                    let at = location.at_path(&p);
                    note_state_value(r, &p, &part, at, kind, false);
                }
                r.attributes.insert(k.clone(), filled);
            }
            // An attribute configuration leaves to the provider that the plan
            // knows only after apply: configuration's view (unset) stands.
            None if !v.is_wholly_known() && r.span.is_some() => {}
            // Unset in state too (`""`, `[]`): the same as not written.
            None if v.is_absent() && r.span.is_some() => {}
            None => {
                r.attributes.insert(k.clone(), v.clone());
                // Findings on it stay on the configuration's block and name the
                // state's place.
                let origin = match &r.span {
                    Some(header) => Origin {
                        location: Location::Source(header.clone()),
                        via: vec![Via {
                            location: at,
                            label: state_label(kind, v, false),
                            supplies: true,
                        }],
                        constant: false,
                    },
                    None => Origin {
                        location: at,
                        via: Vec::new(),
                        constant: false,
                    },
                };
                r.origins.entry(k.clone()).or_insert(origin);
            }
        }
    }
}

/// The attribute's origin names the state's value as a place it came from: rules then show
/// "value in the state (terraform.tfstate)" next to the configuration's line.
fn note_state_value(
    r: &mut Resource,
    k: &str,
    v: &Value,
    at: Location,
    kind: SourceKind,
    different: bool,
) {
    let via = Via {
        location: at.clone(),
        label: state_label(kind, v, different),
        supplies: !different,
    };
    // The most precise origin configuration recorded for the path (`health_check[0].port`,
    // else `health_check`).
    let mut key = k.to_string();
    while !r.origins.contains_key(&key) {
        match key.rfind(['.', '[']) {
            Some(i) => key.truncate(i),
            None => break,
        }
    }
    match r.origins.get_mut(&key) {
        Some(o) => {
            if !o.via.iter().any(|x| x.location == via.location) {
                o.via.push(via);
            }
        }
        None => {
            r.origins.insert(
                k.to_string(),
                Origin {
                    location: at,
                    via: Vec::new(),
                    constant: false,
                },
            );
        }
    }
}

/// How a value from a state or plan is named next to the configuration's line; the location
/// beside it names the file.
fn state_label(kind: SourceKind, v: &Value, different: bool) -> String {
    let doc = match kind {
        SourceKind::Plan => "plan",
        SourceKind::Live => "account",
        _ => "state",
    };
    match (different, v.is_sensitive()) {
        (true, _) => format!("the {doc} holds a different value"),
        (false, true) => format!("value in the {doc} (sensitive)"),
        (false, false) => format!("value in the {doc}"),
    }
}

/// True when configuration and state both know a value and they differ.
fn differs(config: &Value, state: &Value) -> bool {
    config.is_wholly_known()
        && state.is_wholly_known()
        && config.clone().unmark().0 != state.clone().unmark().0
}

/// Configuration's value with its unknown parts taken from state. A known configuration value
/// stays (the next apply writes it); an unknown in state (a plan's "known after apply") keeps
/// configuration's, which remembers the resource it waits for.
pub fn fill(config: Value, state: Value) -> Value {
    fill_at(config, state, "", &mut Vec::new())
}

/// `fill`, recording the path of every part state supplied (`health_check[0].port`) with the
/// value it supplied.
fn fill_at(config: Value, state: Value, path: &str, out: &mut Vec<(String, Value)>) -> Value {
    match (config, state) {
        (c, Value::Unknown(_)) => c,
        (Value::Unknown(_), s) => {
            out.push((path.to_string(), s.clone()));
            s
        }
        (Value::Sensitive(c), s) => {
            let (s, _) = s.unmark();
            Value::Sensitive(Box::new(fill_at(*c, s, path, out)))
        }
        (c, Value::Sensitive(s)) if !c.is_wholly_known() => {
            Value::Sensitive(Box::new(fill_at(c, *s, path, out)))
        }
        (Value::List(c), Value::List(Seq { items: s, .. }) | Value::Set(s))
            if c.len() == s.len() =>
        {
            Value::List(
                c.into_iter()
                    .zip(s)
                    .enumerate()
                    .map(|(i, (c, s))| fill_at(c, s, &format!("{path}[{i}]"), out))
                    .collect(),
            )
        }
        (Value::Set(c), Value::List(Seq { items: s, .. }) | Value::Set(s))
            if c.len() == s.len() =>
        {
            Value::set(
                c.into_iter()
                    .zip(s)
                    .enumerate()
                    .map(|(i, (c, s))| fill_at(c, s, &format!("{path}[{i}]"), out))
                    .collect(),
            )
        }
        (Value::Map(mut c), Value::Map(s)) => {
            for (k, sv) in s {
                let merged = match c.remove(&k) {
                    Some(cv) => fill_at(cv, sv, &format!("{path}.{k}"), out),
                    None => sv,
                };
                c.insert(k, merged);
            }
            Value::Map(c)
        }
        (c, _) => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn unknown() -> Value {
        Value::unknown(crate::model::Cause::Other("after apply".into()))
    }

    #[test]
    fn fill_takes_only_what_configuration_does_not_know() {
        assert_eq!(fill(unknown(), s("vpc-1")), s("vpc-1"));
        assert_eq!(fill(s("config"), s("state")), s("config"));
        let c = Value::list(vec![s("a"), unknown()]);
        let st = Value::list(vec![s("x"), s("b")]);
        assert_eq!(fill(c, st), Value::list(vec![s("a"), s("b")]));
        // A plan's unknown keeps configuration's unknown (and its cause).
        let u = unknown();
        assert_eq!(fill(u.clone(), unknown()), u);
        // State-only keys of a nested block are added.
        let c = Value::Map([("port".to_string(), unknown())].into());
        let st = Value::Map(
            [
                ("port".to_string(), Value::int(8080)),
                ("path".to_string(), s("/")),
            ]
            .into(),
        );
        let Value::Map(m) = fill(c, st) else { panic!() };
        assert_eq!(m["port"], Value::int(8080));
        assert_eq!(m["path"], s("/"));
        // A secret from state stays marked.
        let filled = fill(unknown(), Value::Sensitive(Box::new(s("pw"))));
        assert!(filled.is_sensitive());
    }
}
