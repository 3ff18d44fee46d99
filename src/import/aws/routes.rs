//! Route tables: the main one (the association without a SubnetId) named `main`, subnet
//! associations, and routes with their targets dispatched on the id's prefix (AWS accepts a
//! NAT gateway's or an endpoint's id in `GatewayId`). Local routes are implicit in the format
//! and left out. A route whose target vpclab cannot model yet (endpoints, egress-only
//! gateways, interfaces of AWS services, ...) is imported as `blackhole` and reported with the
//! issue that will add it; a route AWS itself reports as `blackhole` stays one. Routes to
//! transit gateways and VGWs keep their target (`tgw:`/`vgw:`); routes a VGW propagated are
//! left to the table's `propagating_vgws` (`hybrid::propagated_route`).

use super::super::doc::{Destination, InternetGateway, Route, RouteTable, Target};
use super::super::names::{description, Namer};
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::{self, name_tag};
use super::snapshot::Snapshot;
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// Where the link-local services live (DNS, IMDS, time): no route may go there.
const LINK_LOCAL_SERVICES: &str = "169.254.168.0/22";

/// A target, or why the route is a blackhole (reason, issue) or left out entirely (`Err`).
pub(super) enum Resolved {
    /// The route's target.
    To(Target),
    /// A blackhole: why, and the issue that will add the target.
    Blackhole(String, Option<u32>),
}

/// The target of route `r` of a table in VPC `vpc`.
pub(super) fn target(b: &mut Builder, vpc: &str, r: &json::Route) -> Result<Resolved, String> {
    let Some(t) = r.target() else {
        return Err("a route without a target".into());
    };
    let blackhole = |why: &str, n: Option<u32>| Ok(Resolved::Blackhole(format!("{t}: {why}"), n));
    let prefix = t.split('-').next().unwrap_or("");
    match prefix {
        "igw" => {
            match b.index.igws.get(t) {
                Some(vpcs) if vpcs.iter().any(|v| v == vpc) => {}
                Some(_) => {
                    return blackhole("the internet gateway is not attached to this VPC", None)
                }
                None => {
                    // The dump holds no such gateway: attach it as the route says.
                    let v = b.vpc_mut(vpc).ok_or("VPC not imported")?;
                    match &v.internet_gateway {
                        Some(g) if g.aws_id.as_deref() != Some(t) => {
                            return blackhole(
                                "another internet gateway is attached to this VPC",
                                None,
                            )
                        }
                        Some(_) => {}
                        None => {
                            v.internet_gateway = Some(InternetGateway {
                                aws_id: Some(t.to_string()),
                            });
                            b.index.igws.insert(t.to_string(), vec![vpc.to_string()]);
                            b.report.add(
                                "InternetGateway",
                                t,
                                Outcome::Guessed,
                                format!("not in the dump: attached to {vpc}, whose routes use it"),
                            );
                        }
                    }
                }
            }
            Ok(Resolved::To(Target::Igw))
        }
        "nat" => match b.index.nats.get(t) {
            Some((v, n)) if v == vpc => Ok(Resolved::To(Target::Nat(n.clone()))),
            Some(_) => blackhole("a NAT gateway of another VPC", None),
            None => blackhole(
                "the NAT gateway is not imported (deleted, failed or not in the dump)",
                None,
            ),
        },
        "pcx" => match b.index.peerings.get(t) {
            Some((n, x, y)) if x == vpc || y == vpc => Ok(Resolved::To(Target::Pcx(n.clone()))),
            Some(_) => blackhole("a peering of other VPCs", None),
            None => blackhole(
                "the peering is not imported (not active, or its other VPC is not in the dump)",
                None,
            ),
        },
        "eni" | "i" => {
            let owner = if prefix == "eni" {
                b.index
                    .enis
                    .get(t)
                    .map(|e| (e.vpc.clone(), e.owner.clone(), e.device, e.nat))
            } else {
                b.index
                    .instances
                    .get(t)
                    .map(|(v, n)| (v.clone(), n.clone(), 0, false))
            };
            match owner {
                Some((v, n, 0, false)) if v == vpc => Ok(Resolved::To(Target::Instance(n))),
                Some((v, n, _, true)) if v == vpc => Ok(Resolved::To(Target::Nat(n))),
                Some((v, n, d, false)) if v == vpc => {
                    b.report.add(
                        "Route",
                        t,
                        Outcome::Approximated,
                        format!("a route to device {d} of {n}: routed to the instance's primary interface"),
                    );
                    Ok(Resolved::To(Target::Instance(n)))
                }
                Some(_) => blackhole("an interface of another VPC", None),
                None => blackhole("no imported instance owns it", None),
            }
        }
        "vgw" => match b.index.transit.vgws.get(t) {
            Some((n, Some(v))) if v == vpc => Ok(Resolved::To(Target::Vgw(n.clone()))),
            Some(_) => blackhole(
                "the virtual private gateway is not attached to this VPC",
                None,
            ),
            None => blackhole(
                "the virtual private gateway is not imported (deleted or not in the dump)",
                None,
            ),
        },
        "tgw" => match b.index.transit.tgws.get(t) {
            Some(n)
                if b.index
                    .transit
                    .tgw_vpcs
                    .contains(&(t.to_string(), vpc.to_string())) =>
            {
                Ok(Resolved::To(Target::Tgw(n.clone())))
            }
            Some(_) => blackhole("this VPC has no attachment to the transit gateway", None),
            None => blackhole(
                "the transit gateway is not imported (deleted or not in the dump)",
                None,
            ),
        },
        "vpce" => blackhole(
            "not an available gateway endpoint of the dump with this route table",
            None,
        ),
        "eigw" => blackhole("egress-only internet gateways carry IPv6 only", None),
        "local" => Err("local".into()),
        _ => blackhole("a kind of target vpclab does not model", None),
    }
}

