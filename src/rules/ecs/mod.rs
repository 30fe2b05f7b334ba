//! Amazon ECS rules, and the container-definitions model they share.
pub mod agent_needs;
pub mod containers;
pub mod ecs_container_plaintext_secret;
pub mod ecs_container_without_logs;
pub mod ecs_execution_role_missing_policy;
pub mod ecs_port_mismatch;
pub mod ecs_task_cannot_pull_image;
pub mod ecs_task_public_ip;
pub mod load_balancing;
