//! `vpclab probe --from A --to B` against the running topology (netns backend): subscribes to
//! the engine's packet events, runs a real tool inside A's namespace (`ping`, `nc -z`, `nc -u`;
//! with `-6` for IPv6, see `probe_live6`), and builds the trace from the decisions seen at each
//! ENI. A request the source's ENI let out that nothing answered is walked once more through
//! the model (`policy::path::walk`, or `policy::path::ipv6::walk6` for IPv6: the engine's own
//! logic) to tell a packet that left through a gateway towards an address nobody owns
//! (`exited`) from one that was lost.

use super::common::{print_json, CmdResult, Fail, EXIT_NO, EXIT_OK};
use super::status::{pick, running_network};
use super::{ProbeArgs, ProtoArg};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use vpclab::backend::netns::control::{subscribe_with_epoch, EventRecord};
use vpclab::backend::netns::ns::namespace_exists;
use vpclab::backend::netns::state::{ns_name, StateDir};
use vpclab::backend::virt::{resolve, ProbeReport};
use vpclab::engine::PacketEvent;
use vpclab::model::proto;
use vpclab::model::{Endpoint, EniId, Network};
use vpclab::policy::path::ipv6::{walk6, Assumed6, Origin6, Outcome6};
use vpclab::policy::path::{self, Assumed, Hop, Options, Origin, Outcome};
use vpclab::policy::{ComponentKind, Decision, Direction, ExplanationCode, RuleId, Verdict};

/// How long events are awaited after the tool ends (quiet period, then hard limit).
const QUIET: Duration = Duration::from_millis(300);
const DRAIN_MAX: Duration = Duration::from_secs(3);

/// The flow a probe sends, to pick its events out of the stream.
#[derive(Clone, Debug)]
pub struct ProbeFlow {
    /// IP protocol (ICMP and ICMPv6 match echo packets of either family: a NAT64 flow's
    /// ICMPv6 echo is an ICMP echo on its IPv4 leg).
    pub proto: u8,
    /// Destination port (TCP/UDP).
    pub port: u16,
    /// Addresses of the target (the probed one, its private/public twin; for NAT64 the IPv4
    /// address embedded in the 64:ff9b:: one).
    pub target: HashSet<IpAddr>,
    /// The source's ENI (instances only).
    pub src_eni: Option<EniId>,
    /// The target's ENI (instances only).
    pub dst_eni: Option<EniId>,
}

impl ProbeFlow {
    /// True for an echo flow (ICMP or ICMPv6).
    fn echo(&self) -> bool {
        matches!(self.proto, proto::ICMP | proto::ICMPV6)
    }

    /// True when `e` is of this flow's protocol and, for an echo, an echo request (`request`)
    /// or reply of its own family (ICMP 8/0, ICMPv6 128/129).
    fn kind(&self, e: &PacketEvent, request: bool) -> bool {
        let h = &e.header;
        if !self.echo() {
            return h.proto() == self.proto;
        }
        match (h.proto(), request) {
            (proto::ICMP, true) => h.icmp_type() == 8,
            (proto::ICMP, false) => h.icmp_type() == 0,
            (proto::ICMPV6, true) => h.icmp_type() == 128,
            (proto::ICMPV6, false) => h.icmp_type() == 129,
            _ => false,
        }
    }

    /// True for a packet of the request direction.
    pub fn forward(&self, e: &PacketEvent) -> bool {
        self.kind(e, true)
            && (self.target.contains(&e.header.dst()) || self.target.contains(&e.pkt_dst))
            && (self.echo() || e.header.dport() == self.port)
    }

    /// True for a packet of the answer direction.
    pub fn reverse(&self, e: &PacketEvent) -> bool {
        self.kind(e, false)
            && (self.target.contains(&e.header.src()) || self.target.contains(&e.pkt_src))
            && (self.echo() || e.header.sport() == self.port)
    }
}

