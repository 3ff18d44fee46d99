//! The output side shared by the fast and slow paths: packet events (with a rewritten copy of
//! the frame when a capture asks) and delivery, which rewrites the caller's buffer in place and
//! queues that same buffer as the outgoing frame.

use super::mtu::Fit;
use super::{Capture, Engine, Nanos, Output, PacketEvent};
use crate::engine::wire::Packet;
use crate::model::{EniId, Mac, PortId, PortOwner};
use crate::policy::path::{Delivery, Observation};
use crate::policy::Header;

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

    fn wants_frame(&self, eni: EniId) -> bool {
        match &self.capture {
            Capture::Off => false,
            Capture::All => true,
            Capture::Enis(s) => s.contains(&eni),
        }
    }

    /// One `Output::Packet` per observation (nothing while events are off), with the frame as
    /// it reads at that ENI when a capture wants it: a copy, since the caller's buffer is
    /// rewritten for delivery afterwards.
    pub(super) fn emit_events(&mut self, obs: &[Observation], pkt: &Packet<Vec<u8>>, now: Nanos) {
        if !self.events {
            return;
        }
        let ip = pkt.ip();
        let (packets, bytes) = pkt.wire_packets();
        for o in obs {
            let captured = if self.wants_frame(o.eni) {
                let (mac, router) = (self.net.eni(o.eni).mac, self.net.router_mac);
                Some(if o.header == ip.header && ip.inner.is_none() {
                    pkt.copy_with_macs(mac, router)
                } else if ip.frag.is_some() {
                    pkt.copy_translated_fragment(&o.header, mac, router)
                } else {
                    pkt.copy_translated(&o.header, None, mac, router)
                })
            } else {
                None
            };
            let ev = Output::Packet(Box::new(PacketEvent {
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
            }));
            self.out.push_back((ev, crate::engine::wire::Offload::NONE));
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
}
