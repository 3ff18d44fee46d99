//! The output side shared by the fast and slow paths: packet events (with a rewritten copy of
//! the frame when a capture asks) and delivery, which rewrites the caller's buffer in place and
//! queues that same buffer as the outgoing frame.

use super::mtu::Fit;
use super::transit::TGW_MTU;
use super::{Capture, Engine, Nanos, Output, PacketEvent};
use crate::engine::wire::{Offload, Packet};
use crate::model::{EniId, Mac, Network, PortId, PortOwner};
use crate::policy::path::{Delivery, Observation};
use crate::policy::Header;
use std::collections::VecDeque;
use std::sync::Arc;

impl Engine {
    /// The port a delivery leaves by, with the frame's source MAC (the sender's own when both
    /// share a subnet, else the router's) and destination MAC. None when the ENI is attached
    /// to no instance (the packet is dropped silently, as AWS does).
    #[inline]
    pub(super) fn link_to(
        &self,
        to: Delivery,
        same_l2: Option<EniId>,
    ) -> Option<(PortId, Mac, Mac)> {
        let net = &self.net;
        let port = match to {
            Delivery::Eni(e) => net.eni_port(e)?,
            Delivery::Internet(hid) => net.internet_host(hid).port,
        };
        let src_mac = same_l2.map_or(net.router_mac, |e| net.eni(e).mac);
        Some((port, src_mac, net.port(port).mac))
    }

    /// Forwards a (non-fragment) packet sent by the host behind `from`, rewritten to `h` (and an
    /// ICMP error's embedded header to `inner`). Unchanged addresses and ports: only the MACs
    /// are written, checksums stay. A packet too big for the path's `mtu` (the flow's, from
    /// [`Engine::flow_mtu`]) is fragmented or refused (`engine::mtu`).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(super) fn deliver(
        &mut self,
        pkt: Packet<Vec<u8>>,
        from: PortId,
        to: Delivery,
        h: &Header,
        inner: Option<&Header>,
        same_l2: Option<EniId>,
        mtu: u16,
        now: Nanos,
    ) {
        if let Some(link) = self.link_to(to, same_l2) {
            self.deliver_by(pkt, from, link, h, inner, mtu, now);
        }
    }

    /// [`Engine::deliver`] once the link is known (`link_to`'s port and MACs; the flow cache
    /// keeps them, so a cached flow's packets look nothing up in the network).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(super) fn deliver_by(
        &mut self,
        mut pkt: Packet<Vec<u8>>,
        from: PortId,
        (port, src_mac, dst_mac): (PortId, Mac, Mac),
        h: &Header,
        inner: Option<&Header>,
        mtu: u16,
        now: Nanos,
    ) {
        let fit = self.fit(&pkt, mtu);
        if let Fit::Refuse(mtu) = fit {
            if matches!(self.net.port(from).owner, PortOwner::Internet(_)) {
                self.refuse_inbound(&pkt, from, mtu);
                return;
            }
        }
        pkt.set_macs(src_mac, dst_mac);
        if mtu == TGW_MTU && pkt.ip().tcp_flags & 0x02 != 0 {
            // Transit gateways clamp the MSS of every SYN to their MTU (and send no ICMP for
            // what is too big); the same 8500 over inter-Region peering is clamped alike.
            pkt.clamp_mss(TGW_MTU - 40);
        }
        if *h != pkt.ip().header || inner.is_some() {
            pkt.translate(h, inner);
        }
        match fit {
            Fit::Send => {
                let off = pkt.offload();
                self.emit_frame_offload(port, pkt.into_inner(), off);
            }
            Fit::Fragment(mtu) => self.emit_fragmented(port, pkt.completed(), mtu),
            Fit::Refuse(mtu) => self.refuse_outbound(&pkt, h, port, mtu, now),
        }
    }

    /// One `Output::Packet` per observation (nothing while events are off), with the frame as
    /// it reads at that ENI when a capture wants it: a copy, since the caller's buffer is
    /// rewritten for delivery afterwards. Events handed back ([`Engine::recycle`]) are reused.
    pub(super) fn emit_events(&mut self, obs: &[Observation], pkt: &Packet<Vec<u8>>, now: Nanos) {
        if self.events {
            let mut to = EventSink {
                net: &self.net,
                capture: &self.capture,
                spare: &mut self.spare,
                out: &mut self.out,
            };
            to.emit(obs, pkt, now);
        }
    }
}

