//! DRIFT003 changed-attribute: the account holds another value than the state for an attribute
//! a deploy depends on.
use super::{compared, normalize};
use crate::diag::fix::{Edit, Fix};
use crate::diag::{Drift, DriftKind};
use crate::model::{Resource, SourceKind, Value};
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct DriftChangedAttribute;

static META: RuleMeta = RuleMeta {
    code: "DRIFT003",
    name: "changed-attribute",
    category: "drift",
    severity: Severity::Warning,
    summary: "The account holds another value than the state for an attribute a deploy depends on",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[
        crate::diag::fix::Applicability::Unsafe,
        crate::diag::fix::Applicability::DisplayOnly,
    ],
    inputs: &[Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/changed-attribute.md"),
};

struct Changed<'a> {
    address: &'a str,
    arn: &'a str,
    attr: &'a str,
    state: String,
    live: String,
    /// Security group rules: (only in the state, only in the account).
    rules: Option<(String, String)>,
}

impl Violation for Changed<'_> {
    fn message(&self) -> String {
        if let Some((gone, added)) = &self.rules {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!(
                    "the account adds {added}, which the state does not have"
                ));
            }
            if !gone.is_empty() {
                parts.push(format!("the account lacks {gone}, which the state has"));
            }
            return format!(
                "{} ↔ {} ({}): {} rules differ: {}",
                self.address,
                self.arn,
                super::where_live(self.arn),
                self.attr,
                parts.join("; ")
            );
        }
        format!(
            "{} ↔ {} ({}): {} is {} in the state but {} in the account",
            self.address,
            self.arn,
            super::where_live(self.arn),
            self.attr,
            self.state,
            self.live
        )
    }
    fn fix_title(&self) -> String {
        if self.rules.is_some() {
            return "`terraform apply` restores the state's rules (removing what was added by hand); \
                    if a rule is wanted, write it into the configuration"
                .into();
        }
        format!(
            "`terraform apply` restores {}; if the account's value is the one you want, write it \
             into the configuration",
            self.state
        )
    }
}

/// A value for a message: short JSON, masked when sensitive.
fn shown(v: &Value) -> String {
    let s = v.to_display_json().to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(117).collect::<String>())
    } else {
        s
    }
}

impl Rule for DriftChangedAttribute {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        if !super::live_loaded(cx.model) {
            return;
        }
        for r in &cx.model.resources {
            let (Some(state), Some(live)) = (
                r.layer(SourceKind::State).or(r.layer(SourceKind::Plan)),
                r.layer(SourceKind::Live),
            ) else {
                continue;
            };
            for attr in compared(&r.rtype) {
                if r.ignores_changes(attr) {
                    continue;
                }
                // A role's state lists the policies attached when the role was last read (often
                // before its attachments were made): compared only when the configuration
                // manages the list itself; attachments are DRIFT002's.
                if *attr == "managed_policy_arns" && !r.writes(attr) {
                    continue;
                }
                let (Some(sv), Some(lv)) =
                    (state.attributes.get(*attr), live.attributes.get(*attr))
                else {
                    continue;
                };
                let (Some(a), Some(b)) = (normalize(attr, sv), normalize(attr, lv)) else {
                    continue;
                };
                if a == b {
                    continue;
                }
                let detail = rule_changes(&a, &b);
                report(
                    out,
                    r,
                    attr,
                    sv,
                    lv,
                    detail,
                    &state.location,
                    &live.location,
                );
            }
        }
    }
}

/// For security group rules, what changed, rule by rule: "the account adds tcp 5432 from
/// 0.0.0.0/0".
fn rule_changes(state: &serde_json::Value, live: &serde_json::Value) -> Option<(String, String)> {
    let (Some(s), Some(l)) = (state.as_array(), live.as_array()) else {
        return None;
    };
    if !s
        .iter()
        .chain(l)
        .all(|r| r.get("protocol").is_some() && r.get("cidr_blocks").is_some())
    {
        return None;
    }
    let describe = |r: &serde_json::Value| {
        let proto = r["protocol"].as_str().unwrap_or("-1");
        let ports = if proto == "-1" {
            "all traffic".to_string()
        } else if r["from_port"] == r["to_port"] {
            format!("{proto} {}", r["from_port"])
        } else {
            format!("{proto} {}-{}", r["from_port"], r["to_port"])
        };
        let from: Vec<String> = [
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "security_groups",
            "prefix_list_ids",
        ]
        .iter()
        .flat_map(|k| r[*k].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(String::from))
        .chain(
            r["self"]
                .as_bool()
                .filter(|b| *b)
                .map(|_| "itself".to_string()),
        )
        .collect();
        format!("{ports} from {}", from.join(", "))
    };
    let only = |a: &[serde_json::Value], b: &[serde_json::Value]| -> Vec<String> {
        a.iter().filter(|x| !b.contains(x)).map(describe).collect()
    };
    Some((only(s, l).join("; "), only(l, s).join("; ")))
}

#[allow(clippy::too_many_arguments)]
fn report(
    out: &mut Sink,
    r: &Resource,
    attr: &str,
    sv: &Value,
    lv: &Value,
    detail: Option<(String, String)>,
    state_at: &crate::source::Location,
    live_at: &crate::source::Location,
) {
    let arn = r
        .identity
        .arn
        .clone()
        .or_else(|| r.identity.id.clone())
        .unwrap_or_default();
    let v = Changed {
        address: &r.address,
        arn: &arn,
        attr,
        state: shown(sv),
        live: shown(lv),
        rules: detail,
    };
    let origin = r.origin(attr).filter(|o| o.location.span().is_some());
    // A nested block (`ingress { … }`) has origins only below it: point at its first line.
    let below = r
        .origins
        .iter()
        .find(|(k, o)| {
            k.strip_prefix(attr)
                .is_some_and(|rest| rest.starts_with(['[', '.']))
                && o.location.span().is_some()
        })
        .map(|(_, o)| o.location.clone());
    let location = origin
        .map(|o| o.location.clone())
        .or(below)
        .or_else(|| r.span.clone().map(Into::into))
        .unwrap_or_else(|| state_at.at_path(attr));
    let related = vec![
        Related {
            message: format!("value in the state: {}", shown(sv)),
            location: state_at.at_path(attr),
        },
        Related {
            message: format!("value in the account: {}", shown(lv)),
            location: live_at.at_path(attr),
        },
    ];
    // Accepting the account's value: only where configuration writes a literal scalar.
    let accept = origin.filter(|o| o.constant).and_then(|o| {
        let text = match lv.peel() {
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) if !lv.is_sensitive() => format!("{s:?}"),
            _ => return None,
        };
        Some(Edit::SetValue {
            origin: o.clone(),
            text,
        })
    });
    let f = out.report(r, &v, Some(location), related);
    f.fix = Some(match accept {
        Some(e) => Fix::unsafe_(vec![e]),
        None => Fix::display_only(),
    });
    f.drift = Some(Drift {
        kind: DriftKind::Changed,
        address: Some(r.address.clone()),
        arn: Some(arn),
        attribute: Some(attr.to_string()),
        state_value: Some(sv.to_display_json()),
        live_value: Some(lv.to_display_json()),
    });
}
