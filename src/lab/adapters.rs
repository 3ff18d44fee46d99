//! The one place where lab checks meet the analyzer, the packet engine, DNS and flow logs.
//! Everything else in `lab` is independent of those modules. An `Err(reason)` makes the runner
//! report the check as "not evaluated" (`CheckOutcome::Unavailable`).

use crate::model::Network;
use crate::policy::{Decision, RuleId, Verdict};
use std::sync::Arc;

/// A path question's answer (analyzer or probe).
#[derive(Clone, Debug)]
pub struct PathAnswer {
    /// Reachable (analyzer) / a reply came back (probe).
    pub ok: bool,
    /// The first component that blocks the path, when not ok.
    pub blocked: Option<Decision>,
    /// One line describing the path or the failure.
    pub summary: String,
    /// The analyzer's forward path, hop by hop (empty for probes).
    pub hops: Vec<super::intent::HopSeen>,
}

/// A DNS answer, reduced to what a `dns` check compares.
#[derive(Clone, Debug)]
pub struct DnsAnswer {
    /// `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED` (`TIMEOUT` when the resolver is off).
    pub rcode: String,
    /// The answer section's values (addresses, names), in any order.
    pub values: Vec<String>,
}

fn proto_num(proto: &str) -> Result<u8, String> {
    use crate::model::proto as p;
    match proto {
        "tcp" => Ok(p::TCP),
        "udp" => Ok(p::UDP),
        "icmp" => Ok(p::ICMP),
        o => Err(format!("protocol `{o}` is not tcp, udp or icmp")),
    }
}

/// True when the analyzer takes `name` as a source or destination although it is no instance
/// or internet host: `internet`, an address, a gateway or (as features add them) a load
/// balancer or endpoint by name.
pub fn resolves(net: &Network, name: &str) -> bool {
    crate::reach::resolve(net, name).is_ok()
        || crate::reach::resolve_source(net, name, None).is_ok()
}

/// The Reachability Analyzer: can `from` reach `to` with this protocol and port? Over IPv6
/// (`reach -6`) when `ipv6`.
pub fn check_reach(
    net: &Arc<Network>,
    from: &str,
    to: &str,
    proto: &str,
    port: Option<u16>,
    ipv6: bool,
) -> Result<PathAnswer, String> {
    let pn = proto_num(proto)?;
    let from = crate::reach::resolve_source(net, from, None)?;
    let q = crate::reach::Query {
        to: crate::reach::resolve_for(net, to, &from)?,
        from,
        proto: pn,
        port: port.unwrap_or_else(|| crate::reach::default_port(pn)),
        src_port: None,
    };
    let a = if ipv6 {
        ipv6_analysis(net, &q)?
    } else {
        crate::reach::analyze(net, &q)
    };
    // The analyzer's blocker carries policy's decision. The lab sees the code the analyzer
    // shows (`NO_PATH` when the decision has none), and names the rule only when it is a NACL
    // entry: lab output has always read "no matching rule" for the others.
    let blocked = a.blocked.as_ref().map(|b| Decision {
        code: Some(b.code()),
        rule: match b.decision.rule {
            RuleId::Number(_) | RuleId::Star => b.decision.rule.clone(),
            _ => RuleId::NoMatch,
        },
        ..b.decision.clone()
    });
    let summary = if a.reachable {
        let hops: Vec<&str> = a.forward.iter().map(|h| h.component.as_str()).collect();
        hops.join(" → ")
    } else {
        String::new()
    };
    let hops = a
        .forward
        .iter()
        .filter(|h| !h.after_block)
        .map(|h| super::intent::HopSeen {
            component: h.component.clone(),
            kind: h.kind,
            blocked: h.verdict == Some(Verdict::Reject),
        })
        .collect();
    Ok(PathAnswer {
        ok: a.reachable,
        blocked,
        summary,
        hops,
    })
}

fn probe_args(proto: &str, port: Option<u16>) -> (crate::backend::virt::ProbeProto, u16) {
    use crate::backend::virt::ProbeProto;
    match proto {
        "tcp" => (ProbeProto::Tcp, port.unwrap_or(80)),
        "udp" => (ProbeProto::Udp, port.unwrap_or(53)),
        _ => (ProbeProto::Icmp, 0),
    }
}

