//! Terraform configuration rules (backend, versions).
pub mod s3_backend_without_locking;
