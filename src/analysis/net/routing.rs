//! Where a subnet's default routes (`0.0.0.0/0`, `::/0`) go: the route table associated with
//! it, or its VPC's main table, and the inline `route` blocks and `aws_route` resources of that
//! table.
use super::{is_set, location_of, prefer_key};
use crate::diag::Related;
use crate::model::Seq;
use crate::model::{Model, Resource, Value};
use crate::source::Location;

/// The default route of a subnet. When several apply (an association reached through
/// `count` without a matching key), the most exposed one wins: internet gateway, then
/// unknown, then NAT, then other targets.
#[derive(Clone, Debug)]
pub enum DefaultRoute<'a> {
    /// A default route to an internet gateway: instances with a public IP are reachable.
    InternetGateway {
        table: &'a Resource,
        route: Option<Location>,
        ipv6: bool,
    },
    /// IPv4 default route to a NAT gateway (egress only).
    Nat {
        table: &'a Resource,
        route: Option<Location>,
    },
    /// A default route to something else (transit gateway, egress-only gateway, firewall
    /// endpoint, peering, NAT instance…): not inbound from the internet; egress not known.
    Other {
        table: &'a Resource,
        route: Option<Location>,
        what: String,
    },
    /// No default route: only the VPC's local route (`table` None: the implicit main table).
    None {
        table: Option<&'a Resource>,
    },
    Unknown(String),
}

impl DefaultRoute<'_> {
    fn rank(&self) -> u8 {
        match self {
            DefaultRoute::InternetGateway { .. } => 0,
            DefaultRoute::Unknown(_) => 1,
            DefaultRoute::Nat { .. } => 2,
            DefaultRoute::Other { .. } => 3,
            DefaultRoute::None { .. } => 4,
        }
    }
    pub fn is_internet_gateway(&self) -> bool {
        matches!(self, DefaultRoute::InternetGateway { .. })
    }
    /// The route's location, when there is one.
    pub fn route_span(&self) -> Option<Location> {
        match self {
            DefaultRoute::InternetGateway { route, .. }
            | DefaultRoute::Nat { route, .. }
            | DefaultRoute::Other { route, .. } => route.clone(),
            _ => None,
        }
    }

    /// A default route to an internet gateway as a related location: the route, or its
    /// table when the route has no place of its own.
    pub fn igw_related(&self) -> Option<Related> {
        match self {
            DefaultRoute::InternetGateway { table, route, .. } => route
                .clone()
                .or_else(|| table.location())
                .map(|span| Related {
                    message: format!("default route of {} to an internet gateway", table.address),
                    location: span,
                }),
            _ => None,
        }
    }
}

const TABLE_TYPES: &[&str] = &["aws_route_table", "aws_default_route_table"];
const VPC_TYPES: &[&str] = &["aws_vpc", "aws_default_vpc"];

/// The default route of `subnet` (an `aws_subnet`): `0.0.0.0/0`, and `::/0` when the subnet
/// has IPv6 addresses (a `::/0` route serves no host of an IPv4-only subnet).
pub fn default_route<'a>(model: &'a Model, subnet: &'a Resource) -> DefaultRoute<'a> {
    default_route_of(model, subnet, !has_ipv6(subnet))
}

/// The IPv4 default route (`0.0.0.0/0`) of `subnet`: the way out of hosts that reach
/// IPv4-only services (an image registry), whatever `::/0` does.
pub fn default_route_v4<'a>(model: &'a Model, subnet: &'a Resource) -> DefaultRoute<'a> {
    default_route_of(model, subnet, true)
}

/// Whether a subnet may have IPv6 addresses: an `ipv6_cidr_block` that is set (or not known),
/// or `ipv6_native`.
fn has_ipv6(subnet: &Resource) -> bool {
    is_set(subnet.get("ipv6_cidr_block"))
        || subnet
            .get("ipv6_native")
            .is_some_and(|v| !matches!(v.peel(), Value::Bool(false) | Value::Null))
}

/// The routing types whose absence `default_route` reads as "no route".
const ROUTING_TYPES: &[&str] = &[
    "aws_route_table",
    "aws_default_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
];

