//! Top-level checks (name, region, pool, engine), peerings, internet hosts, global name
//! uniqueness, and the small value checks the other parts share.

use super::super::parse;
use super::{Loc, Sp, Validator};
use ipnet::Ipv4Net;
use std::collections::HashMap;
use std::net::Ipv4Addr;

/// Address ranges that are not internet addresses, with a reason.
const NON_INTERNET: &[(&str, &str)] = &[
    ("0.0.0.0/8", "\"this network\""),
    ("10.0.0.0/8", "RFC 1918 private space"),
    ("100.64.0.0/10", "carrier-grade NAT space (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "RFC 1918 private space"),
    ("192.168.0.0/16", "RFC 1918 private space"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
];

/// The non-internet range containing `ip` and why it is not an internet address.
pub fn non_internet_range(ip: Ipv4Addr) -> Option<(Ipv4Net, &'static str)> {
    NON_INTERNET.iter().find_map(|(c, why)| {
        let net: Ipv4Net = c.parse().ok()?;
        net.contains(&ip).then_some((net, *why))
    })
}

/// True when `ip` can be a host on the (emulated) internet.
pub fn is_internet_address(ip: Ipv4Addr) -> bool {
    non_internet_range(ip).is_none()
}

/// True for `us-east-1`, `eu-west-2`, `us-gov-west-1`, `ap-southeast-3`.
pub(super) fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

impl Validator<'_> {
    /// Parses a CIDR; with `sized`, also requires /16../28 (VPC and subnet blocks).
    pub(super) fn cidr(&mut self, s: &Sp<String>, what: &str, sized: bool) -> Option<Ipv4Net> {
        match parse::cidr(&s.value) {
            Ok(c) => {
                if sized && !(16..=28).contains(&c.prefix_len()) {
                    self.err(
                        s.loc,
                        format!(
                            "{what} CIDR {c} is a /{}; AWS allows /16 to /28",
                            c.prefix_len()
                        ),
                        "pick a prefix length between /16 (65,536 addresses) and /28 (16 addresses)",
                    );
                    return None;
                }
                Some(c)
            }
            Err(e) => {
                let hint = if e.contains("host bits") {
                    match s.value.trim().parse::<Ipv4Net>() {
                        Ok(n) => format!("write the network address {}", n.trunc()),
                        Err(_) => "write the network address".to_string(),
                    }
                } else {
                    parse::leading_zero_hint(&s.value)
                        .unwrap_or_else(|| "write an IPv4 CIDR such as 10.0.0.0/16".to_string())
                };
                self.err(s.loc, format!("invalid {what} CIDR: {e}"), hint);
                None
            }
        }
    }

    /// Parses an IPv4 address.
    pub(super) fn ip(&mut self, s: &Sp<String>, what: &str) -> Option<Ipv4Addr> {
        match parse::ipv4(&s.value) {
            Ok(a) => Some(a),
            Err(e) => {
                self.err(
                    s.loc,
                    format!("invalid {what}: {e}"),
                    parse::leading_zero_hint(&s.value)
                        .unwrap_or_else(|| "write a dotted IPv4 address".to_string()),
                );
                None
            }
        }
    }

    /// A light region check.
    pub(super) fn region(&mut self, r: &Sp<String>) {
        if !is_region(&r.value) {
            self.err(
                r.loc,
                format!("`{}` is not an AWS region name", r.value),
                "write a region such as us-east-1 or eu-west-2",
            );
        }
    }

    /// Checks a list of services (`http:80`, `tcp:5432`, `udp:9000`).
    pub(super) fn services(&mut self, services: &[Sp<String>]) {
        for s in services {
            if let Err(e) = parse::service(&s.value) {
                self.err(
                    s.loc,
                    format!("invalid service: {e}"),
                    "write services as http:PORT, tcp:PORT or udp:PORT (port 1..65535)",
                );
            }
        }
    }

    /// Checks `ephemeral_ports`.
    pub(super) fn ephemeral(&mut self, e: Option<&Sp<crate::topology::Word>>) {
        if let Some(w) = e {
            match parse::port_range(w.value.as_str()) {
                Ok((0, _)) => self.err(
                    w.loc,
                    "ephemeral ports cannot include port 0",
                    "use a range such as 32768-60999 (Linux) or 49152-65535 (Windows)",
                ),
                Ok(_) => {}
                Err(e) => self.err(
                    w.loc,
                    format!("invalid ephemeral_ports: {e}"),
                    "use a range such as 32768-60999 (Linux) or 49152-65535 (Windows)",
                ),
            }
        }
    }

    pub(super) fn top(&mut self) {
        let t = self.t;
        let n = &t.name;
        if !parse::is_valid_name(&n.value) {
            self.err(
                n.loc,
                format!(
                    "topology name `{}` may only contain a-z, 0-9 and `-`",
                    n.value
                ),
                format!("rename it, e.g. `{}`", super::suggest_name(&n.value)),
            );
        } else if n.value.len() > 12 {
            self.err(
                n.loc,
                format!("topology name `{}` is {} characters long; at most 12 are allowed", n.value, n.value.len()),
                "it prefixes namespace and device names, which Linux limits to 15 characters; shorten it",
            );
        }
        if let Some(r) = &t.region {
            self.region(r);
        }
        let mut pools: Vec<Ipv4Net> = vec![];
        for p in &t.pools() {
            if let Some(pool) = self.cidr(p, "public_ip_pool", false) {
                if let Some(o) = pools
                    .iter()
                    .find(|o| o.contains(&pool) || pool.contains(*o))
                {
                    self.err(
                        p.loc,
                        format!("public_ip_pool {pool} overlaps the pool {o}"),
                        "list each block of public addresses once",
                    );
                    continue;
                }
                pools.push(pool);
                if pool.prefix_len() > 28 {
                    self.err(
                        p.loc,
                        format!("public_ip_pool {pool} is too small"),
                        "use a /28 or larger block, e.g. 203.0.113.0/24",
                    );
                } else if let Some((net, why)) = non_internet_range(pool.network()) {
                    self.err(
                        p.loc,
                        format!(
                            "public_ip_pool {pool} is not public address space ({net} is {why})"
                        ),
                        "use a public block such as 203.0.113.0/24 or 198.51.100.0/24",
                    );
                }
            }
        }
        if let Some(e) = &t.engine {
            if let Some(m) = &e.conntrack_max {
                if m.value == 0 || m.value > 100_000_000 {
                    self.err(
                        m.loc,
                        format!("engine.conntrack_max {} is out of range", m.value),
                        "use a value between 1 and 100000000 (default 65536)",
                    );
                }
            }
        }
    }

    pub(super) fn peerings(&mut self) {
        let t = self.t;
        let mut pairs: HashMap<(String, String), &Sp<String>> = HashMap::new();
        for (pname, p) in t.peerings.iter() {
            self.name("peering", pname);
            let mut ok = true;
            for side in [&p.requester, &p.accepter] {
                if !t.vpcs.contains(&side.value) {
                    self.err(
                        side.loc,
                        format!(
                            "peering `{}` names VPC `{}`, which does not exist",
                            pname.value, side.value
                        ),
                        "requester and accepter must be names declared under `vpcs:`",
                    );
                    ok = false;
                }
            }
            if !ok {
                continue;
            }
            if p.requester.value == p.accepter.value {
                self.err(
                    p.accepter.loc,
                    format!(
                        "peering `{}` connects VPC `{}` with itself",
                        pname.value, p.accepter.value
                    ),
                    "a peering joins two different VPCs",
                );
                continue;
            }
            let key = if p.requester.value < p.accepter.value {
                (p.requester.value.clone(), p.accepter.value.clone())
            } else {
                (p.accepter.value.clone(), p.requester.value.clone())
            };
            if let Some(first) = pairs.get(&key) {
                self.err(
                    pname.loc,
                    format!(
                        "VPCs `{}` and `{}` are already peered by `{}`",
                        key.0, key.1, first.value
                    ),
                    "AWS allows at most one peering connection between the same two VPCs; remove one",
                );
                continue;
            }
            pairs.insert(key, pname);
            // Overlap of any CIDR of one with any CIDR of the other.
            let (a, b) = (
                self.vpc_cidrs(&p.requester.value),
                self.vpc_cidrs(&p.accepter.value),
            );
            'outer: for ca in &a {
                for cb in &b {
                    if ca.contains(cb) || cb.contains(ca) {
                        self.err(
                            pname.loc,
                            format!(
                                "peering `{}`: VPC `{}` ({ca}) overlaps VPC `{}` ({cb})",
                                pname.value, p.requester.value, p.accepter.value
                            ),
                            "peered VPCs must not have overlapping CIDRs; renumber one of them",
                        );
                        break 'outer;
                    }
                }
            }
        }
    }

    /// Every parsable CIDR of a VPC (primary first).
    pub(super) fn vpc_cidrs(&self, vpc: &str) -> Vec<Ipv4Net> {
        self.t
            .vpcs
            .get(vpc)
            .map(|v| {
                std::iter::once(&v.cidr)
                    .chain(v.secondary_cidrs.iter())
                    .filter_map(|c| parse::cidr(&c.value).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn internet(&mut self) {
        let t = self.t;
        let Some(inet) = &t.internet else { return };
        let all_vpc: Vec<(String, Ipv4Net)> = t
            .vpcs
            .iter()
            .flat_map(|(n, _)| {
                self.vpc_cidrs(&n.value)
                    .into_iter()
                    .map(move |c| (n.value.clone(), c))
            })
            .collect();
        let mut seen: HashMap<Ipv4Addr, String> = HashMap::new();
        for (hname, h) in inet.hosts.iter() {
            self.name("internet host", hname);
            if let Some(r) = &h.region {
                self.region(r);
            }
            self.services(&h.services);
            self.ephemeral(h.ephemeral_ports.as_ref());
            let Some(ip) = self.ip(&h.ip, "internet host address") else {
                continue;
            };
            if let Some((net, why)) = non_internet_range(ip) {
                self.err(
                    h.ip.loc,
                    format!("internet host `{}` has address {ip}, which is not an internet address ({net} is {why})", hname.value),
                    "give internet hosts public addresses, e.g. from 198.51.100.0/24 or 192.0.2.0/24 (documentation ranges)",
                );
                continue;
            }
            if let Some((v, c)) = all_vpc.iter().find(|(_, c)| c.contains(&ip)) {
                self.err(
                    h.ip.loc,
                    format!(
                        "internet host `{}` address {ip} is inside VPC `{v}` ({c})",
                        hname.value
                    ),
                    "internet hosts live outside every VPC; pick an address outside all VPC CIDRs",
                );
                continue;
            }
            if let Some(other) = seen.get(&ip) {
                self.err(
                    h.ip.loc,
                    format!("address {ip} is already used by internet host `{other}`"),
                    "give each internet host its own address",
                );
                continue;
            }
            seen.insert(ip, hname.value.clone());
        }
    }

    /// Instance names (and internet host names) are global: the CLI names them without a VPC.
    /// NAT gateway names too (`nat:NAME` in DNS aliases is global).
    pub(super) fn global_names(&mut self) {
        let t = self.t;
        let mut hosts: HashMap<&str, (&str, Loc)> = HashMap::new();
        let mut nats: HashMap<&str, &str> = HashMap::new();
        for (vname, v) in t.vpcs.iter() {
            for (iname, _) in v.instances.iter() {
                if let Some((where_, _)) = hosts.get(iname.value.as_str()) {
                    self.err(
                        iname.loc,
                        format!("instance name `{}` is already used in VPC `{where_}`", iname.value),
                        "instance names are unique in the whole topology (commands name them without their VPC); rename one",
                    );
                } else {
                    hosts.insert(&iname.value, (&vname.value, iname.loc));
                }
            }
            for (gname, _) in v.nat_gateways.iter() {
                if let Some(where_) = nats.get(gname.value.as_str()) {
                    self.err(
                        gname.loc,
                        format!(
                            "NAT gateway name `{}` is already used in VPC `{where_}`",
                            gname.value
                        ),
                        "NAT gateway names are unique in the whole topology; rename one",
                    );
                } else {
                    nats.insert(&gname.value, &vname.value);
                }
            }
        }
        if let Some(inet) = &t.internet {
            for (hname, _) in inet.hosts.iter() {
                if let Some((where_, _)) = hosts.get(hname.value.as_str()) {
                    self.err(
                        hname.loc,
                        format!("internet host name `{}` is already an instance in VPC `{where_}`", hname.value),
                        "instances and internet hosts share one namespace (commands name them alone); rename one",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        assert!(is_region("us-east-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(is_region("ap-southeast-3"));
        assert!(!is_region("useast1"));
        assert!(!is_region("US-EAST-1"));
        assert!(!is_region("us-east-"));
    }

    #[test]
    fn internet_addresses() {
        assert!(is_internet_address("198.51.100.10".parse().unwrap()));
        assert!(!is_internet_address("10.1.2.3".parse().unwrap()));
        assert!(!is_internet_address("100.64.0.1".parse().unwrap()));
        assert!(!is_internet_address("172.20.0.1".parse().unwrap()));
        assert!(is_internet_address("172.32.0.1".parse().unwrap()));
    }
}
