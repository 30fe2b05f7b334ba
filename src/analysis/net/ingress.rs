//! Ingress of security groups, normalized over the three ways to write it: inline `ingress`
//! blocks, `aws_security_group_rule` with `type = "ingress"`, and
//! `aws_vpc_security_group_ingress_rule`.
use super::{as_int, location_of, SG_TYPES};
use crate::model::Seq;
use crate::model::{Model, Resource, Value};
use crate::source::Location;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Protocol {
    All,
    Tcp,
    Udp,
    Icmp,
    Other(String),
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ports {
    All,
    Range(i64, i64),
    Unknown(String),
}

impl Ports {
    /// Whether `port` is in range; None when the ports are not known.
    pub fn covers(&self, port: i64) -> Option<bool> {
        match self {
            Ports::All => Some(true),
            Ports::Range(a, b) => Some(*a <= port && port <= *b),
            Ports::Unknown(_) => None,
        }
    }
    /// Every TCP/UDP port (`-1`, or 0-65535).
    pub fn covers_every_port(&self) -> bool {
        matches!(self, Ports::All | Ports::Range(i64::MIN..=0, 65535..))
    }
    /// "port 80", "ports 0-65535", "all ports".
    pub fn describe(&self) -> String {
        match self {
            Ports::All => "all ports".into(),
            Ports::Range(a, b) if a == b => format!("port {a}"),
            Ports::Range(0, 65535) => "all ports (0-65535)".into(),
            Ports::Range(a, b) => format!("ports {a}-{b}"),
            Ports::Unknown(_) => "unknown ports".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Source<'a> {
    Cidr(String),
    Group(&'a Resource),
    /// A security group id not managed here (`sg-0abc`).
    GroupId(String),
    SelfGroup,
    PrefixList,
    Unknown(String),
}

/// A source and the attribute of the rule resource it was written in.
#[derive(Clone, Debug)]
pub struct SourceAt<'a> {
    pub source: Source<'a>,
    pub path: String,
}

/// One ingress rule.
#[derive(Clone, Debug)]
pub struct Ingress<'a> {
    /// The resource that holds the rule: the security group itself for inline blocks.
    pub rule: &'a Resource,
    /// The security groups it applies to (several when reached through `count`).
    pub groups: Vec<&'a Resource>,
    /// Why the group is not known (an id from a variable, a literal `sg-` id).
    pub group_unknown: Option<String>,
    /// A literal group id (`sg-0abc`) the rule names.
    pub group_id: Option<String>,
    /// `ingress[0].` for inline blocks, "" for rule resources.
    pub prefix: String,
    pub protocol: Protocol,
    pub ports: Ports,
    pub sources: Vec<SourceAt<'a>>,
}

impl Ingress<'_> {
    /// Where an attribute of this rule is written (`cidr_blocks`), or the rule's header.
    pub fn span(&self, attr: &str) -> Option<Location> {
        let path = format!("{}{attr}", self.prefix);
        if self.rule.origin(&path).is_some() {
            return location_of(self.rule, &path);
        }
        let block = self.prefix.trim_end_matches('.');
        if !block.is_empty() {
            // A dynamic block's content or a list-of-objects ingress: the nearest written part.
            if let Some((_, o)) = self
                .rule
                .origins
                .iter()
                .find(|(k, _)| k.starts_with(&self.prefix))
            {
                return Some(o.location.clone());
            }
            if let Some(o) = self.rule.origin(block.split('[').next().unwrap_or(block)) {
                return Some(o.location.clone());
            }
        }
        self.rule.location()
    }
    /// The inline block (`ingress[1]`), "" for rule resources.
    pub fn block(&self) -> &str {
        self.prefix.trim_end_matches('.')
    }
    /// The rule's address with the block for inline rules: `aws_security_group.web ingress[1]`.
    pub fn describe(&self) -> String {
        if self.prefix.is_empty() {
            self.rule.address.clone()
        } else {
            format!(
                "{} {}",
                self.rule.address,
                self.prefix.trim_end_matches('.')
            )
        }
    }
    /// Whether the rule carries TCP traffic (all protocols do); None when not known.
    pub fn carries_tcp(&self) -> Option<bool> {
        match self.protocol {
            Protocol::All | Protocol::Tcp => Some(true),
            Protocol::Unknown(_) => None,
            _ => false.into(),
        }
    }
    /// The sources that admit the whole internet.
    pub fn world_sources(&self) -> impl Iterator<Item = &SourceAt<'_>> {
        self.sources
            .iter()
            .filter(|s| matches!(&s.source, Source::Cidr(c) if is_world(c)))
    }
    pub fn applies_to(&self, sg: &Resource) -> bool {
        self.groups.iter().any(|g| std::ptr::eq(*g, sg))
    }
}

