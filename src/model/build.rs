//! Builds the resolved `Network` from a topology: implicit objects, ids, address allocation,
//! MACs and indexes. Validation (`topology::validate`) runs first and reports problems with
//! hints; anything that still cannot be resolved here is reported, never a panic.

use super::*;
use crate::topology::parse::{self, PeerRef, Protocol, TargetRef};
use crate::topology::spec;
use crate::topology::{Loc, Report, Sp};
use std::collections::{HashMap, HashSet};

/// Resolves a topology into a `Network`. `file` names the file in diagnostics.
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
            internet_hosts: vec![],
            ports: vec![],
            router_mac: [0; 6],
            topology: Arc::new(t.clone()),
            idx: Indexes::default(),
        },
    };
    b.run();
    if b.r.has_errors() {
        Err(b.r)
    } else {
        Ok(b.n)
    }
}

struct Builder<'a> {
    t: &'a Topology,
    r: Report,
    n: Network,
}

fn hash_name(s: &str) -> u16 {
    // FNV-1a folded to 16 bits: deterministic MACs per topology name.
    let mut h: u32 = 0x811c9dc5;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    ((h >> 16) ^ (h & 0xffff)) as u16
}

impl Builder<'_> {
    fn err(&mut self, loc: Loc, msg: impl Into<String>, hint: impl Into<String>) {
        self.r.error(loc, msg, hint);
    }

    fn cidr(&mut self, s: &Sp<String>) -> Option<Ipv4Net> {
        match parse::cidr(&s.value) {
            Ok(c) => Some(c),
            Err(e) => {
                self.err(s.loc, e, "write a CIDR such as 10.0.0.0/16");
                None
            }
        }
    }

    fn mac(&self, kind: u8, idx: usize) -> Mac {
        let h = hash_name(&self.n.name).to_be_bytes();
        let i = (idx as u16).to_be_bytes();
        [0x02, h[0], h[1], kind, i[0], i[1]]
    }

    fn run(&mut self) {
        let t = self.t;
        self.n.router_mac = self.mac(0xff, 0xfffe);
        if let Some(settings) = &t.engine {
            if let Some(m) = &settings.conntrack_max {
                self.n.conntrack_max = m.value.max(1) as usize;
            }
        }
        if let Some(p) = &t.public_ip_pool {
            if let Some(c) = self.cidr(p) {
                self.n.public_pool = c;
            }
        }
        // Pass 1: VPCs with their containers, subnets, tables, NACLs, SG shells.
        for (vname, v) in t.vpcs.iter() {
            self.vpc_pass1(vname, v);
        }
        // Peerings (SG references across them need these).
        for (pname, p) in t.peerings.iter() {
            let (Some(a), Some(b)) = (
                self.n.idx.vpc_by_name.get(&p.requester.value).copied(),
                self.n.idx.vpc_by_name.get(&p.accepter.value).copied(),
            ) else {
                self.err(
                    pname.loc,
                    format!("peering `{}` names a VPC that does not exist", pname.value),
                    "requester and accepter must be names under `vpcs:`",
                );
                continue;
            };
            let id = PeeringId(self.n.peerings.len() as u32);
            self.n.peerings.push(Peering {
                id,
                name: pname.value.clone(),
                aws_id: aws_id("pcx", &pname.value),
                requester: a,
                accepter: b,
                dns_resolution: p.dns_resolution.as_ref().is_some_and(|d| d.value),
            });
            self.n.vpcs[a.idx()].peerings.push(id);
            if b != a {
                self.n.vpcs[b.idx()].peerings.push(id);
            }
        }
        // Pass 2: ENIs (NAT gateways and instances), addresses.
        self.allocate();
        // Pass 3: SG rules and routes (need every name resolved).
        for (vname, v) in t.vpcs.iter() {
            let vid = self.n.idx.vpc_by_name[&vname.value];
            self.vpc_rules(vid, v);
        }
        self.internet();
        self.ports();
        self.indexes();
    }

    fn vpc_pass1(&mut self, vname: &Sp<String>, v: &spec::Vpc) {
        let n = &mut self.n;
        let vid = VpcId(n.vpcs.len() as u32);
        let mut cidrs = vec![];
        for c in std::iter::once(&v.cidr).chain(v.secondary_cidrs.iter()) {
            if let Some(c) = self.cidr(c) {
                cidrs.push(c);
            }
        }
        if cidrs.is_empty() {
            return;
        }
        let region = v
            .region
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_else(|| self.n.region.clone());
        let dns = v.dns.clone().unwrap_or_default();
        let n = &mut self.n;
        n.idx.vpc_by_name.insert(vname.value.clone(), vid);
        n.vpcs.push(Vpc {
            id: vid,
            name: vname.value.clone(),
            aws_id: aws_id("vpc", &vname.value),
            cidrs: cidrs.clone(),
            region: region.clone(),
            dns_support: dns.support.as_ref().is_none_or(|s| s.value),
            dns_hostnames: dns.hostnames.as_ref().is_some_and(|s| s.value),
            igw: v
                .internet_gateway
                .as_ref()
                .filter(|g| g.value)
                .map(|_| aws_id("igw", &vname.value)),
            subnets: vec![],
            route_tables: vec![],
            main_route_table: RouteTableId(0),
            nacls: vec![],
            sgs: vec![],
            nat_gateways: vec![],
            instances: vec![],
            peerings: vec![],
        });
        let local_routes: Vec<Route> = cidrs
            .iter()
            .map(|c| Route {
                destination: *c,
                target: Target::Local,
                loc: Loc::default(),
            })
            .collect();
        // Route tables: the implicit `main` unless the user declares one with that name.
        let mut names: Vec<(String, Loc)> = vec![];
        if !v.route_tables.contains("main") {
            names.push(("main".into(), Loc::default()));
        }
        for (k, _) in v.route_tables.iter() {
            names.push((k.value.clone(), k.loc));
        }
        let main_name = v
            .main_route_table
            .as_ref()
            .map(|m| m.value.clone())
            .unwrap_or_else(|| "main".into());
        let mut rt_ids = HashMap::new();
        for (name, _) in &names {
            let id = RouteTableId(n.route_tables.len() as u32);
            rt_ids.insert(name.clone(), id);
            n.route_tables.push(RouteTable {
                id,
                name: name.clone(),
                aws_id: aws_id("rtb", name),
                vpc: vid,
                routes: local_routes.clone(),
                main: *name == main_name,
                lpm: Default::default(),
            });
            n.vpcs[vid.idx()].route_tables.push(id);
        }
        let main_rt = match rt_ids.get(&main_name) {
            Some(id) => *id,
            None => {
                let loc = v.main_route_table.as_ref().map(|m| m.loc).unwrap_or_default();
                self.err(
                    loc,
                    format!("main_route_table `{main_name}` is not a route table of this VPC"),
                    "name a table declared under `route_tables:` or leave the key out",
                );
                rt_ids["main"]
            }
        };
        let n = &mut self.n;
        n.vpcs[vid.idx()].main_route_table = main_rt;
        // NACLs: the implicit `default` allows all both ways (rule 100).
        let mut acl_ids = HashMap::new();
        let mut acl_names: Vec<String> = vec![];
        if !v.network_acls.contains("default") {
            acl_names.push("default".into());
        }
        acl_names.extend(v.network_acls.iter().map(|(k, _)| k.value.clone()));
        for name in acl_names {
            let id = NaclId(n.nacls.len() as u32);
            acl_ids.insert(name.clone(), id);
            let (inbound, outbound) = match v.network_acls.get(&name) {
                Some(acl) => (
                    acl.inbound.iter().filter_map(nacl_entry).collect(),
                    acl.outbound.iter().filter_map(nacl_entry).collect(),
                ),
                None => (vec![allow_all_entry()], vec![allow_all_entry()]),
            };
            let mut acl = NetworkAcl {
                id,
                name: name.clone(),
                aws_id: aws_id("acl", &name),
                vpc: vid,
                inbound,
                outbound,
                default: name == "default",
            };
            acl.inbound.sort_by_key(|e| e.number);
            acl.outbound.sort_by_key(|e| e.number);
            n.nacls.push(acl);
            n.vpcs[vid.idx()].nacls.push(id);
        }
        // SG shells (rules resolved in pass 3).
        let mut sg_names: Vec<String> = vec![];
        if !v.security_groups.contains("default") {
            sg_names.push("default".into());
        }
        sg_names.extend(v.security_groups.iter().map(|(k, _)| k.value.clone()));
        for name in sg_names {
            let id = SgId(n.sgs.len() as u32);
            n.sgs.push(SecurityGroup {
                id,
                name: name.clone(),
                aws_id: aws_id("sg", &name),
                vpc: vid,
                inbound: vec![],
                outbound: vec![],
                members: vec![],
                default: name == "default",
            });
            n.vpcs[vid.idx()].sgs.push(id);
        }
        // Subnets.
        for (sname, s) in v.subnets.iter() {
            let Some(cidr) = self.cidr(&s.cidr) else { continue };
            let rt = match &s.route_table {
                Some(r) => match rt_ids.get(&r.value) {
                    Some(id) => *id,
                    None => {
                        self.err(
                            r.loc,
                            format!("route table `{}` does not exist in VPC `{}`", r.value, vname.value),
                            "declare it under `route_tables:` or use an existing table's name",
                        );
                        continue;
                    }
                },
                None => main_rt,
            };
            let acl = match &s.network_acl {
                Some(a) => match acl_ids.get(&a.value) {
                    Some(id) => *id,
                    None => {
                        self.err(
                            a.loc,
                            format!("network ACL `{}` does not exist in VPC `{}`", a.value, vname.value),
                            "declare it under `network_acls:` or use `default`",
                        );
                        continue;
                    }
                },
                None => acl_ids["default"],
            };
            let n = &mut self.n;
            let id = SubnetId(n.subnets.len() as u32);
            let az = s
                .az
                .as_ref()
                .map(|a| a.value.clone())
                .unwrap_or_else(|| format!("{region}a"));
            n.subnets.push(Subnet {
                id,
                name: sname.value.clone(),
                aws_id: aws_id("subnet", &sname.value),
                vpc: vid,
                cidr,
                az,
                route_table: rt,
                nacl: acl,
                map_public_ip: s.map_public_ip.as_ref().is_some_and(|m| m.value),
            });
            n.vpcs[vid.idx()].subnets.push(id);
        }
    }

    fn subnet_by_name(&self, vid: VpcId, name: &str) -> Option<SubnetId> {
        self.n.vpcs[vid.idx()]
            .subnets
            .iter()
            .copied()
            .find(|s| self.n.subnets[s.idx()].name == name)
    }

    /// Allocates private IPs (explicit first, then first free from base+4 in declaration
    /// order), public IPs and EIPs (explicit first, then first free from the pool), MACs.
    fn allocate(&mut self) {
        let t = self.t;
        struct Pending<'a> {
            loc: Loc,
            vid: VpcId,
            subnet: SubnetId,
            name: &'a Sp<String>,
            nat: Option<&'a spec::NatGateway>,
            inst: Option<&'a spec::Instance>,
        }
        let mut pending: Vec<Pending> = vec![];
        for (vname, v) in t.vpcs.iter() {
            let Some(&vid) = self.n.idx.vpc_by_name.get(&vname.value) else { continue };
            for (name, g) in v.nat_gateways.iter() {
                match self.subnet_by_name(vid, &g.subnet.value) {
                    Some(subnet) => pending.push(Pending { loc: name.loc, vid, subnet, name, nat: Some(g), inst: None }),
                    None => self.err(
                        g.subnet.loc,
                        format!("subnet `{}` does not exist in VPC `{}`", g.subnet.value, vname.value),
                        "use the name of a subnet declared under this VPC's `subnets:`",
                    ),
                }
            }
            for (name, i) in v.instances.iter() {
                match self.subnet_by_name(vid, &i.subnet.value) {
                    Some(subnet) => pending.push(Pending { loc: name.loc, vid, subnet, name, nat: None, inst: Some(i) }),
                    None => self.err(
                        i.subnet.loc,
                        format!("subnet `{}` does not exist in VPC `{}`", i.subnet.value, vname.value),
                        "use the name of a subnet declared under this VPC's `subnets:`",
                    ),
                }
            }
        }
        pending.sort_by_key(|p| p.loc);
        // Private addresses.
        let mut used: HashSet<Ipv4Addr> = HashSet::new();
        let mut ips: Vec<Option<Ipv4Addr>> = vec![None; pending.len()];
        for (k, p) in pending.iter().enumerate() {
            let explicit = p.nat.and_then(|g| g.ip.as_ref()).or(p.inst.and_then(|i| i.ip.as_ref()));
            if let Some(ip) = explicit {
                match parse::ipv4(&ip.value) {
                    Ok(a) => {
                        let s = &self.n.subnets[p.subnet.idx()];
                        if !s.cidr.contains(&a) || s.is_reserved(a) || !used.insert(a) {
                            self.err(ip.loc, format!("address {a} cannot be used in subnet {}", s.cidr), "pick a free address inside the subnet, not one of its 5 reserved addresses");
                        }
                        ips[k] = Some(a);
                    }
                    Err(e) => self.err(ip.loc, e, "write an IPv4 address inside the subnet"),
                }
            }
        }
        for (k, p) in pending.iter().enumerate() {
            if ips[k].is_some() {
                continue;
            }
            let s = &self.n.subnets[p.subnet.idx()];
            let base = u32::from(s.cidr.network());
            let last = u32::from(s.cidr.broadcast());
            let mut found = None;
            let mut a = base + 4;
            while a < last {
                let ip = Ipv4Addr::from(a);
                if !used.contains(&ip) {
                    found = Some(ip);
                    break;
                }
                a += 1;
            }
            match found {
                Some(ip) => {
                    used.insert(ip);
                    ips[k] = Some(ip);
                }
                None => {
                    let (sn, sc) = (s.name.clone(), s.cidr);
                    self.err(p.name.loc, format!("subnet `{sn}` ({sc}) has no free address left for `{}`", p.name.value), "use a larger subnet or move instances to another subnet");
                }
            }
        }
        // Public addresses: explicit EIPs first.
        let pool = self.n.public_pool;
        let mut pub_used: HashSet<Ipv4Addr> = HashSet::new();
        let mut pubs: Vec<Option<(Ipv4Addr, bool)>> = vec![None; pending.len()];
        let mut wants: Vec<(usize, bool)> = vec![];
        for (k, p) in pending.iter().enumerate() {
            let (eip, auto_pub): (Option<&Sp<crate::topology::Word>>, bool) = match (p.nat, p.inst) {
                (Some(g), _) => {
                    let private = g.connectivity.as_ref().is_some_and(|c| c.value == "private");
                    if private {
                        continue;
                    }
                    match &g.elastic_ip {
                        Some(e) => {
                            self.explicit_public(&e.value, e.loc, pool, &mut pub_used, &mut pubs[k]);
                            continue;
                        }
                        None => {
                            wants.push((k, true));
                            continue;
                        }
                    }
                }
                (None, Some(i)) => {
                    let subnet_map = self.n.subnets[p.subnet.idx()].map_public_ip;
                    let auto = i.public_ip.as_ref().map(|b| b.value).unwrap_or(subnet_map);
                    (i.elastic_ip.as_ref(), auto)
                }
                _ => continue,
            };
            match eip {
                Some(e) if e.value.as_str() == "true" => wants.push((k, true)),
                Some(e) if e.value.as_str() == "false" => {
                    if auto_pub {
                        wants.push((k, false));
                    }
                }
                Some(e) => self.explicit_public(e.value.as_str(), e.loc, pool, &mut pub_used, &mut pubs[k]),
                None => {
                    if auto_pub {
                        wants.push((k, false));
                    }
                }
            }
        }
        let mut next = u32::from(pool.network()) + 10;
        let last = u32::from(pool.broadcast());
        for (k, elastic) in wants {
            let mut got = None;
            while next < last {
                let ip = Ipv4Addr::from(next);
                next += 1;
                if !pub_used.contains(&ip) && !self.internet_host_uses(ip) {
                    got = Some(ip);
                    break;
                }
            }
            match got {
                Some(ip) => {
                    pub_used.insert(ip);
                    pubs[k] = Some((ip, elastic));
                }
                None => {
                    let loc = pending[k].name.loc;
                    self.err(loc, format!("the public IP pool {pool} has no free address left"), "set a larger `public_ip_pool:` at the top level");
                }
            }
        }
        // Create ENIs, NAT gateways and instances in declaration order.
        for (k, p) in pending.iter().enumerate() {
            let Some(ip) = ips[k] else { continue };
            let eni_id = EniId(self.n.enis.len() as u32);
            let mac = self.mac(0, eni_id.idx());
            let (public_ip, elastic) = match pubs[k] {
                Some((a, e)) => (Some(a), e),
                None => (None, false),
            };
            if let Some(g) = p.nat {
                let id = NatId(self.n.nat_gateways.len() as u32);
                let private = g.connectivity.as_ref().is_some_and(|c| c.value == "private");
                self.n.enis.push(Eni {
                    id: eni_id,
                    aws_id: aws_id("eni", &aws_id("nat", &p.name.value)),
                    owner: EniOwner::NatGateway(id),
                    vpc: p.vid,
                    subnet: p.subnet,
                    private_ip: ip,
                    public_ip,
                    elastic: public_ip.is_some(),
                    mac,
                    sgs: vec![],
                    source_dest_check: false,
                });
                self.n.nat_gateways.push(NatGateway {
                    id,
                    name: p.name.value.clone(),
                    aws_id: aws_id("nat", &p.name.value),
                    vpc: p.vid,
                    subnet: p.subnet,
                    eni: eni_id,
                    elastic_ip: public_ip,
                    private,
                });
                self.n.vpcs[p.vid.idx()].nat_gateways.push(id);
            } else if let Some(i) = p.inst {
                let id = InstanceId(self.n.instances.len() as u32);
                let mut sgs = vec![];
                let names: Vec<Sp<String>> = i
                    .security_groups
                    .clone()
                    .unwrap_or_else(|| vec![Sp::new("default".to_string())]);
                for sg in &names {
                    match self.sg_in_vpc(p.vid, &sg.value) {
                        Some(s) => {
                            if !sgs.contains(&s) {
                                sgs.push(s);
                                self.n.sgs[s.idx()].members.push(eni_id);
                            }
                        }
                        None => {
                            let vn = self.n.vpcs[p.vid.idx()].name.clone();
                            self.err(sg.loc, format!("security group `{}` does not exist in VPC `{vn}`", sg.value), "declare it under this VPC's `security_groups:` (an instance can only use groups of its own VPC)");
                        }
                    }
                }
                let mut services = vec![];
                for s in &i.services {
                    match Service::parse(&s.value) {
                        Ok(sv) => services.push(sv),
                        Err(e) => self.err(s.loc, e, "write services as http:PORT, tcp:PORT or udp:PORT"),
                    }
                }
                let ephemeral = match &i.ephemeral_ports {
                    Some(w) => parse::port_range(w.value.as_str()).unwrap_or(LINUX_EPHEMERAL),
                    None => LINUX_EPHEMERAL,
                };
                self.n.enis.push(Eni {
                    id: eni_id,
                    aws_id: aws_id("eni", &p.name.value),
                    owner: EniOwner::Instance(id),
                    vpc: p.vid,
                    subnet: p.subnet,
                    private_ip: ip,
                    public_ip,
                    elastic,
                    mac,
                    sgs,
                    source_dest_check: i.source_dest_check.as_ref().is_none_or(|b| b.value),
                });
                self.n.instances.push(Instance {
                    id,
                    name: p.name.value.clone(),
                    aws_id: aws_id("i", &p.name.value),
                    vpc: p.vid,
                    subnet: p.subnet,
                    eni: eni_id,
                    nat: i.role.as_ref().is_some_and(|r| r.value == "nat"),
                    running: i.state.as_ref().is_none_or(|s| s.value != "stopped"),
                    services,
                    run: i.run.iter().map(|r| r.value.clone()).collect(),
                    ephemeral,
                    port: PortId(0),
                });
                self.n.vpcs[p.vid.idx()].instances.push(id);
                self.n.idx.instance_by_name.insert(p.name.value.clone(), id);
            }
        }
    }

    fn internet_host_uses(&self, ip: Ipv4Addr) -> bool {
        self.t.internet.as_ref().is_some_and(|i| {
            i.hosts
                .iter()
                .any(|(_, h)| parse::ipv4(&h.ip.value).ok() == Some(ip))
        })
    }

    fn explicit_public(&mut self, s: &str, loc: Loc, pool: Ipv4Net, used: &mut HashSet<Ipv4Addr>, slot: &mut Option<(Ipv4Addr, bool)>) {
        match parse::ipv4(s) {
            Ok(a) => {
                if !pool.contains(&a) {
                    self.err(loc, format!("Elastic IP {a} is outside the public IP pool {pool}"), "pick an address inside `public_ip_pool`, or write `elastic_ip: true` for the next free one");
                } else if !used.insert(a) {
                    self.err(loc, format!("Elastic IP {a} is already used"), "each Elastic IP can be associated with one resource");
                } else {
                    *slot = Some((a, true));
                }
            }
            Err(e) => self.err(loc, e, "write an address from `public_ip_pool`, or `true`"),
        }
    }

    fn sg_in_vpc(&self, vid: VpcId, name: &str) -> Option<SgId> {
        self.n.vpcs[vid.idx()]
            .sgs
            .iter()
            .copied()
            .find(|s| self.n.sgs[s.idx()].name == name)
    }

    fn resolve_peer(&mut self, vid: VpcId, s: &Sp<String>, self_sg: SgId) -> Option<SgPeer> {
        match parse::peer_ref(&s.value) {
            Ok(PeerRef::Cidr(c)) => Some(SgPeer::Cidr(c)),
            Ok(PeerRef::Sg { vpc: None, name }) => match self.sg_in_vpc(vid, &name) {
                Some(g) => Some(SgPeer::Group(g)),
                None => {
                    let _ = self_sg;
                    self.err(s.loc, format!("security group `{name}` does not exist in this VPC"), "declare it under `security_groups:`, or write `sg:VPC/NAME` for a group of a peered VPC");
                    None
                }
            },
            Ok(PeerRef::Sg { vpc: Some(v), name }) => {
                let Some(&other) = self.n.idx.vpc_by_name.get(&v) else {
                    self.err(s.loc, format!("VPC `{v}` does not exist"), "write `sg:VPC/NAME` with a VPC declared under `vpcs:`");
                    return None;
                };
                if other != vid && self.n.vpcs[vid.idx()].peerings.iter().all(|p| self.n.peerings[p.idx()].other(vid) != Some(other)) {
                    self.err(s.loc, format!("VPC `{v}` is not peered with this VPC, so its groups cannot be referenced"), "add a peering between the two VPCs under `peerings:`, or use a CIDR");
                    return None;
                }
                match self.sg_in_vpc(other, &name) {
                    Some(g) => Some(SgPeer::Group(g)),
                    None => {
                        self.err(s.loc, format!("security group `{name}` does not exist in VPC `{v}`"), "check the group's name in that VPC");
                        None
                    }
                }
            }
            Err(e) => {
                self.err(s.loc, e, "write a CIDR such as 10.0.0.0/16, `sg:NAME` or `sg:VPC/NAME`");
                None
            }
        }
    }

    fn sg_rules(&mut self, vid: VpcId, sg: SgId, rules: &[spec::SgRule], inbound: bool) -> Vec<SgRule> {
        let mut out = vec![];
        for (i, r) in rules.iter().enumerate() {
            let peer_s = if inbound { r.source.as_ref() } else { r.destination.as_ref() };
            let Some(peer_s) = peer_s else {
                let what = if inbound { "source" } else { "destination" };
                self.err(r.protocol.loc, format!("this rule has no `{what}`"), format!("add `{what}:` with a CIDR or `sg:NAME`"));
                continue;
            };
            let Some(peer) = self.resolve_peer(vid, peer_s, sg) else { continue };
            let Ok(protocol) = parse::protocol(r.protocol.value.as_str()) else {
                self.err(r.protocol.loc, format!("`{}` is not a protocol", r.protocol.value), "use tcp, udp, icmp, all or a number");
                continue;
            };
            let ports = rule_ports(&protocol, r.ports.as_ref());
            out.push(SgRule {
                index: i + 1,
                protocol,
                ports,
                icmp: icmp_match(r.icmp.as_ref()),
                peer,
                loc: r.protocol.loc,
            });
        }
        out
    }

    fn vpc_rules(&mut self, vid: VpcId, v: &spec::Vpc) {
        // Security group rules.
        let sgs = self.n.vpcs[vid.idx()].sgs.clone();
        for sg in sgs {
            let name = self.n.sgs[sg.idx()].name.clone();
            let (inbound, outbound) = match v.security_groups.get(&name) {
                Some(spec_sg) => {
                    let inb = self.sg_rules(vid, sg, spec_sg.inbound.as_deref().unwrap_or(&[]), true);
                    let outb = match &spec_sg.outbound {
                        Some(o) => self.sg_rules(vid, sg, o, false),
                        None => vec![allow_all_sg(SgPeer::Cidr(any_net()))],
                    };
                    (inb, outb)
                }
                None => (
                    vec![allow_all_sg(SgPeer::Group(sg))],
                    vec![allow_all_sg(SgPeer::Cidr(any_net()))],
                ),
            };
            self.n.sgs[sg.idx()].inbound = inbound;
            self.n.sgs[sg.idx()].outbound = outbound;
        }
        // Routes.
        for (tname, table) in v.route_tables.iter() {
            let Some(rt) = self.n.vpcs[vid.idx()]
                .route_tables
                .iter()
                .copied()
                .find(|r| self.n.route_tables[r.idx()].name == tname.value)
            else {
                continue;
            };
            for route in &table.routes {
                let Some(dest) = self.cidr(&route.destination) else { continue };
                let target = match parse::target_ref(&route.target.value) {
                    Ok(TargetRef::Local) => Target::Local,
                    Ok(TargetRef::Igw) => Target::Igw,
                    Ok(TargetRef::Nat(name)) => match self.n.vpcs[vid.idx()].nat_gateways.iter().copied().find(|g| self.n.nat_gateways[g.idx()].name == name) {
                        Some(g) => Target::Nat(g),
                        None => {
                            self.err(route.target.loc, format!("NAT gateway `{name}` does not exist in this VPC"), "declare it under this VPC's `nat_gateways:`");
                            continue;
                        }
                    },
                    Ok(TargetRef::Pcx(name)) => match self.n.peerings.iter().find(|p| p.name == name) {
                        Some(p) if p.other(vid).is_some() => Target::Peering(p.id),
                        Some(_) => {
                            self.err(route.target.loc, format!("peering `{name}` does not include this VPC"), "a route can only use a peering whose requester or accepter is this VPC");
                            continue;
                        }
                        None => {
                            self.err(route.target.loc, format!("peering `{name}` does not exist"), "declare it under the top-level `peerings:`");
                            continue;
                        }
                    },
                    Ok(TargetRef::Instance(name)) => match self.n.idx.instance_by_name.get(&name) {
                        Some(&i) if self.n.instances[i.idx()].vpc == vid => Target::Instance(i),
                        _ => {
                            self.err(route.target.loc, format!("instance `{name}` does not exist in this VPC"), "a route can target an instance of the same VPC");
                            continue;
                        }
                    },
                    Err(e) => {
                        self.err(route.target.loc, e, "use igw, nat:NAME, pcx:NAME or instance:NAME");
                        continue;
                    }
                };
                let t = &mut self.n.route_tables[rt.idx()];
                if let Some(existing) = t.routes.iter().position(|r| r.destination == dest) {
                    if t.routes[existing].target == Target::Local {
                        // Replacing the local route's target with an appliance (as AWS allows).
                        t.routes[existing] = Route { destination: dest, target, loc: route.destination.loc };
                        continue;
                    }
                    let loc = route.destination.loc;
                    self.err(loc, format!("route table `{}` already has a route to {dest}", tname.value), "a table holds one route per destination; remove one of them");
                    continue;
                }
                t.routes.push(Route { destination: dest, target, loc: route.destination.loc });
            }
        }
        let rts = self.n.vpcs[vid.idx()].route_tables.clone();
        for rt in rts {
            let t = &mut self.n.route_tables[rt.idx()];
            let mut lpm = prefix_trie::PrefixMap::new();
            for (i, r) in t.routes.iter().enumerate() {
                lpm.insert(r.destination, i);
            }
            t.lpm = lpm;
        }
    }

    fn internet(&mut self) {
        let Some(inet) = &self.t.internet else { return };
        for (name, h) in inet.hosts.iter() {
            let ip = match parse::ipv4(&h.ip.value) {
                Ok(a) => a,
                Err(e) => {
                    self.err(h.ip.loc, e, "write the host's public IPv4 address");
                    continue;
                }
            };
            let mut services = vec![];
            for s in &h.services {
                match Service::parse(&s.value) {
                    Ok(sv) => services.push(sv),
                    Err(e) => self.err(s.loc, e, "write services as http:PORT, tcp:PORT or udp:PORT"),
                }
            }
            let id = InternetHostId(self.n.internet_hosts.len() as u32);
            self.n.internet_hosts.push(InternetHost {
                id,
                name: name.value.clone(),
                ip,
                location: h.location.clone(),
                region: h.region.as_ref().map(|r| r.value.clone()),
                services,
                run: h.run.iter().map(|r| r.value.clone()).collect(),
                ephemeral: h
                    .ephemeral_ports
                    .as_ref()
                    .and_then(|w| parse::port_range(w.value.as_str()).ok())
                    .unwrap_or(LINUX_EPHEMERAL),
                port: PortId(0),
            });
            self.n.idx.host_by_name.insert(name.value.clone(), id);
            self.n.idx.host_by_ip.insert(ip, id);
        }
    }

    fn ports(&mut self) {
        let n = &mut self.n;
        for i in 0..n.instances.len() {
            let inst = &n.instances[i];
            let eni = &n.enis[inst.eni.idx()];
            let subnet = &n.subnets[eni.subnet.idx()];
            let vpc = &n.vpcs[inst.vpc.idx()];
            let id = PortId(n.ports.len() as u32);
            let port = Port {
                id,
                name: inst.name.clone(),
                owner: PortOwner::Instance(inst.id),
                mac: eni.mac,
                ip: eni.private_ip,
                prefix_len: subnet.cidr.prefix_len(),
                gateway: Some(subnet.router_ip()),
                resolver: vpc.dns_support.then(|| vpc.resolver_ip()),
            };
            n.ports.push(port);
            n.instances[i].port = id;
        }
        for h in 0..n.internet_hosts.len() {
            let id = PortId(n.ports.len() as u32);
            let host = &n.internet_hosts[h];
            let mac = {
                let hh = hash_name(&n.name).to_be_bytes();
                let i = (h as u16).to_be_bytes();
                [0x02, hh[0], hh[1], 1, i[0], i[1]]
            };
            n.ports.push(Port {
                id,
                name: host.name.clone(),
                owner: PortOwner::Internet(host.id),
                mac,
                ip: host.ip,
                prefix_len: 32,
                gateway: None,
                resolver: Some(crate::model::PUBLIC_RESOLVER),
            });
            n.internet_hosts[h].port = id;
        }
    }

    fn indexes(&mut self) {
        let n = &mut self.n;
        for e in &n.enis {
            n.idx.eni_by_private.insert((e.vpc, e.private_ip), e.id);
            if let Some(p) = e.public_ip {
                n.idx.eni_by_public.insert(p, e.id);
            }
        }
        for s in &n.subnets {
            n.idx
                .subnets_by_vpc
                .entry(s.vpc)
                .or_default()
                .insert(s.cidr, s.id);
        }
    }
}

