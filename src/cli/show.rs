//! `infra-lint show`: the evaluated model as JSON, secrets masked.
use super::{Format, LoadArgs, EXIT_INPUT, EXIT_OK};
use crate::model::{Model, Value};
use crate::source::SourceMap;
use serde_json::{json, Value as J};

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Output format (only json for now).
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

/// A resource's attributes as `show` prints them. Besides what is marked sensitive, the
/// provider's secret attributes and secret-looking container environment values (what SEC001
/// and ECS005 would find) print as "(sensitive)": a state holds them in clear, and so may
/// configuration.
fn display_attributes(r: &crate::model::Resource) -> J {
    let mut attrs = Value::Map(r.attributes.clone());
    crate::state::sensitive::mark_schema(r.mode, &r.rtype, &mut attrs);
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

pub fn model_json(model: &Model, sources: &SourceMap) -> J {
    let loc = |s: &Option<crate::source::Span>| match s {
        Some(s) => serde_json::to_value(sources.locate(s)).unwrap_or(J::Null),
        None => J::Null,
    };
    let at = |l: &Option<crate::source::Location>| {
        l.as_ref()
            .map_or(J::Null, |l| crate::report::json::location_json(sources, l))
    };
    let resources: Vec<J> = model
        .resources
        .iter()
        .map(|r| {
            json!({
                "address": r.address,
                "mode": r.mode,
                "type": r.rtype,
                "name": r.name,
                "module": r.module,
                "index": r.key,
                "attributes": display_attributes(r),
                "references": r.references,
                "sources": r.seen.iter().map(|s| s.kind.as_str()).collect::<Vec<_>>(),
                "identity": {"id": r.identity.id, "arn": r.identity.arn},
                "location": at(&r.location()),
            })
        })
        .collect();
    let named = |items: &[crate::model::Named]| -> Vec<J> {
        items
            .iter()
            .map(|n| json!({"module": n.module, "name": n.name, "value": n.value.to_display_json(), "location": loc(&n.span)}))
            .collect()
    };
    json!({
        "version": 1,
        "resources": resources,
        "variables": model.variables.iter().map(|v| json!({
            "module": v.module, "name": v.name, "value": v.value.to_display_json(),
            "sensitive": v.sensitive, "location": loc(&v.span)})).collect::<Vec<_>>(),
        "locals": named(&model.locals),
        "outputs": named(&model.outputs),
        "providers": model.providers.iter().map(|p| json!({
            "module": p.module, "name": p.name, "alias": p.alias,
            "attributes": p.attributes.iter().map(|(k, v)| (k.clone(), v.to_display_json())).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "backend": model.backend.as_ref().map(|b| json!({
            "type": b.kind,
            "attributes": b.attributes.iter().map(|(k, v)| (k.clone(), v.to_display_json())).collect::<serde_json::Map<_, _>>(),
            "location": loc(&Some(b.span.clone())),
        })),
        "modules": model.modules.iter().map(|m| json!({
            "address": m.address, "source": m.source, "dir": m.dir})).collect::<Vec<_>>(),
        "not_evaluated": model.not_evaluated.iter().map(|n| json!({
            "subject": n.subject, "reason": n.reason, "location": at(&n.location)})).collect::<Vec<_>>(),
    })
}

pub fn run(args: &ShowArgs, out: &mut dyn std::io::Write) -> Result<i32, String> {
    if args.format != Format::Json {
        return Err("show supports --format json only".into());
    }
    let loaded = crate::engine::load(&args.load.request()?)?;
    let mut doc = model_json(&loaded.model, &loaded.sources);
    doc["errors"] = J::Array(
        loaded
            .errors
            .iter()
            .map(|e| {
                json!({"message": e.message, "location": e.location.as_ref().map(|l| crate::report::json::location_json(&loaded.sources, l))})
            })
            .collect(),
    );
    let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    s.push('\n');
    out.write_all(s.as_bytes()).map_err(|e| e.to_string())?;
    Ok(if loaded.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT
    })
}
