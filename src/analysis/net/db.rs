//! Databases: their port and security groups.
use super::SG_TYPES;
use crate::model::{Model, Resource, Value};

/// The port a database listens on: `port`, else its source's port for a read replica in the
/// configuration, else the engine's default. Err when none is known.
pub fn db_port(model: &Model, db: &Resource) -> Result<i64, String> {
    port_of(model, db, 0)
}

fn port_of(model: &Model, db: &Resource, depth: usize) -> Result<i64, String> {
    match db.get("port").map(Value::peel) {
        Some(Value::Unknown(u)) => return Err(format!("port is not known: {}", u.cause())),
        Some(v) if !v.is_null() => {
            if let Some(p) = crate::analysis::net::as_int(v) {
                return Ok(p);
            }
        }
        _ => {}
    }
    // A replica takes its engine and port from its source when it sets neither.
    if let Some(src) = db
        .get("replicate_source_db")
        .filter(|v| !v.is_null())
        .filter(|_| !super::is_set(db.get("engine")))
    {
        let found: Vec<&Resource> = model
            .targets(src)
            .iter()
            .map(|t| t.resource)
            .filter(|r| r.rtype == "aws_db_instance" && !std::ptr::eq(*r, db))
            .collect();
        return match found.as_slice() {
            // Replicas of replicas are few levels deep; a cycle is an invalid configuration.
            [source] if depth < 5 => port_of(model, source, depth + 1),
            _ => Err(
                "replicate_source_db does not name an instance of this configuration, whose \
                 port it would take"
                    .into(),
            ),
        };
    }
    let engine = match db.get("engine").map(Value::peel) {
        Some(Value::String(e)) => e
            .to_ascii_lowercase()
            .trim_start_matches("custom-")
            .to_string(),
        Some(Value::Unknown(u)) => return Err(format!("engine is not known: {}", u.cause())),
        _ if super::is_set(db.get("snapshot_identifier")) => {
            return Err("neither port nor engine is set: the snapshot decides".into())
        }
        // aws_rds_cluster defaults to aurora (MySQL); an instance in a cluster takes its port.
        _ if db.rtype == "aws_rds_cluster" => "aurora".into(),
        _ => return Err("neither port nor engine is set".into()),
    };
    let port = if engine.contains("postgres") {
        5432
    } else if engine.contains("mysql") || engine.contains("mariadb") || engine == "aurora" {
        3306
    } else if engine.starts_with("oracle") {
        1521
    } else if engine.starts_with("sqlserver") {
        1433
    } else if engine.starts_with("db2") {
        50000
    } else {
        return Err(format!("engine {engine} has no known default port"));
    };
    Ok(port)
}

/// The security groups of a database: resources, and why the attribute is not known.
pub fn db_groups<'a>(model: &'a Model, db: &Resource) -> (Vec<&'a Resource>, Option<String>) {
    match db.get("vpc_security_group_ids") {
        Some(v) => {
            let r = model.follow(v, SG_TYPES);
            let unknown = r
                .unknown
                .map(|u| format!("vpc_security_group_ids is not known: {u}"))
                .or_else(|| {
                    r.literals
                        .first()
                        .map(|l| format!("security group {l} is not managed {}", model.scope()))
                });
            (r.resources, unknown)
        }
        None => (Vec::new(), None),
    }
}

pub const DB_TYPES: &[&str] = &["aws_db_instance", "aws_rds_cluster"];

/// The managed RDS instances, then the clusters.
pub fn databases(model: &Model) -> impl Iterator<Item = &Resource> {
    DB_TYPES.iter().flat_map(|t| model.resources_of(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::model_tf;

    #[test]
    fn ports_from_engines_replica_sources_and_snapshots() {
        let m = model_tf(
            r#"
resource "aws_db_instance" "custom" { engine = "custom-sqlserver-ee" }
resource "aws_db_instance" "src" {
  engine = "postgres"
  port   = 6000
}
resource "aws_db_instance" "replica" { replicate_source_db = aws_db_instance.src.identifier }
resource "aws_db_instance" "far_replica" { replicate_source_db = "arn:aws:rds:eu-west-1:1:db:x" }
resource "aws_db_instance" "restored" { snapshot_identifier = "snap-1" }
resource "aws_rds_cluster" "default" {}
"#,
        );
        let port = |name: &str| {
            let r = databases(&m).find(|r| r.name == name).unwrap();
            db_port(&m, r)
        };
        assert_eq!(port("custom"), Ok(1433));
        assert_eq!(port("replica"), Ok(6000));
        assert!(port("far_replica").is_err_and(|e| e.contains("replicate_source_db")));
        assert!(port("restored").is_err_and(|e| e.contains("snapshot")));
        assert_eq!(port("default"), Ok(3306));
    }
}
