//! DRIFT003 changed-attribute: the account holds another value than the state for an attribute
//! a deploy depends on; and the task definition revision a live service runs differs from the
//! repository's task definition file of its family (someone changed it in the console).
use super::{compared, normalize};
use crate::diag::fix::{Edit, Fix};
use crate::diag::{Drift, DriftKind};
use crate::model::{Resource, SourceKind, Value};
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};
use crate::source::Location;

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
    inputs: &[Input::State, Input::Live, Input::TaskDefinition],
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
        task_definition_files(cx, out);
    }
}

/// The registered revision a live service runs against the repository's file of its family.
struct FileChanged<'a> {
    file: &'a str,
    arn: &'a str,
    service: &'a str,
    differences: Vec<String>,
}

impl Violation for FileChanged<'_> {
    fn message(&self) -> String {
        format!(
            "{} ↔ {} ({}): the revision service {} runs differs from the file (image aside): {}; \
             someone changed the task definition outside this repository, and the next deploy \
             of the file undoes it",
            self.file,
            self.arn,
            super::where_live(self.arn),
            self.service,
            self.differences.join("; ")
        )
    }
    fn fix_title(&self) -> String {
        format!(
            "if the change made in the account is wanted, write it into {} before the next \
             deploy; otherwise deploying the file restores it",
            self.file
        )
    }
}

