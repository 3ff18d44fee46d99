//! Internet hosts, the engine ports (instances first, then internet hosts) and the lookup
//! indexes of the finished network.

use super::{mac_for, Builder, Built};
use crate::model::*;

impl Builder<'_> {
    /// The hosts of `internet:`.
    pub(super) fn internet(&mut self) -> Built<()> {
        let Some(inet) = &self.t.internet else {
            return Ok(());
        };
        for (name, h) in inet.hosts.iter() {
            let ip = self.ipv4(&h.ip)?;
            let id = InternetHostId(self.n.internet_hosts.len() as u32);
            self.n.internet_hosts.push(InternetHost {
                id,
                name: name.value.clone(),
                ip,
                location: h.location.as_ref().map(GeoLocation::from),
                region: h.region.as_ref().map(|r| r.value.clone()),
                services: self.services(&h.services)?,
                run: h.run.iter().map(|r| r.value.clone()).collect(),
                ephemeral: self.ephemeral(h.ephemeral_ports.as_ref())?,
                port: PortId(0),
            });
            self.n.idx.host_by_name.insert(name.value.clone(), id);
            self.n.idx.host_by_ip.insert(ip, id);
        }
        Ok(())
    }

    /// One engine port per instance (its ENI's MAC and address, the subnet router as gateway,
    /// the VPC resolver when DNS is on) and per internet host (a /32 with the public resolver).
    pub(super) fn ports(&mut self) {
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
            n.ports.push(Port {
                id,
                name: host.name.clone(),
                owner: PortOwner::Internet(host.id),
                mac: mac_for(&n.name, 1, h),
                ip: host.ip,
                prefix_len: 32,
                gateway: None,
                resolver: Some(PUBLIC_RESOLVER),
            });
            n.internet_hosts[h].port = id;
        }
    }

    /// ENIs by private and public address, instances by their and their ENIs' display ids,
    /// subnets by VPC as longest-prefix tries.
    pub(super) fn indexes(&mut self) {
        let n = &mut self.n;
        for i in &n.instances {
            n.idx.instance_by_id.insert(i.aws_id.clone(), i.id);
        }
        for e in &n.enis {
            if let EniOwner::Instance(i) = e.owner {
                n.idx.instance_by_id.insert(e.aws_id.clone(), i);
            }
            n.idx.eni_by_private.insert((e.vpc, e.private_ip), e.id);
            for a in &e.secondary_ips {
                n.idx.eni_by_private.insert((e.vpc, *a), e.id);
            }
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
