//! The walk of one packet from where it is sent to where it is delivered (or dropped), chaining
//! the policy functions in AWS's order (reference Appendix A) with provenance on every step.
//!
//! The walk is pure: the stateful facts it needs (is this packet part of a tracked flow at an ENI?
//! which NAT mapping applies?) come through [`WalkState`], so the engine feeds it live state and
//! the analyzer feeds it assumptions ([`Assumed`]).

use super::{
    nacl, route, sg, ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId,
    TrafficPath, Verdict,
};
use crate::model::proto;
use crate::model::{
    EniId, EniOwner, InstanceId, InternetHostId, NatId, Network, SubnetId, Target, VpcId,
    PUBLIC_RESOLVER, RESOLVER_LINK_LOCAL,
};
use std::net::Ipv4Addr;

/// Where a packet enters the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Sent by the host behind this ENI.
    Eni(EniId),
    /// Sent from the emulated internet (an internet host, or any public address for the analyzer).
    Internet(Ipv4Addr),
}

/// Where a delivered packet ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The host behind this ENI (an instance).
    Eni(EniId),
    /// An internet host.
    Internet(InternetHostId),
}

/// How a walk ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered; `header` is the packet as the receiver sees it.
    Delivered {
        /// The receiver.
        to: Delivery,
        /// Header after every translation on the way.
        header: Header,
    },
    /// A DNS query to the VPC resolver (`vpc` Some) or the emulated public resolver (None).
    Resolver {
        /// The VPC whose resolver was asked.
        vpc: Option<VpcId>,
    },
    /// Dropped; the decision says where and why (with an AWS explanation code where AWS has one).
    Dropped(Decision),
}

/// One step of the walk, for traces (`probe`, `reach`, labs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// Display id (`sg-web`, `acl-data`, `rtb-public`, `igw-main`, `eni-web`).
    pub component: String,
    /// Its kind.
    pub kind: ComponentKind,
    /// What happened there ("route 0.0.0.0/0 → igw-main").
    pub detail: String,
    /// The decision made there, if any.
    pub decision: Option<Decision>,
}

/// A packet seen at an ENI (for flow logs and PacketEvents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The ENI.
    pub eni: EniId,
    /// Ingress or egress at that ENI.
    pub direction: Direction,
    /// Header as on the wire at the ENI.
    pub header: Header,
    /// AWS `pkt-srcaddr`.
    pub pkt_src: Ipv4Addr,
    /// AWS `pkt-dstaddr`.
    pub pkt_dst: Ipv4Addr,
    /// Verdict at this ENI.
    pub verdict: Verdict,
    /// Deciding rule (SG rule, tracked entry, or the NACL that rejected it).
    pub decision: Decision,
    /// AWS traffic-path (egress only).
    pub traffic_path: Option<TrafficPath>,
    /// True when this ENI's SG admitted a new flow that the engine should track here.
    pub track: bool,
}

/// The result of a walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// Ordered hops.
    pub hops: Vec<Hop>,
    /// The outcome.
    pub outcome: Outcome,
    /// Per-ENI observations in order.
    pub observations: Vec<Observation>,
    /// Every blocker met (one unless [`Options::collect_all`]).
    pub blockers: Vec<Decision>,
}

impl Walk {
    /// True when delivered (or answered by a resolver).
    pub fn delivered(&self) -> bool {
        !matches!(self.outcome, Outcome::Dropped(_))
    }
    /// The first blocker, if any.
    pub fn blocked(&self) -> Option<&Decision> {
        self.blockers.first()
    }
}

/// Walk options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Continue past SG/NACL/check blocks and collect every blocker (the analyzer's blocked path).
    pub collect_all: bool,
    /// NAT instances masquerade inside the walk (virtual backend). When false, a packet routed to
    /// a NAT instance is delivered to it (its kernel forwards it).
    pub nat_instance_in_walk: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            collect_all: false,
            nat_instance_in_walk: true,
        }
    }
}

