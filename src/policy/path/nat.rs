//! Translation at NAT devices: a NAT gateway's ENI (source translation of outbound flows from its
//! VPC, and replies mapped back) and a NAT instance that masquerades inside the walk.

use super::builtin::{builtin, reject};
use super::walker::{Step, Walker};
use super::Outcome;
use crate::model::{proto, EniId, InstanceId, NatId};
use crate::policy::Verdict;
use crate::policy::{ComponentKind, Decision, Direction, ExplanationCode, Header, TrafficPath};

impl Walker<'_> {
    /// A packet at NAT gateway `n`'s ENI `eni`: a reply when addressed to the gateway, otherwise
    /// a packet to translate and forward.
    pub(super) fn nat_gateway(&mut self, n: NatId, eni: EniId, h: Header) -> Step<Outcome> {
        if h.dst == self.net.eni(eni).private_ip {
            self.nat_gateway_reply(n, eni, h)
        } else {
            self.nat_gateway_forward(n, eni, h)
        }
    }

    /// The decision recorded in a NAT gateway ENI's observations (it has no security groups).
    fn nat_accept(&self, n: NatId) -> Decision {
        builtin(
            Verdict::Accept,
            self.net.nat(n).aws_id.clone(),
            ComponentKind::NatGateway,
            None,
            "NAT gateway".into(),
        )
    }

    /// A reply to a translated flow (or an unsolicited packet): mapped back to the client and
    /// sent on from the gateway's subnet.
    fn nat_gateway_reply(&mut self, n: NatId, eni: EniId, h: Header) -> Step<Outcome> {
        let net = self.net;
        let nat = net.nat(n);
        let e = net.eni(eni);
        let accept = self.nat_accept(n);
        self.observe(eni, Direction::Inbound, &h, accept.clone(), false);
        // A packet the gateway sent to its own address, back through the internet gateway:
        // never the reply of a translated flow (AWS: it answers nothing addressed to itself).
        let own = h.src == e.private_ip || Some(h.src) == e.public_ip;
        let mapped = if own {
            None
        } else {
            self.state.nat_gateway_in(n, &h)
        };
        let Some(t) = mapped else {
            return Err(self.stop(reject(
                nat.aws_id.clone(),
                ComponentKind::NatGateway,
                ExplanationCode::NgwNoInboundInitiation,
                format!(
                    "{} accepts no connection initiated from outside (no mapping for {h})",
                    nat.aws_id
                ),
            )));
        };
        if t.dst == e.private_ip {
            // The reply to a flow the gateway started itself (`reach --from nat-…`).
            self.hop(
                &e.aws_id,
                ComponentKind::Eni,
                format!("delivered to {} ({})", nat.aws_id, e.private_ip),
                None,
            );
            return Ok(Outcome::Delivered {
                to: super::Delivery::Eni(eni),
                header: h,
            });
        }
        self.hop(
            &nat.aws_id,
            ComponentKind::NatGateway,
            format!(
                "{} translates the reply back: {}:{} → {}:{}",
                nat.aws_id, h.dst, h.dport, t.dst, t.dport
            ),
            None,
        );
        self.pkt_dst = t.dst;
        let o = self.observe(eni, Direction::Outbound, &t, accept, false);
        self.set_path(Some(o), TrafficPath::SameVpc);
        self.leave_subnet(e.subnet, t, Some(o))
    }

    /// A packet from the gateway's VPC (TCP, UDP or ICMP) to translate to the gateway's address
    /// and send on from its subnet.
    fn nat_gateway_forward(&mut self, n: NatId, eni: EniId, h: Header) -> Step<Outcome> {
        let net = self.net;
        let nat = net.nat(n);
        let e = net.eni(eni);
        let accept = self.nat_accept(n);
        self.pkt_dst = h.dst;
        self.observe(eni, Direction::Inbound, &h, accept.clone(), false);
        if !net.vpc(nat.vpc).contains(h.src) {
            return Err(self.stop(reject(
                nat.aws_id.clone(),
                ComponentKind::NatGateway,
                ExplanationCode::NgwRequiresSourceInVpc,
                format!(
                    "{} translates only traffic from {} (source {})",
                    nat.aws_id,
                    net.vpc(nat.vpc).aws_id,
                    h.src
                ),
            )));
        }
        if !matches!(h.proto, proto::TCP | proto::UDP | proto::ICMP) {
            return Err(self.stop(reject(
                nat.aws_id.clone(),
                ComponentKind::NatGateway,
                ExplanationCode::NgwUnsupportedProtocol,
                format!("{} translates only TCP, UDP and ICMP", nat.aws_id),
            )));
        }
        let t = match self.state.nat_gateway_out(n, &h, e.private_ip) {
            Ok(t) => t,
            Err(d) => return Err(self.stop(d)),
        };
        self.hop(
            &nat.aws_id,
            ComponentKind::NatGateway,
            format!(
                "{} translates {}:{} → {}:{}",
                nat.aws_id, h.src, h.sport, t.src, t.sport
            ),
            None,
        );
        self.pkt_src = t.src;
        let o = self.observe(eni, Direction::Outbound, &t, accept, false);
        self.leave_subnet(e.subnet, t, Some(o))
    }

    /// NAT instance `i` (ENI `eni`) after its inbound checks: a `forwarding` packet is
    /// masqueraded and sent out again, a reply to a masqueraded flow is mapped back and sent out.
    /// None: the packet is for the instance itself (delivered).
    pub(super) fn nat_instance(
        &mut self,
        i: InstanceId,
        eni: EniId,
        h: Header,
        forwarding: bool,
    ) -> Option<Step<Outcome>> {
        let net = self.net;
        let inst = net.instance(i);
        if forwarding {
            let Some(t) = self.state.nat_instance_out(i, &h, net.eni(eni).private_ip) else {
                return Some(Err(self.stop(reject(
                    inst.aws_id.clone(),
                    ComponentKind::Instance,
                    ExplanationCode::NatInstanceNoMapping,
                    format!("{} cannot masquerade {h}", inst.aws_id),
                ))));
            };
            self.hop(
                &inst.aws_id,
                ComponentKind::Instance,
                format!(
                    "NAT instance masquerades {}:{} → {}:{}",
                    h.src, h.sport, t.src, t.sport
                ),
                None,
            );
            return Some(self.leave_eni(eni, t));
        }
        let t = self.state.nat_instance_in(i, &h)?;
        self.hop(
            &inst.aws_id,
            ComponentKind::Instance,
            format!("NAT instance maps the reply back to {}:{}", t.dst, t.dport),
            None,
        );
        Some(self.leave_eni(eni, t))
    }
}
