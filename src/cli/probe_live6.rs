//! `vpclab probe --from A --to B -6` against the running topology (netns backend): the IPv6
//! question is prepared as `reach -6` prepares it (`reach::ipv6_party::prepare6`,
//! `reach::ipv6::endpoints6`: the same source address, the same destination address, DNS64's
//! `64:ff9b::` address for an IPv4-only destination), then `ping -6` / `nc -6` runs inside A's
//! namespace and the report is built from the engine's IPv6 packet events as for IPv4
//! (`probe_live`). A NAT64 flow's IPv4 leg is matched by the IPv4 address embedded in the
//! `64:ff9b::/96` one.
//!
//! Only an instance or an internet host can be probed from (they have a namespace); the
//! source address must be one of its own (no raw-socket sender, no spoofing).

use super::common::{CmdResult, Fail};
use super::probe_live::{
    finish, observe, report_from_events, run_tool, source_namespace, ProbeFlow,
};
use super::ProbeArgs;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use vpclab::backend::netns::state::StateDir;
use vpclab::backend::virt::ProbeReport;
use vpclab::model::{proto, Endpoint, Network, LINUX_EPHEMERAL};
use vpclab::policy::path::ipv6::{walk6, Assumed6, Origin6, Outcome6};
use vpclab::policy::path::Options;
use vpclab::policy::Direction;
use vpclab::reach::ipv6::endpoints6;
use vpclab::reach::ipv6_party::prepare6;

/// The IPv4 address embedded in a `64:ff9b::/96` (NAT64 well-known prefix, RFC 6052) address.
fn nat64_embedded(a: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = a.segments();
    (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]).then(|| {
        let o = a.octets();
        Ipv4Addr::new(o[12], o[13], o[14], o[15])
    })
}

/// The live probe's source checks: the source's ENI (instances) and its own IPv6 addresses.
fn source6(
    net: &Network,
    a: &ProbeArgs,
) -> Result<(Option<vpclab::model::EniId>, Vec<Ipv6Addr>), Fail> {
    let (eni, own) = match net.endpoint_by_name(&a.from) {
        Some(Endpoint::Instance(i)) => {
            let e = net.instance(i).eni;
            (Some(e), net.eni_ipv6(e).to_vec())
        }
        Some(Endpoint::Internet(h)) => (None, net.host_ipv6(h).into_iter().collect()),
        None => {
            return Err(Fail::input(format!(
                "the live probe sends from the namespace of an instance or an internet host, and {} is neither\nhint: give the topology FILE to probe from it on the virtual backend (`vpclab probe FILE -6 …`)",
                a.from
            )))
        }
    };
    match a.src_ip {
        Some(IpAddr::V4(ip)) => Err(Fail::input(format!(
            "--src-ip {ip} is IPv4: -6 takes an IPv6 source address"
        ))),
        Some(IpAddr::V6(ip)) if !own.contains(&ip) => Err(Fail::input(format!(
            "the live probe sends from {}'s own address{}, not {ip} (a spoofed source needs a raw socket, which the live probe does not use)\nhint: give the topology FILE to probe from {ip} on the virtual backend",
            a.from,
            if own.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    own.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")
                )
            }
        ))),
        _ => Ok((eni, own)),
    }
}