fn default_route_of<'a>(model: &'a Model, subnet: &'a Resource, v4_only: bool) -> DefaultRoute<'a> {
    let unreadable = ROUTING_TYPES
        .iter()
        .find_map(|t| model.coverage(t).err())
        .map(|reason| format!("the routing of {} is not known: {reason}", subnet.address));
    let found = match route_tables(model, subnet) {
        Ok(tables) if tables.is_empty() => DefaultRoute::None { table: None },
        Ok(tables) => tables
            .into_iter()
            .map(|t| table_default(model, t, v4_only))
            .min_by_key(DefaultRoute::rank)
            .unwrap_or(DefaultRoute::None { table: None }),
        // What the sources could not read explains more than what they lack.
        Err(reason) => return DefaultRoute::Unknown(unreadable.unwrap_or(reason)),
    };
    // A route to an internet gateway is a fact; anything less exposed is only as good as the
    // sources' view of every route table, association and route.
    if found.is_internet_gateway() {
        return found;
    }
    match unreadable {
        Some(reason) => DefaultRoute::Unknown(reason),
        None => found,
    }
}

/// The route tables that apply to a subnet; empty for the implicit main table (local only).
fn route_tables<'a>(model: &'a Model, subnet: &'a Resource) -> Result<Vec<&'a Resource>, String> {
    let mut assocs = Vec::new();
    let mut unknown_assoc = None;
    for a in model.resources_of("aws_route_table_association") {
        let Some(v) = a.get("subnet_id") else {
            continue; // a gateway association
        };
        let r = model.follow(v, crate::analysis::net::SUBNET_TYPES);
        if r.resources.iter().any(|s| std::ptr::eq(*s, subnet)) {
            assocs.push(a);
        } else if r.resources.is_empty() && r.literals.is_empty() {
            if let Some(u) = r.unknown {
                unknown_assoc.get_or_insert(format!("{}.subnet_id is not known: {u}", a.address));
            }
        }
    }
    let assocs = prefer_key(assocs, subnet);
    if !assocs.is_empty() {
        let mut tables: Vec<&Resource> = Vec::new();
        for a in assocs {
            let Some(v) = a.get("route_table_id") else {
                continue;
            };
            let r = model.follow(v, TABLE_TYPES);
            if let Some(u) = r.unknown {
                return Err(format!("{}.route_table_id is not known: {u}", a.address));
            }
            if let Some(l) = r.literals.first() {
                return Err(format!(
                    "route table {l} of {} is not managed {}",
                    a.address,
                    model.scope()
                ));
            }
            for t in prefer_key(r.resources, a) {
                if !tables.iter().any(|x| std::ptr::eq(*x, t)) {
                    tables.push(t);
                }
            }
        }
        return Ok(tables);
    }
    if let Some(u) = unknown_assoc {
        return Err(u);
    }
    // The VPC's main route table.
    let vpc = match subnet.get("vpc_id") {
        Some(v) => model.follow(v, VPC_TYPES),
        None => return Err(format!("{} has no vpc_id", subnet.address)),
    };
    if let Some(u) = vpc.unknown {
        return Err(format!("vpc_id of {} is not known: {u}", subnet.address));
    }
    if let Some(l) = vpc.literals.first() {
        return Err(format!(
            "{} has no route table association and its VPC {l} is not managed {}",
            subnet.address,
            model.scope()
        ));
    }
    let in_vpc = |r: &Resource, attr: &str| {
        r.get(attr).is_some_and(|v| {
            model
                .follow(v, VPC_TYPES)
                .resources
                .iter()
                .any(|x| vpc.resources.iter().any(|y| std::ptr::eq(*x, *y)))
        })
    };
    for m in model.resources_of("aws_main_route_table_association") {
        if in_vpc(m, "vpc_id") {
            let r = m
                .get("route_table_id")
                .map(|v| model.follow(v, TABLE_TYPES))
                .unwrap_or_default();
            if let Some(u) = r.unknown {
                return Err(format!("{}.route_table_id is not known: {u}", m.address));
            }
            return Ok(r.resources);
        }
    }
    let defaults: Vec<&Resource> = model
        .resources_of("aws_default_route_table")
        .filter(|t| in_vpc(t, "default_route_table_id"))
        .collect();
    if defaults.is_empty() {
        // Routes added to the main table by its ID (`route_table_id =
        // aws_vpc.main.main_route_table_id`): the VPC stands for that table.
        let mains: Vec<&Resource> = vpc
            .resources
            .iter()
            .copied()
            .filter(|v| {
                model
                    .resources_of("aws_route")
                    .any(|r| on_main_table(model, r, v))
            })
            .collect();
        if !mains.is_empty() {
            return Ok(mains);
        }
        // An existing subnet or VPC read with a data source: its route tables are in the
        // account, and only a live scan (which covers the routing types) has them.
        let existing = std::iter::once(subnet)
            .chain(vpc.resources.iter().copied())
            .find(|r| r.mode == crate::model::Mode::Data);
        if let Some(d) = existing {
            if !d
                .seen
                .iter()
                .any(|s| s.kind == crate::model::SourceKind::Live)
            {
                return Err(format!(
                    "{} is read with a data source: its route tables are in the account, not {}",
                    d.address,
                    model.scope()
                ));
            }
        }
    }
    if vpc.resources.iter().any(|v| v.rtype == "aws_default_vpc") && defaults.is_empty() {
        // The default VPC's main table routes 0.0.0.0/0 to its internet gateway.
        return Err(format!(
            "{} is in the default VPC, whose main route table is not {}",
            subnet.address,
            model.scope()
        ));
    }
    Ok(defaults)
}

