//! AWS services, their managed prefix lists and VPC endpoints. A service is wanted when
//! `aws_services:` declares it, an endpoint names it, or a route or SG rule names its managed
//! prefix list; nothing is added otherwise (existing topologies do not change).
//!
//! Steps, in `Builder::run` order: `aws_services` (the managed prefix lists, after the
//! customer-managed ones, and the services without their hosts), `vpc_endpoints` (after address
//! allocation: endpoints and interface ENIs, which take the next free addresses after the
//! instances'), `endpoint_routes` (after the declared routes: one route per list entry on each
//! associated table where no route has that CIDR, then the tables' indexes again), and
//! `service_hosts` (after the declared internet hosts: one host per service).

use super::{display_id, mac_for, text, Builder, Built, Unresolved};
use crate::model::*;
use crate::topology::aws_services::{self as catalogue, managed_list_ref, parse_service};
use crate::topology::spec_endpoints::{AwsServiceDecl, EndpointSubnet};
use crate::topology::{parse, Loc, Sp};

/// A wanted service: region, short name, and the declaration that configures it, if any.
struct Wanted<'a> {
    region: String,
    service: String,
    decl: Option<&'a crate::topology::spec_endpoints::AwsServiceSpec>,
}

impl<'a> Builder<'a> {
    /// The topology's region.
    fn default_region(&self) -> String {
        self.n.region.clone()
    }

