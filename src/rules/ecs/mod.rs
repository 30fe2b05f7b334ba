//! Amazon ECS rules, and the container-definitions model they share.
pub mod containers;
pub mod ecs_container_plaintext_secret;
pub mod ecs_container_without_logs;
pub mod ecs_port_mismatch;
pub mod load_balancing;
