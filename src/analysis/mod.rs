//! Facts derived from the model and shared by the rules: how a subnet routes, what a security
//! group admits, what a role may do, what an ECS task needs. Depends only on the model; every
//! answer says "unknown, because …" when the sources do not decide it.
pub mod ecs;
pub mod iam;
pub mod net;
