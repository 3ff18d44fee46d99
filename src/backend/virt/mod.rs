//! The virtual backend: every instance and internet host is a small host stack inside the
//! process, wired to the engine's ports, on a virtual clock. Deterministic and unprivileged;
//! used by `probe FILE`, tests, labs and the analyzer's differential test.

mod alb;
mod helpers;
pub mod host;
pub mod probe6;
pub mod prober;
pub mod route53;
pub mod source;

use helpers::{matches_flow, unknown};

use crate::engine::wire::Tcp;
use crate::engine::{Engine, EngineConfig, Nanos, Output, PacketEvent};
use crate::model::proto;
use crate::model::{Endpoint, Network, PortId, PortOwner, Service};
use crate::policy::path::{Hop, Outcome};
use crate::policy::{ComponentKind, Decision, ExplanationCode, Header, RuleId, Verdict};
use host::{flags, Host, Received};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

/// The protocol of a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeProto {
    /// ICMP echo.
    Icmp,
    /// TCP connect (+ an HTTP GET when the target port runs `http:`).
    Tcp,
    /// UDP exchange.
    Udp,
    /// One packet of another IP protocol (number), which the target's host echoes.
    Other(u8),
}

impl ProbeProto {
    /// The probe for IP protocol number `p`.
    pub fn from_number(p: u8) -> ProbeProto {
        match p {
            proto::ICMP => ProbeProto::Icmp,
            proto::TCP => ProbeProto::Tcp,
            proto::UDP => ProbeProto::Udp,
            n => ProbeProto::Other(n),
        }
    }
}

/// What a probe found.
#[derive(Clone, Debug, Default)]
pub struct ProbeReport {
    /// The packets reached the target's interface.
    pub delivered: bool,
    /// The target's answer (echo reply, SYN-ACK, RST, UDP echo, ICMP error) got back.
    pub reply: bool,
    /// Hops of the first request's walk, then of the first answer's walk.
    pub trace: Vec<Hop>,
    /// Where and why it was blocked.
    pub blocked: Option<Decision>,
    /// Packet events of the exchange.
    pub events: Vec<PacketEvent>,
    /// The application answer (HTTP response, echoed bytes), if any.
    pub response: Vec<u8>,
    /// The address probed.
    pub target: Option<Ipv4Addr>,
    /// The request left the modelled network through a gateway towards an address no
    /// modelled host owns (nobody there to answer).
    pub exited: bool,
    /// The header the blocking component rejected, when known (for the fix).
    pub blocked_header: Option<Header>,
    /// The IPv6 address probed (`probe6`).
    pub target6: Option<std::net::Ipv6Addr>,
    /// The IPv6 header the blocking component rejected (`probe6`), for the fix.
    pub blocked_header6: Option<crate::policy::Header6>,
}

/// A bad probe request (exit 2): unknown names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProbeError(pub String);

/// A TCP connection opened by a client host.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    /// The client's port.
    pub port: PortId,
    /// The header as the client sends it.
    pub header: Header,
    seq: u32,
    ack: u32,
}

/// What happened to a segment sent on a [`Flow`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    /// An answer came back.
    pub replied: bool,
    /// The answer was a RST.
    pub reset: bool,
    /// Payload bytes received.
    pub data: Vec<u8>,
}

/// A virtual lab: an engine plus one host per port, on a virtual clock.
pub struct Lab {
    engine: Engine,
    hosts: Vec<Host>,
    now: Nanos,
    events: Vec<PacketEvent>,
    next_id: u16,
    next_sport: u16,
    alb: alb::Nodes,
}

const STEP_LIMIT: usize = 100_000;

