//! The slow path: a packet the flow cache could not decide walks `policy::path::walk` on the
//! engine's live state (conntrack, NAT tables); the walk's observations admit or refresh
//! conntrack entries (or hit the ENI's conntrack allowance), and a delivered flow that used no
//! NAT is cached for its next packets.

use super::flow_cache::Cached;
use super::{live, Engine, Nanos};
use crate::engine::live::Live;
use crate::engine::wire::{self, Packet};
use crate::model::proto;
use crate::model::{EniId, PortId};
use crate::policy::path::{self, Delivery, Options, Origin, Outcome, Walk};
use crate::policy::{ComponentKind, Decision, Header, RuleId, Verdict};

/// A full walk the engine made, kept while walks are recorded (for `probe`).
#[derive(Clone, Debug)]
pub struct RecordedWalk {
    /// When.
    pub time: Nanos,
    /// The sending port.
    pub port: PortId,
    /// The packet as sent.
    pub header: Header,
    /// The walk.
    pub walk: Walk,
}

impl Engine {
    /// Keeps `walk` of the packet `header` that `port` sent at `now`, when walks are recorded
    /// (`set_record_walks`); otherwise drops it.
    pub(super) fn record_walk(&mut self, now: Nanos, port: PortId, header: Header, walk: Walk) {
        if self.record {
            self.walks.push(RecordedWalk {
                time: now,
                port,
                header,
                walk,
            });
        }
    }

    /// Judges a packet by a full walk, then forwards, drops (with a RST for an idled-out NAT
    /// gateway flow) or answers nothing, and caches what can be cached.
    pub(super) fn slow_path(
        &mut self,
        pkt: Packet<Vec<u8>>,
        port: PortId,
        origin: Origin,
        now: Nanos,
    ) {
        let net = self.net.clone();
        let ip = *pkt.ip();
        let h = ip.header;
        let mut live = Live {
            lb: &mut self.lb,
            net: &net,
            ct: &self.ct,
            nat: &mut self.nat,
            now,
            flags: if h.proto == proto::TCP {
                super::TcpFlags::from_bits(ip.tcp_flags)
            } else {
                super::TcpFlags::NONE
            },
            inner: ip.inner,
            inner_out: None,
            idle_rst: false,
            exhausted: false,
            nat_used: false,
            nat64: None,
        };
        let opts = Options {
            collect_all: false,
            nat_instance_in_walk: self.nat_instance_in_engine,
        };
        let compiled = self.compiled.clone();
        let mut walk =
            path::walk_compiled(&net, &compiled, &mut live, origin, h, opts, self.record);
        let (idle_rst, exhausted, nat_used, mut inner_out) =
            (live.idle_rst, live.exhausted, live.nat_used, live.inner_out);
        let nat64 = live.nat64;
        // An ICMP error that crossed internet gateways: its embedded header is translated too.
        if let (
            None,
            Some(inner),
            Outcome::Delivered {
                to: Delivery::Eni(e),
                header,
            },
        ) = (inner_out, ip.inner, &walk.outcome)
        {
            let t = live::igw_inner(&net, *e, header, inner);
            if t != inner {
                inner_out = Some(t);
            }
        }
        if exhausted {
            self.stats.nat_port_exhausted += 1;
        }
        if ip.frag.is_some() && super::fragments::nat_gateway_drops(&net, &h, &walk.observations) {
            self.stats.unsupported += 1;
            return;
        }
        let touch = self.track(&mut walk, super::TcpFlags::from_bits(ip.tcp_flags), now);
        let nat_used = nat_used || walk.lb.is_some();
        if let (Some(c), true) = (walk.lb, walk.delivered()) {
            self.lb.insert(c, now);
        }
        self.emit_events(&walk.observations, &pkt, now);
        // A reply of a NAT64 flow ends at the gateway, which sends it on as IPv6.
        if let (Some(r), true) = (nat64, walk.delivered()) {
            self.nat64_back(pkt, r, now);
            self.record_walk(now, port, h, walk);
            return;
        }
        match &walk.outcome {
            Outcome::Delivered { to, header } => {
                let (to, header) = (*to, *header);
                let same_l2 = match (origin, to) {
                    (Origin::Eni(a), Delivery::Eni(b))
                        if header == h && net.eni(a).subnet == net.eni(b).subnet =>
                    {
                        Some(a)
                    }
                    _ => None,
                };
                let mtu = self.flow_mtu(port, to, &h);
                if ip.frag.is_some() {
                    let obs = &walk.observations;
                    self.remember_fragment(&pkt, to, header, same_l2, mtu, obs, now);
                    self.deliver_fragment(pkt, to, &header, same_l2, mtu);
                } else {
                    let inner = inner_out.as_ref();
                    self.deliver(pkt, port, to, &header, inner, same_l2, mtu, now);
                }
                if !nat_used && ip.inner.is_none() && ip.frag.is_none() && !self.record {
                    let c = Cached {
                        generation: self.generation,
                        link: self.link_to(to, same_l2),
                        header,
                        // Moved, not cloned: the walk is not kept (walks are not recorded).
                        observations: std::sync::Arc::from(std::mem::take(&mut walk.observations)),
                        touch,
                        mtu,
                        quiet: None,
                    };
                    self.cache.insert(port, h, c);
                }
            }
            // Out of the modelled network (nobody there to deliver to): not a policy drop.
            Outcome::Resolver { .. } | Outcome::Exited { .. } => {}
            Outcome::Dropped(_) => {
                self.stats.policy_drops += 1;
                if idle_rst {
                    self.send_rst(port, &pkt);
                }
            }
        }
        self.record_walk(now, port, h, walk);
    }

