//! Application Load Balancer nodes on the virtual backend, at layer 7 (`docs/load-balancers.md`,
//! "On the virtual backend"): the engine runs with `set_alb_proxies(true)`, so a client's
//! connection to a listener ends at the node's port, where this module completes the TCP
//! handshake, reads the request head, and decides with `services::alb` exactly as the netns
//! proxy does (the head's bounds, `Listener::pick`, round robin over the healthy targets,
//! fail open, `X-Forwarded-*`, the node's own answers). Health checks and the request to the
//! chosen target are new TCP connections from the node's own port and address, through the
//! engine, so the target's SG must admit the ALB's SG as on AWS.
//!
//! Two choices keep the probe and the analyzer on the same packets: health checks leave from
//! [`HEALTH_CHECK_SOURCE_PORT`] (the analyzer's `target_healthy` walks that port), and the node
//! connects to a target from the client's source port (the analyzer's leg from the node keeps
//! the client's port), so NACL entries on port ranges decide alike.

use super::host::flags;
use super::Lab;
use crate::engine::wire::{self, Frame, Tcp};
use crate::engine::Nanos;
use crate::engine::RecordedWalk;
use crate::model::load_balancer::{LbAction, LbProtocol, LbType};
use crate::model::{proto, EniId, Network, PortId, PortOwner};
use crate::policy::path::{Hop, HttpRequest, HEALTH_CHECK_SOURCE_PORT};
use crate::policy::{ComponentKind, Decision, ExplanationCode, Header, RuleId, Verdict};
use crate::services::alb::{
    health_ok, health_request, pick_target, response, GroupConfig, Head, HeadError, NodeConfig,
    TargetConfig, TargetHealth, MAX_HEAD,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::Ipv4Addr;

/// The initial sequence number of the nodes' listener connections.
const ISN: u32 = 0x2000;
/// Requests one node serves in one quiet period at most (a bound against loops).
const MAX_PENDING: usize = 1024;
/// Client connections the nodes keep at most (vpclab's bound); a SYN beyond is reset.
const MAX_CONNS: usize = 65_536;

/// A client connection a node accepted: (node port, client address, client port, listener).
type ConnKey = (PortId, Ipv4Addr, u16, u16);

/// One accepted client connection.
#[derive(Clone, Debug, Default)]
struct Conn {
    snd: u32,
    rcv: u32,
    head: Vec<u8>,
    queued: bool,
}

/// What a node did with the last request it served (the probe's report is built from it).
#[derive(Clone, Debug, Default)]
pub struct Served {
    /// The listener, rule and target hops, then the walks of the node's connection to the
    /// target (there and back).
    pub hops: Vec<Hop>,
    /// The request reached a target (or the node answered it itself with a fixed response).
    pub delivered: bool,
    /// The client got the target's answer (or the fixed response).
    pub reply: bool,
    /// Why not, when the node answered an error.
    pub blocked: Option<Decision>,
    /// The header the blocking component saw, when a walk recorded it.
    pub blocked_header: Option<Header>,
    /// The status the client got.
    pub status: u16,
    /// The target's port, when one was chosen.
    pub target: Option<PortId>,
}

/// The ALB nodes' state in a virtual lab.
#[derive(Debug, Default)]
pub struct Nodes {
    conns: HashMap<ConnKey, Conn>,
    pending: VecDeque<ConnKey>,
    /// Health per (node, group, target): the state and when it was last checked.
    health: HashMap<(EniId, String, TargetConfig), (TargetHealth, Nanos)>,
    /// Round-robin counters per (node, group).
    turns: HashMap<(EniId, String), usize>,
    /// The nodes' own connections (node port, remote address, remote port, local port).
    outbound: HashSet<(PortId, Ipv4Addr, u16, u16)>,
    busy: bool,
    /// The request probes send to a listener (`probe --http-path/--http-host`).
    pub request: HttpRequest,
    /// The last request served (taken by the probe).
    pub(super) last: Option<Served>,
    /// Walks recorded before a node's own connections (given back to the probe).
    pub(super) stash: Vec<RecordedWalk>,
}

/// The node's ENI behind `port` and its listener on TCP `dport`, when `port` is an ALB node's.
fn listener_of(net: &Network, port: PortId, dport: u16) -> Option<EniId> {
    let PortOwner::LoadBalancerNode(eni) = net.port(port).owner else {
        return None;
    };
    let l = net.load_balancer(net.eni_load_balancer(eni)?);
    (l.lb_type == LbType::Application && l.listener(proto::TCP, dport).is_some()).then_some(eni)
}

impl Nodes {
    /// Takes a frame the engine delivers to `port`: Some(answers) when it belongs to a client
    /// connection to an ALB node's listener, None when the node's host should take it (the
    /// node's own connections, anything else).
    pub(super) fn serve_frame(
        &mut self,
        net: &Network,
        host: &super::host::Host,
        port: PortId,
        frame: &[u8],
    ) -> Option<Vec<Vec<u8>>> {
        let Ok(Frame::Ip(ip)) = wire::parse(frame) else {
            return None;
        };
        let h = ip.header;
        if h.proto != proto::TCP || h.dst != host.ip || ip.frag.is_some() {
            return None;
        }
        if self.outbound.contains(&(port, h.src, h.sport, h.dport)) {
            return None;
        }
        listener_of(net, port, h.dport)?;
        let (t, payload) = wire::l4_payload(frame)?;
        let key = (port, h.src, h.sport, h.dport);
        let back = h.reversed();
        let seg = |fl: u8, seq: u32, ack: u32| {
            host.frame(
                &back,
                Tcp {
                    flags: fl,
                    seq,
                    ack,
                },
                0,
                &[],
            )
        };
        if t.flags & flags::RST != 0 {
            self.conns.remove(&key);
            return Some(Vec::new());
        }
        if t.flags & flags::SYN != 0 && t.flags & flags::ACK == 0 {
            if self.conns.len() >= MAX_CONNS && !self.conns.contains_key(&key) {
                return Some(vec![seg(flags::RST | flags::ACK, 0, t.seq.wrapping_add(1))]);
            }
            let c = Conn {
                snd: ISN + 1,
                rcv: t.seq.wrapping_add(1),
                ..Conn::default()
            };
            let rcv = c.rcv;
            self.conns.insert(key, c);
            return Some(vec![seg(flags::SYN | flags::ACK, ISN, rcv)]);
        }
        let Some(c) = self.conns.get_mut(&key) else {
            // Not a connection of ours: reset, as a host does.
            return Some(vec![seg(flags::RST, t.ack, 0)]);
        };
        if !payload.is_empty() && !c.queued {
            c.rcv = t.seq.wrapping_add(payload.len() as u32);
            let room = (MAX_HEAD + 4).saturating_sub(c.head.len());
            c.head
                .extend_from_slice(&payload[..payload.len().min(room)]);
            let complete = c.head.windows(4).any(|w| w == b"\r\n\r\n");
            if (complete || c.head.len() > MAX_HEAD) && self.pending.len() < MAX_PENDING {
                c.queued = true;
                self.pending.push_back(key);
            }
        }
        if t.flags & flags::FIN != 0 && !c.queued {
            c.rcv = c.rcv.wrapping_add(1);
            let (snd, rcv) = (c.snd, c.rcv);
            self.conns.remove(&key);
            return Some(vec![seg(flags::ACK | flags::FIN, snd, rcv)]);
        }
        Some(Vec::new())
    }

    /// Forgets the last request served and the walks kept (a new probe).
    pub(super) fn reset(&mut self) {
        self.last = None;
        self.stash.clear();
    }

    /// True when a request waits and no node is serving one.
    pub(super) fn ready(&self) -> bool {
        !self.busy && !self.pending.is_empty()
    }
}

/// A built-in decision of the load balancer (a node's own error answer).
fn node_decision(lb: &str, code: Option<ExplanationCode>, detail: String) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        component: lb.to_string(),
        kind: ComponentKind::LoadBalancer,
        direction: None,
        rule: RuleId::Builtin,
        code,
        detail,
    }
}