/// Whether `aws_route` `r` adds to the main route table of `vpc`: `route_table_id =
/// aws_vpc.main.main_route_table_id`, or (from state or the account) that table's ID.
fn on_main_table(model: &Model, r: &Resource, vpc: &Resource) -> bool {
    if !VPC_TYPES.contains(&vpc.rtype.as_str()) {
        return false;
    }
    let Some(v) = r.get("route_table_id") else {
        return false;
    };
    let main = vpc.get("main_route_table_id").and_then(Value::as_str);
    if v.as_str().is_some_and(|id| Some(id) == main) {
        return true;
    }
    model.targets(v).iter().any(|t| {
        std::ptr::eq(t.resource, vpc) && t.attribute.as_deref() == Some("main_route_table_id")
    })
}

/// The most exposed default route of one route table.
fn table_default<'a>(model: &'a Model, table: &'a Resource, v4_only: bool) -> DefaultRoute<'a> {
    let mut found: Vec<DefaultRoute<'a>> = Vec::new();
    match table.get("route").map(Value::peel) {
        Some(Value::List(Seq { items: routes, .. }) | Value::Set(routes)) => {
            for (i, route) in routes.iter().enumerate() {
                let Some(m) = route.as_map() else { continue };
                let get = |k: &str| m.get(k);
                let span = location_of(table, &format!("route[{i}].gateway_id"));
                classify(
                    model,
                    table,
                    &get,
                    ("cidr_block", "ipv6_cidr_block"),
                    v4_only,
                    span,
                    &mut found,
                );
            }
        }
        Some(Value::Unknown(u)) => {
            found.push(DefaultRoute::Unknown(format!(
                "{}.route is not known: {}",
                table.address,
                u.cause()
            )));
        }
        _ => {}
    }
    if let Some(reason) = model.skipped_dynamic(table, "route") {
        found.push(DefaultRoute::Unknown(format!(
            "{}: {reason}",
            table.address
        )));
    }
    for r in model.resources_of("aws_route") {
        let Some(v) = r.get("route_table_id") else {
            continue;
        };
        let t = model.follow(v, TABLE_TYPES);
        let ours = prefer_key(t.resources, r);
        if !ours.iter().any(|x| std::ptr::eq(*x, table)) && !on_main_table(model, r, table) {
            continue;
        }
        let get = |k: &str| r.get(k);
        classify(
            model,
            table,
            &get,
            ("destination_cidr_block", "destination_ipv6_cidr_block"),
            v4_only,
            location_of(r, "gateway_id"),
            &mut found,
        );
    }
    found
        .into_iter()
        .min_by_key(DefaultRoute::rank)
        .unwrap_or(DefaultRoute::None { table: Some(table) })
}

