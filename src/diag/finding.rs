//! Findings: what a rule reports, with where and how bad.
use super::fix::{Fix, TextEdit};
use crate::source::{Location, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A secondary place a finding names ("the container listens on 80 here"). Shown whatever
/// its source: a place without a source line is printed, never dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub message: String,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix_title: String,
    pub resource: String,
    pub location: Option<Location>,
    pub related: Vec<Related>,
    /// The edit that fixes it, when one exists (`fix_title` alone otherwise).
    pub fix: Option<Fix>,
    /// `fix` resolved into byte edits of the original files by the engine (`resolve_fixes`);
    /// None when there is no fix or it has no exact place.
    pub edits: Option<Vec<TextEdit>>,
    /// Source ranges holding a secret: masked in every excerpt infra-lint prints.
    pub redact: Vec<Span>,
    /// For drift findings: both sides.
    pub drift: Option<Drift>,
}

/// What a drift finding compares: the managed side (address) and the account's (ARN), and for
/// a changed attribute both values, as display JSON (secrets already masked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub kind: DriftKind,
    pub address: Option<String>,
    pub arn: Option<String>,
    pub attribute: Option<String>,
    pub state_value: Option<serde_json::Value>,
    pub live_value: Option<serde_json::Value>,
}

impl Drift {
    /// Both sides of a drift with no attribute values (an object, not a value, differs).
    pub fn of(kind: DriftKind, address: Option<String>, arn: Option<String>) -> Drift {
        Drift {
            kind,
            address,
            arn,
            attribute: None,
            state_value: None,
            live_value: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DriftKind {
    Unmanaged,
    Missing,
    Changed,
    OrphanedStack,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::Unmanaged => "unmanaged",
            DriftKind::Missing => "missing",
            DriftKind::Changed => "changed",
            DriftKind::OrphanedStack => "orphaned-stack",
        }
    }
}

impl Finding {
    /// The finding's source span, when it points at configuration.
    pub fn span(&self) -> Option<&Span> {
        self.location.as_ref().and_then(Location::span)
    }
}
