//! Judging the intent checks of `intent_spec` (part of `lab`, rank 8) against the learner's
//! resolved network: `path` through the analyzer adapter, the others by reading the model.

use super::adapters::{self, PathAnswer};
use super::checks::CheckOutcome;
use super::intent_spec::{
    name_list, Allowance, Expected, HopSpec, NoPublicIpCheck, PathCheck, RulesWithinCheck,
    ValueCheck, ValueField, ValueResource,
};
use crate::model::primitives::{PortRange, Protocol};
use crate::model::types::{NaclEntry, SgPeer, SgRule, Target};
use crate::model::{NaclId, Network, SgId, SubnetId, VpcId};
use crate::topology::parse::{self, PeerRef};
use std::sync::Arc;

/// One hop of an analyzer path, as a `path` check and the lab picture see it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HopSeen {
    /// Display id (`nat-a`).
    pub component: String,
    /// Its kind.
    pub kind: crate::policy::ComponentKind,
    /// True for the hop that rejected the packet.
    pub blocked: bool,
}

fn hop_matches(spec: &HopSpec, h: &HopSeen) -> bool {
    spec.kind.is_none_or(|k| k == h.kind)
        && spec
            .component
            .as_ref()
            .is_none_or(|c| c.eq_ignore_ascii_case(&h.component))
}

/// Judges a `path` check on the analyzer's answer (`Err` makes it "not evaluated").
pub fn judge_path(ans: Result<PathAnswer, String>, c: &PathCheck) -> CheckOutcome {
    let a = match ans {
        Ok(a) => a,
        Err(e) => return CheckOutcome::Unavailable(e),
    };
    if !a.ok {
        return CheckOutcome::Fail(match &a.blocked {
            Some(d) => format!(
                "not reachable: blocked by {}",
                super::checks::Blocker::from(d).short()
            ),
            None => "not reachable".into(),
        });
    }
    let route = a.summary.clone();
    for t in &c.through {
        if !a.hops.iter().any(|h| hop_matches(t, h)) {
            return CheckOutcome::Fail(format!(
                "reachable, but not through {t}: the path is {route}"
            ));
        }
    }
    for t in &c.avoids {
        if let Some(h) = a.hops.iter().find(|h| hop_matches(t, h)) {
            return CheckOutcome::Fail(format!(
                "reachable, but through {} ({}), which this step rules out: the path is {route}",
                h.component, h.kind
            ));
        }
    }
    CheckOutcome::Pass(route)
}

/// Runs a `path` check: asks the analyzer, then judges its forward path.
pub fn run_path(net: &Arc<Network>, c: &PathCheck) -> (CheckOutcome, Option<PathAnswer>) {
    let ans = adapters::check_reach(net, &c.from, &c.to, &c.protocol, c.port, c.ipv6);
    let kept = ans.as_ref().ok().cloned();
    (judge_path(ans, c), kept)
}

/// Judges a `no_public_ip` check.
pub fn run_no_public_ip(net: &Network, c: &NoPublicIpCheck) -> CheckOutcome {
    let Some(i) = net.instance_by_name(&c.instance) else {
        return no_such("instance", &c.instance);
    };
    let inst = net.instance(i);
    for e in &inst.enis {
        let eni = net.eni(*e);
        if let Some(ip) = eni.public_ip {
            let what = if eni.elastic {
                "an Elastic IP"
            } else {
                "a public IP"
            };
            return CheckOutcome::Fail(format!(
                "{} has {what} ({ip} on {}): this step keeps it private",
                c.instance, eni.aws_id
            ));
        }
    }
    CheckOutcome::Pass("no public address".into())
}

fn no_such(what: &str, name: &str) -> CheckOutcome {
    CheckOutcome::Fail(format!(
        "there is no {what} named `{name}` in your topology (the lab needs it)"
    ))
}

fn vpc_named(net: &Network, name: &str) -> Result<VpcId, CheckOutcome> {
    net.vpc_by_name(name).ok_or_else(|| no_such("VPC", name))
}

