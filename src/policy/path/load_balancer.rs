//! The walk through an Elastic Load Balancing load balancer (`docs/load-balancers.md`): a
//! packet arriving at a node's ENI passes the node's security groups, finds its listener, the
//! rule and action (ALB: host and path of the [`HttpRequest`]), the target group, and the
//! target the node picks (healthy ones only, in the node's zone unless cross-zone, failing open
//! when every target is unhealthy); it then leaves the node towards the target, from the
//! node's address (ALB, IP targets) or the client's (NLB instance targets). A target's health
//! is the walk itself, from the node to the target's health-check port and back. Replies come
//! back through the node the flow crossed ([`WalkState::lb_reply`]).

use super::builtin::{builtin, reject};
use super::walker::{Step, Walker};
use super::{Assumed, Delivery, Options, Origin, Outcome, WalkState};
use crate::model::load_balancer::{LbAction, LbTarget, LbType, LoadBalancer, TargetGroup};
use crate::model::{EniId, EniOwner, LoadBalancerId, Network};
use crate::policy::{ComponentKind, Direction, ExplanationCode, Header, Verdict};

/// The source port of the health checks a node sends (any port of the ephemeral range AWS's
/// nodes use would do; one fixed port keeps the walk deterministic).
pub const HEALTH_CHECK_SOURCE_PORT: u16 = 40000;

/// What an ALB's rules match in a request: its `Host` header and path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    /// The `Host` header (None: the load balancer's DNS name, as a client using it sends).
    pub host: Option<String>,
    /// The path (None: `/`).
    pub path: Option<String>,
}

/// One crossing of a load balancer: what the engine remembers to translate the replies, and
/// what the analyzer needs to walk them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LbCrossing {
    /// The load balancer.
    pub lb: LoadBalancerId,
    /// The node's ENI the flow crossed.
    pub node: EniId,
    /// The packet as it arrived at the node (client → node's private address, listener port).
    pub front: Header,
    /// The packet as the node sent it to the target.
    pub back: Header,
    /// The target's ENI (where its replies leave), if an ENI owns the target's address.
    pub target_eni: Option<EniId>,
}

impl LbCrossing {
    /// The node that turns a reply `h` seen at ENI `at` back towards the client, and the
    /// reply as it leaves that node; None when `h` is no reply of this crossing.
    pub fn reply(&self, at: EniId, h: &Header) -> Option<(EniId, Header)> {
        let expected_at = if self.back.src == self.front.src {
            self.target_eni
        } else {
            Some(self.node)
        };
        (*h == self.back.reversed() && Some(at) == expected_at)
            .then(|| (self.node, self.front.reversed()))
    }
}

/// The analyzer's state for the return leg of a flow that crossed a load balancer: every
/// fact as [`Assumed`], and the crossing's replies turned back through its node.
#[derive(Clone, Debug)]
pub struct AssumedThrough {
    /// The other facts.
    pub base: Assumed,
    /// The crossing of the forward leg.
    pub crossing: LbCrossing,
}

impl WalkState for AssumedThrough {
    fn tracked(&self, eni: EniId, dir: Direction, h: &Header) -> bool {
        self.base.tracked(eni, dir, h)
    }
    fn nat_gateway_out(
        &mut self,
        nat: crate::model::NatId,
        h: &Header,
        ip: std::net::Ipv4Addr,
    ) -> Result<Header, crate::policy::Decision> {
        self.base.nat_gateway_out(nat, h, ip)
    }
    fn nat_gateway_in(&mut self, nat: crate::model::NatId, h: &Header) -> Option<Header> {
        self.base.nat_gateway_in(nat, h)
    }
    fn nat_instance_out(
        &mut self,
        i: crate::model::InstanceId,
        h: &Header,
        ip: std::net::Ipv4Addr,
    ) -> Option<Header> {
        self.base.nat_instance_out(i, h, ip)
    }
    fn nat_instance_in(&mut self, i: crate::model::InstanceId, h: &Header) -> Option<Header> {
        self.base.nat_instance_in(i, h)
    }
    fn lb_reply(&mut self, at: EniId, h: &Header) -> Option<(EniId, Header)> {
        self.crossing.reply(at, h)
    }
}

pub use crate::model::load_balancer::wildcard;

/// The flow hash a node picks a target by (AWS: protocol, addresses, ports).
fn flow_hash(h: &Header) -> u64 {
    let mut x: u64 = 0xcbf29ce484222325;
    let parts = [
        u32::from(h.src) as u64,
        u32::from(h.dst) as u64,
        h.proto as u64,
        h.sport as u64,
        h.dport as u64,
    ];
    for p in parts {
        for b in p.to_le_bytes() {
            x ^= b as u64;
            x = x.wrapping_mul(0x100000001b3);
        }
    }
    x
}