/// Builds the report from the events seen and the tool's own verdict on a reply.
pub fn report_from_events(
    net: &Network,
    flow: &ProbeFlow,
    events: &[PacketEvent],
    tool_reply: bool,
    target: IpAddr,
) -> ProbeReport {
    let fwd: Vec<&PacketEvent> = events.iter().filter(|e| flow.forward(e)).collect();
    let rev: Vec<&PacketEvent> = events.iter().filter(|e| flow.reverse(e)).collect();
    let reply = tool_reply
        || flow.src_eni.is_some_and(|s| {
            rev.iter().any(|e| {
                e.eni == s && e.direction == Direction::Inbound && e.verdict == Verdict::Accept
            })
        });
    let delivered = match flow.dst_eni {
        Some(d) => fwd.iter().any(|e| {
            e.eni == d && e.direction == Direction::Inbound && e.verdict == Verdict::Accept
        }),
        None => reply,
    };
    let mut seen = HashSet::new();
    let mut trace = Vec::new();
    for (way, list) in [("request", &fwd), ("reply", &rev)] {
        for e in list.iter() {
            let key = (
                way,
                e.eni,
                e.direction,
                e.decision.component.clone(),
                e.verdict,
            );
            if !seen.insert(key) {
                continue;
            }
            let eni = net
                .enis
                .get(e.eni.idx())
                .map(|x| x.aws_id.as_str())
                .unwrap_or("?");
            let dir = match e.direction {
                Direction::Inbound => "ingress",
                Direction::Outbound => "egress",
            };
            trace.push(Hop {
                component: e.decision.component.clone(),
                kind: e.decision.kind,
                detail: format!("{way} at {eni} {dir}: {} ({})", e.decision, e.header),
                decision: Some((*e.decision).clone()),
            });
        }
    }
    let rejected = if reply {
        None
    } else {
        fwd.iter()
            .chain(rev.iter())
            .find(|e| e.verdict == Verdict::Reject)
    };
    let blocked = rejected.map(|e| (*e.decision).clone());
    let exit = if reply || rejected.is_some() {
        None
    } else {
        exit_hops(net, flow, &fwd)
    };
    let exited = exit.is_some();
    trace.extend(exit.into_iter().flatten());
    ProbeReport {
        delivered,
        reply,
        trace,
        blocked,
        events: events.to_vec(),
        response: Vec::new(),
        target: match target {
            IpAddr::V4(a) => Some(a),
            IpAddr::V6(_) => None,
        },
        target6: match target {
            IpAddr::V6(a) => Some(a),
            IpAddr::V4(_) => None,
        },
        exited,
        blocked_header: rejected.and_then(|e| e.header.v4().copied()),
        blocked_header6: rejected.and_then(|e| e.header.v6().copied()),
    }
}

/// When the request the source's ENI accepted outbound leaves the modelled network through a
/// gateway towards an address nobody owns (`Outcome::Exited`), that gateway's hops of the walk
/// (its translation and the exit); None otherwise (or when the source is no instance). The live
/// kernel forwards through NAT instances, so the walk does not masquerade inside them.
fn exit_hops(net: &Network, flow: &ProbeFlow, fwd: &[&PacketEvent]) -> Option<Vec<Hop>> {
    let src = flow.src_eni?;
    let sent = fwd.iter().find(|e| {
        e.eni == src && e.direction == Direction::Outbound && e.verdict == Verdict::Accept
    })?;
    let opts = Options {
        collect_all: false,
        nat_instance_in_walk: false,
    };
    let (hops, gateway) = match &sent.header {
        vpclab::policy::IpHeader::V4(h) => {
            let w = path::walk(net, &mut Assumed::default(), Origin::Eni(src), *h, opts);
            let Outcome::Exited { gateway, .. } = w.outcome else {
                return None;
            };
            (w.hops, gateway)
        }
        vpclab::policy::IpHeader::V6(h) => {
            let w = walk6(net, &mut Assumed6::default(), Origin6::Eni(src), *h, opts);
            let Outcome6::Exited { gateway, .. } = w.outcome else {
                return None;
            };
            (w.hops, gateway)
        }
    };
    Some(
        hops.into_iter()
            .filter(|h| h.component == gateway)
            .collect(),
    )
}

/// Every address of the host behind `ip` (its private and public IP), `ip` included.
fn twins(net: &Network, ip: Ipv4Addr) -> (HashSet<IpAddr>, Option<EniId>) {
    let mut set = HashSet::from([IpAddr::V4(ip)]);
    let eni = net.eni_by_public_ip(ip).or_else(|| {
        net.vpcs
            .iter()
            .find_map(|v| net.eni_by_private_ip(v.id, ip))
    });
    if let Some(e) = eni {
        let x = net.eni(e);
        set.insert(x.private_ip.into());
        set.extend(x.public_ip.map(IpAddr::V4));
    }
    let inst = eni.filter(|e| net.eni_instance(*e).is_some());
    (set, inst)
}

