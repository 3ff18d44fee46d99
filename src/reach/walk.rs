//! The analyzer's packet walk: one packet from an ENI (or the internet) to where the VPC data
//! plane delivers it, following Appendix A of the semantics reference. Every rule decision is
//! delegated to `policy` (`route::lookup`, `nacl::evaluate`, `sg::evaluate`); this file only
//! chains them and applies the fixed AWS gateway behaviours (IGW 1:1 NAT, NAT gateway PAT,
//! peering CIDR checks). In *collect* mode a NACL/SG/ENI rejection is recorded and the walk goes
//! on as if it had passed, so every blocker along the path is found (AWS's blocked-path
//! analysis); a routing or gateway failure ends the walk.
//!
//! Stand-in: the engine's `policy::path` walk was not on the `engine` branch when this was
//! written; when it lands this module becomes a thin adapter over it.

use crate::model::{EniId, EniOwner, InstanceId, NatId, Network, PeeringId, SubnetId, Target, VpcId};
use crate::policy::{nacl, route, sg, ComponentKind, Decision, Direction, Header, RuleId, Verdict};
use serde::Serialize;
use std::net::Ipv4Addr;

/// One component the packet crossed, and what it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Display id (`sg-web`, `acl-data`, `rtb-public`, `igw-main`, `eni-web`).
    pub component: String,
    /// Its kind.
    pub kind: ComponentKind,
    /// What it did (rule matched, route taken, address rewritten).
    pub detail: String,
    /// The packet header as it left this component.
    pub header: String,
}

/// Where a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Delivered to an ENI (after its inbound SG).
    Eni(EniId),
    /// Delivered to an address on the emulated internet.
    Internet(Ipv4Addr),
}

/// A NAT translation made on the forward path, undone for the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NatEntry {
    /// The ENI doing NAT (NAT gateway's or NAT instance's).
    eni: EniId,
    /// Translated source (the NAT's private address) and port.
    to: (Ipv4Addr, u16),
    /// Original source.
    from: (Ipv4Addr, u16),
}

/// The stateful facts a forward packet creates and its reply uses: SG connection tracking per
/// ENI and NAT translations. The analyzer assumes the forward packet got through.
#[derive(Clone, Debug, Default)]
pub struct FlowState {
    tracked: Vec<EniId>,
    nat: Vec<NatEntry>,
}

/// The result of one walk.
#[derive(Clone, Debug)]
pub struct Walk {
    /// Components crossed, in order.
    pub hops: Vec<Hop>,
    /// Every rejection met, with the header it rejected (the walk goes on after NACL, SG and
    /// ENI rejections, so all of them are found).
    pub blockers: Vec<(Decision, Header)>,
    /// Where the packet ended, with its final header; None when the walk stopped.
    pub arrival: Option<(Arrival, Header)>,
}

const MAX_STEPS: usize = 32;

/// Walks a packet leaving `eni` (`reply`: it answers the flow recorded in `state`).
pub fn from_eni(net: &Network, eni: EniId, h: Header, reply: bool, state: &mut FlowState) -> Walk {
    let mut w = Walker { net, hops: Vec::new(), blockers: Vec::new(), reply, state, steps: 0 };
    let arrival = w.send_from_eni(eni, h);
    Walk { hops: w.hops, blockers: w.blockers, arrival }
}

/// Walks a packet sent by a host on the emulated internet.
pub fn from_internet(net: &Network, h: Header, reply: bool, state: &mut FlowState) -> Walk {
    let mut w = Walker { net, hops: Vec::new(), blockers: Vec::new(), reply, state, steps: 0 };
    w.hop("internet", ComponentKind::Internet, format!("sent from {}", h.src), &h);
    let arrival = w.internet(h);
    Walk { hops: w.hops, blockers: w.blockers, arrival }
}

/// True for RFC 1918 and RFC 6598 addresses (never routed on the internet).
pub fn is_private(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) || ip.is_loopback() || ip.is_link_local()
}

struct Walker<'a, 's> {
    net: &'a Network,
    hops: Vec<Hop>,
    blockers: Vec<(Decision, Header)>,
    reply: bool,
    state: &'s mut FlowState,
    steps: usize,
}

