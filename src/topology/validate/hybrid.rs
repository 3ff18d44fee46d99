//! Virtual private gateways, customer gateways, Site-to-Site VPN connections, Direct Connect
//! gateways and virtual interfaces, and on-premises networks: names, references, routing
//! modes, states, prefixes, and on-premises address space (outside every VPC, hosts inside
//! their network, unique) and host names (shared with instances and internet hosts).

use super::{Sp, Validator};
use ipnet::Ipv4Net;
use std::collections::HashMap;
use std::net::Ipv4Addr;

impl Validator<'_> {
    /// Checks all the hybrid objects except transit gateways (`transit.rs`).
    pub(super) fn hybrid(&mut self) {
        self.vpn_gateways();
        self.customer_gateways();
        self.vpn_connections();
        self.direct_connect();
        self.on_premises();
    }

    fn exists(&mut self, found: bool, r: &Sp<String>, what: &str, key: &str) {
        if !found {
            self.err(
                r.loc,
                format!("{what} `{}` does not exist", r.value),
                format!("declare it under the top-level `{key}:`"),
            );
        }
    }

    fn up_down(&mut self, s: Option<&Sp<String>>) {
        if let Some(s) = s {
            if s.value != "up" && s.value != "down" {
                self.err(
                    s.loc,
                    format!("`{}` is not a connection state", s.value),
                    "write `up` (default) or `down`",
                );
            }
        }
    }

    fn prefixes(&mut self, ps: &[Sp<String>], what: &str) {
        for p in ps {
            self.cidr(p, what, false);
        }
    }

    fn vpn_gateways(&mut self) {
        let t = self.t;
        let mut per_vpc: HashMap<&str, &str> = HashMap::new();
        for (n, g) in t.vpn_gateways.iter() {
            self.name("virtual private gateway", n);
            if let Some(v) = &g.vpc {
                self.exists(t.vpcs.contains(&v.value), v, "VPC", "vpcs");
                if let Some(other) = per_vpc.insert(&v.value, &n.value) {
                    self.err(
                        v.loc,
                        format!(
                            "VPC `{}` already has virtual private gateway `{other}`",
                            v.value
                        ),
                        "AWS attaches one virtual private gateway per VPC",
                    );
                }
            }
            if let Some(d) = &g.direct_connect_gateway {
                let found = t.direct_connect_gateways.contains(&d.value);
                self.exists(
                    found,
                    d,
                    "Direct Connect gateway",
                    "direct_connect_gateways",
                );
            } else if let Some(p) = g.allowed_prefixes.as_ref().and_then(|p| p.first()) {
                self.err(
                    p.loc,
                    "`allowed_prefixes` without `direct_connect_gateway`",
                    "allowed prefixes belong to a Direct Connect gateway association",
                );
            }
            self.prefixes(
                g.allowed_prefixes.as_deref().unwrap_or(&[]),
                "allowed prefix",
            );
        }
    }

    fn customer_gateways(&mut self) {
        let t = self.t;
        for (n, g) in t.customer_gateways.iter() {
            self.name("customer gateway", n);
            let found = t.on_premises.contains(&g.on_premises.value);
            self.exists(found, &g.on_premises, "on-premises network", "on_premises");
            if let Some(ip) = &g.ip {
                self.ip(ip, "customer gateway address");
            }
        }
    }

    fn vpn_connections(&mut self) {
        let t = self.t;
        for (n, c) in t.vpn_connections.iter() {
            self.name("VPN connection", n);
            let cg = &c.customer_gateway;
            let found = t.customer_gateways.contains(&cg.value);
            self.exists(found, cg, "customer gateway", "customer_gateways");
            let on_tgw = t
                .transit_gateways
                .iter()
                .flat_map(|(_, g)| g.attachments.iter())
                .filter(|(_, a)| {
                    a.vpn_connection
                        .as_ref()
                        .is_some_and(|v| v.value == n.value)
                })
                .count();
            match &c.vpn_gateway {
                Some(g) => {
                    self.exists(t.vpn_gateways.contains(&g.value), g, "virtual private gateway", "vpn_gateways")
                }
                None if on_tgw == 0 => self.err(
                    n.loc,
                    format!("VPN connection `{}` terminates nowhere", n.value),
                    "write `vpn_gateway: NAME`, or attach it to a transit gateway (an attachment with `vpn_connection:`)",
                ),
                None if on_tgw > 1 => self.err(
                    n.loc,
                    format!("VPN connection `{}` is attached {on_tgw} times", n.value),
                    "a VPN connection has one transit gateway attachment",
                ),
                None => {}
            }
            let stat = match c.routing.as_ref().map(|r| r.value.as_str()) {
                None | Some("dynamic") => false,
                Some("static") => true,
                Some(other) => {
                    let loc = c.routing.as_ref().map(|r| r.loc).unwrap_or(n.loc);
                    self.err(
                        loc,
                        format!("`{other}` is not a VPN routing mode"),
                        "write `dynamic` (BGP, default) or `static`",
                    );
                    continue;
                }
            };
            if !stat {
                if let Some(r) = c.static_routes.first() {
                    self.err(
                        r.loc,
                        "`static_routes` on a VPN connection with dynamic routing",
                        "write `routing: static`, or use `advertised_prefixes` for what BGP announces",
                    );
                }
            } else if let Some(p) = c.advertised_prefixes.as_ref().and_then(|p| p.first()) {
                self.err(
                    p.loc,
                    "`advertised_prefixes` on a VPN connection with static routing",
                    "static routing takes `static_routes`; BGP advertisements need `routing: dynamic`",
                );
            }
            self.prefixes(&c.static_routes, "VPN static route");
            self.prefixes(
                c.advertised_prefixes.as_deref().unwrap_or(&[]),
                "advertised prefix",
            );
            self.up_down(c.state.as_ref());
        }
    }

    fn direct_connect(&mut self) {
        let t = self.t;
        for (n, _) in t.direct_connect_gateways.iter() {
            self.name("Direct Connect gateway", n);
            let on_vgw = t.vpn_gateways.iter().any(|(_, g)| {
                g.direct_connect_gateway
                    .as_ref()
                    .is_some_and(|d| d.value == n.value)
            });
            let on_tgw = t
                .transit_gateways
                .iter()
                .flat_map(|(_, g)| g.attachments.iter())
                .any(|(_, a)| {
                    a.direct_connect_gateway
                        .as_ref()
                        .is_some_and(|d| d.value == n.value)
                });
            if on_vgw && on_tgw {
                self.err(
                    n.loc,
                    format!("Direct Connect gateway `{}` is associated with both virtual private gateways and transit gateways", n.value),
                    "AWS associates a Direct Connect gateway with VGWs (private virtual interfaces) or with transit gateways (transit virtual interfaces); use two gateways",
                );
            }
        }
        for (n, vif) in t.virtual_interfaces.iter() {
            self.name("virtual interface", n);
            let transit = match vif.vif_type.value.as_str() {
                "private" => false,
                "transit" => true,
                other => {
                    self.err(
                        vif.vif_type.loc,
                        format!("`{other}` is not a virtual interface type vpclab models"),
                        "write `private` (to a VGW or a DX gateway of VGWs) or `transit` (to a DX gateway of transit gateways)",
                    );
                    continue;
                }
            };
            let op = &vif.on_premises;
            self.exists(
                t.on_premises.contains(&op.value),
                op,
                "on-premises network",
                "on_premises",
            );
            match (&vif.direct_connect_gateway, &vif.vpn_gateway) {
                (Some(d), None) => {
                    let found = t.direct_connect_gateways.contains(&d.value);
                    self.exists(found, d, "Direct Connect gateway", "direct_connect_gateways");
                    let on_tgw = t
                        .transit_gateways
                        .iter()
                        .flat_map(|(_, g)| g.attachments.iter())
                        .any(|(_, a)| a.direct_connect_gateway.as_ref().is_some_and(|x| x.value == d.value));
                    let on_vgw = t
                        .vpn_gateways
                        .iter()
                        .any(|(_, g)| g.direct_connect_gateway.as_ref().is_some_and(|x| x.value == d.value));
                    if found && transit && on_vgw || found && !transit && on_tgw {
                        self.err(
                            d.loc,
                            format!("a {} virtual interface cannot use Direct Connect gateway `{}`, which is associated with {}", vif.vif_type.value, d.value, if transit { "virtual private gateways" } else { "transit gateways" }),
                            "transit virtual interfaces reach transit gateways, private ones reach VGWs",
                        );
                    }
                }
                (None, Some(g)) if !transit => {
                    self.exists(t.vpn_gateways.contains(&g.value), g, "virtual private gateway", "vpn_gateways")
                }
                (None, Some(g)) => self.err(
                    g.loc,
                    "a transit virtual interface ends on a Direct Connect gateway, not a VGW",
                    "write `direct_connect_gateway: NAME`",
                ),
                _ => self.err(
                    n.loc,
                    format!("virtual interface `{}` must name one of `direct_connect_gateway` and `vpn_gateway`", n.value),
                    "a private virtual interface ends on a VGW or a Direct Connect gateway; a transit one on a Direct Connect gateway",
                ),
            }
            self.prefixes(
                vif.advertised_prefixes.as_deref().unwrap_or(&[]),
                "advertised prefix",
            );
            self.up_down(vif.state.as_ref());
            if let Some(v) = &vif.vlan {
                if !(1..=4094).contains(&v.value) {
                    self.err(
                        v.loc,
                        format!("VLAN {} is outside 1..4094", v.value),
                        "write an 802.1Q VLAN id",
                    );
                }
            }
        }
    }

    fn on_premises(&mut self) {
        let t = self.t;
        let vpcs: Vec<(String, Ipv4Net)> = t
            .vpcs
            .iter()
            .flat_map(|(n, _)| {
                self.vpc_cidrs(&n.value)
                    .into_iter()
                    .map(move |c| (n.value.clone(), c))
            })
            .collect();
        let mut nets: Vec<(Ipv4Net, String)> = vec![];
        let mut ips: HashMap<Ipv4Addr, String> = HashMap::new();
        let mut names: HashMap<String, ()> = HashMap::new();
        for (_, v) in t.vpcs.iter() {
            for (i, _) in v.instances.iter() {
                names.insert(i.value.clone(), ());
            }
        }
        for (h, _) in t.internet.iter().flat_map(|i| i.hosts.iter()) {
            names.insert(h.value.clone(), ());
        }
        for (n, op) in t.on_premises.iter() {
            self.name("on-premises network", n);
            if op.cidrs.is_empty() {
                self.err(
                    n.loc,
                    format!("on-premises network `{}` has no CIDRs", n.value),
                    "write cidrs: [172.16.0.0/16]",
                );
            }
            let mut mine = vec![];
            for c in &op.cidrs {
                let Some(net) = self.cidr(c, "on-premises", false) else {
                    continue;
                };
                if let Some((v, vc)) = vpcs
                    .iter()
                    .find(|(_, vc)| vc.contains(&net) || net.contains(vc))
                {
                    self.err(
                        c.loc,
                        format!("on-premises CIDR {net} overlaps VPC `{v}` ({vc})"),
                        "AWS routes overlapping prefixes to the VPC (the local route wins); give the network its own block",
                    );
                    continue;
                }
                if let Some((o, on)) = nets
                    .iter()
                    .find(|(o, _)| o.contains(&net) || net.contains(o))
                {
                    self.err(
                        c.loc,
                        format!("on-premises CIDR {net} overlaps {o} of `{on}`"),
                        "on-premises networks must not overlap each other",
                    );
                    continue;
                }
                nets.push((net, n.value.clone()));
                mine.push(net);
            }
            for (hn, h) in op.hosts.iter() {
                self.name("on-premises host", hn);
                if names.insert(hn.value.clone(), ()).is_some() {
                    self.err(
                        hn.loc,
                        format!("host name `{}` is already an instance or another host", hn.value),
                        "instances, internet hosts and on-premises hosts share one namespace (commands name them alone); rename one",
                    );
                }
                self.services(&h.services);
                self.ephemeral(h.ephemeral_ports.as_ref());
                let Some(ip) = self.ip(&h.ip, "on-premises host address") else {
                    continue;
                };
                if !mine.is_empty() && !mine.iter().any(|c| c.contains(&ip)) {
                    self.err(
                        h.ip.loc,
                        format!(
                            "on-premises host `{}` address {ip} is outside network `{}`",
                            hn.value, n.value
                        ),
                        format!(
                            "pick an address inside {}",
                            mine.iter()
                                .map(|c| c.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                } else if mine
                    .iter()
                    .any(|c| ip == c.network() || ip == c.broadcast())
                {
                    self.err(
                        h.ip.loc,
                        format!("{ip} is the network or broadcast address of its CIDR"),
                        "pick a host address",
                    );
                } else if let Some(other) = ips.insert(ip, hn.value.clone()) {
                    self.err(
                        h.ip.loc,
                        format!("address {ip} is already used by on-premises host `{other}`"),
                        "give each host its own address",
                    );
                }
            }
        }
    }
}
