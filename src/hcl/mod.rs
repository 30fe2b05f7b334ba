//! Loading and evaluating Terraform configuration.
pub mod config;
pub mod eval;
pub mod evaluate;
pub mod functions;
mod json_spans;
pub mod refs;
pub mod roots;
pub mod types;

pub use evaluate::{json_to_value, load, LoadOptions, Loaded};