/// The stateful facts a walk needs.
pub trait WalkState {
    /// True when `h`, crossing `eni` in `dir`, belongs to a flow tracked at that ENI (the SG is
    /// then skipped).
    fn tracked(&self, eni: EniId, dir: Direction, h: &Header) -> bool;
    /// Source-translates an outbound packet at a NAT gateway (`h.src` → the gateway's private
    /// IP, port remapped). Err: the decision that drops it (port exhaustion, idle timeout).
    fn nat_gateway_out(
        &mut self,
        nat: NatId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Result<Header, Decision>;
    /// Restores a reply arriving at a NAT gateway's private IP; None when no mapping exists
    /// (no inbound initiation).
    fn nat_gateway_in(&mut self, nat: NatId, h: &Header) -> Option<Header>;
    /// Masquerades a packet a NAT instance forwards (`h.src` → its private IP).
    fn nat_instance_out(
        &mut self,
        inst: InstanceId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Option<Header>;
    /// Restores a reply arriving at a NAT instance; None when it is for the instance itself.
    fn nat_instance_in(&mut self, inst: InstanceId, h: &Header) -> Option<Header>;
}

/// Assumed state for the analyzer: `replies` marks every flow as tracked (a return path); NAT
/// keeps the source port and maps replies back to `original_src`.
#[derive(Clone, Debug, Default)]
pub struct Assumed {
    /// Treat every packet as a tracked reply (skip SGs).
    pub replies: bool,
    /// For return walks through a NAT: the original client address.
    pub original_src: Option<Ipv4Addr>,
}

impl WalkState for Assumed {
    fn tracked(&self, _: EniId, _: Direction, _: &Header) -> bool {
        self.replies
    }
    fn nat_gateway_out(
        &mut self,
        _: NatId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Result<Header, Decision> {
        Ok(Header { src: nat_ip, ..*h })
    }
    fn nat_gateway_in(&mut self, _: NatId, h: &Header) -> Option<Header> {
        self.original_src.map(|o| Header { dst: o, ..*h })
    }
    fn nat_instance_out(&mut self, _: InstanceId, h: &Header, nat_ip: Ipv4Addr) -> Option<Header> {
        Some(Header { src: nat_ip, ..*h })
    }
    fn nat_instance_in(&mut self, _: InstanceId, h: &Header) -> Option<Header> {
        self.original_src.map(|o| Header { dst: o, ..*h })
    }
}

/// True for RFC 1918 and RFC 6598 addresses.
pub fn is_private(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

/// True for a DNS query to a resolver address the engine answers (before SG/NACL).
pub fn resolver_target(net: &Network, origin: Origin, h: &Header) -> Option<Option<VpcId>> {
    if !h.has_ports() || h.dport != 53 {
        return None;
    }
    match origin {
        Origin::Eni(e) => {
            let v = net.vpc(net.eni(e).vpc);
            (v.dns_support && (h.dst == v.resolver_ip() || h.dst == RESOLVER_LINK_LOCAL))
                .then_some(Some(v.id))
        }
        Origin::Internet(_) => (h.dst == PUBLIC_RESOLVER).then_some(None),
    }
}

/// Walks one packet `h` sent from `origin`.
pub fn walk(
    net: &Network,
    state: &mut dyn WalkState,
    origin: Origin,
    h: Header,
    opts: Options,
) -> Walk {
    let mut w = Walker {
        net,
        state,
        opts,
        hops: Vec::new(),
        obs: Vec::new(),
        blockers: Vec::new(),
        budget: 24,
        pkt_src: h.src,
        pkt_dst: h.dst,
    };
    let outcome = match w.start(origin, h) {
        Ok(o) => o,
        Err(d) => Outcome::Dropped(d),
    };
    let outcome = match (outcome, w.blockers.first()) {
        (Outcome::Dropped(d), _) => Outcome::Dropped(d),
        (_, Some(b)) => Outcome::Dropped(b.clone()),
        (o, None) => o,
    };
    if let Outcome::Dropped(d) = &outcome {
        if w.blockers.last() != Some(d) && !w.blockers.contains(d) {
            w.blockers.push(d.clone());
        }
    }
    Walk {
        hops: w.hops,
        outcome,
        observations: w.obs,
        blockers: w.blockers,
    }
}

fn builtin(
    verdict: Verdict,
    component: String,
    kind: ComponentKind,
    code: Option<ExplanationCode>,
    detail: String,
) -> Decision {
    Decision {
        verdict,
        component,
        kind,
        direction: None,
        rule: RuleId::Builtin,
        code,
        detail,
    }
}

fn reject(
    component: String,
    kind: ComponentKind,
    code: ExplanationCode,
    detail: String,
) -> Decision {
    builtin(Verdict::Reject, component, kind, Some(code), detail)
}

/// True when an SG-admitted packet starts a tracked flow at `eni`: neither it nor the flow it
/// would answer is untracked (a reply of an untracked flow never creates an entry).
pub fn tracks(net: &Network, eni: EniId, dir: Direction, h: &Header) -> bool {
    // Cheap precheck: untracked flows need an all-addresses rule in both directions.
    let all = |inbound: bool| {
        net.eni(eni).sgs.iter().any(|g| {
            let sg = net.sg(*g);
            let rules = if inbound { &sg.inbound } else { &sg.outbound };
            rules
                .iter()
                .any(|r| matches!(r.peer, crate::model::SgPeer::Cidr(c) if c.prefix_len() == 0))
        })
    };
    if !h.has_ports() || !all(true) || !all(false) {
        return true;
    }
    let opposite = match dir {
        Direction::Inbound => Direction::Outbound,
        Direction::Outbound => Direction::Inbound,
    };
    !sg::is_untracked(net, eni, dir, h) && !sg::is_untracked(net, eni, opposite, &h.reversed())
}

/// Decision used for a tracked flow's packet at an ENI.
pub fn tracked_decision(net: &Network, eni: EniId, dir: Direction) -> Decision {
    let e = net.eni(eni);
    let comp = e
        .sgs
        .first()
        .map(|g| net.sg(*g).aws_id.clone())
        .unwrap_or_else(|| e.aws_id.clone());
    Decision {
        verdict: Verdict::Accept,
        component: comp,
        kind: ComponentKind::SecurityGroup,
        direction: Some(dir),
        rule: RuleId::Tracked,
        code: None,
        detail: format!("{dir} packet of a tracked connection"),
    }
}

type Step<T> = Result<T, Decision>;

struct Walker<'a> {
    net: &'a Network,
    state: &'a mut dyn WalkState,
    opts: Options,
    hops: Vec<Hop>,
    obs: Vec<Observation>,
    blockers: Vec<Decision>,
    budget: u32,
    pkt_src: Ipv4Addr,
    pkt_dst: Ipv4Addr,
}

impl Walker<'_> {
    fn hop(
        &mut self,
        component: &str,
        kind: ComponentKind,
        detail: String,
        decision: Option<Decision>,
    ) {
        self.hops.push(Hop {
            component: component.to_string(),
            kind,
            detail,
            decision,
        });
    }

    /// Records a decision; a rejection either stops the walk or (collect_all) is noted.
    fn check(&mut self, d: Decision) -> Step<()> {
        let detail = d.to_string();
        self.hop(&d.component.clone(), d.kind, detail, Some(d.clone()));
        if d.accepted() {
            return Ok(());
        }
        if self.opts.collect_all {
            self.blockers.push(d);
            Ok(())
        } else {
            Err(d)
        }
    }

    /// A hard stop (no way to continue even when collecting).
    fn stop(&mut self, d: Decision) -> Decision {
        let detail = d.to_string();
        self.hop(&d.component.clone(), d.kind, detail, Some(d.clone()));
        d
    }

    fn observe(
        &mut self,
        eni: EniId,
        direction: Direction,
        h: &Header,
        decision: Decision,
        track: bool,
    ) -> usize {
        self.obs.push(Observation {
            eni,
            direction,
            header: *h,
            pkt_src: self.pkt_src,
            pkt_dst: self.pkt_dst,
            verdict: decision.verdict,
            decision,
            traffic_path: None,
            track,
        });
        self.obs.len() - 1
    }

    fn spend(&mut self) -> Step<()> {
        if self.budget == 0 {
            return Err(builtin(
                Verdict::Reject,
                "vpc".into(),
                ComponentKind::Vpc,
                Some(ExplanationCode::RoutingLoop),
                "the packet loops between route targets".into(),
            ));
        }
        self.budget -= 1;
        Ok(())
    }

    fn start(&mut self, origin: Origin, h: Header) -> Step<Outcome> {
        if let Some(vpc) = resolver_target(self.net, origin, &h) {
            let name = vpc
                .map(|v| self.net.vpc(v).aws_id.clone())
                .unwrap_or_else(|| "internet".into());
            let kind = if vpc.is_some() {
                ComponentKind::Vpc
            } else {
                ComponentKind::Internet
            };
            self.hop(
                &name,
                kind,
                format!(
                    "DNS query to the resolver at {} (not filtered by SGs or NACLs)",
                    h.dst
                ),
                None,
            );
            return Ok(Outcome::Resolver { vpc });
        }
        match origin {
            Origin::Eni(e) => self.leave_eni(e, h),
            Origin::Internet(src) => {
                if h.src != src || is_private(src) {
                    return Err(self.stop(reject("internet".into(), ComponentKind::Internet, ExplanationCode::IgwExpectsPublicAddress, format!("internet packets must come from a public address; {} is not the sender's", h.src))));
                }
                self.internet(h)
            }
        }
    }

    /// The packet leaves the host behind `eni` (steps 1-5).
    fn leave_eni(&mut self, eni: EniId, h: Header) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        let e = net.eni(eni);
        if let Some(i) = net.eni_instance(eni) {
            if !net.instance(i).running {
                return Err(self.stop(reject(
                    net.instance(i).aws_id.clone(),
                    ComponentKind::Instance,
                    ExplanationCode::InstanceStopped,
                    format!("{} is stopped", net.instance(i).aws_id),
                )));
            }
        }
        if e.source_dest_check && h.src != e.private_ip {
            self.check(reject(
                e.aws_id.clone(),
                ComponentKind::Eni,
                ExplanationCode::EniSourceDestCheckRestriction,
                format!(
                    "source/destination check: {} is not an address of {}",
                    h.src, e.aws_id
                ),
            ))?;
        }
        // SG outbound (NAT gateway ENIs have none).
        let obs = if matches!(e.owner, EniOwner::NatGateway(_)) {
            self.observe(
                eni,
                Direction::Outbound,
                &h,
                builtin(
                    Verdict::Accept,
                    e.aws_id.clone(),
                    ComponentKind::NatGateway,
                    None,
                    "NAT gateway egress".into(),
                ),
                false,
            )
        } else if self.state.tracked(eni, Direction::Outbound, &h) {
            let d = tracked_decision(net, eni, Direction::Outbound);
            self.hop(&d.component.clone(), d.kind, d.to_string(), Some(d.clone()));
            self.observe(eni, Direction::Outbound, &h, d, false)
        } else {
            let d = sg::evaluate(net, eni, Direction::Outbound, &h);
            let track = d.accepted() && tracks(net, eni, Direction::Outbound, &h);
            let i = self.observe(eni, Direction::Outbound, &h, d.clone(), track);
            self.check(d)?;
            i
        };
        self.leave_subnet(e.subnet, h, Some(obs))
    }

    /// Marks the source ENI's egress observation as rejected by `d` (NACL out).
    fn reject_obs(&mut self, obs: Option<usize>, d: &Decision) {
        if let Some(i) = obs {
            let o = &mut self.obs[i];
            if o.verdict == Verdict::Accept {
                o.verdict = Verdict::Reject;
                o.decision = d.clone();
                o.track = false;
            }
        }
    }

    fn set_path(&mut self, obs: Option<usize>, p: TrafficPath) {
        if let Some(i) = obs {
            self.obs[i].traffic_path = Some(p);
        }
    }

    /// A packet leaving subnet `sub` (steps 3-5): same-subnet delivery, NACL out, route, target.
    fn leave_subnet(&mut self, sub: SubnetId, h: Header, obs: Option<usize>) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(sub);
        let vpc = net.vpc(s.vpc);
        if s.cidr.contains(&h.dst) {
            self.set_path(obs, TrafficPath::SameVpc);
            self.hop(
                &s.aws_id,
                ComponentKind::Subnet,
                format!(
                    "{} is in {}: delivered at layer 2 (no route table, no NACL)",
                    h.dst, s.aws_id
                ),
                None,
            );
            return self.arrive_in_vpc(s.vpc, h, Some(sub));
        }
        let d = nacl::evaluate(net, s.nacl, Direction::Outbound, &h);
        if !d.accepted() {
            self.reject_obs(obs, &d);
        }
        self.check(d)?;
        let rt = net.route_table(s.route_table);
        let Some((_, r)) = route::lookup(net, s.route_table, h.dst) else {
            return Err(self.stop(Decision {
                verdict: Verdict::Reject,
                component: rt.aws_id.clone(),
                kind: ComponentKind::RouteTable,
                direction: None,
                rule: RuleId::NoMatch,
                code: Some(ExplanationCode::NoRouteToDestination),
                detail: format!("{} has no route to {}", rt.aws_id, h.dst),
            }));
        };
        let dest = r.destination;
        let blackhole = |w: &mut Self, why: String| -> Decision {
            w.stop(Decision {
                verdict: Verdict::Reject,
                component: rt.aws_id.clone(),
                kind: ComponentKind::RouteTable,
                direction: None,
                rule: RuleId::Route(dest),
                code: Some(ExplanationCode::BadStateRoute),
                detail: format!("route {dest} is a blackhole: {why}"),
            })
        };
        match &r.target {
            Target::Local => {
                self.set_path(obs, TrafficPath::SameVpc);
                self.hop(
                    &rt.aws_id,
                    ComponentKind::RouteTable,
                    format!("route {dest} → local"),
                    None,
                );
                if !vpc.contains(h.dst) {
                    return Err(self.stop(reject(
                        rt.aws_id.clone(),
                        ComponentKind::RouteTable,
                        ExplanationCode::VpcLocalRouteCidrRestriction,
                        format!("{} is outside {}", h.dst, vpc.aws_id),
                    )));
                }
                self.arrive_in_vpc(s.vpc, h, Some(sub))
            }
            Target::Igw => {
                let Some(igw) = vpc.igw.clone() else {
                    return Err(blackhole(
                        self,
                        format!("{} has no internet gateway", vpc.aws_id),
                    ));
                };
                self.set_path(obs, TrafficPath::InternetGateway);
                self.hop(
                    &rt.aws_id,
                    ComponentKind::RouteTable,
                    format!("route {dest} → {igw}"),
                    None,
                );
                self.igw_egress(s.vpc, &igw, h)
            }
            Target::Nat(n) => {
                let nat = net.nat(*n);
                self.set_path(obs, TrafficPath::SameVpc);
                self.hop(
                    &rt.aws_id,
                    ComponentKind::RouteTable,
                    format!("route {dest} → {}", nat.aws_id),
                    None,
                );
                if nat.vpc != s.vpc {
                    return Err(blackhole(
                        self,
                        format!("{} is not in {}", nat.aws_id, vpc.aws_id),
                    ));
                }
                self.arrive_eni(nat.eni, h, Some(sub))
            }
            Target::Peering(p) => {
                let pcx = net.peering(*p);
                self.set_path(obs, TrafficPath::IntraRegionPeering);
                self.hop(
                    &rt.aws_id,
                    ComponentKind::RouteTable,
                    format!("route {dest} → {}", pcx.aws_id),
                    None,
                );
                let Some(other) = pcx.other(s.vpc) else {
                    return Err(blackhole(
                        self,
                        format!("{} does not connect {}", pcx.aws_id, vpc.aws_id),
                    ));
                };
                let ov = net.vpc(other);
                if !ov.contains(h.dst) {
                    return Err(self.stop(reject(pcx.aws_id.clone(), ComponentKind::Peering, ExplanationCode::PcxRequiresAddressInVpcCidr, format!("{} is not in {}'s CIDRs: a peering delivers only to addresses of the peer VPC (no transit, no edge-to-edge)", h.dst, ov.aws_id))));
                }
                if !vpc.contains(h.src) {
                    return Err(self.stop(reject(
                        pcx.aws_id.clone(),
                        ComponentKind::Peering,
                        ExplanationCode::PcxRequiresAddressInVpcCidr,
                        format!(
                            "source {} is not in {}'s CIDRs: peering is not transitive",
                            h.src, vpc.aws_id
                        ),
                    )));
                }
                self.hop(
                    &pcx.aws_id,
                    ComponentKind::Peering,
                    format!("{} → {}", vpc.aws_id, ov.aws_id),
                    None,
                );
                self.arrive_in_vpc(other, h, None)
            }
            Target::Instance(i) => {
                let inst = net.instance(*i);
                self.set_path(obs, TrafficPath::SameVpc);
                if !inst.running {
                    return Err(blackhole(self, format!("{} is stopped", inst.aws_id)));
                }
                if inst.vpc != s.vpc {
                    return Err(blackhole(
                        self,
                        format!("{} is not in {}", inst.aws_id, vpc.aws_id),
                    ));
                }
                self.hop(
                    &rt.aws_id,
                    ComponentKind::RouteTable,
                    format!("route {dest} → {}", inst.aws_id),
                    None,
                );
                self.arrive_eni(inst.eni, h, Some(sub))
            }
        }
    }

