//! VPCs with their containers and subnets, and the peerings between VPCs.

use super::{display_id, text, Builder, Built};
use crate::model::*;
use crate::topology::{spec, Sp};

impl Builder<'_> {
    /// Adds a VPC with its route-table shells, NACLs, security-group shells and subnets (routes
    /// and SG rules name objects of the whole topology and are filled in later).
    pub(super) fn vpc(&mut self, vname: &Sp<String>, v: &spec::Vpc) -> Built<()> {
        let vid = VpcId(self.n.vpcs.len() as u32);
        let cidrs = std::iter::once(&v.cidr)
            .chain(v.secondary_cidrs.iter())
            .map(|c| self.cidr(c))
            .collect::<Built<Vec<_>>>()?;
        let region = v
            .region
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_else(|| self.n.region.clone());
        let dns = v.dns.clone().unwrap_or_default();
        let account = v
            .account
            .as_ref()
            .or(self.t.account.as_ref())
            .map_or_else(|| DEFAULT_ACCOUNT.to_string(), |a| a.value.clone());
        self.n.idx.vpc_by_name.insert(vname.value.clone(), vid);
        self.n.vpcs.push(Vpc {
            id: vid,
            name: vname.value.clone(),
            aws_id: display_id(v.aws_id.as_ref(), "vpc", &vname.value),
            description: text(&v.description),
            cidrs: cidrs.clone(),
            region,
            account,
            dns_support: dns.support.as_ref().is_none_or(|s| s.value),
            dns_hostnames: dns.hostnames.as_ref().is_some_and(|s| s.value),
            igw: v
                .internet_gateway
                .as_ref()
                .filter(|g| g.value.attached())
                .map(|g| display_id(g.value.aws_id(), "igw", &vname.value)),
            subnets: vec![],
            route_tables: vec![],
            main_route_table: RouteTableId(0),
            nacls: vec![],
            sgs: vec![],
            nat_gateways: vec![],
            instances: vec![],
            peerings: vec![],
        });
        self.route_tables(vid, v, &cidrs)?;
        self.nacls(vid, v)?;
        self.sg_shells(vid, v);
        for (sname, s) in v.subnets.iter() {
            self.subnet(vid, sname, s)?;
        }
        Ok(())
    }

    /// A subnet, associated with its route table (else the main one) and its NACL (else the
    /// default one); its AZ defaults to the region's `a` zone.
    fn subnet(&mut self, vid: VpcId, sname: &Sp<String>, s: &spec::Subnet) -> Built<()> {
        let cidr = self.cidr(&s.cidr)?;
        let route_table = match &s.route_table {
            Some(r) => self.route_table_named(vid, r)?,
            None => self.n.vpc(vid).main_route_table,
        };
        let nacl = match &s.network_acl {
            Some(a) => self.nacl_named(vid, &a.value, a.loc)?,
            None => self.nacl_named(vid, "default", sname.loc)?,
        };
        let az =
            s.az.as_ref()
                .map(|a| a.value.clone())
                .unwrap_or_else(|| format!("{}a", self.n.vpc(vid).region));
        let id = SubnetId(self.n.subnets.len() as u32);
        self.n.subnets.push(Subnet {
            id,
            name: sname.value.clone(),
            aws_id: display_id(s.aws_id.as_ref(), "subnet", &sname.value),
            description: text(&s.description),
            vpc: vid,
            cidr,
            az,
            route_table,
            nacl,
            map_public_ip: s.map_public_ip.as_ref().is_some_and(|m| m.value),
        });
        self.n.vpcs[vid.idx()].subnets.push(id);
        Ok(())
    }

    /// Every peering, listed on both of its VPCs.
    pub(super) fn peerings(&mut self) -> Built<()> {
        for (pname, p) in self.t.peerings.iter() {
            let a = self.vpc_named(&p.requester)?;
            let b = self.vpc_named(&p.accepter)?;
            let id = PeeringId(self.n.peerings.len() as u32);
            self.n.peerings.push(Peering {
                id,
                name: pname.value.clone(),
                aws_id: display_id(p.aws_id.as_ref(), "pcx", &pname.value),
                description: text(&p.description),
                requester: a,
                accepter: b,
                dns_resolution: p.dns_resolution.as_ref().is_some_and(|d| d.value),
            });
            self.n.vpcs[a.idx()].peerings.push(id);
            if b != a {
                self.n.vpcs[b.idx()].peerings.push(id);
            }
        }
        Ok(())
    }
}
