//! Amazon RDS rules.
pub mod rds_publicly_accessible;
pub mod rds_reachable_from_internet;