impl Lab {
    /// A lab for a network; hosts start with their services.
    pub fn new(net: Arc<Network>) -> Lab {
        let hosts = net
            .ports
            .iter()
            .map(|p| {
                let (running, services) = match p.owner {
                    PortOwner::Instance(i) => {
                        (net.instance(i).running, net.instance(i).services.clone())
                    }
                    PortOwner::Internet(h) => (true, net.internet_host(h).services.clone()),
                    // An ALB node's listeners are served by `alb` (docs/load-balancers.md).
                    PortOwner::LoadBalancerNode(_) => (true, Vec::new()),
                };
                let mut host = Host::new(
                    p.id,
                    &p.name,
                    p.ip,
                    p.mac,
                    net.router_mac,
                    running,
                    services,
                );
                host.extra_ips = net
                    .port_extra_addrs(p.id)
                    .iter()
                    .map(|a| a.addr())
                    .collect();
                host
            })
            .collect();
        let mut engine = Engine::new(net, EngineConfig::default());
        engine.set_alb_proxies(true);
        Lab {
            engine,
            hosts,
            now: 1,
            events: Vec::new(),
            next_id: 1,
            next_sport: 0,
            alb: alb::Nodes::default(),
        }
    }

    /// The engine.
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// The engine (read-only).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The virtual time.
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// Packet events gathered since the last call.
    pub fn take_events(&mut self) -> Vec<PacketEvent> {
        std::mem::take(&mut self.events)
    }

    /// A host by name.
    pub fn host_mut(&mut self, name: &str) -> Option<&mut Host> {
        self.hosts.iter_mut().find(|h| h.name == name)
    }

    /// Stops (`false`) or restarts (`true`) a built-in service of a host. False if unknown.
    pub fn set_service(&mut self, host: &str, service: Service, running: bool) -> bool {
        let Some(h) = self.host_mut(host) else {
            return false;
        };
        if running {
            h.stopped.remove(&service);
        } else {
            h.stopped.insert(service);
        }
        true
    }

    /// Swaps in a changed network (`apply`).
    pub fn apply(&mut self, net: Arc<Network>) {
        for p in &net.ports {
            if let (Some(h), PortOwner::Instance(i)) = (self.hosts.get_mut(p.id.idx()), p.owner) {
                h.running = net.instance(i).running;
            }
        }
        self.engine.apply(net);
    }

    /// Advances the virtual clock, running timers.
    pub fn advance(&mut self, d: Duration) {
        self.now += d.as_nanos() as Nanos;
        self.engine.handle_timeout(self.now);
        self.run();
    }

    /// Injects a frame from a port and runs until quiet.
    pub fn inject(&mut self, port: PortId, frame: &[u8]) {
        self.engine.handle_frame(port, frame, self.now);
        self.run();
    }

    /// Moves frames between the engine and the hosts until nothing is pending.
    pub fn run(&mut self) {
        for _ in 0..STEP_LIMIT {
            let Some(o) = self.engine.poll_output() else {
                if self.alb.ready() {
                    self.serve_alb();
                    continue;
                }
                return;
            };
            match o {
                Output::Packet(e) => self.events.push(*e),
                Output::Frame { port, data } => {
                    let net = self.engine.network();
                    let replies = match self.hosts.get_mut(port.idx()) {
                        // An ALB node's listener connections are `alb`'s.
                        Some(h) => (self.alb.serve_frame(net, h, port, &data))
                            .unwrap_or_else(|| h.receive(&data)),
                        None => Vec::new(),
                    };
                    for r in replies {
                        self.engine.handle_frame_owned(port, r, self.now);
                    }
                }
            }
        }
    }

    /// The address `from` would use to reach `to` (spec/cli.md): an instance's private IP from
    /// its own or a peered VPC, else its public IP; an internet host's IP; an IP literal.
    /// Ok(None): `to` exists but has no address `from` can use.
    pub fn resolve(&self, from: &str, to: &str) -> Result<Option<Ipv4Addr>, ProbeError> {
        resolve(self.engine.network(), from, to)
    }

    fn port_of(&self, name: &str) -> Result<PortId, ProbeError> {
        let net = self.engine.network();
        match net.endpoint_by_name(name) {
            Some(Endpoint::Instance(i)) => Ok(net.instance(i).port),
            Some(Endpoint::Internet(h)) => Ok(net.internet_host(h).port),
            None => Err(unknown(net, name)),
        }
    }