fn reject(component: &str, kind: ComponentKind, dir: Option<Direction>, code: &'static str, detail: String) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        component: component.to_string(),
        kind,
        direction: dir,
        rule: RuleId::Builtin,
        code: Some(code),
        detail,
    }
}

impl Walker<'_, '_> {
    fn hop(&mut self, component: &str, kind: ComponentKind, detail: String, h: &Header) {
        self.hops.push(Hop { component: component.to_string(), kind, detail, header: h.to_string() });
    }

    /// Records a decision as a hop; a rejection is also a blocker. Returns false on rejection.
    fn decide(&mut self, d: Decision, h: &Header) -> bool {
        let ok = d.accepted();
        let detail = if ok { d.detail.clone() } else { format!("BLOCKED: {}", d.detail) };
        self.hop(&d.component, d.kind, detail, h);
        if !ok {
            self.blockers.push((d, *h));
        }
        ok
    }

    /// A failure that ends the walk.
    fn stop(&mut self, d: Decision, h: &Header) -> Option<(Arrival, Header)> {
        self.decide(d, h);
        None
    }

    fn sg(&mut self, eni: EniId, dir: Direction, h: &Header) {
        let e = self.net.eni(eni);
        if matches!(e.owner, EniOwner::NatGateway(_)) {
            return; // a NAT gateway has no security group
        }
        if self.reply && self.state.tracked.contains(&eni) {
            let id = e.sgs.first().map(|g| self.net.sg(*g).aws_id.clone()).unwrap_or_else(|| e.aws_id.clone());
            self.hop(&id, ComponentKind::SecurityGroup, format!("{dir}: reply of a tracked connection (stateful)"), h);
            return;
        }
        let d = sg::evaluate(self.net, eni, dir, h);
        self.decide(d, h);
        if !self.reply && !self.state.tracked.contains(&eni) {
            self.state.tracked.push(eni);
        }
    }

    fn nacl(&mut self, subnet: SubnetId, dir: Direction, h: &Header) {
        let d = nacl::evaluate(self.net, self.net.subnet(subnet).nacl, dir, h);
        self.decide(d, h);
    }

    fn src_dst_check(&mut self, eni: EniId, dir: Direction, h: &Header) {
        let e = self.net.eni(eni);
        let addr = if dir == Direction::Outbound { h.src } else { h.dst };
        if e.source_dest_check && addr != e.private_ip && matches!(e.owner, EniOwner::Instance(_)) {
            let what = if dir == Direction::Outbound { "source" } else { "destination" };
            let d = reject(
                &e.aws_id,
                ComponentKind::Eni,
                Some(dir),
                "ENI_SOURCE_DEST_CHECK_RESTRICTION",
                format!("the {what} {addr} is not the ENI's address {} and its source/destination check is on", e.private_ip),
            );
            self.decide(d, h);
        }
    }