/// Whether target `t` of `tg` passes the health check of the node `node` of `lb`: the check
/// (TCP to the health-check port, from the node's address) is delivered to the target, and its
/// answer back to the node. A target that is itself a load balancer's node is not checked
/// (vpclab does not chain load balancers).
pub fn target_healthy(net: &Network, node: EniId, tg: &TargetGroup, t: &LbTarget) -> bool {
    target_healthy_in(net, None, node, tg, t)
}

/// [`target_healthy`], walking through the compiled rules when the walk asking has them (the
/// engine's walks), so a node's health checks cost what its other packets' walks cost.
fn target_healthy_in(
    net: &Network,
    compiled: Option<&crate::policy::compiled::Compiled>,
    node: EniId,
    tg: &TargetGroup,
    t: &LbTarget,
) -> bool {
    let run = |state: &mut Assumed, origin: Origin, h: Header| match compiled {
        Some(c) => super::walk_compiled(net, c, state, origin, h, Options::default(), false),
        None => super::walk(net, state, origin, h, Options::default()),
    };
    if t.eni
        .is_some_and(|e| matches!(net.eni(e).owner, EniOwner::LoadBalancer(_)))
    {
        return false;
    }
    if t.instance.is_some_and(|i| !net.instance(i).running) {
        return false;
    }
    let from = net.eni(node).private_ip;
    let hc = Header::l4(
        from,
        t.ip,
        crate::model::proto::TCP,
        HEALTH_CHECK_SOURCE_PORT,
        tg.health.port_for(t),
    );
    let fwd = run(&mut Assumed::default(), Origin::Eni(node), hc);
    let Outcome::Delivered {
        to: Delivery::Eni(at),
        header,
    } = fwd.outcome
    else {
        return false;
    };
    if !net.eni(at).owns(t.ip) {
        return false;
    }
    let mut back = Assumed {
        replies: true,
        original_src: None,
    };
    let ret = run(&mut back, Origin::Eni(at), header.reversed());
    matches!(ret.outcome, Outcome::Delivered { to: Delivery::Eni(e), .. } if e == node)
}

