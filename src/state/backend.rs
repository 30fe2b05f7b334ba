//! Where `--state` with no file finds the state: the configuration's backend. The `local`
//! backend (and no backend at all) is a file next to the configuration; the `s3` backend is an
//! object read with the AWS SDK (see `live::aws::s3`), through the credentials and endpoint of
//! `--live`. Other remote backends: `terraform state pull | infra-lint check --state -`.
use crate::model::{Model, Value};
use serde_json::Value as J;
use std::path::{Path, PathBuf};

/// Where the backend keeps the selected workspace's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateAt {
    File(PathBuf),
    S3(S3Object),
}

/// The s3 backend's state object for one workspace, and how the backend reaches it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct S3Object {
    pub bucket: String,
    pub key: String,
    pub region: Option<String>,
    /// `endpoints.s3` (or the older `endpoint`) of the backend configuration.
    pub endpoint: Option<String>,
    /// `use_path_style` (or the older `force_path_style`).
    pub path_style: bool,
    pub profile: Option<String>,
}

impl S3Object {
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// The backend's settings as `terraform init` saved them in `.terraform/terraform.tfstate`
/// (configuration block merged with `-backend-config`), when that file is there and names
/// the same backend type.
pub fn initialized_settings(dir: &Path, kind: &str) -> Option<serde_json::Map<String, J>> {
    let text = std::fs::read_to_string(dir.join(".terraform/terraform.tfstate")).ok()?;
    let j: J = serde_json::from_str(&text).ok()?;
    let backend = j.get("backend")?;
    if backend.get("type").and_then(J::as_str) != Some(kind) {
        return None;
    }
    backend.get("config")?.as_object().cloned()
}

/// The s3 backend's object for `workspace`: `key` in the default workspace,
/// `<workspace_key_prefix>/<workspace>/<key>` (prefix `env:` unless set) in the others.
pub fn s3_object(dir: &Path, model: &Model, workspace: &str) -> Result<S3Object, String> {
    let b = model
        .backend
        .as_ref()
        .filter(|b| b.kind == "s3")
        .ok_or("the configuration has no s3 backend")?;
    let saved = initialized_settings(dir, "s3");
    // A setting: as `terraform init` saved it, else as the configuration writes it.
    let text = |k: &str| -> Result<Option<String>, String> {
        if let Some(v) = saved.as_ref().and_then(|m| m.get(k)) {
            return Ok(v.as_str().filter(|s| !s.is_empty()).map(String::from));
        }
        match b.attributes.get(k).map(Value::peel) {
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            None | Some(Value::Null) | Some(Value::String(_)) => Ok(None),
            Some(v) => Err(format!(
                "the s3 backend's {k} is not known ({}); pass --state FILE",
                v.type_name()
            )),
        }
    };
    let flag = |k: &str| -> bool {
        if let Some(v) = saved.as_ref().and_then(|m| m.get(k)) {
            return v.as_bool() == Some(true);
        }
        matches!(
            b.attributes.get(k).map(Value::peel),
            Some(Value::Bool(true))
        )
    };
    let endpoint = {
        let saved_s3 = saved
            .as_ref()
            .and_then(|m| m.get("endpoints"))
            .and_then(|e| e.get("s3"))
            .and_then(J::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from);
        let written_s3 = match b.attributes.get("endpoints").map(Value::peel) {
            Some(Value::Map(m)) => match m.get("s3").map(Value::peel) {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        saved_s3.or(written_s3).or(text("endpoint")?)
    };
    let missing = |k: &str| {
        format!(
            "the s3 backend has no {k} (set it in the backend block or run `terraform init \
             -backend-config=...` first); or pass --state FILE"
        )
    };
    let bucket = text("bucket")?.ok_or_else(|| missing("bucket"))?;
    let key = text("key")?.ok_or_else(|| missing("key"))?;
    let key = if workspace == "default" {
        key
    } else {
        let prefix = text("workspace_key_prefix")?.unwrap_or_else(|| "env:".into());
        format!("{prefix}/{workspace}/{key}")
    };
    Ok(S3Object {
        bucket,
        key,
        region: text("region")?,
        endpoint,
        path_style: flag("use_path_style") || flag("force_path_style"),
        profile: text("profile")?,
    })
}

/// Where the configuration's backend keeps `workspace`'s state.
pub fn state_at(dir: &Path, model: &Model, workspace: &str) -> Result<StateAt, String> {
    match &model.backend {
        Some(b) if b.kind == "s3" => s3_object(dir, model, workspace).map(StateAt::S3),
        _ => state_path(dir, model, workspace).map(StateAt::File),
    }
}

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
