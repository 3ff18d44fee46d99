//! Warnings on the resolved network: designs that load fine but probably do not do what the
//! author wants. Positions come from the model's `loc` fields or from the source topology.
//! Part of `load` (rank 5), run by `load::load` after the build; the checks ask `policy`.

use crate::model::{Network, Protocol, RouteTableId, Target};
use crate::policy::{nacl, Direction, Header};
use crate::topology::{Loc, Report};
use ipnet::Ipv4Net;
use std::collections::HashSet;
use std::net::Ipv4Addr;

/// Client ephemeral ports tried for replies: Linux's range and the wider 1024-65535 one.
const EPHEMERAL_SAMPLES: &[u16] = &[32768, 45000, 60999, 1024, 49152, 65535];

/// A representative host address of a CIDR (its first host, or the address for a /32).
fn representative(c: Ipv4Net) -> Ipv4Addr {
    if c.prefix_len() >= 31 {
        c.network()
    } else if c.prefix_len() == 0 {
        Ipv4Addr::new(198, 51, 100, 10)
    } else {
        crate::model::offset(c.network(), 1)
    }
}

/// Every lint warning for a resolved network: NACLs blocking replies on ephemeral ports, NAT
/// gateways and public instances without a route to the IGW, routes to stopped instances. The
/// report has no file name; `load` sets it.
pub fn lint(n: &Network) -> Report {
    let mut r = Report::default();
    nacl_replies(n, &mut r);
    igw_routes(n, &mut r);
    stopped_targets(n, &mut r);
    r.sort();
    r
}

fn has_igw_route(n: &Network, rt: RouteTableId) -> bool {
    n.route_table(rt)
        .routes
        .iter()
        .any(|r| r.target == Target::Igw)
}

/// A NACL that lets a service in but whose outbound rules drop the replies to the client's
/// ephemeral ports.
fn nacl_replies(n: &Network, r: &mut Report) {
    let mut warned: HashSet<(u32, Loc)> = HashSet::new();
    // NACLs are shared by subnets and the verdicts do not depend on the server's address:
    // check each (NACL, entry, protocol, port) once.
    let mut checked: HashSet<(u32, u16, u8, u16)> = HashSet::new();
    for s in &n.subnets {
        let acl = n.nacl(s.nacl);
        // Candidate (protocol, port) pairs that clients may reach in this subnet.
        let mut candidates: Vec<(u8, u16)> = vec![];
        for e in &acl.inbound {
            if e.action == crate::model::Action::Allow && e.protocol.has_ports() {
                if let Protocol::Number(p) = e.protocol {
                    candidates.push((p, e.ports.from));
                }
            }
        }
        for i in n.instances.iter().filter(|i| i.subnet == s.id) {
            for sv in &i.services {
                candidates.push((sv.protocol(), sv.port()));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let server = crate::model::offset(s.cidr.network(), 4);
        for (p, port) in candidates {
            // Which inbound entry lets clients in on this port, and from where.
            for e in &acl.inbound {
                if e.action != crate::model::Action::Allow
                    || !e.protocol.matches(p)
                    || !e.ports.contains(port)
                {
                    continue;
                }
                let client = representative(e.cidr);
                if s.cidr.contains(&client) {
                    continue; // same-subnet traffic is never NACL-checked
                }
                if !checked.insert((acl.id.0, e.number, p, port)) {
                    continue;
                }
                let req = Header::l4(client, server, p, 40000, port);
                let d = nacl::evaluate(n, acl.id, Direction::Inbound, &req);
                if !d.accepted() || d.rule != crate::policy::RuleId::Number(e.number) {
                    continue;
                }
                let blocked: Vec<u16> = EPHEMERAL_SAMPLES
                    .iter()
                    .copied()
                    .filter(|eph| {
                        let reply = Header::l4(server, client, p, port, *eph);
                        !nacl::evaluate(n, acl.id, Direction::Outbound, &reply).accepted()
                    })
                    .collect();
                if blocked.is_empty() || !warned.insert((acl.id.0, e.loc)) {
                    continue;
                }
                let pname = crate::model::protocol_name(p);
                let linux = blocked.iter().any(|b| (32768..=60999).contains(b));
                r.warning(
                    e.loc,
                    format!(
                        "network ACL `{}` lets {pname} port {port} in from {} (rule {}), but its outbound rules block the replies to the client's ephemeral port{} {}",
                        acl.name,
                        e.cidr,
                        e.number,
                        if blocked.len() > 1 { "s" } else { "" },
                        blocked.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", "),
                    ),
                    format!(
                        "NACLs are stateless: add an outbound allow for {pname} ports {} to {}{}",
                        if linux { "1024-65535" } else { "1024-65535 (clients use any of them)" },
                        e.cidr,
                        if linux { " (Linux clients use 32768-60999)" } else { "" }
                    ),
                );
            }
        }
    }
}

/// NAT gateways and public instances whose subnet has no route to the internet gateway.
fn igw_routes(n: &Network, r: &mut Report) {
    for g in &n.nat_gateways {
        if g.private {
            continue;
        }
        let s = n.subnet(g.subnet);
        if !has_igw_route(n, s.route_table) {
            let vpc = n.vpc(g.vpc);
            r.warning(
                g.loc,
                format!(
                    "NAT gateway `{}` is in subnet `{}`, whose route table `{}` has no route to the internet gateway",
                    g.name,
                    s.name,
                    n.route_table(s.route_table).name
                ),
                if vpc.igw.is_some() {
                    "put public NAT gateways in a public subnet (one whose route table sends 0.0.0.0/0 to `igw`)"
                } else {
                    "attach an internet gateway (`internet_gateway: true`) and route 0.0.0.0/0 to `igw` from the NAT gateway's subnet"
                },
            );
        }
    }
    for i in &n.instances {
        let eni = n.eni(i.eni);
        let Some(pip) = eni.public_ip else { continue };
        let s = n.subnet(eni.subnet);
        if !has_igw_route(n, s.route_table) {
            r.warning(
                i.loc,
                format!(
                    "instance `{}` has public IP {pip}, but its subnet `{}` has no route to the internet gateway",
                    i.name, s.name
                ),
                "the public IP is unreachable without an `igw` route; route 0.0.0.0/0 to `igw` in the subnet's route table, or drop the public IP",
            );
        }
    }
}

/// Routes whose target instance is stopped (blackholes).
fn stopped_targets(n: &Network, r: &mut Report) {
    for rt in &n.route_tables {
        for route in &rt.routes {
            if let Target::Instance(i) = route.target {
                let inst = n.instance(i);
                if !inst.running {
                    r.warning(
                        route.loc,
                        format!(
                            "route {} in route table `{}` targets instance `{}`, which is stopped: the route is a blackhole",
                            route.destination, rt.name, inst.name
                        ),
                        "start the instance (`state: running`) or point the route at another target",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