/// Runs `probe -6` without FILE against the running topology `dir` (its network `net`), once
/// `probe_live::run` chose IPv6 as `reach` does.
pub fn run6(a: &ProbeArgs, dir: &StateDir, net: &Network) -> CmdResult {
    let p = match a.protocol.0 {
        proto::ICMP | proto::ICMPV6 => proto::ICMPV6,
        proto::TCP => proto::TCP,
        proto::UDP => proto::UDP,
        n => {
            return Err(Fail::input(format!(
                "the live probe sends tcp, udp or icmpv6 (nc -6, ping -6 inside the source's namespace), not protocol {n} (no raw-socket sender)\nhint: give the topology FILE to probe protocol {n} on the virtual backend"
            )))
        }
    };
    if a.src_port.is_some() && p == proto::ICMPV6 {
        return Err(Fail::input("--src-port is for tcp and udp only"));
    }
    let port = a.protocol.port(a.port, "--port").map_err(Fail::input)?;
    let (src_eni, _own) = source6(net, a)?;
    if a.to == "internet" {
        // `reach` answers for a modelled host at the internet's representative address; the
        // running topology has no such host (as the IPv4 live probe, which refuses it too).
        return Err(Fail::input(
            "the live probe needs a host that answers: the running topology has no host for `internet` itself\nhint: probe an internet host by name, or an address (a packet towards an address nobody owns reports \"exited\"); or give FILE for the virtual backend",
        ));
    }
    let q = super::reach::question6(net, &a.from, &a.to, a.src_ip, p, port, a.src_port)?;
    let prep = prepare6(net, &q).map_err(Fail::input)?;
    let (src, dst) = match endpoints6(prep.network(net), &prep) {
        Ok(x) => x,
        Err((d, _, dst)) => {
            let r = ProbeReport {
                blocked: Some(d),
                target6: dst,
                ..ProbeReport::default()
            };
            return finish(net, a, &r);
        }
    };
    let (ns, holder) = source_namespace(dir, net, &a.from)?;
    let mut target = HashSet::from([IpAddr::V6(dst)]);
    target.extend(nat64_embedded(dst).map(IpAddr::V4));
    let dst_eni = net
        .eni_by_ipv6(dst)
        .filter(|e| net.eni_instance(*e).is_some());
    let flow = ProbeFlow {
        proto: p,
        port,
        target,
        src_eni,
        dst_eni,
    };
    let to = IpAddr::V6(dst);
    let (events, tool_reply) = observe(dir, net, || {
        run_tool(&ns, a.protocol, to, port, a.src_port, a.src_ip, holder)
    })?;
    let mut r = report_from_events(net, &flow, &events, tool_reply, to);
    if !r.reply && !r.exited && r.blocked.is_none() {
        unobserved_drop(net, &flow, &events, src, dst, &mut r);
    }
    finish(net, a, &r)
}