/// Adds the route to `found` when it is (or may be) a default route.
fn classify<'a>(
    model: &'a Model,
    table: &'a Resource,
    get: &dyn Fn(&str) -> Option<&'a Value>,
    (v4, v6): (&str, &str),
    v4_only: bool,
    span: Option<Location>,
    found: &mut Vec<DefaultRoute<'a>>,
) {
    let dest = |k: &str| get(k).filter(|v| !v.is_null());
    let v6_dest = if v4_only { None } else { dest(v6) };
    let (is_default, ipv6, dest_unknown) = match (dest(v4), v6_dest) {
        (Some(v), _) if v.as_str() == Some("0.0.0.0/0") => (true, false, None),
        (_, Some(v)) if v.as_str() == Some("::/0") => (true, true, None),
        (Some(Value::Unknown(u)), _) | (_, Some(Value::Unknown(u))) => {
            (false, false, Some(u.cause().to_string()))
        }
        _ => (false, false, None),
    };
    if !is_default && dest_unknown.is_none() {
        return;
    }
    let target = target_of(model, get);
    let route = match target {
        Target::Local => return,
        Target::Igw => DefaultRoute::InternetGateway {
            table,
            route: span,
            ipv6,
        },
        // An unknown destination matters only when it could send traffic to the internet.
        _ if !is_default => {
            return;
        }
        Target::Nat if ipv6 => DefaultRoute::Other {
            table,
            route: span,
            what: "NAT gateway (IPv6)".into(),
        },
        Target::Nat => DefaultRoute::Nat { table, route: span },
        Target::Other(what) => DefaultRoute::Other {
            table,
            route: span,
            what,
        },
        Target::Unknown(u) => DefaultRoute::Unknown(format!(
            "the target of a default route of {} is not known: {u}",
            table.address
        )),
    };
    match (&route, dest_unknown) {
        (DefaultRoute::InternetGateway { .. }, Some(u)) if !is_default => {
            found.push(DefaultRoute::Unknown(format!(
                "the destination of a route of {} to an internet gateway is not known: {u}",
                table.address
            )));
        }
        _ => found.push(route),
    }
}

enum Target {
    Igw,
    Nat,
    Local,
    Other(String),
    Unknown(String),
}

