//! The virtual backend's IPv6 probe (`probe -6 FILE`): real IPv6 frames from the source's
//! port through the engine, answered by the destination as a Linux host would (ICMPv6 echo
//! reply; SYN-ACK on a listening TCP port, RST on a closed one; a UDP echo on a listening
//! port, ICMPv6 port unreachable on a closed one; any other protocol echoed). A NAT64 flow
//! comes out at an IPv4 host, whose own virtual stack (`host`) answers it.
//!
//! `delivered`, `reply` and `exited` come from the frames. The trace and the blocker are the
//! decision core's IPv6 walks (`policy::path::ipv6::walk6`) of the same request and its
//! answer in the fresh engine's state (nothing tracked before the request: the state the
//! probe's own lab starts from), since the engine records IPv4 walks only; the IPv4 leg of a
//! NAT64 flow is the engine's own recorded walk. Only the handshake is probed over TCP (no
//! HTTP request follows).

use super::{Lab, ProbeProto, ProbeReport};
use crate::engine::wire::ipv6::{frame6, is_ipv6, l4_frame6, parse6};
use crate::engine::wire::Tcp;
use crate::engine::Output;
use crate::model::{proto, PortId, PortOwner};
use crate::policy::path::ipv6::{walk6, Assumed6, Delivery6, Origin6, Outcome6};
use crate::policy::path::{Options, Outcome};
use crate::policy::Header6;
use std::net::Ipv6Addr;

const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;

/// A frame sent by a host: its port and the frame.
type Sent = (PortId, Vec<u8>);

impl Lab {
    /// The IPv6 addresses the host behind `port` answers on.
    fn addrs6(&self, port: PortId) -> Vec<Ipv6Addr> {
        let net = self.engine.network();
        match net.port(port).owner {
            PortOwner::Instance(i) => net
                .instance(i)
                .enis
                .iter()
                .flat_map(|e| net.eni_ipv6(*e).iter().copied())
                .collect(),
            PortOwner::Internet(h) => net.host_ipv6(h).into_iter().collect(),
            PortOwner::LoadBalancerNode(_) => Vec::new(),
        }
    }

    /// The host's answer to an IPv6 frame it received (see the module doc), if any.
    fn answer6(&self, port: PortId, frame: &[u8]) -> Option<Vec<u8>> {
        let host = self.hosts.get(port.idx())?;
        if !host.running {
            return None;
        }
        let f = parse6(frame).ok()?;
        let h = f.header;
        if !self.addrs6(port).contains(&h.dst) {
            return None;
        }
        let (me, mac, router) = (h.dst, host.mac, host.router_mac);
        let listening = |p: u8| {
            host.services
                .iter()
                .any(|s| s.protocol() == p && s.port() == h.dport && !host.stopped.contains(s))
        };
        match h.proto {
            proto::ICMPV6 if h.icmp_type() == 128 => {
                let mut up = f.payload.to_vec();
                up[0] = 129;
                Some(frame6(router, mac, me, h.src, proto::ICMPV6, 64, up))
            }
            proto::ICMPV6 => None,
            proto::TCP => {
                let fl = f.payload[13];
                if fl & SYN == 0 || fl & ACK != 0 {
                    return None;
                }
                let seq =
                    u32::from_be_bytes([f.payload[4], f.payload[5], f.payload[6], f.payload[7]]);
                let (flags, s) = if listening(proto::TCP) {
                    (SYN | ACK, 0x1000)
                } else {
                    (RST | ACK, 0)
                };
                let t = Tcp {
                    flags,
                    seq: s,
                    ack: seq.wrapping_add(1),
                };
                // A SYN-ACK or RST carries no payload.
                Some(l4_frame6(
                    router,
                    mac,
                    (me, h.dport),
                    (h.src, h.sport),
                    Some(t),
                    &[],
                ))
            }
            proto::UDP if listening(proto::UDP) => Some(l4_frame6(
                router,
                mac,
                (me, h.dport),
                (h.src, h.sport),
                None,
                &f.payload[8..],
            )),
            proto::UDP => {
                // Destination unreachable, port unreachable (RFC 4443 3.1), quoting the packet.
                let quoted = &frame[14..14 + f.ip_len().min(1232)];
                let mut up = vec![1, 4, 0, 0, 0, 0, 0, 0];
                up.extend_from_slice(quoted);
                Some(frame6(router, mac, me, h.src, proto::ICMPV6, 64, up))
            }
            p => Some(frame6(router, mac, me, h.src, p, 64, f.payload.to_vec())),
        }
    }

    /// Moves frames until quiet, answering IPv6 with [`Lab::answer6`] and IPv4 with the
    /// hosts' stacks; returns every IPv6 frame delivered to a host.
    fn pump6(&mut self) -> Vec<Sent> {
        let mut got = Vec::new();
        for _ in 0..super::STEP_LIMIT {
            let Some(o) = self.engine.poll_output() else {
                break;
            };
            match o {
                Output::Packet(e) => self.events.push(*e),
                Output::Frame { port, data } => {
                    let answers = if is_ipv6(&data) {
                        let a = self.answer6(port, &data);
                        got.push((port, data));
                        a.into_iter().collect()
                    } else {
                        match self.hosts.get_mut(port.idx()) {
                            Some(h) => h.receive(&data),
                            None => Vec::new(),
                        }
                    };
                    for r in answers {
                        self.engine.handle_frame_owned(port, r, self.now);
                    }
                }
            }
        }
        got
    }

