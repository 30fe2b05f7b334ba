//! What the pipeline produces: input errors, findings, "not evaluated" notes.
pub mod fix;
pub mod suppress;

use crate::source::Span;

/// Input that could not be read or understood: a located error. The rest is still checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub message: String,
    pub span: Option<Span>,
}

impl InputError {
    pub fn new(message: impl Into<String>, span: Option<Span>) -> InputError {
        InputError {
            message: message.into(),
            span,
        }
    }
}

/// Something infra-lint could not evaluate, with the reason; never a pass, never a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotEvaluated {
    /// The rule code, or None when the note comes from loading/evaluation.
    pub code: Option<String>,
    pub subject: String,
    pub reason: String,
    pub span: Option<Span>,
}
