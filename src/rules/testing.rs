//! Unit-test helpers: the model of a small root module written in the test.
use crate::hcl::{load, LoadOptions};
use crate::model::Model;

/// The model of a root module made of `files` (paths relative to it: `modules/x/main.tf`).
pub fn model(files: &[(&str, &str)]) -> Model {
    let dir = tempfile::tempdir().unwrap();
    for (n, t) in files {
        let p = dir.path().join(n);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, t).unwrap();
    }
    load(dir.path(), &LoadOptions::default()).model
}

/// The model of a root module whose only file is `main.tf`.
pub fn model_tf(text: &str) -> Model {
    model(&[("main.tf", text)])
}

/// Runs one rule over a model with default settings.
pub fn run(rule: &dyn crate::rules::Rule, m: &Model) -> crate::rules::Sink {
    run_with(rule, m, &crate::config::Settings::default())
}

/// Runs one rule over a model with the given settings.
pub fn run_with(
    rule: &dyn crate::rules::Rule,
    m: &Model,
    settings: &crate::config::Settings,
) -> crate::rules::Sink {
    let analysis = crate::analysis::Analysis::new(m);
    let meta = rule.meta();
    let options =
        crate::rules::RuleOptions::resolve(meta, |n| settings.option(meta.code, n).cloned());
    let cx = crate::rules::Ctx::new(&analysis, meta, options, settings.name_prefix.as_deref());
    crate::rules::run_rule(rule, &cx)
}
