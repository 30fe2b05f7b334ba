//! infra-lint: a policy and drift linter for Terraform on AWS.
//!
//! load (hcl, state) -> model -> analysis -> rules -> diag (findings) -> suppress -> report,
//! driven by `engine`.
// No unsafe code: nothing here needs it, and the compiler holds every change to that.
#![forbid(unsafe_code)]
pub mod analysis;
pub mod cli;
pub mod config;
pub mod diag;
pub mod engine;
#[doc(hidden)]
pub mod fuzzing;
pub mod hcl;
pub mod live;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod state;
pub mod suppress;
pub mod taskdef;
