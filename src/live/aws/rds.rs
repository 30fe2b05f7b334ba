//! RDS: DB instances, DB clusters, DB subnet groups.
use super::{tags, Found, Limit};
use serde_json::json;

pub(super) async fn scan(
    rds: aws_sdk_rds::Client,
    region: &str,
    acct: &str,
    limit: &Limit,
) -> Found {
    let mut f = Found::default();
    each_page!(
        limit,
        f,
        rds.describe_db_instances().into_paginator().send(),
        "rds:DescribeDBInstances",
        &["aws_db_instance", "aws_rds_cluster_instance"],
        |p| {
            for db in p.db_instances() {
                let arn = db.db_instance_arn().map(String::from);
                // An Aurora cluster's member is Terraform's aws_rds_cluster_instance (its
                // storage and backups are the cluster's), whose ID is its identifier.
                if let Some(cluster) = db.db_cluster_identifier() {
                    let name = db.db_instance_identifier().map(String::from);
                    f.push("aws_rds_cluster_instance", region, arn.clone(), name.clone(), json!({
                        "id": name, "arn": arn, "identifier": name, "cluster_identifier": cluster,
                        "engine": db.engine(), "instance_class": db.db_instance_class(),
                        "publicly_accessible": db.publicly_accessible(),
                        "db_subnet_group_name": db.db_subnet_group().and_then(|g| g.db_subnet_group_name()),
                        "tags": tags(db.tag_list().iter().map(|t| (t.key(), t.value()))),
                    }));
                    continue;
                }
                let id = db.dbi_resource_id().map(String::from);
                let port = db
                    .endpoint()
                    .and_then(|e| e.port())
                    .or(db.db_instance_port());
                f.push("aws_db_instance", region, arn.clone(), id.clone(), json!({
                        "id": id, "arn": arn, "resource_id": id,
                        "identifier": db.db_instance_identifier(),
                        "engine": db.engine(),
                        "publicly_accessible": db.publicly_accessible(),
                        "storage_encrypted": db.storage_encrypted(),
                        "kms_key_id": db.kms_key_id().unwrap_or(""),
                        "backup_retention_period": db.backup_retention_period(),
                        "port": port,
                        "db_subnet_group_name": db.db_subnet_group().and_then(|g| g.db_subnet_group_name()),
                        "vpc_security_group_ids": db.vpc_security_groups().iter()
                            .filter_map(|g| g.vpc_security_group_id()).collect::<Vec<_>>(),
                        // As an ARN, so the replica leads to its source in the model (the API
                        // names a source in the same region by its identifier).
                        "replicate_source_db": db.read_replica_source_db_instance_identifier().map(|s| {
                            if s.starts_with("arn:") { s.to_string() } else { format!("arn:aws:rds:{region}:{acct}:db:{s}") }
                        }).unwrap_or_default(),
                        "tags": tags(db.tag_list().iter().map(|t| (t.key(), t.value()))),
                    }));
            }
        }
    );
    each_page!(
        limit,
        f,
        rds.describe_db_subnet_groups().into_paginator().send(),
        "rds:DescribeDBSubnetGroups",
        &["aws_db_subnet_group"],
        |p| {
            for g in p.db_subnet_groups() {
                let name = g.db_subnet_group_name().unwrap_or_default();
                let arn = g.db_subnet_group_arn().map(String::from);
                f.push("aws_db_subnet_group", region, arn.clone(), Some(name.into()), json!({
                        "id": name, "arn": arn, "name": name, "vpc_id": g.vpc_id(),
                        "subnet_ids": g.subnets().iter().filter_map(|s| s.subnet_identifier()).collect::<Vec<_>>(),
                    }));
            }
        }
    );
    each_page!(
        limit,
        f,
        rds.describe_db_clusters().into_paginator().send(),
        "rds:DescribeDBClusters",
        &["aws_rds_cluster"],
        |p| {
            for c in p.db_clusters() {
                let arn = c.db_cluster_arn().map(String::from);
                let name = c.db_cluster_identifier().map(String::from);
                f.push(
                    "aws_rds_cluster",
                    region,
                    arn.clone(),
                    name.clone(),
                    json!({
                        "id": name, "arn": arn, "cluster_identifier": name,
                        "cluster_resource_id": c.db_cluster_resource_id(),
                        "engine": c.engine(), "engine_mode": c.engine_mode(),
                        "port": c.port(),
                        "publicly_accessible": c.publicly_accessible(),
                        "storage_encrypted": c.storage_encrypted(),
                        "kms_key_id": c.kms_key_id().unwrap_or(""),
                        "backup_retention_period": c.backup_retention_period(),
                        "db_subnet_group_name": c.db_subnet_group(),
                        "vpc_security_group_ids": c.vpc_security_groups().iter()
                            .filter_map(|g| g.vpc_security_group_id()).collect::<Vec<_>>(),
                        "cluster_members": c.db_cluster_members().iter()
                            .filter_map(|m| m.db_instance_identifier()).collect::<Vec<_>>(),
                        "deletion_protection": c.deletion_protection(),
                        "tags": tags(c.tag_list().iter().map(|t| (t.key(), t.value()))),
                    }),
                );
            }
        }
    );
    f
}
