//! What the pipeline produces, below the rules: findings, their labels and severities, input
//! errors, "not evaluated" notes and fixes. Suppression and the reports read these.
pub mod finding;
pub mod fix;

pub use crate::model::NotEvaluated;
pub use finding::{Drift, DriftKind, Finding, Related, Severity};

use crate::source::{Location, Span};

/// Input that could not be read or understood: a located error. The rest is still checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub message: String,
    pub location: Option<Location>,
}

impl InputError {
    pub fn new(message: impl Into<String>, span: Option<crate::source::Span>) -> InputError {
        InputError {
            message: message.into(),
            location: span.map(Location::Source),
        }
    }
    /// An error about a file infra-lint read but does not show as source (a state file).
    pub fn at(message: impl Into<String>, location: Option<Location>) -> InputError {
        InputError {
            message: message.into(),
            location,
        }
    }
}

/// A finding a suppression comment silenced: kept for the reports that record suppressions
/// (SARIF `suppressions`, the JSON `suppressed` list), never counted or failed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    /// The comment's reason ("" when it gives none; that is reported separately).
    pub reason: String,
    /// The comment.
    pub at: Span,
}