    /// Delivers to the ENI that owns `h.dst` in `vpc` (after the local route or a peering).
    fn arrive_in_vpc(&mut self, vpc: VpcId, h: Header, from: Option<SubnetId>) -> Step<Outcome> {
        let net = self.net;
        let v = net.vpc(vpc);
        let Some(sub) = net.subnet_of(vpc, h.dst) else {
            return Err(self.stop(reject(
                v.aws_id.clone(),
                ComponentKind::Vpc,
                ExplanationCode::NoRouteToDestination,
                format!("no subnet of {} contains {}", v.aws_id, h.dst),
            )));
        };
        match net.eni_by_private_ip(vpc, h.dst) {
            Some(e) => self.arrive_eni(e, h, from),
            None => {
                // NACL in still applies before the address is found missing.
                if from != Some(sub) {
                    let d = nacl::evaluate(net, net.subnet(sub).nacl, Direction::Inbound, &h);
                    self.check(d)?;
                }
                let s = net.subnet(sub);
                Err(self.stop(reject(
                    s.aws_id.clone(),
                    ComponentKind::Subnet,
                    ExplanationCode::NoEniAtAddress,
                    format!("no network interface in {} has address {}", s.aws_id, h.dst),
                )))
            }
        }
    }

    /// Steps 6-8 at ENI `eni`; then NAT processing when it is a NAT device.
    fn arrive_eni(&mut self, eni: EniId, h: Header, from: Option<SubnetId>) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        let e = net.eni(eni);
        if from != Some(e.subnet) {
            let d = nacl::evaluate(net, net.subnet(e.subnet).nacl, Direction::Inbound, &h);
            if !d.accepted() {
                self.observe(eni, Direction::Inbound, &h, d.clone(), false);
            }
            self.check(d)?;
        }
        match e.owner {
            EniOwner::NatGateway(n) => self.nat_gateway(n, eni, h),
            EniOwner::Instance(i) => {
                let inst = net.instance(i);
                if !inst.running {
                    return Err(self.stop(reject(
                        inst.aws_id.clone(),
                        ComponentKind::Instance,
                        ExplanationCode::InstanceStopped,
                        format!("{} is stopped and does not answer", inst.aws_id),
                    )));
                }
                if e.source_dest_check && h.dst != e.private_ip {
                    self.check(reject(e.aws_id.clone(), ComponentKind::Eni, ExplanationCode::EniSourceDestCheckRestriction, format!("source/destination check on {}: {} is not its address (turn the check off for a NAT instance)", e.aws_id, h.dst)))?;
                }
                let forwarding = h.dst != e.private_ip;
                if self.state.tracked(eni, Direction::Inbound, &h) {
                    let d = tracked_decision(net, eni, Direction::Inbound);
                    self.hop(&d.component.clone(), d.kind, d.to_string(), Some(d.clone()));
                    self.observe(eni, Direction::Inbound, &h, d, false);
                } else {
                    let d = sg::evaluate(net, eni, Direction::Inbound, &h);
                    let track = d.accepted() && tracks(net, eni, Direction::Inbound, &h);
                    self.observe(eni, Direction::Inbound, &h, d.clone(), track);
                    self.check(d)?;
                }
                if inst.nat && self.opts.nat_instance_in_walk {
                    if forwarding {
                        let Some(t) = self.state.nat_instance_out(i, &h, e.private_ip) else {
                            return Err(self.stop(reject(
                                inst.aws_id.clone(),
                                ComponentKind::Instance,
                                ExplanationCode::NatInstanceNoMapping,
                                format!("{} cannot masquerade {h}", inst.aws_id),
                            )));
                        };
                        self.hop(
                            &inst.aws_id,
                            ComponentKind::Instance,
                            format!(
                                "NAT instance masquerades {}:{} → {}:{}",
                                h.src, h.sport, t.src, t.sport
                            ),
                            None,
                        );
                        return self.leave_eni(eni, t);
                    }
                    if let Some(t) = self.state.nat_instance_in(i, &h) {
                        self.hop(
                            &inst.aws_id,
                            ComponentKind::Instance,
                            format!("NAT instance maps the reply back to {}:{}", t.dst, t.dport),
                            None,
                        );
                        return self.leave_eni(eni, t);
                    }
                }
                self.hop(
                    &e.aws_id,
                    ComponentKind::Eni,
                    format!("delivered to {} ({})", inst.aws_id, e.private_ip),
                    None,
                );
                Ok(Outcome::Delivered {
                    to: Delivery::Eni(eni),
                    header: h,
                })
            }
        }
    }

    fn nat_gateway(&mut self, n: NatId, eni: EniId, h: Header) -> Step<Outcome> {
        let net = self.net;
        let nat = net.nat(n);
        let e = net.eni(eni);
        let accept = builtin(
            Verdict::Accept,
            nat.aws_id.clone(),
            ComponentKind::NatGateway,
            None,
            "NAT gateway".into(),
        );
        if h.dst == e.private_ip {
            // A reply to a translated flow (or an unsolicited packet).
            self.observe(eni, Direction::Inbound, &h, accept.clone(), false);
            let Some(t) = self.state.nat_gateway_in(n, &h) else {
                return Err(self.stop(reject(
                    nat.aws_id.clone(),
                    ComponentKind::NatGateway,
                    ExplanationCode::NgwNoInboundInitiation,
                    format!(
                        "{} accepts no connection initiated from outside (no mapping for {h})",
                        nat.aws_id
                    ),
                )));
            };
            self.hop(
                &nat.aws_id,
                ComponentKind::NatGateway,
                format!(
                    "{} translates the reply back: {}:{} → {}:{}",
                    nat.aws_id, h.dst, h.dport, t.dst, t.dport
                ),
                None,
            );
            self.pkt_dst = t.dst;
            let o = self.observe(eni, Direction::Outbound, &t, accept, false);
            self.set_path(Some(o), TrafficPath::SameVpc);
            return self.leave_subnet(e.subnet, t, Some(o));
        }
        self.pkt_dst = h.dst;
        self.observe(eni, Direction::Inbound, &h, accept.clone(), false);
        if !net.vpc(nat.vpc).contains(h.src) {
            return Err(self.stop(reject(
                nat.aws_id.clone(),
                ComponentKind::NatGateway,
                ExplanationCode::NgwRequiresSourceInVpc,
                format!(
                    "{} translates only traffic from {} (source {})",
                    nat.aws_id,
                    net.vpc(nat.vpc).aws_id,
                    h.src
                ),
            )));
        }
        if !matches!(h.proto, proto::TCP | proto::UDP | proto::ICMP) {
            return Err(self.stop(reject(
                nat.aws_id.clone(),
                ComponentKind::NatGateway,
                ExplanationCode::NgwUnsupportedProtocol,
                format!("{} translates only TCP, UDP and ICMP", nat.aws_id),
            )));
        }
        let t = match self.state.nat_gateway_out(n, &h, e.private_ip) {
            Ok(t) => t,
            Err(d) => return Err(self.stop(d)),
        };
        self.hop(
            &nat.aws_id,
            ComponentKind::NatGateway,
            format!(
                "{} translates {}:{} → {}:{}",
                nat.aws_id, h.src, h.sport, t.src, t.sport
            ),
            None,
        );
        self.pkt_src = t.src;
        let o = self.observe(eni, Direction::Outbound, &t, accept, false);
        self.leave_subnet(e.subnet, t, Some(o))
    }

    fn igw_egress(&mut self, vpc: VpcId, igw: &str, h: Header) -> Step<Outcome> {
        let net = self.net;
        if is_private(h.dst) {
            self.check(reject(
                igw.into(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwDestinationAddressNotInRfc1918Egress,
                format!("{igw} does not forward to private address {}", h.dst),
            ))?;
        }
        let mapped = net
            .eni_by_private_ip(vpc, h.src)
            .and_then(|e| net.eni(e).public_ip);
        let Some(public) = mapped else {
            return Err(self.stop(reject(
                igw.into(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwPublicIpAssociationForEgress,
                format!(
                    "{} has no public IP or Elastic IP: {igw} drops its packets",
                    h.src
                ),
            )));
        };
        if let Some(n) = net
            .eni_by_private_ip(vpc, h.src)
            .and_then(|e| match net.eni(e).owner {
                EniOwner::NatGateway(n) => Some(n),
                _ => None,
            })
        {
            if net.nat(n).private {
                return Err(self.stop(reject(
                    igw.into(),
                    ComponentKind::InternetGateway,
                    ExplanationCode::IgwPublicIpAssociationForEgress,
                    format!(
                        "{} is a private NAT gateway: {igw} drops its traffic",
                        net.nat(n).aws_id
                    ),
                )));
            }
        }
        let t = Header { src: public, ..h };
        self.hop(
            igw,
            ComponentKind::InternetGateway,
            format!("{igw} translates {} → {}", h.src, public),
            None,
        );
        self.internet(t)
    }

    /// A packet on the emulated internet.
    fn internet(&mut self, h: Header) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        if let Some(host) = net.internet_host_by_ip(h.dst) {
            self.hop(
                "internet",
                ComponentKind::Internet,
                format!(
                    "delivered to internet host {} ({})",
                    net.internet_host(host).name,
                    h.dst
                ),
                None,
            );
            return Ok(Outcome::Delivered {
                to: Delivery::Internet(host),
                header: h,
            });
        }
        if h.dst == PUBLIC_RESOLVER && h.has_ports() && h.dport == 53 {
            self.hop(
                "internet",
                ComponentKind::Internet,
                "DNS query to the public resolver".into(),
                None,
            );
            return Ok(Outcome::Resolver { vpc: None });
        }
        let Some(eni) = net.eni_by_public_ip(h.dst) else {
            return Err(self.stop(reject(
                "internet".into(),
                ComponentKind::Internet,
                ExplanationCode::IgwPrivateIpAssociationForIngress,
                format!("no internet host or public IP at {}", h.dst),
            )));
        };
        let e = net.eni(eni);
        let v = net.vpc(e.vpc);
        let Some(igw) = v.igw.clone() else {
            return Err(self.stop(reject(
                v.aws_id.clone(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwPrivateIpAssociationForIngress,
                format!("{} has no internet gateway", v.aws_id),
            )));
        };
        if is_private(h.src) {
            self.check(reject(
                igw.clone(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwSourceAddressNotInRfc1918Ingress,
                format!("{igw} drops packets from private source {}", h.src),
            ))?;
        }
        let t = Header {
            dst: e.private_ip,
            ..h
        };
        // Inside the VPC the packet carries the private address (AWS pkt-dstaddr).
        self.pkt_dst = t.dst;
        self.hop(
            &igw,
            ComponentKind::InternetGateway,
            format!("{igw} translates {} → {}", h.dst, e.private_ip),
            None,
        );
        self.arrive_eni(eni, t, None)
    }
}

#[cfg(test)]
mod tests;
