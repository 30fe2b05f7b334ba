//! What output may show of a resource's attributes: never a secret, whichever source holds it
//! in clear (a state holds passwords in clear, and a live task definition its environment).
use crate::model::{Mode, Value};
use serde_json::Value as J;
use std::collections::BTreeMap;

/// A resource's attributes as `show` and `inventory` print them. Besides what is marked sensitive, the
/// provider's secret attributes and secret-looking container environment values (what SEC001
/// and ECS005 would find) print as "(sensitive)": a state holds them in clear, and so may
/// configuration.
pub fn attributes(mode: Mode, rtype: &str, attributes: &BTreeMap<String, Value>) -> J {
    let mut attrs = Value::map(attributes.clone());
    crate::state::sensitive::mark_schema(mode, rtype, &mut attrs);
    let Value::Map(attrs) = attrs else {
        return J::Null;
    };
    let out: serde_json::Map<String, J> = attrs
        .iter()
        .map(|(k, v)| {
            let shown = match (k.as_str(), v.as_str()) {
                ("container_definitions", Some(text)) => match serde_json::from_str::<J>(text) {
                    Ok(mut defs) => {
                        mask_environment(&mut defs);
                        J::String(defs.to_string())
                    }
                    Err(_) => v.to_display_json(),
                },
                _ => v.to_display_json(),
            };
            (k.clone(), shown)
        })
        .collect();
    J::Object(out)
}

fn mask_environment(defs: &mut J) {
    for c in defs.as_array_mut().into_iter().flatten() {
        for e in c
            .get_mut("environment")
            .and_then(J::as_array_mut)
            .into_iter()
            .flatten()
        {
            let secret = e
                .get("name")
                .and_then(J::as_str)
                .is_some_and(crate::rules::ecs::ecs_container_plaintext_secret::looks_secret);
            if secret {
                if let Some(val) = e.get_mut("value") {
                    *val = J::String("(sensitive)".into());
                }
            }
        }
    }
}
