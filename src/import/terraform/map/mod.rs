//! Terraform resources → the topology document. [`build`] runs one pass per family (VPCs and
//! subnets, gateways, transit gateways and VGWs, security groups, NACLs, instances, peerings,
//! route tables, VPN and Direct Connect), each in
//! its own file as methods of [`Builder`], which holds the names given so far and the report.

mod endpoints;
mod gateways;
mod hybrid;
mod instances;
mod ipv6;
mod load_balancers;
mod nacls;
mod routes;
mod sgs;
mod tidy;
mod transit;
mod vpcs;

use super::kinds::{kind, Kind};
use super::resolve::{Index, ResId, Resolution};
use super::shape::{Inventory, Resource};
use super::values::{name_tag, Attrs};
use crate::import::doc::{Document, Vpc};
use crate::import::names::Namer;
use crate::import::report::{Outcome, Report};
use crate::import::Imported;
use std::collections::{BTreeMap, HashMap};

/// Types whose `vpc_id` a VPC reference may name.
pub(super) const VPC: &[&str] = &["aws_vpc", "aws_default_vpc"];
/// Subnet types.
pub(super) const SUBNET: &[&str] = &["aws_subnet", "aws_default_subnet"];
/// Security group types.
pub(super) const SG: &[&str] = &["aws_security_group", "aws_default_security_group"];

/// A named object of one VPC: (VPC name, object name).
pub(super) type InVpc = (String, String);

/// The state of one import.
pub(super) struct Builder<'a> {
    pub ix: Index<'a>,
    pub inv: &'a Inventory,
    pub doc: Document,
    pub report: Report,
    /// VPC resources (and stubs keyed by a pseudo id) → VPC name.
    pub vpc_of: HashMap<ResId, String>,
    /// External VPC ids (not in the input) → the stub VPC made for them.
    pub ext_vpc: HashMap<String, String>,
    pub subnet_of: HashMap<ResId, InVpc>,
    pub sg_of: HashMap<ResId, InVpc>,
    pub acl_of: HashMap<ResId, InVpc>,
    pub rt_of: HashMap<ResId, InVpc>,
    pub nat_of: HashMap<ResId, InVpc>,
    pub inst_of: HashMap<ResId, InVpc>,
    pub pcx_of: HashMap<ResId, String>,
    pub pl_of: HashMap<ResId, String>,
    /// VPCs with an internet gateway resource attached → that gateway.
    pub igw_of: HashMap<ResId, String>,
    /// Names of VPCs.
    pub vpc_names: Namer,
    /// Instance and NAT gateway names (unique in the topology).
    pub global_names: Namer,
    /// Peering names.
    pub pcx_names: Namer,
    /// Prefix-list names.
    pub pl_names: Namer,
    /// Per-VPC scopes: (VPC, kind) → names.
    pub scoped: BTreeMap<(String, &'static str), Namer>,
    /// The default VPC made up for objects Terraform puts there (no `vpc_id`/`subnet_id`).
    pub default_vpc: Option<String>,
    /// EIPs a NAT gateway took (by reference or by position).
    pub eips_used: std::collections::BTreeSet<ResId>,
    /// Transit gateways, VGWs, VPN and Direct Connect (issue 13).
    pub hybrid: transit::Hybrid,
    /// Egress-only internet gateways → (VPC, name).
    pub eigw_of: HashMap<ResId, InVpc>,
}

impl<'a> Builder<'a> {
    fn new(inv: &'a Inventory, name: &str) -> Self {
        Builder {
            ix: Index::new(inv),
            inv,
            doc: Document {
                name: name.to_string(),
                ..Document::default()
            },
            report: Report::new(),
            vpc_of: HashMap::new(),
            ext_vpc: HashMap::new(),
            subnet_of: HashMap::new(),
            sg_of: HashMap::new(),
            acl_of: HashMap::new(),
            rt_of: HashMap::new(),
            nat_of: HashMap::new(),
            inst_of: HashMap::new(),
            pcx_of: HashMap::new(),
            pl_of: HashMap::new(),
            igw_of: HashMap::new(),
            vpc_names: Namer::new(),
            global_names: Namer::new(),
            pcx_names: Namer::new(),
            pl_names: Namer::new(),
            scoped: BTreeMap::new(),
            default_vpc: None,
            eips_used: Default::default(),
            hybrid: Default::default(),
            eigw_of: HashMap::new(),
        }
    }

