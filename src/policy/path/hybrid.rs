//! Virtual private gateways and on-premises networks: a VPC route to a VGW (it forwards only to
//! prefixes learned from an up connection, Direct Connect before static VPN before BGP VPN),
//! delivery into an on-premises network, and packets sent from one (its router picks the
//! connection whose AWS side advertises the longest prefix, Direct Connect before VPN, the
//! first up connection as its default route); a VGW delivers only into its own VPC (it is not
//! a transit router).

use super::builtin::reject;
use super::routing::Routed;
use super::walker::{Step, Walker};
use super::{Delivery, Outcome};
use crate::model::transit::{
    AttachmentKind, Hybrid, OnPremIdx, VgwIdx, VifTermination, VpnTermination,
};
use crate::policy::{ComponentKind, ExplanationCode, Header, TrafficPath};
use ipnet::Ipv4Net;

/// One way out of a VGW or into AWS from on-premises, with what decides between them.
#[derive(Clone, Copy, Debug)]
struct Path {
    /// The connection: a virtual interface (Direct Connect) or a VPN connection.
    link: Link,
    /// The longest prefix of the link that holds the destination (0 for a default route).
    prefix_len: u8,
    /// Lower wins for one prefix length: 0 Direct Connect, 1 static VPN, 2 BGP VPN.
    rank: u8,
    /// The connection is up.
    up: bool,
}

/// A hybrid connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    /// `Hybrid::vifs[i]`.
    Vif(usize),
    /// `Hybrid::vpns[i]`.
    Vpn(usize),
}

/// The longest prefix of `list` that holds `dst`.
fn best_len(list: &[Ipv4Net], dst: std::net::Ipv4Addr) -> Option<u8> {
    list.iter()
        .filter(|c| c.contains(&dst))
        .map(|c| c.prefix_len())
        .max()
}

/// The best path: up first, then longest prefix, then rank.
fn choose(mut paths: Vec<Path>) -> Option<Path> {
    paths.sort_by_key(|p| (!p.up, std::cmp::Reverse(p.prefix_len), p.rank));
    paths.into_iter().next()
}