/// The hops of the last request served (none when no node served one).
pub(super) fn hops(n: &Nodes) -> Vec<Hop> {
    n.last.iter().flat_map(|s| s.hops.iter().cloned()).collect()
}

impl Lab {
    /// Sets the HTTP request probes send to an ALB listener (`probe --http-path/--http-host`;
    /// default `/` on the load balancer's DNS name).
    pub fn set_http_request(&mut self, r: HttpRequest) {
        self.alb.request = r;
    }

    /// The request a probe sends to `dst:port` when a node's listener is there: `GET` of the
    /// probe's path with its `Host` (default `/` on the load balancer's DNS name).
    pub(super) fn alb_request(&self, dst: Option<PortId>, port: u16) -> Option<Vec<u8>> {
        let net = self.engine.network();
        let eni = listener_of(net, dst?, port)?;
        let l = net.load_balancer(net.eni_load_balancer(eni)?);
        let host = self
            .alb
            .request
            .host
            .clone()
            .unwrap_or_else(|| l.dns_name.clone());
        let path = self.alb.request.path.clone().unwrap_or_else(|| "/".into());
        Some(
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: vpclab-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        )
    }

    /// The walks recorded since the probe began: those kept before the nodes' own
    /// connections, then the engine's.
    pub(super) fn alb_walks(&mut self) -> Vec<RecordedWalk> {
        let mut w = std::mem::take(&mut self.alb.stash);
        w.extend(self.engine.take_walks());
        w
    }