/// `0.0.0.0/0`, `::/0` and every other way to write a /0.
/// Whether the IPv4 range `outer` (`10.0.0.0/16`) contains the range `inner`
/// (`10.0.1.0/24`). False for anything that is not two IPv4 CIDRs.
pub fn cidr_contains(outer: &str, inner: &str) -> bool {
    fn parse(c: &str) -> Option<(u32, u32)> {
        let (addr, len) = c.trim().split_once('/')?;
        let addr: std::net::Ipv4Addr = addr.parse().ok()?;
        let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
        Some((u32::from(addr), len))
    }
    let (Some((o, ol)), Some((i, il))) = (parse(outer), parse(inner)) else {
        return false;
    };
    let mask = if ol == 0 { 0 } else { u32::MAX << (32 - ol) };
    il >= ol && (o & mask) == (i & mask)
}

pub fn is_world(cidr: &str) -> bool {
    cidr.trim().rsplit_once('/').is_some_and(|(_, p)| p == "0")
}

/// Every ingress rule of the configuration.
pub fn all_ingress(model: &Model) -> Vec<Ingress<'_>> {
    let mut out = Vec::new();
    for sg in model
        .resources
        .iter()
        .filter(|r| r.mode == crate::model::Mode::Managed && SG_TYPES.contains(&r.rtype.as_str()))
    {
        inline(model, sg, &mut out);
    }
    for r in model.resources_of("aws_security_group_rule") {
        if r.get("type").and_then(Value::as_str) != Some("ingress") {
            continue;
        }
        let sources = classic_sources(model, |k| r.get(k), "", "source_security_group_id");
        out.push(standalone(model, r, "protocol", sources));
    }
    for r in model.resources_of("aws_vpc_security_group_ingress_rule") {
        let mut sources = Vec::new();
        cidrs(model, r.get("cidr_ipv4"), "cidr_ipv4", &mut sources);
        cidrs(model, r.get("cidr_ipv6"), "cidr_ipv6", &mut sources);
        group_sources(
            model,
            r.get("referenced_security_group_id"),
            "referenced_security_group_id",
            &mut sources,
        );
        if super::is_set(r.get("prefix_list_id")) {
            sources.push(SourceAt {
                source: Source::PrefixList,
                path: "prefix_list_id".into(),
            });
        }
        out.push(standalone(model, r, "ip_protocol", sources));
    }
    out
}

/// An ingress rule resource of its own, attached to the group in `security_group_id`.
fn standalone<'a>(
    model: &'a Model,
    r: &'a Resource,
    protocol_attr: &str,
    sources: Vec<SourceAt<'a>>,
) -> Ingress<'a> {
    let (groups, group_unknown, group_id) = groups_of(model, r, "security_group_id");
    let protocol = protocol_of(r.get(protocol_attr));
    let ports = ports_of(&protocol, r.get("from_port"), r.get("to_port"));
    Ingress {
        rule: r,
        groups,
        group_unknown,
        group_id,
        prefix: String::new(),
        protocol,
        ports,
        sources,
    }
}

/// The sources of an ingress rule written the classic way (an inline `ingress` block or an
/// `aws_security_group_rule`), whose attributes `get` reads; their paths start with `prefix`.
fn classic_sources<'a>(
    model: &'a Model,
    get: impl Fn(&str) -> Option<&'a Value>,
    prefix: &str,
    group_attr: &str,
) -> Vec<SourceAt<'a>> {
    let mut sources = Vec::new();
    for attr in ["cidr_blocks", "ipv6_cidr_blocks"] {
        cidrs(model, get(attr), &format!("{prefix}{attr}"), &mut sources);
    }
    group_sources(
        model,
        get(group_attr),
        &format!("{prefix}{group_attr}"),
        &mut sources,
    );
    flag_sources(get("self"), get("prefix_list_ids"), prefix, &mut sources);
    sources
}

