//! Terraform state (format v4) and `terraform show -json` plans, read into plain data:
//! typed addresses, attributes as [`Value`]s with sensitive and unknown values marked. Matching
//! these instances with configuration happens downstream; nothing here reads HCL.
//!
//! Partial failure is a result (STYLE.md §11): a file that cannot be read at all (not JSON, an
//! unsupported format version) is an `Err`; a broken resource inside a readable file becomes
//! one entry in the document's `problems` and every other resource still loads.
pub mod backend;
pub mod join;
mod locate;
pub mod plan;
pub mod sensitive;
pub mod tfstate;

pub use plan::read_plan;
pub use tfstate::read_state;

use crate::model::address::Address;
use crate::model::Value;
use std::fmt;

/// One resource instance object of a state, or of a plan's planned or prior values.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    pub address: Address,
    /// The provider configuration as state writes it:
    /// `provider["registry.terraform.io/hashicorp/aws"]` (0.12 states: `provider.aws`). Plans
    /// name only the provider; it is written in the same form.
    pub provider: Option<String>,
    pub schema_version: Option<u64>,
    /// A `Value::Map` of the instance's attributes (in a plan, `Value::Unknown` when
    /// `after_unknown` says nothing of the object is known).
    pub attributes: Value,
    /// Configuration addresses (`module.a.aws_x.y`) from state `dependencies` (or the 0.12
    /// `depends_on`), or the plan's prior `depends_on`.
    pub dependencies: Vec<String>,
    /// `"tainted"`, or None for a ready object.
    pub status: Option<String>,
    /// The deposed key of an object `create_before_destroy` left behind; None for the current
    /// object.
    pub deposed: Option<String>,
}

/// Which kind of document a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    State,
    Plan,
}

/// What one state file yields.
#[derive(Clone, Debug, PartialEq)]
pub struct StateDoc {
    pub version: u64,
    pub terraform_version: Option<String>,
    pub serial: Option<u64>,
    pub lineage: Option<String>,
    pub instances: Vec<Instance>,
    /// Root module outputs in file order; sensitive ones are `Value::Sensitive`.
    pub outputs: Vec<(String, Value)>,
    /// Resources, instances and outputs that could not be read, each located; they are left
    /// out of `instances`/`outputs` and everything else loads.
    pub problems: Vec<StateError>,
}

/// What one `terraform show -json PLANFILE` document yields.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanDoc {
    pub format_version: String,
    pub terraform_version: Option<String>,
    /// What will exist after apply: `planned_values` (root and child modules) merged with
    /// `resource_changes[].change.after`, values known only after apply as `Value::Unknown`.
    /// Instances planned only for deletion are not here (see `actions`).
    pub planned: Vec<Instance>,
    /// `prior_state.values`: the state the plan was made from (refreshed), read like a state.
    pub prior: Vec<Instance>,
    /// `resource_changes[].change.actions` for every change, deletions and deposed objects
    /// included: `["create"]`, `["delete", "create"]`, `["no-op"]`, `["read"]`...
    pub actions: Vec<(Address, Vec<String>)>,
    /// Resources that could not be read, as in [`StateDoc::problems`].
    pub problems: Vec<StateError>,
}

/// A state or a plan, as sniffed by [`read_any`].
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    State(StateDoc),
    Plan(PlanDoc),
}

impl Doc {
    pub fn kind(&self) -> DocKind {
        match self {
            Doc::State(_) => DocKind::State,
            Doc::Plan(_) => DocKind::Plan,
        }
    }

    pub fn problems(&self) -> &[StateError] {
        match self {
            Doc::State(s) => &s.problems,
            Doc::Plan(p) => &p.problems,
        }
    }
}

/// A located problem in a state or plan file. `line` and `column` are one-based, columns
/// count characters (as `source::LineCol`); `offset` is the byte offset they were computed
/// from, for building a `source::Span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub offset: Option<usize>,
}