    fn ephemeral(&mut self, port: PortId) -> u16 {
        let net = self.engine.network();
        let r = match net.port(port).owner {
            PortOwner::Instance(i) => net.instance(i).ephemeral,
            PortOwner::Internet(h) => net.internet_host(h).ephemeral,
            PortOwner::LoadBalancerNode(_) => crate::model::LINUX_EPHEMERAL,
        };
        let span = u32::from(r.to - r.from) + 1;
        let p = r.from + (u32::from(self.next_sport) % span) as u16;
        self.next_sport = self.next_sport.wrapping_add(1);
        p
    }

    fn send(&mut self, port: PortId, h: &Header, tcp: Tcp, seq: u16, payload: &[u8]) {
        let f = self.hosts[port.idx()].frame(h, tcp, seq, payload);
        self.engine.handle_frame_owned(port, f, self.now);
        self.run();
    }

    fn received_since(&self, port: PortId, mark: usize) -> &[Received] {
        let r = &self.hosts[port.idx()].received;
        &r[mark.min(r.len())..]
    }

    /// Sends real packets from `from` to `to` and reports what happened.
    pub fn probe(
        &mut self,
        from: &str,
        to: &str,
        p: ProbeProto,
        port: u16,
    ) -> Result<ProbeReport, ProbeError> {
        let src_port = self.port_of(from)?;
        let dst = self.resolve(from, to)?;
        let Some(dst) = dst else {
            let d = Decision {
                verdict: Verdict::Reject,
                component: to.to_string(),
                kind: ComponentKind::Eni,
                direction: None,
                rule: RuleId::Builtin,
                code: Some(ExplanationCode::NoAddressForSource),
                detail: format!("{to} has no address {from} can use (no public IP, and no private path from {from})"),
            };
            return Ok(ProbeReport {
                blocked: Some(d),
                ..ProbeReport::default()
            });
        };
        Ok(self.probe_port(src_port, None, dst, p, port, None))
    }