/// The tool run inside A's namespace (from source port `sport` when given: `nc -p`; from the
/// address `bind` when given: `ping -I`, `nc -s`; inside the user namespace of `holder`, a
/// rootless engine, when given), and whether its output means B answered. An IPv6 `ip` runs
/// the tool with `-6`; ICMP and ICMPv6 both send an echo request (`ping`).
pub(super) fn run_tool(
    ns: &str,
    p: ProtoArg,
    ip: IpAddr,
    port: u16,
    sport: Option<u16>,
    bind: Option<IpAddr>,
    holder: Option<i32>,
) -> Result<bool, Fail> {
    let ip_s = ip.to_string();
    let port_s = port.to_string();
    let echo = matches!(p.0, proto::ICMP | proto::ICMPV6);
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns]);
    match p.0 {
        _ if echo => cmd.args(["ping", "-n", "-c", "1", "-W", "2"]),
        proto::TCP => cmd.args(["nc", "-n", "-z", "-v", "-w", "2"]),
        _ => cmd.args(["nc", "-n", "-u", "-w", "2"]),
    };
    if ip.is_ipv6() {
        cmd.arg("-6");
    }
    if let Some(sp) = sport {
        cmd.args(["-p", &sp.to_string()]);
    }
    if let Some(b) = bind {
        cmd.args([if echo { "-I" } else { "-s" }, &b.to_string()]);
    }
    cmd.arg(&ip_s);
    if !echo {
        cmd.arg(&port_s);
    }
    if let Some(pid) = holder {
        vpclab::backend::netns::userns::enter(&mut cmd, pid)
            .map_err(|e| Fail::env(format!("cannot enter the topology's user namespace: {e}")))?;
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| {
        Fail::env(format!(
            "cannot run `ip netns exec`: {e}\nhint: install iproute2, iputils-ping and netcat-openbsd"
        ))
    })?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        if p.0 == proto::UDP {
            let _ = stdin.write_all(b"vpclab probe\n");
        }
        // Dropping stdin closes it (nc -u then waits -w seconds for the answer).
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Fail::env(format!("probe tool failed: {e}")))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("not found") || stderr.contains("No such file") {
        return Err(Fail::env(format!(
            "a probe tool is missing: {}\nhint: install iputils-ping and netcat-openbsd",
            stderr.trim()
        )));
    }
    let refused = stderr.contains("refused");
    Ok(match p.0 {
        _ if echo => out.status.success(),
        proto::TCP => out.status.success() || refused,
        _ => !out.stdout.is_empty() || refused,
    })
}

/// Runs `probe` without FILE: against the running topology (`--name`, or the only one).
pub fn run(a: &ProbeArgs) -> CmdResult {
    let dir = pick(a.name.as_deref())?;
    let net = running_network(&dir)?;
    // The family as `reach` chooses it: -6, icmpv6, an IPv6 address or egress-only gateway, an
    // end with no IPv4 of its own (`probe_live6`); else IPv4.
    let p = a.protocol.0;
    if super::reach::family6(&net, &a.from, &a.to, a.src_ip, p, a.ipv4, a.ipv6)? {
        return super::probe_live6::run6(a, &dir, &net);
    }
    if !matches!(p, proto::TCP | proto::UDP | proto::ICMP) {
        return Err(Fail::input(format!(
            "the live probe sends tcp, udp or icmp (nc, ping inside the source's namespace), not protocol {p} (no raw-socket sender)\nhint: give the topology FILE to probe protocol {p} on the virtual backend"
        )));
    }
    if a.src_port.is_some() && p == proto::ICMP {
        return Err(Fail::input("--src-port is for tcp and udp only"));
    }
    let port = a.protocol.port(a.port, "--port").map_err(Fail::input)?;
    let target = resolve(&net, &a.from, &a.to).map_err(|e| Fail::input(e.0))?;
    let Some(target) = target else {
        let d = Decision {
            verdict: Verdict::Reject,
            component: a.to.clone(),
            kind: ComponentKind::Eni,
            direction: None,
            rule: RuleId::Builtin,
            code: Some(ExplanationCode::NoAddressForSource),
            detail: format!(
                "{} has no address {} can use (no public IP, and no private path from {})",
                a.to, a.from, a.from
            ),
        };
        let r = ProbeReport {
            blocked: Some(d),
            ..ProbeReport::default()
        };
        return finish(&net, a, &r);
    };
    let (ns, holder) = source_namespace(&dir, &net, &a.from)?;
    let src_eni = match net.endpoint_by_name(&a.from) {
        Some(Endpoint::Instance(i)) => Some(net.instance(i).eni),
        _ => None,
    };
    // The address the source's namespace sends from (its instance's private IP, its host's IP).
    let own = match net.endpoint_by_name(&a.from) {
        Some(Endpoint::Instance(i)) => Some(net.eni(net.instance(i).eni).private_ip),
        Some(Endpoint::Internet(h)) => Some(net.internet_host(h).ip),
        None => None,
    };
    if let Some(ip) = a
        .src_ip
        .filter(|ip| Some(*ip) != own.map(std::net::IpAddr::V4))
    {
        return Err(Fail::input(format!(
            "the live probe sends from {}'s own address{}, not {ip} (a spoofed source needs a raw socket, which the live probe does not use)\nhint: give the topology FILE to probe from {ip} on the virtual backend",
            a.from,
            own.map(|o| format!(" {o}")).unwrap_or_default()
        )));
    }
    let (set, dst_eni) = twins(&net, target);
    let flow = ProbeFlow {
        proto: p,
        port,
        target: set,
        src_eni,
        dst_eni,
    };
    let target = IpAddr::V4(target);
    let (events, tool_reply) = observe(&dir, &net, || {
        run_tool(&ns, a.protocol, target, port, a.src_port, None, holder)
    })?;
    let r = report_from_events(&net, &flow, &events, tool_reply, target);
    finish(&net, a, &r)
}