    fn send_from_eni(&mut self, eni: EniId, h: Header) -> Option<(Arrival, Header)> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            let d = reject("vpc", ComponentKind::Vpc, None, "NO_PATH", "routing loop".into());
            return self.stop(d, &h);
        }
        let e = self.net.eni(eni);
        if let EniOwner::Instance(i) = e.owner {
            let name = self.net.instance(i).aws_id.clone();
            self.hop(&name, ComponentKind::Instance, format!("sends {h}"), &h);
        }
        self.src_dst_check(eni, Direction::Outbound, &h);
        self.sg(eni, Direction::Outbound, &h);
        self.route_from_subnet(e.subnet, h)
    }

    fn route_from_subnet(&mut self, s: SubnetId, h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        let sub = net.subnet(s);
        let vpc = sub.vpc;
        if net.vpc(vpc).contains(h.dst) && net.subnet_of(vpc, h.dst) == Some(s) {
            self.hop(&sub.aws_id, ComponentKind::Subnet, "destination in the same subnet: delivered directly (no NACL, no route)".into(), &h);
            return self.arrive_eni_at(vpc, h);
        }
        self.nacl(s, Direction::Outbound, &h);
        let rt = net.route_table(sub.route_table);
        let Some((_, r)) = route::lookup(net, sub.route_table, h.dst) else {
            let d = Decision {
                verdict: Verdict::Reject,
                component: rt.aws_id.clone(),
                kind: ComponentKind::RouteTable,
                direction: None,
                rule: RuleId::NoMatch,
                code: Some("NO_ROUTE_TO_DESTINATION"),
                detail: format!("{} (of {}) has no route to {}", rt.aws_id, sub.aws_id, h.dst),
            };
            return self.stop(d, &h);
        };
        let target = r.target.clone();
        let dest = r.destination;
        let tname = match &target {
            Target::Local => "local".to_string(),
            Target::Igw => net.vpc(vpc).igw.clone().unwrap_or_else(|| "igw (none attached)".into()),
            Target::Nat(n) => net.nat(*n).aws_id.clone(),
            Target::Peering(p) => net.peering(*p).aws_id.clone(),
            Target::Instance(i) => net.instance(*i).aws_id.clone(),
        };
        self.hops.push(Hop {
            component: rt.aws_id.clone(),
            kind: ComponentKind::RouteTable,
            detail: format!("route {dest} → {tname}"),
            header: h.to_string(),
        });
        match target {
            Target::Local => {
                let Some(s2) = net.subnet_of(vpc, h.dst) else {
                    let d = reject(&net.vpc(vpc).aws_id, ComponentKind::Vpc, None, "NO_PATH", format!("no subnet of {} contains {}", net.vpc(vpc).aws_id, h.dst));
                    return self.stop(d, &h);
                };
                self.nacl(s2, Direction::Inbound, &h);
                self.arrive_eni_at(vpc, h)
            }
            Target::Igw => self.igw_egress(vpc, rt.aws_id.clone(), dest, h),
            Target::Nat(n) => self.nat_gateway(n, s, h),
            Target::Peering(p) => self.peering(p, vpc, h),
            Target::Instance(i) => self.appliance(i, s, rt.aws_id.clone(), dest, h),
        }
    }

    /// The packet reached the VPC router of `vpc` and is handed to the ENI owning `h.dst`.
    fn arrive_eni_at(&mut self, vpc: VpcId, h: Header) -> Option<(Arrival, Header)> {
        let Some(eni) = self.net.eni_by_private_ip(vpc, h.dst) else {
            let v = self.net.vpc(vpc).aws_id.clone();
            let d = reject(&v, ComponentKind::Vpc, None, "NO_PATH", format!("no interface in {v} has the address {}", h.dst));
            return self.stop(d, &h);
        };
        self.at_eni(eni, h)
    }

    fn at_eni(&mut self, eni: EniId, h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        let e = net.eni(eni);
        self.src_dst_check(eni, Direction::Inbound, &h);
        self.sg(eni, Direction::Inbound, &h);
        // A reply reaching a NAT device is translated back and forwarded.
        if self.reply {
            if let Some(n) = self.state.nat.iter().find(|n| n.eni == eni && n.to == (h.dst, h.dport)).copied() {
                let mut h2 = h;
                h2.dst = n.from.0;
                if h.has_ports() {
                    h2.dport = n.from.1;
                }
                self.hop(&self.owner_id(eni), self.owner_kind(eni), format!("translates the destination back: {}:{} → {}:{}", h.dst, h.dport, h2.dst, h2.dport), &h2);
                if matches!(e.owner, EniOwner::Instance(_)) {
                    self.sg(eni, Direction::Outbound, &h2);
                }
                return self.route_from_subnet(e.subnet, h2);
            }
        }
        if let EniOwner::NatGateway(n) = e.owner {
            if h.dst == e.private_ip {
                let d = reject(&net.nat(n).aws_id, ComponentKind::NatGateway, Some(Direction::Inbound), "NO_PATH", "a NAT gateway accepts no connection it did not start (no unsolicited inbound)".into());
                return self.stop(d, &h);
            }
        }
        if let EniOwner::Instance(i) = e.owner {
            let id = net.instance(i).aws_id.clone();
            self.hop(&id, ComponentKind::Instance, format!("receives {h}"), &h);
        }
        Some((Arrival::Eni(eni), h))
    }

    fn owner_id(&self, eni: EniId) -> String {
        match self.net.eni(eni).owner {
            EniOwner::Instance(i) => self.net.instance(i).aws_id.clone(),
            EniOwner::NatGateway(n) => self.net.nat(n).aws_id.clone(),
        }
    }

    fn owner_kind(&self, eni: EniId) -> ComponentKind {
        match self.net.eni(eni).owner {
            EniOwner::Instance(_) => ComponentKind::Instance,
            EniOwner::NatGateway(_) => ComponentKind::NatGateway,
        }
    }

    fn igw_egress(&mut self, vpc: VpcId, rtb: String, dest: ipnet::Ipv4Net, mut h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        let Some(igw) = net.vpc(vpc).igw.clone() else {
            let d = Decision {
                verdict: Verdict::Reject,
                component: rtb,
                kind: ComponentKind::RouteTable,
                direction: None,
                rule: RuleId::Route(dest),
                code: Some("BAD_STATE_ROUTE"),
                detail: format!("the route {dest} targets an internet gateway but {} has none attached (blackhole)", net.vpc(vpc).aws_id),
            };
            return self.stop(d, &h);
        };
        if is_private(h.dst) {
            let d = reject(&igw, ComponentKind::InternetGateway, Some(Direction::Outbound), "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", format!("{} is a private address: the internet gateway drops it", h.dst));
            return self.stop(d, &h);
        }
        let public = net.eni_by_private_ip(vpc, h.src).and_then(|e| net.eni(e).public_ip);
        let Some(public) = public else {
            let d = reject(&igw, ComponentKind::InternetGateway, Some(Direction::Outbound), "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", format!("the source {} has no public IP or Elastic IP: the internet gateway drops it", h.src));
            return self.stop(d, &h);
        };
        let old = h.src;
        h.src = public;
        self.hop(&igw, ComponentKind::InternetGateway, format!("translates the source {old} → {public} (1:1 NAT)"), &h);
        self.internet(h)
    }

    fn internet(&mut self, h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        if let Some(eni) = net.eni_by_public_ip(h.dst) {
            return self.igw_ingress(net.eni(eni).vpc, eni, h);
        }
        if net.vpcs.iter().any(|v| v.contains(h.dst)) || is_private(h.dst) {
            let d = reject("internet", ComponentKind::Internet, None, "NO_PATH", format!("{} is a private address: the internet cannot route to it", h.dst));
            return self.stop(d, &h);
        }
        if let Some(host) = net.internet_host_by_ip(h.dst) {
            let name = net.internet_host(host).name.clone();
            self.hop("internet", ComponentKind::Internet, format!("delivered to internet host {name} ({})", h.dst), &h);
        } else {
            self.hop("internet", ComponentKind::Internet, format!("delivered to {} on the internet", h.dst), &h);
        }
        Some((Arrival::Internet(h.dst), h))
    }

    fn igw_ingress(&mut self, vpc: VpcId, eni: EniId, mut h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        let Some(igw) = net.vpc(vpc).igw.clone() else {
            let d = reject(&net.vpc(vpc).aws_id, ComponentKind::Vpc, Some(Direction::Inbound), "NO_PATH", format!("{} has no internet gateway: its public address {} is unreachable", net.vpc(vpc).aws_id, h.dst));
            return self.stop(d, &h);
        };
        if is_private(h.src) {
            let d = reject(&igw, ComponentKind::InternetGateway, Some(Direction::Inbound), "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", format!("the source {} is a private address", h.src));
            return self.stop(d, &h);
        }
        let private = net.eni(eni).private_ip;
        let old = h.dst;
        h.dst = private;
        self.hop(&igw, ComponentKind::InternetGateway, format!("translates the destination {old} → {private} (1:1 NAT)"), &h);
        let s2 = net.eni(eni).subnet;
        self.nacl(s2, Direction::Inbound, &h);
        self.at_eni(eni, h)
    }

    fn nat_gateway(&mut self, n: NatId, from: SubnetId, mut h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        let nat = net.nat(n);
        let vpc = net.vpc(nat.vpc);
        if !vpc.contains(h.src) {
            let d = reject(&nat.aws_id, ComponentKind::NatGateway, Some(Direction::Inbound), "NGW_REQUIRES_SOURCE_IN_VPC", format!("the source {} is not in {}: a NAT gateway translates only traffic from its own VPC", h.src, vpc.aws_id));
            return self.stop(d, &h);
        }
        if nat.subnet != from {
            self.nacl(nat.subnet, Direction::Inbound, &h);
        }
        let ip = net.eni(nat.eni).private_ip;
        let old = (h.src, h.sport);
        // Port translation: the analyzer keeps the client's port (inside 1024-65535, the NAT
        // gateway's range) so the reply's NACL classes stay the client's ephemeral classes.
        if h.has_ports() && h.sport < 1024 {
            h.sport = 1024;
        }
        h.src = ip;
        self.state.nat.push(NatEntry { eni: nat.eni, to: (h.src, h.sport), from: old });
        self.hop(&nat.aws_id, ComponentKind::NatGateway, format!("translates the source {}:{} → {}:{}", old.0, old.1, h.src, h.sport), &h);
        self.route_from_subnet(nat.subnet, h)
    }

    fn peering(&mut self, p: PeeringId, vpc: VpcId, h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        let pcx = net.peering(p);
        let Some(peer) = pcx.other(vpc) else {
            let d = reject(&pcx.aws_id, ComponentKind::Peering, None, "BAD_STATE_ROUTE", format!("{} does not join {}", pcx.aws_id, net.vpc(vpc).aws_id));
            return self.stop(d, &h);
        };
        let pv = net.vpc(peer);
        if !pv.contains(h.dst) {
            let d = reject(&pcx.aws_id, ComponentKind::Peering, None, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", format!("the destination {} is not in {} (peering is not transitive and allows no edge-to-edge routing)", h.dst, pv.aws_id));
            return self.stop(d, &h);
        }
        if !net.vpc(vpc).contains(h.src) {
            let d = reject(&pcx.aws_id, ComponentKind::Peering, None, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", format!("the source {} is not in {} (no edge-to-edge routing through a peering)", h.src, net.vpc(vpc).aws_id));
            return self.stop(d, &h);
        }
        self.hop(&pcx.aws_id, ComponentKind::Peering, format!("{} → {}", net.vpc(vpc).aws_id, pv.aws_id), &h);
        let Some(s2) = net.subnet_of(peer, h.dst) else {
            let d = reject(&pv.aws_id, ComponentKind::Vpc, None, "NO_PATH", format!("no subnet of {} contains {}", pv.aws_id, h.dst));
            return self.stop(d, &h);
        };
        self.nacl(s2, Direction::Inbound, &h);
        self.arrive_eni_at(peer, h)
    }

    fn appliance(&mut self, i: InstanceId, from: SubnetId, rtb: String, dest: ipnet::Ipv4Net, mut h: Header) -> Option<(Arrival, Header)> {
        let net = self.net;
        let inst = net.instance(i);
        if !inst.running {
            let d = Decision {
                verdict: Verdict::Reject,
                component: rtb,
                kind: ComponentKind::RouteTable,
                direction: None,
                rule: RuleId::Route(dest),
                code: Some("BAD_STATE_ROUTE"),
                detail: format!("the route {dest} targets {}, which is stopped (blackhole)", inst.aws_id),
            };
            return self.stop(d, &h);
        }
        let eni = inst.eni;
        if inst.subnet != from {
            self.nacl(inst.subnet, Direction::Inbound, &h);
        }
        self.src_dst_check(eni, Direction::Inbound, &h);
        self.sg(eni, Direction::Inbound, &h);
        if inst.nat {
            let old = (h.src, h.sport);
            h.src = net.eni(eni).private_ip;
            self.state.nat.push(NatEntry { eni, to: (h.src, h.sport), from: old });
            self.hop(&inst.aws_id, ComponentKind::Instance, format!("NAT instance translates the source {} → {}", old.0, h.src), &h);
        } else {
            self.hop(&inst.aws_id, ComponentKind::Instance, "forwards the packet".into(), &h);
        }
        self.src_dst_check(eni, Direction::Outbound, &h);
        self.sg(eni, Direction::Outbound, &h);
        self.steps += 1;
        if self.steps > MAX_STEPS {
            let d = reject(&inst.aws_id, ComponentKind::Instance, None, "NO_PATH", "routing loop".into());
            return self.stop(d, &h);
        }
        self.route_from_subnet(inst.subnet, h)
    }
}
