//! A small deterministic host stack for virtual hosts, on `smoltcp::wire`: answers ICMP echo,
//! runs the built-in services (`http:PORT` answers with the host's name, `tcp:PORT` and
//! `udp:PORT` echo), answers closed TCP ports with RST and closed UDP ports with ICMP port
//! unreachable (like Linux), and records what it receives for client probes.
//!
//! Why hand-written rather than smoltcp `iface` + sockets: the probes need a handful of
//! segments per exchange, full determinism and visibility into every segment (RSTs, ICMP
//! errors); a 300-line stack over the same `wire` types is simpler to get exactly right.

use crate::engine::wire::{self, Frame, Tcp};
use crate::model::proto;
use crate::model::{Mac, PortId, Service};
use crate::policy::Header;
use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;

/// TCP flag bits as in the TCP header's flags byte (RFC 9293).
pub mod flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
}

/// A packet a host received (for probes and tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// Addresses, protocol and ports as received (after the engine's NAT).
    pub header: Header,
    /// TCP sequence, acknowledgement and flags (zeroed for UDP and ICMP).
    pub tcp: Tcp,
    /// L4 payload (ICMP: after the 8-byte header).
    pub payload: Vec<u8>,
    /// For an ICMP error: the header of the packet it is about; None otherwise.
    pub inner: Option<Header>,
}

#[derive(Clone, Copy, Debug)]
struct ServerConn {
    /// Next sequence number we send.
    snd: u32,
    /// Next sequence number we expect.
    rcv: u32,
    service: Service,
}

/// One virtual host.
#[derive(Debug)]
pub struct Host {
    /// The engine port it is attached to.
    pub port: PortId,
    /// Its name (answered by `http:` services).
    pub name: String,
    /// Its address: an instance's private IP or an internet host's public one.
    pub ip: Ipv4Addr,
    /// More addresses it answers on (`Network::port_extra_addrs`: secondary private IPs).
    pub extra_ips: Vec<Ipv4Addr>,
    /// Its MAC (the model's port MAC).
    pub mac: Mac,
    /// The router's MAC (every frame goes to the engine).
    pub router_mac: Mac,
    /// Running (a stopped instance answers nothing).
    pub running: bool,
    /// Built-in services from the model.
    pub services: Vec<Service>,
    /// Services stopped at run time (health-check and failover tests).
    pub stopped: HashSet<Service>,
    conns: HashMap<(Ipv4Addr, u16, u16), ServerConn>,
    /// Everything received, in arrival order; never cleared by the host itself.
    pub received: Vec<Received>,
    /// An AWS service's objects (S3), when the host is a service's.
    store: crate::services::s3::Store,
}

const ISN: u32 = 0x1000;

impl Host {
    /// A host with no connections and nothing received; `running` false makes it silent.
    pub fn new(
        port: PortId,
        name: &str,
        ip: Ipv4Addr,
        mac: Mac,
        router_mac: Mac,
        running: bool,
        services: Vec<Service>,
    ) -> Host {
        Host {
            port,
            name: name.to_string(),
            ip,
            extra_ips: Vec::new(),
            mac,
            router_mac,
            running,
            services,
            stopped: HashSet::new(),
            conns: HashMap::new(),
            received: Vec::new(),
            store: Default::default(),
        }
    }

    fn service(&self, p: u8, port: u16) -> Option<Service> {
        self.services
            .iter()
            .copied()
            .find(|s| s.protocol() == p && s.port() == port && !self.stopped.contains(s))
    }

    /// An Ethernet frame from this host to the router's MAC carrying `h`, with these TCP
    /// fields, ICMP echo sequence and payload.
    pub fn frame(&self, h: &Header, tcp: Tcp, icmp_seq: u16, payload: &[u8]) -> Vec<u8> {
        wire::build(self.mac, self.router_mac, h, tcp, icmp_seq, payload)
    }

