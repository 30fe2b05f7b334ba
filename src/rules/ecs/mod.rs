//! Amazon ECS rules. The container-definitions and load-balancing models they share live in
//! `analysis::ecs`.
pub mod ecs_container_plaintext_secret;
pub mod ecs_container_without_logs;
pub mod ecs_execution_role_missing_policy;
pub mod ecs_port_mismatch;
pub mod ecs_task_cannot_pull_image;
pub mod ecs_task_public_ip;

use crate::analysis::ecs::containers::{partial_definitions, Container, Definitions};
use crate::model::Resource;
use crate::rules::Sink;

/// The known containers of a task definition, after reporting as not evaluated the list, or
/// each container, that is known only at apply. An invalid or missing list yields none: that
/// is another rule's finding.
pub fn known_containers(td: &Resource, out: &mut Sink) -> Vec<Container> {
    let p = match partial_definitions(td) {
        Ok(p) => p,
        Err(Definitions::Unknown(reason)) => {
            out.not_evaluated(
                td,
                reason,
                td.origin("container_definitions")
                    .map(|o| o.location.clone()),
            );
            return Vec::new();
        }
        Err(_) => return Vec::new(),
    };
    for (i, reason) in p.unknown {
        out.not_evaluated(
            td,
            reason,
            td.origin_at(&format!("container_definitions[{i}]"))
                .map(|o| o.location.clone()),
        );
    }
    p.known
}
