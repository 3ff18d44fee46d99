//! Instances: `aws_instance` with its primary interface, further interfaces
//! (`aws_network_interface` attached by `attachment`, `aws_network_interface_attachment` or the
//! instance's `network_interface` blocks), their groups (`aws_network_interface_sg_attachment`),
//! secondary private IPs, and public addresses (`associate_public_ip_address`, `aws_eip`,
//! `aws_eip_association`). An instance without `subnet_id` is in the default VPC.

use super::gateways::is_public;
use super::{Builder, InVpc, Link, SG, SUBNET};
use crate::import::doc::{Instance, InstanceState, NetworkInterface, PublicIp};
use crate::import::report::Outcome;
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{
    addr, aws_id, blocks, flag, int, name_tag, strings, text, valid_id,
};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// Whether `ip` may be an interface address of subnet `c` (not one of AWS's 5 reserved).
fn usable(c: Ipv4Net, ip: Ipv4Addr) -> bool {
    let (base, last) = (
        u64::from(u32::from(c.network())),
        u64::from(u32::from(c.broadcast())),
    );
    let x = u64::from(u32::from(ip));
    c.contains(&ip) && x > base + 3 && x < last
}

/// An interface of an instance being built: where it is and what it has.
struct Eni {
    res: ResId,
    device: i64,
}