    /// Serves every waiting request (called by `run` when the engine is quiet).
    pub(super) fn serve_alb(&mut self) {
        self.alb.busy = true;
        while let Some(key) = self.alb.pending.pop_front() {
            self.serve_one(key);
        }
        self.alb.busy = false;
    }

    fn serve_one(&mut self, key: ConnKey) {
        let (node_port, client, cport, lport) = key;
        let Some(head) = self.alb.conns.get(&key).map(|c| c.head.clone()) else {
            return;
        };
        let mut stash = self.engine.take_walks();
        self.alb.stash.append(&mut stash);
        let net = self.engine.network().clone();
        let PortOwner::LoadBalancerNode(eni) = net.port(node_port).owner else {
            return;
        };
        let Some(cfg) = NodeConfig::of(&net, eni) else {
            return;
        };
        let mut served = Served::default();
        let answer = match Head::parse(&head[..head_end(&head)]) {
            Err(e) => {
                let status = if e == HeadError::TooLarge { 431 } else { 400 };
                served.status = status;
                served.blocked = Some(node_decision(
                    &cfg.lb,
                    None,
                    format!("{} answered {status}: the request head is {e:?}", cfg.lb),
                ));
                response(status, "text/html", "")
            }
            Ok(h) => {
                let req = Request {
                    eni,
                    cfg: &cfg,
                    client,
                    cport,
                    head: &h,
                };
                self.decide(&net, &req, lport, &mut served)
            }
        };
        self.alb.last = Some(served);
        // The answer to the client, then FIN (one request per connection).
        let Some(c) = self.alb.conns.get_mut(&key) else {
            return;
        };
        let hdr = Header::l4(
            self.hosts[node_port.idx()].ip,
            client,
            proto::TCP,
            lport,
            cport,
        );
        let t = Tcp {
            flags: flags::ACK | flags::PSH | flags::FIN,
            seq: c.snd,
            ack: c.rcv,
        };
        c.snd = c.snd.wrapping_add(answer.len() as u32 + 1);
        let f = self.hosts[node_port.idx()].frame(&hdr, t, 0, &answer);
        self.engine.handle_frame_owned(node_port, f, self.now);
        self.run();
    }

