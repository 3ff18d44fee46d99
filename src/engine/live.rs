//! The engine's live state seen through `policy::path::WalkState`: conntrack answers "tracked",
//! the NAT tables give mappings.

use super::conntrack::{Conntrack, FlowKey};
use super::nat::{Nat, NatError, NatTable, NAT_IDLE};
use super::{Nanos, TcpFlags};
use crate::model::proto;
use crate::model::{EniId, InstanceId, NatId, Network};
use crate::policy::path::WalkState;
use crate::policy::{ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId, Verdict};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Live state for one packet's walk.
pub(crate) struct Live<'a> {
    pub net: &'a Network,
    pub ct: &'a Conntrack,
    pub nat: &'a mut NatTable,
    pub now: Nanos,
    /// The packet's TCP flags (`TcpFlags::NONE` for other protocols): NAT gateway mappings
    /// follow the connection's state.
    pub flags: TcpFlags,
    /// The embedded header of an ICMP error.
    pub inner: Option<Header>,
    /// The embedded header rewritten by a NAT on the way.
    pub inner_out: Option<Header>,
    /// A NAT gateway flow idled out: send RST to the client.
    pub idle_rst: bool,
    /// A NAT gateway ran out of ports.
    pub exhausted: bool,
    /// A NAT translated this packet (not cached).
    pub nat_used: bool,
    /// Flows through load balancers (a reply they match goes back through the node).
    pub lb: &'a mut super::load_balancer::LbFlows,
    /// The reply of a NAT64 flow met at a NAT gateway: it ends there (`engine::nat64`).
    pub nat64: Option<super::nat64::Nat64Reply>,
}

fn is_icmp_error(h: &Header) -> bool {
    h.proto == proto::ICMP && matches!(h.icmp_type(), 3 | 11 | 12)
}

/// The embedded header of an ICMP error `h` as it reads at `eni`, after the internet gateways'
/// 1:1 NAT on the way (AWS translates the embedded header with the outer one): the ENI's public
/// IP as inner source becomes its private IP, and the error sender's private IP as inner
/// destination becomes the public IP the outer source carries. Unchanged when no IGW took part.
pub(crate) fn igw_inner(net: &Network, eni: EniId, h: &Header, inner: Header) -> Header {
    let mut i = inner;
    let e = net.eni(eni);
    if e.public_ip == Some(i.src) {
        i.src = e.private_ip;
    }
    if let Some(other) = net.eni_by_public_ip(h.src) {
        if net.eni(other).private_ip == i.dst {
            i.dst = h.src;
        }
    }
    i
}

impl Live<'_> {
    fn restore(&mut self, nat: Nat, h: &Header, idle: Option<Nanos>) -> Option<Header> {
        self.nat_used = true;
        if is_icmp_error(h) {
            let mut inner = self.inner?;
            if let Nat::Gateway(n) = nat {
                if let Some(g) = self.net.nat_gateways.get(n as usize) {
                    inner = igw_inner(self.net, g.eni, h, inner);
                }
            }
            let (src, sport) =
                match self
                    .nat
                    .back_any(nat, &inner.reversed(), self.now, idle, TcpFlags::NONE)?
                {
                    (IpAddr::V4(a), p) => (a, p),
                    (IpAddr::V6(client), port) => {
                        return self.nat64_reply(nat, h, client, port, true)
                    }
                };
            self.inner_out = Some(Header {
                src,
                sport,
                ..inner
            });
            return Some(Header { dst: src, ..*h });
        }
        let (src, sport) = match self.nat.back_any(nat, h, self.now, idle, self.flags)? {
            (IpAddr::V4(a), p) => (a, p),
            (IpAddr::V6(client), port) => return self.nat64_reply(nat, h, client, port, false),
        };
        Some(if h.proto == proto::ICMP {
            Header {
                dst: src,
                sport,
                ..*h
            }
        } else {
            Header {
                dst: src,
                dport: sport,
                ..*h
            }
        })
    }

    /// A reply mapped to an IPv6 client (NAT64): recorded, and addressed to the gateway
    /// itself so the IPv4 walk ends at its ENI.
    fn nat64_reply(
        &mut self,
        nat: Nat,
        h: &Header,
        client: Ipv6Addr,
        port: u16,
        error: bool,
    ) -> Option<Header> {
        let Nat::Gateway(n) = nat else { return None };
        let g = self.net.nat_gateways.get(n as usize)?;
        self.nat64 = Some(super::nat64::Nat64Reply {
            nat: NatId(n),
            client,
            port,
            error,
        });
        Some(Header {
            dst: self.net.eni(g.eni).private_ip,
            ..*h
        })
    }

    fn translate(
        &mut self,
        nat: Nat,
        h: &Header,
        ip: Ipv4Addr,
        idle: Option<Nanos>,
    ) -> Result<Header, NatError> {
        self.nat_used = true;
        if is_icmp_error(h) {
            // ICMP errors from behind a NAT are not translated (not a tracked flow of the NAT).
            return Err(NatError::Exhausted);
        }
        self.nat.out(nat, h, ip, self.now, idle, self.flags)
    }
}

