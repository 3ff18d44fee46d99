//! VPCs (`aws_vpc`, `aws_default_vpc`, secondary CIDR associations), subnets (`aws_subnet`,
//! `aws_default_subnet`), stub VPCs for subnets of VPCs outside the input, the default VPC
//! Terraform puts objects in when they name none, customer-managed prefix lists, and the
//! last pass (regions).

use super::{Builder, Link, VPC};
use crate::import::doc::{PrefixList, PrefixListEntry, Subnet, Vpc, VpcDns};
use crate::import::report::{issue, Outcome};
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{aws_id, blocks, cidr, flag, name_tag, text};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

/// AWS's default VPC CIDR.
const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";

/// The smallest network holding all of `nets`, when it is /16 or longer (a VPC's limit).
fn covering(nets: &[Ipv4Net]) -> Option<Ipv4Net> {
    let first = *nets.first()?;
    let mut len = first.prefix_len();
    loop {
        let n = Ipv4Net::new(first.addr(), len).ok()?.trunc();
        if nets.iter().all(|s| n.contains(s)) {
            return (len >= 16).then_some(n);
        }
        if len == 0 {
            return None;
        }
        len -= 1;
    }
}

/// The region of an availability zone (`eu-west-1a` → `eu-west-1`).
fn region_of(az: &str) -> Option<String> {
    let r = az.trim_end_matches(|c: char| c.is_ascii_lowercase());
    (r.len() < az.len() && r.ends_with(|c: char| c.is_ascii_digit())).then(|| r.to_string())
}