    /// The listener on `lport`'s action for the request and what the node answers the client.
    fn decide(&mut self, net: &Network, req: &Request, lport: u16, served: &mut Served) -> Vec<u8> {
        let Request {
            eni, cfg, head: h, ..
        } = *req;
        let Some(listener) = cfg.listener(lport) else {
            return unavailable(served);
        };
        let (action, rule) = listener.pick(h.header("host").unwrap_or_default(), h.path());
        let rule_text = match rule {
            Some(p) => format!("rule {p}"),
            None => "default action".to_string(),
        };
        let at = format!(
            "listener {}:{} {rule_text}",
            listener.protocol.name(),
            listener.port
        );
        let hop = |detail: String| Hop {
            component: cfg.lb.clone(),
            kind: ComponentKind::LoadBalancer,
            detail,
            decision: None,
        };
        let gi = match action {
            LbAction::FixedResponse {
                status,
                body,
                content_type,
            } => {
                served
                    .hops
                    .push(hop(format!("{at}: fixed response {status}")));
                served.delivered = true;
                served.reply = true;
                served.status = *status;
                return response(*status, content_type, body);
            }
            LbAction::Redirect(r) => {
                served.hops.push(hop(format!(
                    "{at}: redirect {} to {}://{}:{}{}",
                    r.status, r.protocol, r.host, r.port, r.path
                )));
                served.delivered = true;
                served.reply = true;
                served.status = r.status;
                return crate::services::alb::redirect(r, listener, h, &cfg.dns_name);
            }
            LbAction::Forward(i) => *i,
        };
        let Some(group) = cfg.target_groups.get(gi) else {
            return unavailable(served);
        };
        served
            .hops
            .push(hop(format!("{at}: forward to target group {}", group.name)));
        let healthy: Vec<bool> = group
            .targets
            .iter()
            .map(|t| self.target_health(eni, cfg.node_ip, group, t))
            .collect();
        let turn = self.alb.turns.entry((eni, group.name.clone())).or_default();
        let pick = pick_target(&healthy, *turn);
        *turn = turn.wrapping_add(1);
        let Some(k) = pick else {
            // AWS: 503 when the target group has no registered target (in an enabled zone).
            served.status = 503;
            served.blocked = Some(node_decision(
                &cfg.lb,
                Some(ExplanationCode::Elbv2ListenerHasNoTg),
                format!(
                    "target group {} has no target in a zone enabled for {}: the node answers 503",
                    group.name, cfg.lb
                ),
            ));
            return response(503, "text/html", "");
        };
        let t = group.targets[k];
        let state = if healthy.iter().any(|x| *x) {
            "healthy; round robin"
        } else {
            "every target is unhealthy: fails open"
        };
        served.hops.push(Hop {
            component: group.name.clone(),
            kind: ComponentKind::LoadBalancer,
            detail: format!(
                "target {} chosen by {} ({state})",
                target_name(net, cfg, gi, &t),
                net.eni(eni).aws_id
            ),
            decision: None,
        });
        let listener = listener.clone();
        self.forward(req, &t, &listener, served)
    }

    /// The node's connection to target `t` with the forwarded head, and the target's answer
    /// (502 on a reset or no answer, 504 when the connection is not established).
    fn forward(
        &mut self,
        req: &Request,
        t: &TargetConfig,
        listener: &crate::model::load_balancer::Listener,
        served: &mut Served,
    ) -> Vec<u8> {
        let Request {
            eni,
            cfg,
            client,
            cport,
            head: h,
        } = *req;
        let Some(node_port) = self.node_port(eni) else {
            return unavailable(served);
        };
        let _ = self.engine.take_walks();
        let leg = Header::l4(cfg.node_ip, t.ip, proto::TCP, cport, t.port);
        self.alb.outbound.insert((node_port, t.ip, t.port, cport));
        let target_port = super::target_port(self.engine.network(), t.ip);
        let mark = target_port.map(|p| self.hosts[p.idx()].received.len());
        let (mut flow, ex) = self.connect_header(node_port, leg);
        let mut answer = Vec::new();
        if ex.replied && !ex.reset {
            answer = self
                .tcp_send(&mut flow, &h.forwarded(client, listener))
                .data;
            self.tcp_close(&flow);
        }
        self.alb.outbound.remove(&(node_port, t.ip, t.port, cport));
        let walks = self.engine.take_walks();
        // The first walk each way: the SYN there, the target's answer back.
        let there = walks.iter().find(|w| w.header == leg);
        let back = walks
            .iter()
            .find(|w| Some(w.port) == target_port && w.header == leg.reversed());
        for w in there.into_iter().chain(back) {
            served.hops.extend(w.walk.hops.iter().cloned());
            if served.blocked.is_none() {
                if let Some(d) = w.walk.blocked() {
                    served.blocked = Some(d.clone());
                    served.blocked_header = Some(w.header);
                }
            }
        }
        served.target = target_port;
        served.delivered = match (target_port, mark) {
            (Some(p), Some(m)) => self.hosts[p.idx()].received[m..]
                .iter()
                .any(|r| r.header.dport == t.port && !r.payload.is_empty()),
            _ => false,
        };
        let status = if !ex.replied {
            504
        } else if ex.reset || answer.is_empty() {
            502
        } else {
            served.reply = true;
            served.status = status_of(&answer);
            return answer;
        };
        served.status = status;
        if served.blocked.is_none() {
            served.blocked = Some(node_decision(
                &cfg.lb,
                None,
                format!(
                    "{}:{} {}: the node answers {status}",
                    t.ip,
                    t.port,
                    if ex.reset {
                        "refused the connection (RST)"
                    } else {
                        "did not answer"
                    }
                ),
            ));
        }
        response(status, "text/html", "")
    }

