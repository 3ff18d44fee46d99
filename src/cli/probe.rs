//! `vpclab probe FILE --from A --to B`: real packets through a fresh virtual-backend engine.

use super::common::{self, print_json, CmdResult, Fail};
use super::ProbeArgs;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use vpclab::backend::virt::source::source_network;
use vpclab::backend::virt::{Lab, ProbeProto, ProbeReport};
use vpclab::engine::Nanos;
use vpclab::flowlog::Sinks;
use vpclab::model::{Network, PortRange};
use vpclab::policy::{ComponentKind, Decision, ExplanationCode, Verdict};
use vpclab::reach::{self, endpoint::target_address, endpoint::Target};

/// Writes the probe's packet events to the topology's flow logs (spec/cli.md: "With FILE, the
/// topology's `flow_logs` are written as the probe's packets pass").
fn write_flow_logs(sinks: &mut Sinks, r: &ProbeReport, now: Nanos) -> Result<(), Fail> {
    if sinks.is_empty() {
        return Ok(());
    }
    let mut res = Ok(());
    for ev in &r.events {
        if res.is_ok() {
            res = sinks.record(ev);
        } else {
            let _ = sinks.record(ev);
        }
    }
    let t = sinks.tick(now);
    let f = sinks.finish();
    res.and(t)
        .and(f)
        .map_err(|e| Fail::env(format!("{e}\nhint: check the disk and the flow-log path")))
}

/// The flow-log sinks of `net`, their paths relative to the topology file's folder.
fn sinks_for(net: &Network, file: &Path) -> Result<Sinks, Fail> {
    let base = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    Sinks::from_network(net, &base, epoch).map_err(|e| {
        Fail::env(format!(
            "{e}\nhint: flow-log paths are relative to the topology file's folder; check it is writable"
        ))
    })
}

/// Runs `probe`.
pub fn run(a: &ProbeArgs) -> CmdResult {
    let Some(file) = &a.file else {
        if a.http_path.is_some() || a.http_host.is_some() {
            return Err(Fail::input(
                "--http-path and --http-host need FILE (the virtual backend's probe); on a running topology use `vpclab exec CLIENT -- curl -H 'Host: …' http://DNSNAME/PATH`",
            ));
        }
        // The family is chosen there, as `reach` chooses it (`probe_live6` for IPv6).
        return super::probe_live::run(a);
    };
    let net = common::load_network(file)?;
    let proto = ProbeProto::from_number(a.protocol.0);
    let port = a.protocol.port(a.port, "--port").map_err(Fail::input)?;
    if a.src_port.is_some() && !a.protocol.has_ports() {
        return Err(Fail::input(format!(
            "--src-port applies to tcp and udp only, not to protocol {}",
            vpclab::model::protocol_name(a.protocol.0)
        )));
    }
    let v6 = super::reach::family6(&net, &a.from, &a.to, a.src_ip, a.protocol.0, a.ipv4, a.ipv6)?;
    if v6 {
        return run6(a, file, &net, port);
    }
    let src_ip = match a.src_ip {
        Some(std::net::IpAddr::V4(ip)) => Some(ip),
        _ => None,
    };
    let from = reach::resolve_source(&net, &a.from, src_ip)
        .map_err(|e| Fail::input(format!("--from: {e}")))?;
    let mut to =
        reach::resolve_for(&net, &a.to, &from).map_err(|e| Fail::input(format!("--to: {e}")))?;
    super::reach_http::set_request(&net, &mut to, &a.http_path, &a.http_host)?;
    let mut sinks = sinks_for(&net, file)?;
    let client = from.ephemeral(&net);
    let r = match target_address(&net, &from, &to) {
        Target::Unaddressable {
            code,
            component,
            detail,
        } => ProbeReport {
            blocked: Some(Decision {
                verdict: Verdict::Reject,
                component,
                kind: ComponentKind::Eni,
                direction: Some(vpclab::policy::Direction::Inbound),
                rule: vpclab::policy::RuleId::Builtin,
                code: Some(code),
                detail,
            }),
            blocked_header: Some(vpclab::policy::Header::l4(
                from.source_ip(&net),
                std::net::Ipv4Addr::UNSPECIFIED,
                a.protocol.0,
                0,
                port,
            )),
            ..ProbeReport::default()
        },
        Target::Addr(dst) => {
            let (aug, src, src_ip) = source_network(&net, &from).map_err(|e| Fail::input(e.0))?;
            let pnet = Arc::new(aug.unwrap_or_else(|| net.clone()));
            let mut lab = Lab::new(pnet);
            if let vpclab::reach::Party::LoadBalancer { http, .. } = &to {
                lab.set_http_request(http.clone());
            }
            lab.engine_mut().set_events(
                true,
                vpclab::engine::Capture::all_or_off(sinks.wants_frames()),
            );
            let r = lab.probe_port(src, src_ip, dst, proto, port, a.src_port);
            write_flow_logs(&mut sinks, &r, lab.now())?;
            r
        }
    };
    let net = Arc::new(net);
    answer(&net, a, &r, client)
}

