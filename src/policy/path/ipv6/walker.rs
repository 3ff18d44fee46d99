//! The IPv6 walk's stages: leaving an ENI, the subnet's NACL and route table, the targets
//! (local, internet gateway, egress-only gateway, peering, instance, NAT64, blackhole), the
//! internet, and arriving in a subnet and at an ENI.

use super::{Delivery6, Observation6, Options, Origin6, Outcome6, State6, Walk6};
use crate::model::ipv6::Target6;
use crate::model::{proto, EniId, EniOwner, NatId, Network, SubnetId, VpcId};
use crate::policy::ipv6 as p6;
use crate::policy::path::Hop;
use crate::policy::{
    ComponentKind, Decision, Direction, ExplanationCode, Header, Header6, RuleId, TrafficPath,
    Verdict, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST,
};

mod observe;

/// A stage's result: Err stops the walk with the decision that dropped the packet.
type Step<T> = Result<T, Decision>;

/// Walks one IPv6 packet from `origin` to where it is delivered, leaves, is translated to
/// IPv4 (NAT64), or is dropped.
pub fn walk6(
    net: &Network,
    st: &mut dyn State6,
    origin: Origin6,
    h: Header6,
    opts: Options,
) -> Walk6 {
    let mut w = Walker6 {
        net,
        st,
        opts,
        hops: vec![],
        obs: vec![],
        blockers: vec![],
        budget: 8,
    };
    let r = match origin {
        Origin6::Eni(e) => w.leave_eni(e, h),
        Origin6::Internet(_) => w.internet(h),
    };
    let reached = r.as_ref().ok().cloned();
    let outcome = match r {
        Ok(o) if w.blockers.is_empty() => o,
        Ok(_) => Outcome6::Dropped(w.blockers[0].clone()),
        Err(d) => Outcome6::Dropped(d),
    };
    Walk6 {
        hops: w.hops,
        outcome,
        observations: w.obs,
        blockers: w.blockers,
        reached,
    }
}

struct Walker6<'a> {
    net: &'a Network,
    st: &'a mut dyn State6,
    opts: Options,
    hops: Vec<Hop>,
    obs: Vec<Observation6>,
    blockers: Vec<Decision>,
    /// Route targets left before the walk calls it a loop.
    budget: u8,
}

fn reject(
    component: String,
    kind: ComponentKind,
    code: ExplanationCode,
    detail: String,
) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        component,
        kind,
        direction: None,
        rule: RuleId::Builtin,
        code: Some(code),
        detail,
    }
}

