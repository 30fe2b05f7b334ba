//! Amazon ECS rules.
pub mod ecs_task_cannot_pull_image;
pub mod ecs_task_public_ip;
