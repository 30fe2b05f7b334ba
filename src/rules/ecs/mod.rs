//! Amazon ECS rules, and the container-definitions model they share.
pub mod containers;