fn subnet_named(net: &Network, vpc: &str, name: &str) -> Result<SubnetId, CheckOutcome> {
    let v = vpc_named(net, vpc)?;
    net.subnets
        .iter()
        .find(|s| s.vpc == v && s.name == name)
        .map(|s| s.id)
        .ok_or_else(|| no_such("subnet", &format!("{vpc}/{name}")))
}

/// Judges a `value` check: the attribute is read from the model and compared typed.
pub fn run_value(net: &Network, c: &ValueCheck) -> CheckOutcome {
    let (res, want) = match c.typed() {
        Ok(t) => t,
        Err(e) => return CheckOutcome::Fail(format!("the check is malformed: {e}")),
    };
    let got = match read_value(net, &res, c.field) {
        Ok(v) => v,
        Err(o) => return o,
    };
    match got {
        Some(g) if g == want => CheckOutcome::Pass(format!("{g}")),
        Some(g) => CheckOutcome::Fail(format!(
            "{} {} is {g}; this step wants {want}",
            c.resource,
            c.field.as_str()
        )),
        None => CheckOutcome::Fail(format!(
            "{} has no {}; this step wants {want}",
            c.resource,
            c.field.as_str()
        )),
    }
}

fn read_value(
    net: &Network,
    res: &ValueResource,
    field: ValueField,
) -> Result<Option<Expected>, CheckOutcome> {
    let name = |s: &str| Some(Expected::Name(s.to_string()));
    Ok(match res {
        ValueResource::Instance(n) => {
            let i = net
                .instance_by_name(n)
                .ok_or_else(|| no_such("instance", n))?;
            let inst = net.instance(i);
            let eni = net.eni(inst.eni);
            match field {
                ValueField::PrivateIp => Some(Expected::Addr(eni.private_ip)),
                ValueField::PublicIp => eni.public_ip.map(Expected::Addr),
                _ => name(&net.subnet(inst.subnet).name),
            }
        }
        ValueResource::Subnet(v, n) => {
            let s = net.subnet(subnet_named(net, v, n)?);
            match field {
                ValueField::Cidr => Some(Expected::Cidr(s.cidr)),
                ValueField::RouteTable => name(&net.route_table(s.route_table).name),
                _ => name(&net.nacl(s.nacl).name),
            }
        }
        ValueResource::Vpc(v) => {
            let v = net.vpc(vpc_named(net, v)?);
            Some(Expected::Cidr(v.primary_cidr()))
        }
        ValueResource::NatGateway(v, n) => {
            let vid = vpc_named(net, v)?;
            let g = net
                .nat_gateways
                .iter()
                .find(|g| g.vpc == vid && &g.name == n)
                .ok_or_else(|| no_such("NAT gateway", &format!("{v}/{n}")))?;
            name(&net.subnet(g.subnet).name)
        }
        ValueResource::Record(z, n, set) => {
            let r53 = &net.route53;
            let zone = r53
                .zones
                .iter()
                .find(|h| h.name.trim_end_matches('.') == z.trim_end_matches('.'))
                .ok_or_else(|| no_such("hosted zone", z))?;
            let rec = zone
                .records
                .iter()
                .find(|r| &r.name == n && &r.routing.set == set)
                .ok_or_else(|| no_such("record (name and set)", &format!("{n} {set}")))?;
            match field {
                ValueField::Weight => Some(Expected::Number(rec.routing.weight)),
                ValueField::Location => rec.routing.location.as_ref().map(|l| {
                    use crate::model::route53::GeoMatch;
                    Expected::Name(match l {
                        GeoMatch::Default => "default".into(),
                        GeoMatch::Continent(c) => format!("continent {c}"),
                        GeoMatch::Country(c) => format!("country {c}"),
                        GeoMatch::Subdivision(c, s) => format!("country {c} subdivision {s}"),
                    })
                }),
                ValueField::Region => rec.routing.region.as_deref().and_then(name),
                _ => rec
                    .routing
                    .health
                    .and_then(|i| r53.health_checks.get(i))
                    .and_then(|h| name(&h.name)),
            }
        }
        ValueResource::RouteTable(v, n) => {
            let vid = vpc_named(net, v)?;
            let t = net
                .route_tables
                .iter()
                .find(|t| t.vpc == vid && &t.name == n)
                .ok_or_else(|| no_such("route table", &format!("{v}/{n}")))?;
            let vgws: Vec<&str> = t
                .routes
                .iter()
                .filter_map(|r| match r.target {
                    Target::VpnGateway {
                        vgw,
                        propagated: true,
                    } => net.hybrid.vgws.get(vgw).map(|g| g.name.as_str()),
                    _ => None,
                })
                .collect();
            Some(Expected::Name(name_list(&vgws.join(","))))
        }
        ValueResource::VpnConnection(n) => {
            let c = net
                .hybrid
                .vpns
                .iter()
                .find(|c| &c.name == n)
                .ok_or_else(|| no_such("VPN connection", n))?;
            match field {
                ValueField::State => name(if c.up { "up" } else { "down" }),
                _ if c.static_routing => {
                    let mut p = c.prefixes.clone();
                    p.sort();
                    p.dedup();
                    Some(Expected::Cidrs(p))
                }
                _ => None,
            }
        }
        ValueResource::VirtualInterface(n) => {
            let f = net
                .hybrid
                .vifs
                .iter()
                .find(|f| &f.name == n)
                .ok_or_else(|| no_such("virtual interface", n))?;
            name(if f.up { "up" } else { "down" })
        }
        ValueResource::FlowLog(r) => {
            use crate::model::flow_logs::{Format, Traffic};
            let logs: Vec<&str> = net
                .flow_logs
                .iter()
                .filter(|l| &l.resource == r)
                .map(|l| match (field, l.traffic, l.format) {
                    (ValueField::Traffic, Traffic::Accept, _) => "ACCEPT",
                    (ValueField::Traffic, Traffic::Reject, _) => "REJECT",
                    (ValueField::Traffic, Traffic::All, _) => "ALL",
                    (_, _, Format::Aws) => "aws",
                    (_, _, Format::Pcap) => "pcap",
                    (_, _, Format::PcapNg) => "pcapng",
                })
                .collect();
            if logs.is_empty() {
                return Err(no_such("flow log on the resource", r));
            }
            Some(Expected::Name(name_list(&logs.join(","))))
        }
        ValueResource::Endpoint(v, n) => {
            let vid = vpc_named(net, v)?;
            let e = net
                .vpc_endpoints
                .iter()
                .find(|e| e.vpc == vid && &e.name == n)
                .ok_or_else(|| no_such("VPC endpoint", &format!("{v}/{n}")))?;
            name(if e.private_dns() { "true" } else { "false" })
        }
    })
}

