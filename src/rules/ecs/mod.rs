//! Amazon ECS rules, and the container-definitions model they share.
pub mod containers;
pub mod ecs_task_cannot_pull_image;
pub mod ecs_task_public_ip;
