//! Route tables: `aws_route_table` (inline `route` blocks), `aws_default_route_table` (the VPC's
//! main table, adopted: exactly the routes written), `aws_route`, `aws_route_table_association`
//! and `aws_main_route_table_association`. A target is told by its id's prefix when known (the
//! provider lets a NAT gateway id sit in `gateway_id`), else by the resource a reference names;
//! an inline route's target known only after apply is taken from the block's references, else
//! the only gateway of that kind in the VPC (reported). Routes to an internet gateway the VPC
//! lacks become blackholes (reported).

use super::{Builder, InVpc, Link, SUBNET, VPC};
use crate::import::doc::{Destination, Route, RouteTable, Target};
use crate::import::report::Outcome;
use crate::import::terraform::resolve::{ResId, Resolution};
use crate::import::terraform::values::{aws_id, blocks, cidr, name_tag, text, Attrs};

/// Target attributes of a route and the resource types a reference in each may name.
const TARGETS: &[(&str, &[&str])] = &[
    (
        "gateway_id",
        &[
            "aws_internet_gateway",
            "aws_vpn_gateway",
            "aws_nat_gateway",
            "aws_vpc_endpoint",
            "aws_egress_only_internet_gateway",
        ],
    ),
    ("nat_gateway_id", &["aws_nat_gateway"]),
    (
        "vpc_peering_connection_id",
        &[
            "aws_vpc_peering_connection",
            "aws_vpc_peering_connection_accepter",
        ],
    ),
    ("instance_id", &["aws_instance"]),
    (
        "network_interface_id",
        &["aws_network_interface", "aws_instance"],
    ),
    ("transit_gateway_id", &["aws_ec2_transit_gateway"]),
    ("vpc_endpoint_id", &["aws_vpc_endpoint"]),
    (
        "egress_only_gateway_id",
        &["aws_egress_only_internet_gateway"],
    ),
    (
        "egress_only_gateway_id",
        &["aws_egress_only_internet_gateway"],
    ),
    ("carrier_gateway_id", &["aws_ec2_carrier_gateway"]),
    ("local_gateway_id", &["aws_ec2_local_gateway"]),
    ("core_network_arn", &[]),
];

/// Why a route is not imported: the outcome, the reason and the issue adding it.
type Unfit = (Outcome, String, Option<u32>);