impl Walker<'_> {
    /// The route `at` follows sends the packet to VGW `g`, towards on-premises.
    pub(super) fn route_vgw(&mut self, at: Routed, g: VgwIdx) -> Step<Outcome> {
        let net = self.net;
        let hy = &net.hybrid;
        let vgw = &hy.vgws[g];
        let s = net.subnet(at.sub);
        self.take_route(&at, TrafficPath::VirtualPrivateGateway, &vgw.aws_id);
        if vgw.vpc != Some(s.vpc) {
            let why = format!(
                "{} is not attached to {}",
                vgw.aws_id,
                net.vpc(s.vpc).aws_id
            );
            return Err(self.blackhole(&at, why));
        }
        let h = at.h;
        let dx = vgw.dx_gateway.as_ref().map(|(d, _)| *d);
        let mut paths = vec![];
        for (i, v) in hy.vifs.iter().enumerate() {
            let here = !v.transit
                && (v.termination == VifTermination::Vgw(g)
                    || dx.is_some_and(|d| v.termination == VifTermination::DxGateway(d)));
            if let Some(len) = best_len(&v.prefixes, h.dst).filter(|_| here) {
                paths.push(Path {
                    link: Link::Vif(i),
                    prefix_len: len,
                    rank: 0,
                    up: v.up,
                });
            }
        }
        for (i, c) in hy.vpns.iter().enumerate() {
            if c.termination != VpnTermination::Vgw(g) {
                continue;
            }
            if let Some(len) = best_len(&c.prefixes, h.dst) {
                let rank = if c.static_routing { 1 } else { 2 };
                paths.push(Path {
                    link: Link::Vpn(i),
                    prefix_len: len,
                    rank,
                    up: c.up,
                });
            }
        }
        match choose(paths) {
            None => Err(self.stop(reject(
                vgw.aws_id.clone(),
                ComponentKind::VpnGateway,
                ExplanationCode::NoRouteToDestination,
                format!(
                    "{} learned no route to {} from its VPN connections or virtual interfaces",
                    vgw.aws_id, h.dst
                ),
            ))),
            Some(p) if !p.up => Err(self.stop(self.link_down(p.link, &vgw.aws_id))),
            Some(p) => {
                self.hop(
                    &vgw.aws_id,
                    ComponentKind::VpnGateway,
                    format!("{} → {}", vgw.aws_id, link_id(hy, p.link)),
                    None,
                );
                let (kind, what) = match p.link {
                    Link::Vif(_) => (ComponentKind::DirectConnectGateway, "Direct Connect"),
                    Link::Vpn(i) => (
                        ComponentKind::VpnConnection,
                        if hy.vpns[i].static_routing {
                            "VPN, static route"
                        } else {
                            "VPN, BGP"
                        },
                    ),
                };
                let id = link_id(hy, p.link);
                self.hop(id, kind, format!("{id} ({what}) to on-premises"), None);
                let op = link_on_premises(hy, p.link);
                self.to_on_premises(op, link_id(hy, p.link), h)
            }
        }
    }

    /// The decision that a chosen connection is down.
    fn link_down(&self, link: Link, at: &str) -> crate::policy::Decision {
        let hy = &self.net.hybrid;
        match link {
            Link::Vpn(i) => reject(
                hy.vpns[i].aws_id.clone(),
                ComponentKind::VpnConnection,
                ExplanationCode::BadStateVpn,
                format!("{} (on {at}) is down", hy.vpns[i].aws_id),
            ),
            Link::Vif(i) => reject(
                hy.vifs[i].aws_id.clone(),
                ComponentKind::DirectConnectGateway,
                ExplanationCode::DxVirtualInterfaceDown,
                format!("{} (to {at}) is down", hy.vifs[i].aws_id),
            ),
        }
    }

    /// Delivers into on-premises network `op`, reached over connection `via`: to the host at
    /// `h.dst`, or out of the modelled network when no host has that address.
    pub(super) fn to_on_premises(&mut self, op: OnPremIdx, via: &str, h: Header) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        let o = &net.hybrid.on_premises[op];
        let host = net
            .internet_host_by_ip(h.dst)
            .filter(|x| o.hosts.contains(x));
        match host {
            Some(x) => {
                self.hop(
                    &o.name,
                    ComponentKind::OnPremises,
                    format!(
                        "delivered to on-premises host {} ({})",
                        net.internet_host(x).name,
                        h.dst
                    ),
                    None,
                );
                Ok(Outcome::Delivered {
                    to: Delivery::Internet(x),
                    header: h,
                })
            }
            None => {
                self.hop(
                    &o.name,
                    ComponentKind::OnPremises,
                    format!(
                        "leaves over {via} into {} towards {} (no modelled host has that address)",
                        o.name, h.dst
                    ),
                    None,
                );
                Ok(Outcome::Exited {
                    gateway: via.to_string(),
                    header: h,
                })
            }
        }
    }

    /// A packet sent by a host of on-premises network `op`.
    pub(super) fn from_on_premises(&mut self, op: OnPremIdx, h: Header) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        let hy = &net.hybrid;
        let o = &hy.on_premises[op];
        if o.cidrs.iter().any(|c| c.contains(&h.dst)) {
            return self.to_on_premises(op, &o.name, h);
        }
        let paths = on_premises_paths(hy, net, op, h.dst);
        let Some(p) = choose(paths).filter(|p| p.up) else {
            return Err(self.stop(reject(
                o.name.clone(),
                ComponentKind::OnPremises,
                ExplanationCode::NoRouteToDestination,
                format!(
                    "{} has no up VPN connection or virtual interface towards {}",
                    o.name, h.dst
                ),
            )));
        };
        self.hop(
            &o.name,
            ComponentKind::OnPremises,
            format!("{} sends {} over {}", o.name, h.dst, link_id(hy, p.link)),
            None,
        );
        match p.link {
            Link::Vpn(i) => match hy.vpns[i].termination {
                VpnTermination::Vgw(g) => self.vgw_ingress(g, h),
                VpnTermination::Tgw(a) => {
                    let att = &hy.attachments[a];
                    self.hop(
                        &att.aws_id,
                        ComponentKind::TransitGatewayAttachment,
                        format!("enters {} through {}", hy.tgws[att.tgw].aws_id, att.aws_id),
                        None,
                    );
                    self.tgw_forward(att.tgw, a, None, h)
                }
            },
            Link::Vif(i) => {
                let v = &hy.vifs[i];
                match v.termination {
                    VifTermination::Vgw(g) => self.vgw_ingress(g, h),
                    VifTermination::DxGateway(d) if v.transit => {
                        let Some(a) = dx_attachment(hy, d, h.dst) else {
                            return Err(self.stop(reject(
                                hy.dx_gateways[d].aws_id.clone(),
                                ComponentKind::DirectConnectGateway,
                                ExplanationCode::NoRouteToDestination,
                                format!(
                                    "no transit gateway association of {} allows {}",
                                    hy.dx_gateways[d].aws_id, h.dst
                                ),
                            )));
                        };
                        let att = &hy.attachments[a];
                        self.hop(
                            &hy.dx_gateways[d].aws_id,
                            ComponentKind::DirectConnectGateway,
                            format!(
                                "{} → {} → {}",
                                v.aws_id, hy.dx_gateways[d].aws_id, att.aws_id
                            ),
                            None,
                        );
                        self.tgw_forward(att.tgw, a, None, h)
                    }
                    VifTermination::DxGateway(d) => {
                        let g = hy.vgws.iter().position(|g| {
                            g.dx_gateway.as_ref().is_some_and(|(x, allowed)| {
                                *x == d && best_len(allowed, h.dst).is_some()
                            })
                        });
                        let Some(g) = g else {
                            return Err(self.stop(reject(
                                hy.dx_gateways[d].aws_id.clone(),
                                ComponentKind::DirectConnectGateway,
                                ExplanationCode::NoRouteToDestination,
                                format!(
                                    "no VGW association of {} allows {}",
                                    hy.dx_gateways[d].aws_id, h.dst
                                ),
                            )));
                        };
                        self.vgw_ingress(g, h)
                    }
                }
            }
        }
    }

    /// VGW `g` takes a packet from on-premises into its VPC: only to the VPC's own addresses.
    fn vgw_ingress(&mut self, g: VgwIdx, h: Header) -> Step<Outcome> {
        let net = self.net;
        let vgw = &net.hybrid.vgws[g];
        let vpc = vgw.vpc.filter(|v| net.vpc(*v).contains(h.dst));
        let Some(vpc) = vpc else {
            return Err(self.stop(reject(
                vgw.aws_id.clone(),
                ComponentKind::VpnGateway,
                ExplanationCode::NoRouteToDestination,
                format!(
                    "{} is not in the VPC of {}: a VGW is not a transit router (no peering, no other VPC)",
                    h.dst, vgw.aws_id
                ),
            )));
        };
        self.hop(
            &vgw.aws_id,
            ComponentKind::VpnGateway,
            format!("{} → {}", vgw.aws_id, net.vpc(vpc).aws_id),
            None,
        );
        self.arrive_in_vpc(vpc, h, None)
    }
}

