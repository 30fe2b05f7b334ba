//! The live AWS account as a source. Whatever reads the account (`Inventory`) produces a
//! `LiveScan`: objects already normalized to Terraform resource types and attribute names, and
//! the calls that could not be made. A scan is also a file (`live.json`): `check --live-from`
//! replays one offline, for reproducible CI runs, bug reports and fast rule tests.
//!
//! The scan joins the model by identity: a live object whose ID or ARN a configuration or state
//! resource has is that resource, seen live; the others are resources of their own, reported at
//! their ARN.
#[cfg(feature = "aws")]
pub mod aws;
pub mod join;

use crate::model::Value;
use serde_json::Value as J;

/// The resource types a scan reads completely (every object of the type, in each region read;
/// IAM roles and their attachments account-wide). Associations and attachments are read as
/// attributes of what they attach (a role's `managed_policy_arns`).
pub const SCANNED_TYPES: &[&str] = &[
    "aws_vpc",
    "aws_subnet",
    "aws_route_table",
    "aws_route_table_association",
    "aws_internet_gateway",
    "aws_nat_gateway",
    "aws_security_group",
    "aws_vpc_endpoint",
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_db_subnet_group",
    "aws_ecs_cluster",
    "aws_ecs_service",
    "aws_lb",
    "aws_alb",
    "aws_lb_target_group",
    "aws_alb_target_group",
    "aws_lb_listener",
    "aws_alb_listener",
    "aws_lb_listener_rule",
    "aws_alb_listener_rule",
    "aws_iam_role",
    "aws_iam_role_policy_attachment",
    "aws_cloudformation_stack",
];

/// The format of `live.json`.
pub const FORMAT: &str = "infra-lint-live";
pub const VERSION: u64 = 1;

/// One object of the account, in Terraform's names.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveObject {
    /// The Terraform resource type it corresponds to (`aws_db_instance`).
    pub rtype: String,
    pub region: Option<String>,
    pub arn: Option<String>,
    /// The ID Terraform would hold for it (`db-ABC…` is not it: `aws_db_instance.id` is the
    /// resource ID, as the provider sets it).
    pub id: Option<String>,
    /// A `Value::Map` of its attributes.
    pub attributes: Value,
}

impl LiveObject {
    /// How findings name it: its ARN, else its ID.
    pub fn key(&self) -> String {
        self.arn
            .clone()
            .or_else(|| self.id.clone())
            .unwrap_or_else(|| format!("{} (no ARN or ID)", self.rtype))
    }
}

/// A call the scan could not make (AccessDenied, a service that failed), and the resource
/// types it would have listed: the rules that need them say "not checked".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotReadable {
    pub call: String,
    pub reason: String,
    pub types: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveScan {
    pub account: Option<String>,
    pub regions: Vec<String>,
    pub objects: Vec<LiveObject>,
    pub not_readable: Vec<NotReadable>,
}

/// Reads the account, read-only.
pub trait Inventory {
    fn scan(&self) -> Result<LiveScan, String>;
}

/// A scan recorded in a file (`live.json`).
pub struct Replay {
    pub text: String,
}

impl Inventory for Replay {
    fn scan(&self) -> Result<LiveScan, String> {
        read(&self.text)
    }
}

