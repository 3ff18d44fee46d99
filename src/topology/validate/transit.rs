//! Transit gateways (`transit_gateways:`): names, regions, the default route tables, each
//! attachment's kind and references (VPC and one subnet per AZ, VPN connection, Direct Connect
//! gateway with allowed prefixes, peer transit gateway), associations, propagations, and the
//! static and blackhole routes of the route tables. VPC routes to `tgw:`/`vgw:` targets are
//! checked here too (`route_to_gateway`).

use super::super::spec;
use super::super::transit::{TgwAttachment, TransitGateway};
use super::{Loc, Sp, Validator};
use ipnet::Ipv4Net;
use std::collections::HashMap;

/// The implicit route table of a transit gateway while a default is enabled.
pub(super) const DEFAULT_TABLE: &str = "default";
/// The word that says "no association" in `association:`.
const NO_ASSOCIATION: &str = "none";

impl Validator<'_> {
    /// Checks every transit gateway, then that attachment names are unique in the topology.
    pub(super) fn transit_gateways(&mut self) {
        let t = self.t;
        let mut attachments: HashMap<&str, &str> = HashMap::new();
        for (gname, g) in t.transit_gateways.iter() {
            self.name("transit gateway", gname);
            if let Some(r) = &g.region {
                self.region(r);
            }
            for (aname, _) in g.attachments.iter() {
                if let Some(other) = attachments.get(aname.value.as_str()) {
                    self.err(
                        aname.loc,
                        format!(
                            "attachment name `{}` is already used on transit gateway `{other}`",
                            aname.value
                        ),
                        "attachment names are unique in the whole topology (a peer's routes name them); rename one",
                    );
                } else {
                    attachments.insert(&aname.value, &gname.value);
                }
            }
            self.tgw(gname, g);
        }
    }

    /// The tables of `g` an attachment may name: declared ones, plus `default` while a default
    /// is enabled.
    fn tgw_has_table(g: &TransitGateway, name: &str) -> bool {
        g.route_tables.contains(name) || (name == DEFAULT_TABLE && has_implicit_default(g))
    }

    fn tgw_table_ref(&mut self, gname: &str, g: &TransitGateway, r: &Sp<String>) {
        if !Self::tgw_has_table(g, &r.value) {
            let declared: Vec<&str> = g
                .route_tables
                .iter()
                .map(|(k, _)| k.value.as_str())
                .collect();
            self.err(
                r.loc,
                format!("transit gateway `{gname}` has no route table `{}`", r.value),
                if declared.is_empty() {
                    "declare it under the transit gateway's `route_tables:`".to_string()
                } else {
                    format!(
                        "declare it under `route_tables:` (declared: {})",
                        declared.join(", ")
                    )
                },
            );
        }
    }

    fn tgw(&mut self, gname: &Sp<String>, g: &TransitGateway) {
        let t = self.t;
        let gn = gname.value.as_str();
        for (tn, _) in g.route_tables.iter() {
            self.name("transit gateway route table", tn);
        }
        for d in [
            &g.association_default_route_table,
            &g.propagation_default_route_table,
        ]
        .into_iter()
        .flatten()
        {
            self.tgw_table_ref(gn, g, d);
        }
        let region = g
            .region
            .as_ref()
            .or(t.region.as_ref())
            .map(|r| r.value.as_str())
            .unwrap_or("us-east-1");
        for (aname, a) in g.attachments.iter() {
            self.name("transit gateway attachment", aname);
            self.tgw_attachment(gname, g, region, aname, a);
        }
        for (tn, rt) in g.route_tables.iter() {
            let mut seen: HashMap<Ipv4Net, u32> = HashMap::new();
            for r in &rt.routes {
                if let Some(d) =
                    self.cidr(&r.destination, "transit gateway route destination", false)
                {
                    if let Some(line) = seen.insert(d, r.destination.loc.line) {
                        self.err(
                            r.destination.loc,
                            format!(
                                "route table `{}` already has a route to {d} (line {line})",
                                tn.value
                            ),
                            "one static route per destination per table; remove one",
                        );
                    }
                }
                let blackhole = r.blackhole.as_ref().is_some_and(|b| b.value);
                match (&r.attachment, blackhole) {
                    (Some(a), false) => {
                        if !self.attachment_reaches(gn, &a.value) {
                            self.err(
                                a.loc,
                                format!("transit gateway `{gn}` has no attachment `{}`", a.value),
                                "name one of its attachments (or a peering attachment whose peer is this gateway)",
                            );
                        }
                    }
                    (None, true) => {}
                    (Some(a), true) => self.err(
                        a.loc,
                        "a route has `attachment:` and `blackhole: true`",
                        "a blackhole route has no attachment; keep one of them",
                    ),
                    (None, false) => self.err(
                        r.destination.loc,
                        format!(
                            "route to {} has neither `attachment:` nor `blackhole: true`",
                            r.destination.value
                        ),
                        "write `attachment: NAME` or `blackhole: true`",
                    ),
                }
            }
        }
    }

    /// True when `attachment` is one of `gname`'s, or a peering attachment whose peer it is.
    fn attachment_reaches(&self, gname: &str, attachment: &str) -> bool {
        self.t.transit_gateways.iter().any(|(on, og)| {
            og.attachments.iter().any(|(an, a)| {
                an.value == attachment
                    && (on.value == gname
                        || a.peer_transit_gateway
                            .as_ref()
                            .is_some_and(|p| p.value == gname))
            })
        })
    }

    fn tgw_attachment(
        &mut self,
        gname: &Sp<String>,
        g: &TransitGateway,
        region: &str,
        aname: &Sp<String>,
        a: &TgwAttachment,
    ) {
        let t = self.t;
        let gn = gname.value.as_str();
        let kinds = [
            a.vpc.is_some(),
            a.vpn_connection.is_some(),
            a.direct_connect_gateway.is_some(),
            a.peer_transit_gateway.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.err(
                aname.loc,
                format!("attachment `{}` must name exactly one of `vpc`, `vpn_connection`, `direct_connect_gateway`, `peer_transit_gateway`", aname.value),
                "an attachment connects one VPC, VPN connection, Direct Connect gateway or peer transit gateway",
            );
            return;
        }
        let only = |ok: bool, what: &str| (!ok).then(|| what.to_string());
        let misplaced = [
            (a.vpc.is_some() || a.subnets.is_empty(), "subnets"),
            (
                a.vpc.is_some() || a.appliance_mode.is_none(),
                "appliance_mode",
            ),
            (
                a.direct_connect_gateway.is_some() || a.allowed_prefixes.is_empty(),
                "allowed_prefixes",
            ),
            (
                a.peer_transit_gateway.is_some() || a.peer_association.is_none(),
                "peer_association",
            ),
            (
                a.peer_transit_gateway.is_none() || a.propagations.is_none(),
                "propagations",
            ),
        ];
        for (ok, key) in misplaced {
            if let Some(key) = only(ok, key) {
                self.err(
                    aname.loc,
                    format!("attachment `{}` cannot take `{key}`", aname.value),
                    "subnets and appliance_mode are for VPC attachments, allowed_prefixes for Direct Connect gateways, peer_association for peerings; a peering has static routes only (no propagations)",
                );
            }
        }
        if let Some(vpc) = &a.vpc {
            self.tgw_vpc_attachment(gn, region, aname, vpc, &a.subnets);
        }
        if let Some(v) = &a.vpn_connection {
            match t.vpn_connections.get(&v.value) {
                None => self.err(
                    v.loc,
                    format!("VPN connection `{}` does not exist", v.value),
                    "declare it under the top-level `vpn_connections:`",
                ),
                Some(c) if c.vpn_gateway.is_some() => self.err(
                    v.loc,
                    format!("VPN connection `{}` already terminates on a virtual private gateway", v.value),
                    "a VPN connection is on a VGW or on a transit gateway; remove its `vpn_gateway:` or this attachment",
                ),
                Some(_) => {}
            }
        }
        if let Some(d) = &a.direct_connect_gateway {
            if !t.direct_connect_gateways.contains(&d.value) {
                self.err(
                    d.loc,
                    format!("Direct Connect gateway `{}` does not exist", d.value),
                    "declare it under the top-level `direct_connect_gateways:`",
                );
            }
            if a.allowed_prefixes.is_empty() {
                self.err(
                    d.loc,
                    format!("Direct Connect gateway attachment `{}` has no `allowed_prefixes`", aname.value),
                    "AWS requires the prefixes advertised to on-premises for a transit gateway association, e.g. allowed_prefixes: [10.0.0.0/8]",
                );
            }
            for p in &a.allowed_prefixes {
                self.cidr(p, "allowed prefix", false);
            }
        }
        if let Some(p) = &a.peer_transit_gateway {
            match t.transit_gateways.get(&p.value) {
                None => self.err(
                    p.loc,
                    format!("transit gateway `{}` does not exist", p.value),
                    "declare the peer under the top-level `transit_gateways:`",
                ),
                Some(_) if p.value == gn => self.err(
                    p.loc,
                    "a transit gateway cannot peer with itself",
                    "name another transit gateway",
                ),
                Some(peer) => {
                    if let Some(pa) = &a.peer_association {
                        self.tgw_table_ref(&p.value, peer, pa);
                    } else if !association_default_on(peer) {
                        self.err(
                            p.loc,
                            format!("peering attachment `{}` has no association on transit gateway `{}`", aname.value, p.value),
                            "the peer has default association disabled: write `peer_association: TABLE`",
                        );
                    }
                }
            }
        }
        match &a.association {
            Some(r) if r.value != NO_ASSOCIATION => self.tgw_table_ref(gn, g, r),
            Some(_) => {}
            None if a.peer_transit_gateway.is_some() && !association_default_on(g) => self.err(
                aname.loc,
                format!("peering attachment `{}` has no association", aname.value),
                "AWS requires a peering attachment to be associated: write `association: TABLE`",
            ),
            None => {}
        }
        for r in a.propagations.iter().flatten() {
            self.tgw_table_ref(gn, g, r);
        }
    }

    fn tgw_vpc_attachment(
        &mut self,
        gn: &str,
        region: &str,
        aname: &Sp<String>,
        vpc: &Sp<String>,
        subnets: &[Sp<String>],
    ) {
        let t = self.t;
        let Some(v) = t.vpcs.get(&vpc.value) else {
            self.err(
                vpc.loc,
                format!("VPC `{}` does not exist", vpc.value),
                "name a VPC declared under `vpcs:`",
            );
            return;
        };
        let vregion = vpc_region(t, v);
        if vregion != region {
            self.err(
                vpc.loc,
                format!("VPC `{}` is in {vregion} but transit gateway `{gn}` is in {region}", vpc.value),
                "a transit gateway attaches VPCs of its own region; peer two transit gateways across regions",
            );
        }
        let others = t.transit_gateways.iter().flat_map(|(on, og)| {
            og.attachments
                .iter()
                .filter(move |(an, a)| {
                    on.value == gn
                        && an.value != aname.value
                        && a.vpc.as_ref().is_some_and(|x| x.value == vpc.value)
                })
                .map(|(an, _)| an.value.clone())
        });
        if let Some(other) = others.into_iter().next() {
            self.err(
                vpc.loc,
                format!(
                    "VPC `{}` is already attached to transit gateway `{gn}` by `{other}`",
                    vpc.value
                ),
                "a VPC has one attachment per transit gateway",
            );
        }
        if subnets.is_empty() {
            self.err(
                vpc.loc,
                format!("VPC attachment `{}` has no subnets", aname.value),
                "name one subnet per Availability Zone the attachment serves: subnets: [tgw-a, tgw-b]",
            );
        }
        let mut azs: HashMap<String, &str> = HashMap::new();
        for s in subnets {
            let Some(sub) = v.subnets.get(&s.value) else {
                self.err(
                    s.loc,
                    format!("subnet `{}` does not exist in VPC `{}`", s.value, vpc.value),
                    "an attachment's subnets belong to its VPC",
                );
                continue;
            };
            let az = sub
                .az
                .as_ref()
                .map(|a| a.value.clone())
                .unwrap_or_else(|| format!("{vregion}a"));
            if let Some(other) = azs.get(&az) {
                self.err(
                    s.loc,
                    format!("subnets `{other}` and `{}` are both in {az}", s.value),
                    "an attachment takes one subnet per Availability Zone",
                );
            } else {
                azs.insert(az, &s.value);
            }
        }
    }

    /// A VPC route to `tgw:NAME`/`tgw-…` (`vgw == false`) or `vgw:NAME`/`vgw-…`: the gateway
    /// exists and is attached to the route's VPC.
    pub(super) fn route_to_gateway(&mut self, vname: &str, raw: &str, vgw: bool, loc: Loc) {
        let t = self.t;
        if vgw {
            match t.vpn_gateway_name(raw) {
                None => self.err(
                    loc,
                    format!("virtual private gateway `{raw}` does not exist"),
                    "declare it under the top-level `vpn_gateways:`",
                ),
                Some(n) => {
                    let attached = t.vpn_gateways.get(n).and_then(|g| g.vpc.as_ref());
                    if attached.is_none_or(|a| a.value != vname) {
                        self.err(
                            loc,
                            format!(
                                "virtual private gateway `{n}` is not attached to VPC `{vname}`"
                            ),
                            format!("write `vpc: {vname}` on the gateway"),
                        );
                    }
                }
            }
            return;
        }
        match t.transit_gateway_name(raw) {
            None => self.err(
                loc,
                format!("transit gateway `{raw}` does not exist"),
                "declare it under the top-level `transit_gateways:`",
            ),
            Some(n) => {
                let g = t.transit_gateways.get(n);
                let attached = g.is_some_and(|g| {
                    g.attachments
                        .iter()
                        .any(|(_, a)| a.vpc.as_ref().is_some_and(|v| v.value == vname))
                });
                if !attached {
                    self.err(
                        loc,
                        format!("VPC `{vname}` has no attachment to transit gateway `{n}`"),
                        format!(
                            "add an attachment `{{ vpc: {vname}, subnets: [...] }}` to the gateway"
                        ),
                    );
                }
            }
        }
    }
}

/// True when the implicit `default` table exists: AWS creates it unless both defaults are off,
/// and it is used only when no declared table is named as a default.
pub(super) fn has_implicit_default(g: &TransitGateway) -> bool {
    association_default_on(g)
        || g.default_route_table_propagation
            .as_ref()
            .is_none_or(|b| b.value)
}

/// AWS's `DefaultRouteTableAssociation` (default enabled).
fn association_default_on(g: &TransitGateway) -> bool {
    g.default_route_table_association
        .as_ref()
        .is_none_or(|b| b.value)
}

/// A VPC's region as the file says it (its own, the topology's, or us-east-1).
pub(super) fn vpc_region<'a>(t: &'a spec::Topology, v: &'a spec::Vpc) -> &'a str {
    v.region
        .as_ref()
        .or(t.region.as_ref())
        .map(|r| r.value.as_str())
        .unwrap_or("us-east-1")
}