/// The paths on-premises network `op` has towards `dst`: each up or down VPN connection and
/// virtual interface, with the longest prefix its AWS side advertises that holds `dst` (0 when
/// none does: the on-premises default route).
fn on_premises_paths(
    hy: &Hybrid,
    net: &crate::model::Network,
    op: OnPremIdx,
    dst: std::net::Ipv4Addr,
) -> Vec<Path> {
    let vpc_cidrs = |g: VgwIdx| -> Vec<Ipv4Net> {
        hy.vgws[g]
            .vpc
            .map(|v| net.vpc(v).cidrs.clone())
            .unwrap_or_default()
    };
    let mut out = vec![];
    for (i, c) in hy
        .vpns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.on_premises == op)
    {
        let advertised: Vec<Ipv4Net> = match c.termination {
            VpnTermination::Vgw(g) => vpc_cidrs(g),
            VpnTermination::Tgw(a) => hy.attachments[a]
                .association
                .map(|rt| {
                    hy.tgw_route_tables[rt]
                        .routes
                        .iter()
                        .filter(|r| r.attachment.is_some())
                        .map(|r| r.destination)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let len = best_len(&advertised, dst).unwrap_or(0);
        out.push(Path {
            link: Link::Vpn(i),
            prefix_len: len,
            rank: 1,
            up: c.up,
        });
    }
    for (i, v) in hy
        .vifs
        .iter()
        .enumerate()
        .filter(|(_, v)| v.on_premises == op)
    {
        let advertised: Vec<Ipv4Net> = match v.termination {
            VifTermination::Vgw(g) => vpc_cidrs(g),
            VifTermination::DxGateway(d) if v.transit => hy
                .attachments
                .iter()
                .filter_map(|a| match &a.kind {
                    AttachmentKind::DxGateway {
                        dxgw,
                        allowed_prefixes,
                    } if *dxgw == d => Some(allowed_prefixes.clone()),
                    _ => None,
                })
                .flatten()
                .collect(),
            VifTermination::DxGateway(d) => hy
                .vgws
                .iter()
                .filter_map(|g| {
                    g.dx_gateway
                        .as_ref()
                        .filter(|(x, _)| *x == d)
                        .map(|(_, p)| p.clone())
                })
                .flatten()
                .collect(),
        };
        let len = best_len(&advertised, dst).unwrap_or(0);
        out.push(Path {
            link: Link::Vif(i),
            prefix_len: len,
            rank: 0,
            up: v.up,
        });
    }
    out
}

/// The transit gateway attachment of Direct Connect gateway `d` whose allowed prefixes hold
/// `dst` (the longest).
fn dx_attachment(hy: &Hybrid, d: usize, dst: std::net::Ipv4Addr) -> Option<usize> {
    hy.attachments
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match &a.kind {
            AttachmentKind::DxGateway {
                dxgw,
                allowed_prefixes,
            } if *dxgw == d => best_len(allowed_prefixes, dst).map(|l| (l, i)),
            _ => None,
        })
        .max_by_key(|(l, _)| *l)
        .map(|(_, i)| i)
}

/// The display id of a connection.
fn link_id(hy: &Hybrid, l: Link) -> &str {
    match l {
        Link::Vif(i) => &hy.vifs[i].aws_id,
        Link::Vpn(i) => &hy.vpns[i].aws_id,
    }
}

/// The on-premises network at the far end of a connection.
fn link_on_premises(hy: &Hybrid, l: Link) -> OnPremIdx {
    match l {
        Link::Vif(i) => hy.vifs[i].on_premises,
        Link::Vpn(i) => hy.vpns[i].on_premises,
    }
}
