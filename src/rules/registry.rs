//! Every rule, declared once, in the order `infra-lint rules` lists them. Codes are never
//! reused.
use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &super::rds::rds_publicly_accessible::RdsPubliclyAccessible,
    &super::rds::rds_reachable_from_internet::RdsReachableFromInternet,
    &super::rds::rds_backups_disabled::RdsBackupsDisabled,
    &super::rds::rds_storage_not_encrypted::RdsStorageNotEncrypted,
    &super::ecs::ecs_port_mismatch::EcsPortMismatch,
    &super::ecs::ecs_execution_role_missing_policy::EcsExecutionRoleMissingPolicy,
    &super::ecs::ecs_task_public_ip::EcsTaskPublicIp,
    &super::ecs::ecs_task_cannot_pull_image::EcsTaskCannotPullImage,
    &super::ecs::ecs_container_plaintext_secret::EcsContainerPlaintextSecret,
    &super::ecs::ecs_container_without_logs::EcsContainerWithoutLogs,
    &super::sg::sg_ingress_open_to_world::SgIngressOpenToWorld,
    &super::sg::db_ingress_not_from_security_group::DbIngressNotFromSecurityGroup,
    &super::secrets::plaintext_secret::PlaintextSecret,
    &super::terraform::s3_backend_without_locking::S3BackendWithoutLocking,
    &super::naming::resource_missing_name_prefix::ResourceMissingNamePrefix,
    &super::drift::drift_unmanaged_resource::DriftUnmanagedResource,
    &super::drift::drift_missing_resource::DriftMissingResource,
    &super::drift::drift_changed_attribute::DriftChangedAttribute,
    &super::drift::cfn_orphaned_stack::CfnOrphanedStack,
    &super::lint::unused_suppression::UnusedSuppression,
    &super::lint::suppression_without_reason::SuppressionWithoutReason,
];

/// Finds a rule by code (`RDS001`) or name (`rds-publicly-accessible`), case-insensitively.
pub fn find(key: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let m = r.meta();
        m.code.eq_ignore_ascii_case(key) || m.name.eq_ignore_ascii_case(key)
    })
}