/// An allowance resolved against the learner's network.
struct Allowed {
    proto: Option<u8>,
    ports: PortRange,
    peer: SgPeer,
    text: String,
}

fn resolve_allowance(net: &Network, vpc: VpcId, a: &Allowance) -> Result<Allowed, CheckOutcome> {
    let malformed = |e: String| CheckOutcome::Fail(format!("the check is malformed: {e}"));
    let proto = parse::protocol(&a.protocol).map_err(malformed)?;
    let ports = match &a.ports {
        Some(p) => PortRange::parse(p).map_err(malformed)?,
        None => PortRange::ALL,
    };
    let peer = match parse::peer_ref(&a.peer).map_err(malformed)? {
        PeerRef::Cidr(c) => SgPeer::Cidr(c),
        PeerRef::Sg { vpc: v, name } => {
            let v = match v {
                Some(v) => vpc_named(net, &v)?,
                None => vpc,
            };
            match net.sgs.iter().find(|g| g.vpc == v && g.name == name) {
                Some(g) => SgPeer::Group(g.id),
                None => return Err(no_such("security group", &name)),
            }
        }
        PeerRef::PrefixList(n) => match net.prefix_lists.iter().find(|p| p.name == n) {
            Some(p) => SgPeer::PrefixList(p.id),
            None => return Err(no_such("prefix list", &n)),
        },
    };
    Ok(Allowed {
        proto,
        ports,
        peer,
        text: a.to_string(),
    })
}

