//! AWS IAM: the policy model other rules share (which actions a role may perform).
pub mod policy;
pub mod role;
