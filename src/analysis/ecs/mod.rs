//! What ECS resources mean: the containers of a task definition, what the ECS agent needs to
//! start them, how a service is load balanced.
pub mod agent_needs;
pub mod containers;
pub mod load_balancing;