fn within(allowed: &Allowed, protocol: Protocol, ports: PortRange, peer: &SgPeer) -> bool {
    let proto_ok = match (allowed.proto, protocol) {
        (None, _) => true,
        (Some(a), Protocol::Number(n)) => a == n,
        (Some(_), Protocol::All) => false,
    };
    let ports_ok = !parse::takes_ports(allowed.proto)
        || (allowed.ports.from <= ports.from && ports.to <= allowed.ports.to);
    let peer_ok = match (&allowed.peer, peer) {
        (SgPeer::Cidr(a), SgPeer::Cidr(c)) => {
            a.prefix_len() <= c.prefix_len() && a.contains(&c.network())
        }
        (a, p) => a == p,
    };
    proto_ok && ports_ok && peer_ok
}

/// `tcp 8080 from sg-web` (`to` for an outbound rule), for a rule that is too broad.
fn describe(
    net: &Network,
    protocol: Protocol,
    ports: PortRange,
    peer: &SgPeer,
    inbound: bool,
) -> String {
    let p = match protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Number(n) if parse::takes_ports(Some(n)) => {
            let w = parse::protocol_word(Some(n));
            if ports.is_all() {
                format!("{w} all ports")
            } else if ports.from == ports.to {
                format!("{w} {}", ports.from)
            } else {
                format!("{w} {}-{}", ports.from, ports.to)
            }
        }
        Protocol::Number(n) => parse::protocol_word(Some(n)),
    };
    let who = match peer {
        SgPeer::Cidr(c) => c.to_string(),
        SgPeer::Group(g) => net.sg(*g).aws_id.clone(),
        SgPeer::PrefixList(p) => net.prefix_list(*p).aws_id.clone(),
    };
    format!("{p} {} {who}", if inbound { "from" } else { "to" })
}

fn find_sg(net: &Network, name: &str) -> Result<SgId, CheckOutcome> {
    let (vpc, n) = match name.split_once('/') {
        Some((v, n)) => (Some(vpc_named(net, v)?), n),
        None => (None, name),
    };
    let hits: Vec<SgId> = net
        .sgs
        .iter()
        .filter(|g| g.name == n && vpc.is_none_or(|v| v == g.vpc))
        .map(|g| g.id)
        .collect();
    match hits.as_slice() {
        [g] => Ok(*g),
        [] => Err(no_such("security group", name)),
        _ => Err(CheckOutcome::Fail(format!(
            "several VPCs have a security group `{name}`; the check must say VPC/NAME"
        ))),
    }
}

fn find_nacl(net: &Network, name: &str) -> Result<NaclId, CheckOutcome> {
    let (vpc, n) = match name.split_once('/') {
        Some((v, n)) => (Some(vpc_named(net, v)?), n),
        None => (None, name),
    };
    net.nacls
        .iter()
        .find(|a| a.name == n && vpc.is_none_or(|v| v == a.vpc))
        .map(|a| a.id)
        .ok_or_else(|| no_such("network ACL", name))
}

/// Judges a `rules_within` check: the first rule that lies within no allowance fails it.
pub fn run_rules_within(net: &Network, c: &RulesWithinCheck) -> CheckOutcome {
    match rules_within(net, c) {
        Ok(n) => CheckOutcome::Pass(format!("{n} rule(s), none broader than needed")),
        Err(o) => o,
    }
}