impl Walker<'_> {
    /// A packet arriving at node `eni` of load balancer `lb` (after its subnet's NACL): a
    /// reply of a crossing goes back to the client; a tracked reply to the node's own flows
    /// (health checks) is delivered to it; anything else needs a listener.
    pub(super) fn load_balancer_node(
        &mut self,
        lb: LoadBalancerId,
        eni: EniId,
        h: Header,
    ) -> Step<Outcome> {
        let net = self.net;
        let l = net.load_balancer(lb);
        if let Some((node, out)) = self.state.lb_reply(eni, &h) {
            self.node_sg(l, eni, Direction::Inbound, &h)?;
            self.hop(
                &l.name,
                ComponentKind::LoadBalancer,
                format!(
                    "reply of a connection through {}: back to {} from {}",
                    l.name,
                    out.dst,
                    net.eni(node).aws_id
                ),
                None,
            );
            return self.leave_node(l, node, out);
        }
        if self.state.tracked(eni, Direction::Inbound, &h) {
            self.node_sg(l, eni, Direction::Inbound, &h)?;
            return Ok(self.delivered_to_node(l, eni, h));
        }
        self.node_sg(l, eni, Direction::Inbound, &h)?;
        let Some(listener) = l.listener(h.proto, h.dport) else {
            return Err(self.stop(reject(
                l.name.clone(),
                ComponentKind::LoadBalancer,
                ExplanationCode::ElbListenersMismatch,
                format!("{} has no listener for {}", l.name, describe(&h)),
            )));
        };
        if l.lb_type == LbType::Application && self.state.alb_terminates() {
            self.hop(
                &l.name,
                ComponentKind::LoadBalancer,
                format!(
                    "listener {}:{}: the node terminates HTTP (its proxy applies the rules and picks the target)",
                    listener.protocol.name(),
                    listener.port
                ),
                None,
            );
            return Ok(self.delivered_to_node(l, eni, h));
        }
        let (action, rule) = self.pick_action(l, listener);
        let rule_text = match rule {
            Some(p) => format!("rule {p}"),
            None => "default action".to_string(),
        };
        let tg = match action {
            LbAction::Forward(i) => &l.target_groups[*i],
            LbAction::FixedResponse { status, .. } => {
                self.hop(
                    &l.name,
                    ComponentKind::LoadBalancer,
                    format!(
                        "listener {}:{} {rule_text}: fixed response {status}",
                        listener.protocol.name(),
                        listener.port
                    ),
                    None,
                );
                return Ok(self.delivered_to_node(l, eni, h));
            }
            LbAction::Redirect(r) => {
                self.hop(
                    &l.name,
                    ComponentKind::LoadBalancer,
                    format!(
                        "listener {}:{} {rule_text}: redirect {} to {}://{}:{}{}",
                        listener.protocol.name(),
                        listener.port,
                        r.status,
                        r.protocol,
                        r.host,
                        r.port,
                        r.path
                    ),
                    None,
                );
                return Ok(self.delivered_to_node(l, eni, h));
            }
        };
        self.hop(
            &l.name,
            ComponentKind::LoadBalancer,
            format!(
                "listener {}:{} {rule_text}: forward to target group {}",
                listener.protocol.name(),
                listener.port,
                tg.name
            ),
            None,
        );
        let t = self.pick_target(l, eni, tg, &h)?;
        let src = if l.preserves_client_ip(tg) {
            h.src
        } else {
            net.eni(eni).private_ip
        };
        let back = Header {
            src,
            dst: t.ip,
            dport: t.port,
            ..h
        };
        self.lb = Some(LbCrossing {
            lb,
            node: eni,
            front: h,
            back,
            target_eni: t.eni,
        });
        self.leave_node(l, eni, back)
    }

    /// The node's security groups in `dir` (an NLB without groups filters nothing).
    fn node_sg(&mut self, l: &LoadBalancer, eni: EniId, dir: Direction, h: &Header) -> Step<usize> {
        if l.sgs.is_empty() {
            let d = builtin(
                Verdict::Accept,
                self.net.eni(eni).aws_id.clone(),
                ComponentKind::LoadBalancer,
                None,
                format!("{} has no security group: nothing is filtered", l.name),
            );
            return Ok(self.observe(eni, dir, h, d, false));
        }
        self.security_group(eni, dir, h)
    }

    /// The node sends `h` (to a target, or a reply to a client) out of its subnet.
    fn leave_node(&mut self, l: &LoadBalancer, eni: EniId, h: Header) -> Step<Outcome> {
        self.spend()?;
        self.pkt_src = h.src;
        self.pkt_dst = h.dst;
        let obs = self.node_sg(l, eni, Direction::Outbound, &h)?;
        self.leave_subnet(self.net.eni(eni).subnet, h, Some(obs))
    }

    /// The load balancer answers itself (a fixed response, the answer to a health check).
    fn delivered_to_node(&mut self, l: &LoadBalancer, eni: EniId, h: Header) -> Outcome {
        let e = self.net.eni(eni);
        self.hop(
            &e.aws_id,
            ComponentKind::Eni,
            format!(
                "delivered to {} node {} ({})",
                l.name, e.aws_id, e.private_ip
            ),
            None,
        );
        Outcome::Delivered {
            to: Delivery::Eni(eni),
            header: h,
        }
    }

    /// The listener's action for this walk's request: the first rule (by priority) whose
    /// conditions all match, else the default; with the rule's priority.
    fn pick_action<'l>(
        &self,
        l: &'l LoadBalancer,
        listener: &'l crate::model::load_balancer::Listener,
    ) -> (&'l LbAction, Option<u32>) {
        if l.lb_type == LbType::Network {
            return (&listener.default, None);
        }
        let host = self
            .http
            .as_ref()
            .and_then(|r| r.host.clone())
            .unwrap_or_else(|| l.dns_name.clone());
        let path = self
            .http
            .as_ref()
            .and_then(|r| r.path.clone())
            .unwrap_or_else(|| "/".into());
        listener.pick(&host, &path)
    }

    /// The target node `eni` picks for `h` in `tg`: among the targets of the enabled zones
    /// (only the node's zone without cross-zone), the healthy ones, or all of them when none
    /// is healthy (fail open); by flow hash.
    fn pick_target<'l>(
        &mut self,
        l: &'l LoadBalancer,
        eni: EniId,
        tg: &'l TargetGroup,
        h: &Header,
    ) -> Step<&'l LbTarget> {
        let net = self.net;
        let Some(node) = l.node(eni) else {
            return Err(self.stop(reject(
                l.name.clone(),
                ComponentKind::LoadBalancer,
                ExplanationCode::ElbListenersMismatch,
                format!("{} is no node of {}", net.eni(eni).aws_id, l.name),
            )));
        };
        if tg.targets.is_empty() {
            return Err(self.stop(reject(
                l.name.clone(),
                ComponentKind::LoadBalancer,
                ExplanationCode::Elbv2ListenerHasNoTg,
                format!("target group {} has no registered target", tg.name),
            )));
        }
        let enabled = |t: &LbTarget| {
            t.az.as_ref()
                .is_none_or(|z| l.nodes.iter().any(|n| &n.az == z))
        };
        let candidates: Vec<&LbTarget> = tg
            .targets
            .iter()
            .filter(|t| enabled(t))
            .filter(|t| l.cross_zone || t.az.as_ref().is_none_or(|z| *z == node.az))
            .collect();
        if candidates.is_empty() {
            let (code, why) = if l.cross_zone {
                (
                    ExplanationCode::Elbv2ListenerHasNoTg,
                    format!(
                        "no target of {} is in a zone enabled for {}",
                        tg.name, l.name
                    ),
                )
            } else {
                (
                    ExplanationCode::ElbNotCrosszone,
                    format!(
                        "cross-zone load balancing is off and {} has no target in {}",
                        tg.name, node.az
                    ),
                )
            };
            return Err(self.stop(reject(
                l.name.clone(),
                ComponentKind::LoadBalancer,
                code,
                why,
            )));
        }
        let health: Vec<bool> = candidates
            .iter()
            .map(|t| target_healthy_in(net, self.compiled, eni, tg, t))
            .collect();
        let any_healthy_anywhere = health.iter().any(|x| *x)
            || tg
                .targets
                .iter()
                .filter(|t| enabled(t) && !candidates.iter().any(|c| std::ptr::eq(*c, *t)))
                .any(|t| target_healthy_in(net, self.compiled, eni, tg, t));
        let healthy: Vec<&LbTarget> = candidates
            .iter()
            .zip(&health)
            .filter(|(_, ok)| **ok)
            .map(|(t, _)| *t)
            .collect();
        let (pool, fail_open) = if !healthy.is_empty() {
            (healthy, false)
        } else if !any_healthy_anywhere {
            (candidates, true)
        } else {
            return Err(self.stop(reject(
                l.name.clone(),
                ComponentKind::LoadBalancer,
                ExplanationCode::ElbNoHealthyTarget,
                format!(
                    "no target of {} in {} passes its health check (cross-zone is off; other zones' targets are healthy)",
                    tg.name, node.az
                ),
            )));
        };
        let t = pool[(flow_hash(h) % pool.len() as u64) as usize];
        let name = match t.instance {
            Some(i) => format!("{} ({}:{})", net.instance(i).aws_id, t.ip, t.port),
            None => format!("{}:{}", t.ip, t.port),
        };
        let state = if fail_open {
            "every target is unhealthy: fails open".to_string()
        } else {
            "healthy".to_string()
        };
        let reported = t
            .reported_health
            .as_ref()
            .map(|r| format!("; AWS reported {r}"))
            .unwrap_or_default();
        self.hop(
            &tg.name,
            ComponentKind::LoadBalancer,
            format!(
                "target {name} chosen by {} ({state}{reported})",
                net.eni(eni).aws_id
            ),
            None,
        );
        Ok(t)
    }

    /// A reply `h` leaving target ENI `eni` that the fabric turns back to load-balancer node
    /// `node` (client IP preservation): the target subnet's NACL out and the node subnet's
    /// NACL in, then it leaves the node as `out`.
    pub(super) fn lb_return(
        &mut self,
        eni: EniId,
        node: EniId,
        h: Header,
        out: Header,
    ) -> Step<Outcome> {
        let net = self.net;
        let (from, to) = (net.eni(eni).subnet, net.eni(node).subnet);
        let Some(lb) = net.eni_load_balancer(node) else {
            return Err(self.stop(reject(
                net.eni(node).aws_id.clone(),
                ComponentKind::LoadBalancer,
                ExplanationCode::ElbListenersMismatch,
                "no load balancer owns this node".into(),
            )));
        };
        let l = net.load_balancer(lb);
        if from != to {
            // Through the compiled NACLs, as the other stages (`nacl_decision`).
            let d = self.nacl_decision(net.subnet(from).nacl, Direction::Outbound, &h);
            self.check_shared(d)?;
            let d = self.nacl_decision(net.subnet(to).nacl, Direction::Inbound, &h);
            self.check_shared(d)?;
        }
        self.hop(
            &l.name,
            ComponentKind::LoadBalancer,
            format!(
                "reply of a connection through {} (client IP preserved): back to {} from {}",
                l.name,
                out.dst,
                net.eni(node).aws_id
            ),
            None,
        );
        self.leave_node(l, node, out)
    }
}

/// `tcp/80` for the messages.
fn describe(h: &Header) -> String {
    format!("{}/{}", crate::model::protocol_name(h.proto), h.dport)
}

#[cfg(test)]
mod tests {
    use super::wildcard;
    #[test]
    fn aws_wildcards() {
        assert!(wildcard("/api/*", "/api/users"));
        assert!(wildcard("/api/*", "/api/"));
        assert!(!wildcard("/api/*", "/apx/"));
        assert!(wildcard("*.example.com", "www.example.com"));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("a?c", "ac"));
        assert!(wildcard("*", ""));
    }
}