impl Builder<'_> {
    /// Every table, route and association.
    pub fn route_tables(&mut self) {
        for i in self.each("aws_route_table") {
            let Some(vpc) = self.vpc_at(i, "vpc_id") else {
                self.note(i, Outcome::Skipped, "its VPC is not in the input");
                continue;
            };
            let name = self.scoped_name(&vpc, "rtb", i, None);
            self.add_table(i, &vpc, name);
        }
        for i in self.each("aws_default_route_table") {
            let vpc = match self.link(i, "default_route_table_id", VPC) {
                Link::Found(v) => self.vpc_of.get(&v).cloned(),
                _ => None,
            };
            match vpc {
                Some(v) => self.add_table(i, &v, "main".into()),
                None => self.note(i, Outcome::Skipped, "its VPC is not in the input"),
            }
        }
        let tables: Vec<ResId> = self
            .each("aws_route_table")
            .into_iter()
            .chain(self.each("aws_default_route_table"))
            .collect();
        for i in tables {
            let Some(owner) = self.rt_of.get(&i).cloned() else {
                continue;
            };
            for (n, b) in blocks(self.at(i), "route").into_iter().enumerate() {
                self.add_route(i, &owner, b, Some(n));
            }
        }
        for i in self.each("aws_route") {
            let owner = match self.link(
                i,
                "route_table_id",
                &["aws_route_table", "aws_default_route_table"],
            ) {
                Link::Found(t) => self.rt_of.get(&t).cloned(),
                _ => None,
            };
            match owner {
                Some(o) => self.add_route(i, &o, self.at(i), None),
                None => self.note(i, Outcome::Skipped, "its route table is not in the input"),
            }
        }
        for i in self.each("aws_route_table_association") {
            if text(self.at(i), "gateway_id").is_some() || self.res(i).is_unknown("gateway_id") {
                self.note(
                    i,
                    Outcome::Unsupported,
                    "edge associations (a table on a gateway) are not in the format",
                );
                continue;
            }
            let table = match self.link(
                i,
                "route_table_id",
                &["aws_route_table", "aws_default_route_table"],
            ) {
                Link::Found(t) => self.rt_of.get(&t).cloned(),
                _ => None,
            };
            let subnet = match self.link(i, "subnet_id", SUBNET) {
                Link::Found(s) => self.subnet_of.get(&s).cloned(),
                _ => None,
            };
            match (table, subnet) {
                (Some((tv, t)), Some((sv, s))) if tv == sv => {
                    let rt = (t != "main").then_some(t);
                    if let Some(sn) = self.vpc_mut(&sv).and_then(|v| v.subnets.get_mut(&s)) {
                        sn.route_table = rt;
                    }
                }
                (Some(_), Some(_)) => self.note(
                    i,
                    Outcome::Skipped,
                    "its table and subnet are in different VPCs",
                ),
                _ => self.note(
                    i,
                    Outcome::Skipped,
                    "its table or subnet is not in the input",
                ),
            }
        }
        for i in self.each("aws_main_route_table_association") {
            let vpc = self.vpc_at(i, "vpc_id");
            let table = match self.link(
                i,
                "route_table_id",
                &["aws_route_table", "aws_default_route_table"],
            ) {
                Link::Found(t) => self.rt_of.get(&t).cloned(),
                _ => None,
            };
            match (vpc, table) {
                (Some(v), Some((tv, t))) if v == tv => {
                    if let Some(x) = self.vpc_mut(&v) {
                        x.main_route_table = (t != "main").then_some(t);
                    }
                }
                _ => self.note(i, Outcome::Skipped, "its VPC or table is not in the input"),
            }
        }
        self.blackhole_missing_gateways();
    }

    fn add_table(&mut self, i: ResId, vpc: &str, name: String) {
        let a = self.at(i);
        let t = RouteTable {
            aws_id: aws_id(a, "rtb-"),
            description: name_tag(a).map(str::to_string),
            routes: vec![],
            propagating_vgws: vec![],
        };
        if let Some(v) = self.vpc_mut(vpc) {
            v.route_tables.insert(name.clone(), t);
        }
        self.rt_of.insert(i, (vpc.to_string(), name));
    }

    /// One route (an inline block `n` of table `i`, or an `aws_route` when `n` is None).
    fn add_route(&mut self, i: ResId, owner: &InVpc, a: &Attrs, n: Option<usize>) {
        let dest_key = if n.is_some() {
            "cidr_block"
        } else {
            "destination_cidr_block"
        };
        let dest6_key = if n.is_some() {
            "ipv6_cidr_block"
        } else {
            "destination_ipv6_cidr_block"
        };
        let destination = if let Some(c) = cidr(a, dest_key) {
            Destination::Cidr(c)
        } else if let Some(d) =
            text(a, dest6_key).and_then(|t| crate::topology::ipv6::cidr6(t).ok())
        {
            Destination::Cidr6(d)
        } else if let Some(pl) = text(a, "destination_prefix_list_id") {
            match self
                .ix
                .by_id(pl, &["aws_ec2_managed_prefix_list"])
                .and_then(|p| self.pl_of.get(&p))
            {
                Some(name) => Destination::PrefixList(name.clone()),
                None => match self.managed_list_name(pl) {
                    Some(name) => Destination::PrefixList(name),
                    None => {
                        self.note(i, Outcome::Unsupported, format!("a route to prefix list {pl}, which is not in the input nor a known AWS-managed list"));
                        return;
                    }
                },
            }
        } else {
            self.note(i, Outcome::Skipped, "a route's destination is not known");
            return;
        };
        let target = match self.target(i, &owner.0, a, n) {
            Ok(t) => t,
            Err((o, why, issue)) => {
                let a = &self.res(i).addr;
                match issue {
                    Some(k) => self.report.later(a.kind.clone(), a.to_string(), o, why, k),
                    None => self.report.add(a.kind.clone(), a.to_string(), o, why),
                }
                return;
            }
        };
        if target == Target::Local {
            return;
        }
        let target = match destination {
            Destination::Cidr6(d) => match self.route6_target(i, owner, d, target) {
                Some(t) => t,
                None => return,
            },
            _ => target,
        };
        let Some(t) = self
            .vpc_mut(&owner.0)
            .and_then(|v| v.route_tables.get_mut(&owner.1))
        else {
            return;
        };
        if !t.routes.iter().any(|r| r.destination == destination) {
            t.routes.push(Route {
                destination,
                target,
            });
        }
    }

    /// The target of a route.
    fn target(
        &mut self,
        i: ResId,
        vpc: &str,
        a: &Attrs,
        n: Option<usize>,
    ) -> Result<Target, Unfit> {
        if let Some(id) = TARGETS.iter().find_map(|(attr, _)| text(a, attr)) {
            return self.target_by_id(id, vpc);
        }
        // Known only after apply: an `aws_route`'s target is the attribute its configuration
        // sets (the provider marks every optional target unknown), an inline route's the one
        // `after_unknown` marks.
        let configured = n.is_none() && TARGETS.iter().any(|(attr, _)| self.ix.configured(i, attr));
        for (attr, kinds) in TARGETS {
            let unknown = match n {
                Some(k) => {
                    self.res(i)
                        .unknown
                        .get("route")
                        .and_then(|r| r.get(k))
                        .and_then(|r| r.get(*attr))
                        == Some(&serde_json::Value::Bool(true))
                }
                None if configured => self.ix.configured(i, attr),
                None => {
                    self.res(i).is_unknown(attr)
                        && matches!(self.ix.one(i, attr, kinds), Resolution::Found { .. })
                }
            };
            if !unknown {
                continue;
            }
            let found = match n {
                None => match self.link(i, attr, kinds) {
                    Link::Found(t) => Some(t),
                    Link::External(id) => return self.target_by_id(&id, vpc),
                    Link::Missing => None,
                },
                Some(_) => match self.ix.in_block(i, "route", kinds) {
                    Resolution::Found { targets, guess } => {
                        if let Some(g) = guess {
                            self.note(i, Outcome::Guessed, format!("{attr}: {g}"));
                        }
                        targets.first().copied()
                    }
                    _ => {
                        // The first kind is the one the attribute is named for.
                        let module = &self.res(i).addr.module;
                        let only = match kinds.first() {
                            Some(k) => self.ix.of_kind(&[k], Some(module)),
                            None => vec![],
                        };
                        match (kinds.first(), only.as_slice()) {
                            (Some(k), [one]) => {
                                self.note(i, Outcome::Guessed, format!("route {attr} is known only after apply and the plan has no expression for it: took the only {k}"));
                                Some(*one)
                            }
                            _ => None,
                        }
                    }
                },
            };
            return match found {
                Some(t) => self.target_of(t, vpc),
                None => Err((
                    Outcome::Skipped,
                    format!("route {attr} is known only after apply and cannot be told"),
                    None,
                )),
            };
        }
        Err((Outcome::Skipped, "a route has no target".into(), None))
    }

    /// A target from a resource of the input.
    fn target_of(&mut self, t: ResId, vpc: &str) -> Result<Target, Unfit> {
        let kind = self.res(t).addr.kind.as_str();
        match kind {
            "aws_internet_gateway" => Ok(Target::Igw),
            "aws_nat_gateway" => match self.nat_of.get(&t) {
                Some((v, n)) if v == vpc => Ok(Target::Nat(n.clone())),
                _ => Ok(Target::Blackhole),
            },
            "aws_vpc_peering_connection" => Ok(self
                .pcx_of
                .get(&t)
                .map_or(Target::Blackhole, |p| Target::Pcx(p.clone()))),
            "aws_vpc_peering_connection_accepter" => match self.link(
                t,
                "vpc_peering_connection_id",
                &["aws_vpc_peering_connection"],
            ) {
                Link::Found(p) => Ok(self
                    .pcx_of
                    .get(&p)
                    .map_or(Target::Blackhole, |p| Target::Pcx(p.clone()))),
                _ => Ok(Target::Blackhole),
            },
            "aws_instance" => Ok(self.instance_target(t, vpc)),
            "aws_network_interface" => Ok(self.eni_target(t, vpc)),
            "aws_vpn_gateway" => Ok(self
                .vgw_target(t, vpc)
                .map_or(Target::Blackhole, Target::Vgw)),
            "aws_ec2_transit_gateway" => Ok(match self.hybrid.tgw.get(&t) {
                Some(n) if self.hybrid.tgw_vpcs.contains(&(t, vpc.to_string())) => {
                    Target::Tgw(n.clone())
                }
                _ => Target::Blackhole,
            }),
            "aws_vpc_endpoint" => Err(endpoint_route()),
            "aws_egress_only_internet_gateway" => Ok(self.eigw_target(t, vpc)),
            k => Err((
                Outcome::Unsupported,
                format!("a route to a {k} is not in the format"),
                None,
            )),
        }
    }

    /// A route to an interface: the instance it is the primary interface of (device 0, or
    /// its `primary_network_interface_id`); a blackhole otherwise (the format routes to
    /// instances, not to their further interfaces).
    fn eni_target(&self, eni: ResId, vpc: &str) -> Target {
        let Some(id) = text(self.at(eni), "id") else {
            return Target::Blackhole;
        };
        let inst = self.each("aws_instance").into_iter().find(|&x| {
            text(self.at(x), "primary_network_interface_id") == Some(id)
                || blocks(self.at(x), "network_interface").iter().any(|b| {
                    text(b, "network_interface_id") == Some(id)
                        && crate::import::terraform::values::int(b, "device_index").unwrap_or(0)
                            == 0
                })
        });
        inst.map_or(Target::Blackhole, |x| self.instance_target(x, vpc))
    }

    fn instance_target(&self, t: ResId, vpc: &str) -> Target {
        match self.inst_of.get(&t) {
            Some((v, n)) if v == vpc => Target::Instance(n.clone()),
            _ => Target::Blackhole,
        }
    }

    /// A target from a known id, dispatched on its prefix.
    fn target_by_id(&mut self, id: &str, vpc: &str) -> Result<Target, Unfit> {
        if id == "local" {
            return Ok(Target::Local);
        }
        let kinds: &[&str] = match id.split('-').next().unwrap_or_default() {
            "igw" => return Ok(Target::Igw),
            "nat" => &["aws_nat_gateway"],
            "pcx" => &["aws_vpc_peering_connection"],
            "i" => &["aws_instance"],
            "eni" => &["aws_instance", "aws_network_interface"],
            "vgw" => &["aws_vpn_gateway"],
            "tgw" => &["aws_ec2_transit_gateway"],
            "vpce" => return Err(endpoint_route()),
            "eigw" => &["aws_egress_only_internet_gateway"],
            _ => {
                return Err((
                    Outcome::Unsupported,
                    format!("a route to {id} is not in the format"),
                    None,
                ))
            }
        };
        match self.ix.by_id(id, kinds) {
            Some(t) => self.target_of(t, vpc),
            None => Ok(Target::Blackhole),
        }
    }

    /// Routes to `igw` in a VPC without an internet gateway become blackholes (reported).
    fn blackhole_missing_gateways(&mut self) {
        let mut changed = vec![];
        for (vn, v) in self.doc.vpcs.iter_mut() {
            let has_igw = v.internet_gateway.is_some();
            for (tn, t) in v.route_tables.iter_mut() {
                for r in t.routes.iter_mut() {
                    let gone = match &r.target {
                        Target::Igw => !has_igw,
                        _ => false,
                    };
                    if gone {
                        r.target = Target::Blackhole;
                        changed.push(format!("{vn}/{tn}"));
                    }
                }
            }
        }
        for c in changed {
            self.report.add("aws_route", c, Outcome::Approximated, "a route to an internet gateway the VPC does not have (not in the input) is a blackhole");
        }
    }
}

/// A route to a VPC endpoint: the endpoint adds its routes (`route_table_ids` or
/// `aws_vpc_endpoint_route_table_association`), so this one is left out.
fn endpoint_route() -> Unfit {
    (
        Outcome::Skipped,
        "a route to a VPC endpoint: the endpoint's route_table_ids (or its route table associations) add it".into(),
        None,
    )
}
