//! Databases: their port and security groups.
use super::{refs, SG_TYPES};
use crate::model::{Model, Resource, Value};

/// The port a database listens on: `port`, else the engine's default. None when neither is
/// known.
pub fn db_port(db: &Resource) -> Result<i64, String> {
    match db.get("port").map(Value::peel) {
        Some(Value::Unknown(u)) => return Err(format!("port is not known: {}", u.cause())),
        Some(v) if !v.is_null() => {
            if let Some(p) = crate::rules::net::as_int(v) {
                return Ok(p);
            }
        }
        _ => {}
    }
    let engine = match db.get("engine").map(Value::peel) {
        Some(Value::String(e)) => e.to_ascii_lowercase(),
        Some(Value::Unknown(u)) => return Err(format!("engine is not known: {}", u.cause())),
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
            let r = refs(model, v, SG_TYPES);
            let unknown = r
                .unknown
                .map(|u| format!("vpc_security_group_ids is not known: {u}"))
                .or_else(|| {
                    r.literals
                        .first()
                        .map(|l| format!("security group {l} is not managed in this configuration"))
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
