//! Checks inside one VPC: its CIDRs, subnets, route tables and routes, NAT gateways and the
//! non-address parts of instances. Rules of NACLs and SGs are in `rules.rs`.

use super::super::parse::{self, TargetRef};
use super::super::spec;
use super::{Sp, Validator};
use ipnet::Ipv4Net;
use std::collections::HashMap;

impl Validator<'_> {
    pub(super) fn vpc(&mut self, vname: &Sp<String>, v: &spec::Vpc) {
        self.name("VPC", vname);
        let mut cidrs: Vec<(Ipv4Net, &Sp<String>)> = vec![];
        for c in std::iter::once(&v.cidr).chain(v.secondary_cidrs.iter()) {
            let Some(net) = self.cidr(c, "VPC", true) else {
                continue;
            };
            if let Some((other, _)) = cidrs
                .iter()
                .find(|(o, _)| o.contains(&net) || net.contains(o))
            {
                self.err(
                    c.loc,
                    format!("VPC `{}`: CIDR {net} overlaps its CIDR {other}", vname.value),
                    "secondary CIDRs must not overlap any CIDR already on the VPC; pick a disjoint block",
                );
                continue;
            }
            if net.network().octets()[0] == 169 && net.network().octets()[1] == 254 {
                self.err(
                    c.loc,
                    format!("VPC CIDR {net} is link-local"),
                    "169.254.0.0/16 is never allowed as a VPC CIDR",
                );
                continue;
            }
            if let Some((first, _)) = cidrs.first() {
                let (a, b) = (rfc1918_block(*first), rfc1918_block(net));
                if a.is_some() && b.is_some() && a != b {
                    self.err(
                        c.loc,
                        format!("secondary CIDR {net} is from another RFC 1918 block than the VPC's primary CIDR {first}"),
                        "AWS does not let a VPC mix 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16; pick a block from the primary's range (or a public or 100.64.0.0/10 block)",
                    );
                    continue;
                }
            }
            cidrs.push((net, c));
        }
        let region = v
            .region
            .as_ref()
            .map(|r| r.value.clone())
            .or_else(|| self.t.region.as_ref().map(|r| r.value.clone()))
            .unwrap_or_else(|| "us-east-1".into());
        if let Some(r) = &v.region {
            self.region(r);
        }
        let has_igw = v
            .internet_gateway
            .as_ref()
            .is_some_and(|g| g.value.attached());

        // Route table names (`main` is implicit).
        for (tname, _) in v.route_tables.iter() {
            self.name("route table", tname);
        }
        // The implicit `main` exists only while no other table is made main (AWS has one
        // main table per VPC; `show` must not list a phantom one).
        let implicit_main = v
            .main_route_table
            .as_ref()
            .is_none_or(|m| m.value == "main");
        let rt_exists = |n: &str| (n == "main" && implicit_main) || v.route_tables.contains(n);
        if let Some(m) = &v.main_route_table {
            if !rt_exists(&m.value) {
                self.err(
                    m.loc,
                    format!("main_route_table `{}` is not a route table of VPC `{}`", m.value, vname.value),
                    "name a table declared under this VPC's `route_tables:`, or leave the key out for the implicit `main`",
                );
            }
        }

        // Subnets.
        let mut subnet_nets: Vec<(Ipv4Net, &str)> = vec![];
        for (sname, s) in v.subnets.iter() {
            self.name("subnet", sname);
            if let Some(net) = self.cidr(&s.cidr, "subnet", true) {
                if !cidrs.is_empty() && !cidrs.iter().any(|(c, _)| c.contains(&net)) {
                    let list: Vec<String> = cidrs.iter().map(|(c, _)| c.to_string()).collect();
                    self.err(
                        s.cidr.loc,
                        format!(
                            "subnet `{}` CIDR {net} is not inside VPC `{}` ({})",
                            sname.value,
                            vname.value,
                            list.join(", ")
                        ),
                        "a subnet's CIDR must lie inside one of its VPC's CIDRs",
                    );
                } else if let Some((o, on)) = subnet_nets
                    .iter()
                    .find(|(o, _)| o.contains(&net) || net.contains(o))
                {
                    self.err(
                        s.cidr.loc,
                        format!(
                            "subnet `{}` CIDR {net} overlaps subnet `{on}` ({o})",
                            sname.value
                        ),
                        "subnets of one VPC must not overlap; pick a disjoint block",
                    );
                } else {
                    subnet_nets.push((net, &sname.value));
                }
            }
            if let Some(az) = &s.az {
                let a = &az.value;
                let is_az = a.len() > 1
                    && a.as_bytes()[a.len() - 1].is_ascii_lowercase()
                    && super::checks::is_region(&a[..a.len() - 1]);
                if !is_az {
                    self.err(
                        az.loc,
                        format!("`{a}` is not an availability zone name"),
                        format!("write the region followed by a letter, e.g. {region}a"),
                    );
                } else if !a.starts_with(&region) || a.len() != region.len() + 1 {
                    self.err(
                        az.loc,
                        format!("availability zone `{a}` is not in the VPC's region {region}"),
                        format!(
                            "use a zone of {region}, e.g. {region}a, or set the VPC's `region:`"
                        ),
                    );
                }
            }
            if let Some(rt) = &s.route_table {
                if !rt_exists(&rt.value) {
                    self.err(
                        rt.loc,
                        format!("route table `{}` does not exist in VPC `{}`", rt.value, vname.value),
                        "declare it under this VPC's `route_tables:`, or leave the key out for the main table",
                    );
                }
            }
            if let Some(acl) = &s.network_acl {
                if acl.value != "default" && !v.network_acls.contains(&acl.value) {
                    self.err(
                        acl.loc,
                        format!(
                            "network ACL `{}` does not exist in VPC `{}`",
                            acl.value, vname.value
                        ),
                        "declare it under this VPC's `network_acls:`, or use `default`",
                    );
                }
            }
        }

        // Routes.
        for (tname, table) in v.route_tables.iter() {
            let mut dests: HashMap<Ipv4Net, &Sp<String>> = HashMap::new();
            let mut lists: HashMap<&str, &Sp<String>> = HashMap::new();
            let mut dests6 = HashMap::new();
            for g in &table.propagating_vgws {
                self.route_to_gateway(&vname.value, &g.value, true, g.loc);
            }
            for route in &table.routes {
                if crate::topology::ipv6::is_ipv6_text(&route.destination.value) {
                    self.route6(vname, v, tname, route, &mut dests6);
                    continue;
                }
                if let Some(pl) = parse::prefix_list_ref(&route.destination.value) {
                    self.prefix_list_exists(pl, route.destination.loc);
                    if let Some(first) = lists.get(pl) {
                        self.err(
                            route.destination.loc,
                            format!(
                                "route table `{}` already has a route to prefix list `{pl}` (line {})",
                                tname.value, first.loc.line
                            ),
                            "a route table holds one route per destination; remove one of them",
                        );
                    } else {
                        lists.insert(pl, &route.destination);
                    }
                    if matches!(parse::target_ref(&route.target.value), Ok(TargetRef::Local)) {
                        self.err(
                            route.target.loc,
                            "a prefix-list route cannot target `local`",
                            "the local routes are implicit; target igw, nat:NAME, pcx:NAME, instance:NAME or blackhole",
                        );
                    }
                    self.route_target(vname, v, has_igw, &route.target);
                    continue;
                }
                if let Some(d) = self.cidr(&route.destination, "route destination", false) {
                    if let Some(first) = dests.get(&d) {
                        self.err(
                            route.destination.loc,
                            format!(
                                "route table `{}` already has a route to {d} (line {})",
                                tname.value, first.loc.line
                            ),
                            "a route table holds one route per destination; remove one of them",
                        );
                    } else {
                        dests.insert(d, &route.destination);
                    }
                    let rt_target = parse::target_ref(&route.target.value);
                    if matches!(rt_target, Ok(TargetRef::Local))
                        && !cidrs.iter().any(|(c, _)| *c == d)
                    {
                        self.err(
                            route.target.loc,
                            format!("a `local` route must have a VPC CIDR as destination, not {d}"),
                            "the local routes are implicit; remove this route",
                        );
                    }
                    self.route_destination(&route.destination, d, &rt_target, &cidrs, &subnet_nets);
                }
                self.route_target(vname, v, has_igw, &route.target);
            }
        }

        self.nacls(v);
        self.security_groups(vname, v);

        // NAT gateways.
        for (gname, g) in v.nat_gateways.iter() {
            self.name("NAT gateway", gname);
            if !v.subnets.contains(&g.subnet.value) {
                self.err(
                    g.subnet.loc,
                    format!(
                        "subnet `{}` does not exist in VPC `{}`",
                        g.subnet.value, vname.value
                    ),
                    "a NAT gateway lives in a subnet of its own VPC; use a name under `subnets:`",
                );
            }
            let mut private = false;
            if let Some(c) = &g.connectivity {
                match c.value.as_str() {
                    "public" => {}
                    "private" => private = true,
                    other => self.err(
                        c.loc,
                        format!("connectivity `{other}` is not `public` or `private`"),
                        "write `connectivity: public` (default) or `connectivity: private`",
                    ),
                }
            }
            if private {
                if let Some(e) = &g.elastic_ip {
                    self.err(
                        e.loc,
                        format!(
                            "private NAT gateway `{}` cannot have an Elastic IP",
                            gname.value
                        ),
                        "remove `elastic_ip`, or make it `connectivity: public`",
                    );
                }
            }
        }

        // Instances (addresses are checked in `addresses.rs`).
        for (iname, i) in v.instances.iter() {
            self.name("instance", iname);
            if !v.subnets.contains(&i.subnet.value) {
                self.err(
                    i.subnet.loc,
                    format!(
                        "subnet `{}` does not exist in VPC `{}`",
                        i.subnet.value, vname.value
                    ),
                    "use the name of a subnet declared under this VPC's `subnets:`",
                );
            }
            for sg in i.security_groups.iter().flatten() {
                if sg.value != "default" && !v.security_groups.contains(&sg.value) {
                    self.err(
                        sg.loc,
                        format!("security group `{}` does not exist in VPC `{}`", sg.value, vname.value),
                        "an instance can only use groups of its own VPC; declare it under `security_groups:`",
                    );
                }
            }
            let sdc = i.source_dest_check.as_ref().is_none_or(|b| b.value);
            if let Some(role) = &i.role {
                if role.value != "nat" {
                    self.err(
                        role.loc,
                        format!("role `{}` is not known", role.value),
                        "the only role is `nat` (a NAT instance); remove the key otherwise",
                    );
                } else if sdc {
                    self.err(
                        role.loc,
                        format!("NAT instance `{}` needs `source_dest_check: false`", iname.value),
                        "AWS drops forwarded packets on an ENI with the source/destination check on; add `source_dest_check: false`",
                    );
                }
            }
            if let Some(s) = &i.state {
                if s.value != "running" && s.value != "stopped" {
                    self.err(
                        s.loc,
                        format!("state `{}` is not `running` or `stopped`", s.value),
                        "write `state: running` (default) or `state: stopped`",
                    );
                }
            }
            self.services(&i.services);
            self.ephemeral(i.ephemeral_ports.as_ref());
            self.interfaces(vname, v, iname, i, &region);
        }
    }

    /// AWS's limits on destinations: nothing inside the link-local service range, and a route
    /// narrower than a VPC CIDR must be exactly a subnet's CIDR with a NAT gateway or an
    /// instance as target; a route equal to a VPC CIDR can only point at an instance.
    fn route_destination(
        &mut self,
        at: &Sp<String>,
        d: Ipv4Net,
        target: &Result<TargetRef, String>,
        cidrs: &[(Ipv4Net, &Sp<String>)],
        subnets: &[(Ipv4Net, &str)],
    ) {
        let services: Ipv4Net =
            Ipv4Net::new(std::net::Ipv4Addr::new(169, 254, 168, 0), 22).unwrap_or_default();
        if services.contains(&d) {
            self.err(
                at.loc,
                format!("route destination {d} lies inside 169.254.168.0/22, reserved for AWS services (DNS, IMDS, time)"),
                "AWS refuses routes to these link-local addresses; remove the route",
            );
            return;
        }
        let Ok(target) = target else { return };
        if matches!(target, TargetRef::Local) {
            return;
        }
        if cidrs.iter().any(|(c, _)| *c == d) {
            if !matches!(target, TargetRef::Instance(_) | TargetRef::Blackhole) {
                self.err(
                    at.loc,
                    format!("route to {d} replaces the VPC's local route; only an instance (its ENI) can take its place"),
                    "remove the route, or target `instance:NAME` to send the VPC's traffic through an appliance",
                );
            }
            return;
        }
        if cidrs.iter().any(|(c, _)| c.contains(&d)) {
            let is_subnet = subnets.iter().any(|(s, _)| *s == d);
            // A blackhole stands where its deleted NAT gateway or ENI stood.
            let ok_target = matches!(
                target,
                TargetRef::Nat(_) | TargetRef::Instance(_) | TargetRef::Blackhole
            );
            if !is_subnet || !ok_target {
                self.err(
                    at.loc,
                    format!("route to {d} is more specific than the VPC's local route"),
                    "AWS allows this only when the destination is exactly a subnet's CIDR and the target is a NAT gateway or an instance (middlebox inspection)",
                );
            }
        }
    }

    pub(super) fn route_target(
        &mut self,
        vname: &Sp<String>,
        v: &spec::Vpc,
        has_igw: bool,
        target: &Sp<String>,
    ) {
        let t = self.t;
        match parse::target_ref(&target.value) {
            Ok(TargetRef::Local | TargetRef::Blackhole) => {}
            Ok(TargetRef::Igw) => {
                if !has_igw {
                    self.err(
                        target.loc,
                        format!(
                            "route target `igw`, but VPC `{}` has no internet gateway",
                            vname.value
                        ),
                        "add `internet_gateway: true` to the VPC",
                    );
                }
            }
            Ok(TargetRef::Nat(n)) => {
                if !v.nat_gateways.contains(&n) {
                    self.err(
                        target.loc,
                        format!("NAT gateway `{n}` does not exist in VPC `{}`", vname.value),
                        "a route can only use a NAT gateway of its own VPC; declare it under `nat_gateways:`",
                    );
                }
            }
            Ok(TargetRef::Pcx(n)) => match t.peerings.get(&n) {
                None => self.err(
                    target.loc,
                    format!("peering `{n}` does not exist"),
                    "declare it under the top-level `peerings:`",
                ),
                Some(p) if p.requester.value != vname.value && p.accepter.value != vname.value => {
                    self.err(
                        target.loc,
                        format!(
                            "peering `{n}` does not include VPC `{}` (it joins `{}` and `{}`)",
                            vname.value, p.requester.value, p.accepter.value
                        ),
                        "a route can only use a peering whose requester or accepter is this VPC",
                    )
                }
                Some(_) => {}
            },
            Ok(TargetRef::Instance(n)) => {
                if !v.instances.contains(&n) {
                    self.err(
                        target.loc,
                        format!("instance `{n}` does not exist in VPC `{}`", vname.value),
                        "a route can only target an instance of the same VPC",
                    );
                }
            }
            Ok(TargetRef::Tgw(g)) => self.route_to_gateway(&vname.value, &g, false, target.loc),
            Ok(TargetRef::Vgw(g)) => self.route_to_gateway(&vname.value, &g, true, target.loc),
            Err(e) => {
                let hint = super::target_hint::target_hint(t, &vname.value, v, &target.value);
                self.err(target.loc, e, hint)
            }
        }
    }
}

/// Which RFC 1918 block a CIDR lies in (0: 10/8, 1: 172.16/12, 2: 192.168/16).
fn rfc1918_block(c: Ipv4Net) -> Option<u8> {
    let o = c.network().octets();
    match o {
        [10, ..] => Some(0),
        [172, b, ..] if (16..32).contains(&b) => Some(1),
        [192, 168, ..] => Some(2),
        _ => None,
    }
}