/// The ingress rules of one security group.
pub fn ingress_of<'a>(model: &'a Model, sg: &Resource) -> Vec<Ingress<'a>> {
    all_ingress(model)
        .into_iter()
        .filter(|i| i.applies_to(sg))
        .collect()
}

fn inline<'a>(model: &'a Model, sg: &'a Resource, out: &mut Vec<Ingress<'a>>) {
    let unknown = |reason: String| Ingress {
        rule: sg,
        groups: vec![sg],
        group_unknown: None,
        group_id: None,
        prefix: String::new(),
        protocol: Protocol::Unknown(reason.clone()),
        ports: Ports::Unknown(reason.clone()),
        sources: vec![SourceAt {
            source: Source::Unknown(reason),
            path: "ingress".into(),
        }],
    };
    // A `dynamic "ingress"` over an unknown collection leaves an Unknown among the blocks,
    // which says so below (once: the evaluator's own note is not repeated here).
    match sg.get("ingress").map(Value::peel) {
        Some(Value::List(Seq { items, .. }) | Value::Set(items)) => {
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("ingress[{i}].");
                let Some(m) = item.as_map() else {
                    if let Value::Unknown(u) = item.peel() {
                        out.push(unknown(format!("ingress is not known: {}", u.cause())));
                    }
                    continue;
                };
                let protocol = protocol_of(m.get("protocol"));
                let ports = ports_of(&protocol, m.get("from_port"), m.get("to_port"));
                let sources = classic_sources(model, |k| m.get(k), &prefix, "security_groups");
                out.push(Ingress {
                    rule: sg,
                    groups: vec![sg],
                    group_unknown: None,
                    group_id: None,
                    prefix,
                    protocol,
                    ports,
                    sources,
                });
            }
        }
        Some(Value::Unknown(u)) => {
            out.push(unknown(format!("ingress is not known: {}", u.cause())))
        }
        _ => {}
    }
}

fn groups_of<'a>(
    model: &'a Model,
    r: &Resource,
    attr: &str,
) -> (Vec<&'a Resource>, Option<String>, Option<String>) {
    let Some(v) = r.get(attr) else {
        return (Vec::new(), Some(format!("{attr} is not set")), None);
    };
    let found = model.follow(v, SG_TYPES);
    let unknown = found
        .unknown
        .map(|u| format!("{attr} is not known: {u}"))
        .or_else(|| {
            found
                .literals
                .first()
                .map(|l| format!("security group {l} is not managed {}", model.scope()))
        });
    (found.resources, unknown, found.literals.first().cloned())
}

fn protocol_of(v: Option<&Value>) -> Protocol {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Protocol::Unknown("protocol is not set".into());
    };
    if let Value::Unknown(u) = v.peel() {
        return Protocol::Unknown(format!("protocol is not known: {}", u.cause()));
    }
    let text = match v.to_tf_string() {
        Ok(t) => t.to_ascii_lowercase(),
        Err(_) => return Protocol::Unknown("protocol is not a string".into()),
    };
    match text.as_str() {
        "-1" | "all" => Protocol::All,
        "tcp" | "6" => Protocol::Tcp,
        "udp" | "17" => Protocol::Udp,
        "icmp" | "1" | "icmpv6" | "58" => Protocol::Icmp,
        other => Protocol::Other(other.to_string()),
    }
}