    /// Sends real packets from the host behind `src_port` to `dst` and reports what happened.
    /// `src_ip`: the source address written in the packets (default the host's own; another is
    /// a spoofed source). `sport`: the source port (default the host's next ephemeral port).
    pub fn probe_port(
        &mut self,
        src_port: PortId,
        src_ip: Option<Ipv4Addr>,
        dst: Ipv4Addr,
        p: ProbeProto,
        port: u16,
        sport: Option<u16>,
    ) -> ProbeReport {
        let net = self.engine.network().clone();
        if !self.hosts[src_port.idx()].running {
            let d = stopped(&net, src_port);
            return ProbeReport {
                blocked: Some(d),
                target: Some(dst),
                ..ProbeReport::default()
            };
        }
        let target_port = target_port(&net, dst);
        let src_ip = src_ip.unwrap_or(self.hosts[src_port.idx()].ip);
        let marks: Vec<usize> = self.hosts.iter().map(|h| h.received.len()).collect();
        self.alb.reset();
        self.events.clear();
        self.engine.set_record_walks(true);
        let _ = self.engine.take_walks();
        let mut report = ProbeReport {
            target: Some(dst),
            ..ProbeReport::default()
        };
        match p {
            ProbeProto::Icmp => {
                let id = self.next_id;
                self.next_id = self.next_id.wrapping_add(1);
                let h = Header::icmp(src_ip, dst, 8, 0, id);
                self.send(src_port, &h, Tcp::default(), 1, b"vpclab probe");
                report.reply = self
                    .received_since(src_port, marks[src_port.idx()])
                    .iter()
                    .any(|r| {
                        r.header.proto == proto::ICMP
                            && r.header.src == dst
                            && (r.header.icmp_type() == 0 && r.header.sport == id
                                || r.inner.is_some_and(|i| i.dst == dst))
                    });
                report.delivered = target_port.is_some_and(|t| {
                    self.received_since(t, marks[t.idx()])
                        .iter()
                        .any(|r| r.header.proto == proto::ICMP && r.header.icmp_type() == 8)
                });
            }
            ProbeProto::Other(n) => {
                let h = Header::l4(src_ip, dst, n, 0, 0);
                self.send(src_port, &h, Tcp::default(), 0, b"vpclab probe");
                report.reply = self
                    .received_since(src_port, marks[src_port.idx()])
                    .iter()
                    .any(|r| r.header.proto == n && r.header.src == dst);
                report.delivered = target_port.is_some_and(|t| {
                    self.received_since(t, marks[t.idx()])
                        .iter()
                        .any(|r| r.header.proto == n)
                });
            }
            ProbeProto::Udp => {
                let sport = sport.unwrap_or_else(|| self.ephemeral(src_port));
                let h = Header::l4(src_ip, dst, proto::UDP, sport, port);
                self.send(src_port, &h, Tcp::default(), 0, b"vpclab probe\n");
                let got: Vec<Received> = self
                    .received_since(src_port, marks[src_port.idx()])
                    .to_vec();
                report.reply = got.iter().any(|r| {
                    r.header.src == dst
                        && ((r.header.proto == proto::UDP && r.header.dport == sport)
                            || r.inner.is_some_and(|i| i.sport == sport))
                });
                if let Some(r) = got.iter().find(|r| r.header.proto == proto::UDP) {
                    report.response = r.payload.clone();
                }
                report.delivered = target_port.is_some_and(|t| {
                    self.received_since(t, marks[t.idx()])
                        .iter()
                        .any(|r| r.header.proto == proto::UDP && r.header.dport == port)
                });
            }
            ProbeProto::Tcp => {
                let http = target_port
                    .and_then(|t| {
                        self.hosts[t.idx()]
                            .services
                            .iter()
                            .find(|s| s.port() == port)
                            .copied()
                    })
                    .is_some_and(|s| matches!(s, Service::Http(_)));
                let sport = sport.unwrap_or_else(|| self.ephemeral(src_port));
                let h = Header::l4(src_ip, dst, proto::TCP, sport, port);
                let (flow, ex) = self.connect_header(src_port, h);
                report.reply = ex.replied;
                report.delivered = target_port.is_some_and(|t| {
                    self.received_since(t, marks[t.idx()])
                        .iter()
                        .any(|r| r.header.proto == proto::TCP && r.header.dport == port)
                });
                if ex.replied && !ex.reset {
                    let req: Vec<u8> = if let Some(r) = self.alb_request(target_port, port) {
                        r
                    } else if http {
                        b"GET / HTTP/1.0\r\nHost: vpclab\r\n\r\n".to_vec()
                    } else {
                        b"vpclab probe\n".to_vec()
                    };
                    let mut flow = flow;
                    let ex = self.tcp_send(&mut flow, &req);
                    report.response = ex.data;
                    self.tcp_close(&flow);
                }
            }
        }
        let walks = self.alb_walks();
        self.engine.set_record_walks(false);
        // The request's walk, then the first walk from the other side.
        if let Some(first) = walks.iter().find(|w| w.port == src_port) {
            // Through a load balancer the target is the host the walk delivered to.
            if first.walk.lb.is_some() && matches!(first.walk.outcome, Outcome::Delivered { .. }) {
                report.delivered = true;
            }
            report.trace.extend(first.walk.hops.iter().cloned());
            // Through an ALB node: its listener, rule, target and its leg to the target.
            report.trace.extend(alb::hops(&self.alb));
            report.blocked = first.walk.blocked().cloned();
            report.blocked_header = Some(first.header);
            report.exited = matches!(first.walk.outcome, Outcome::Exited { .. });
            if report.blocked.is_none() {
                if let Some(back) = walks.iter().find(|w| w.port != src_port) {
                    report.trace.extend(back.walk.hops.iter().cloned());
                    report.blocked = back.walk.blocked().cloned();
                    report.blocked_header = Some(back.header);
                }
            }
        }
        alb::patch(&mut report, self.alb.last.take());
        if report.reply {
            report.blocked = None;
        }
        report.events = std::mem::take(&mut self.events);
        if let Some(d) = &report.blocked {
            // The header the component itself saw, when an ENI recorded it.
            if let Some(e) = report
                .events
                .iter()
                .rev()
                .find(|e| e.verdict == Verdict::Reject && *e.decision == *d)
            {
                report.blocked_header = e.header.v4().copied();
            }
        } else {
            report.blocked_header = None;
        }
        report
    }

