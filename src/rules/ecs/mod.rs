//! Amazon ECS rules. The container-definitions and load-balancing models they share live in
//! `analysis::ecs`.
pub mod ecs_container_plaintext_secret;
pub mod ecs_container_without_logs;
pub mod ecs_execution_role_missing_policy;
pub mod ecs_port_mismatch;
pub mod ecs_task_cannot_pull_image;
pub mod ecs_task_public_ip;
