//! Naming conventions.
pub mod resource_missing_name_prefix;
