//! Turning where a value came from into the related locations a finding shows.
use crate::model::{Origin, Resource, Via};
use crate::rules::Related;

/// The places an attribute's value passed through (the tfvars line, the variable default, the
/// module argument), as related locations.
/// A value another source supplied to an enclosing attribute (`ingress` from the account, for
/// `ingress[0].cidr_blocks`) names that source's place too.
pub fn via_related(r: &Resource, path: &str) -> Vec<Related> {
    let mut out = r.origin(path).map(origin_related).unwrap_or_default();
    if let Some(v) = r.supplied_by(path) {
        if !out.iter().any(|x| x.location == v.location) {
            out.push(Related {
                message: v.label.clone(),
                location: v.location.clone(),
            });
        }
    }
    out
}

pub fn origin_related(o: &Origin) -> Vec<Related> {
    vias_related(&o.via)
}

/// Like `origin_related`, each place followed by the value it gave: "var.port (8080)".
pub fn origin_related_showing(o: &Origin, value: &str) -> Vec<Related> {
    o.via
        .iter()
        .map(|v| Related {
            message: format!("{} ({value})", v.label),
            location: v.location.clone(),
        })
        .collect()
}

pub fn vias_related(vias: &[Via]) -> Vec<Related> {
    vias.iter()
        .map(|v| Related {
            message: v.label.clone(),
            location: v.location.clone(),
        })
        .collect()
}
