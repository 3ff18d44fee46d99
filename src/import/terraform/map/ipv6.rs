//! The IPv6 part of `vpclab import terraform` (issue 16; `docs/import.md`, "Terraform"):
//! `aws_vpc`'s `ipv6_cidr_block` / `assign_generated_ipv6_cidr_block` (and
//! `aws_vpc_ipv6_cidr_block_association`), `aws_subnet`'s `ipv6_cidr_block`, `ipv6_native`,
//! `enable_dns64` and `assign_ipv6_address_on_creation`, `aws_egress_only_internet_gateway`,
//! IPv6 route targets, and IPv6 CIDRs of NACL and SG rules. Values known only after apply
//! follow the importer's rule: allocated as vpclab would (`amazon`, a /64 by position) and
//! reported as guessed.

use super::{Builder, InVpc};
use crate::import::doc::{Peer, Subnet, Target};
use crate::import::doc_ipv6::{EgressOnlyInternetGateway, SubnetBlock, VpcBlock};
use crate::import::report::Outcome;
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{aws_id, flag, name_tag, text, Attrs};
use crate::topology::ipv6 as v6;
use ipnet::{IpNet, Ipv6Net};
use std::net::Ipv6Addr;

/// An IPv6 CIDR as the format takes it (the network address itself).
fn cidr6(s: &str) -> Option<Ipv6Net> {
    v6::cidr6(s).ok()
}