impl Walker6<'_> {
    fn hop(&mut self, component: &str, kind: ComponentKind, detail: String, d: Option<Decision>) {
        self.hops.push(Hop {
            component: component.to_string(),
            kind,
            detail,
            decision: d,
        });
    }

    /// A rejection that ends the walk (routes, gateways, missing addresses).
    fn stop(&mut self, d: Decision) -> Decision {
        self.hop(
            &d.component.clone(),
            d.kind,
            d.detail.clone(),
            Some(d.clone()),
        );
        self.blockers.push(d.clone());
        d
    }

    /// A filter's decision (NACL, SG, check): recorded as a hop; a rejection stops the walk
    /// unless the analyzer collects every blocker.
    fn gate(&mut self, d: Decision) -> Step<()> {
        self.hop(
            &d.component.clone(),
            d.kind,
            d.detail.clone(),
            Some(d.clone()),
        );
        if d.verdict == Verdict::Reject {
            self.blockers.push(d.clone());
            if !self.opts.collect_all {
                return Err(d);
            }
        }
        Ok(())
    }

    fn spend(&mut self) -> Step<()> {
        if self.budget == 0 {
            let d = reject(
                "vpc".into(),
                ComponentKind::Vpc,
                ExplanationCode::RoutingLoop,
                "the IPv6 packet went round route targets".into(),
            );
            return Err(self.stop(d));
        }
        self.budget -= 1;
        Ok(())
    }

    /// The SG of `eni` in `dir` (tracked replies pass with `RuleId::Tracked`); the index of the
    /// observation it made.
    fn security_group(&mut self, eni: EniId, dir: Direction, h: &Header6) -> Step<usize> {
        let net = self.net;
        let e = net.eni(eni);
        if self.st.tracked6(eni, dir, h) {
            let d = Decision {
                verdict: Verdict::Accept,
                component: e
                    .sgs
                    .first()
                    .map_or(e.aws_id.clone(), |g| net.sg(*g).aws_id.clone()),
                kind: ComponentKind::SecurityGroup,
                direction: Some(dir),
                rule: RuleId::Tracked,
                code: None,
                detail: format!("{dir}: reply of a tracked connection"),
            };
            let i = self.observe(eni, dir, h, d.clone(), false);
            return self.gate(d).map(|()| i);
        }
        let d = p6::sg_evaluate(net, eni, dir, h);
        let track = d.verdict == Verdict::Accept && !p6::sg_is_untracked(net, eni, dir, h);
        let i = self.observe(eni, dir, h, d.clone(), track);
        self.gate(d).map(|()| i)
    }

    /// The NACL of subnet `sub` in `dir`. A rejection is observed as AWS logs it: outbound, on
    /// the source ENI's egress observation `obs`; inbound, at the ENI `at` the packet was for.
    fn nacl(
        &mut self,
        sub: SubnetId,
        dir: Direction,
        h: &Header6,
        obs: Option<usize>,
        at: Option<EniId>,
    ) -> Step<()> {
        let d = p6::nacl_evaluate(self.net, self.net.subnet(sub).nacl, dir, h);
        if d.verdict == Verdict::Reject {
            match dir {
                Direction::Outbound => self.reject_obs(obs, &d),
                Direction::Inbound => {
                    if let Some(e) = at {
                        self.observe(e, Direction::Inbound, h, d.clone(), false);
                    }
                }
            }
        }
        // Written as the IPv4 walk writes NACL hops: the summary, then the detail.
        self.hop(&d.component.clone(), d.kind, d.to_string(), Some(d.clone()));
        if d.verdict == Verdict::Reject {
            self.blockers.push(d.clone());
            if !self.opts.collect_all {
                return Err(d);
            }
        }
        Ok(())
    }

    fn running(&mut self, eni: EniId) -> Step<()> {
        let net = self.net;
        if let Some(i) = net.eni_instance(eni) {
            if !net.instance(i).running {
                let inst = net.instance(i);
                let d = reject(
                    inst.aws_id.clone(),
                    ComponentKind::Instance,
                    ExplanationCode::InstanceStopped,
                    format!("{} is stopped", inst.aws_id),
                );
                return Err(self.stop(d));
            }
        }
        Ok(())
    }

    /// The packet leaves the host behind `eni`: the instance runs, the source/destination
    /// check, the outbound SG (a NAT gateway's ENI has none), then its subnet.
    fn leave_eni(&mut self, eni: EniId, h: Header6) -> Step<Outcome6> {
        let net = self.net;
        let e = net.eni(eni);
        self.running(eni)?;
        if net.subnet_ipv6(e.subnet).cidr.is_none() {
            let d = reject(
                net.subnet(e.subnet).aws_id.clone(),
                ComponentKind::Subnet,
                ExplanationCode::AddressFamilyMismatch,
                format!(
                    "{} has no IPv6 block: {} sends no IPv6",
                    net.subnet(e.subnet).aws_id,
                    e.aws_id
                ),
            );
            return Err(self.stop(d));
        }
        let obs = if matches!(e.owner, EniOwner::NatGateway(_)) {
            let d = Decision {
                verdict: Verdict::Accept,
                component: e.aws_id.clone(),
                kind: ComponentKind::NatGateway,
                direction: None,
                rule: RuleId::Builtin,
                code: None,
                detail: "NAT gateway egress".into(),
            };
            self.observe(eni, Direction::Outbound, &h, d, false)
        } else {
            if e.source_dest_check && !net.eni_ipv6(eni).contains(&h.src) {
                let d = reject(
                    e.aws_id.clone(),
                    ComponentKind::Eni,
                    ExplanationCode::EniSourceDestCheckRestriction,
                    format!(
                        "source/destination check: {} is not an address of {}",
                        h.src, e.aws_id
                    ),
                );
                self.gate(d)?;
            }
            self.security_group(eni, Direction::Outbound, &h)?
        };
        self.leave_subnet(e.subnet, h, Some(obs))
    }

    /// Out of subnet `sub`: same subnet delivers directly; else NACL outbound and the route.
    /// `obs` is the source ENI's egress observation, which the route's traffic-path completes.
    fn leave_subnet(&mut self, sub: SubnetId, h: Header6, obs: Option<usize>) -> Step<Outcome6> {
        self.spend()?;
        let net = self.net;
        let s = net.subnet(sub);
        let vpc = s.vpc;
        if net
            .subnet_ipv6(sub)
            .cidr
            .is_some_and(|c| c.contains(&h.dst))
        {
            self.hop(
                &s.aws_id,
                ComponentKind::Subnet,
                format!("{} is in the same subnet {}", h.dst, s.aws_id),
                None,
            );
            self.set_path(obs, TrafficPath::SameVpc);
            return self.at_eni_in(sub, h);
        }
        let rt = net.route_table(s.route_table);
        let Some(route) = net.route6(s.route_table, h.dst).cloned() else {
            let d = Decision {
                verdict: Verdict::Reject,
                component: rt.aws_id.clone(),
                kind: ComponentKind::RouteTable,
                direction: None,
                rule: RuleId::NoMatch,
                code: Some(ExplanationCode::NoRouteToDestination),
                detail: format!("{} has no route to {}", rt.aws_id, h.dst),
            };
            return Err(self.stop(d));
        };
        let blackhole = |w: &mut Self, why: String| {
            let d = Decision {
                verdict: Verdict::Reject,
                component: rt.aws_id.clone(),
                kind: ComponentKind::RouteTable,
                direction: None,
                rule: RuleId::Route6(route.destination),
                code: Some(ExplanationCode::BadStateRoute),
                detail: format!("route {} is a blackhole: {why}", route.destination),
            };
            w.stop(d)
        };
        let target = crate::model::show6::target_text6(net, vpc, &route.target);
        self.hop(
            &rt.aws_id,
            ComponentKind::RouteTable,
            format!("route {} → {target}", route.destination),
            None,
        );
        self.nacl(sub, Direction::Outbound, &h, obs, None)?;
        let path = match &route.target {
            // An egress-only gateway is an internet gateway for IPv6 (AWS lists no own value).
            Target6::Igw | Target6::Eigw => Some(TrafficPath::InternetGateway),
            Target6::Peering(p) => Some(match net.peering(*p).other(vpc) {
                Some(o) if net.vpc(o).region != net.vpc(vpc).region => {
                    TrafficPath::InterRegionPeering
                }
                _ => TrafficPath::IntraRegionPeering,
            }),
            Target6::Blackhole => None,
            _ => Some(TrafficPath::SameVpc),
        };
        if let Some(p) = path {
            self.set_path(obs, p);
        }
        match route.target {
            Target6::Local => self.arrive_in_vpc(vpc, h),
            Target6::Blackhole => Err(blackhole(self, "its target is gone".into())),
            Target6::Igw => {
                let Some(igw) = net.vpc(vpc).igw.clone() else {
                    return Err(blackhole(
                        self,
                        format!("{} has no internet gateway", net.vpc(vpc).aws_id),
                    ));
                };
                self.hop(
                    &igw,
                    ComponentKind::InternetGateway,
                    format!("{igw} forwards {} to the internet (no translation)", h.dst),
                    None,
                );
                self.out_to_internet(&igw, h)
            }
            Target6::Eigw => {
                let Some(g) = net.eigw(vpc).map(|g| g.aws_id.clone()) else {
                    return Err(blackhole(
                        self,
                        "the egress-only internet gateway is gone".into(),
                    ));
                };
                self.st.eigw_out(vpc, &h);
                self.hop(
                    &g,
                    ComponentKind::EgressOnlyInternetGateway,
                    format!(
                        "{g} forwards {} to the internet (its replies may return)",
                        h.dst
                    ),
                    None,
                );
                self.out_to_internet(&g, h)
            }
            Target6::Peering(p) => {
                let pc = net.peering(p);
                let Some(peer) = pc.other(vpc) else {
                    return Err(blackhole(
                        self,
                        format!("{} does not include this VPC", pc.aws_id),
                    ));
                };
                let pid = pc.aws_id.clone();
                if !net.vpc_ipv6(peer).is_some_and(|b| b.contains(&h.dst)) {
                    let d = reject(
                        pid.clone(),
                        ComponentKind::Peering,
                        ExplanationCode::PcxRequiresAddressInVpcCidr,
                        format!(
                            "{} is not in the IPv6 block of {}",
                            h.dst,
                            net.vpc(peer).aws_id
                        ),
                    );
                    return Err(self.stop(d));
                }
                self.hop(
                    &pid,
                    ComponentKind::Peering,
                    format!("{pid} carries it to {}", net.vpc(peer).aws_id),
                    None,
                );
                self.arrive_in_vpc(peer, h)
            }
            Target6::Instance(i) => {
                let inst = net.instance(i);
                if !inst.running {
                    return Err(blackhole(self, format!("{} is stopped", inst.aws_id)));
                }
                let eni = inst.eni;
                let to = net.eni(eni).subnet;
                if to != sub {
                    self.nacl(to, Direction::Inbound, &h, None, Some(eni))?;
                }
                self.arrive_eni(eni, h)
            }
            Target6::Nat(g) => self.nat64(g, sub, h),
        }
    }

    /// NAT64 at NAT gateway `g`: IPv6 in, IPv4 out from the gateway's private IP to the
    /// address embedded in the last 32 bits (64:ff9b::/96).
    fn nat64(&mut self, g: NatId, from: SubnetId, h: Header6) -> Step<Outcome6> {
        let net = self.net;
        let nat = net.nat(g);
        let e = net.eni(nat.eni);
        if e.subnet != from {
            self.nacl(e.subnet, Direction::Inbound, &h, None, Some(nat.eni))?;
        }
        let Some(v4) = crate::topology::ipv6::nat64_embedded(h.dst) else {
            let d = reject(
                nat.aws_id.clone(),
                ComponentKind::NatGateway,
                ExplanationCode::NoPath,
                format!(
                    "{} is outside 64:ff9b::/96: the NAT gateway translates only NAT64 addresses",
                    h.dst
                ),
            );
            return Err(self.stop(d));
        };
        let h4 = match h.proto {
            proto::TCP | proto::UDP => Header::l4(e.private_ip, v4, h.proto, h.sport, h.dport),
            proto::ICMPV6 if h.icmp_type() == ICMPV6_ECHO_REQUEST => {
                Header::icmp(e.private_ip, v4, 8, 0, h.sport)
            }
            proto::ICMPV6 if h.icmp_type() == ICMPV6_ECHO_REPLY => {
                Header::icmp(e.private_ip, v4, 0, 0, h.sport)
            }
            _ => {
                let d = reject(
                    nat.aws_id.clone(),
                    ComponentKind::NatGateway,
                    ExplanationCode::NgwUnsupportedProtocol,
                    format!(
                        "{} translates only TCP, UDP and ICMPv6 echo with NAT64",
                        nat.aws_id
                    ),
                );
                return Err(self.stop(d));
            }
        };
        let d = Decision {
            verdict: Verdict::Accept,
            component: nat.aws_id.clone(),
            kind: ComponentKind::NatGateway,
            direction: None,
            rule: RuleId::Builtin,
            code: None,
            detail: "NAT64".into(),
        };
        self.observe(nat.eni, Direction::Inbound, &h, d, false);
        self.hop(
            &nat.aws_id,
            ComponentKind::NatGateway,
            format!(
                "{} translates (NAT64) [{}] → {} into {} → {v4}",
                nat.aws_id, h.src, h.dst, e.private_ip
            ),
            None,
        );
        Ok(Outcome6::Nat64 { nat: g, header: h4 })
    }

    /// Out through gateway `gw`: to an internet host, into a VPC that owns the address (IPv6
    /// addresses are global), or out of the modelled network.
    fn out_to_internet(&mut self, gw: &str, h: Header6) -> Step<Outcome6> {
        let net = self.net;
        if let Some(host) = net.host_by_ipv6(h.dst) {
            let name = net.internet_host(host).name.clone();
            self.hop(
                "internet",
                ComponentKind::Internet,
                format!("delivered to internet host {name} ({})", h.dst),
                None,
            );
            return Ok(Outcome6::Delivered {
                to: Delivery6::Internet(host),
                header: h,
            });
        }
        if net
            .vpcs
            .iter()
            .any(|v| net.vpc_ipv6(v.id).is_some_and(|b| b.contains(&h.dst)))
        {
            return self.internet(h);
        }
        Ok(Outcome6::Exited {
            gateway: gw.to_string(),
            header: h,
        })
    }

    /// A packet on the internet towards `h.dst`: into the VPC whose block holds it, through its
    /// internet gateway; or through its egress-only gateway (replies only) when the
    /// destination subnet routes the sender there.
    fn internet(&mut self, h: Header6) -> Step<Outcome6> {
        let net = self.net;
        if let Some(host) = net.host_by_ipv6(h.dst) {
            let name = net.internet_host(host).name.clone();
            self.hop(
                "internet",
                ComponentKind::Internet,
                format!("delivered to internet host {name} ({})", h.dst),
                None,
            );
            return Ok(Outcome6::Delivered {
                to: Delivery6::Internet(host),
                header: h,
            });
        }
        let Some(v) = net
            .vpcs
            .iter()
            .find(|v| net.vpc_ipv6(v.id).is_some_and(|b| b.contains(&h.dst)))
        else {
            let d = reject(
                "internet".into(),
                ComponentKind::Internet,
                ExplanationCode::NoPath,
                format!("nothing on the internet has {}", h.dst),
            );
            return Err(self.stop(d));
        };
        let vpc = v.id;
        let sub = net.subnet_by_ipv6(vpc, h.dst);
        let back = sub
            .and_then(|s| net.route6(net.subnet(s).route_table, h.src))
            .map(|r| r.target.clone());
        let eigw = net.eigw(vpc).map(|g| g.aws_id.clone());
        match (back, &v.igw, eigw) {
            (Some(Target6::Eigw), _, Some(g)) | (_, None, Some(g)) => {
                if !self.st.eigw_reply(vpc, &h) {
                    let d = reject(g.clone(), ComponentKind::EgressOnlyInternetGateway, ExplanationCode::EigwNoInboundInitiation, format!("{g} lets in only replies of flows it carried out; {} was initiated from the internet", h));
                    return Err(self.stop(d));
                }
                self.hop(
                    &g,
                    ComponentKind::EgressOnlyInternetGateway,
                    format!("{g} lets in the reply to {}", h.dst),
                    None,
                );
            }
            (_, Some(igw), _) => {
                let igw = igw.clone();
                self.hop(
                    &igw,
                    ComponentKind::InternetGateway,
                    format!(
                        "{igw} forwards {} into {} (no translation)",
                        h.dst, v.aws_id
                    ),
                    None,
                );
            }
            (_, None, None) => {
                let d = reject(
                    v.aws_id.clone(),
                    ComponentKind::InternetGateway,
                    ExplanationCode::NoPath,
                    format!(
                        "{} has no internet gateway: nothing from the internet gets in",
                        v.aws_id
                    ),
                );
                return Err(self.stop(d));
            }
        }
        self.arrive_in_vpc(vpc, h)
    }

    /// Into VPC `vpc` towards `h.dst`: the subnet holding it (NACL inbound), then its ENI.
    fn arrive_in_vpc(&mut self, vpc: VpcId, h: Header6) -> Step<Outcome6> {
        let net = self.net;
        let Some(sub) = net.subnet_by_ipv6(vpc, h.dst) else {
            let v = net.vpc(vpc);
            let d = reject(
                v.aws_id.clone(),
                ComponentKind::Vpc,
                ExplanationCode::NoRouteToDestination,
                format!("no subnet of {} holds {}", v.aws_id, h.dst),
            );
            return Err(self.stop(d));
        };
        let at = net.eni_by_ipv6(h.dst).filter(|e| net.eni(*e).subnet == sub);
        self.nacl(sub, Direction::Inbound, &h, None, at)?;
        self.at_eni_in(sub, h)
    }

    /// The ENI of subnet `sub` that owns `h.dst`.
    fn at_eni_in(&mut self, sub: SubnetId, h: Header6) -> Step<Outcome6> {
        let net = self.net;
        match net.eni_by_ipv6(h.dst).filter(|e| net.eni(*e).subnet == sub) {
            Some(e) => self.arrive_eni(e, h),
            None => {
                let s = net.subnet(sub);
                let d = reject(
                    s.aws_id.clone(),
                    ComponentKind::Subnet,
                    ExplanationCode::NoEniAtAddress,
                    format!("no network interface in {} has {}", s.aws_id, h.dst),
                );
                Err(self.stop(d))
            }
        }
    }

    /// At ENI `eni`: running, the destination check, the inbound SG, then delivered.
    fn arrive_eni(&mut self, eni: EniId, h: Header6) -> Step<Outcome6> {
        let net = self.net;
        self.running(eni)?;
        let e = net.eni(eni);
        if e.source_dest_check && !net.eni_ipv6(eni).contains(&h.dst) {
            let d = reject(
                e.aws_id.clone(),
                ComponentKind::Eni,
                ExplanationCode::EniSourceDestCheckRestriction,
                format!(
                    "source/destination check: {} is not an address of {}",
                    h.dst, e.aws_id
                ),
            );
            self.gate(d)?;
        }
        if matches!(e.owner, EniOwner::NatGateway(_)) {
            let d = reject(
                e.aws_id.clone(),
                ComponentKind::NatGateway,
                ExplanationCode::NgwNoInboundInitiation,
                format!("{} has no IPv6 address of its own", e.aws_id),
            );
            return Err(self.stop(d));
        }
        self.security_group(eni, Direction::Inbound, &h)?;
        self.hop(
            &e.aws_id,
            ComponentKind::Eni,
            format!("delivered to {} ({})", e.aws_id, h.dst),
            None,
        );
        Ok(Outcome6::Delivered {
            to: Delivery6::Eni(eni),
            header: h,
        })
    }
}