impl Builder<'_> {
    /// `aws_ec2_managed_prefix_list` (+ `_entry`): IPv4 lists by name.
    pub fn prefix_lists(&mut self) {
        for i in self.each("aws_ec2_managed_prefix_list") {
            let a = self.at(i);
            if text(a, "address_family") == Some("IPv6") {
                self.report.later(
                    "aws_ec2_managed_prefix_list",
                    self.res(i).addr.to_string(),
                    Outcome::Unsupported,
                    "IPv6 prefix lists are not in the format yet",
                    issue::IPV6,
                );
                continue;
            }
            let name = Self::name_in(&mut self.pl_names, &self.inv.resources[i], text(a, "name"));
            let entries = blocks(a, "entry")
                .into_iter()
                .filter_map(|e| {
                    Some(PrefixListEntry {
                        cidr: cidr(e, "cidr")?,
                        description: text(e, "description").map(str::to_string),
                    })
                })
                .collect();
            let max = crate::import::terraform::values::int(a, "max_entries")
                .and_then(|n| u32::try_from(n).ok());
            self.doc.prefix_lists.insert(
                name.clone(),
                PrefixList {
                    aws_id: aws_id(a, "pl-"),
                    description: text(a, "name").map(str::to_string),
                    entries,
                    max_entries: max,
                },
            );
            self.pl_of.insert(i, name);
        }
        for i in self.each("aws_ec2_managed_prefix_list_entry") {
            let Link::Found(pl) = self.link(i, "prefix_list_id", &["aws_ec2_managed_prefix_list"])
            else {
                self.note(i, Outcome::Skipped, "its prefix list is not in the input");
                continue;
            };
            let (Some(name), Some(c)) = (self.pl_of.get(&pl).cloned(), cidr(self.at(i), "cidr"))
            else {
                continue;
            };
            let d = text(self.at(i), "description").map(str::to_string);
            if let Some(list) = self.doc.prefix_lists.get_mut(&name) {
                if !list.entries.iter().any(|e| e.cidr == c) {
                    list.entries.push(PrefixListEntry {
                        cidr: c,
                        description: d,
                    });
                }
            }
        }
        for list in self.doc.prefix_lists.values_mut() {
            if let Some(m) = list.max_entries {
                if (m as usize) < list.entries.len() {
                    list.max_entries = None;
                }
            }
        }
    }

    /// CIDRs of the subnets whose `vpc_id` names VPC resource `v`.
    fn subnet_cidrs_of(&self, v: ResId) -> Vec<Ipv4Net> {
        self.each("aws_subnet")
            .into_iter()
            .filter(|&s| self.ix.one(s, "vpc_id", VPC).first() == Some(v))
            .filter_map(|s| cidr(self.at(s), "cidr_block"))
            .collect()
    }

    /// `aws_vpc`, `aws_default_vpc` and `aws_vpc_ipv4_cidr_block_association`.
    pub fn vpcs(&mut self) {
        let mut all = self.each("aws_vpc");
        all.extend(self.each("aws_default_vpc"));
        for i in all {
            let a = self.at(i);
            let default = self.res(i).addr.kind == "aws_default_vpc";
            let c = match cidr(a, "cidr_block") {
                Some(c) => c,
                None if default => {
                    self.note(i, Outcome::Guessed, format!("cidr_block is known only after apply; AWS's default VPC CIDR {DEFAULT_VPC_CIDR}"));
                    DEFAULT_VPC_CIDR.parse().expect("a valid constant")
                }
                None => {
                    let subs = self.subnet_cidrs_of(i);
                    let c = covering(&subs)
                        .unwrap_or_else(|| "10.0.0.0/16".parse().expect("a valid constant"));
                    self.note(i, Outcome::Guessed, format!("cidr_block is known only after apply (IPAM); took {c}, covering its subnets"));
                    c
                }
            };
            let ipv6_cidr = self.vpc_block6(i);
            let tag = if default { Some("default") } else { None };
            let name = Self::name_in(
                &mut self.vpc_names,
                &self.inv.resources[i],
                name_tag(a).or(tag),
            );
            let dns = VpcDns {
                support: flag(a, "enable_dns_support"),
                hostnames: flag(a, "enable_dns_hostnames"),
            };
            let vpc = Vpc {
                aws_id: aws_id(a, "vpc-"),
                description: name_tag(a).map(str::to_string),
                cidr: c,
                ipv6_cidr,
                dns: (dns.support.is_some() || dns.hostnames.is_some()).then_some(dns),
                ..Vpc::default()
            };
            self.doc.vpcs.insert(name.clone(), vpc);
            self.vpc_of.insert(i, name.clone());
            if default {
                self.default_vpc = Some(name);
            }
        }
        self.ipv6_associations();
        for i in self.each("aws_vpc_ipv4_cidr_block_association") {
            let vpc = self.vpc_at(i, "vpc_id");
            let c = cidr(self.at(i), "cidr_block");
            match (vpc, c) {
                (Some(v), Some(c)) => {
                    if let Some(vpc) = self.vpc_mut(&v) {
                        if vpc.cidr != c && !vpc.secondary_cidrs.contains(&c) {
                            vpc.secondary_cidrs.push(c);
                        }
                    }
                }
                _ => self.note(i, Outcome::Skipped, "its VPC or CIDR is not known"),
            }
        }
    }

    /// The made-up default VPC (Terraform's objects without `vpc_id`/`subnet_id` are there).
    pub fn default_vpc(&mut self) -> String {
        if let Some(v) = &self.default_vpc {
            return v.clone();
        }
        let name = self.vpc_names.name(Some("default"), "default");
        let vpc = Vpc {
            cidr: DEFAULT_VPC_CIDR.parse().expect("a valid constant"),
            description: Some("the account's default VPC (not in the input)".into()),
            ..Vpc::default()
        };
        self.doc.vpcs.insert(name.clone(), vpc);
        self.report.add("aws_default_vpc", "(default VPC)", Outcome::Guessed, format!("objects name no VPC, so they are in the default VPC; made one with AWS's default CIDR {DEFAULT_VPC_CIDR}"));
        self.default_vpc = Some(name.clone());
        name
    }

    /// The default VPC's default subnet of zone letter `az` (`a` when unknown); None when
    /// AWS's layout (the k-th /20 for zone letter k) does not fit that VPC.
    pub fn default_subnet(&mut self, az: Option<&str>) -> Option<(String, String)> {
        let vpc = self.default_vpc();
        let letter = az
            .and_then(|z| z.chars().last())
            .filter(char::is_ascii_lowercase)
            .unwrap_or('a');
        let name = format!("default-{letter}");
        let k = (letter as u8 - b'a') as u32;
        let v = self
            .doc
            .vpcs
            .get_mut(&vpc)
            .expect("the default VPC was just made");
        if !v.subnets.contains_key(&name) && k < 16 {
            let base = u32::from(v.cidr.addr()).checked_add(k * 4096).unwrap_or(0);
            let c = Ipv4Net::new(base.into(), 20).expect("a /20 is a valid prefix");
            let free = !v
                .subnets
                .values()
                .any(|s| s.cidr.contains(&c) || c.contains(&s.cidr));
            if v.cidr.contains(&c) && free {
                v.subnets.insert(
                    name.clone(),
                    Subnet {
                        aws_id: None,
                        description: Some(format!(
                            "default subnet of zone {letter} (not in the input)"
                        )),
                        cidr: c,
                        az: az.map(str::to_string),
                        route_table: None,
                        network_acl: None,
                        map_public_ip: true,
                        ..Subnet::default()
                    },
                );
                self.report.add(
                    "aws_default_subnet",
                    format!("(default subnet {letter})"),
                    Outcome::Guessed,
                    format!("objects name no subnet; made the default VPC's default subnet {c}"),
                );
            }
        }
        let made = self.doc.vpcs.get(&vpc)?.subnets.contains_key(&name);
        made.then_some((vpc, name))
    }

    /// `aws_subnet` and `aws_default_subnet`; stub VPCs for VPC ids outside the input.
    pub fn subnets(&mut self) {
        let mut external: BTreeMap<String, Vec<ResId>> = BTreeMap::new();
        let mut placed: Vec<(ResId, String)> = vec![];
        for i in self.each("aws_subnet") {
            match self.link(i, "vpc_id", VPC) {
                Link::Found(t) => match self.vpc_of.get(&t) {
                    Some(v) => placed.push((i, v.clone())),
                    None => self.note(i, Outcome::Skipped, "its VPC was not imported"),
                },
                Link::External(id) => external.entry(id).or_default().push(i),
                Link::Missing => external.entry(String::new()).or_default().push(i),
            }
        }
        for (id, subs) in external {
            let nets: Vec<Ipv4Net> = subs
                .iter()
                .filter_map(|&s| cidr(self.at(s), "cidr_block"))
                .collect();
            let Some(c) = covering(&nets).or_else(|| {
                nets.first()
                    .and_then(|n| Ipv4Net::new(n.addr(), 16.min(n.prefix_len())).ok())
                    .map(|n| n.trunc())
            }) else {
                for s in subs {
                    self.note(s, Outcome::Skipped, "neither its VPC nor its CIDR is known");
                }
                continue;
            };
            let label = if id.is_empty() {
                "unknown-vpc"
            } else {
                id.as_str()
            };
            let name = self.vpc_names.name(Some(label), label);
            let aws = crate::import::terraform::values::valid_id(&id, "vpc-");
            self.doc.vpcs.insert(
                name.clone(),
                Vpc {
                    aws_id: aws,
                    description: Some("not in the input: its CIDR covers its subnets".into()),
                    cidr: c,
                    ..Vpc::default()
                },
            );
            let why = if id.is_empty() {
                "its VPC is not known".to_string()
            } else {
                format!("VPC {id} is not in the input")
            };
            self.report.add(
                "aws_vpc",
                label.to_string(),
                Outcome::Guessed,
                format!("{why}; made a VPC {c} covering its subnets"),
            );
            if !id.is_empty() {
                self.ext_vpc.insert(id, name.clone());
            }
            placed.extend(subs.into_iter().map(|s| (s, name.clone())));
        }
        for (i, vpc) in placed {
            self.subnet(i, &vpc, None);
        }
        for i in self.each("aws_default_subnet") {
            let a = self.at(i);
            let az = text(a, "availability_zone").map(str::to_string);
            let vpc = self.default_vpc();
            let c = cidr(a, "cidr_block");
            if c.is_none() {
                match self.default_subnet(az.as_deref()) {
                    Some(x) => {
                        self.note(i, Outcome::Guessed, "cidr_block is known only after apply; AWS's default subnet layout");
                        self.subnet_of.insert(i, x);
                    }
                    None => self.note(i, Outcome::Skipped, "cidr_block is known only after apply and AWS's default layout does not fit the VPC"),
                }
                continue;
            }
            self.subnet(i, &vpc, Some("default"));
        }
    }

    /// One subnet into `vpc`, checked against the VPC's CIDRs and its siblings.
    fn subnet(&mut self, i: ResId, vpc: &str, tag: Option<&str>) {
        let a = self.at(i);
        let Some(c) = cidr(a, "cidr_block").or_else(|| self.placeholder4(i, vpc)) else {
            self.note(
                i,
                Outcome::Skipped,
                "cidr_block is known only after apply (computed): the subnet is left out",
            );
            return;
        };
        let az = text(a, "availability_zone").map(str::to_string);
        if az.is_none() {
            self.note(
                i,
                Outcome::Guessed,
                "availability_zone is not set (AWS picks one): the format's default zone",
            );
        }
        let Some(v) = self.doc.vpcs.get(vpc) else {
            return;
        };
        let inside = v.cidr.contains(&c) || v.secondary_cidrs.iter().any(|s| s.contains(&c));
        let clash = v
            .subnets
            .iter()
            .find(|(_, s)| s.cidr.contains(&c) || c.contains(&s.cidr))
            .map(|(n, _)| n.clone());
        if !inside {
            self.note(
                i,
                Outcome::Skipped,
                format!("{c} is outside its VPC's CIDRs"),
            );
            return;
        }
        if let Some(n) = clash {
            self.note(
                i,
                Outcome::Skipped,
                format!("{c} overlaps subnet {n} of the same VPC"),
            );
            return;
        }
        let name = self.scoped_name(vpc, "subnet", i, tag);
        let mut s = Subnet {
            aws_id: aws_id(a, "subnet-"),
            description: name_tag(a).map(str::to_string),
            cidr: c,
            az,
            route_table: None,
            network_acl: None,
            map_public_ip: flag(a, "map_public_ip_on_launch").unwrap_or(false),
            ..Subnet::default()
        };
        self.subnet6(i, vpc, &mut s);
        if let Some(v) = self.vpc_mut(vpc) {
            v.subnets.insert(name.clone(), s);
        }
        self.subnet_of.insert(i, (vpc.to_string(), name));
    }

    /// The last pass: each VPC's region from its subnets' zones, the topology's from the most
    /// common; zones of another region than their VPC's dropped.
    pub fn finish(&mut self) {
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        let mut per_vpc: BTreeMap<String, String> = BTreeMap::new();
        for (name, v) in &self.doc.vpcs {
            if let Some(r) = v
                .subnets
                .values()
                .filter_map(|s| s.az.as_deref())
                .find_map(region_of)
            {
                *votes.entry(r.clone()).or_default() += 1;
                per_vpc.insert(name.clone(), r);
            }
        }
        let top = votes
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(r, _)| r.clone());
        self.doc.region = top.clone();
        let mut dropped = vec![];
        for (name, v) in self.doc.vpcs.iter_mut() {
            let r = per_vpc.get(name).cloned();
            if r.is_some() && r != top {
                v.region = r.clone();
            }
            let region = r.or(top.clone());
            for (sn, s) in v.subnets.iter_mut() {
                if let Some(z) = &s.az {
                    if region_of(z) != region {
                        dropped.push(format!("{name}/{sn} ({z})"));
                        s.az = None;
                    }
                }
            }
        }
        for d in dropped {
            self.report.add("aws_subnet", d, Outcome::Approximated, "its zone is in another region than its VPC's other subnets: the format's default zone");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_blocks_and_regions() {
        let n = |s: &str| s.parse::<Ipv4Net>().unwrap();
        assert_eq!(
            covering(&[n("10.0.1.0/24"), n("10.0.2.0/24")]),
            Some(n("10.0.0.0/22"))
        );
        assert_eq!(
            covering(&[n("10.0.0.0/24"), n("10.9.0.0/24")]),
            None,
            "wider than /16"
        );
        assert_eq!(region_of("eu-west-1a").as_deref(), Some("eu-west-1"));
        assert_eq!(region_of("us-east-1"), None);
    }
}
