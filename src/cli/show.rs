//! `infra-lint show`: the evaluated model as JSON, secrets masked.
use super::{LoadArgs, EXIT_INPUT, EXIT_OK};
use crate::model::Model;
use crate::source::SourceMap;
use serde_json::{json, Value as J};

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ShowFormat,
}

/// The formats `show` writes: its own list, so that `--help` and the parser offer no format
/// it would only refuse later.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShowFormat {
    Json,
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
                "attributes": crate::cli::redact::attributes(r.mode, &r.rtype, &r.attributes),
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
    // Irrefutable today; a second format will not compile until it is written here.
    let ShowFormat::Json = args.format;
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
