//! Builds the resolved `Network` from a validated topology, one part per file (as
//! `topology/validate/`): VPCs and subnets, route tables, NACLs, security groups, address
//! allocation, ENIs with their owners, internet hosts and engine ports, Route 53 and flow
//! logs.
//!
//! What validation proves (every name exists, every value parses, every rule is well formed)
//! is trusted here and not checked again: a lookup that still fails stops the build with an
//! internal error (`Unresolved`), never a panic. Only what validation cannot know is reported
//! as the user's error: a subnet or the public pool running out of addresses, and one explicit
//! private address written in two VPCs (validation checks each VPC on its own).

mod addresses;
mod endpoints;
mod enis;
mod flow_logs;
mod hosts;
mod ipv6;
mod load_balancers;
mod nacls;
mod prefix_lists;
mod route53;
mod routes;
mod sgs;
mod transit;
mod vpcs;

use super::*;
use crate::topology::parse;
use crate::topology::{Loc, Report, Sp};

/// Resolves a topology into a `Network`. `file` names the file in diagnostics. Run
/// `topology::validate::validate` first: a file it rejects may come back as an internal error
/// (or as a network, when the builder needs nothing the error is about).
pub fn build(t: &Topology, file: &str) -> Result<Network, Report> {
    let mut b = Builder {
        t,
        r: Report::new(file),
        n: Network {
            name: t.name.value.clone(),
            region: t
                .region
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_else(|| "us-east-1".into()),
            public_pool: "203.0.113.0/24".parse().expect("constant CIDR"),
            public_pools: vec!["203.0.113.0/24".parse().expect("constant CIDR")],
            conntrack_max: DEFAULT_CONNTRACK_MAX,
            vpcs: vec![],
            subnets: vec![],
            route_tables: vec![],
            nacls: vec![],
            sgs: vec![],
            enis: vec![],
            instances: vec![],
            nat_gateways: vec![],
            peerings: vec![],
            prefix_lists: vec![],
            internet_hosts: vec![],
            ports: vec![],
            router_mac: [0; 6],
            route53: Route53::default(),
            flow_logs: vec![],
            hybrid: Default::default(),
            load_balancers: vec![],
            idx: Indexes::default(),
            aws_services: vec![],
            vpc_endpoints: vec![],
            ipv6: Default::default(),
        },
    };
    if let Err(u) = b.run() {
        b.r.error(
            u.loc,
            format!("internal error: {} could not be resolved", u.what),
            "validation should have rejected this file first; please report it as a vpclab bug",
        );
    }
    if b.r.has_errors() {
        Err(b.r)
    } else {
        Ok(b.n)
    }
}

/// Something validation should have proved but the builder could not resolve: where it is
/// written and what it is (`subnet \`a\``).
struct Unresolved {
    loc: Loc,
    what: String,
}

impl Unresolved {
    fn new(loc: Loc, what: impl Into<String>) -> Self {
        Unresolved {
            loc,
            what: what.into(),
        }
    }
}

/// A builder step's result: stops at the first unresolved reference.
type Built<T> = Result<T, Unresolved>;

/// The network under construction. `r` collects the user errors validation cannot see.
struct Builder<'a> {
    t: &'a Topology,
    r: Report,
    n: Network,
}

/// An object's display id: its `aws_id:` as written, else `PREFIX-NAME` (`ids::aws_id`).
fn display_id(written: Option<&Sp<String>>, prefix: &str, name: &str) -> String {
    written.map_or_else(|| aws_id(prefix, name), |w| w.value.clone())
}

/// A `description:` as the model keeps it.
fn text(d: &Option<Sp<String>>) -> Option<String> {
    d.as_ref().map(|d| d.value.clone())
}

/// FNV-1a folded to 16 bits: deterministic MACs per topology name.
fn hash_name(s: &str) -> u16 {
    let mut h: u32 = 0x811c9dc5;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    ((h >> 16) ^ (h & 0xffff)) as u16
}

/// The MAC of the `idx`th object of a kind (0 ENIs, 1 internet hosts, 0xff the router) in the
/// topology named `name`: `02:HH:HH:KIND:II:II`.
fn mac_for(name: &str, kind: u8, idx: usize) -> Mac {
    let h = hash_name(name).to_be_bytes();
    let i = (idx as u16).to_be_bytes();
    [0x02, h[0], h[1], kind, i[0], i[1]]
}

