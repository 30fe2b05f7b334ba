//! Loading and evaluating Terraform configuration.
pub mod config;
pub mod eval;
pub mod evaluate;
pub mod files;
pub mod functions;
pub(crate) mod json_spans;
pub mod literals;
pub mod plan_time;
pub mod refs;
pub mod roots;
pub mod types;

/// The bounds live with the values they bound, so configuration can name them too.
pub use crate::model::limits::Limits;
pub use evaluate::{json_to_value, load, load_within, LoadOptions, Loaded};
