//! Security group rules.
pub mod db_ingress_not_from_security_group;
pub mod sg_ingress_open_to_world;