fn ports_of(protocol: &Protocol, from: Option<&Value>, to: Option<&Value>) -> Ports {
    if *protocol == Protocol::All {
        return Ports::All;
    }
    let one = |v: Option<&Value>, name: &str| -> Result<i64, String> {
        match v.map(Value::peel) {
            Some(Value::Unknown(u)) => Err(format!("{name} is not known: {}", u.cause())),
            Some(v) => as_int(v).ok_or_else(|| format!("{name} is not a number")),
            None => Err(format!("{name} is not set")),
        }
    };
    match (one(from, "from_port"), one(to, "to_port")) {
        (Ok(a), Ok(b)) if a == -1 || b == -1 => Ports::All,
        (Ok(a), Ok(b)) => Ports::Range(a, b),
        (Err(e), _) | (_, Err(e)) => Ports::Unknown(e),
    }
}

fn cidrs<'a>(model: &'a Model, v: Option<&'a Value>, path: &str, out: &mut Vec<SourceAt<'a>>) {
    let Some(v) = v else { return };
    let v = model.input_value(v);
    match v.peel() {
        Value::String(s) => out.push(SourceAt {
            source: Source::Cidr(s.clone()),
            path: path.into(),
        }),
        Value::List(Seq { items, .. }) | Value::Set(items) => {
            for x in items {
                cidrs(model, Some(x), path, out);
            }
        }
        Value::Unknown(u) => {
            let source = match network_range(u.cause()) {
                Some(label) => Source::Cidr(label),
                None => Source::Unknown(format!("{} is not known: {}", leaf(path), u.cause())),
            };
            out.push(SourceAt {
                source,
                path: path.into(),
            })
        }
        _ => {}
    }
}

/// The CIDR of a VPC or subnet (`aws_vpc.main.cidr_block`, `data.aws_vpc.default.cidr_block`),
/// known only after apply but never the internet: VPC ranges are /16 to /28 (/44 to /64 in IPv6).
fn network_range(c: &crate::model::Cause) -> Option<String> {
    let (target, attribute) = crate::model::query::awaited(c)?;
    let rtype = target
        .trim_start_matches("data.")
        .split('.')
        .next()
        .unwrap_or("");
    let network = matches!(
        rtype,
        "aws_vpc"
            | "aws_default_vpc"
            | "aws_subnet"
            | "aws_default_subnet"
            | "aws_vpc_ipv4_cidr_block_association"
            | "aws_vpc_ipv6_cidr_block_association"
    );
    let attr = attribute.unwrap_or("cidr_block");
    (network && attr.contains("cidr_block")).then(|| format!("{target}.{attr}"))
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn group_sources<'a>(model: &'a Model, v: Option<&Value>, path: &str, out: &mut Vec<SourceAt<'a>>) {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return;
    };
    let found = model.follow(v, SG_TYPES);
    for g in found.resources {
        out.push(SourceAt {
            source: Source::Group(g),
            path: path.into(),
        });
    }
    for l in found.literals {
        out.push(SourceAt {
            source: Source::GroupId(l),
            path: path.into(),
        });
    }
    if let Some(u) = found.unknown {
        out.push(SourceAt {
            source: Source::Unknown(format!("{} is not known: {u}", leaf(path))),
            path: path.into(),
        });
    }
}

