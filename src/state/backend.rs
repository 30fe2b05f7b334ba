//! Where `--state` with no file finds the state: the configuration's backend. The `local`
//! backend (and no backend at all) is a file next to the configuration; remote backends need
//! the AWS SDK and come with the live source.
use crate::model::{Model, Value};
use std::path::{Path, PathBuf};

/// The workspace Terraform would use: `--workspace`, else `TF_WORKSPACE`, else the one
/// `terraform workspace select` recorded in `.terraform/environment`, else `default`.
pub fn workspace(dir: &Path, given: Option<&str>) -> String {
    if let Some(w) = given.filter(|w| !w.is_empty()) {
        return w.to_string();
    }
    if let Ok(w) = std::env::var("TF_WORKSPACE") {
        if !w.is_empty() {
            return w;
        }
    }
    std::fs::read_to_string(dir.join(".terraform/environment"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// The state file of the configuration's backend for `workspace`, or why there is none to
/// read.
pub fn state_path(dir: &Path, model: &Model, workspace: &str) -> Result<PathBuf, String> {
    let (path, workspace_dir) = match &model.backend {
        None => (None, None),
        Some(b) if b.kind == "local" => {
            let text = |k: &str| match b.attributes.get(k).map(Value::peel) {
                Some(Value::String(s)) => Ok(Some(s.clone())),
                None | Some(Value::Null) => Ok(None),
                Some(v) => Err(format!(
                    "the local backend's {k} is not known ({}); pass --state FILE",
                    v.type_name()
                )),
            };
            (text("path")?, text("workspace_dir")?)
        }
        Some(b) => {
            return Err(format!(
                "the {} backend is remote: infra-lint reads it only with the live source; pass \
                 the state with --state FILE, or `terraform state pull | infra-lint check --state -`",
                b.kind
            ))
        }
    };
    Ok(if workspace == "default" {
        dir.join(path.unwrap_or_else(|| "terraform.tfstate".into()))
    } else {
        dir.join(workspace_dir.unwrap_or_else(|| "terraform.tfstate.d".into()))
            .join(workspace)
            .join("terraform.tfstate")
    })
}