    /// The resource `i`.
    pub fn res(&self, i: ResId) -> &'a Resource {
        &self.inv.resources[i]
    }

    /// Its attributes.
    pub fn at(&self, i: ResId) -> &'a Attrs {
        &self.inv.resources[i].values
    }

    /// Managed resources of type `t`, in input order.
    pub fn each(&self, t: &str) -> Vec<ResId> {
        self.ix.of_kind(&[t], None)
    }

    /// A report entry about resource `i`.
    pub fn note(&mut self, i: ResId, outcome: Outcome, reason: impl Into<String>) {
        let a = &self.inv.resources[i].addr;
        self.report
            .add(a.kind.clone(), a.to_string(), outcome, reason);
    }

    /// A name for resource `i` in `scope`: its Name tag, else its Terraform name (and key).
    pub fn name_in(namer: &mut Namer, r: &Resource, tag: Option<&str>) -> String {
        let label = match &r.addr.index {
            None => r.addr.name.clone(),
            Some(k) => format!("{}-{}", r.addr.name, k),
        };
        let id = r
            .values
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or(&label)
            .to_string();
        namer.name(tag.or(name_tag(&r.values)).or(Some(&label)), &id)
    }

    /// A new name for resource `i` among the `kind` objects of `vpc` (reserving the implicit
    /// `main` table, `default` NACL and SG).
    pub fn scoped_name(
        &mut self,
        vpc: &str,
        kind: &'static str,
        i: ResId,
        tag: Option<&str>,
    ) -> String {
        let r = self.res(i);
        let namer = self
            .scoped
            .entry((vpc.to_string(), kind))
            .or_insert_with(|| Namer::reserving(&["main", "default"]));
        Self::name_in(namer, r, tag)
    }

    /// Resolves a single reference attribute, reporting a guess; the target resource or,
    /// when outside the input, its id.
    pub fn link(&mut self, i: ResId, attr: &str, kinds: &[&str]) -> Link {
        match self.ix.one(i, attr, kinds) {
            Resolution::Found { targets, guess } => {
                if let Some(g) = guess {
                    self.note(i, Outcome::Guessed, format!("{attr}: {g}"));
                }
                targets.first().map_or(Link::Missing, |&t| Link::Found(t))
            }
            Resolution::External(id) => Link::External(id),
            Resolution::Missing => Link::Missing,
        }
    }

    /// Resolves a list attribute; guesses reported, external ids returned apart.
    pub fn links(&mut self, i: ResId, attr: &str, kinds: &[&str]) -> (Vec<ResId>, Vec<String>) {
        let mut found = vec![];
        let mut ext = vec![];
        for r in self.ix.list(i, attr, kinds) {
            match r {
                Resolution::Found { targets, guess } => {
                    if let Some(g) = guess {
                        self.note(i, Outcome::Guessed, format!("{attr}: {g}"));
                    }
                    found.extend(targets);
                }
                Resolution::External(id) => ext.push(id),
                Resolution::Missing => {}
            }
        }
        (found, ext)
    }

    /// The VPC named by attribute `attr` of `i` (a VPC resource or a stub for its id).
    pub fn vpc_at(&mut self, i: ResId, attr: &str) -> Option<String> {
        match self.link(i, attr, VPC) {
            Link::Found(t) => self.vpc_of.get(&t).cloned(),
            Link::External(id) => Some(self.stub_vpc(&id)),
            Link::Missing => None,
        }
    }

    /// The VPC made for id `id`, which no resource of the input has: its subnets' covering
    /// block when the subnets pass made it, else the first free 10.N.0.0/16 (reported).
    pub fn stub_vpc(&mut self, id: &str) -> String {
        if let Some(v) = self.ext_vpc.get(id) {
            return v.clone();
        }
        let taken = |c: &ipnet::Ipv4Net, doc: &Document| {
            doc.vpcs.values().any(|v| {
                v.cidr.contains(c)
                    || c.contains(&v.cidr)
                    || v.secondary_cidrs
                        .iter()
                        .any(|s| s.contains(c) || c.contains(s))
            })
        };
        let cidr = (0..=255u8)
            .map(|n| {
                ipnet::Ipv4Net::new(std::net::Ipv4Addr::new(10, n, 0, 0), 16)
                    .expect("16 is a valid prefix")
            })
            .find(|c| !taken(c, &self.doc))
            .unwrap_or_else(|| "10.0.0.0/16".parse().expect("a valid constant"));
        let name = self.vpc_names.name(Some(id), id);
        self.doc.vpcs.insert(
            name.clone(),
            Vpc {
                aws_id: super::values::valid_id(id, "vpc-"),
                description: Some("not in the input: its CIDR is made up".into()),
                cidr,
                ..Vpc::default()
            },
        );
        self.report.add(
            "aws_vpc",
            id.to_string(),
            Outcome::Guessed,
            format!("VPC {id} is not in the input and has no subnet in it; made a VPC {cidr}"),
        );
        self.ext_vpc.insert(id.to_string(), name.clone());
        name
    }

    /// The VPC of the document by name.
    pub fn vpc_mut(&mut self, name: &str) -> Option<&mut Vpc> {
        self.doc.vpcs.get_mut(name)
    }
}

/// What a reference attribute led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Link {
    /// A resource of the input.
    Found(ResId),
    /// An id no resource of the input has.
    External(String),
    /// Not set, or not found.
    Missing,
}

/// Builds the document of topology `name` from an inventory, with its report.
pub fn build(inv: &Inventory, name: &str) -> Imported {
    let mut b = Builder::new(inv, name);
    for (i, r) in inv.resources.iter().enumerate() {
        if r.addr.mode != super::address::Mode::Managed {
            continue;
        }
        if let Kind::Later(why, issue) = kind(&r.addr.kind) {
            let a = r.addr.to_string();
            match issue {
                Some(n) => b
                    .report
                    .later(r.addr.kind.clone(), a, Outcome::Unsupported, why, n),
                None => b.note(i, Outcome::Unsupported, why),
            }
        }
    }
    b.prefix_lists();
    b.vpcs();
    b.subnets();
    b.internet_gateways();
    b.egress_only_gateways();
    b.peerings();
    b.transit_gateways();
    b.vpn_gateways();
    b.security_groups();
    b.network_acls();
    b.nat_gateways();
    b.instances();
    b.route_tables();
    b.vpc_endpoints();
    b.vgw_propagation();
    b.hybrid();
    b.transit_peerings();
    b.transit_links();
    b.load_balancers();
    b.unused_eips();
    b.finish();
    b.tidy();
    Imported {
        doc: b.doc,
        report: b.report,
    }
}