/// `probe -6 FILE`: the question prepared as `reach -6` prepares it
/// (`reach::ipv6_party::prepare6`), then real IPv6 frames through a fresh virtual lab
/// (`Lab::probe6`).
fn run6(a: &ProbeArgs, file: &Path, net: &Network, port: u16) -> CmdResult {
    use vpclab::reach::ipv6_party::{prepare6, End6};
    let q = super::reach::question6(
        net,
        &a.from,
        &a.to,
        a.src_ip,
        a.protocol.0,
        port,
        a.src_port,
    )?;
    let prep = prepare6(net, &q).map_err(Fail::input)?;
    let pnet = Arc::new(prep.network(net).clone());
    let mut sinks = sinks_for(net, file)?;
    let client = match prep.from {
        End6::Eni(e) => pnet
            .eni_instance(e)
            .map_or(vpclab::model::LINUX_EPHEMERAL, |i| {
                pnet.instance(i).ephemeral
            }),
        End6::Host(h) => pnet.internet_host(h).ephemeral,
        End6::Addr(_) => vpclab::model::LINUX_EPHEMERAL,
    };
    let r = match reach::ipv6::endpoints6(&pnet, &prep) {
        Err((d, _, dst)) => ProbeReport {
            blocked: Some(d),
            target6: dst,
            ..ProbeReport::default()
        },
        Ok((src, dst)) => {
            let src_port = match prep.from {
                End6::Eni(e) => pnet.eni_instance(e).map(|i| pnet.instance(i).port),
                End6::Host(h) => Some(pnet.internet_host(h).port),
                End6::Addr(_) => None,
            }
            .ok_or_else(|| Fail::input("the source has no host to send from"))?;
            let proto = match a.protocol.0 {
                1 | 58 => ProbeProto::Icmp,
                n => ProbeProto::from_number(n),
            };
            let mut lab = Lab::new(pnet.clone());
            lab.engine_mut().set_events(
                true,
                vpclab::engine::Capture::all_or_off(sinks.wants_frames()),
            );
            let r = lab.probe6(src_port, src, dst, proto, port, a.src_port);
            write_flow_logs(&mut sinks, &r, lab.now())?;
            r
        }
    };
    answer(&pnet, a, &r, client)
}

/// A suggested fix for a blocking decision: the analyzer's YAML change
/// (`reach::fix::suggest`, so `probe` and `reach` suggest the same) for the header the blocker
/// rejected, else a short generic hint. A rejected reply opens the client's whole ephemeral
/// range `client`, as `reach` does, not the one port this probe happened to use.
pub fn fix(net: &Network, r: &ProbeReport, d: &Decision, client: PortRange) -> Option<String> {
    if let Some(h) = r.blocked_header6 {
        return Some(reach::ipv6::fix6(net, d, &vpclab::policy::IpHeader::V6(h)));
    }
    if r.target6.is_some() && r.blocked_header.is_none() {
        return Some(reach::ipv6::fix6(
            net,
            d,
            &vpclab::policy::IpHeader::V6(vpclab::policy::Header6::l4(
                std::net::Ipv6Addr::UNSPECIFIED,
                std::net::Ipv6Addr::UNSPECIFIED,
                0,
                0,
                0,
            )),
        ));
    }
    match r.blocked_header {
        Some(h) => {
            // A reply goes to one of the client's ephemeral ports from a service port outside
            // them (a forward packet is the other way round).
            let reply = h.has_ports() && client.contains(h.dport) && !client.contains(h.sport);
            let ports = if reply {
                client.to_string()
            } else {
                h.dport.to_string()
            };
            Some(reach::fix::suggest(net, d, &h, &ports))
        }
        None => generic_fix(d),
    }
}

