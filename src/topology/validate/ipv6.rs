//! Checks of the IPv6 keys (`docs/topology.md`, "IPv6"): VPC and subnet blocks, IPv6-only and
//! DNS64 subnets, instances' IPv6 addresses, egress-only internet gateways, IPv6 routes and
//! their targets, IPv6 CIDRs in NACL entries and SG rules, internet hosts' IPv6 addresses.

use super::super::ipv6::{self as v6, EgressOnlyInternetGateway};
use super::super::parse::{self, TargetRef};
use super::super::{spec, NamedMap};
use super::{Sp, Validator};
use ipnet::Ipv6Net;
use std::collections::HashMap;
use std::net::Ipv6Addr;

impl Validator<'_> {
    /// Every IPv6 key outside routes and rules, over the whole topology.
    pub(super) fn ipv6(&mut self) {
        let t = self.t;
        let blocks = v6::vpc_blocks(t);
        let mut seen: Vec<(Ipv6Net, &str)> = vec![];
        let mut addrs: HashMap<Ipv6Addr, String> = HashMap::new();
        for ((vname, v), block) in t.vpcs.iter().zip(&blocks) {
            if let Some(c) = &v.ipv6_cidr {
                self.vpc_block(vname, c, *block, &seen);
                if let Some(b) = block {
                    seen.push((*b, &vname.value));
                }
            }
            self.eigws(vname, v, block.is_some());
            let mut subnets: HashMap<&str, Ipv6Net> = HashMap::new();
            for (sname, s) in v.subnets.iter() {
                if let Some(net) = self.subnet_block(vname, sname, s, *block, &subnets) {
                    subnets.insert(&sname.value, net);
                }
                let needs = [("ipv6_only", &s.ipv6_only), ("dns64", &s.dns64)];
                for (key, flag) in needs {
                    if let Some(f) = flag.as_ref().filter(|f| f.value) {
                        if s.ipv6_cidr.is_none() {
                            self.err(
                                f.loc,
                                format!("subnet `{}` has `{key}: true` but no `ipv6_cidr`", sname.value),
                                "give the subnet an IPv6 block (`ipv6_cidr: 0` for the VPC block's first /64)",
                            );
                        }
                    }
                }
            }
            for (iname, i) in v.instances.iter() {
                let net = subnets.get(i.subnet.value.as_str()).copied();
                self.instance6(iname, i, net, &mut addrs);
            }
        }
        if let Some(inet) = &t.internet {
            for (hname, h) in inet.hosts.iter() {
                let Some(a) = &h.ipv6 else { continue };
                match v6::ipv6(&a.value) {
                    Err(e) => self.err(a.loc, e, "write an IPv6 address such as 2001:db8::10"),
                    Ok(ip) if !v6::is_internet6(ip) => self.err(
                        a.loc,
                        format!("{ip} is not an internet IPv6 address"),
                        "an internet host needs a global unicast address (2000::/3) outside the emulated Amazon pool 2600:1f18:4000::/40, e.g. 2001:db8::10",
                    ),
                    Ok(ip) => {
                        if let Some((_, vn)) = seen.iter().find(|(b, _)| b.contains(&ip)) {
                            self.err(
                                a.loc,
                                format!("{ip} is inside the IPv6 block of VPC `{vn}`"),
                                "internet hosts live outside every VPC; pick another address",
                            );
                        } else if let Some(o) = addrs.insert(ip, hname.value.clone()) {
                            self.err(
                                a.loc,
                                format!("{ip} is already used by `{o}`"),
                                "IPv6 addresses are unique; pick another",
                            );
                        }
                    }
                }
            }
        }
    }

    fn vpc_block(
        &mut self,
        vname: &Sp<String>,
        c: &Sp<String>,
        block: Option<Ipv6Net>,
        seen: &[(Ipv6Net, &str)],
    ) {
        if c.value.trim() == v6::AMAZON {
            if block.is_none() {
                self.err(
                    c.loc,
                    "the emulated Amazon IPv6 pool has no free /56 left",
                    "write some VPCs' blocks yourself",
                );
            }
            return;
        }
        let net = match v6::cidr6(&c.value) {
            Ok(n) => n,
            Err(e) => {
                return self.err(
                    c.loc,
                    format!("invalid VPC IPv6 CIDR: {e}"),
                    "write `amazon` for an Amazon-provided /56, or a block such as 2600:1f18:4000:100::/56",
                )
            }
        };
        let len = net.prefix_len();
        if !(44..=60).contains(&len) || len % 4 != 0 {
            self.err(
                c.loc,
                format!("VPC IPv6 CIDR {net} is a /{len}; AWS takes /44 to /60 in steps of 4 (Amazon-provided blocks are /56)"),
                "write a /56 (or `amazon`)",
            );
        } else if net.addr().is_loopback()
            || net.addr().is_multicast()
            || (net.addr().segments()[0] & 0xffc0) == 0xfe80
            || net.contains(&v6::nat64_prefix().network())
            || v6::nat64_prefix().contains(&net.network())
        {
            self.err(
                c.loc,
                format!(
                    "{net} cannot be a VPC block (loopback, link-local, multicast or NAT64 space)"
                ),
                "use a global unicast block, or `amazon`",
            );
        } else if let Some((o, on)) = seen
            .iter()
            .find(|(o, _)| o.contains(&net) || net.contains(o))
        {
            self.err(
                c.loc,
                format!(
                    "VPC `{}` IPv6 block {net} overlaps VPC `{on}` ({o})",
                    vname.value
                ),
                "IPv6 blocks are unique across VPCs; pick another, or `amazon`",
            );
        }
    }

    fn eigws(&mut self, vname: &Sp<String>, v: &spec::Vpc, has_block: bool) {
        let gws: &NamedMap<EgressOnlyInternetGateway> = &v.egress_only_internet_gateways;
        for (i, (gname, _)) in gws.iter().enumerate() {
            self.name("egress-only internet gateway", gname);
            if i == 1 {
                self.err(
                    gname.loc,
                    format!(
                        "VPC `{}` has a second egress-only internet gateway",
                        vname.value
                    ),
                    "AWS attaches one egress-only internet gateway per VPC; keep one",
                );
            }
            if !has_block {
                self.err(
                    gname.loc,
                    format!(
                        "egress-only internet gateway `{}` in VPC `{}`, which has no `ipv6_cidr`",
                        gname.value, vname.value
                    ),
                    "an egress-only gateway carries IPv6 only: give the VPC `ipv6_cidr: amazon`",
                );
            }
        }
    }

    fn subnet_block(
        &mut self,
        vname: &Sp<String>,
        sname: &Sp<String>,
        s: &spec::Subnet,
        block: Option<Ipv6Net>,
        siblings: &HashMap<&str, Ipv6Net>,
    ) -> Option<Ipv6Net> {
        let w = s.ipv6_cidr.as_ref()?;
        let hint = if block.is_some() {
            "write a /64 inside the VPC's block, or its index (`ipv6_cidr: 1`)"
        } else {
            "add `ipv6_cidr: amazon` to the VPC first"
        };
        match v6::subnet_block(block, w.value.as_str()) {
            Err(e) => {
                self.err(
                    w.loc,
                    format!("subnet `{}` ipv6_cidr: {e}", sname.value),
                    hint,
                );
                None
            }
            Ok(net) => {
                if let Some((on, _)) = siblings.iter().find(|(_, o)| **o == net) {
                    self.err(
                        w.loc,
                        format!(
                            "subnet `{}` IPv6 block {net} is also subnet `{on}`'s in VPC `{}`",
                            sname.value, vname.value
                        ),
                        "subnets of one VPC take different /64s",
                    );
                    return None;
                }
                Some(net)
            }
        }
    }

    fn instance6(
        &mut self,
        iname: &Sp<String>,
        i: &spec::Instance,
        net: Option<Ipv6Net>,
        seen: &mut HashMap<Ipv6Addr, String>,
    ) {
        if let Some(c) = &i.ipv6_address_count {
            if !(0..=64).contains(&c.value) {
                self.err(
                    c.loc,
                    format!("ipv6_address_count {} is outside 0..64", c.value),
                    "write a small count, e.g. 1",
                );
            }
        }
        let wants = !i.ipv6_addresses.is_empty()
            || i.ipv6_address_count.as_ref().is_some_and(|c| c.value > 0);
        if wants && net.is_none() {
            let at = i
                .ipv6_addresses
                .first()
                .map(|a| a.loc)
                .or(i.ipv6_address_count.as_ref().map(|c| c.loc))
                .unwrap_or(iname.loc);
            self.err(
                at,
                format!(
                    "instance `{}` asks for IPv6 addresses, but its subnet `{}` has no `ipv6_cidr`",
                    iname.value, i.subnet.value
                ),
                "give the subnet an IPv6 block",
            );
            return;
        }
        let Some(net) = net else { return };
        for a in &i.ipv6_addresses {
            match v6::ipv6(&a.value) {
                Err(e) => self.err(a.loc, e, format!("write an address of {net}")),
                Ok(ip) if !net.contains(&ip) => self.err(
                    a.loc,
                    format!("{ip} is not in subnet `{}` ({net})", i.subnet.value),
                    format!("pick an address of {net}"),
                ),
                Ok(ip) if v6::is_reserved6(net, ip) => self.err(
                    a.loc,
                    format!(
                        "{ip} is reserved by AWS in {net} (the first four and the last address)"
                    ),
                    format!("pick another, e.g. {}", v6::offset6(net.network(), 0x10)),
                ),
                Ok(ip) => {
                    if let Some(o) = seen.insert(ip, iname.value.clone()) {
                        self.err(
                            a.loc,
                            format!("{ip} is already used by `{o}`"),
                            "IPv6 addresses are unique; pick another",
                        );
                    }
                }
            }
        }
    }

    /// An IPv6 route (its destination holds a `:`): the destination, one route per
    /// destination per table (`dests`), and a target AWS takes for IPv6: `igw`, `eigw:NAME`,
    /// `pcx:NAME`, `instance:NAME`, `blackhole`, `local` (the VPC block), or `nat:NAME` for the
    /// NAT64 prefix 64:ff9b::/96 (or a block inside it).
    pub(super) fn route6(
        &mut self,
        vname: &Sp<String>,
        v: &spec::Vpc,
        tname: &Sp<String>,
        route: &spec::Route,
        dests: &mut HashMap<Ipv6Net, u32>,
    ) {
        let d = match v6::cidr6(&route.destination.value) {
            Ok(d) => d,
            Err(e) => {
                return self.err(
                    route.destination.loc,
                    format!("invalid route destination CIDR: {e}"),
                    "write an IPv6 CIDR such as ::/0 or 64:ff9b::/96",
                )
            }
        };
        if let Some(line) = dests.insert(d, route.destination.loc.line) {
            self.err(
                route.destination.loc,
                format!(
                    "route table `{}` already has a route to {d} (line {line})",
                    tname.value
                ),
                "a route table holds one route per destination; remove one of them",
            );
        }
        let target = &route.target;
        if let Some(name) = target.value.strip_prefix("eigw:") {
            if !v.egress_only_internet_gateways.contains(name) {
                self.err(
                    target.loc,
                    format!(
                        "egress-only internet gateway `{name}` does not exist in VPC `{}`",
                        vname.value
                    ),
                    "declare it under this VPC's `egress_only_internet_gateways:`",
                );
            }
            return;
        }
        match parse::target_ref(&target.value) {
            Ok(TargetRef::Nat(_)) if !v6::nat64_prefix().contains(&d) => self.err(
                target.loc,
                format!("a NAT gateway takes IPv6 only for NAT64 (64:ff9b::/96), not {d}"),
                "route ::/0 to `igw` or `eigw:NAME`; route 64:ff9b::/96 to the NAT gateway",
            ),
            Ok(TargetRef::Local) => self.err(
                target.loc,
                format!("a `local` route to {d}: the VPC's IPv6 local route is implicit"),
                "remove this route",
            ),
            Ok(TargetRef::Igw) if !v.internet_gateway.as_ref().is_some_and(|g| g.value.attached()) => {
                self.err(
                    target.loc,
                    format!("route target `igw`, but VPC `{}` has no internet gateway", vname.value),
                    "add `internet_gateway: true` to the VPC, or route IPv6 out through an egress-only gateway (`eigw:NAME`)",
                )
            }
            // Other targets: the IPv4 routes' existence checks apply as written.
            Ok(_) => self.route_target(vname, v, true, target),
            Err(_) => self.err(
                target.loc,
                format!("`{}` is not an IPv6 route target", target.value),
                "write igw, eigw:NAME, nat:NAME (64:ff9b::/96 only), pcx:NAME, instance:NAME or blackhole",
            ),
        }
    }

    /// An IPv6 CIDR of a NACL entry or SG rule.
    pub(super) fn rule_cidr6(&mut self, s: &Sp<String>, what: &str) {
        if let Err(e) = v6::cidr6(&s.value) {
            self.err(
                s.loc,
                format!("invalid {what} CIDR: {e}"),
                "write an IPv6 CIDR such as ::/0 or 2600:1f18:4000:100::/64",
            );
        }
    }
}
