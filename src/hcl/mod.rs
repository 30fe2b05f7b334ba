//! Loading and evaluating Terraform configuration.
pub mod functions;
