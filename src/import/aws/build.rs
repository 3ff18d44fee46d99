//! Building the document from a merged [`Snapshot`]: the order of the steps (each in its own
//! file), the index of what was imported (AWS id → name, VPC, ...) that later steps resolve
//! references through, and the checks at the end (unique `aws_id`s, the public IP pool, the
//! top-level region and account). Every object is visited in AWS-id order, so names and
//! output do not depend on the order of files or of their arrays.

use super::super::doc::{Document, Vpc};
use super::super::names::Namer;
use super::super::report::{Outcome, Report};
use super::snapshot::{At, Snapshot};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// An imported VPC as later steps need it.
#[derive(Debug, Clone)]
pub struct VpcInfo {
    /// Its name in the document.
    pub name: String,
    /// Its CIDRs (primary first).
    pub cidrs: Vec<Ipv4Net>,
    /// Region, when known.
    pub region: Option<String>,
    /// Account, when known (12 digits).
    pub account: Option<String>,
}

/// An imported subnet.
#[derive(Debug, Clone)]
pub struct SubnetInfo {
    /// Its VPC's AWS id.
    pub vpc: String,
    /// Its name in the document.
    pub name: String,
    /// Its CIDR.
    pub cidr: Ipv4Net,
    /// Its AZ as imported.
    pub az: Option<String>,
}

/// What a network interface became.
#[derive(Debug, Clone)]
pub struct EniInfo {
    /// Its VPC's AWS id.
    pub vpc: String,
    /// The instance (or NAT gateway) it belongs to, by document name.
    pub owner: String,
    /// Device index (0 = the primary interface: a route can target it).
    pub device: usize,
    /// A NAT gateway's interface.
    pub nat: bool,
}

/// AWS id → what it became, for the steps that resolve references.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// VPCs.
    pub vpcs: BTreeMap<String, VpcInfo>,
    /// Subnets.
    pub subnets: BTreeMap<String, SubnetInfo>,
    /// SGs: (VPC id, name).
    pub sgs: BTreeMap<String, (String, String)>,
    /// NAT gateways: (VPC id, name).
    pub nats: BTreeMap<String, (String, String)>,
    /// Peerings: (name, requester VPC id, accepter VPC id).
    pub peerings: BTreeMap<String, (String, String, String)>,
    /// Interfaces.
    pub enis: BTreeMap<String, EniInfo>,
    /// Instances: (VPC id, name).
    pub instances: BTreeMap<String, (String, String)>,
    /// Prefix lists: name.
    pub prefix_lists: BTreeMap<String, String>,
    /// IGW id → the VPC ids it is attached to.
    pub igws: BTreeMap<String, Vec<String>>,
    /// Every private address taken per VPC id (instances, NAT gateways).
    pub taken_ips: BTreeSet<Ipv4Addr>,
    /// Every IPv6 address taken by an interface.
    pub taken_ips6: BTreeSet<std::net::Ipv6Addr>,
    /// Egress-only internet gateways: (VPC id, name).
    pub eigws: BTreeMap<String, (String, String)>,
    /// Transit gateways, VGWs, VPN and Direct Connect (issue 13).
    pub transit: super::transit::TransitIndex,
}

/// What every step works on.
pub struct Builder {
    /// The document being built.
    pub doc: Document,
    /// The report.
    pub report: Report,
    /// What was imported so far.
    pub index: Index,
    /// Names of instances and NAT gateways (unique in the topology).
    pub hosts: Namer,
    /// Accounts already reported as padded.
    padded: BTreeSet<String>,
}

impl Builder {
    /// The VPC of the document with this AWS id (it was imported).
    pub fn vpc_mut(&mut self, vpc_id: &str) -> Option<&mut Vpc> {
        let name = &self.index.vpcs.get(vpc_id)?.name;
        self.doc.vpcs.get_mut(name)
    }

