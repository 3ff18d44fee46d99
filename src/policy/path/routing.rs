//! Steps 3-5 of the walk: a packet leaves its subnet. Same-subnet traffic is delivered at layer 2;
//! anything else passes the subnet's outbound NACL, then its route table, whose route's target
//! (local, IGW, NAT gateway, peering, instance) takes it on.

use super::builtin::{blackhole, no_route, reject};
use super::walker::{Step, Walker};
use super::Outcome;
use crate::model::{InstanceId, NatId, PrefixListId, Route, SubnetId, Target, VpcId};
use crate::policy::{
    route, ComponentKind, Decision, Direction, ExplanationCode, Header, TrafficPath,
};
use ipnet::Ipv4Net;

impl Walker<'_> {
    /// A packet leaving subnet `sub` (steps 3-5): same-subnet delivery, NACL out, route, target.
    /// `obs` is the source ENI's egress observation, which the route's traffic-path completes.
    pub(super) fn leave_subnet(
        &mut self,
        sub: SubnetId,
        h: Header,
        obs: Option<usize>,
    ) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(sub);
        if s.cidr.contains(&h.dst) {
            return self.same_subnet(sub, h, obs);
        }
        let d = self.nacl_decision(s.nacl, Direction::Outbound, &h);
        if !d.accepted() {
            self.reject_obs(obs, &d);
        }
        self.check_shared(d)?;
        let Some((_, r)) = route::lookup(net, s.route_table, h.dst) else {
            let rt = net.route_table(s.route_table);
            return Err(self.stop(no_route(&rt.aws_id, h.dst)));
        };
        self.follow_route(sub, r, h, obs)
    }

    /// Delivers within subnet `sub` (no route table, no NACL).
    fn same_subnet(&mut self, sub: SubnetId, h: Header, obs: Option<usize>) -> Step<Outcome> {
        let s = self.net.subnet(sub);
        self.set_path(obs, TrafficPath::SameVpc);
        if self.trace {
            self.hop(
                &s.aws_id,
                ComponentKind::Subnet,
                format!(
                    "{} is in {}: delivered at layer 2 (no route table, no NACL)",
                    h.dst, s.aws_id
                ),
                None,
            );
        }
        self.arrive_in_vpc(s.vpc, h, Some(sub))
    }

    /// Hands the packet to the target of route `r` of `sub`'s table.
    fn follow_route(
        &mut self,
        sub: SubnetId,
        r: &Route,
        h: Header,
        obs: Option<usize>,
    ) -> Step<Outcome> {
        let at = Routed {
            sub,
            dest: r.destination,
            prefix_list: r.prefix_list,
            h,
            obs,
        };
        match &r.target {
            Target::Local => self.route_local(at),
            Target::Igw => self.route_igw(at),
            Target::Nat(n) => self.route_nat(at, *n),
            Target::Peering(p) => self.route_peering(at, *p),
            Target::Instance(i) => self.route_instance(at, *i),
            Target::Blackhole => {
                let why = "its target no longer exists (State: blackhole)".to_string();
                Err(self.blackhole(&at, why))
            }
            Target::VpcEndpoint(e) => self.route_gateway_endpoint(at, *e),
            Target::TransitGateway(g) => self.route_tgw(at, *g),
            Target::VpnGateway { vgw, .. } => self.route_vgw(at, *vgw),
        }
    }

    /// The step every target shares once it takes the packet: the source ENI's egress
    /// observation gets traffic path `path`, and the trace the hop "route `dest` → `target`" at
    /// the subnet's route table.
    pub(super) fn take_route(&mut self, at: &Routed, path: TrafficPath, target: &str) {
        self.set_path(at.obs, path);
        self.route_hop(at, target);
    }

    /// Records the hop "route `dest` → `target`" at the subnet's route table.
    fn route_hop(&mut self, at: &Routed, target: &str) {
        if !self.trace {
            return;
        }
        let rt = self.net.route_table(self.net.subnet(at.sub).route_table);
        self.hop(
            &rt.aws_id,
            ComponentKind::RouteTable,
            format!("route {} → {target}", self.route_name(at)),
            None,
        );
    }

    /// Stops the walk: the route `at` follows is a blackhole because of `why`.
    pub(super) fn blackhole(&mut self, at: &Routed, why: String) -> Decision {
        let net = self.net;
        let rt = net.route_table(net.subnet(at.sub).route_table);
        let name = self.route_name(at);
        self.stop(blackhole(&rt.aws_id, at.dest, &name, why))
    }

    /// The route as hops and blockers name it: its CIDR, and the prefix list it is an entry of
    /// (`192.0.2.0/24 (pl-corp)`).
    fn route_name(&self, at: &Routed) -> String {
        match at.prefix_list {
            Some(p) => format!("{} ({})", at.dest, self.net.prefix_list(p).aws_id),
            None => at.dest.to_string(),
        }
    }

    /// A blackhole unless target `target` (of VPC `vpc`) is in the VPC of the subnet the packet
    /// leaves: a route can only send to a NAT gateway or instance of its own VPC.
    fn require_own_vpc(&mut self, at: &Routed, vpc: VpcId, target: &str) -> Step<()> {
        let own = self.net.subnet(at.sub).vpc;
        if vpc == own {
            return Ok(());
        }
        let why = format!("{target} is not in {}", self.net.vpc(own).aws_id);
        Err(self.blackhole(at, why))
    }

    /// The local route: the destination must be inside the VPC.
    fn route_local(&mut self, at: Routed) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(at.sub);
        let vpc = net.vpc(s.vpc);
        self.take_route(&at, TrafficPath::SameVpc, "local");
        if !vpc.contains(at.h.dst) {
            return Err(self.stop(reject(
                net.route_table(s.route_table).aws_id.clone(),
                ComponentKind::RouteTable,
                ExplanationCode::VpcLocalRouteCidrRestriction,
                format!("{} is outside {}", at.h.dst, vpc.aws_id),
            )));
        }
        self.arrive_in_vpc(s.vpc, at.h, Some(at.sub))
    }

    /// A route to the VPC's internet gateway (a blackhole when it has none).
    fn route_igw(&mut self, at: Routed) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(at.sub);
        let vpc = net.vpc(s.vpc);
        let Some(igw) = vpc.igw.clone() else {
            let why = format!("{} has no internet gateway", vpc.aws_id);
            return Err(self.blackhole(&at, why));
        };
        self.take_route(&at, TrafficPath::InternetGateway, &igw);
        self.igw_egress(s.vpc, &igw, at.h)
    }

    /// A route to NAT gateway `n`, which must be in the subnet's VPC.
    fn route_nat(&mut self, at: Routed, n: NatId) -> Step<Outcome> {
        let nat = self.net.nat(n);
        self.take_route(&at, TrafficPath::SameVpc, &nat.aws_id);
        self.require_own_vpc(&at, nat.vpc, &nat.aws_id)?;
        self.arrive_eni(nat.eni, at.h, Some(at.sub))
    }

    /// A route to instance `i` (a NAT instance or appliance), which must run in the subnet's VPC.
    /// Unlike the other targets, the route hop is recorded only once the instance can take the
    /// packet (the traffic path is set before).
    fn route_instance(&mut self, at: Routed, i: InstanceId) -> Step<Outcome> {
        let inst = self.net.instance(i);
        self.set_path(at.obs, TrafficPath::SameVpc);
        if !inst.running {
            return Err(self.blackhole(&at, format!("{} is stopped", inst.aws_id)));
        }
        self.require_own_vpc(&at, inst.vpc, &inst.aws_id)?;
        self.route_hop(&at, &inst.aws_id);
        self.arrive_eni(inst.eni, at.h, Some(at.sub))
    }
}

/// The route a packet follows out of its subnet: what each target's step needs.
#[derive(Clone, Copy)]
pub(super) struct Routed {
    /// The subnet the packet leaves, whose route table matched.
    pub(super) sub: SubnetId,
    /// The matched route's destination: it names the route in hops and blackholes.
    pub(super) dest: Ipv4Net,
    /// The prefix list the matched route is an entry of (named in hops and blackholes).
    pub(super) prefix_list: Option<PrefixListId>,
    /// The packet.
    pub(super) h: Header,
    /// The source ENI's egress observation (None when the packet did not leave an ENI here).
    pub(super) obs: Option<usize>,
}