    /// Sends real IPv6 packets from the host behind `src_port`, from `src` (its own address,
    /// or a spoofed one), to `dst`, and reports what happened (see the module doc). `sport`:
    /// the source port (default the host's next ephemeral port); ICMPv6 sends an echo request.
    pub fn probe6(
        &mut self,
        src_port: PortId,
        src: Ipv6Addr,
        dst: Ipv6Addr,
        p: ProbeProto,
        port: u16,
        sport: Option<u16>,
    ) -> ProbeReport {
        let net = self.engine.network().clone();
        let mut report = ProbeReport {
            target6: Some(dst),
            ..ProbeReport::default()
        };
        if !self.hosts[src_port.idx()].running {
            report.blocked = Some(super::stopped(&net, src_port));
            return report;
        }
        let (mac, router) = (self.hosts[src_port.idx()].mac, net.router_mac);
        let (pnum, sp) = match p {
            ProbeProto::Icmp => {
                let id = self.next_id;
                self.next_id = self.next_id.wrapping_add(1);
                (proto::ICMPV6, id)
            }
            ProbeProto::Tcp => (
                proto::TCP,
                sport.unwrap_or_else(|| self.ephemeral(src_port)),
            ),
            ProbeProto::Udp => (
                proto::UDP,
                sport.unwrap_or_else(|| self.ephemeral(src_port)),
            ),
            ProbeProto::Other(n) => (n, 0),
        };
        let h = crate::reach::ipv6::first_packet6(src, dst, pnum, sp, port);
        let frame = match pnum {
            proto::ICMPV6 => {
                let mut up = vec![128, 0, 0, 0, 0, 0, 0, 1];
                up[4..6].copy_from_slice(&sp.to_be_bytes());
                up.extend_from_slice(b"vpclab probe");
                frame6(router, mac, src, dst, proto::ICMPV6, 64, up)
            }
            proto::TCP => {
                let t = Tcp {
                    flags: SYN,
                    seq: 1000,
                    ack: 0,
                };
                l4_frame6(router, mac, (src, sp), (dst, port), Some(t), &[])
            }
            proto::UDP => l4_frame6(router, mac, (src, sp), (dst, port), None, b"vpclab probe\n"),
            n => frame6(router, mac, src, dst, n, 64, b"vpclab probe".to_vec()),
        };
        let marks: Vec<usize> = self.hosts.iter().map(|h| h.received.len()).collect();
        self.events.clear();
        self.engine.set_record_walks(true);
        let _ = self.engine.take_walks();
        self.engine.handle_frame_owned(src_port, frame, self.now);
        let got = self.pump6();
        // Delivered: the request reached another host (as IPv6, or as IPv4 after NAT64).
        report.delivered = got.iter().any(|(at, f)| {
            *at != src_port
                && parse6(f).is_ok_and(|x| x.header.src == src && x.header.proto == pnum)
        }) || self.hosts.iter().enumerate().any(|(i, hh)| {
            i != src_port.idx()
                && hh.received[marks[i].min(hh.received.len())..]
                    .iter()
                    .any(|r| {
                        r.header.proto == pnum
                            || (pnum == proto::ICMPV6 && r.header.proto == proto::ICMP)
                    })
        });
        report.reply = got.iter().any(|(at, f)| {
            *at == src_port
                && parse6(f).is_ok_and(|x| {
                    let r = x.header;
                    r.src == dst
                        && match pnum {
                            proto::ICMPV6 => {
                                r.proto == proto::ICMPV6
                                    && (r.icmp_type() == 129 && r.sport == sp || r.icmp_type() == 1)
                            }
                            proto::TCP | proto::UDP => {
                                r.proto == pnum && r.dport == sp
                                    || r.proto == proto::ICMPV6 && r.icmp_type() == 1
                            }
                            n => r.proto == n,
                        }
                })
        });
        self.trace6(&mut report, src_port, h);
        if report.reply {
            report.blocked = None;
            report.blocked_header6 = None;
        }
        report.events = std::mem::take(&mut self.events);
        report
    }

    /// The trace and blocker of the request `h` from `src_port` and of its answer (see the
    /// module doc).
    fn trace6(&mut self, report: &mut ProbeReport, src_port: PortId, h: Header6) {
        let net = self.engine.network().clone();
        let origin = match net.port(src_port).owner {
            PortOwner::Instance(i) => Origin6::Eni(net.instance(i).eni),
            _ => Origin6::Internet(h.src),
        };
        let walks4 = self.engine.take_walks();
        self.engine.set_record_walks(false);
        let mut st = Assumed6::default();
        let fwd = walk6(&net, &mut st, origin, h, Options::default());
        report.trace.extend(fwd.hops.iter().cloned());
        let back_from = match &fwd.outcome {
            Outcome6::Dropped(d) => {
                report.blocked = Some(d.clone());
                report.blocked_header6 = Some(h);
                return;
            }
            Outcome6::Exited { .. } => {
                report.exited = true;
                return;
            }
            Outcome6::Nat64 { .. } => {
                for w in &walks4 {
                    report.trace.extend(w.walk.hops.iter().cloned());
                    if report.blocked.is_none() {
                        report.blocked = w.walk.blocked().cloned();
                        report.blocked_header = report.blocked.as_ref().map(|_| w.header);
                    }
                    if matches!(w.walk.outcome, Outcome::Exited { .. }) {
                        report.exited = true;
                    }
                }
                return;
            }
            Outcome6::Delivered { to, .. } => match to {
                Delivery6::Eni(e) => Origin6::Eni(*e),
                Delivery6::Internet(_) => Origin6::Internet(h.dst),
            },
        };
        let mut back_st = Assumed6 {
            replies: true,
            eigw_out: st.eigw_out,
        };
        let back = h.reversed();
        let ret = walk6(&net, &mut back_st, back_from, back, Options::default());
        report.trace.extend(ret.hops.iter().cloned());
        if let Outcome6::Dropped(d) = &ret.outcome {
            report.blocked = Some(d.clone());
            report.blocked_header6 = Some(back);
        }
    }
}
