//! Joining a state or a plan into the model built from configuration. Instances join
//! configuration resources by address; their values fill what configuration left unknown (IDs,
//! ARNs, names from `name_prefix`, values from data sources), and a value configuration knows
//! stays the configuration's (it is what the next apply writes). Instances no configuration
//! declares (removed from the code, still deployed; inside a module not available locally)
//! become resources of their own, pointing at their place in the file.
use super::{Doc, Instance, StateError};
use crate::diag::InputError;
use crate::model::{Identity, Mode, Model, Resource, Seen, SourceKind, Value};
use crate::source::Location;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A state or plan document to join, with the name users know the file by.
pub struct Input<'a> {
    /// As shown in messages: `terraform.tfstate`, `(stdin)`, `plan.json`.
    pub display: &'a str,
    pub text: &'a str,
}

/// What joining one file did, for the report and the tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// Instances that joined a configuration resource.
    pub joined: usize,
    /// Instances that became resources of their own.
    pub added: usize,
}

/// Reads `input` (a state or a plan, sniffed) and joins it into `model`. Errors are located in
/// the file; a file that cannot be read leaves the model as it was.
pub fn load_into(model: &mut Model, input: &Input, errors: &mut Vec<InputError>) -> Joined {
    let file: Arc<str> = Arc::from(input.display);
    let doc = match super::read_any(input.text) {
        Ok(d) => d,
        Err(e) => {
            errors.push(file_error(&file, &e));
            return Joined::default();
        }
    };
    for p in doc.problems() {
        errors.push(file_error(&file, p));
    }
    let mut joined = Joined::default();
    match doc {
        Doc::State(s) => {
            if let Some(e) = mismatch(model, &s.instances, &file) {
                errors.push(e);
                return joined;
            }
            join_all(model, &s.instances, SourceKind::State, &file, &mut joined);
        }
        Doc::Plan(p) => {
            if let Some(e) = mismatch(model, &p.planned, &file) {
                errors.push(e);
                return joined;
            }
            // What apply will make first; the prior state fills what the plan leaves unknown.
            join_all(model, &p.planned, SourceKind::Plan, &file, &mut joined);
            let mut prior = Joined::default();
            join_all(model, &p.prior, SourceKind::State, &file, &mut prior);
            joined.added += prior.added;
        }
    }
    model.invalidate_links();
    joined
}

fn file_error(file: &Arc<str>, e: &StateError) -> InputError {
    // Never a source excerpt: the lines around an error in a state file hold secrets.
    InputError::at(
        format!("{file}: {e}"),
        Some(Location::State {
            file: file.clone(),
            address: String::new(),
            path: String::new(),
        }),
    )
}

/// A state of another root module: none of its managed resources is declared here and none
/// of their types is either. Joining it would report its whole content as state-only.
fn mismatch(model: &Model, instances: &[Instance], file: &Arc<str>) -> Option<InputError> {
    let declared: Vec<&Resource> = model
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Managed && r.span.is_some())
        .collect();
    let managed: Vec<&Instance> = instances
        .iter()
        .filter(|i| i.address.mode == Mode::Managed)
        .collect();
    if declared.is_empty() || managed.is_empty() {
        return None;
    }
    let types: BTreeSet<&str> = declared.iter().map(|r| r.rtype.as_str()).collect();
    let addresses: BTreeSet<String> = declared.iter().map(|r| r.address.clone()).collect();
    let any = managed.iter().any(|i| {
        types.contains(i.address.rtype.as_str()) || addresses.contains(&i.address.to_string())
    });
    if any {
        return None;
    }
    let theirs: BTreeSet<&str> = managed.iter().map(|i| i.address.rtype.as_str()).collect();
    let list: Vec<&str> = theirs.into_iter().take(5).collect();
    Some(InputError::at(
        format!(
            "{file}: this state does not match this configuration: none of its {} managed \
             resources ({}{}) is of a type the configuration declares; is it the state of \
             another root module?",
            managed.len(),
            list.join(", "),
            if list.len() < 5 { "" } else { ", …" }
        ),
        Some(Location::State {
            file: file.clone(),
            address: String::new(),
            path: String::new(),
        }),
    ))
}

fn join_all(
    model: &mut Model,
    instances: &[Instance],
    kind: SourceKind,
    file: &Arc<str>,
    out: &mut Joined,
) {
    model.loaded.insert(kind);
    let mut by_address: HashMap<crate::model::Address, usize> = model
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.addr.clone(), i))
        .collect();
    for inst in instances {
        if inst.deposed.is_some() {
            continue; // an old object create_before_destroy is replacing
        }
        let address = inst.address.to_string();
        let location = Location::State {
            file: file.clone(),
            address: address.clone(),
            path: String::new(),
        };
        let Value::Map(attrs) = &inst.attributes else {
            // A plan that knows nothing of the object yet: configuration's view stands.
            if let std::collections::hash_map::Entry::Vacant(e) =
                by_address.entry(inst.address.clone())
            {
                let mut r = Resource::from_address(&inst.address, Seen { kind, location });
                r.depends_on = inst.dependencies.clone();
                e.insert(model.resources.len());
                model.resources.push(r);
                out.added += 1;
            }
            continue;
        };
        match by_address.get(&inst.address) {
            Some(&i) => {
                let r = &mut model.resources[i];
                let seen_here = r.seen.iter().any(|s| {
                    s.kind == kind
                        && matches!(&s.location, Location::State { file: f, .. } if f == file)
                });
                if seen_here {
                    continue; // an instance listed twice in one document
                }
                crate::model::merge::merge_attributes(r, attrs, &location, kind);
                r.add_layer(kind, &location, attrs);
                r.seen.push(Seen { kind, location });
                if r.depends_on.is_empty() {
                    r.depends_on = inst.dependencies.clone();
                }
                r.identity = identity(r);
                out.joined += 1;
            }
            None => {
                let mut r = Resource::from_address(
                    &inst.address,
                    Seen {
                        kind,
                        location: location.clone(),
                    },
                );
                r.set_attributes_at(attrs, &location);
                r.add_layer(kind, &location, attrs);
                r.depends_on = inst.dependencies.clone();
                r.identity = identity(&r);
                by_address.insert(inst.address.clone(), model.resources.len());
                model.resources.push(r);
                out.added += 1;
            }
        }
    }
}

fn identity(r: &Resource) -> Identity {
    let text = |k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    Identity {
        id: text("id"),
        arn: text("arn"),
    }
}
