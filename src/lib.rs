//! infra-lint: a policy and drift linter for Terraform on AWS.
//!
//! load (HCL) -> model -> rules -> findings -> report
pub mod cli;
pub mod config;
pub mod diag;
pub mod hcl;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod state;
