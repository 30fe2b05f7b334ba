//! Joining a live scan into the model: by ID and ARN with what configuration and state already
//! hold, as new resources (at their ARN) otherwise; the types a scan could not read lose their
//! coverage, so analyses say "not checked" instead of reading an absence as a fact.
use super::{LiveObject, LiveScan};
use crate::model::links::kind_of;
use crate::model::{Address, Coverage, Identity, Mode, Model, Resource, Seen, SourceKind, Value};
use crate::source::Location;
use std::collections::HashMap;

/// What joining a scan did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// Live objects that are a configuration or state resource.
    pub joined: usize,
    /// Live objects no other source has.
    pub added: usize,
}

pub fn join(model: &mut Model, scan: &LiveScan) -> Joined {
    model.loaded.insert(SourceKind::Live);
    let mut by_identity: HashMap<(String, String), usize> = HashMap::new();
    for (i, r) in model.resources.iter().enumerate() {
        for key in crate::model::links::identifiers(r) {
            by_identity
                .entry((kind_of(&r.rtype).to_string(), key))
                .or_insert(i);
        }
    }
    let mut out = Joined::default();
    for o in &scan.objects {
        let location = Location::Live {
            arn: o.key(),
            path: String::new(),
        };
        let Value::Map(attrs) = &o.attributes else {
            continue;
        };
        let kind = kind_of(&o.rtype).to_string();
        let found = [&o.arn, &o.id]
            .into_iter()
            .flatten()
            .find_map(|k| by_identity.get(&(kind.clone(), k.clone())).copied())
            // Two ARNs that differ are two objects, whatever IDs they share (an emulator, or
            // a service whose IDs are not unique, can give the same ID twice).
            .filter(|&i| match (&model.resources[i].identity.arn, &o.arn) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            });
        match found {
            Some(i) => {
                let r = &mut model.resources[i];
                crate::model::merge::merge_attributes(r, attrs, &location, SourceKind::Live);
                r.add_layer(SourceKind::Live, &location, attrs);
                r.seen.push(Seen {
                    kind: SourceKind::Live,
                    location,
                });
                fill_identity(r, o);
                out.joined += 1;
            }
            None => {
                let mut r = Resource::from_address(
                    &address_of(o),
                    Seen {
                        kind: SourceKind::Live,
                        location: location.clone(),
                    },
                );
                // Findings name a live-only object by its ARN.
                r.address = o.key();
                r.set_attributes_at(attrs, &location);
                r.add_layer(SourceKind::Live, &location, attrs);
                fill_identity(&mut r, o);
                for key in [&o.arn, &o.id].into_iter().flatten() {
                    by_identity.insert((kind.clone(), key.clone()), model.resources.len());
                }
                model.resources.push(r);
                out.added += 1;
            }
        }
    }
    model
        .live_types
        .extend(super::SCANNED_TYPES.iter().map(|t| t.to_string()));
    for r in &scan.regions {
        if !model.live_regions.contains(r) {
            model.live_regions.push(r.clone());
        }
    }
    for n in &scan.not_readable {
        for t in &n.types {
            model.live_types.remove(t);
            model.coverage.insert(
                t.clone(),
                Coverage::NotReadable(format!("{} failed: {}", n.call, n.reason)),
            );
        }
    }
    model.invalidate_links();
    out
}

fn fill_identity(r: &mut Resource, o: &LiveObject) {
    let id = r.identity.id.take().or_else(|| o.id.clone());
    let arn = r.identity.arn.take().or_else(|| o.arn.clone());
    r.identity = Identity { id, arn };
}

/// A typed address for a live-only object: its type and a name made of its ID (or the last
/// part of its ARN), as `terraform import` would suggest one.
fn address_of(o: &LiveObject) -> Address {
    let raw =
        o.id.clone()
            .or_else(|| {
                o.arn
                    .as_ref()
                    .map(|a| a.rsplit([':', '/']).next().unwrap_or(a).to_string())
            })
            .unwrap_or_else(|| "live".into());
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, '_');
    }
    Address {
        module: Vec::new(),
        mode: Mode::Managed,
        rtype: o.rtype.clone(),
        name,
        key: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ModelBuilder;

    fn object(rtype: &str, arn: &str, id: &str) -> LiveObject {
        LiveObject {
            rtype: rtype.into(),
            region: Some("eu-west-1".into()),
            arn: Some(arn.into()),
            id: Some(id.into()),
            attributes: crate::model::json::from_json(&serde_json::json!({"id": id, "arn": arn})),
        }
    }

    #[test]
    fn a_live_load_balancer_joins_the_aws_alb_a_state_holds() {
        let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1";
        let mut model = ModelBuilder::state()
            .resource("aws_alb.web", serde_json::json!({"id": arn, "arn": arn}))
            .build();
        let scan = LiveScan {
            objects: vec![object("aws_lb", arn, arn)],
            ..LiveScan::default()
        };
        assert_eq!(
            join(&mut model, &scan),
            Joined {
                joined: 1,
                added: 0
            }
        );
        assert_eq!(model.resources.len(), 1);
        assert_eq!(model.resources[0].rtype, "aws_alb");
    }

    #[test]
    fn objects_with_the_same_id_but_other_arns_stay_apart() {
        let (a, b) = (
            "arn:aws:rds:eu-west-1:123456789012:db:app",
            "arn:aws:rds:eu-west-1:123456789012:db:reporting",
        );
        let mut model = ModelBuilder::state()
            .resource(
                "aws_db_instance.app",
                serde_json::json!({"id": "db-SAME", "arn": a}),
            )
            .build();
        let scan = LiveScan {
            objects: vec![
                object("aws_db_instance", b, "db-SAME"),
                object("aws_db_instance", a, "db-SAME"),
            ],
            ..LiveScan::default()
        };
        assert_eq!(
            join(&mut model, &scan),
            Joined {
                joined: 1,
                added: 1
            }
        );
        let reporting = model.resources.iter().find(|r| r.address == b).unwrap();
        assert_eq!(reporting.seen.len(), 1);
    }
}
