//! Joining a live scan into the model: by ID and ARN with what configuration and state already
//! hold, as new resources (at their ARN) otherwise; the types a scan could not read lose their
//! coverage, so analyses say "not checked" instead of reading an absence as a fact.
use super::{LiveObject, LiveScan};
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
            by_identity.entry((r.rtype.clone(), key)).or_insert(i);
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
        let found = [&o.arn, &o.id]
            .into_iter()
            .flatten()
            .find_map(|k| by_identity.get(&(o.rtype.clone(), k.clone())).copied());
        match found {
            Some(i) => {
                let r = &mut model.resources[i];
                crate::model::merge::merge_attributes(r, attrs, &location, SourceKind::Live);
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
                fill_identity(&mut r, o);
                for key in [&o.arn, &o.id].into_iter().flatten() {
                    by_identity.insert((o.rtype.clone(), key.clone()), model.resources.len());
                }
                model.resources.push(r);
                out.added += 1;
            }
        }
    }
    for n in &scan.not_readable {
        for t in &n.types {
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