/// Imports the route tables of imported VPCs.
pub fn route_tables(b: &mut Builder, snap: &Snapshot) {
    let mut namers: BTreeMap<String, Namer> = BTreeMap::new();
    let mut mains: BTreeSet<String> = BTreeSet::new();
    let link_local: Ipv4Net = LINK_LOCAL_SERVICES.parse().expect("a valid CIDR");
    for at in by_id(
        &snap.route_tables,
        |t| &t.route_table_id,
        "RouteTable",
        &mut b.report,
    ) {
        let t = &at.item;
        let tid = &t.route_table_id;
        let Some(vpc) = b.index.vpcs.get(&t.vpc_id).cloned() else {
            b.report.add(
                "RouteTable",
                tid,
                Outcome::Skipped,
                format!("its VPC {} is not imported", t.vpc_id),
            );
            continue;
        };
        let live = |a: &&json::RouteTableAssociation| {
            a.association_state
                .as_ref()
                .and_then(|s| s.state.as_deref())
                .is_none_or(|s| s == "associated")
        };
        let is_main = t.associations.iter().filter(live).any(|a| a.main);
        let namer = namers
            .entry(t.vpc_id.clone())
            .or_insert_with(|| Namer::reserving(&["main"]));
        let name = if is_main && mains.insert(t.vpc_id.clone()) {
            "main".to_string()
        } else {
            namer.name(name_tag(&t.tags), tid)
        };
        let mut routes: Vec<Route> = Vec::new();
        for r in &t.routes {
            if r.gateway_id.as_deref() == Some("local") {
                continue;
            }
            // A gateway endpoint's route: the endpoint adds it (`endpoints.rs`); a propagated
            // route: its gateway's propagation adds it (`hybrid.rs`).
            if (r.destination_prefix_list_id.is_some()
                && r.gateway_id
                    .as_deref()
                    .is_some_and(|g| super::endpoints::endpoint_route(snap, g, tid)))
                || super::hybrid::propagated_route(b, t, r)
            {
                continue;
            }
            let rid = format!(
                "{tid}/{}",
                r.destination_cidr_block
                    .as_deref()
                    .or(r.destination_prefix_list_id.as_deref())
                    .or(r.destination_ipv6_cidr_block.as_deref())
                    .unwrap_or("?")
            );
            if r.destination_ipv6_cidr_block.is_some() && r.destination_cidr_block.is_none() {
                super::ipv6::route(b, &t.vpc_id, r, &rid, &mut routes);
                continue;
            }
            let destination = match (&r.destination_cidr_block, &r.destination_prefix_list_id) {
                (Some(c), _) => match c.trim().parse::<Ipv4Net>() {
                    Ok(n) if n.trunc() == n => Destination::Cidr(n),
                    _ => {
                        b.report.add(
                            "Route",
                            rid,
                            Outcome::Skipped,
                            format!("`{c}` is not an IPv4 CIDR"),
                        );
                        continue;
                    }
                },
                (None, Some(p)) => match b.index.prefix_lists.get(p) {
                    Some(n) => Destination::PrefixList(n.clone()),
                    None => {
                        b.report.add(
                            "Route",
                            rid,
                            Outcome::Skipped,
                            format!("prefix list {p} is not in the dump"),
                        );
                        continue;
                    }
                },
                (None, None) => {
                    b.report.add(
                        "Route",
                        rid,
                        Outcome::Skipped,
                        "a route without a destination",
                    );
                    continue;
                }
            };
            // AWS's own blackhole (the target was deleted): nothing to resolve.
            let resolved = if r.state.as_deref() == Some("blackhole") && r.target().is_some() {
                Resolved::To(Target::Blackhole)
            } else {
                match target(b, &t.vpc_id, r) {
                    Ok(x) => x,
                    Err(why) => {
                        b.report.add("Route", rid, Outcome::Skipped, why);
                        continue;
                    }
                }
            };
            let target = match resolved {
                Resolved::To(x) => x,
                Resolved::Blackhole(why, n) => {
                    let why = format!("imported as a blackhole: {why}");
                    match n {
                        Some(n) => b.report.later("Route", &rid, Outcome::Approximated, why, n),
                        None => b.report.add("Route", &rid, Outcome::Approximated, why),
                    }
                    Target::Blackhole
                }
            };
            // The format's (and AWS's) rules for destinations inside the VPC.
            if let Destination::Cidr(n) = &destination {
                let inside = vpc.cidrs.iter().any(|c| c.contains(n));
                let is_subnet = b
                    .index
                    .subnets
                    .values()
                    .any(|s| s.vpc == t.vpc_id && s.cidr == *n);
                // A blackhole stands where its deleted NAT gateway or instance stood.
                let middlebox = matches!(
                    target,
                    Target::Nat(_) | Target::Instance(_) | Target::Blackhole
                );
                let why = if link_local.contains(n) {
                    Some("a destination among the link-local services (169.254.168.0/22)")
                } else if vpc.cidrs.contains(n)
                    && !matches!(target, Target::Instance(_) | Target::Blackhole)
                {
                    Some("a route replacing the local route may only target an instance")
                } else if inside && !vpc.cidrs.contains(n) && !(is_subnet && middlebox) {
                    Some("a route inside the VPC must be a subnet's CIDR to a NAT gateway or an instance")
                } else {
                    None
                };
                if let Some(why) = why {
                    b.report.add("Route", rid, Outcome::Skipped, why);
                    continue;
                }
            }
            if routes.iter().any(|x| x.destination == destination) {
                b.report.add(
                    "Route",
                    rid,
                    Outcome::Skipped,
                    "a second route to the same destination",
                );
                continue;
            }
            routes.push(Route {
                destination,
                target,
            });
        }
        let mut propagating_vgws = Vec::new();
        for g in &t.propagating_vgws {
            match b.index.transit.vgws.get(&g.gateway_id) {
                Some((n, Some(v))) if *v == t.vpc_id => propagating_vgws.push(n.clone()),
                _ => b.report.add(
                    "RouteTable",
                    format!("{tid}/{}", g.gateway_id),
                    Outcome::Skipped,
                    "route propagation from a VGW not imported or not attached to this VPC",
                ),
            }
        }
        let mut subnets = Vec::new();
        for a in t.associations.iter().filter(live) {
            if let Some(g) = &a.gateway_id {
                b.report.add(
                    "RouteTableAssociation",
                    format!("{tid}/{g}"),
                    Outcome::Unsupported,
                    "an edge association (ingress routing) is not modelled",
                );
            }
            if let Some(s) = &a.subnet_id {
                match b.index.subnets.get(s) {
                    Some(i) if i.vpc == t.vpc_id => subnets.push(i.name.clone()),
                    _ => b.report.add(
                        "RouteTableAssociation",
                        format!("{tid}/{s}"),
                        Outcome::Skipped,
                        format!("subnet {s} is not imported in this VPC"),
                    ),
                }
            }
        }
        if let Some(v) = b.vpc_mut(&t.vpc_id) {
            for s in subnets {
                if let Some(sub) = v.subnets.get_mut(&s) {
                    if name != "main" {
                        sub.route_table = Some(name.clone());
                    }
                }
            }
            v.route_tables.insert(
                name,
                RouteTable {
                    aws_id: Some(tid.clone()),
                    description: name_tag(&t.tags).map(description),
                    routes,
                    propagating_vgws,
                },
            );
        }
    }
}
