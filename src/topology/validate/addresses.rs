//! Address checks: explicit private IPs of instances and NAT gateways (inside their subnet,
//! not reserved, not taken twice), Elastic IPs (inside the public pool, unique, not an
//! internet host's), and the pool itself against the VPCs.

use super::super::{parse, spec};
use super::{Loc, Sp, Validator};
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
        let written: Vec<(Ipv4Net, Option<Loc>)> = t
            .pools()
            .iter()
            .filter_map(|p| parse::cidr(&p.value).ok().map(|c| (c, Some(p.loc))))
            .collect();
        let pools: Vec<(Ipv4Net, Option<Loc>)> = if written.is_empty() {
            let default = Ipv4Net::new(Ipv4Addr::new(203, 0, 113, 0), 24).unwrap_or_default();
            vec![(default, None)]
        } else {
            written
        };
        let in_pool = |a: Ipv4Addr| pools.iter().any(|(p, _)| p.contains(&a));
        let pool_text = pools
            .iter()
            .map(|(p, _)| p.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        // A pool must not overlap a VPC (its addresses would be ambiguous).
        for (vname, _) in t.vpcs.iter() {
            for c in self.vpc_cidrs(&vname.value) {
                for (pool, at) in &pools {
                    let pool = *pool;
                    if !(c.contains(&pool) || pool.contains(&c)) {
                        continue;
                    }
                    let loc = at.unwrap_or(vname.loc);
                    self.err(
                        loc,
                        format!("the public IP pool {pool} overlaps VPC `{}` ({c})", vname.value),
                        "public addresses must lie outside every VPC; change `public_ip_pool` or the VPC's CIDR",
                    );
                }
            }
        }
        let vpc_nets: Vec<(Ipv4Net, &str)> = t
            .vpcs
            .iter()
            .flat_map(|(n, _)| {
                self.vpc_cidrs(&n.value)
                    .into_iter()
                    .map(move |c| (c, n.value.as_str()))
            })
            .collect();
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
            let secondary_ips = v.instances.iter().flat_map(|(n, i)| {
                i.secondary_ips
                    .iter()
                    .map(move |s| (n, &i.subnet, Some(s), "secondary IP of instance"))
            });
            let interface_ips = v.instances.iter().flat_map(|(n, i)| {
                i.network_interfaces.iter().flat_map(move |ni| {
                    ni.ip
                        .iter()
                        .chain(&ni.secondary_ips)
                        .map(move |s| (n, &ni.subnet, Some(s), "interface of instance"))
                })
            });
            for (name, subnet, ip, kind) in nat_ips
                .chain(inst_ips)
                .chain(secondary_ips)
                .chain(interface_ips)
            {
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
            // Fixed public IPs (`public_ip: A.B.C.D`): public, outside every VPC, unique, not
            // an internet host's; the pool does not matter (an import keeps the real one).
            let fixed = v.instances.iter().flat_map(|(n, i)| {
                let interfaces = i
                    .network_interfaces
                    .iter()
                    .filter_map(move |ni| ni.public_ip.as_ref().map(|p| (n, p, false)));
                let with_eip = i
                    .elastic_ip
                    .as_ref()
                    .is_some_and(|x| x.value.as_str() != "false");
                i.public_ip
                    .as_ref()
                    .map(|p| (n, p, with_eip))
                    .into_iter()
                    .chain(interfaces)
            });
            for (name, p, with_eip) in fixed.collect::<Vec<_>>() {
                let spec::PublicIp::Fixed(s) = &p.value else {
                    continue;
                };
                let e = Sp::at(s.clone(), p.loc);
                if with_eip {
                    self.err(
                        p.loc,
                        format!(
                            "instance `{}` has both a fixed `public_ip` and an `elastic_ip`",
                            name.value
                        ),
                        "an interface has one public address: keep one of the two keys",
                    );
                    continue;
                }
                let Some(a) = self.ip(&e, "public IP") else {
                    continue;
                };
                if let Some((net, why)) = super::checks::non_internet_range(a) {
                    self.err(
                        p.loc,
                        format!("public IP {a} of instance `{}` is not a public address ({net} is {why})", name.value),
                        "write a public address, or `public_ip: true` for one from the pool",
                    );
                } else if let Some((c, vn)) = vpc_nets.iter().find(|(c, _)| c.contains(&a)) {
                    self.err(
                        p.loc,
                        format!(
                            "public IP {a} of instance `{}` is inside VPC `{vn}` ({c})",
                            name.value
                        ),
                        "public addresses must lie outside every VPC",
                    );
                } else if let Some(h) = host_ips.get(&a) {
                    self.err(
                        p.loc,
                        format!("public IP {a} is the address of internet host `{h}`"),
                        "pick another address",
                    );
                } else if let Some(other) = eips.get(&a) {
                    self.err(
                        p.loc,
                        format!("public IP {a} is already associated with {other}"),
                        "a public address belongs to one interface; pick another or write `true`",
                    );
                } else {
                    eips.insert(a, format!("instance `{}`", name.value));
                }
            }
            for (name, e, kind) in all {
                if kind == "instance" && (e.value == "true" || e.value == "false") {
                    continue;
                }
                let Some(a) = self.ip(&e, "Elastic IP") else {
                    continue;
                };
                if !in_pool(a) {
                    self.err(
                        e.loc,
                        format!("Elastic IP {a} of {kind} `{}` is outside the public IP pool {pool_text}", name.value),
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