impl WalkState for Live<'_> {
    /// An ICMP error is never part of a tracked flow here: AWS's SGs judge it by their rules
    /// (path MTU discovery needs an inbound rule for ICMP type 3 code 4, as EC2's "Network MTU"
    /// page says), so it passes only where a rule admits it.
    fn tracked(&self, eni: EniId, _dir: Direction, h: &Header) -> bool {
        !is_icmp_error(h) && self.ct.tracked(eni, &FlowKey::of(h), self.now)
    }

    fn nat_gateway_out(
        &mut self,
        nat: NatId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Result<Header, Decision> {
        let net = self.net;
        let id = &net.nat(nat).aws_id;
        match self.translate(Nat::Gateway(nat.0), h, nat_ip, Some(NAT_IDLE)) {
            Ok(t) => Ok(t),
            Err(NatError::IdleTimeout) => {
                self.idle_rst = true;
                Err(nat_gateway_reject(
                    id,
                    ExplanationCode::NgwIdleTimeout,
                    format!("the connection idled out after 350 s: {id} answers with RST"),
                ))
            }
            Err(NatError::Exhausted) => {
                self.exhausted = !is_icmp_error(h);
                Err(nat_gateway_reject(
                    id,
                    ExplanationCode::NgwPortAllocationError,
                    format!(
                        "{id} has no free port to {}:{} (ErrorPortAllocation)",
                        h.dst, h.dport
                    ),
                ))
            }
        }
    }

    fn nat_gateway_in(&mut self, nat: NatId, h: &Header) -> Option<Header> {
        self.restore(Nat::Gateway(nat.0), h, Some(NAT_IDLE))
    }

    fn nat_instance_out(
        &mut self,
        inst: InstanceId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Option<Header> {
        self.translate(Nat::Instance(inst.0), h, nat_ip, None).ok()
    }

    fn nat_instance_in(&mut self, inst: InstanceId, h: &Header) -> Option<Header> {
        self.restore(Nat::Instance(inst.0), h, None)
    }

    fn alb_terminates(&self) -> bool {
        self.lb.alb_proxies
    }
    fn lb_reply(&mut self, at: EniId, h: &Header) -> Option<(EniId, Header)> {
        let r = self.lb.reply(at, h, self.now);
        // A translated reply is never cached (as a NAT's).
        self.nat_used |= r.is_some();
        r
    }
}

/// NAT gateway `id`'s built-in rejection of a packet it cannot translate, with AWS's `code`.
fn nat_gateway_reject(id: &str, code: ExplanationCode, detail: String) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        component: id.to_string(),
        kind: ComponentKind::NatGateway,
        direction: None,
        rule: RuleId::Builtin,
        code: Some(code),
        detail,
    }
}