fn flag_sources(
    self_: Option<&Value>,
    prefix_lists: Option<&Value>,
    prefix: &str,
    out: &mut Vec<SourceAt<'_>>,
) {
    match self_.map(Value::peel) {
        Some(Value::Bool(true)) => out.push(SourceAt {
            source: Source::SelfGroup,
            path: format!("{prefix}self"),
        }),
        Some(Value::Unknown(u)) => out.push(SourceAt {
            source: Source::Unknown(format!("self is not known: {}", u.cause())),
            path: format!("{prefix}self"),
        }),
        _ => {}
    }
    if prefix_lists
        .and_then(Value::as_list)
        .is_some_and(|l| !l.is_empty())
        || matches!(prefix_lists.map(Value::peel), Some(Value::Unknown(_)))
    {
        out.push(SourceAt {
            source: Source::PrefixList,
            path: format!("{prefix}prefix_list_ids"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::net::admits::{admits_from, is_lb_group, Admits};
    use crate::rules::testing::model_tf as tf;

    const SGS: &str = r#"
variable "cidrs" {}
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_security_group" "alb" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "app" {}
resource "aws_security_group" "db" {
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}
resource "aws_security_group_rule" "app_from_alb" {
  type                     = "ingress"
  security_group_id        = aws_security_group.app.id
  from_port                = 8080
  to_port                  = 8080
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
}
resource "aws_vpc_security_group_ingress_rule" "db_all" {
  security_group_id            = aws_security_group.db.id
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.app.id
}
resource "aws_vpc_security_group_ingress_rule" "db_unknown" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 1
  to_port           = 2
  cidr_ipv4         = var.cidrs
}
resource "aws_lb" "web" { security_groups = [aws_security_group.alb.id] }
"#;

    fn sg<'a>(m: &'a Model, name: &str) -> &'a Resource {
        m.resources_of("aws_security_group")
            .find(|r| r.name == name)
            .unwrap()
    }

    #[test]
    fn normalizes_the_three_forms() {
        let m = tf(SGS);
        let all = all_ingress(&m);
        assert_eq!(all.len(), 5);
        let db = ingress_of(&m, sg(&m, "db"));
        assert_eq!(db.len(), 3);
        // The VPC's CIDR is read through the reference.
        assert!(matches!(&db[0].sources[0].source, Source::Cidr(c) if c == "10.0.0.0/16"));
        assert_eq!(db[0].ports, Ports::Range(5432, 5432));
        assert_eq!(db[1].ports, Ports::All);
        assert!(matches!(&db[1].sources[0].source, Source::Group(g) if g.name == "app"));
        assert!(matches!(&db[2].sources[0].source, Source::Unknown(u) if u.contains("var.cidrs")));
        assert!(is_lb_group(&m, sg(&m, "alb")));
        assert!(!is_lb_group(&m, sg(&m, "app")));
    }

    #[test]
    fn admits_from_answers_yes_no_unknown() {
        let m = tf(SGS);
        let (alb, app, db) = (sg(&m, "alb"), sg(&m, "app"), sg(&m, "db"));
        assert!(matches!(
            admits_from(
                &crate::analysis::Analysis::new(&m),
                &[app],
                8080,
                &[alb],
                &[]
            ),
            Admits::Yes { span: Some(_) }
        ));
        assert_eq!(
            admits_from(&crate::analysis::Analysis::new(&m), &[app], 80, &[alb], &[]),
            Admits::No
        );
        assert_eq!(
            admits_from(
                &crate::analysis::Analysis::new(&m),
                &[app],
                8080,
                &[db],
                &[]
            ),
            Admits::No
        );
        // Any TCP port from the app through the all-protocols rule.
        assert!(matches!(
            admits_from(
                &crate::analysis::Analysis::new(&m),
                &[db],
                5432,
                &[app],
                &[]
            ),
            Admits::Yes { .. }
        ));
        // The world-open CIDR rule admits everyone on 443.
        assert!(matches!(
            admits_from(
                &crate::analysis::Analysis::new(&m),
                &[alb],
                443,
                &[app],
                &[]
            ),
            Admits::Yes { .. }
        ));
        // db_unknown's CIDR comes from a variable without value.
        assert!(
            matches!(admits_from(&crate::analysis::Analysis::new(&m), &[db], 1, &[alb], &[]), Admits::Unknown(u) if u.contains("var.cidrs"))
        );
    }

    #[test]
    fn cidr_containment() {
        assert!(cidr_contains("10.0.0.0/16", "10.0.1.0/24"));
        assert!(cidr_contains("10.0.0.0/16", "10.0.0.0/16"));
        assert!(!cidr_contains("10.0.1.0/24", "10.0.0.0/16"));
        assert!(!cidr_contains("10.1.0.0/16", "10.0.1.0/24"));
        assert!(cidr_contains("0.0.0.0/0", "192.168.0.0/24"));
        assert!(!cidr_contains("aws_vpc.main.cidr_block", "10.0.0.0/16"));
    }

    #[test]
    fn ports_and_world() {
        assert!(is_world("0.0.0.0/0") && is_world("::/0") && !is_world("10.0.0.0/8"));
        assert_eq!(Ports::Range(0, 65535).covers(22), Some(true));
        assert_eq!(Ports::Range(80, 80).covers(443), Some(false));
        assert_eq!(Ports::Unknown("x".into()).covers(1), None);
    }
}
