//! `vpclab probe FILE --from A --to B`: real packets through a fresh virtual-backend engine.

use super::common::{self, print_json, CmdResult, Fail};
use super::{ProbeArgs, ProtoArg};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use vpclab::backend::virt::{Lab, ProbeProto, ProbeReport};
use vpclab::engine::Nanos;
use vpclab::flowlog::Sinks;
use vpclab::model::Network;
use vpclab::policy::{ComponentKind, Decision, ExplanationCode, Verdict};

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

/// Runs `probe`.
pub fn run(a: &ProbeArgs) -> CmdResult {
    let Some(file) = &a.file else {
        return super::probe_live::run(a);
    };
    let net = common::load_network(file)?;
    let (proto, port) = match a.protocol {
        ProtoArg::Tcp => (ProbeProto::Tcp, a.port.unwrap_or(80)),
        ProtoArg::Udp => (ProbeProto::Udp, a.port.unwrap_or(53)),
        ProtoArg::Icmp => (ProbeProto::Icmp, 0),
    };
    let base = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut sinks = Sinks::from_network(&net, &base, epoch).map_err(|e| {
        Fail::env(format!(
            "{e}\nhint: flow-log paths are relative to the topology file's folder; check it is writable"
        ))
    })?;
    let net = Arc::new(net);
    let mut lab = Lab::new(net.clone());
    lab.engine_mut().set_events(
        true,
        vpclab::engine::Capture::all_or_off(sinks.wants_frames()),
    );
    let r = lab
        .probe(&a.from, &a.to, proto, port)
        .map_err(|e| Fail::input(e.0))?;
    write_flow_logs(&mut sinks, &r, lab.now())?;
    if a.json {
        print_json(&report_json(&net, &r))?;
    } else {
        print_human(&net, a, &r);
    }
    Ok(if r.reply {
        common::EXIT_OK
    } else {
        common::EXIT_NO
    })
}

/// A suggested fix for a blocking decision: the analyzer's YAML change
/// (`reach::fix::suggest`) when the rejected packet's header is known from the probe's events,
/// else a short generic hint.
pub fn fix(net: &Network, r: &ProbeReport, d: &Decision) -> Option<String> {
    let rejected = r
        .events
        .iter()
        .rev()
        .find(|e| e.verdict == Verdict::Reject && e.decision == *d);
    match rejected {
        Some(e)
            if matches!(
                d.kind,
                ComponentKind::SecurityGroup | ComponentKind::NetworkAcl
            ) =>
        {
            let h = e.header;
            Some(vpclab::reach::fix::suggest(
                net,
                d,
                &h,
                &h.dport.to_string(),
            ))
        }
        _ => generic_fix(d),
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

fn blocked_json(net: &Network, r: &ProbeReport, d: &Decision) -> Value {
    let mut v = json!({
        "component": d.component,
        "kind": d.kind,
        "direction": d.direction,
        "rule": vpclab::reach::rule_json(&d.rule),
        "code": d.code,
        "detail": d.detail,
    });
    if let Some(f) = fix(net, r, d) {
        v["fix"] = json!(f);
    }
    v
}

/// The JSON document of spec/cli.md.
pub fn report_json(net: &Network, r: &ProbeReport) -> Value {
    json!({
        "delivered": r.delivered,
        "reply": r.reply,
        "trace": r.trace.iter().map(|h| json!({"component": h.component, "kind": h.kind, "detail": h.detail})).collect::<Vec<_>>(),
        "blocked": r.blocked.as_ref().map(|d| blocked_json(net, r, d)),
    })
}

/// Prints a probe report for people.
pub fn print_human(net: &Network, a: &ProbeArgs, r: &ProbeReport) {
    let to = r
        .target
        .map(|t| format!("{} ({t})", a.to))
        .unwrap_or_else(|| a.to.clone());
    let proto = format!("{:?}", a.protocol).to_lowercase();
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
    println!("delivered: {}  reply: {}", r.delivered, r.reply);
    if let Some(b) = &r.blocked {
        println!("blocked by {b}");
        if let Some(c) = b.code {
            println!("  code: {c}");
        }
        if let Some(f) = fix(net, r, b) {
            println!("  fix: {f}");
        }
    }
}