    /// Every wanted service, declared ones first (in file order), then implied ones.
    fn wanted(&self) -> Vec<Wanted<'a>> {
        let t = self.t;
        let mut out: Vec<Wanted<'a>> = Vec::new();
        let mut add = |region: String, service: String, decl| {
            if !out
                .iter()
                .any(|w| w.region == region && w.service == service)
            {
                out.push(Wanted {
                    region,
                    service,
                    decl,
                });
            }
        };
        for d in &t.aws_services {
            let Ok((r, short)) = parse_service(d.value.service()) else {
                continue;
            };
            let (region, decl) = match &d.value {
                AwsServiceDecl::Full(f) => (
                    f.region
                        .as_ref()
                        .map(|r| r.value.clone())
                        .or(r.map(String::from))
                        .unwrap_or_else(|| self.default_region()),
                    Some(f),
                ),
                AwsServiceDecl::Name(_) => (
                    r.map(String::from).unwrap_or_else(|| self.default_region()),
                    None,
                ),
            };
            add(region, short.to_string(), decl);
        }
        let mut refs: Vec<&str> = Vec::new();
        for (_, v) in t.vpcs.iter() {
            let region = v
                .region
                .as_ref()
                .map_or_else(|| self.default_region(), |r| r.value.clone());
            for (_, e) in v.endpoints.iter() {
                if let Ok((_, short)) = parse_service(&e.service.value) {
                    add(region.clone(), short.to_string(), None);
                }
            }
            for (_, rt) in v.route_tables.iter() {
                refs.extend(rt.routes.iter().map(|r| r.destination.value.as_str()));
            }
            for (_, g) in v.security_groups.iter() {
                let inbound = g.inbound.iter().flatten().filter_map(|r| r.source.as_ref());
                let outbound = g.outbound.iter().flatten();
                let outbound = outbound.filter_map(|r| r.destination.as_ref());
                refs.extend(inbound.chain(outbound).map(|s| s.value.as_str()));
            }
        }
        for r in refs {
            if let Some((region, short)) = parse::prefix_list_ref(r).and_then(managed_list_ref) {
                add(region.to_string(), short.to_string(), None);
            }
        }
        out
    }

    /// The managed prefix lists of the wanted gateway services and the services themselves
    /// (their hosts come in `service_hosts`).
    pub(super) fn aws_services(&mut self) -> Built<()> {
        for w in self.wanted() {
            let written = w.decl.and_then(|d| d.prefix_list.as_ref());
            let prefix_list = if catalogue::has_gateway(&w.service) {
                let entries = match written.filter(|p| !p.entries.is_empty()) {
                    Some(p) => p
                        .entries
                        .iter()
                        .map(|e| self.cidr(e))
                        .collect::<Built<Vec<_>>>()?,
                    None => catalogue::default_prefix_list(&w.region, &w.service),
                };
                let id = PrefixListId(self.n.prefix_lists.len() as u32);
                let max = written
                    .and_then(|p| p.max_entries.as_ref())
                    .map_or(entries.len() as u32, |m| m.value.clamp(1, 1000) as u32);
                self.n.prefix_lists.push(PrefixList {
                    id,
                    name: catalogue::full_name(&w.region, &w.service),
                    aws_id: written.and_then(|p| p.aws_id.as_ref()).map_or_else(
                        || catalogue::default_prefix_list_id(&w.region, &w.service),
                        |a| a.value.clone(),
                    ),
                    description: None,
                    entries,
                    max_entries: max,
                });
                Some(id)
            } else {
                None
            };
            let cidrs = prefix_list
                .map(|p| self.n.prefix_list(p).entries.clone())
                .unwrap_or_default();
            let ip = match w.decl.and_then(|d| d.ip.as_ref()) {
                Some(ip) => self.ipv4(ip)?,
                None => catalogue::default_address(&w.region, &w.service, &cidrs),
            };
            let id = AwsServiceId(self.n.aws_services.len() as u32);
            self.n.aws_services.push(AwsService {
                id,
                name: catalogue::full_name(&w.region, &w.service),
                service: w.service,
                region: w.region,
                // Set by `service_hosts` once the declared hosts are built.
                host: InternetHostId(u32::MAX),
                ip,
                prefix_list,
            });
        }
        Ok(())
    }

    /// Every VPC's endpoints; interface endpoints get their ENIs here.
    pub(super) fn vpc_endpoints(&mut self) -> Built<()> {
        let t = self.t;
        for (vname, v) in t.vpcs.iter() {
            let vid = self.vpc_named(vname)?;
            let region = self.n.vpc(vid).region.clone();
            for (ename, e) in v.endpoints.iter() {
                let missing = || Unresolved::new(e.service.loc, "the endpoint's service");
                let short = parse_service(&e.service.value).map_err(|_| missing())?.1;
                let service = self
                    .n
                    .aws_service_named(&region, short)
                    .ok_or_else(missing)?;
                let id = VpcEndpointId(self.n.vpc_endpoints.len() as u32);
                let gateway = match &e.endpoint_type {
                    Some(k) => k.value == "gateway",
                    None => catalogue::has_gateway(short),
                };
                let kind = if gateway {
                    let route_tables = e
                        .route_tables
                        .iter()
                        .map(|r| self.route_table_named(vid, r))
                        .collect::<Built<Vec<_>>>()?;
                    EndpointKind::Gateway { route_tables }
                } else {
                    let mut enis = Vec::new();
                    for s in &e.subnets {
                        enis.push(self.endpoint_eni(vid, id, ename, e, s)?);
                    }
                    let vpc = self.n.vpc(vid);
                    let attrs = vpc.dns_support && vpc.dns_hostnames;
                    let private_dns = e.private_dns.as_ref().map_or(attrs, |p| p.value);
                    EndpointKind::Interface { enis, private_dns }
                };
                self.n.vpc_endpoints.push(VpcEndpoint {
                    id,
                    name: ename.value.clone(),
                    aws_id: display_id(e.aws_id.as_ref(), "vpce", &ename.value),
                    description: text(&e.description),
                    vpc: vid,
                    service,
                    kind,
                    dns_label: e
                        .dns_name
                        .as_ref()
                        .and_then(|d| d.value.split_once('.'))
                        .map(|(label, _)| label.to_string()),
                });
            }
        }
        Ok(())
    }

    /// The ENI of interface endpoint `ep` in subnet `s`: the written address, else the first
    /// free one from base+4.
    fn endpoint_eni(
        &mut self,
        vid: VpcId,
        ep: VpcEndpointId,
        ename: &Sp<String>,
        e: &crate::topology::spec_endpoints::VpcEndpoint,
        s: &Sp<EndpointSubnet>,
    ) -> Built<EniId> {
        let sub = self.subnet_named(vid, &Sp::at(s.value.subnet().to_string(), s.loc))?;
        let cidr = self.n.subnet(sub).cidr;
        let taken = |n: &Network, a: Ipv4Addr| {
            n.enis
                .iter()
                .any(|x| x.vpc == vid && (x.private_ip == a || x.secondary_ips.contains(&a)))
        };
        let ip = match s.value.ip() {
            Some(w) => {
                let a = self.ipv4(&Sp::at(w.to_string(), s.loc))?;
                if taken(&self.n, a) {
                    self.r.error(
                        s.loc,
                        format!("{a} is already the address of another network interface"),
                        "pick a free address for the endpoint's network interface",
                    );
                }
                a
            }
            None => {
                let base = u32::from(cidr.network());
                let last = u32::from(cidr.broadcast());
                let free = (base + 4..last)
                    .map(Ipv4Addr::from)
                    .find(|a| !taken(&self.n, *a));
                match free {
                    Some(a) => a,
                    None => {
                        self.r.error(
                            s.loc,
                            format!("subnet `{}` has no free address left", s.value.subnet()),
                            "use a larger subnet or fewer network interfaces",
                        );
                        cidr.network()
                    }
                }
            }
        };
        let id = EniId(self.n.enis.len() as u32);
        let groups = e.security_groups.clone();
        let sgs = self.endpoint_groups(vid, groups.as_deref(), id)?;
        let aws = s.value.aws_id().map_or_else(
            || {
                format!(
                    "{}-{}",
                    aws_id("eni", &format!("vpce-{}", ename.value)),
                    self.n.subnet(sub).name
                )
            },
            String::from,
        );
        self.n.enis.push(Eni {
            id,
            aws_id: aws,
            description: Some(format!("VPC Endpoint Interface {}", ename.value)),
            owner: EniOwner::VpcEndpoint(ep),
            vpc: vid,
            subnet: sub,
            private_ip: ip,
            device: 0,
            secondary_ips: vec![],
            public_ip: None,
            elastic: false,
            mac: mac_for(&self.n.name, 0, id.idx()),
            sgs,
            source_dest_check: true,
        });
        Ok(id)
    }

    /// The groups of an endpoint ENI (default `[default]`), with the ENI made a member.
    fn endpoint_groups(
        &mut self,
        vid: VpcId,
        written: Option<&[Sp<String>]>,
        eni: EniId,
    ) -> Built<Vec<SgId>> {
        let default = [Sp::new("default".to_string())];
        let mut sgs = vec![];
        for name in written.unwrap_or(&default) {
            let sg = self.sg_named(vid, &name.value, name.loc)?;
            if !sgs.contains(&sg) {
                sgs.push(sg);
                self.n.sgs[sg.idx()].members.push(eni);
            }
        }
        Ok(sgs)
    }

    /// The prefix-list routes of every gateway endpoint, then the touched tables' indexes.
    pub(super) fn endpoint_routes(&mut self) -> Built<()> {
        let mut touched = Vec::new();
        for ep in self.n.vpc_endpoints.clone() {
            let EndpointKind::Gateway { route_tables } = &ep.kind else {
                continue;
            };
            let svc = self.n.aws_service(ep.service);
            let Some(pl) = svc.prefix_list else {
                return Err(Unresolved::new(
                    Loc::default(),
                    "a gateway service's prefix list",
                ));
            };
            let entries = self.n.prefix_list(pl).entries.clone();
            for rt in route_tables {
                let routes = &mut self.n.route_tables[rt.idx()].routes;
                for &destination in &entries {
                    if routes.iter().all(|r| r.destination != destination) {
                        routes.push(Route {
                            destination,
                            target: Target::VpcEndpoint(ep.id),
                            prefix_list: Some(pl),
                            loc: Loc::default(),
                        });
                    }
                }
                touched.push(*rt);
            }
        }
        for rt in touched {
            let t = &mut self.n.route_tables[rt.idx()];
            let mut lpm = prefix_trie::PrefixMap::new();
            for (i, r) in t.routes.iter().enumerate() {
                lpm.insert(r.destination, i);
            }
            t.lpm = lpm;
        }
        Ok(())
    }

    /// One internet host per service, after the declared ones: named by the service's public
    /// DNS name, answering HTTP on 80 and 443.
    pub(super) fn service_hosts(&mut self) -> Built<()> {
        for k in 0..self.n.aws_services.len() {
            let s = &self.n.aws_services[k];
            let name = catalogue::public_name(&s.region, &s.service);
            if let Some(other) = self.n.internet_host_by_ip(s.ip) {
                let other = self.n.internet_host(other).name.clone();
                self.r.error(
                    Loc::default(),
                    format!(
                        "AWS service {} at {} has the address of internet host `{other}`",
                        s.name, s.ip
                    ),
                    "give the service another `ip:` under aws_services, or move the host",
                );
                continue;
            }
            let id = InternetHostId(self.n.internet_hosts.len() as u32);
            let region = s.region.clone();
            let ip = s.ip;
            self.n.internet_hosts.push(InternetHost {
                id,
                name: name.clone(),
                ip,
                location: None,
                region: Some(region),
                services: vec![Service::Http(80), Service::Http(443)],
                run: vec![],
                ephemeral: LINUX_EPHEMERAL,
                port: PortId(0),
            });
            self.n.idx.host_by_name.insert(name, id);
            self.n.idx.host_by_ip.insert(ip, id);
            self.n.aws_services[k].host = id;
        }
        Ok(())
    }
}