    /// Connection tracking for a walk of a packet with TCP flags `flags`: new flows admitted by
    /// an SG are tracked, the others' entries refreshed (TCP ones moved along by the flags).
    /// When an ENI's table is full and nothing in it can be evicted (conntrack's early drop)
    /// the walk is cut there and rejected with `CONNTRACK_ALLOWANCE_EXCEEDED`. Returns the
    /// entries a cached copy of the decision must refresh.
    pub(super) fn track(
        &mut self,
        walk: &mut Walk,
        flags: super::TcpFlags,
        now: Nanos,
    ) -> Vec<(EniId, Header)> {
        let net = &self.net;
        let mut touch = Vec::with_capacity(walk.observations.len());
        let mut full_at = None;
        for (i, o) in walk.observations.iter().enumerate() {
            if o.verdict != Verdict::Accept
                || net.eni(o.eni).sgs.is_empty() && net.eni_instance(o.eni).is_none()
            {
                continue;
            }
            if o.track {
                if !self
                    .ct
                    .insert(o.eni, &o.header, flags, now, net.conntrack_max)
                {
                    full_at = Some(i);
                    break;
                }
                touch.push((o.eni, o.header));
            } else if self.ct.touch(o.eni, &o.header, flags, now) {
                touch.push((o.eni, o.header));
            }
        }
        if let Some(i) = full_at {
            self.stats.conntrack_full += 1;
            let o = &mut walk.observations[i];
            let d = Decision {
                verdict: Verdict::Reject,
                component: net.eni(o.eni).aws_id.clone(),
                kind: ComponentKind::Engine,
                direction: Some(o.direction),
                rule: RuleId::Builtin,
                code: Some(crate::policy::ExplanationCode::ConntrackAllowanceExceeded),
                detail: format!(
                    "{} tracks {} connections already (conntrack allowance)",
                    net.eni(o.eni).aws_id,
                    net.conntrack_max
                ),
            };
            o.verdict = Verdict::Reject;
            o.decision = std::sync::Arc::new(d.clone());
            walk.observations.truncate(i + 1);
            walk.outcome = Outcome::Dropped(d.clone());
            walk.blockers = vec![d];
        }
        touch
    }

    /// The NAT gateway's answer to a packet of an idled-out flow: RST to the client.
    fn send_rst(&mut self, port: PortId, pkt: &Packet<Vec<u8>>) {
        let h = pkt.ip().header;
        let p = self.net.port(port);
        let f = wire::build(
            self.net.router_mac,
            p.mac,
            &h.reversed(),
            wire::Tcp {
                flags: 0x04,
                seq: pkt.tcp().ack,
                ack: 0,
            },
            0,
            &[],
        );
        self.emit_frame(port, f);
    }
}