    /// Opens a TCP connection (SYN; ACK when a SYN-ACK comes back).
    pub fn tcp_connect(
        &mut self,
        from: &str,
        to: &str,
        port: u16,
    ) -> Result<(Flow, Exchange), ProbeError> {
        let src_port = self.port_of(from)?;
        let dst = self
            .resolve(from, to)?
            .ok_or_else(|| ProbeError(format!("{to} has no address {from} can use")))?;
        let sport = self.ephemeral(src_port);
        let h = Header::l4(self.hosts[src_port.idx()].ip, dst, proto::TCP, sport, port);
        Ok(self.connect_header(src_port, h))
    }

    /// Opens a TCP connection from a host's port to `dst:dport` (for emulated AWS-side
    /// clients such as the Route 53 health checkers, which have no name).
    pub fn tcp_connect_port(
        &mut self,
        src_port: PortId,
        dst: Ipv4Addr,
        dport: u16,
    ) -> (Flow, Exchange) {
        let sport = self.ephemeral(src_port);
        let h = Header::l4(self.hosts[src_port.idx()].ip, dst, proto::TCP, sport, dport);
        self.connect_header(src_port, h)
    }

    fn connect_header(&mut self, src_port: PortId, h: Header) -> (Flow, Exchange) {
        let mark = self.hosts[src_port.idx()].received.len();
        let isn = 0x5000_0000u32.wrapping_add(u32::from(h.sport));
        self.send(
            src_port,
            &h,
            Tcp {
                flags: flags::SYN,
                seq: isn,
                ack: 0,
            },
            0,
            &[],
        );
        let mut flow = Flow {
            port: src_port,
            header: h,
            seq: isn.wrapping_add(1),
            ack: 0,
        };
        let ex = self.collect(src_port, mark, &h);
        if ex.replied && !ex.reset {
            if let Some(r) = self
                .received_since(src_port, mark)
                .iter()
                .find(|r| matches_flow(r, &h))
            {
                flow.ack = r.tcp.seq.wrapping_add(1);
            }
            self.send(
                src_port,
                &h,
                Tcp {
                    flags: flags::ACK,
                    seq: flow.seq,
                    ack: flow.ack,
                },
                0,
                &[],
            );
        }
        (flow, ex)
    }

    fn collect(&self, port: PortId, mark: usize, h: &Header) -> Exchange {
        let mut ex = Exchange::default();
        for r in self
            .received_since(port, mark)
            .iter()
            .filter(|r| matches_flow(r, h))
        {
            ex.replied = true;
            ex.reset |= r.tcp.flags & flags::RST != 0;
            ex.data.extend_from_slice(&r.payload);
        }
        ex
    }

    /// Sends data on an open connection; reports the answer.
    pub fn tcp_send(&mut self, flow: &mut Flow, data: &[u8]) -> Exchange {
        let mark = self.hosts[flow.port.idx()].received.len();
        let h = flow.header;
        self.send(
            flow.port,
            &h,
            Tcp {
                flags: flags::ACK | flags::PSH,
                seq: flow.seq,
                ack: flow.ack,
            },
            0,
            data,
        );
        flow.seq = flow.seq.wrapping_add(data.len() as u32);
        let ex = self.collect(flow.port, mark, &h);
        let acked: u32 = self
            .received_since(flow.port, mark)
            .iter()
            .filter(|r| matches_flow(r, &h))
            .map(|r| r.payload.len() as u32 + u32::from(r.tcp.flags & flags::FIN != 0))
            .sum();
        flow.ack = flow.ack.wrapping_add(acked);
        ex
    }

    /// Resets a connection (client side).
    pub fn tcp_close(&mut self, flow: &Flow) {
        let h = flow.header;
        self.send(
            flow.port,
            &h,
            Tcp {
                flags: flags::RST,
                seq: flow.seq,
                ack: 0,
            },
            0,
            &[],
        );
    }