fn task_definition_files(cx: &Ctx, out: &mut Sink) {
    use crate::analysis::ecs::containers::family_of;
    let model = cx.model;
    let files: Vec<&Resource> = model
        .resources_of("aws_ecs_task_definition")
        .filter(|r| r.primary_source() == SourceKind::TaskDefinition)
        .collect();
    if files.is_empty() {
        return;
    }
    for svc in model
        .resources_of("aws_ecs_service")
        .filter(|s| s.seen_in(SourceKind::Live))
    {
        let Some(running) = svc
            .layer(SourceKind::Live)
            .and_then(|l| l.attributes.get("task_definition"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let family = family_of(running);
        for file in files
            .iter()
            .filter(|f| f.get("family").and_then(Value::as_str) == Some(family))
        {
            let Some(live) = model
                .by_identity(running)
                .into_iter()
                .find(|r| r.rtype == "aws_ecs_task_definition")
            else {
                out.not_evaluated(
                    file,
                    format!(
                        "service {} runs {running}, which the scan did not read: the file is not compared with it",
                        svc.address
                    ),
                    file.location(),
                );
                continue;
            };
            let differences = match differences(file, live) {
                Ok(d) => d,
                Err(why) => {
                    out.not_evaluated(file, why, file.location());
                    continue;
                }
            };
            if differences.is_empty() {
                continue;
            }
            let arn = live
                .identity
                .arn
                .clone()
                .unwrap_or_else(|| running.to_string());
            let related = vec![Related {
                message: format!("service {} runs this revision", svc.address),
                location: live.location().unwrap_or_else(|| Location::Live {
                    arn: arn.clone(),
                    path: String::new(),
                }),
            }];
            let f = out.report(
                file,
                &FileChanged {
                    file: &file.address,
                    arn: &arn,
                    service: &svc.address,
                    differences: differences.clone(),
                },
                file.location(),
                related,
            );
            f.fix = Some(Fix::display_only());
            f.drift = Some(Drift {
                kind: DriftKind::Changed,
                address: Some(file.address.clone()),
                arn: Some(arn),
                attribute: Some("container_definitions".into()),
                state_value: None,
                live_value: None,
            });
        }
    }
}

/// What differs between the file and the registered revision, image aside, each as a phrase;
/// Err when the file's containers cannot be read. Parts the file leaves to deploy time
/// (placeholders) are not compared; environment values are compared but never shown.
fn differences(file: &Resource, live: &Resource) -> Result<Vec<String>, String> {
    use crate::analysis::ecs::containers::{partial_definitions, Container, Definitions};
    let mut out = Vec::new();
    for attr in [
        "network_mode",
        "cpu",
        "memory",
        "execution_role_arn",
        "task_role_arn",
        "requires_compatibilities",
    ] {
        let Some(fv) = file.get(attr).filter(|v| v.is_wholly_known()) else {
            continue;
        };
        let lv = live.get(attr).cloned().unwrap_or(Value::Null);
        let norm = |v: &Value| match attr {
            "requires_compatibilities" => {
                let mut items: Vec<String> = v
                    .as_list()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect();
                items.sort();
                serde_json::json!(items)
            }
            _ => normalize(attr, v).unwrap_or(serde_json::Value::Null),
        };
        let (a, b) = (norm(fv), norm(&lv));
        if a != b {
            out.push(format!("{attr} is {a} in the file but {b} registered"));
        }
    }
    let read = |td: &Resource| -> Result<Vec<Container>, String> {
        match partial_definitions(td) {
            Ok(p) => Ok(p.known),
            Err(Definitions::Unknown(why) | Definitions::Invalid(why)) => {
                Err(format!("{}: {why}", td.address))
            }
            Err(_) => Ok(Vec::new()),
        }
    };
    let (mine, theirs) = (read(file)?, read(live)?);
    for c in &mine {
        let Some(name) = c.name() else { continue };
        let Some(l) = theirs.iter().find(|l| l.name() == Some(name)) else {
            out.push(format!(
                "container {name} is not in the registered revision"
            ));
            continue;
        };
        out.extend(
            container_differences(c, l)
                .into_iter()
                .map(|d| format!("container {name}: {d}")),
        );
    }
    for l in &theirs {
        if let Some(name) = l.name() {
            if !mine.iter().any(|c| c.name() == Some(name)) {
                out.push(format!(
                    "container {name} is registered but not in the file"
                ));
            }
        }
    }
    Ok(out)
}

/// A container field as compared: absent, null, `[]` and `{}` alike; JSON otherwise.
fn field_json(
    c: &crate::analysis::ecs::containers::Container,
    k: &str,
) -> Option<serde_json::Value> {
    let v = c.get(k);
    let j = v.to_display_json();
    match &j {
        serde_json::Value::Null => None,
        serde_json::Value::Array(a) if a.is_empty() => None,
        serde_json::Value::Object(m) if m.is_empty() => None,
        _ => Some(j),
    }
}

fn container_differences(
    c: &crate::analysis::ecs::containers::Container,
    l: &crate::analysis::ecs::containers::Container,
) -> Vec<String> {
    use crate::analysis::ecs::containers::port;
    let mut out = Vec::new();
    // Ports: (container, host, protocol), the host port defaulting to the container's and the
    // protocol to tcp, as ECS registers them.
    let ports =
        |x: &crate::analysis::ecs::containers::Container| -> Option<Vec<(i64, i64, String)>> {
            let mut v = Vec::new();
            for (j, m) in x.port_mappings().iter().enumerate() {
                let cp = port(m.container_port)?;
                let hp = port(m.host_port).filter(|h| *h != 0).unwrap_or(cp);
                let path = format!("portMappings[{j}]");
                let _ = path;
                let proto = match x.get("portMappings") {
                    Value::List(items) => items
                        .items
                        .get(j)
                        .and_then(|m| m.as_map())
                        .and_then(|m| m.get("protocol"))
                        .and_then(Value::as_str)
                        .unwrap_or("tcp")
                        .to_ascii_lowercase(),
                    _ => "tcp".into(),
                };
                v.push((cp, hp, proto));
            }
            v.sort();
            Some(v)
        };
    if let (Some(a), Some(b)) = (ports(c), ports(l)) {
        if a != b {
            let list = |v: &[(i64, i64, String)]| {
                let s: Vec<String> = v.iter().map(|p| p.0.to_string()).collect();
                if s.is_empty() {
                    "none".to_string()
                } else {
                    s.join(", ")
                }
            };
            out.push(format!(
                "containerPort {} in the file, {} registered",
                list(&a),
                list(&b)
            ));
        }
    }
    let pairs = |x: &crate::analysis::ecs::containers::Container, secrets: bool| {
        let v = if secrets {
            x.secrets()
        } else {
            x.environment()
        };
        v.iter()
            .filter_map(|p| Some((p.name.as_str()?.to_string(), p.value.clone())))
            .collect::<std::collections::BTreeMap<String, Value>>()
    };
    for (secrets, what) in [(false, "environment variable"), (true, "secret")] {
        let (a, b) = (pairs(c, secrets), pairs(l, secrets));
        for k in a.keys().filter(|k| !b.contains_key(*k)) {
            out.push(format!("{what} {k} is not registered"));
        }
        for k in b.keys().filter(|k| !a.contains_key(*k)) {
            out.push(format!("{what} {k} is registered but not in the file"));
        }
        for (k, av) in &a {
            let Some(bv) = b.get(k) else { continue };
            if av.is_wholly_known() && bv.is_wholly_known() && av.peel() != bv.peel() {
                // A secret's valueFrom is an ARN and may be shown; an environment value may
                // be a password and is not.
                if secrets {
                    out.push(format!(
                        "secret {k} is read from {} in the file, {} registered",
                        shown(av),
                        shown(bv)
                    ));
                } else {
                    out.push(format!("environment variable {k} has another value"));
                }
            }
        }
    }
    let skip = [
        "name",
        "image",
        "portMappings",
        "environment",
        "secrets",
        "essential",
    ];
    let mut keys: std::collections::BTreeSet<&str> = c.fields.keys().map(String::as_str).collect();
    keys.extend(l.fields.keys().map(String::as_str));
    for k in keys.into_iter().filter(|k| !skip.contains(k)) {
        if !c.get(k).is_wholly_known() {
            continue;
        }
        if field_json(c, k) != field_json(l, k) {
            out.push(format!("{k} differs"));
        }
    }
    // `essential` defaults to true.
    let essential = |x: &crate::analysis::ecs::containers::Container| {
        !matches!(x.get("essential"), Value::Bool(false))
    };
    if c.get("essential").is_wholly_known() && essential(c) != essential(l) {
        out.push(format!(
            "essential is {} in the file, {} registered",
            essential(c),
            essential(l)
        ));
    }
    out
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