fn target_of<'a>(model: &'a Model, get: &dyn Fn(&str) -> Option<&'a Value>) -> Target {
    if let Some(v) = get("gateway_id").filter(|v| is_set(Some(v))) {
        let r = model.follow(
            v,
            &[
                "aws_internet_gateway",
                "aws_egress_only_internet_gateway",
                "aws_vpn_gateway",
                // EC2 takes a NAT gateway's ID in gateway_id too, and many examples write it so.
                "aws_nat_gateway",
            ],
        );
        if let Some(g) = r.resources.first() {
            return match g.rtype.as_str() {
                "aws_internet_gateway" => Target::Igw,
                "aws_nat_gateway" => Target::Nat,
                "aws_egress_only_internet_gateway" => {
                    Target::Other("egress-only internet gateway".into())
                }
                _ => Target::Other("virtual private gateway".into()),
            };
        }
        if let Some(l) = r.literals.first() {
            return if l.starts_with("igw-") {
                Target::Igw
            } else if l.starts_with("nat-") {
                Target::Nat
            } else if l == "local" {
                Target::Local
            } else if l.starts_with("eigw-") {
                Target::Other("egress-only internet gateway".into())
            } else {
                Target::Other(format!("gateway {l}"))
            };
        }
        if let Some(u) = r.unknown {
            return Target::Unknown(format!("gateway_id: {u}"));
        }
    }
    let others: &[(&str, &str)] = &[
        ("nat_gateway_id", "NAT gateway"),
        ("egress_only_gateway_id", "egress-only internet gateway"),
        ("transit_gateway_id", "transit gateway"),
        ("vpc_endpoint_id", "VPC endpoint"),
        ("network_interface_id", "network interface"),
        ("instance_id", "instance"),
        ("vpc_peering_connection_id", "VPC peering connection"),
        ("carrier_gateway_id", "carrier gateway"),
        ("local_gateway_id", "local gateway"),
        ("core_network_arn", "core network"),
    ];
    for (k, what) in others {
        if is_set(get(k)) {
            return if *k == "nat_gateway_id" {
                Target::Nat
            } else {
                Target::Other((*what).into())
            };
        }
    }
    Target::Other("no target".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::{load, LoadOptions};
    use crate::rules::testing::model_tf as tf;

    fn model_of(dir: &std::path::Path) -> Model {
        load(dir, &LoadOptions::default()).model
    }

    fn routes(m: &Model) -> Vec<(String, String)> {
        m.resources_of("aws_subnet")
            .map(|s| {
                let r = match default_route(m, s) {
                    DefaultRoute::InternetGateway { ipv6, .. } => format!("igw ipv6={ipv6}"),
                    DefaultRoute::Nat { .. } => "nat".into(),
                    DefaultRoute::Other { what, .. } => format!("other {what}"),
                    DefaultRoute::None { table } => {
                        format!("none {}", table.map_or("main", |t| t.address.as_str()))
                    }
                    DefaultRoute::Unknown(u) => format!("unknown: {u}"),
                };
                (s.address.clone(), r)
            })
            .collect()
    }

    #[test]
    fn associations_main_tables_and_route_resources() {
        let m = tf(r#"
variable "unset" {}
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "other" { cidr_block = "10.1.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_nat_gateway" "nat" { subnet_id = aws_subnet.public.id }
resource "aws_egress_only_internet_gateway" "eigw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "public" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "private" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "isolated" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "main_table" { vpc_id = aws_vpc.other.id }
resource "aws_subnet" "literal_igw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "v6_egress_only" {
  vpc_id          = aws_vpc.main.id
  ipv6_cidr_block = "2600:1f18::/64"
}
resource "aws_subnet" "v4_only_v6_igw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "unknown_vpc" { vpc_id = var.unset }
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table" "private" { vpc_id = aws_vpc.main.id }
resource "aws_route" "nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat.id
}
resource "aws_route_table" "isolated" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block                = "10.2.0.0/16"
    vpc_peering_connection_id = "pcx-1"
  }
}
resource "aws_route_table" "literal" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = "igw-0123"
  }
}
resource "aws_route_table" "v6" {
  vpc_id = aws_vpc.main.id
  route {
    ipv6_cidr_block        = "::/0"
    egress_only_gateway_id = aws_egress_only_internet_gateway.eigw.id
  }
}
resource "aws_route_table" "other_main" { vpc_id = aws_vpc.other.id }
resource "aws_route" "other_main" {
  route_table_id         = aws_route_table.other_main.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw.id
}
resource "aws_main_route_table_association" "other" {
  vpc_id         = aws_vpc.other.id
  route_table_id = aws_route_table.other_main.id
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}
resource "aws_route_table_association" "isolated" {
  subnet_id      = aws_subnet.isolated.id
  route_table_id = aws_route_table.isolated.id
}
resource "aws_route_table_association" "literal" {
  subnet_id      = aws_subnet.literal_igw.id
  route_table_id = aws_route_table.literal.id
}
resource "aws_route_table_association" "v6" {
  subnet_id      = aws_subnet.v6_egress_only.id
  route_table_id = aws_route_table.v6.id
}
resource "aws_route_table" "v6_igw" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
  route {
    ipv6_cidr_block = "::/0"
    gateway_id      = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "v6_igw" {
  subnet_id      = aws_subnet.v4_only_v6_igw.id
  route_table_id = aws_route_table.v6_igw.id
}
"#);
        let got: std::collections::BTreeMap<String, String> = routes(&m).into_iter().collect();
        assert_eq!(got["aws_subnet.public"], "igw ipv6=false");
        assert_eq!(got["aws_subnet.private"], "nat");
        assert_eq!(got["aws_subnet.isolated"], "none aws_route_table.isolated");
        assert_eq!(got["aws_subnet.main_table"], "igw ipv6=false");
        assert_eq!(got["aws_subnet.literal_igw"], "igw ipv6=false");
        assert_eq!(
            got["aws_subnet.v6_egress_only"],
            "other egress-only internet gateway"
        );
        // ::/0 serves no host of a subnet without IPv6 addresses.
        assert_eq!(got["aws_subnet.v4_only_v6_igw"], "nat");
        assert_eq!(
            got["aws_subnet.unknown_vpc"],
            "unknown: vpc_id of aws_subnet.unknown_vpc is not known: var.unset has no value"
        );
    }

    /// EC2 accepts a NAT gateway's ID in `gateway_id`: that route is a NAT route.
    #[test]
    fn a_nat_gateway_written_as_gateway_id_is_a_nat_route() {
        let m = tf(r#"
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_nat_gateway" "nat" { subnet_id = "subnet-1" }
resource "aws_subnet" "by_reference" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "by_id" { vpc_id = aws_vpc.main.id }
resource "aws_route_table" "by_reference" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_nat_gateway.nat.id
  }
}
resource "aws_route" "by_id" {
  route_table_id         = aws_route_table.by_id.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = "nat-0a1b2c3d4e5f60718"
}
resource "aws_route_table" "by_id" { vpc_id = aws_vpc.main.id }
resource "aws_route_table_association" "by_reference" {
  subnet_id      = aws_subnet.by_reference.id
  route_table_id = aws_route_table.by_reference.id
}
resource "aws_route_table_association" "by_id" {
  subnet_id      = aws_subnet.by_id.id
  route_table_id = aws_route_table.by_id.id
}
"#);
        assert_eq!(
            routes(&m),
            [
                ("aws_subnet.by_reference".to_string(), "nat".to_string()),
                ("aws_subnet.by_id".to_string(), "nat".to_string()),
            ]
        );
    }

    #[test]
    fn dual_stack_subnets_keep_the_ipv4_way_out_apart() {
        let m = tf(r#"
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_nat_gateway" "nat" { subnet_id = "subnet-1" }
resource "aws_subnet" "dual" {
  vpc_id          = aws_vpc.main.id
  ipv6_cidr_block = "2600:1f18::/64"
}
resource "aws_route_table" "dual" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
  route {
    ipv6_cidr_block = "::/0"
    gateway_id      = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "dual" {
  subnet_id      = aws_subnet.dual.id
  route_table_id = aws_route_table.dual.id
}
"#);
        let s = m.resources_of("aws_subnet").next().unwrap();
        assert!(matches!(
            default_route(&m, s),
            DefaultRoute::InternetGateway { ipv6: true, .. }
        ));
        assert!(matches!(default_route_v4(&m, s), DefaultRoute::Nat { .. }));
    }

    /// `element(x[*].id, count.index)` picks each association's own subnet and table.
    #[test]
    fn per_az_tables_through_element() {
        let m = tf(r#"
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_nat_gateway" "nat" { subnet_id = "subnet-1" }
resource "aws_subnet" "private" {
  count  = 2
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "private" {
  count  = 2
  vpc_id = aws_vpc.main.id
}
resource "aws_route" "nat" {
  route_table_id         = aws_route_table.private[0].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat.id
}
resource "aws_route" "igw" {
  route_table_id         = aws_route_table.private[1].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw.id
}
resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = element(aws_subnet.private[*].id, count.index)
  route_table_id = element(aws_route_table.private[*].id, count.index)
}
"#);
        let got: std::collections::BTreeMap<String, String> = routes(&m).into_iter().collect();
        assert_eq!(got["aws_subnet.private[0]"], "nat");
        assert_eq!(got["aws_subnet.private[1]"], "igw ipv6=false");
    }

    /// terraform-aws-vpc's complete example: counted subnets, per-AZ route tables, NAT routes.
    #[test]
    fn terraform_aws_vpc_complete_example() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/terraform-aws-vpc/examples/complete");
        assert!(dir.is_dir(), "corpus not found");
        let got = routes(&model_of(&dir));
        let kind = |prefix: &str| -> std::collections::BTreeSet<String> {
            got.iter()
                .filter(|(a, _)| a.starts_with(prefix))
                .map(|(_, r)| r.clone())
                .collect()
        };
        assert_eq!(
            kind("module.vpc.aws_subnet.public"),
            ["igw ipv6=false".to_string()].into()
        );
        assert_eq!(
            kind("module.vpc.aws_subnet.private"),
            ["nat".to_string()].into()
        );
        assert!(!kind("module.vpc.aws_subnet.database").is_empty());
        assert!(!kind("module.vpc.aws_subnet.database").contains("igw ipv6=false"));
    }
}