/// Real packets on a fresh virtual-backend engine: does `to` answer `from`?
pub fn check_probe(
    net: &Arc<Network>,
    from: &str,
    to: &str,
    proto: &str,
    port: Option<u16>,
) -> Result<PathAnswer, String> {
    let (p, port) = probe_args(proto, port);
    let mut lab = crate::backend::virt::Lab::new(net.clone());
    let r = lab.probe(from, to, p, port).map_err(|e| e.0)?;
    let summary = if r.reply {
        format!("{} answered", to)
    } else {
        String::new()
    };
    Ok(PathAnswer {
        ok: r.reply,
        blocked: if r.reply { None } else { r.blocked },
        summary,
        hops: vec![],
    })
}

/// The emulated resolver's answer to `name`/`qtype` asked from `from`'s vantage point.
/// Health: a check is unhealthy when its target is the address of a stopped instance (a static
/// stand-in for running the health checkers through the engine).
pub fn check_dns(
    net: &Arc<Network>,
    from: &str,
    name: &str,
    qtype: &str,
) -> Result<DnsAnswer, String> {
    use crate::dns::{self, Client, Question, RType, Rng, Zones};
    let qt = RType::parse(qtype).ok_or_else(|| format!("`{qtype}` is not a record type"))?;
    let ep = net
        .endpoint_by_name(from)
        .ok_or_else(|| format!("no instance or host `{from}`"))?;
    let client = Client::endpoint(net, ep);
    let zones = Zones::build(net.clone());
    let health: Vec<bool> = zones
        .checks
        .iter()
        .map(|c| {
            match net
                .eni_by_public_ip(c.target)
                .and_then(|e| net.eni_instance(e))
            {
                Some(i) => net.instance(i).running,
                None => true,
            }
        })
        .collect();
    let mut rng = Rng::new(1);
    match dns::answer(&zones, &Question::new(name, qt), &client, &health, &mut rng) {
        None => Ok(DnsAnswer {
            rcode: "TIMEOUT".into(),
            values: vec![],
        }),
        Some(r) => Ok(DnsAnswer {
            rcode: r.rcode.as_str().into(),
            values: r.answers.iter().map(|a| a.value.to_string()).collect(),
        }),
    }
}

/// Sends the probe `probe_first` (from, to, protocol, port), then says whether the topology's
/// own `flow_logs` would hold a record with `action` for `eni_or_resource` (`eni-web`,
/// `instance:web`, `subnet:main/data-a`, `vpc:main`).
pub fn check_flowlog(
    net: &Arc<Network>,
    probe_first: (&str, &str, &str, Option<u16>),
    eni_or_resource: &str,
    action: &str,
) -> Result<bool, String> {
    use crate::flowlog::{scope, Traffic};
    let (from, to, proto, port) = probe_first;
    let (p, port) = probe_args(proto, port);
    let mut lab = crate::backend::virt::Lab::new(net.clone());
    let r = lab.probe(from, to, p, port).map_err(|e| e.0)?;
    let want = if eni_or_resource.starts_with("eni-") {
        net.enis
            .iter()
            .filter(|e| e.aws_id == eni_or_resource)
            .map(|e| e.id)
            .collect::<Vec<_>>()
    } else {
        scope::resolve(net, eni_or_resource)?
    };
    let verdict = match action {
        "ACCEPT" => Verdict::Accept,
        "REJECT" => Verdict::Reject,
        o => return Err(format!("action `{o}` is not ACCEPT or REJECT")),
    };
    let logs: Vec<(Traffic, &[crate::model::EniId])> = net
        .flow_logs
        .iter()
        .map(|f| (f.traffic, f.enis.as_slice()))
        .collect();
    let later = lab.take_events();
    Ok(r.events.iter().chain(later.iter()).any(|e| {
        e.verdict == verdict
            && want.contains(&e.eni)
            && logs
                .iter()
                .any(|(t, s)| t.keeps(e.verdict) && s.contains(&e.eni))
    }))
}

/// The analyzer over IPv6 (`reach -6`); an error for a source or destination `-6` does not
/// take (the lab check is then "not evaluated").
fn ipv6_analysis(net: &Network, q: &crate::reach::Query) -> Result<crate::reach::Analysis, String> {
    crate::reach::ipv6::analyze6(net, q)
}