impl Builder<'_> {
    /// Every instance and its interfaces and public addresses.
    pub fn instances(&mut self) {
        let attached = self.attachments();
        let eips = self.instance_eips();
        let mut used: BTreeSet<(String, Ipv4Addr)> = BTreeSet::new();
        for i in self.each("aws_instance") {
            let a = self.at(i);
            let enis = attached.get(&i).map(Vec::as_slice).unwrap_or(&[]);
            let primary = enis.iter().find(|e| e.device == 0).map(|e| e.res);
            let place_from = primary.unwrap_or(i);
            let (vpc, subnet) = match self.link(place_from, "subnet_id", SUBNET) {
                Link::Found(s) => match self.subnet_of.get(&s) {
                    Some(x) => x.clone(),
                    None => {
                        self.note(i, Outcome::Skipped, "its subnet was not imported");
                        continue;
                    }
                },
                Link::External(id) => {
                    self.note(
                        i,
                        Outcome::Skipped,
                        format!("subnet {id} is not in the input"),
                    );
                    continue;
                }
                Link::Missing => {
                    let az = text(a, "availability_zone").map(str::to_string);
                    match self.default_subnet(az.as_deref()) {
                        Some(x) => {
                            self.note(
                                i,
                                Outcome::Guessed,
                                "no subnet_id: placed in the default VPC's default subnet",
                            );
                            x
                        }
                        None => {
                            self.note(i, Outcome::Skipped, "no subnet_id, and the default VPC has no room for AWS's default subnet");
                            continue;
                        }
                    }
                }
            };
            let cidr = self.doc.vpcs[&vpc].subnets[&subnet].cidr;
            let mut groups =
                self.groups_of(i, &vpc, &["vpc_security_group_ids", "security_groups"]);
            let mut ip = addr(a, "private_ip");
            let mut secondary: Vec<Ipv4Addr> = strings(a, "secondary_private_ips")
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect();
            let mut sdc = flag(a, "source_dest_check");
            if let Some(p) = primary {
                let pa = self.at(p);
                let mut ips: Vec<Ipv4Addr> = strings(pa, "private_ips")
                    .iter()
                    .filter_map(|s| s.parse().ok())
                    .collect();
                if let Some(x) = addr(pa, "private_ip") {
                    ips.retain(|y| *y != x);
                    ips.insert(0, x);
                }
                if !ips.is_empty() {
                    ip = Some(ips[0]);
                    secondary = ips[1..].to_vec();
                }
                groups.extend(self.groups_of(p, &vpc, &["security_groups"]));
                sdc = flag(pa, "source_dest_check").or(sdc);
            }
            let had_ip = ip.is_some();
            ip = ip.filter(|x| usable(cidr, *x) && used.insert((vpc.clone(), *x)));
            if ip.is_none() {
                let why = if had_ip {
                    "its private_ip is reserved, outside its subnet or taken twice"
                } else {
                    "its private_ip is known only after apply"
                };
                self.note(i, Outcome::Guessed, format!("{why}: the format's allocation (the first free address from the subnet's base+4)"));
            }
            secondary
                .retain(|x| usable(cidr, *x) && Some(*x) != ip && used.insert((vpc.clone(), *x)));
            let public_ip = match eips.get(&i) {
                Some(Some(ip)) if self.pool_ok(*ip) => Some(PublicIp::Fixed(*ip)),
                Some(_) => {
                    self.note(
                        i,
                        Outcome::Guessed,
                        "its Elastic IP is known only after apply: drawn from public_ip_pool",
                    );
                    Some(PublicIp::Auto)
                }
                None => match flag(a, "associate_public_ip_address") {
                    Some(true) => match addr(a, "public_ip").filter(|ip| self.pool_ok(*ip)) {
                        Some(ip) => Some(PublicIp::Fixed(ip)),
                        None => Some(PublicIp::Auto),
                    },
                    Some(false) if self.doc.vpcs[&vpc].subnets[&subnet].map_public_ip => {
                        Some(PublicIp::No)
                    }
                    _ => None,
                },
            };
            let mut extra = vec![];
            let mut devices: Vec<&Eni> = enis.iter().filter(|e| e.device > 0).collect();
            devices.sort_by_key(|e| e.device);
            for e in devices {
                if let Some(n) = self.interface(e.res, &vpc, &mut used) {
                    extra.push(n);
                }
            }
            let name = Self::name_in(&mut self.global_names, &self.inv.resources[i], None);
            let a = self.at(i);
            groups.dedup();
            let (ipv6_addresses, ipv6_address_count) = self.addresses6(i);
            let inst = Instance {
                aws_id: aws_id(a, "i-"),
                description: name_tag(a).map(str::to_string),
                subnet,
                ip,
                secondary_ips: secondary,
                public_ip,
                security_groups: groups,
                source_dest_check: sdc.filter(|b| !b),
                state: (text(a, "instance_state") == Some("stopped"))
                    .then_some(InstanceState::Stopped),
                eni_aws_id: text(a, "primary_network_interface_id")
                    .and_then(|s| valid_id(s, "eni-")),
                network_interfaces: extra,
                ipv6_addresses,
                ipv6_address_count,
            };
            if let Some(v) = self.vpc_mut(&vpc) {
                v.instances.insert(name.clone(), inst);
            }
            self.inst_of.insert(i, (vpc, name));
        }
        for i in self.each("aws_network_interface") {
            let on = attached.values().flatten().any(|e| e.res == i);
            if !on {
                self.note(
                    i,
                    Outcome::Skipped,
                    "not attached to an instance of the input (the format has no free interfaces)",
                );
            }
        }
    }

    /// Whether a fixed public address can be kept (public, outside every VPC).
    fn pool_ok(&self, ip: Ipv4Addr) -> bool {
        is_public(ip)
            && !self
                .doc
                .vpcs
                .values()
                .any(|v| v.cidr.contains(&ip) || v.secondary_cidrs.iter().any(|c| c.contains(&ip)))
    }

    /// SG names of the groups listed in `attrs` of resource `i`, in VPC `vpc`.
    fn groups_of(&mut self, i: ResId, vpc: &str, attrs: &[&str]) -> Vec<String> {
        let mut out = vec![];
        for attr in attrs {
            let (found, ext) = self.links(i, attr, SG);
            for g in found {
                match self.sg_of.get(&g) {
                    Some((v, n)) if v == vpc => {
                        if !out.contains(n) {
                            out.push(n.clone());
                        }
                    }
                    _ => self.note(
                        i,
                        Outcome::Skipped,
                        format!("a group in {attr} is in another VPC"),
                    ),
                }
            }
            for id in ext {
                self.note(
                    i,
                    Outcome::Skipped,
                    format!("group {id} in {attr} is not in the input"),
                );
            }
        }
        // ENI SG attachments.
        for s in self.each("aws_network_interface_sg_attachment") {
            let Link::Found(e) = self.link(s, "network_interface_id", &["aws_network_interface"])
            else {
                continue;
            };
            let owner_instance = self.ix.by_id(
                text(self.at(e), "id").unwrap_or_default(),
                &["aws_instance"],
            );
            if e != i && owner_instance != Some(i) {
                continue;
            }
            if let Link::Found(g) = self.link(s, "security_group_id", SG) {
                if let Some((v, n)) = self.sg_of.get(&g) {
                    if v == vpc && !out.contains(n) {
                        out.push(n.clone());
                    }
                }
            }
        }
        out
    }

    /// A further interface (device index ≥ 1) from an `aws_network_interface`.
    fn interface(
        &mut self,
        e: ResId,
        vpc: &str,
        used: &mut BTreeSet<(String, Ipv4Addr)>,
    ) -> Option<NetworkInterface> {
        let (v, subnet): InVpc = match self.link(e, "subnet_id", SUBNET) {
            Link::Found(s) => self.subnet_of.get(&s).cloned()?,
            _ => {
                self.note(e, Outcome::Skipped, "its subnet is not in the input");
                return None;
            }
        };
        if v != vpc {
            self.note(
                e,
                Outcome::Skipped,
                "its subnet is in another VPC than its instance's",
            );
            return None;
        }
        let cidr = self.doc.vpcs[vpc].subnets[&subnet].cidr;
        let a = self.at(e);
        let mut ips: Vec<Ipv4Addr> = strings(a, "private_ips")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        if let Some(x) = addr(a, "private_ip") {
            ips.retain(|y| *y != x);
            ips.insert(0, x);
        }
        ips.retain(|x| usable(cidr, *x) && used.insert((vpc.to_string(), *x)));
        let groups = self.groups_of(e, vpc, &["security_groups"]);
        let a = self.at(e);
        Some(NetworkInterface {
            aws_id: aws_id(a, "eni-"),
            description: name_tag(a).or(text(a, "description")).map(str::to_string),
            subnet,
            ip: ips.first().copied(),
            secondary_ips: ips.iter().skip(1).copied().collect(),
            security_groups: groups,
            source_dest_check: flag(a, "source_dest_check").filter(|b| !b),
            public_ip: None,
        })
    }

    /// Interfaces attached to each instance, from all three ways Terraform says it.
    fn attachments(&mut self) -> BTreeMap<ResId, Vec<Eni>> {
        let mut out: BTreeMap<ResId, Vec<Eni>> = BTreeMap::new();
        let mut add = |inst: ResId, res: ResId, device: i64| {
            let list = out.entry(inst).or_default();
            if !list.iter().any(|e| e.res == res) {
                list.push(Eni { res, device });
            }
        };
        for i in self.each("aws_instance") {
            for b in blocks(self.at(i), "network_interface") {
                let device = int(b, "device_index").unwrap_or(0);
                if let Some(e) = text(b, "network_interface_id")
                    .and_then(|id| self.ix.by_id(id, &["aws_network_interface"]))
                {
                    add(i, e, device);
                }
            }
        }
        for e in self.each("aws_network_interface") {
            for b in blocks(self.at(e), "attachment") {
                let device = int(b, "device_index").unwrap_or(1);
                if let Some(inst) =
                    text(b, "instance").and_then(|id| self.ix.by_id(id, &["aws_instance"]))
                {
                    add(inst, e, device);
                }
            }
        }
        for x in self.each("aws_network_interface_attachment") {
            let inst = self.link(x, "instance_id", &["aws_instance"]);
            let eni = self.link(x, "network_interface_id", &["aws_network_interface"]);
            let device = int(self.at(x), "device_index").unwrap_or(1);
            match (inst, eni) {
                (Link::Found(i), Link::Found(e)) => add(i, e, device),
                _ => self.note(
                    x,
                    Outcome::Skipped,
                    "its instance or interface is not in the input",
                ),
            }
        }
        out
    }

    /// Elastic IPs of instances: `aws_eip.instance` and `aws_eip_association`; None inside
    /// when the address is known only after apply.
    fn instance_eips(&mut self) -> BTreeMap<ResId, Option<Ipv4Addr>> {
        let mut out = BTreeMap::new();
        for e in self.each("aws_eip") {
            let ip = addr(self.at(e), "public_ip");
            if let Link::Found(i) = self.link(e, "instance", &["aws_instance"]) {
                out.insert(i, ip);
            } else if let Link::Found(n) =
                self.link(e, "network_interface", &["aws_network_interface"])
            {
                match self.primary_of(n) {
                    Some(i) => {
                        out.insert(i, ip);
                    }
                    None => self.note(e, Outcome::Skipped, "an Elastic IP on an interface that is no instance's primary one is not imported"),
                }
            }
        }
        for x in self.each("aws_eip_association") {
            let inst = match self.link(x, "instance_id", &["aws_instance"]) {
                Link::Found(i) => Some(i),
                _ => match self.link(x, "network_interface_id", &["aws_network_interface"]) {
                    Link::Found(n) => self.primary_of(n),
                    _ => None,
                },
            };
            let Some(i) = inst else {
                self.note(
                    x,
                    Outcome::Skipped,
                    "its instance (or primary interface) is not in the input",
                );
                continue;
            };
            let ip = addr(self.at(x), "public_ip").or_else(|| {
                match self.link(x, "allocation_id", &["aws_eip"]) {
                    Link::Found(e) => addr(self.at(e), "public_ip"),
                    _ => None,
                }
            });
            out.insert(i, ip);
        }
        out
    }

    /// The instance whose primary interface (device 0) is `aws_network_interface` `eni`.
    fn primary_of(&self, eni: ResId) -> Option<ResId> {
        let id = text(self.at(eni), "id")?;
        self.each("aws_instance").into_iter().find(|&x| {
            text(self.at(x), "primary_network_interface_id") == Some(id)
                || blocks(self.at(x), "network_interface").iter().any(|b| {
                    text(b, "network_interface_id") == Some(id)
                        && int(b, "device_index").unwrap_or(0) == 0
                })
        })
    }
}