    /// An account id as the format wants it: 12 digits. Shorter digit strings (Batfish's
    /// `accounts/111/`) are padded with zeros and reported once; anything else is dropped.
    pub fn account(&mut self, raw: Option<&str>) -> Option<String> {
        let raw = raw?.trim();
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) || raw.len() > 12 {
            if !raw.is_empty() && self.padded.insert(raw.to_string()) {
                self.report.add(
                    "Account",
                    raw,
                    Outcome::Skipped,
                    "not an AWS account id (12 digits): the VPCs take the default account",
                );
            }
            return None;
        }
        let padded = format!("{raw:0>12}");
        if padded != raw && self.padded.insert(raw.to_string()) {
            self.report.add(
                "Account",
                raw,
                Outcome::Approximated,
                format!("written as the 12-digit {padded}"),
            );
        }
        Some(padded)
    }
}

/// The objects of `v` by AWS id, in id order. The first of each id is kept: the same object
/// seen again (from another page, or from the other account of a peering) is dropped.
pub fn by_id<T: Clone>(
    v: &[At<T>],
    id: impl Fn(&T) -> &str,
    kind: &str,
    report: &mut Report,
) -> Vec<At<T>> {
    let mut seen: BTreeMap<String, At<T>> = BTreeMap::new();
    for a in v {
        let k = id(&a.item).to_string();
        if k.is_empty() {
            report.add(
                kind,
                a.file.clone(),
                Outcome::Skipped,
                "an entry without an id",
            );
            continue;
        }
        seen.entry(k).or_insert_with(|| a.clone());
    }
    seen.into_values().collect()
}

/// The most frequent value (the smallest on a tie), for the top-level defaults.
fn most_common<'a>(vals: impl Iterator<Item = &'a String>) -> Option<String> {
    let mut n: BTreeMap<&String, usize> = BTreeMap::new();
    for v in vals {
        *n.entry(v).or_default() += 1;
    }
    let best = n.values().copied().max()?;
    n.into_iter()
        .find(|(_, c)| *c == best)
        .map(|(v, _)| v.clone())
}

/// Builds the document named `name` from `snap`.
pub fn build(snap: &Snapshot, name: String) -> (Document, Report) {
    let mut b = Builder {
        doc: Document {
            name,
            ..Document::default()
        },
        report: Report::new(),
        index: Index::default(),
        hosts: Namer::new(),
        padded: BTreeSet::new(),
    };
    super::vpcs::vpcs(&mut b, snap);
    super::vpcs::subnets(&mut b, snap);
    super::vpcs::gateways(&mut b, snap);
    super::endpoints::managed_lists(&mut b, snap);
    super::prefix::prefix_lists(&mut b, snap);
    super::peerings::peerings(&mut b, snap);
    super::transit::transit_gateways(&mut b, snap);
    super::hybrid::vpn_gateways(&mut b, snap);
    super::sgs::name_groups(&mut b, snap);
    super::hosts::nat_gateways(&mut b, snap);
    super::hosts::instances(&mut b, snap);
    super::sgs::rules(&mut b, snap);
    super::acls::network_acls(&mut b, snap);
    super::routes::route_tables(&mut b, snap);
    super::endpoints::endpoints(&mut b, snap);
    super::hybrid::hybrid(&mut b, snap);
    super::load_balancers::load_balancers(&mut b, snap);
    super::later::report_later(&mut b, snap);
    finish(&mut b);
    (b.doc, b.report)
}

/// The top-level region and account (the most common; VPCs keep theirs only when different),
/// and the public IP pool: a /28 around each NAT gateway's Elastic IP (the format wants them
/// inside the pool), none when there is none (the default pool then).
fn finish(b: &mut Builder) {
    let region = most_common(b.doc.vpcs.values().filter_map(|v| v.region.as_ref()));
    let account = most_common(b.doc.vpcs.values().filter_map(|v| v.account.as_ref()));
    for v in b.doc.vpcs.values_mut() {
        if v.region == region {
            v.region = None;
        }
        if v.account == account {
            v.account = None;
        }
    }
    b.doc.region = region;
    b.doc.account = account;
    super::transit::finish(b);
    let mut pool: BTreeSet<Ipv4Net> = BTreeSet::new();
    for v in b.doc.vpcs.values() {
        for n in v.nat_gateways.values() {
            if let Some(ip) = n.elastic_ip {
                if let Ok(net) = Ipv4Net::new(ip, 28) {
                    pool.insert(net.trunc());
                }
            }
        }
    }
    b.doc.public_ip_pool = pool.into_iter().collect();
    super::super::ids::check_ids(&mut b.doc, &mut b.report);
}