    /// Whether node `eni` counts target `t` of `group` healthy: checked now when never
    /// checked or when the group's interval passed since the last check.
    fn target_health(
        &mut self,
        eni: EniId,
        node_ip: Ipv4Addr,
        group: &GroupConfig,
        t: &TargetConfig,
    ) -> bool {
        let key = (eni, group.name.clone(), *t);
        let interval = Nanos::from(group.health.interval_secs.max(1)) * 1_000_000_000;
        let now = self.now;
        if let Some((s, at)) = self.alb.health.get(&key) {
            if now.saturating_sub(*at) < interval {
                return s.healthy == Some(true);
            }
        }
        let ok = self.check(eni, node_ip, group, t);
        let entry = self.alb.health.entry(key).or_default();
        entry.0.record(ok, &group.health);
        entry.1 = now;
        entry.0.healthy == Some(true)
    }

    /// One health check from the node: TCP connect (and `GET path` answered 200 for HTTP).
    fn check(
        &mut self,
        eni: EniId,
        node_ip: Ipv4Addr,
        group: &GroupConfig,
        t: &TargetConfig,
    ) -> bool {
        let Some(port) = self.node_port(eni) else {
            return false;
        };
        let h = Header::l4(
            node_ip,
            t.ip,
            proto::TCP,
            HEALTH_CHECK_SOURCE_PORT,
            t.health_port,
        );
        self.alb
            .outbound
            .insert((port, t.ip, t.health_port, HEALTH_CHECK_SOURCE_PORT));
        let (mut flow, ex) = self.connect_header(port, h);
        let ok = ex.replied && !ex.reset && {
            match group.health.protocol {
                LbProtocol::Http => {
                    let ex = self.tcp_send(&mut flow, &health_request(t, &group.health.path));
                    health_ok(&ex.data)
                }
                _ => true,
            }
        };
        if ex.replied && !ex.reset {
            self.tcp_close(&flow);
        }
        self.alb
            .outbound
            .remove(&(port, t.ip, t.health_port, HEALTH_CHECK_SOURCE_PORT));
        let _ = self.engine.take_walks();
        ok
    }

    fn node_port(&self, eni: EniId) -> Option<PortId> {
        let net = self.engine.network();
        net.ports
            .iter()
            .find(|p| p.owner == PortOwner::LoadBalancerNode(eni))
            .map(|p| p.id)
    }
}

/// Where the head ends (after its blank line), or all of it.
fn head_end(buf: &[u8]) -> usize {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .unwrap_or(buf.len())
}

/// The status of an HTTP answer (0 when it has none).
fn status_of(answer: &[u8]) -> u16 {
    let line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
    std::str::from_utf8(line)
        .ok()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// `i-… (10.0.10.4:80)` for an instance target, `10.0.10.4:80` for an IP target.
fn target_name(net: &Network, cfg: &NodeConfig, group: usize, t: &TargetConfig) -> String {
    let instance = net
        .load_balancers
        .iter()
        .find(|l| l.name == cfg.lb)
        .and_then(|l| l.target_groups.get(group))
        .and_then(|g| g.targets.iter().find(|x| x.ip == t.ip && x.port == t.port))
        .and_then(|x| x.instance);
    match instance {
        Some(i) => format!("{} ({}:{})", net.instance(i).aws_id, t.ip, t.port),
        None => format!("{}:{}", t.ip, t.port),
    }
}

/// A probe's report through an ALB node (when one served it): delivered when the request
/// reached a target (or the node answered a fixed response or redirect), a reply when the
/// client got that answer; else the node's error and the decision that caused it.
pub(super) fn patch(report: &mut super::ProbeReport, s: Option<Served>) {
    let Some(s) = s else { return };
    report.delivered = s.delivered;
    report.reply = s.reply;
    if !s.reply {
        if let Some(d) = s.blocked {
            report.blocked = Some(d);
            report.blocked_header = s.blocked_header;
        }
    }
}

/// One client request at a node, as `decide` and `forward` see it.
#[derive(Clone, Copy)]
struct Request<'a> {
    /// The node's ENI.
    eni: EniId,
    /// The node's load balancer, listeners and target groups.
    cfg: &'a NodeConfig,
    /// The client's address and source port.
    client: Ipv4Addr,
    cport: u16,
    /// The request head the node read.
    head: &'a Head,
}

/// 503 with no body: no listener, target group or node port for the request.
fn unavailable(served: &mut Served) -> Vec<u8> {
    served.status = 503;
    response(503, "text/html", "")
}
