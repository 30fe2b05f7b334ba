//! Amazon RDS rules.
pub mod rds_backups_disabled;
pub mod rds_publicly_accessible;
pub mod rds_reachable_from_internet;
pub mod rds_storage_not_encrypted;