    /// Sends one UDP datagram from a fixed source port; reports the answer.
    pub fn udp_send(
        &mut self,
        from: &str,
        to: &str,
        sport: u16,
        port: u16,
        data: &[u8],
    ) -> Result<Exchange, ProbeError> {
        let src_port = self.port_of(from)?;
        let dst = self
            .resolve(from, to)?
            .ok_or_else(|| ProbeError(format!("{to} has no address {from} can use")))?;
        let h = Header::l4(self.hosts[src_port.idx()].ip, dst, proto::UDP, sport, port);
        let mark = self.hosts[src_port.idx()].received.len();
        self.send(src_port, &h, Tcp::default(), 0, data);
        Ok(self.collect(src_port, mark, &h))
    }
}

/// The port behind an address, if a host has it (private IPs are unique enough for the lab;
/// public IPs map to their ENI).
fn target_port(net: &Network, ip: Ipv4Addr) -> Option<PortId> {
    if let Some(h) = net.internet_host_by_ip(ip) {
        return Some(net.internet_host(h).port);
    }
    let eni = net.eni_by_public_ip(ip).or_else(|| {
        net.vpcs
            .iter()
            .find_map(|v| net.eni_by_private_ip(v.id, ip))
    })?;
    // An instance's, or an interface endpoint's (its service's host).
    net.eni_port(eni)
}

/// See [`Lab::resolve`].
pub fn resolve(net: &Network, from: &str, to: &str) -> Result<Option<Ipv4Addr>, ProbeError> {
    let src = net
        .endpoint_by_name(from)
        .ok_or_else(|| unknown(net, from))?;
    if let Ok(ip) = to.parse::<Ipv4Addr>() {
        return Ok(Some(ip));
    }
    if let Some(lb) = net.load_balancer_by_name(to) {
        // What its DNS name answers first (AWS rotates the nodes' addresses).
        return Ok(crate::dns::elb::addresses(net, lb).first().copied());
    }
    // An AWS service's or endpoint's DNS name: what the source's resolver answers
    // (private DNS in its VPC: the endpoint's ENI in its AZ, else the first).
    let (vpc, az) = match src {
        Endpoint::Instance(s) => {
            let i = net.instance(s);
            (Some(i.vpc), Some(net.subnet(i.subnet).az.as_str()))
        }
        Endpoint::Internet(_) => (None, None),
    };
    if let Some(ip) = crate::model::aws_names::address_for(net, to, vpc, az) {
        return Ok(ip);
    }
    // An interface endpoint (`vpce-…`): its ENI in the source's AZ, else the first.
    if let Some(ep) = net.vpc_endpoints.iter().find(|e| e.aws_id == to) {
        return Ok(net
            .endpoint_eni_for_az(ep.id, az)
            .map(|e| net.eni(e).private_ip));
    }
    match net.endpoint_by_name(to).ok_or_else(|| unknown(net, to))? {
        Endpoint::Internet(h) => Ok(Some(net.internet_host(h).ip)),
        Endpoint::Instance(i) => {
            let inst = net.instance(i);
            let eni = net.eni(inst.eni);
            if let Endpoint::Instance(s) = src {
                let sv = net.instance(s).vpc;
                if sv == inst.vpc
                    || net.peering_between(sv, inst.vpc).is_some()
                    || net.hybrid.privately_connected(sv, inst.vpc)
                {
                    return Ok(Some(eni.private_ip));
                }
            }
            // An on-premises host reaches instances by their private address (VPN, Direct Connect).
            if let Endpoint::Internet(h) = src {
                if net.hybrid.is_on_premises_host(h) {
                    return Ok(Some(eni.private_ip));
                }
            }
            Ok(eni.public_ip)
        }
    }
}

/// The blocker of a probe from a stopped instance (`INSTANCE_STOPPED`), for both families.
pub(crate) fn stopped(net: &Network, src_port: PortId) -> Decision {
    let from = &net.port(src_port).name;
    Decision {
        verdict: Verdict::Reject,
        component: from.to_string(),
        kind: ComponentKind::Instance,
        direction: None,
        rule: RuleId::Builtin,
        code: Some(ExplanationCode::InstanceStopped),
        detail: format!("{from} is stopped"),
    }
}