impl Builder<'_> {
    /// The passes, in the order their references need: VPCs with their containers, peerings
    /// (SG references across them), ENIs and addresses, then SG rules and routes (which name
    /// instances, NAT gateways and peerings), internet hosts, ports and indexes, then Route 53
    /// and flow logs (which name instances and ENIs).
    fn run(&mut self) -> Built<()> {
        let t = self.t;
        self.n.router_mac = mac_for(&self.n.name, 0xff, 0xfffe);
        if let Some(m) = t.engine.as_ref().and_then(|e| e.conntrack_max.as_ref()) {
            self.n.conntrack_max = m.value.max(1) as usize;
        }
        let pools = t.pools();
        if !pools.is_empty() {
            self.n.public_pools = pools.iter().map(|p| self.cidr(p)).collect::<Built<_>>()?;
            self.n.public_pool = self.n.public_pools[0];
        }
        self.prefix_lists()?;
        self.aws_services()?;
        for (vname, v) in t.vpcs.iter() {
            self.vpc(vname, v)?;
        }
        self.peerings()?;
        self.hybrid()?;
        self.allocate()?;
        self.vpc_endpoints()?;
        self.load_balancers()?;
        for (vname, v) in t.vpcs.iter() {
            let vid = self.vpc_named(vname)?;
            self.sg_rules(vid, v)?;
            self.routes(vid, v)?;
        }
        self.endpoint_routes()?;
        self.internet()?;
        self.service_hosts()?;
        self.on_premises_hosts()?;
        self.ports();
        self.load_balancer_ports();
        self.indexes();
        self.ipv6()?;
        self.route53()?;
        self.flow_logs()
    }

    /// A CIDR validation has checked.
    fn cidr(&self, s: &Sp<String>) -> Built<Ipv4Net> {
        parse::cidr(&s.value).map_err(|_| Unresolved::new(s.loc, format!("CIDR `{}`", s.value)))
    }

    /// An IPv4 address validation has checked.
    fn ipv4(&self, s: &Sp<String>) -> Built<Ipv4Addr> {
        parse::ipv4(&s.value).map_err(|_| Unresolved::new(s.loc, format!("address `{}`", s.value)))
    }

    /// Services validation has checked (`http:80`, ...).
    fn services(&self, list: &[Sp<String>]) -> Built<Vec<Service>> {
        list.iter()
            .map(|s| {
                Service::parse(&s.value)
                    .map_err(|_| Unresolved::new(s.loc, format!("service `{}`", s.value)))
            })
            .collect()
    }

    /// `ephemeral_ports`, or Linux's range when absent.
    fn ephemeral(&self, w: Option<&Sp<crate::topology::Word>>) -> Built<PortRange> {
        match w {
            None => Ok(LINUX_EPHEMERAL),
            Some(w) => PortRange::parse(w.value.as_str())
                .map_err(|_| Unresolved::new(w.loc, format!("ports `{}`", w.value.as_str()))),
        }
    }

    /// The VPC with this name.
    fn vpc_named(&self, name: &Sp<String>) -> Built<VpcId> {
        self.n
            .vpc_by_name(&name.value)
            .ok_or_else(|| Unresolved::new(name.loc, format!("VPC `{}`", name.value)))
    }

    /// The subnet of this VPC with this name.
    fn subnet_named(&self, vid: VpcId, name: &Sp<String>) -> Built<SubnetId> {
        let n = &self.n;
        n.vpc(vid)
            .subnets
            .iter()
            .copied()
            .find(|s| n.subnet(*s).name == name.value)
            .ok_or_else(|| Unresolved::new(name.loc, format!("subnet `{}`", name.value)))
    }

    /// The security group of this VPC with this name.
    fn sg_named(&self, vid: VpcId, name: &str, loc: Loc) -> Built<SgId> {
        let n = &self.n;
        n.vpc(vid)
            .sgs
            .iter()
            .copied()
            .find(|s| n.sg(*s).name == name)
            .ok_or_else(|| Unresolved::new(loc, format!("security group `{name}`")))
    }
}

/// The unit tests' fixture: parses and builds a topology text, panicking with the diagnostics
/// when either fails. It does not validate, so a test can build what validation refuses but
/// the builder can still resolve (a NAT instance with its check on, an `igw` route without an
/// internet gateway) to see what the decision core makes of it.
#[cfg(test)]
pub(crate) fn from_yaml(yaml: &str) -> Network {
    let t = crate::topology::parse_str("t.yaml", yaml).unwrap_or_else(|r| panic!("{r}"));
    build(&t, "t.yaml").unwrap_or_else(|r| panic!("{r}"))
}

#[cfg(test)]
mod tests;
