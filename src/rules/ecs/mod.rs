//! Amazon ECS rules, and the container-definitions model they share.
pub mod agent_needs;
pub mod containers;
pub mod ecs_execution_role_missing_policy;
