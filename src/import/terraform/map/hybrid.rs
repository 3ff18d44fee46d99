//! VGWs, customer gateways, VPN connections and Direct Connect from Terraform (issue 13):
//! `aws_vpn_gateway` (+ `_attachment`, `_route_propagation`, a table's `propagating_vgws`),
//! `aws_customer_gateway`, `aws_vpn_connection` (+ `_route`; on a transit gateway it makes
//! the VPN attachment), `aws_dx_gateway`, `aws_dx_gateway_association` (to a VGW, or the
//! Direct Connect attachment of a transit gateway), `aws_dx_private_virtual_interface` and
//! `aws_dx_transit_virtual_interface`. The on-premises sites are inferred as for describe-*
//! (`import::onprem`): the static routes and the customer side's `local_ipv4_network_cidr`.

use super::{Builder, Link};
use crate::import::doc_transit::{
    CustomerGateway, DirectConnectGateway, TgwAttachment, VirtualInterface, VpnConnection,
    VpnGateway,
};
use crate::import::names::Namer;
use crate::import::onprem::Sites;
use crate::import::report::Outcome;
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{addr, aws_id, cidr, flag, int, name_tag, strings, text};
use std::collections::HashMap;

impl Builder<'_> {
    /// VGWs and their VPC (before the VPC route tables).
    pub fn vpn_gateways(&mut self) {
        let mut names = Namer::new();
        for i in self.each("aws_vpn_gateway") {
            let vpc = self.vpc_at(i, "vpc_id");
            let a = self.at(i);
            let name = Self::name_in(&mut names, self.res(i), None);
            self.doc.vpn_gateways.insert(
                name.clone(),
                VpnGateway {
                    aws_id: aws_id(a, "vgw-"),
                    description: name_tag(a).map(str::to_string),
                    vpc: vpc.clone(),
                    amazon_side_asn: int(a, "amazon_side_asn")
                        .and_then(|n| u64::try_from(n).ok())
                        .filter(|n| *n != 64512),
                    ..VpnGateway::default()
                },
            );
            self.hybrid.vgw.insert(i, (name, vpc));
        }
        for i in self.each("aws_vpn_gateway_attachment") {
            let vpc = self.vpc_at(i, "vpc_id");
            match (self.vgw_at(i, "vpn_gateway_id"), vpc) {
                (Some(g), Some(v)) => {
                    let name = self.hybrid.vgw[&g].0.clone();
                    self.hybrid.vgw.insert(g, (name.clone(), Some(v.clone())));
                    if let Some(x) = self.doc.vpn_gateways.get_mut(&name) {
                        x.vpc = Some(v);
                    }
                }
                _ => self.note(i, Outcome::Skipped, "its VGW or VPC is not in the input"),
            }
        }
    }

    /// The VGW attribute `attr` of `i` names.
    fn vgw_at(&mut self, i: ResId, attr: &str) -> Option<ResId> {
        match self.link(i, attr, &["aws_vpn_gateway"]) {
            Link::Found(g) if self.hybrid.vgw.contains_key(&g) => Some(g),
            _ => None,
        }
    }

    /// The VGW a route's known id or reference names, when attached to `vpc`.
    pub(super) fn vgw_target(&self, g: ResId, vpc: &str) -> Option<String> {
        match self.hybrid.vgw.get(&g) {
            Some((n, Some(v))) if v == vpc => Some(n.clone()),
            _ => None,
        }
    }

    /// Route propagation into VPC tables: `propagating_vgws` and
    /// `aws_vpn_gateway_route_propagation` (after the route tables).
    pub fn vgw_propagation(&mut self) {
        let mut pairs: Vec<(ResId, ResId)> = vec![];
        let tables: Vec<ResId> = self
            .each("aws_route_table")
            .into_iter()
            .chain(self.each("aws_default_route_table"))
            .collect();
        for t in tables {
            let (found, ext) = self.links(t, "propagating_vgws", &["aws_vpn_gateway"]);
            pairs.extend(found.into_iter().map(|g| (t, g)));
            for id in ext {
                self.note(
                    t,
                    Outcome::Skipped,
                    format!("propagating VGW {id} is not in the input"),
                );
            }
        }
        for i in self.each("aws_vpn_gateway_route_propagation") {
            let t = match self.link(
                i,
                "route_table_id",
                &["aws_route_table", "aws_default_route_table"],
            ) {
                Link::Found(t) => Some(t),
                _ => None,
            };
            match (t, self.vgw_at(i, "vpn_gateway_id")) {
                (Some(t), Some(g)) => pairs.push((t, g)),
                _ => self.note(
                    i,
                    Outcome::Skipped,
                    "its VGW or route table is not in the input",
                ),
            }
        }
        for (t, g) in pairs {
            let Some((vpc, table)) = self.rt_of.get(&t).cloned() else {
                continue;
            };
            let Some(name) = self.vgw_target(g, &vpc) else {
                self.note(
                    t,
                    Outcome::Skipped,
                    "route propagation from a VGW not attached to its VPC",
                );
                continue;
            };
            if let Some(rt) = self
                .doc
                .vpcs
                .get_mut(&vpc)
                .and_then(|v| v.route_tables.get_mut(&table))
            {
                if !rt.propagating_vgws.contains(&name) {
                    rt.propagating_vgws.push(name);
                    rt.propagating_vgws.sort();
                }
            }
        }
    }

    /// Customer gateways, VPN connections, Direct Connect (after the route tables).
    pub fn hybrid(&mut self) {
        let mut sites = Sites::default();
        let mut cgw_key: HashMap<ResId, String> = HashMap::new();
        let mut asn_key: HashMap<i64, Vec<String>> = HashMap::new();
        let vpns = self.each("aws_vpn_connection");
        for c in self.each("aws_customer_gateway") {
            let users: Vec<ResId> = vpns
                .iter()
                .copied()
                .filter(|&v| {
                    matches!(self.link(v, "customer_gateway_id", &["aws_customer_gateway"]), Link::Found(x) if x == c)
                })
                .collect();
            if users.is_empty() {
                self.note(
                    c,
                    Outcome::Skipped,
                    "no VPN connection of the input uses it",
                );
                continue;
            }
            let a = self.at(c);
            let addr_s = text(a, "ip_address").unwrap_or("unknown").to_string();
            let label = name_tag(a).unwrap_or(&addr_s).to_string();
            let key = addr_s.clone();
            let site = sites.site(
                &key,
                &label,
                &format!("customer gateway {}", self.res(c).addr),
            );
            for &v in &users {
                site.learned.extend(
                    cidr(self.at(v), "local_ipv4_network_cidr").filter(|n| n.prefix_len() > 0),
                );
            }
            for r in self.each("aws_vpn_connection_route") {
                if let Link::Found(v) = self.link(r, "vpn_connection_id", &["aws_vpn_connection"]) {
                    if users.contains(&v) {
                        site.learned
                            .extend(cidr(self.at(r), "destination_cidr_block"));
                    }
                }
            }
            if let Some(n) = int(self.at(c), "bgp_asn") {
                asn_key.entry(n).or_default().push(key.clone());
            }
            cgw_key.insert(c, key);
        }
        let vifs: Vec<ResId> = self
            .each("aws_dx_private_virtual_interface")
            .into_iter()
            .chain(self.each("aws_dx_transit_virtual_interface"))
            .collect();
        let mut vif_key: HashMap<ResId, String> = HashMap::new();
        for &v in &vifs {
            let joined = int(self.at(v), "bgp_asn")
                .and_then(|n| asn_key.get(&n))
                .filter(|k| k.len() == 1)
                .map(|k| k[0].clone());
            let label = text(self.at(v), "name")
                .unwrap_or(&self.res(v).addr.name)
                .to_string();
            let key = joined.unwrap_or_else(|| format!("vif:{}", self.res(v).addr));
            sites.site(
                &key,
                &label,
                &format!("virtual interface {}", self.res(v).addr),
            );
            vif_key.insert(v, key);
        }
        let advertised = sites.write(&mut self.doc, &mut self.report);
        let mut names = Namer::new();
        let mut cgw_name: HashMap<ResId, String> = HashMap::new();
        for (c, key) in &cgw_key {
            let a = self.at(*c);
            let name = Self::name_in(&mut names, self.res(*c), None);
            self.doc.customer_gateways.insert(
                name.clone(),
                CustomerGateway {
                    aws_id: aws_id(a, "cgw-"),
                    description: name_tag(a).map(str::to_string),
                    on_premises: sites.name_of(key).unwrap_or_default(),
                    ip: addr(a, "ip_address"),
                    bgp_asn: int(a, "bgp_asn").and_then(|n| u64::try_from(n).ok()),
                },
            );
            cgw_name.insert(*c, name);
        }
        let mut vnames = Namer::new();
        for v in vpns {
            self.vpn_connection(v, &cgw_name, &advertised, &mut vnames);
        }
        self.dx(&vifs, &vif_key, &sites, &advertised);
    }

    fn vpn_connection(
        &mut self,
        v: ResId,
        cgw_name: &HashMap<ResId, String>,
        advertised: &std::collections::BTreeMap<String, Vec<ipnet::Ipv4Net>>,
        names: &mut Namer,
    ) {
        let cgw = match self.link(v, "customer_gateway_id", &["aws_customer_gateway"]) {
            Link::Found(c) => cgw_name.get(&c).cloned(),
            _ => None,
        };
        let Some(cgw) = cgw else {
            self.note(
                v,
                Outcome::Skipped,
                "its customer gateway is not in the input",
            );
            return;
        };
        let vgw = self.vgw_at(v, "vpn_gateway_id");
        let tgw = if vgw.is_none() {
            self.tgw_at(v, "transit_gateway_id")
        } else {
            None
        };
        if vgw.is_none() && tgw.is_none() {
            self.note(
                v,
                Outcome::Skipped,
                "its VGW or transit gateway is not in the input",
            );
            return;
        }
        let a = self.at(v);
        let stat = flag(a, "static_routes_only") == Some(true);
        let mut static_routes = vec![];
        if stat {
            for r in self.each("aws_vpn_connection_route") {
                if matches!(self.link(r, "vpn_connection_id", &["aws_vpn_connection"]), Link::Found(x) if x == v)
                {
                    static_routes.extend(cidr(self.at(r), "destination_cidr_block"));
                }
            }
            static_routes.sort();
            static_routes.dedup();
        }
        let site = self.doc.customer_gateways[&cgw].on_premises.clone();
        let name = Self::name_in(names, self.res(v), None);
        let a = self.at(v);
        self.doc.vpn_connections.insert(
            name.clone(),
            VpnConnection {
                aws_id: aws_id(a, "vpn-"),
                description: name_tag(a).map(str::to_string),
                customer_gateway: cgw,
                vpn_gateway: vgw.map(|g| self.hybrid.vgw[&g].0.clone()),
                routing: stat.then(|| "static".to_string()),
                static_routes,
                advertised_prefixes: (!stat).then(|| advertised.get(&site).cloned()).flatten(),
                state: None,
            },
        );
        if let Some((g, gname)) = tgw {
            let aname = Self::name_in(&mut self.hybrid.att_names, &self.inv.resources[v], None);
            let att = TgwAttachment {
                aws_id: aws_id(a, "tgw-attach-").or_else(|| {
                    text(a, "transit_gateway_attachment_id")
                        .and_then(|s| crate::import::terraform::values::valid_id(s, "tgw-attach-"))
                }),
                vpn_connection: Some(name),
                ..TgwAttachment::default()
            };
            if let Some(t) = self.doc.transit_gateways.get_mut(&gname) {
                t.attachments.insert(aname.clone(), att);
            }
            self.hybrid.att.insert(v, (g, aname));
        }
    }

    fn dx(
        &mut self,
        vifs: &[ResId],
        vif_key: &HashMap<ResId, String>,
        sites: &Sites,
        advertised: &std::collections::BTreeMap<String, Vec<ipnet::Ipv4Net>>,
    ) {
        let mut names = Namer::new();
        let mut dx_name: HashMap<ResId, String> = HashMap::new();
        for d in self.each("aws_dx_gateway") {
            let a = self.at(d);
            let name = Self::name_in(&mut names, self.res(d), text(a, "name"));
            let id = text(a, "id").filter(|s| {
                s.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            });
            self.doc.direct_connect_gateways.insert(
                name.clone(),
                DirectConnectGateway {
                    aws_id: id.map(str::to_string),
                    description: text(a, "name").map(str::to_string),
                    amazon_side_asn: int(a, "amazon_side_asn")
                        .and_then(|n| u64::try_from(n).ok())
                        .filter(|n| *n != 64512),
                },
            );
            dx_name.insert(d, name);
        }
        for s in self.each("aws_dx_gateway_association") {
            let Link::Found(d) = self.link(s, "dx_gateway_id", &["aws_dx_gateway"]) else {
                self.note(
                    s,
                    Outcome::Skipped,
                    "its Direct Connect gateway is not in the input",
                );
                continue;
            };
            let dname = dx_name[&d].clone();
            let allowed: Vec<ipnet::Ipv4Net> = strings(self.at(s), "allowed_prefixes")
                .into_iter()
                .filter_map(crate::import::terraform::values::parse_cidr)
                .collect();
            let kinds = &["aws_ec2_transit_gateway", "aws_vpn_gateway"];
            let gw = match self.link(s, "associated_gateway_id", kinds) {
                Link::Found(g) => Some(g),
                _ => match self.link(s, "vpn_gateway_id", &["aws_vpn_gateway"]) {
                    Link::Found(g) => Some(g),
                    _ => None,
                },
            };
            match gw {
                Some(g) if self.hybrid.vgw.contains_key(&g) => {
                    let n = self.hybrid.vgw[&g].0.clone();
                    if let Some(x) = self.doc.vpn_gateways.get_mut(&n) {
                        x.direct_connect_gateway = Some(dname);
                        x.allowed_prefixes = (!allowed.is_empty()).then_some(allowed);
                    }
                }
                Some(g) if self.hybrid.tgw.contains_key(&g) => {
                    if allowed.is_empty() {
                        self.note(
                            s,
                            Outcome::Skipped,
                            "no allowed_prefixes (AWS requires them for a transit gateway)",
                        );
                        continue;
                    }
                    let gname = self.hybrid.tgw[&g].clone();
                    let aname =
                        Self::name_in(&mut self.hybrid.att_names, &self.inv.resources[s], None);
                    let att = TgwAttachment {
                        aws_id: text(self.at(s), "transit_gateway_attachment_id").and_then(|x| {
                            crate::import::terraform::values::valid_id(x, "tgw-attach-")
                        }),
                        direct_connect_gateway: Some(dname),
                        allowed_prefixes: allowed,
                        ..TgwAttachment::default()
                    };
                    if let Some(t) = self.doc.transit_gateways.get_mut(&gname) {
                        t.attachments.insert(aname.clone(), att);
                    }
                    self.hybrid.att.insert(s, (g, aname));
                }
                _ => self.note(s, Outcome::Skipped, "its gateway is not in the input"),
            }
        }
        let mut vnames = Namer::new();
        for &v in vifs {
            let private = self.res(v).addr.kind == "aws_dx_private_virtual_interface";
            let dx = match self.link(v, "dx_gateway_id", &["aws_dx_gateway"]) {
                Link::Found(d) => dx_name.get(&d).cloned(),
                _ => None,
            };
            let vgw = if private && dx.is_none() {
                self.vgw_at(v, "vpn_gateway_id")
                    .map(|g| self.hybrid.vgw[&g].0.clone())
            } else {
                None
            };
            if dx.is_none() && vgw.is_none() {
                self.note(
                    v,
                    Outcome::Skipped,
                    "the gateway it ends on is not in the input",
                );
                continue;
            }
            let Some(site) = vif_key.get(&v).and_then(|k| sites.name_of(k)) else {
                continue;
            };
            let a = self.at(v);
            let name = Self::name_in(&mut vnames, self.res(v), text(a, "name"));
            self.doc.virtual_interfaces.insert(
                name,
                VirtualInterface {
                    aws_id: aws_id(a, "dxvif-"),
                    description: text(a, "name").map(str::to_string),
                    vif_type: if private { "private" } else { "transit" }.to_string(),
                    on_premises: site.clone(),
                    direct_connect_gateway: dx,
                    vpn_gateway: vgw,
                    advertised_prefixes: advertised.get(&site).cloned(),
                    state: None,
                    vlan: int(a, "vlan")
                        .and_then(|n| u16::try_from(n).ok())
                        .filter(|n| (1..=4094).contains(n)),
                },
            );
        }
    }
}