fn generic_fix(d: &Decision) -> Option<String> {
    let c = &d.component;
    Some(match (d.kind, d.code) {
        (ComponentKind::SecurityGroup, _) => format!("add a {} rule to {c} that allows this traffic", d.direction.map(|x| x.to_string()).unwrap_or_default()),
        (ComponentKind::NetworkAcl, _) => format!("add an {} allow rule to {c} (numbered before any deny that matches), including ephemeral ports 1024-65535 for replies", d.direction.map(|x| x.to_string()).unwrap_or_default()),
        (_, Some(ExplanationCode::NoRouteToDestination)) => format!("add a route for the destination to {c}"),
        (_, Some(ExplanationCode::BadStateRoute)) => format!("point the route in {c} at a target that exists and is running"),
        (_, Some(ExplanationCode::IgwPublicIpAssociationForEgress)) => "give the instance a public IP or Elastic IP, or route through a NAT gateway".into(),
        (_, Some(ExplanationCode::EniSourceDestCheckRestriction)) => "set `source_dest_check: false` on the forwarding instance".into(),
        (_, Some(ExplanationCode::PcxRequiresAddressInVpcCidr)) => "peering is not transitive: peer the two VPCs directly".into(),
        (_, Some(ExplanationCode::NoAddressForSource)) => "give the destination a public IP, or probe from inside its VPC or a peered VPC".into(),
        (_, Some(ExplanationCode::NgwNoInboundInitiation)) => "a NAT gateway accepts no inbound connections; use a public IP or a load balancer".into(),
        _ => return None,
    })
}

fn blocked_json(net: &Network, r: &ProbeReport, d: &Decision, client: PortRange) -> Value {
    let mut v = json!({
        "component": d.component,
        "kind": d.kind,
        "direction": d.direction,
        "rule": vpclab::reach::rule_json(&d.rule),
        "code": d.code,
        "detail": d.detail,
    });
    if let Some(f) = fix(net, r, d, client) {
        v["fix"] = json!(f);
    }
    v
}

/// Prints a virtual probe's report (JSON or human) and gives its exit code: 0 when it got a
/// reply or left the network, 1 otherwise (spec/cli.md).
fn answer(net: &Network, a: &ProbeArgs, r: &ProbeReport, client: PortRange) -> CmdResult {
    if a.json {
        print_json(&report_json(net, r, client))?;
    } else {
        print_human(net, a, r, client);
    }
    Ok(if r.reply || r.exited {
        common::EXIT_OK
    } else {
        common::EXIT_NO
    })
}

/// The JSON document of spec/cli.md (`client`: the source's ephemeral range, for fixes).
pub fn report_json(net: &Network, r: &ProbeReport, client: PortRange) -> Value {
    json!({
        "delivered": r.delivered,
        "reply": r.reply,
        "exited": r.exited,
        "trace": r.trace.iter().map(|h| json!({"component": h.component, "kind": h.kind, "detail": h.detail})).collect::<Vec<_>>(),
        "blocked": r.blocked.as_ref().map(|d| blocked_json(net, r, d, client)),
    })
}

/// Prints a probe report for people (`client`: the source's ephemeral range, for fixes).
pub fn print_human(net: &Network, a: &ProbeArgs, r: &ProbeReport, client: PortRange) {
    let to = r
        .target
        .map(|t| t.to_string())
        .or(r.target6.map(|t| t.to_string()))
        .map(|t| format!("{} ({t})", a.to))
        .unwrap_or_else(|| a.to.clone());
    let proto = vpclab::model::protocol_name(a.protocol.0);
    println!(
        "probe {} → {to} {proto}{}",
        a.from,
        a.port.map(|p| format!(" port {p}")).unwrap_or_default()
    );
    for h in &r.trace {
        println!(
            "  {:<20} {:<17} {}",
            h.component,
            h.kind.to_string(),
            h.detail
        );
    }
    if r.exited {
        println!(
            "delivered: {}  reply: {}  exited: true",
            r.delivered, r.reply
        );
    } else {
        println!("delivered: {}  reply: {}", r.delivered, r.reply);
    }
    if let Some(b) = &r.blocked {
        println!("blocked by {b}");
        if let Some(c) = b.code {
            println!("  code: {c}");
        }
        if let Some(f) = fix(net, r, b, client) {
            println!("  to allow this flow: {f}");
        }
    }
}
