//! Steps 1-2 of the walk: the packet leaves the host behind an ENI (the instance must run, the
//! source/destination check and the outbound security groups apply), then its subnet.

use super::builtin::{builtin, reject};
use super::walker::{Step, Walker};
use super::Outcome;
use crate::model::{EniId, EniOwner};
use crate::policy::{ComponentKind, Direction, ExplanationCode, Header, Verdict};

impl Walker<'_> {
    /// The packet leaves the host behind `eni` (steps 1-5).
    pub(super) fn leave_eni(&mut self, eni: EniId, h: Header) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        let e = net.eni(eni);
        if let Some(i) = net.eni_instance(eni) {
            if !net.instance(i).running {
                return Err(self.stop(reject(
                    net.instance(i).aws_id.clone(),
                    ComponentKind::Instance,
                    ExplanationCode::InstanceStopped,
                    format!("{} is stopped", net.instance(i).aws_id),
                )));
            }
        }
        if e.source_dest_check && !e.owns(h.src) {
            self.check(reject(
                e.aws_id.clone(),
                ComponentKind::Eni,
                ExplanationCode::EniSourceDestCheckRestriction,
                format!(
                    "source/destination check: {} is not an address of {}",
                    h.src, e.aws_id
                ),
            ))?;
        }
        if matches!(e.owner, EniOwner::VpcEndpoint(_)) {
            self.leave_interface_endpoint(eni, &h)?;
        }
        // SG outbound (NAT gateway ENIs have none; a load balancer without groups neither).
        let obs = if matches!(e.owner, EniOwner::LoadBalancer(_)) && e.sgs.is_empty() {
            self.observe(
                eni,
                Direction::Outbound,
                &h,
                builtin(
                    Verdict::Accept,
                    e.aws_id.clone(),
                    ComponentKind::LoadBalancer,
                    None,
                    "load balancer node without security groups".into(),
                ),
                false,
            )
        } else if matches!(e.owner, EniOwner::NatGateway(_)) {
            self.observe(
                eni,
                Direction::Outbound,
                &h,
                builtin(
                    Verdict::Accept,
                    e.aws_id.clone(),
                    ComponentKind::NatGateway,
                    None,
                    "NAT gateway egress".into(),
                ),
                false,
            )
        } else {
            self.security_group(eni, Direction::Outbound, &h)?
        };
        if let Some((node, out)) = self.state.lb_reply(eni, &h) {
            return self.lb_return(eni, node, h, out);
        }
        self.leave_subnet(e.subnet, h, Some(obs))
    }
}
