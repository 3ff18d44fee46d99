//! Internet gateways (`aws_internet_gateway`, `aws_internet_gateway_attachment`), NAT
//! gateways with their Elastic IPs (`aws_nat_gateway`, `aws_eip`), and VPC peerings
//! (`aws_vpc_peering_connection`, its accepter and options).

use super::{Builder, Link, SUBNET};
use crate::import::doc::{Connectivity, InternetGateway, NatGateway, Peering};
use crate::import::report::Outcome;
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{addr, aws_id, blocks, flag, name_tag, text};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The pool public IPs are drawn from when the input fixes none (the format's default).
const DEFAULT_POOL: &str = "203.0.113.0/24";

/// Whether `ip` is public space as the format requires of pool addresses.
pub(super) fn is_public(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || o[0] == 0
        || o[0] >= 240
        || (o[0] == 100 && (64..128).contains(&o[1])))
}

impl Builder<'_> {
    /// `aws_internet_gateway` (with `vpc_id`) and `aws_internet_gateway_attachment`.
    pub fn internet_gateways(&mut self) {
        for i in self.each("aws_internet_gateway") {
            if self.at(i).get("vpc_id").is_none() && !self.res(i).is_unknown("vpc_id") {
                continue;
            }
            if let Some(v) = self.vpc_at(i, "vpc_id") {
                self.attach_igw(i, &v);
            }
        }
        for i in self.each("aws_internet_gateway_attachment") {
            let v = self.vpc_at(i, "vpc_id");
            let g = self.link(i, "internet_gateway_id", &["aws_internet_gateway"]);
            match (v, g) {
                (Some(v), Link::Found(g)) => self.attach_igw(g, &v),
                _ => self.note(
                    i,
                    Outcome::Skipped,
                    "its VPC or gateway is not in the input",
                ),
            }
        }
        for i in self.each("aws_internet_gateway") {
            if !self.igw_of.contains_key(&i) {
                self.note(i, Outcome::Skipped, "not attached to a VPC of the input");
            }
        }
    }

    fn attach_igw(&mut self, i: ResId, vpc: &str) {
        let id = aws_id(self.at(i), "igw-");
        if let Some(v) = self.vpc_mut(vpc) {
            if v.internet_gateway.is_some() {
                return;
            }
            v.internet_gateway = Some(InternetGateway { aws_id: id });
        }
        self.igw_of.insert(i, vpc.to_string());
    }

    /// The public address of an `aws_eip` when known.
    fn eip_address(&self, eip: ResId) -> Option<Ipv4Addr> {
        addr(self.at(eip), "public_ip").filter(|ip| is_public(*ip))
    }

    /// Makes `ip` drawable from the pool: the pool gets the /28 holding it (the default pool
    /// stays first, for addresses the input does not fix). False when it cannot.
    pub(super) fn pool_holds(&mut self, ip: Ipv4Addr) -> bool {
        if !is_public(ip) {
            return false;
        }
        if self.doc.public_ip_pool.is_empty() {
            self.doc
                .public_ip_pool
                .push(DEFAULT_POOL.parse().expect("a valid constant"));
        }
        if self.doc.public_ip_pool.iter().any(|p| p.contains(&ip)) {
            return true;
        }
        let block = Ipv4Net::new(ip, 28).expect("28 is a valid prefix").trunc();
        let inside_vpc = self
            .doc
            .vpcs
            .values()
            .any(|v| v.cidr.contains(&block) || block.contains(&v.cidr.addr()));
        if inside_vpc {
            return false;
        }
        self.doc.public_ip_pool.push(block);
        true
    }

    /// The EIP of NAT gateway `nat` when no reference says (terraform-aws-modules/vpc passes
    /// them through a `local`): as many EIPs as NAT gateways in the module, the one of the same
    /// key (reported).
    fn eip_by_position(&mut self, nat: ResId) -> Option<ResId> {
        let r = self.res(nat);
        let key = r.addr.index.clone()?;
        let eips = self.ix.of_kind(&["aws_eip"], Some(&r.addr.module));
        let nats = self.ix.of_kind(&["aws_nat_gateway"], Some(&r.addr.module));
        if eips.len() != nats.len() {
            return None;
        }
        let e = eips
            .into_iter()
            .find(|&e| self.res(e).addr.index.as_ref() == Some(&key))?;
        let label = self.res(e).addr.to_string();
        self.note(nat, Outcome::Guessed, format!("allocation_id: resolved by position: {label} (as many Elastic IPs as NAT gateways in the module)"));
        Some(e)
    }

    /// `aws_nat_gateway`, with its `aws_eip` address when known.
    pub fn nat_gateways(&mut self) {
        for i in self.each("aws_nat_gateway") {
            let (vpc, subnet) = match self.link(i, "subnet_id", SUBNET) {
                Link::Found(s) => match self.subnet_of.get(&s) {
                    Some(x) => x.clone(),
                    None => {
                        self.note(i, Outcome::Skipped, "its subnet was not imported");
                        continue;
                    }
                },
                _ => {
                    self.note(i, Outcome::Skipped, "its subnet is not in the input");
                    continue;
                }
            };
            let a = self.at(i);
            let private = text(a, "connectivity_type") == Some("private");
            let mut elastic_ip = None;
            if !private {
                let eip = match self.link(i, "allocation_id", &["aws_eip"]) {
                    Link::Found(e) => Some(e),
                    Link::Missing => self.eip_by_position(i),
                    Link::External(_) => None,
                };
                if let Some(e) = eip {
                    self.eips_used.insert(e);
                }
                elastic_ip = eip.and_then(|e| self.eip_address(e));
                if let Some(ip) = elastic_ip {
                    if !self.pool_holds(ip) {
                        elastic_ip = None;
                    }
                }
                if elastic_ip.is_none() {
                    self.note(i, Outcome::Guessed, "its Elastic IP is known only after apply (or not in the input): drawn from public_ip_pool");
                }
            }
            if addr(self.at(i), "private_ip").is_none() {
                self.note(
                    i,
                    Outcome::Guessed,
                    "its private_ip is known only after apply: the format's allocation",
                );
            }
            let name = Self::name_in(&mut self.global_names, &self.inv.resources[i], None);
            let a = self.at(i);
            let nat = NatGateway {
                aws_id: aws_id(a, "nat-"),
                description: name_tag(a).map(str::to_string),
                subnet,
                elastic_ip,
                ip: addr(a, "private_ip"),
                connectivity: private.then_some(Connectivity::Private),
            };
            if let Some(v) = self.vpc_mut(&vpc) {
                v.nat_gateways.insert(name.clone(), nat);
            }
            self.nat_of.insert(i, (vpc, name));
        }
    }

    /// `aws_vpc_peering_connection` (the accepter and options resources add nothing the
    /// format keeps but DNS resolution).
    pub fn peerings(&mut self) {
        for i in self.each("aws_vpc_peering_connection") {
            let req = self.vpc_at(i, "vpc_id");
            let acc = self.vpc_at(i, "peer_vpc_id");
            let (Some(req), Some(acc)) = (req, acc) else {
                self.note(i, Outcome::Skipped, "one of its VPCs is not in the input");
                continue;
            };
            if req == acc {
                self.note(i, Outcome::Skipped, "it joins a VPC to itself");
                continue;
            }
            let cidrs = |v: &str| {
                let v = &self.doc.vpcs[v];
                let mut c = vec![v.cidr];
                c.extend(v.secondary_cidrs.iter().copied());
                c
            };
            let (rc, ac) = (cidrs(&req), cidrs(&acc));
            if rc
                .iter()
                .any(|a| ac.iter().any(|b| a.contains(b) || b.contains(a)))
            {
                self.note(
                    i,
                    Outcome::Skipped,
                    "its VPCs' CIDRs overlap (AWS refuses such a peering)",
                );
                continue;
            }
            if self.doc.peerings.values().any(|p| {
                (p.requester == req && p.accepter == acc)
                    || (p.requester == acc && p.accepter == req)
            }) {
                self.note(
                    i,
                    Outcome::Skipped,
                    "another peering joins the same two VPCs",
                );
                continue;
            }
            let a = self.at(i);
            let dns = ["requester", "accepter"]
                .iter()
                .flat_map(|k| blocks(a, k))
                .any(|b| flag(b, "allow_remote_vpc_dns_resolution") == Some(true));
            let name = Self::name_in(&mut self.pcx_names, &self.inv.resources[i], None);
            self.doc.peerings.insert(
                name.clone(),
                Peering {
                    aws_id: aws_id(a, "pcx-"),
                    description: name_tag(a).map(str::to_string),
                    requester: req,
                    accepter: acc,
                    dns_resolution: dns,
                },
            );
            self.pcx_of.insert(i, name);
        }
        for i in self.each("aws_vpc_peering_connection_options") {
            let Link::Found(p) = self.link(
                i,
                "vpc_peering_connection_id",
                &["aws_vpc_peering_connection"],
            ) else {
                continue;
            };
            let a = self.at(i);
            let dns = ["requester", "accepter"]
                .iter()
                .flat_map(|k| blocks(a, k))
                .any(|b| flag(b, "allow_remote_vpc_dns_resolution") == Some(true));
            if let Some(name) = self.pcx_of.get(&p).cloned() {
                if let Some(pc) = self.doc.peerings.get_mut(&name) {
                    pc.dns_resolution |= dns;
                }
            }
        }
        for i in self.each("aws_vpc_peering_connection_accepter") {
            if !matches!(self.link(i, "vpc_peering_connection_id", &["aws_vpc_peering_connection"]), Link::Found(p) if self.pcx_of.contains_key(&p))
            {
                self.note(
                    i,
                    Outcome::Skipped,
                    "the requester side of its peering is not in the input",
                );
            }
        }
    }
}

impl Builder<'_> {
    /// Elastic IPs that no NAT gateway or instance of the input uses are reported (the format
    /// has no free-standing address).
    pub fn unused_eips(&mut self) {
        let first =
            |b: &Self, from: ResId, attr: &str, kinds: &[&str]| b.ix.one(from, attr, kinds).first();
        let mut used = self.eips_used.clone();
        for n in self.each("aws_nat_gateway") {
            used.extend(first(self, n, "allocation_id", &["aws_eip"]));
        }
        for x in self.each("aws_eip_association") {
            used.extend(first(self, x, "allocation_id", &["aws_eip"]));
        }
        for e in self.each("aws_eip") {
            let attached = ["instance", "network_interface"]
                .iter()
                .any(|a| first(self, e, a, &["aws_instance", "aws_network_interface"]).is_some());
            if !attached && !used.contains(&e) {
                self.note(
                    e,
                    Outcome::Skipped,
                    "not associated with a NAT gateway or instance of the input",
                );
            }
        }
    }
}
