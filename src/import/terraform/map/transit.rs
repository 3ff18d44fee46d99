//! Transit gateways from Terraform (issue 13): `aws_ec2_transit_gateway` (its default table is
//! the format's implicit `default`, as the provider never declares it),
//! `aws_ec2_transit_gateway_route_table`, `_vpc_attachment` (subnets, appliance mode, the two
//! `transit_gateway_default_route_table_*` flags), `_route_table_association`,
//! `_route_table_propagation`, `_route` (static or blackhole) and
//! `_peering_attachment` (+ `_accepter`). VPN and Direct Connect attachments come from
//! `aws_vpn_connection` and `aws_dx_gateway_association` (`hybrid`), which the provider
//! attaches implicitly. Associations and propagations are applied once every attachment exists.

use super::{Builder, InVpc, Link, SUBNET};
use crate::import::doc_transit::{TgwAttachment, TgwRoute, TgwRouteTable, TransitGateway};
use crate::import::names::Namer;
use crate::import::report::Outcome;
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{aws_id, cidr, flag, int, name_tag, text};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Resource types a `transit_gateway_attachment_id` may name.
pub(super) const ATTACHMENT: &[&str] = &[
    "aws_ec2_transit_gateway_vpc_attachment",
    "aws_vpn_connection",
    "aws_dx_gateway_association",
    "aws_ec2_transit_gateway_peering_attachment",
    "aws_ec2_transit_gateway_peering_attachment_accepter",
];

/// What the hybrid passes made, by resource.
#[derive(Debug, Default)]
pub(in crate::import::terraform) struct Hybrid {
    /// Transit gateway → name.
    pub tgw: HashMap<ResId, String>,
    /// Route table → (its gateway, name).
    pub table: HashMap<ResId, (ResId, String)>,
    /// Attachment-making resource → (gateway it is written under, attachment name).
    pub att: HashMap<ResId, (ResId, String)>,
    /// (gateway, VPC name) of every VPC attachment.
    pub tgw_vpcs: HashSet<(ResId, String)>,
    /// VGW → (name, attached VPC name).
    pub vgw: HashMap<ResId, (String, Option<String>)>,
    /// Attachment names (unique in the topology).
    pub att_names: Namer,
    /// Explicit associations: attachment resource → (table's gateway, table name) per side.
    pub assoc: BTreeMap<ResId, Vec<(ResId, String)>>,
    /// Explicit propagations: attachment resource → table names.
    pub props: BTreeMap<ResId, Vec<String>>,
}

