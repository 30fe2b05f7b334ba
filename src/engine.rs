//! The pipeline, one request at a time: load the sources → run the rules → suppress → resolve
//! fixes → a result ready to render. The CLI, the tests and the benchmark all go through here.
use crate::config::Settings;
use crate::hcl::LoadOptions;
use crate::report::CheckResult;
use std::path::PathBuf;

/// What to check, independent of how it was asked for.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The root module directory.
    pub dir: PathBuf,
    pub load: LoadOptions,
}

/// Runs the whole pipeline on a request.
pub fn run(req: &Request, settings: &Settings) -> Result<CheckResult, String> {
    if !req.dir.is_dir() {
        return Err(format!("{} is not a directory", req.dir.display()));
    }
    let loaded = crate::hcl::load(&req.dir, &req.load);
    let (findings, rule_ne) = crate::rules::run_all(&loaded.model, settings);
    let redact = crate::rules::secret_spans(&findings, &loaded.model, settings);
    let (suppressions, suppression_errors) = crate::suppress::scan(&loaded.sources);
    let mut findings = crate::suppress::apply(
        findings,
        &loaded.model,
        &loaded.sources,
        settings,
        &suppressions,
    );
    crate::diag::fix::resolve_fixes(&loaded.sources, &mut findings);
    let mut not_evaluated = loaded.model.not_evaluated.clone();
    not_evaluated.extend(rule_ne);
    let mut errors = loaded.errors;
    errors.extend(suppression_errors);
    let mut result = CheckResult {
        resources: loaded.model.resources.len(),
        sources: loaded.sources,
        findings,
        errors,
        not_evaluated,
        fixed: 0,
        redact,
    };
    result.sort();
    Ok(result)
}