/// The parts of the engine that making packet events reads and writes, borrowed apart from the
/// rest so that the flow cache can emit its entry's observations without copying them.
pub(super) struct EventSink<'a> {
    /// The network (ENI and router MACs).
    pub(super) net: &'a Network,
    /// Which ENIs' events carry their frame.
    pub(super) capture: &'a Capture,
    /// Events handed back by the caller, reused before allocating (boxed: the boxes are what
    /// is reused, handed out again as `Output::Packet`).
    #[allow(clippy::vec_box)]
    pub(super) spare: &'a mut Vec<Box<PacketEvent>>,
    /// The engine's output queue.
    pub(super) out: &'a mut VecDeque<(Output, Offload)>,
}

impl EventSink<'_> {
    /// One `Output::Packet` per observation of `pkt` (see [`Engine::emit_events`]). A spare
    /// event's box and frame buffer are reused, so a caller that recycles its events makes
    /// the engine allocate nothing per packet for them.
    pub(super) fn emit(&mut self, obs: &[Observation], pkt: &Packet<Vec<u8>>, now: Nanos) {
        let ip = pkt.ip();
        let (packets, bytes) = pkt.wire_packets();
        for o in obs {
            let mut reused = self.spare.pop();
            let captured = if self.capture.wants(o.eni) {
                let buf = reused
                    .as_mut()
                    .and_then(|e| e.frame.take())
                    .unwrap_or_default();
                let macs =
                    PacketEvent::macs(o.direction, self.net.eni(o.eni).mac, self.net.router_mac);
                Some(if o.header == ip.header && ip.inner.is_none() {
                    pkt.copy_with_macs(buf, macs.0, macs.1)
                } else if ip.frag.is_some() {
                    pkt.copy_translated_fragment(buf, &o.header, macs)
                } else {
                    pkt.copy_translated(buf, &o.header, None, macs)
                })
            } else {
                None
            };
            let boxed = match reused {
                // Written field by field into the spare box (no event built and moved).
                Some(mut b) => {
                    let e = &mut *b;
                    e.time = now;
                    e.eni = o.eni;
                    e.direction = o.direction;
                    e.header = o.header.into();
                    e.pkt_src = o.pkt_src.into();
                    e.pkt_dst = o.pkt_dst.into();
                    e.bytes = bytes;
                    e.packets = packets;
                    e.tcp_flags = super::TcpFlags::from_bits(ip.tcp_flags);
                    e.verdict = o.verdict;
                    if !Arc::ptr_eq(&e.decision, &o.decision) {
                        e.decision = o.decision.clone();
                    }
                    e.traffic_path = o.traffic_path;
                    e.frame = captured;
                    b
                }
                None => Box::new(PacketEvent {
                    time: now,
                    eni: o.eni,
                    direction: o.direction,
                    header: o.header.into(),
                    pkt_src: o.pkt_src.into(),
                    pkt_dst: o.pkt_dst.into(),
                    bytes,
                    packets,
                    tcp_flags: super::TcpFlags::from_bits(ip.tcp_flags),
                    verdict: o.verdict,
                    decision: o.decision.clone(),
                    traffic_path: o.traffic_path,
                    frame: captured,
                }),
            };
            self.out.push_back((Output::Packet(boxed), Offload::NONE));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::wire::{self, Frame, Tcp};
    use crate::engine::{Engine, EngineConfig, Output};
    use crate::policy::Header;
    use std::sync::Arc;

    const T: &str = "name: zc
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    instances:
      app: { subnet: pub, public_ip: true }
internet:
  hosts:
    client: { ip: 198.51.100.10, services: [http:80] }
";

    /// The flow's packets, first (slow path) and later (flow cache), leave in the buffer they
    /// came in, translated by the internet gateway, every checksum valid.
    #[test]
    fn forwarding_rewrites_the_callers_buffer_in_place() {
        let n = Arc::new(crate::model::from_yaml(T));
        let app = n.instance(n.instance_by_name("app").unwrap()).clone();
        let client = n.internet_host(n.internet_host_by_name("client").unwrap());
        let public = n.eni(app.eni).public_ip.unwrap();
        let ap = n.port(app.port).clone();
        let mut e = Engine::new(n.clone(), EngineConfig::default());
        let h = Header::l4(ap.ip, client.ip, 6, 40000, 80);
        for (i, flags) in [0x02u8, 0x10, 0x10].into_iter().enumerate() {
            let tcp = Tcp {
                flags,
                seq: 1 + i as u32,
                ack: 0,
            };
            let f = wire::build(ap.mac, n.router_mac, &h, tcp, 0, b"payload");
            let at = f.as_ptr();
            e.handle_frame_owned(app.port, f, 1 + i as u64);
            let mut frames = Vec::new();
            while let Some(o) = e.poll_output() {
                if let Output::Frame { port, data } = o {
                    frames.push((port, data));
                }
            }
            assert_eq!(frames.len(), 1, "packet {i} forwarded once");
            let (port, data) = &frames[0];
            assert_eq!(
                (*port, data.as_ptr()),
                (client.port, at),
                "packet {i}: same buffer"
            );
            let Ok(Frame::Ip(ip)) = wire::parse(data) else {
                panic!("packet {i}: checksums valid after the in-place NAT")
            };
            assert_eq!(ip.header, Header { src: public, ..h });
        }
    }

    /// Two instances in one subnet: x's packets to y cross x's ENI (egress) and y's (ingress).
    const PAIR: &str = "name: pair
vpcs:
  v:
    cidr: 10.0.0.0/16
    subnets:
      s: { cidr: 10.0.0.0/24 }
    instances:
      x: { subnet: s, ip: 10.0.0.10 }
      y: { subnet: s, ip: 10.0.0.20, services: [http:80] }
";

    /// Events handed back with `recycle` are reused (the same boxes and frame buffers), and a
    /// reused event holds only the new packet's facts: its frame is the new packet's, with the
    /// MACs a capture on that ENI shows (egress: the ENI's to the router's; ingress: the
    /// router's to the ENI's).
    #[test]
    fn recycled_events_are_reused_and_carry_only_the_new_packet() {
        use crate::engine::Capture;
        use crate::policy::Direction;
        let n = Arc::new(crate::model::from_yaml(PAIR));
        let x = n.instance(n.instance_by_name("x").unwrap()).clone();
        let y = n.instance(n.instance_by_name("y").unwrap()).clone();
        let (xp, yp) = (n.port(x.port).clone(), n.port(y.port).clone());
        let cfg = EngineConfig {
            capture: Capture::All,
            ..Default::default()
        };
        let mut e = Engine::new(n.clone(), cfg);
        let h = Header::l4(xp.ip, yp.ip, 6, 40000, 80);
        let mut recycled: Vec<*const crate::engine::PacketEvent> = Vec::new();
        for (i, (flags, payload)) in [(0x02u8, &b""[..]), (0x10, b"first"), (0x10, b"second!")]
            .into_iter()
            .enumerate()
        {
            let tcp = Tcp {
                flags,
                seq: 1 + i as u32,
                ack: 0,
            };
            let f = wire::build(xp.mac, n.router_mac, &h, tcp, 0, payload);
            e.handle_frame(x.port, &f, 1 + i as u64);
            let mut events = Vec::new();
            while let Some(o) = e.poll_output() {
                if let Output::Packet(ev) = o {
                    events.push(ev);
                }
            }
            assert_eq!(events.len(), 2, "packet {i}: one event per ENI");
            if i == 2 {
                for ev in &events {
                    let at: *const crate::engine::PacketEvent = &**ev;
                    assert!(
                        recycled.contains(&at),
                        "packet {i}: a recycled box is reused"
                    );
                }
            }
            for ev in &events {
                let frame = ev.frame.as_deref().expect("captured");
                let (eni_mac, dir) = (n.eni(ev.eni).mac, ev.direction);
                let (src, dst) = match dir {
                    Direction::Outbound => (eni_mac, n.router_mac),
                    Direction::Inbound => (n.router_mac, eni_mac),
                };
                assert_eq!(&frame[0..6], &dst, "packet {i} {dir:?}: destination MAC");
                assert_eq!(&frame[6..12], &src, "packet {i} {dir:?}: source MAC");
                assert_eq!(
                    &frame[12..],
                    &f[12..],
                    "packet {i} {dir:?}: the packet itself"
                );
                assert_eq!(ev.time, 1 + i as u64);
                assert_eq!(ev.tcp_flags.bits(), flags);
                assert_eq!(ev.bytes as usize, f.len() - 14);
            }
            recycled.clear();
            for ev in events {
                recycled.push(&*ev);
                e.recycle(ev);
            }
        }
    }
}