    /// Takes a frame from the engine; returns the frames the host sends in answer.
    pub fn receive(&mut self, frame: &[u8]) -> Vec<Vec<u8>> {
        if !self.running {
            return Vec::new();
        }
        let Ok(Frame::Ip(ip)) = wire::parse(frame) else {
            return Vec::new();
        };
        if ip.frag.is_some() {
            // No reassembly in the virtual stack (the netns backend's kernels reassemble).
            return Vec::new();
        }
        let h = ip.header;
        if h.dst != self.ip && !self.extra_ips.contains(&h.dst) {
            return Vec::new();
        }
        let Some((tcp, payload)) = wire::l4_payload(frame) else {
            return Vec::new();
        };
        let payload = payload.to_vec();
        self.received.push(Received {
            header: h,
            tcp,
            payload: payload.clone(),
            inner: ip.inner,
        });
        let mut out = Vec::new();
        match h.proto {
            proto::ICMP if h.icmp_type() == 8 => {
                let seq = frame_icmp_seq(frame);
                out.push(self.frame(&h.reversed(), Tcp::default(), seq, &payload));
            }
            proto::UDP => {
                if self.service(proto::UDP, h.dport).is_some() {
                    out.push(self.frame(&h.reversed(), Tcp::default(), 0, &payload));
                } else {
                    let err = Header::icmp(h.dst, h.src, 3, 3, 0);
                    out.push(self.frame(&err, Tcp::default(), 0, wire::ip_prefix(frame, 8)));
                }
            }
            proto::TCP => self.tcp(&h, tcp, &payload, &mut out),
            proto::ICMP => {}
            // Any other protocol (GRE, ESP, 0...) is echoed: the reply `reach` models is the
            // same protocol with the addresses swapped.
            _ => out.push(self.frame(&h.reversed(), Tcp::default(), 0, &payload)),
        }
        out
    }

    fn tcp(&mut self, h: &Header, t: Tcp, payload: &[u8], out: &mut Vec<Vec<u8>>) {
        let key = (h.src, h.sport, h.dport);
        let back = h.reversed();
        if t.flags & flags::RST != 0 {
            self.conns.remove(&key);
            return;
        }
        if t.flags & flags::SYN != 0 && t.flags & flags::ACK == 0 {
            match self.service(proto::TCP, h.dport) {
                Some(service) => {
                    let c = ServerConn {
                        snd: ISN + 1,
                        rcv: t.seq.wrapping_add(1),
                        service,
                    };
                    self.conns.insert(key, c);
                    out.push(self.frame(
                        &back,
                        Tcp {
                            flags: flags::SYN | flags::ACK,
                            seq: ISN,
                            ack: c.rcv,
                        },
                        0,
                        &[],
                    ));
                }
                None => out.push(self.frame(
                    &back,
                    Tcp {
                        flags: flags::RST | flags::ACK,
                        seq: 0,
                        ack: t.seq.wrapping_add(1),
                    },
                    0,
                    &[],
                )),
            }
            return;
        }
        let Some(mut c) = self.conns.get(&key).copied() else {
            if t.flags & flags::ACK != 0 && t.flags & flags::SYN == 0 {
                out.push(self.frame(
                    &back,
                    Tcp {
                        flags: flags::RST,
                        seq: t.ack,
                        ack: 0,
                    },
                    0,
                    &[],
                ));
            }
            return;
        };
        if !payload.is_empty() {
            c.rcv = t.seq.wrapping_add(payload.len() as u32);
            let reply: Vec<u8> = match c.service {
                Service::Http(_) if crate::services::aws::is_service_host(&self.name) => {
                    let local = h.dst.to_string();
                    crate::services::aws::answer(&self.name, payload, &local, &mut self.store)
                }
                Service::Http(_) => {
                    let body = format!("{}\n", self.name);
                    format!("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{}", body.len(), body).into_bytes()
                }
                _ => payload.to_vec(),
            };
            let fl = if matches!(c.service, Service::Http(_)) {
                flags::ACK | flags::PSH | flags::FIN
            } else {
                flags::ACK | flags::PSH
            };
            out.push(self.frame(
                &back,
                Tcp {
                    flags: fl,
                    seq: c.snd,
                    ack: c.rcv,
                },
                0,
                &reply,
            ));
            c.snd = c.snd.wrapping_add(reply.len() as u32);
            if fl & flags::FIN != 0 {
                c.snd = c.snd.wrapping_add(1);
            }
        }
        if t.flags & flags::FIN != 0 {
            c.rcv = c.rcv.wrapping_add(1);
            out.push(self.frame(
                &back,
                Tcp {
                    flags: flags::ACK | flags::FIN,
                    seq: c.snd,
                    ack: c.rcv,
                },
                0,
                &[],
            ));
            self.conns.remove(&key);
            return;
        }
        self.conns.insert(key, c);
    }
}

fn frame_icmp_seq(frame: &[u8]) -> u16 {
    let off = wire::ETH_LEN + wire::IP_LEN + 6;
    match frame.get(off..off + 2) {
        Some(b) => u16::from_be_bytes([b[0], b[1]]),
        None => 0,
    }
}