fn any_net() -> Ipv4Net {
    Ipv4Net::default()
}

fn allow_all_entry() -> NaclEntry {
    NaclEntry {
        number: 100,
        action: Action::Allow,
        protocol: Protocol::All,
        ports: parse::PortRange::ALL,
        icmp: IcmpMatch::default(),
        cidr: any_net(),
        loc: Loc::default(),
    }
}

fn allow_all_sg(peer: SgPeer) -> SgRule {
    SgRule {
        index: 1,
        protocol: Protocol::All,
        ports: parse::PortRange::ALL,
        icmp: IcmpMatch::default(),
        peer,
        loc: Loc::default(),
    }
}

fn rule_ports(protocol: &Protocol, ports: Option<&Sp<crate::topology::Word>>) -> parse::PortRange {
    if protocol.has_ports() {
        ports
            .and_then(|p| parse::port_range(p.value.as_str()).ok())
            .unwrap_or(parse::PortRange::ALL)
    } else {
        parse::PortRange::ALL
    }
}

fn icmp_match(i: Option<&spec::Icmp>) -> IcmpMatch {
    let conv = |v: Option<&Sp<i64>>| v.and_then(|x| u8::try_from(x.value).ok());
    match i {
        Some(i) => IcmpMatch {
            icmp_type: conv(i.icmp_type.as_ref()),
            code: conv(i.code.as_ref()),
        },
        None => IcmpMatch::default(),
    }
}

fn nacl_entry(r: &spec::NaclRule) -> Option<NaclEntry> {
    let protocol = parse::protocol(r.protocol.value.as_str()).ok()?;
    Some(NaclEntry {
        number: u16::try_from(r.rule.value).ok()?,
        action: if r.action.value.eq_ignore_ascii_case("deny") { Action::Deny } else { Action::Allow },
        protocol,
        ports: rule_ports(&protocol, r.ports.as_ref()),
        icmp: icmp_match(r.icmp.as_ref()),
        cidr: parse::cidr(&r.cidr.value).ok()?,
        loc: r.rule.loc,
    })
}