/// Reads `live.json`. Errors name the line and column, or the object, that is wrong.
pub fn read(text: &str) -> Result<LiveScan, String> {
    let j: J = serde_json::from_str(text)
        .map_err(|e| format!("line {}, column {}: not valid JSON", e.line(), e.column()))?;
    let top = j
        .as_object()
        .ok_or("a live scan is a JSON object".to_string())?;
    if top.get("format").and_then(J::as_str) != Some(FORMAT) {
        return Err(format!("not a live scan: \"format\" must be {FORMAT:?}"));
    }
    match top.get("version").and_then(J::as_u64) {
        Some(VERSION) => {}
        v => {
            return Err(format!(
                "live scan version {} is not supported (this infra-lint reads version {VERSION})",
                v.map_or("(none)".into(), |v| v.to_string())
            ))
        }
    }
    let strings = |v: Option<&J>| -> Vec<String> {
        v.and_then(J::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(String::from))
            .collect()
    };
    let mut scan = LiveScan {
        account: top.get("account").and_then(J::as_str).map(String::from),
        regions: strings(top.get("regions")),
        ..LiveScan::default()
    };
    for (i, o) in top
        .get("resources")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let text = |k: &str| o.get(k).and_then(J::as_str).map(String::from);
        let rtype = text("type").ok_or(format!("resources[{i}] has no \"type\""))?;
        let attributes = match o.get("attributes") {
            Some(a @ J::Object(_)) => crate::model::json::from_json(a),
            None => Value::Map(Default::default()),
            Some(_) => {
                return Err(format!(
                    "resources[{i}] ({rtype}): \"attributes\" is not an object"
                ))
            }
        };
        let mut attributes = attributes;
        crate::state::sensitive::mark_schema(crate::model::Mode::Managed, &rtype, &mut attributes);
        scan.objects.push(LiveObject {
            rtype,
            region: text("region"),
            arn: text("arn"),
            id: text("id"),
            attributes,
        });
    }
    for (i, n) in top
        .get("not_readable")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let text = |k: &str| n.get(k).and_then(J::as_str).map(String::from);
        scan.not_readable.push(NotReadable {
            call: text("call").ok_or(format!("not_readable[{i}] has no \"call\""))?,
            reason: text("reason").unwrap_or_default(),
            types: strings(n.get("types")),
        });
    }
    Ok(scan)
}

/// Writes a scan as `live.json`, each object's attributes as `display` shows them: the caller
/// masks secrets (the provider's sensitive attributes, secret-looking container environment
/// values), since what looks secret is the rules' knowledge, not this layer's.
pub fn write(
    scan: &LiveScan,
    display: impl Fn(&str, &std::collections::BTreeMap<String, Value>) -> J,
) -> String {
    let objects: Vec<J> = scan
        .objects
        .iter()
        .map(|o| {
            serde_json::json!({
                "type": o.rtype, "region": o.region, "arn": o.arn, "id": o.id,
                "attributes": match &o.attributes {
                    Value::Map(m) => display(&o.rtype, m),
                    other => other.to_display_json(),
                },
            })
        })
        .collect();
    let nr: Vec<J> = scan
        .not_readable
        .iter()
        .map(|n| serde_json::json!({"call": n.call, "reason": n.reason, "types": n.types}))
        .collect();
    let doc = serde_json::json!({
        "format": FORMAT, "version": VERSION, "account": scan.account, "regions": scan.regions,
        "resources": objects, "not_readable": nr,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_round_trips_through_live_json_with_secrets_redacted() {
        let text = r#"{"format": "infra-lint-live", "version": 1, "account": "123456789012",
            "regions": ["eu-west-1"],
            "resources": [{"type": "aws_db_instance", "region": "eu-west-1",
                "arn": "arn:aws:rds:eu-west-1:123456789012:db:a", "id": "db-A",
                "attributes": {"port": 5432, "password": "pw-in-live", "allocated_storage": 20.5}}],
            "not_readable": [{"call": "iam:ListRoles", "reason": "AccessDenied",
                "types": ["aws_iam_role"]}]}"#;
        let scan = read(text).unwrap();
        assert_eq!(scan.objects.len(), 1);
        assert!(scan.objects[0].attributes.as_map().unwrap()["password"].is_sensitive());
        let written = write(&scan, |_, m| Value::map(m.clone()).to_display_json());
        assert!(!written.contains("pw-in-live"), "{written}");
        let again = read(&written).unwrap();
        assert_eq!(again.not_readable, scan.not_readable);
        assert_eq!(again.account.as_deref(), Some("123456789012"));
        let a = again.objects[0].attributes.as_map().unwrap();
        assert_eq!(a["port"], Value::int(5432));
        assert_eq!(a["allocated_storage"].to_display_json().to_string(), "20.5");
    }
}