impl StateError {
    /// An error at a byte offset of `text` (or unlocated).
    pub(crate) fn at(text: &str, offset: Option<usize>, message: impl Into<String>) -> StateError {
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = locate::line_col(text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        StateError {
            message: message.into(),
            line,
            column,
            offset,
        }
    }

    /// An error at the value found at `path` in `text` (or at the deepest part of the path
    /// that exists).
    pub(crate) fn at_path(text: &str, path: &[Seg], message: impl Into<String>) -> StateError {
        StateError::at(text, locate::offset_of(text, path), message)
    }

    /// serde_json's syntax error, located where serde_json stopped.
    pub(crate) fn from_json(text: &str, e: &serde_json::Error) -> StateError {
        let offset = locate::offset_of_line_col(text, e.line(), e.column());
        let mut message = e.to_string();
        // serde_json appends " at line L column C"; the location is ours to print.
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        StateError::at(text, offset, format!("not valid JSON: {message}"))
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for StateError {}

/// One step of a path into the JSON document, for locating errors.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Reads a state or a plan, deciding by the top-level keys: `format_version` with
/// `planned_values` or `resource_changes` is a plan, `version` a state.
pub fn read_any(text: &str) -> Result<Doc, StateError> {
    let json = parse(text)?;
    let top = json.as_object();
    let has = |k: &str| top.is_some_and(|m| m.contains_key(k));
    if has("format_version") && (has("planned_values") || has("resource_changes")) {
        plan::from_document(text, &json).map(Doc::Plan)
    } else if has("version") {
        tfstate::from_document(text, &json).map(Doc::State)
    } else if has("format_version") && has("values") {
        Err(StateError::at(
            text,
            Some(0),
            "this is `terraform show -json` output for a state; give infra-lint the state \
             itself (`terraform state pull`) or a plan (`terraform show -json PLANFILE`)",
        ))
    } else {
        Err(StateError::at(
            text,
            Some(0),
            "neither a Terraform state (no \"version\") nor a plan (no \"format_version\" \
             with \"planned_values\" or \"resource_changes\")",
        ))
    }
}

/// The document as JSON, or serde_json's located syntax error.
pub(crate) fn parse(text: &str) -> Result<serde_json::Value, StateError> {
    serde_json::from_str(text).map_err(|e| StateError::from_json(text, &e))
}

/// Reads a state or plan file of at most `max` bytes. Its size is judged from the metadata
/// before anything is read (a 1 GB state is refused at once), and the read stops at the bound
/// for a file that grows or never ends.
pub fn read_bounded(path: &std::path::Path, max: u64) -> std::io::Result<String> {
    let f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    if size > max {
        return Err(too_large(size.to_string(), max));
    }
    read_at_most(f, max)
}

/// Reads a stream (stdin) of at most `max` bytes: past it, an error, having held no more than
/// `max + 1` bytes.
pub fn read_at_most(r: impl std::io::Read, max: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    r.take(max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        return Err(too_large(format!("more than {max}"), max));
    }
    Ok(text)
}

fn too_large(size: String, max: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "it is {size} bytes, over the limit of {max} \
             (raise limits.max_state_bytes in infra-lint.toml)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_kind() {
        let state = r#"{"version": 4, "resources": []}"#;
        assert_eq!(read_any(state).unwrap().kind(), DocKind::State);
        let plan = r#"{"format_version": "1.2", "planned_values": {}}"#;
        assert_eq!(read_any(plan).unwrap().kind(), DocKind::Plan);
        let plan = r#"{"format_version": "1.0", "resource_changes": []}"#;
        assert_eq!(read_any(plan).unwrap().kind(), DocKind::Plan);
        let shown = r#"{"format_version": "1.0", "values": {}}"#;
        assert!(read_any(shown).unwrap_err().message.contains("state pull"));
        let e = read_any(r#"{"resources": []}"#).unwrap_err();
        assert!(e.message.starts_with("neither"), "{e}");
        assert_eq!(e.to_string(), format!("line 1, column 1: {}", e.message));
    }

    #[test]
    fn syntax_errors_carry_serde_location() {
        let e = read_any("{\n  \"version\": 4,\n  \"resources\": [,]\n}").unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(17)));
        assert!(
            e.message.starts_with("not valid JSON: expected value"),
            "{e}"
        );
        assert!(!e.message.contains("at line"), "{e}");
        assert_eq!(e.to_string(), format!("line 3, column 17: {}", e.message));
        let e = read_any("{\"version\": 4,").unwrap_err();
        assert!(e.line.is_some());
        assert!(e.message.contains("EOF"), "{e}");
    }
}