impl Builder<'_> {
    /// The IPv6 block of VPC resource `i`: the written `ipv6_cidr_block` (/44../60 in steps
    /// of 4), or `amazon` for `assign_generated_ipv6_cidr_block` (AWS picks the /56 at apply;
    /// vpclab picks the next free one of its pool, reported).
    pub(super) fn vpc_block6(&mut self, i: ResId) -> Option<VpcBlock> {
        let a = self.at(i);
        if let Some(t) = text(a, "ipv6_cidr_block") {
            return match cidr6(t) {
                Some(n) if (44..=60).contains(&n.prefix_len()) && n.prefix_len() % 4 == 0 => {
                    Some(VpcBlock::Cidr(n))
                }
                _ => {
                    self.note(
                        i,
                        Outcome::Skipped,
                        format!("ipv6_cidr_block {t} is not an IPv6 block /44../60 in steps of 4"),
                    );
                    None
                }
            };
        }
        let generated = flag(a, "assign_generated_ipv6_cidr_block") == Some(true);
        if generated {
            self.note(i, Outcome::Guessed, "the Amazon-provided IPv6 block is known only after apply: written `ipv6_cidr: amazon` (the next /56 of vpclab's pool)");
            return Some(VpcBlock::Amazon);
        }
        None
    }

    /// `aws_vpc_ipv6_cidr_block_association`: the block of a VPC that has none yet.
    pub(super) fn ipv6_associations(&mut self) {
        for i in self.each("aws_vpc_ipv6_cidr_block_association") {
            let vpc = self.vpc_at(i, "vpc_id");
            let block = self.vpc_block6(i).or_else(|| {
                // An IPAM pool's block is known only after apply, like an Amazon-provided one.
                text(self.at(i), "ipv6_ipam_pool_id").map(|_| VpcBlock::Amazon)
            });
            match (vpc, block) {
                (Some(v), Some(b)) => match self.vpc_mut(&v) {
                    Some(vpc) if vpc.ipv6_cidr.is_none() => vpc.ipv6_cidr = Some(b),
                    Some(_) => self.note(
                        i,
                        Outcome::Skipped,
                        "a second IPv6 block: the format holds one per VPC",
                    ),
                    None => {}
                },
                _ => self.note(i, Outcome::Skipped, "its VPC or IPv6 block is not known"),
            }
        }
    }

    /// The IPv6 fields of subnet resource `i` of `vpc`: its `ipv6_cidr_block` (a /64 of the
    /// VPC's block), or, known only after apply (`cidrsubnet(aws_vpc.x.ipv6_cidr_block, 8,
    /// N)`), the next /64 by position among the VPC's IPv6 subnets (reported); the flags.
    pub(super) fn subnet6(&mut self, i: ResId, vpc: &str, s: &mut Subnet) {
        let a = self.at(i);
        let native = flag(a, "ipv6_native") == Some(true);
        let assign = flag(a, "assign_ipv6_address_on_creation");
        let Some(block) = self.vpc_mut(vpc).and_then(|v| v.ipv6_cidr) else {
            if text(a, "ipv6_cidr_block").is_some() || native {
                self.note(
                    i,
                    Outcome::Skipped,
                    "IPv6 left out: its VPC has no IPv6 block in the input",
                );
            }
            return;
        };
        let taken: Vec<SubnetBlock> = self
            .vpc_mut(vpc)
            .map(|v| v.subnets.values().filter_map(|x| x.ipv6_cidr).collect())
            .unwrap_or_default();
        s.ipv6_cidr = match text(a, "ipv6_cidr_block") {
            Some(t) => match cidr6(t) {
                Some(n)
                    if n.prefix_len() == 64
                        && block.cidr().is_none_or(|b| b.contains(&n))
                        && !taken.contains(&SubnetBlock::Cidr(n)) =>
                {
                    Some(SubnetBlock::Cidr(n))
                }
                _ => {
                    self.note(i, Outcome::Skipped, format!("ipv6_cidr_block {t} is not a free /64 of its VPC's block: IPv6 left out"));
                    None
                }
            },
            None if self.res(i).is_unknown("ipv6_cidr_block") || native || assign == Some(true) => {
                let n = (0u32..)
                    .find(|n| !taken.contains(&SubnetBlock::Index(*n)))
                    .unwrap_or_default();
                self.note(i, Outcome::Guessed, format!("ipv6_cidr_block is known only after apply: the VPC block's /64 number {n}, by position"));
                Some(SubnetBlock::Index(n))
            }
            None => None,
        };
        if s.ipv6_cidr.is_none() {
            return;
        }
        s.ipv6_only = native;
        s.dns64 = flag(a, "enable_dns64") == Some(true);
        let assign = assign.unwrap_or(native);
        s.assign_ipv6_address_on_creation = (assign != native).then_some(assign);
    }

    /// The IPv4 `cidr` an IPv6-native subnet resource `i` (no `cidr_block`, not unknown)
    /// takes in `vpc` (the format needs one; its instances never use it): the highest /24,
    /// else /26, /28, of the VPC's CIDRs that overlaps no subnet written so far and no known
    /// `cidr_block` of the input's subnets (reported as approximated).
    pub(super) fn placeholder4(&mut self, i: ResId, vpc: &str) -> Option<ipnet::Ipv4Net> {
        let a = self.at(i);
        if flag(a, "ipv6_native") != Some(true) || self.res(i).is_unknown("cidr_block") {
            return None;
        }
        let mut taken: Vec<ipnet::Ipv4Net> = self
            .each("aws_subnet")
            .into_iter()
            .filter_map(|s| crate::import::terraform::values::cidr(self.at(s), "cidr_block"))
            .collect();
        let v = self.vpc_mut(vpc)?;
        taken.extend(v.subnets.values().map(|s| s.cidr));
        let cidrs: Vec<ipnet::Ipv4Net> = std::iter::once(v.cidr)
            .chain(v.secondary_cidrs.iter().copied())
            .collect();
        let found = [24u8, 26, 28].iter().find_map(|&len| {
            cidrs.iter().find_map(|c| {
                let subs: Vec<ipnet::Ipv4Net> = c.subnets(len.max(c.prefix_len())).ok()?.collect();
                subs.into_iter()
                    .rev()
                    .find(|n| !taken.iter().any(|t| t.contains(n) || n.contains(t)))
            })
        })?;
        self.note(i, Outcome::Approximated, format!("an IPv6-only subnet: its IPv4 cidr {found} is a placeholder the format needs (its instances use IPv6 only)"));
        Some(found)
    }

    /// `aws_egress_only_internet_gateway`: one per VPC that has an IPv6 block.
    pub(super) fn egress_only_gateways(&mut self) {
        for i in self.each("aws_egress_only_internet_gateway") {
            let Some(vpc) = self.vpc_at(i, "vpc_id") else {
                self.note(i, Outcome::Skipped, "its VPC is not in the input");
                continue;
            };
            let why = match self.vpc_mut(&vpc) {
                None => Some("its VPC is not in the input"),
                Some(v) if v.ipv6_cidr.is_none() => Some("its VPC has no IPv6 block"),
                Some(v) if !v.egress_only_internet_gateways.is_empty() => {
                    Some("its VPC already has an egress-only internet gateway")
                }
                Some(_) => None,
            };
            if let Some(why) = why {
                self.note(i, Outcome::Skipped, why);
                continue;
            }
            let name = self.scoped_name(&vpc, "eigw", i, None);
            let a = self.at(i);
            let g = EgressOnlyInternetGateway {
                aws_id: aws_id(a, "eigw-"),
                description: name_tag(a).map(str::to_string),
            };
            if let Some(v) = self.vpc_mut(&vpc) {
                v.egress_only_internet_gateways.insert(name.clone(), g);
            }
            self.eigw_of.insert(i, (vpc, name));
        }
    }

    /// A route's target when it is an egress-only gateway resource `t` (of `vpc` or not).
    pub(super) fn eigw_target(&self, t: ResId, vpc: &str) -> Target {
        match self.eigw_of.get(&t) {
            Some((v, n)) if v == vpc => Target::Eigw(n.clone()),
            _ => Target::Blackhole,
        }
    }

    /// The target an IPv6 route (resource `i`, destination `d`, in VPC `owner.0`) keeps: None
    /// (reported) for a VPC without an IPv6 block or a NAT gateway outside NAT64; transit
    /// gateways and VGWs carry no IPv6 in vpclab: blackholes, reported.
    pub(super) fn route6_target(
        &mut self,
        i: ResId,
        owner: &InVpc,
        d: Ipv6Net,
        t: Target,
    ) -> Option<Target> {
        if self.vpc_mut(&owner.0).is_none_or(|v| v.ipv6_cidr.is_none()) {
            self.note(
                i,
                Outcome::Skipped,
                format!("an IPv6 route to {d} in a VPC without an IPv6 block"),
            );
            return None;
        }
        match t {
            Target::Nat(_) if !v6::nat64_prefix().contains(&d) => {
                self.note(
                    i,
                    Outcome::Skipped,
                    format!("a NAT gateway takes IPv6 only for NAT64 (64:ff9b::/96), not {d}"),
                );
                None
            }
            Target::Tgw(_) | Target::Vgw(_) => {
                self.note(i, Outcome::Approximated, format!("an IPv6 route to {d} over a transit gateway or VGW is not modelled: imported as a blackhole"));
                Some(Target::Blackhole)
            }
            t => Some(t),
        }
    }

    /// The IPv6 CIDR of a NACL rule (`ipv6_cidr_block`), when it has one.
    pub(super) fn nacl_cidr6(&mut self, i: ResId, a: &Attrs) -> Option<Option<IpNet>> {
        let t = text(a, "ipv6_cidr_block")?;
        let n = cidr6(t).map(IpNet::V6);
        if n.is_none() {
            self.note(i, Outcome::Skipped, format!("{t} is not an IPv6 network"));
        }
        Some(n)
    }

    /// The IPv6 peers of an SG rule (`ipv6_cidr_blocks` or `cidr_ipv6`, as `texts`).
    pub(super) fn peers6(&mut self, i: ResId, texts: Vec<&str>) -> Vec<Peer> {
        let mut out = vec![];
        for c in texts {
            match cidr6(c) {
                Some(n) => out.push(Peer::Cidr6(n)),
                None => self.note(i, Outcome::Skipped, format!("{c} is not an IPv6 network")),
            }
        }
        out
    }

    /// The IPv6 addresses of an instance or interface (`ipv6_addresses`) and, when none is
    /// known, `ipv6_address_count` (the format assigns that many).
    pub(super) fn addresses6(&mut self, i: ResId) -> (Vec<Ipv6Addr>, Option<u8>) {
        let a = self.at(i);
        let mut list = vec![];
        for t in crate::import::terraform::values::strings(a, "ipv6_addresses") {
            match v6::ipv6(t) {
                Ok(ip) => list.push(ip),
                Err(e) => self.note(i, Outcome::Skipped, format!("IPv6 address left out: {e}")),
            }
        }
        let count = crate::import::terraform::values::int(a, "ipv6_address_count")
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| *n > 0 && list.is_empty());
        (list, count)
    }
}