impl Builder<'_> {
    /// Gateways, their tables and VPC attachments (before the VPC route tables).
    pub fn transit_gateways(&mut self) {
        let mut names = Namer::new();
        for i in self.each("aws_ec2_transit_gateway") {
            let a = self.at(i);
            let name = Self::name_in(&mut names, self.res(i), None);
            let off = |k: &str| (text(a, k) == Some("disable")).then_some(false);
            let g = TransitGateway {
                aws_id: aws_id(a, "tgw-"),
                description: name_tag(a).map(str::to_string),
                amazon_side_asn: int(a, "amazon_side_asn")
                    .and_then(|n| u64::try_from(n).ok())
                    .filter(|n| *n != 64512),
                default_route_table_association: off("default_route_table_association"),
                default_route_table_propagation: off("default_route_table_propagation"),
                ..TransitGateway::default()
            };
            self.doc.transit_gateways.insert(name.clone(), g);
            self.hybrid.tgw.insert(i, name);
        }
        let mut namers: HashMap<ResId, Namer> = HashMap::new();
        for i in self.each("aws_ec2_transit_gateway_route_table") {
            let Some((g, gname)) = self.tgw_at(i, "transit_gateway_id") else {
                self.note(
                    i,
                    Outcome::Skipped,
                    "its transit gateway is not in the input",
                );
                continue;
            };
            let namer = namers
                .entry(g)
                .or_insert_with(|| Namer::reserving(&["default", "none"]));
            let name = Self::name_in(namer, self.res(i), None);
            let a = self.at(i);
            if let Some(t) = self.doc.transit_gateways.get_mut(&gname) {
                t.route_tables.insert(
                    name.clone(),
                    TgwRouteTable {
                        aws_id: aws_id(a, "tgw-rtb-"),
                        description: name_tag(a).map(str::to_string),
                        routes: vec![],
                    },
                );
            }
            self.hybrid.table.insert(i, (g, name));
        }
        for i in self.each("aws_ec2_transit_gateway_vpc_attachment") {
            self.vpc_attachment(i);
        }
    }

    /// The transit gateway attribute `attr` of `i` names, with its name.
    pub(super) fn tgw_at(&mut self, i: ResId, attr: &str) -> Option<(ResId, String)> {
        match self.link(i, attr, &["aws_ec2_transit_gateway"]) {
            Link::Found(g) => self.hybrid.tgw.get(&g).map(|n| (g, n.clone())),
            _ => None,
        }
    }

    fn vpc_attachment(&mut self, i: ResId) {
        let Some((g, gname)) = self.tgw_at(i, "transit_gateway_id") else {
            self.note(
                i,
                Outcome::Skipped,
                "its transit gateway is not in the input",
            );
            return;
        };
        let Some(vpc) = self.vpc_at(i, "vpc_id") else {
            self.note(i, Outcome::Skipped, "its VPC is not in the input");
            return;
        };
        if !self.hybrid.tgw_vpcs.insert((g, vpc.clone())) {
            self.note(
                i,
                Outcome::Skipped,
                "a second attachment of the VPC to the same transit gateway",
            );
            return;
        }
        let (found, _) = self.links(i, "subnet_ids", SUBNET);
        let mut azs = HashSet::new();
        let mut subnets = vec![];
        for s in found {
            let Some((v, n)): Option<InVpc> = self.subnet_of.get(&s).cloned() else {
                continue;
            };
            let az = self.doc.vpcs[&v].subnets.get(&n).and_then(|x| x.az.clone());
            if v == vpc && azs.insert(az) {
                subnets.push(n);
            }
        }
        if subnets.is_empty() {
            self.note(i, Outcome::Skipped, "none of its subnets is in the input");
            return;
        }
        let a = self.at(i);
        let name = Self::name_in(&mut self.hybrid.att_names, &self.inv.resources[i], None);
        let no_default = |k: &str| flag(a, k) == Some(false);
        let att = TgwAttachment {
            aws_id: aws_id(a, "tgw-attach-"),
            description: name_tag(a).map(str::to_string),
            vpc: Some(vpc),
            subnets,
            appliance_mode: (text(a, "appliance_mode_support") == Some("enable")).then_some(true),
            association: no_default("transit_gateway_default_route_table_association")
                .then(|| "none".to_string()),
            propagations: no_default("transit_gateway_default_route_table_propagation")
                .then(Vec::new),
            ..TgwAttachment::default()
        };
        if let Some(t) = self.doc.transit_gateways.get_mut(&gname) {
            t.attachments.insert(name.clone(), att);
        }
        self.hybrid.att.insert(i, (g, name));
    }

    /// The attachment attribute `attr` of `i` names: the resource that made it.
    fn attachment_at(&mut self, i: ResId, attr: &str) -> Option<ResId> {
        match self.link(i, attr, ATTACHMENT) {
            Link::Found(t) => {
                let t = self.accepted(t);
                self.hybrid.att.contains_key(&t).then_some(t)
            }
            Link::External(id) => self.hybrid.att.keys().copied().find(|&r| {
                text(self.at(r), "id") == Some(id.as_str())
                    || text(self.at(r), "transit_gateway_attachment_id") == Some(id.as_str())
            }),
            Link::Missing => None,
        }
    }

    /// A peering accepter stands for its peering attachment.
    fn accepted(&mut self, t: ResId) -> ResId {
        if self.res(t).addr.kind != "aws_ec2_transit_gateway_peering_attachment_accepter" {
            return t;
        }
        match self.link(
            t,
            "transit_gateway_attachment_id",
            &["aws_ec2_transit_gateway_peering_attachment"],
        ) {
            Link::Found(p) => p,
            _ => t,
        }
    }

    /// The table attribute `attr` of `i` names: a table resource, or a gateway's default table
    /// (`aws_ec2_transit_gateway.x.association_default_route_table_id`).
    fn table_at(&mut self, i: ResId, attr: &str) -> Option<(ResId, String)> {
        let kinds = &[
            "aws_ec2_transit_gateway_route_table",
            "aws_ec2_transit_gateway",
        ];
        match self.link(i, attr, kinds) {
            Link::Found(t) => self.hybrid.table.get(&t).cloned().or_else(|| {
                self.hybrid
                    .tgw
                    .contains_key(&t)
                    .then(|| (t, "default".to_string()))
            }),
            Link::External(id) => self.hybrid.tgw.keys().copied().find_map(|g| {
                let a = self.at(g);
                [
                    "association_default_route_table_id",
                    "propagation_default_route_table_id",
                ]
                .iter()
                .any(|k| text(a, k) == Some(id.as_str()))
                .then(|| (g, "default".to_string()))
            }),
            Link::Missing => None,
        }
    }

    /// Peering attachments (after `hybrid`, before [`Self::transit_links`]).
    pub fn transit_peerings(&mut self) {
        for i in self.each("aws_ec2_transit_gateway_peering_attachment") {
            let own = self.tgw_at(i, "transit_gateway_id");
            let peer = self.tgw_at(i, "peer_transit_gateway_id");
            let (Some((g, gname)), Some((_, pname))) = (own, peer) else {
                self.note(
                    i,
                    Outcome::Skipped,
                    "both transit gateways must be in the input",
                );
                continue;
            };
            let a = self.at(i);
            let name = Self::name_in(&mut self.hybrid.att_names, &self.inv.resources[i], None);
            let att = TgwAttachment {
                aws_id: aws_id(a, "tgw-attach-"),
                description: name_tag(a).map(str::to_string),
                peer_transit_gateway: Some(pname),
                ..TgwAttachment::default()
            };
            if let Some(t) = self.doc.transit_gateways.get_mut(&gname) {
                t.attachments.insert(name.clone(), att);
            }
            self.hybrid.att.insert(i, (g, name));
        }
    }

    /// Associations, propagations and static routes, once every attachment exists.
    pub fn transit_links(&mut self) {
        for i in self.each("aws_ec2_transit_gateway_route_table_association") {
            match (
                self.attachment_at(i, "transit_gateway_attachment_id"),
                self.table_at(i, "transit_gateway_route_table_id"),
            ) {
                (Some(att), Some(t)) => self.hybrid.assoc.entry(att).or_default().push(t),
                _ => self.note(
                    i,
                    Outcome::Skipped,
                    "its attachment or table is not in the input",
                ),
            }
        }
        for i in self.each("aws_ec2_transit_gateway_route_table_propagation") {
            match (
                self.attachment_at(i, "transit_gateway_attachment_id"),
                self.table_at(i, "transit_gateway_route_table_id"),
            ) {
                (Some(att), Some((_, t))) => self.hybrid.props.entry(att).or_default().push(t),
                _ => self.note(
                    i,
                    Outcome::Skipped,
                    "its attachment or table is not in the input",
                ),
            }
        }
        let atts: Vec<(ResId, (ResId, String))> = self
            .hybrid
            .att
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        for (r, (g, name)) in atts {
            let gname = self.hybrid.tgw[&g].clone();
            let assoc = self.hybrid.assoc.get(&r).cloned().unwrap_or_default();
            let props = self.hybrid.props.get(&r).cloned().unwrap_or_default();
            let Some(tg) = self.doc.transit_gateways.get_mut(&gname) else {
                continue;
            };
            let prop_default = (tg.default_route_table_propagation != Some(false)).then(|| {
                tg.propagation_default_route_table
                    .clone()
                    .unwrap_or_else(|| "default".into())
            });
            let Some(att) = tg.attachments.get_mut(&name) else {
                continue;
            };
            if let Some((_, t)) = assoc.iter().find(|(x, _)| *x == g) {
                att.association = Some(t.clone());
            }
            if att.peer_transit_gateway.is_some() {
                att.peer_association = assoc.iter().find(|(x, _)| *x != g).map(|(_, t)| t.clone());
            } else if !props.is_empty() {
                let mut all = props.clone();
                if att.propagations.is_none() {
                    all.extend(prop_default);
                }
                all.sort();
                all.dedup();
                att.propagations = Some(all);
            }
        }
        self.transit_routes();
    }

    fn transit_routes(&mut self) {
        for i in self.each("aws_ec2_transit_gateway_route") {
            let Some((g, table)) = self.table_at(i, "transit_gateway_route_table_id") else {
                self.note(i, Outcome::Skipped, "its route table is not in the input");
                continue;
            };
            let Some(destination) = cidr(self.at(i), "destination_cidr_block") else {
                self.note(i, Outcome::Skipped, "no IPv4 destination_cidr_block");
                continue;
            };
            let route = if flag(self.at(i), "blackhole") == Some(true) {
                TgwRoute {
                    destination,
                    attachment: None,
                    blackhole: true,
                }
            } else {
                match self.attachment_at(i, "transit_gateway_attachment_id") {
                    Some(a) => TgwRoute {
                        destination,
                        attachment: Some(self.hybrid.att[&a].1.clone()),
                        blackhole: false,
                    },
                    None => {
                        self.note(
                            i,
                            Outcome::Approximated,
                            "its attachment is not in the input: a blackhole",
                        );
                        TgwRoute {
                            destination,
                            attachment: None,
                            blackhole: true,
                        }
                    }
                }
            };
            let gname = self.hybrid.tgw[&g].clone();
            let Some(tg) = self.doc.transit_gateways.get_mut(&gname) else {
                continue;
            };
            let t = tg.route_tables.entry(table).or_default();
            if t.routes.iter().any(|r| r.destination == destination) {
                self.note(
                    i,
                    Outcome::Skipped,
                    "a second route to the same destination",
                );
                continue;
            }
            t.routes.push(route);
            t.routes.sort_by_key(|r| r.destination);
        }
    }
}