/// A request nothing answered and no ENI rejected was dropped where no ENI sees it (an
/// egress-only gateway refusing what the internet initiates, a missing route): the decision
/// core's IPv6 walk (`walk6`, the engine's own logic, from a state with nothing tracked, as
/// the probe's fresh request finds it) of the request the source sent names the drop, and its
/// hop joins the trace. The request is the one the source's ENI let out when it was seen, else
/// the first packet `reach -6` walks.
fn unobserved_drop(
    net: &Network,
    flow: &ProbeFlow,
    events: &[vpclab::engine::PacketEvent],
    src: Ipv6Addr,
    dst: Ipv6Addr,
    r: &mut ProbeReport,
) {
    let sent = events
        .iter()
        .filter(|e| flow.forward(e))
        .find(|e| Some(e.eni) == flow.src_eni && e.direction == Direction::Outbound)
        .and_then(|e| e.header.v6().copied());
    let h = sent.unwrap_or_else(|| {
        vpclab::reach::ipv6::first_packet6(src, dst, flow.proto, LINUX_EPHEMERAL.from, flow.port)
    });
    let origin = match flow.src_eni {
        Some(e) => Origin6::Eni(e),
        None => Origin6::Internet(src),
    };
    let opts = Options {
        collect_all: false,
        nat_instance_in_walk: false,
    };
    let w = walk6(net, &mut Assumed6::default(), origin, h, opts);
    if let Outcome6::Dropped(d) = w.outcome {
        r.trace
            .extend(w.hops.into_iter().filter(|x| x.component == d.component));
        r.blocked = Some(d);
        r.blocked_header6 = Some(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use vpclab::engine::{PacketEvent, TcpFlags};
    use vpclab::policy::{ComponentKind, Decision, Header6, IpHeader, RuleId, Verdict};

    fn dual_stack() -> Network {
        let f = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/dual-stack.yaml");
        vpclab::load::load(std::path::Path::new(f))
            .expect("example loads")
            .network
    }

    fn eni_of(net: &Network, name: &str) -> vpclab::model::EniId {
        net.instance(net.instance_by_name(name).expect("instance"))
            .eni
    }

    /// An event at `eni` of header `h` with verdict `v`, decided by `component`.
    fn ev(
        eni: vpclab::model::EniId,
        d: Direction,
        h: IpHeader,
        v: Verdict,
        component: &str,
    ) -> PacketEvent {
        PacketEvent {
            time: 0,
            eni,
            direction: d,
            header: h,
            pkt_src: h.src(),
            pkt_dst: h.dst(),
            bytes: 64,
            packets: 1,
            tcp_flags: TcpFlags::NONE,
            verdict: v,
            decision: Arc::new(Decision {
                verdict: v,
                component: component.into(),
                kind: ComponentKind::SecurityGroup,
                direction: None,
                rule: RuleId::Builtin,
                code: None,
                detail: format!("{v:?} by {component}"),
            }),
            traffic_path: None,
            frame: None,
        }
    }

    #[test]
    fn ipv6_echo_events_make_the_report_and_an_ipv6_rejection_is_the_blocker() {
        let net = dual_stack();
        let (web, app) = (eni_of(&net, "web"), eni_of(&net, "app"));
        let (ws, as_) = (net.eni_ipv6(web)[0], net.eni_ipv6(app)[0]);
        let flow = ProbeFlow {
            proto: proto::ICMPV6,
            port: 0,
            target: HashSet::from([IpAddr::V6(as_)]),
            src_eni: Some(web),
            dst_eni: Some(app),
        };
        let req = IpHeader::V6(Header6::icmp(ws, as_, 128, 0, 7));
        let rep = IpHeader::V6(Header6::icmp(as_, ws, 129, 0, 7));
        let events = [
            ev(web, Direction::Outbound, req, Verdict::Accept, "sg-web"),
            ev(app, Direction::Inbound, req, Verdict::Accept, "sg-web"),
            ev(app, Direction::Outbound, rep, Verdict::Accept, "sg-web"),
            ev(web, Direction::Inbound, rep, Verdict::Accept, "sg-web"),
        ];
        // The echo request is forward, the echo reply reverse; never the other way.
        assert!(flow.forward(&events[0]) && !flow.reverse(&events[0]));
        assert!(flow.reverse(&events[3]) && !flow.forward(&events[3]));
        let r = report_from_events(&net, &flow, &events, false, IpAddr::V6(as_));
        assert!(r.delivered && r.reply && !r.exited, "{r:?}");
        assert_eq!(r.trace.len(), 4);
        assert_eq!(r.target6, Some(as_));
        assert_eq!(r.target, None);
        // Rejected at app's ingress: not delivered, no reply, that decision blocks, and the
        // fix is written for the IPv6 header it rejected.
        let events = [
            ev(web, Direction::Outbound, req, Verdict::Accept, "sg-web"),
            ev(app, Direction::Inbound, req, Verdict::Reject, "sg-default"),
        ];
        let r = report_from_events(&net, &flow, &events, false, IpAddr::V6(as_));
        assert!(!r.delivered && !r.reply, "{r:?}");
        assert_eq!(
            r.blocked.as_ref().map(|d| d.component.as_str()),
            Some("sg-default")
        );
        assert_eq!(r.blocked_header6, req.v6().copied());
        assert_eq!(r.blocked_header, None);
    }

    #[test]
    fn a_nat64_flows_ipv4_leg_matches_by_the_embedded_address() {
        let net = dual_stack();
        let worker = eni_of(&net, "worker");
        let src = net.eni_ipv6(worker)[0];
        let dst: Ipv6Addr = "64:ff9b::c633:6414".parse().unwrap();
        let legacy = Ipv4Addr::new(198, 51, 100, 20);
        let mut target = HashSet::from([IpAddr::V6(dst)]);
        target.extend(nat64_embedded(dst).map(IpAddr::V4));
        let flow = ProbeFlow {
            proto: proto::ICMPV6,
            port: 0,
            target,
            src_eni: Some(worker),
            dst_eni: None,
        };
        let nat = net.nat_gateways[0].eni;
        let v4_req = IpHeader::V4(vpclab::policy::Header::icmp(
            Ipv4Addr::new(10, 0, 0, 4),
            legacy,
            8,
            0,
            7,
        ));
        let v4_rep = IpHeader::V4(vpclab::policy::Header::icmp(
            legacy,
            Ipv4Addr::new(10, 0, 0, 4),
            0,
            0,
            7,
        ));
        let other = IpHeader::V4(vpclab::policy::Header::icmp(
            Ipv4Addr::new(10, 0, 0, 4),
            Ipv4Addr::new(198, 51, 100, 10),
            8,
            0,
            7,
        ));
        let six = IpHeader::V6(Header6::icmp(src, dst, 128, 0, 7));
        assert!(flow.forward(&ev(worker, Direction::Outbound, six, Verdict::Accept, "x")));
        assert!(flow.forward(&ev(nat, Direction::Outbound, v4_req, Verdict::Accept, "x")));
        assert!(flow.reverse(&ev(nat, Direction::Inbound, v4_rep, Verdict::Accept, "x")));
        assert!(!flow.forward(&ev(nat, Direction::Outbound, other, Verdict::Accept, "x")));
    }

    #[test]
    fn the_nat64_prefix_embeds_the_ipv4_address() {
        let a: Ipv6Addr = "64:ff9b::c633:6414".parse().unwrap();
        assert_eq!(nat64_embedded(a), Some(Ipv4Addr::new(198, 51, 100, 20)));
        let b: Ipv6Addr = "64:ff9b:1::c633:6414".parse().unwrap();
        assert_eq!(nat64_embedded(b), None);
        assert_eq!(nat64_embedded("2001:db8::10".parse().unwrap()), None);
    }
}
