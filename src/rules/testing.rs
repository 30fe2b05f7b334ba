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
