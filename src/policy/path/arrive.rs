//! Steps 6-8 of the walk: the packet arrives in a VPC, finds the ENI that owns its destination,
//! passes that subnet's inbound NACL and (at an instance) the source/destination check and the
//! inbound security groups, and is delivered, or handed on when the ENI is a NAT device.

use super::builtin::reject;
use super::walker::{Step, Walker};
use super::{Delivery, Outcome};
use crate::model::{EniId, EniOwner, InstanceId, SubnetId, VpcId};
use crate::policy::{ComponentKind, Direction, ExplanationCode, Header};

impl Walker<'_> {
    /// Delivers to the ENI that owns `h.dst` in `vpc` (after the local route or a peering).
    /// `from` is the subnet the packet comes from, when in this VPC (no NACL between a subnet
    /// and itself).
    pub(super) fn arrive_in_vpc(
        &mut self,
        vpc: VpcId,
        h: Header,
        from: Option<SubnetId>,
    ) -> Step<Outcome> {
        let net = self.net;
        let v = net.vpc(vpc);
        let Some(sub) = net.subnet_of(vpc, h.dst) else {
            return Err(self.stop(reject(
                v.aws_id.clone(),
                ComponentKind::Vpc,
                ExplanationCode::NoRouteToDestination,
                format!("no subnet of {} contains {}", v.aws_id, h.dst),
            )));
        };
        match net.eni_by_private_ip(vpc, h.dst) {
            Some(e) => self.arrive_eni(e, h, from),
            None => {
                // NACL in still applies before the address is found missing.
                if from != Some(sub) {
                    let d = self.nacl_decision(net.subnet(sub).nacl, Direction::Inbound, &h);
                    self.check_shared(d)?;
                }
                let s = net.subnet(sub);
                Err(self.stop(reject(
                    s.aws_id.clone(),
                    ComponentKind::Subnet,
                    ExplanationCode::NoEniAtAddress,
                    format!("no network interface in {} has address {}", s.aws_id, h.dst),
                )))
            }
        }
    }

    /// Steps 6-8 at ENI `eni`; then NAT processing when it is a NAT device.
    pub(super) fn arrive_eni(
        &mut self,
        eni: EniId,
        h: Header,
        from: Option<SubnetId>,
    ) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        let e = net.eni(eni);
        if from != Some(e.subnet) {
            let d = self.nacl_decision(net.subnet(e.subnet).nacl, Direction::Inbound, &h);
            if !d.accepted() {
                self.observe_shared(eni, Direction::Inbound, &h, d.clone(), false);
            }
            self.check_shared(d)?;
        }
        match e.owner {
            EniOwner::NatGateway(n) => self.nat_gateway(n, eni, h),
            EniOwner::Instance(i) => self.arrive_instance(i, eni, h),
            EniOwner::VpcEndpoint(ep) => self.arrive_interface_endpoint(ep, eni, h),
            EniOwner::LoadBalancer(l) => self.load_balancer_node(l, eni, h),
        }
    }

    /// At instance `i`'s ENI `eni`: it must run, the source/destination check and the inbound
    /// security groups apply; a NAT instance then forwards (when the walk does NAT instances),
    /// anything else is delivered.
    fn arrive_instance(&mut self, i: InstanceId, eni: EniId, h: Header) -> Step<Outcome> {
        let net = self.net;
        let e = net.eni(eni);
        let inst = net.instance(i);
        if !inst.running {
            return Err(self.stop(reject(
                inst.aws_id.clone(),
                ComponentKind::Instance,
                ExplanationCode::InstanceStopped,
                format!("{} is stopped and does not answer", inst.aws_id),
            )));
        }
        if e.source_dest_check && !e.owns(h.dst) {
            self.check(reject(e.aws_id.clone(), ComponentKind::Eni, ExplanationCode::EniSourceDestCheckRestriction, format!("source/destination check on {}: {} is not its address (turn the check off for a NAT instance)", e.aws_id, h.dst)))?;
        }
        let forwarding = !e.owns(h.dst);
        self.security_group(eni, Direction::Inbound, &h)?;
        if inst.nat && self.opts.nat_instance_in_walk {
            if let Some(step) = self.nat_instance(i, eni, h, forwarding) {
                return step;
            }
        }
        if self.trace {
            self.hop(
                &e.aws_id,
                ComponentKind::Eni,
                format!("delivered to {} ({})", inst.aws_id, e.private_ip),
                None,
            );
        }
        Ok(Outcome::Delivered {
            to: Delivery::Eni(eni),
            header: h,
        })
    }
}
