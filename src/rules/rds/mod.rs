//! Amazon RDS rules.
pub mod rds_publicly_accessible;
