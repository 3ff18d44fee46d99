//! Address checks: explicit private IPs of instances and NAT gateways (inside their subnet,
//! not reserved, not taken twice), Elastic IPs (inside the public pool, unique, not an
//! internet host's), and the pool itself against the VPCs.

use super::super::parse;
use super::{Sp, Validator};
use ipnet::Ipv4Net;
use std::collections::HashMap;
use std::net::Ipv4Addr;

/// Why an address is one of a subnet's 5 reserved addresses.
fn reserved_reason(net: Ipv4Net, ip: Ipv4Addr) -> Option<&'static str> {
    let off = u32::from(ip).wrapping_sub(u32::from(net.network()));
    match off {
        0 => Some("the network address"),
        1 => Some("the VPC router (base+1)"),
        2 => Some("reserved for the DNS resolver (base+2)"),
        3 => Some("reserved by AWS (base+3)"),
        _ if ip == net.broadcast() => Some("the broadcast address"),
        _ => None,
    }
}

impl Validator<'_> {
    pub(super) fn addresses(&mut self) {
        let t = self.t;
        let pool: Ipv4Net = t
            .public_ip_pool
            .as_ref()
            .and_then(|p| parse::cidr(&p.value).ok())
            .unwrap_or_else(|| Ipv4Net::new(Ipv4Addr::new(203, 0, 113, 0), 24).unwrap_or_default());
        // The pool must not overlap a VPC (its addresses would be ambiguous).
        for (vname, _) in t.vpcs.iter() {
            for c in self.vpc_cidrs(&vname.value) {
                if c.contains(&pool) || pool.contains(&c) {
                    let loc = t
                        .public_ip_pool
                        .as_ref()
                        .map(|p| p.loc)
                        .unwrap_or(vname.loc);
                    self.err(
                        loc,
                        format!("the public IP pool {pool} overlaps VPC `{}` ({c})", vname.value),
                        "public addresses must lie outside every VPC; change `public_ip_pool` or the VPC's CIDR",
                    );
                }
            }
        }
        let host_ips: HashMap<Ipv4Addr, &str> = t
            .internet
            .iter()
            .flat_map(|i| i.hosts.iter())
            .filter_map(|(n, h)| parse::ipv4(&h.ip.value).ok().map(|a| (a, n.value.as_str())))
            .collect();
        let mut eips: HashMap<Ipv4Addr, String> = HashMap::new();
        for (vname, v) in t.vpcs.iter() {
            let mut private: HashMap<Ipv4Addr, String> = HashMap::new();
            let subnet_net = |name: &str| {
                v.subnets
                    .get(name)
                    .and_then(|s| parse::cidr(&s.cidr.value).ok())
            };
            // NAT gateways first (their ENIs are declared like instances').
            let nat_ips = v
                .nat_gateways
                .iter()
                .map(|(n, g)| (n, &g.subnet, g.ip.as_ref(), "NAT gateway"));
            let inst_ips = v
                .instances
                .iter()
                .map(|(n, i)| (n, &i.subnet, i.ip.as_ref(), "instance"));
            for (name, subnet, ip, kind) in nat_ips.chain(inst_ips) {
                let Some(ip_s) = ip else { continue };
                let Some(a) = self.ip(ip_s, "private IP") else {
                    continue;
                };
                let Some(net) = subnet_net(&subnet.value) else {
                    continue;
                };
                if !net.contains(&a) {
                    self.err(
                        ip_s.loc,
                        format!(
                            "{kind} `{}` address {a} is not inside its subnet `{}` ({net})",
                            name.value, subnet.value
                        ),
                        format!(
                            "pick an address inside {net}, or leave `ip` out for the next free one"
                        ),
                    );
                } else if let Some(why) = reserved_reason(net, a) {
                    self.err(
                        ip_s.loc,
                        format!("{kind} `{}` address {a} is {why} of subnet `{}`", name.value, subnet.value),
                        format!("AWS reserves the first four and the last address of every subnet; use {} to {}", Ipv4Addr::from(u32::from(net.network()).wrapping_add(4)), Ipv4Addr::from(u32::from(net.broadcast()).wrapping_sub(1))),
                    );
                } else if let Some(other) = private.get(&a) {
                    self.err(
                        ip_s.loc,
                        format!(
                            "address {a} is already taken by {other} in VPC `{}`",
                            vname.value
                        ),
                        "each private IP belongs to one interface; pick another or leave `ip` out",
                    );
                } else {
                    private.insert(a, format!("{kind} `{}`", name.value));
                }
            }
            // Elastic IPs.
            let nat_eips = v.nat_gateways.iter().filter_map(|(n, g)| {
                g.elastic_ip
                    .as_ref()
                    .map(|e| (n, Sp::at(e.value.clone(), e.loc), "NAT gateway"))
            });
            let inst_eips = v.instances.iter().filter_map(|(n, i)| {
                i.elastic_ip
                    .as_ref()
                    .map(|e| (n, Sp::at(e.value.as_str().to_string(), e.loc), "instance"))
            });
            let all: Vec<(&Sp<String>, Sp<String>, &str)> = nat_eips.chain(inst_eips).collect();
            for (name, e, kind) in all {
                if kind == "instance" && (e.value == "true" || e.value == "false") {
                    continue;
                }
                let Some(a) = self.ip(&e, "Elastic IP") else {
                    continue;
                };
                if !pool.contains(&a) {
                    self.err(
                        e.loc,
                        format!("Elastic IP {a} of {kind} `{}` is outside the public IP pool {pool}", name.value),
                        "pick an address inside `public_ip_pool` (default 203.0.113.0/24), or write `elastic_ip: true` for the next free one",
                    );
                } else if let Some(h) = host_ips.get(&a) {
                    self.err(
                        e.loc,
                        format!("Elastic IP {a} is the address of internet host `{h}`"),
                        "pick another address from the pool",
                    );
                } else if let Some(other) = eips.get(&a) {
                    self.err(
                        e.loc,
                        format!("Elastic IP {a} is already associated with {other}"),
                        "an Elastic IP can be associated with one resource at a time; pick another or write `true`",
                    );
                } else {
                    eips.insert(a, format!("{kind} `{}`", name.value));
                }
            }
        }
    }
}
