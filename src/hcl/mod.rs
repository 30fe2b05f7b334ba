//! Loading and evaluating Terraform configuration.
pub mod config;
pub mod eval;
pub mod evaluate;
pub mod functions;
mod json_spans;
pub mod limits;
pub mod refs;
pub mod types;

pub use evaluate::{json_to_value, load, load_within, LoadOptions, Loaded};
pub use limits::Limits;
