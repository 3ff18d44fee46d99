//! ENIs with their owners: a NAT gateway's requester-managed ENI (no security groups, no
//! source/destination check) or an instance's primary ENI with its groups, services and
//! client port range.

use super::addresses::{Owner, Pending, Public};
use super::{display_id, mac_for, text, Builder, Built};
use crate::model::*;
use crate::topology::{spec, Sp};

impl Builder<'_> {
    /// Creates the ENI of `p` at `ip` (and `public`), then its NAT gateway or instance.
    pub(super) fn eni(&mut self, p: &Pending, ip: Ipv4Addr, public: Public) -> Built<()> {
        let id = EniId(self.n.enis.len() as u32);
        let public_ip = public.map(|(a, _)| a);
        let written = match p.owner {
            Owner::Instance(i) => &i.secondary_ips[..],
            Owner::Interface(ni, _) => &ni.secondary_ips[..],
            Owner::Nat(_) => &[],
        };
        let secondary_ips = written
            .iter()
            .map(|s| self.ipv4(s))
            .collect::<Built<Vec<_>>>()?;
        let mut device = 0;
        let (aws, owner, elastic, sgs, source_dest_check) = match p.owner {
            Owner::Nat(g) => {
                let nat = self.nat_gateway(p, g, id, public_ip);
                let aws = aws_id("eni", &self.n.nat(nat).aws_id);
                (
                    aws,
                    EniOwner::NatGateway(nat),
                    public_ip.is_some(),
                    vec![],
                    false,
                )
            }
            Owner::Instance(i) => {
                let inst = self.instance(p, i, id)?;
                let elastic = public.is_some_and(|(_, e)| e);
                let sgs = self.instance_sgs(p.vid, i, id)?;
                let sdc = i.source_dest_check.as_ref().is_none_or(|b| b.value);
                let aws = display_id(i.eni_aws_id.as_ref(), "eni", &p.name.value);
                (aws, EniOwner::Instance(inst), elastic, sgs, sdc)
            }
            Owner::Interface(ni, d) => {
                device = d;
                let inst = self.n.instance_by_name(&p.name.value).ok_or_else(|| {
                    super::Unresolved::new(p.name.loc, format!("instance `{}`", p.name.value))
                })?;
                self.n.instances[inst.idx()].enis.push(id);
                let elastic = public.is_some_and(|(_, e)| e);
                let sgs = self.group_list(p.vid, ni.security_groups.as_deref(), id)?;
                let sdc = ni.source_dest_check.as_ref().is_none_or(|b| b.value);
                let derived = format!("{}-{d}", aws_id("eni", &p.name.value));
                let aws = ni.aws_id.as_ref().map_or(derived, |w| w.value.clone());
                (aws, EniOwner::Instance(inst), elastic, sgs, sdc)
            }
        };
        self.n.enis.push(Eni {
            id,
            aws_id: aws,
            description: match p.owner {
                Owner::Interface(ni, _) => text(&ni.description),
                _ => None,
            },
            owner,
            device,
            vpc: p.vid,
            subnet: p.subnet,
            private_ip: ip,
            secondary_ips,
            public_ip,
            elastic,
            mac: mac_for(&self.n.name, 0, id.idx()),
            sgs,
            source_dest_check,
        });
        Ok(())
    }

    fn nat_gateway(
        &mut self,
        p: &Pending,
        g: &spec::NatGateway,
        eni: EniId,
        elastic_ip: Option<Ipv4Addr>,
    ) -> NatId {
        let id = NatId(self.n.nat_gateways.len() as u32);
        self.n.nat_gateways.push(NatGateway {
            id,
            name: p.name.value.clone(),
            aws_id: display_id(g.aws_id.as_ref(), "nat", &p.name.value),
            description: text(&g.description),
            vpc: p.vid,
            subnet: p.subnet,
            eni,
            elastic_ip,
            private: g
                .connectivity
                .as_ref()
                .is_some_and(|c| c.value == "private"),
            loc: p.name.loc,
        });
        self.n.vpcs[p.vid.idx()].nat_gateways.push(id);
        id
    }

    fn instance(&mut self, p: &Pending, i: &spec::Instance, eni: EniId) -> Built<InstanceId> {
        let id = InstanceId(self.n.instances.len() as u32);
        let services = self.services(&i.services)?;
        let ephemeral = self.ephemeral(i.ephemeral_ports.as_ref())?;
        self.n.instances.push(Instance {
            id,
            name: p.name.value.clone(),
            aws_id: display_id(i.aws_id.as_ref(), "i", &p.name.value),
            description: text(&i.description),
            vpc: p.vid,
            subnet: p.subnet,
            eni,
            enis: vec![eni],
            nat: i.role.as_ref().is_some_and(|r| r.value == "nat"),
            running: i.state.as_ref().is_none_or(|s| s.value != "stopped"),
            services,
            run: i.run.iter().map(|r| r.value.clone()).collect(),
            ephemeral,
            port: PortId(0),
            loc: p.name.loc,
        });
        self.n.vpcs[p.vid.idx()].instances.push(id);
        self.n.idx.instance_by_name.insert(p.name.value.clone(), id);
        Ok(id)
    }

    /// An instance's groups (`default` when it names none), each once, with `eni` added to
    /// their members.
    fn instance_sgs(&mut self, vid: VpcId, i: &spec::Instance, eni: EniId) -> Built<Vec<SgId>> {
        self.group_list(vid, i.security_groups.as_deref(), eni)
    }

    /// An interface's groups as written (`default` when none), each once, with `eni` added to
    /// their members.
    fn group_list(
        &mut self,
        vid: VpcId,
        written: Option<&[Sp<String>]>,
        eni: EniId,
    ) -> Built<Vec<SgId>> {
        let default = [Sp::new("default".to_string())];
        let names = written.unwrap_or(&default);
        let mut sgs = vec![];
        for name in names {
            let sg = self.sg_named(vid, &name.value, name.loc)?;
            if !sgs.contains(&sg) {
                sgs.push(sg);
                self.n.sgs[sg.idx()].members.push(eni);
            }
        }
        Ok(sgs)
    }
}
