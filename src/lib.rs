//! infra-lint: a policy and drift linter for Terraform on AWS.
pub mod hcl;
pub mod model;