/// The namespace `from` sends in, and the pid of the rootless engine whose user namespace the
/// tool must enter (None for root's topologies); an error when the namespace is missing.
pub(super) fn source_namespace(
    dir: &StateDir,
    net: &Network,
    from: &str,
) -> Result<(String, Option<i32>), Fail> {
    let ns = ns_name(&net.name, from);
    // A normal user's topology runs in a user namespace: the tool enters it (`userns`).
    let holder = vpclab::backend::netns::userns::is_rootless_run(dir)
        .then(|| dir.live_pid())
        .flatten();
    if holder.is_none() && !namespace_exists(&ns) {
        return Err(Fail::env(format!(
            "namespace {ns} does not exist (is {} still starting?)",
            net.name
        )));
    }
    Ok((ns, holder))
}

/// Subscribes to the running engine's packet events, runs `send` (the tool; true when it saw
/// an answer) and collects the events until quiet: the events and the tool's verdict.
pub(super) fn observe(
    dir: &StateDir,
    net: &Network,
    send: impl FnOnce() -> Result<bool, Fail>,
) -> Result<(Vec<PacketEvent>, bool), Fail> {
    let (_, records) = subscribe_with_epoch(&dir.ctl_sock(), false).map_err(|e| {
        Fail::env(format!(
            "cannot subscribe to {}'s engine: {e}\nhint: `vpclab status {}`",
            dir.name, dir.name
        ))
    })?;
    let (tx, rx) = mpsc::channel::<EventRecord>();
    // The reader ends with the process (it blocks on the socket).
    std::thread::spawn(move || {
        for r in records {
            if tx.send(r).is_err() {
                break;
            }
        }
    });
    let tool_reply = send()?;
    let mut events = Vec::new();
    let start = Instant::now();
    while start.elapsed() < DRAIN_MAX {
        match rx.recv_timeout(QUIET) {
            Ok(r) => events.extend(r.to_event(net)),
            Err(_) => break,
        }
    }
    Ok((events, tool_reply))
}

/// Prints the report (JSON or for people) and gives the exit code: 0 for a reply or an exit.
pub(super) fn finish(net: &Network, a: &ProbeArgs, r: &ProbeReport) -> CmdResult {
    let client = match net.endpoint_by_name(&a.from) {
        Some(Endpoint::Instance(i)) => net.instance(i).ephemeral,
        Some(Endpoint::Internet(h)) => net.internet_host(h).ephemeral,
        None => vpclab::model::LINUX_EPHEMERAL,
    };
    if a.json {
        print_json(&super::probe::report_json(net, r, client))?;
    } else {
        super::probe::print_human(net, a, r, client);
    }
    Ok(if r.reply || r.exited {
        EXIT_OK
    } else {
        EXIT_NO
    })
}
