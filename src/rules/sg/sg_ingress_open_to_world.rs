//! SG001 sg-ingress-open-to-world.
use crate::analysis::net::ingress::{Ports, Protocol, Source};
use crate::rules::provenance::via_related;
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink, Violation};

pub struct SgIngressOpenToWorld;

static META: RuleMeta = RuleMeta {
    code: "SG001",
    name: "sg-ingress-open-to-world",
    category: "sg",
    severity: Severity::Error,
    summary: "A security group admits traffic from the whole internet (0.0.0.0/0 or ::/0)",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[Input::Config, Input::State, Input::Live],
    options: &[],
    doc: include_str!("../../../rules/sg-ingress-open-to-world.md"),
};

struct OpenToWorld<'a> {
    rule: String,
    cidr: &'a str,
    ports: String,
    protocol: &'a Protocol,
    lb: bool,
}

impl Violation for OpenToWorld<'_> {
    fn message(&self) -> String {
        let proto = match self.protocol {
            Protocol::All => "all protocols".to_string(),
            Protocol::Tcp => "tcp".into(),
            Protocol::Udp => "udp".into(),
            Protocol::Other(p) => format!("protocol {p}"),
            Protocol::Icmp | Protocol::Unknown(_) => "protocol not known".into(),
        };
        let lb = if self.lb {
            " (a load balancer's security group may be open to the world on ports 80 and 443 only)"
        } else {
            ""
        };
        format!(
            "{} admits {} on {} ({proto}){lb}",
            self.rule, self.cidr, self.ports
        )
    }
    fn fix_title(&self) -> String {
        if self.lb {
            "open only ports 80/443 to the world on the load balancer's security group".into()
        } else {
            "admit only the security group of the client (a load balancer, a bastion) or a known CIDR range".into()
        }
    }
}

fn web_ports(p: &Ports) -> bool {
    matches!(p, Ports::Range(a, b) if a == b && (*a == 80 || *a == 443))
}

impl Rule for SgIngressOpenToWorld {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let lbs = cx.analysis.lb_groups();
        let is_lb = |g: &crate::model::Resource| lbs.iter().any(|x| std::ptr::eq(*x, g));
        for i in cx.analysis.ingress() {
            if i.protocol == Protocol::Icmp {
                continue; // ping and path-MTU discovery expose no service
            }
            let Some(world) = i.world_sources().next() else {
                // A CIDR not known offline might be the internet.
                if let Some((u, path)) = i.sources.iter().find_map(|s| match &s.source {
                    Source::Unknown(u) if is_cidr_attr(&s.path) => Some((u, &s.path)),
                    _ => None,
                }) {
                    out.not_evaluated(
                        i.rule,
                        format!(
                            "{}whether it admits the internet is not known: {u}",
                            i.block().to_string() + if i.block().is_empty() { "" } else { ": " }
                        ),
                        i.span(leaf(path)),
                    );
                }
                continue;
            };
            let web = web_ports(&i.ports);
            let lb = !i.groups.is_empty() && i.groups.iter().all(|g| is_lb(g));
            if web || matches!(i.ports, Ports::Unknown(_)) {
                if lb && web {
                    continue;
                }
                // Whether the exception for load balancers applies is not known.
                let undecided = match (&i.group_unknown, &i.ports) {
                    // A group in none of the loaded sources (a module's variable, a literal
                    // id of a group made elsewhere) may be a load balancer's, which is the
                    // usual reason to open 80/443 to the world on a group passed in.
                    (Some(u), _) if i.groups.is_empty() => {
                        Some(format!(
                        "{} admits {} on {}, which only a load balancer's security group may do, and {u}",
                        i.describe(),
                        cidr_of(&world.source),
                        i.ports.describe()
                    ))
                    }
                    (_, Ports::Unknown(u)) if lb => Some(format!(
                        "{} admits {} to a load balancer's security group, and {u}",
                        i.describe(),
                        cidr_of(&world.source)
                    )),
                    _ => None,
                };
                if let Some(reason) = undecided {
                    out.not_evaluated(i.rule, reason, i.span(leaf(&world.path)));
                    continue;
                }
            }
            let v = OpenToWorld {
                rule: i.describe(),
                cidr: cidr_of(&world.source),
                ports: i.ports.describe(),
                protocol: &i.protocol,
                lb: lb || i.groups.iter().any(|g| is_lb(g)),
            };
            out.report(
                i.rule,
                &v,
                i.span(leaf(&world.path)),
                via_related(i.rule, &world.path),
            );
        }
    }
}

/// `cidr_blocks`, `ipv6_cidr_blocks`, `cidr_ipv4`…, or a whole `ingress` list not known.
fn is_cidr_attr(path: &str) -> bool {
    let l = leaf(path);
    l.contains("cidr") || l == "ingress"
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn cidr_of<'a>(s: &'a crate::analysis::net::ingress::Source) -> &'a str {
    match s {
        crate::analysis::net::ingress::Source::Cidr(c) => c,
        _ => "",
    }
}