fn rules_within(net: &Network, c: &RulesWithinCheck) -> Result<usize, CheckOutcome> {
    if let Err(e) = c.validate() {
        return Err(CheckOutcome::Fail(format!("the check is malformed: {e}")));
    }
    let inbound = c.direction == super::intent_spec::RuleDirection::Inbound;
    // (display owner, rule index or number, protocol, ports, peer, the group's VPC)
    let mut rules: Vec<(String, String, Protocol, PortRange, SgPeer, VpcId)> = vec![];
    let mut sg_rules = |g: SgId| {
        let sg = net.sg(g);
        let list: &[SgRule] = if inbound { &sg.inbound } else { &sg.outbound };
        for r in list {
            rules.push((
                sg.aws_id.clone(),
                format!("{} rule {}", c.direction, r.index),
                r.protocol,
                r.ports,
                r.peer.clone(),
                sg.vpc,
            ));
        }
    };
    if let Some(g) = &c.security_group {
        sg_rules(find_sg(net, g)?);
    } else if let Some(i) = &c.instance {
        let id = net
            .instance_by_name(i)
            .ok_or_else(|| no_such("instance", i))?;
        let mut groups: Vec<SgId> = vec![];
        for e in &net.instance(id).enis {
            for g in &net.eni(*e).sgs {
                if !groups.contains(g) {
                    groups.push(*g);
                }
            }
        }
        for g in groups {
            sg_rules(g);
        }
    } else if let Some(a) = &c.network_acl {
        let acl = net.nacl(find_nacl(net, a)?);
        let list: &[NaclEntry] = if inbound { &acl.inbound } else { &acl.outbound };
        for e in list
            .iter()
            .filter(|e| e.action == crate::model::types::Action::Allow)
        {
            rules.push((
                acl.aws_id.clone(),
                format!("{} rule {}", c.direction, e.number),
                e.protocol,
                e.ports,
                SgPeer::Cidr(e.cidr),
                acl.vpc,
            ));
        }
    }
    for (owner, which, proto, ports, peer, vpc) in &rules {
        let allowed: Vec<Allowed> = c
            .allow
            .iter()
            .map(|a| resolve_allowance(net, *vpc, a))
            .collect::<Result<_, _>>()?;
        if !allowed.iter().any(|a| within(a, *proto, *ports, peer)) {
            let want: Vec<&str> = allowed.iter().map(|a| a.text.as_str()).collect();
            let want = if want.is_empty() {
                "no rule at all".to_string()
            } else {
                format!("only {}", want.join(", "))
            };
            return Err(CheckOutcome::Fail(format!(
                "{owner} {which} allows {}: more than this step needs ({want})",
                describe(net, *proto, *ports, peer, inbound)
            )));
        }
    }
    Ok(rules.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ComponentKind;

    fn hop(c: &str, k: ComponentKind) -> HopSeen {
        HopSeen {
            component: c.into(),
            kind: k,
            blocked: false,
        }
    }

    #[test]
    fn path_through_and_avoids() {
        let ans = || {
            Ok(PathAnswer {
                ok: true,
                blocked: None,
                summary: "rtb-private → nat-a → igw-main".into(),
                hops: vec![
                    hop("rtb-private", ComponentKind::RouteTable),
                    hop("nat-a", ComponentKind::NatGateway),
                    hop("igw-main", ComponentKind::InternetGateway),
                ],
            })
        };
        let mut c = PathCheck {
            from: "app".into(),
            to: "updates".into(),
            protocol: "tcp".into(),
            port: Some(443),
            ipv6: false,
            through: vec![HopSpec {
                kind: Some(ComponentKind::NatGateway),
                component: None,
            }],
            avoids: vec![],
        };
        assert!(judge_path(ans(), &c).passed());
        c.through[0].component = Some("NAT-B".into());
        assert!(judge_path(ans(), &c).failed());
        c.through.clear();
        c.avoids.push(HopSpec {
            kind: Some(ComponentKind::InternetGateway),
            component: None,
        });
        assert!(judge_path(ans(), &c).failed());
    }

    #[test]
    fn a_cidr_rule_is_within_a_wider_cidr_only() {
        let a = Allowed {
            proto: Some(6),
            ports: PortRange { from: 80, to: 80 },
            peer: SgPeer::Cidr("10.0.0.0/16".parse().unwrap()),
            text: String::new(),
        };
        let p80 = PortRange { from: 80, to: 80 };
        let narrow = SgPeer::Cidr("10.0.1.0/24".parse().unwrap());
        let wide = SgPeer::Cidr("0.0.0.0/0".parse().unwrap());
        assert!(within(&a, Protocol::Number(6), p80, &narrow));
        assert!(!within(&a, Protocol::Number(6), p80, &wide));
        assert!(!within(&a, Protocol::All, p80, &narrow));
        assert!(!within(&a, Protocol::Number(6), PortRange::ALL, &narrow));
        assert!(!within(&a, Protocol::Number(17), p80, &narrow));
    }
}
