//! Steps 3-5 of the walk: a packet leaves its subnet. Same-subnet traffic is delivered at layer 2;
//! anything else passes the subnet's outbound NACL, then its route table, whose route's target
//! (local, IGW, NAT gateway, peering, instance) takes it on.

use super::builtin::{blackhole, no_route, reject};
use super::walker::{Step, Walker};
use super::Outcome;
use crate::model::{InstanceId, NatId, Route, SubnetId, Target};
use crate::policy::{
    nacl, route, ComponentKind, Decision, Direction, ExplanationCode, Header, TrafficPath,
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
        let d = nacl::evaluate(net, s.nacl, Direction::Outbound, &h);
        if !d.accepted() {
            self.reject_obs(obs, &d);
        }
        self.check(d)?;
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
        self.hop(
            &s.aws_id,
            ComponentKind::Subnet,
            format!(
                "{} is in {}: delivered at layer 2 (no route table, no NACL)",
                h.dst, s.aws_id
            ),
            None,
        );
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
        let dest = r.destination;
        match &r.target {
            Target::Local => self.route_local(sub, dest, h, obs),
            Target::Igw => self.route_igw(sub, dest, h, obs),
            Target::Nat(n) => self.route_nat(sub, dest, *n, h, obs),
            Target::Peering(p) => self.route_peering(sub, dest, *p, h, obs),
            Target::Instance(i) => self.route_instance(sub, dest, *i, h, obs),
        }
    }

    /// Records the hop "route `dest` → `target`" at `sub`'s route table.
    pub(super) fn route_hop(&mut self, sub: SubnetId, dest: Ipv4Net, target: &str) {
        let rt = self.net.route_table(self.net.subnet(sub).route_table);
        self.hop(
            &rt.aws_id,
            ComponentKind::RouteTable,
            format!("route {dest} → {target}"),
            None,
        );
    }

    /// Stops the walk: route `dest` of `sub`'s table is a blackhole because of `why`.
    pub(super) fn blackhole(&mut self, sub: SubnetId, dest: Ipv4Net, why: String) -> Decision {
        let net = self.net;
        let rt = net.route_table(net.subnet(sub).route_table);
        self.stop(blackhole(&rt.aws_id, dest, why))
    }

    /// The local route: the destination must be inside the VPC.
    fn route_local(
        &mut self,
        sub: SubnetId,
        dest: Ipv4Net,
        h: Header,
        obs: Option<usize>,
    ) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(sub);
        let vpc = net.vpc(s.vpc);
        self.set_path(obs, TrafficPath::SameVpc);
        self.route_hop(sub, dest, "local");
        if !vpc.contains(h.dst) {
            return Err(self.stop(reject(
                net.route_table(s.route_table).aws_id.clone(),
                ComponentKind::RouteTable,
                ExplanationCode::VpcLocalRouteCidrRestriction,
                format!("{} is outside {}", h.dst, vpc.aws_id),
            )));
        }
        self.arrive_in_vpc(s.vpc, h, Some(sub))
    }

    /// A route to the VPC's internet gateway (a blackhole when it has none).
    fn route_igw(
        &mut self,
        sub: SubnetId,
        dest: Ipv4Net,
        h: Header,
        obs: Option<usize>,
    ) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(sub);
        let vpc = net.vpc(s.vpc);
        let Some(igw) = vpc.igw.clone() else {
            return Err(self.blackhole(
                sub,
                dest,
                format!("{} has no internet gateway", vpc.aws_id),
            ));
        };
        self.set_path(obs, TrafficPath::InternetGateway);
        self.route_hop(sub, dest, &igw);
        self.igw_egress(s.vpc, &igw, h)
    }

    /// A route to NAT gateway `n`, which must be in the subnet's VPC.
    fn route_nat(
        &mut self,
        sub: SubnetId,
        dest: Ipv4Net,
        n: NatId,
        h: Header,
        obs: Option<usize>,
    ) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(sub);
        let nat = net.nat(n);
        self.set_path(obs, TrafficPath::SameVpc);
        self.route_hop(sub, dest, &nat.aws_id);
        if nat.vpc != s.vpc {
            let why = format!("{} is not in {}", nat.aws_id, net.vpc(s.vpc).aws_id);
            return Err(self.blackhole(sub, dest, why));
        }
        self.arrive_eni(nat.eni, h, Some(sub))
    }

    /// A route to instance `i` (a NAT instance or appliance), which must run in the subnet's VPC.
    fn route_instance(
        &mut self,
        sub: SubnetId,
        dest: Ipv4Net,
        i: InstanceId,
        h: Header,
        obs: Option<usize>,
    ) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(sub);
        let inst = net.instance(i);
        self.set_path(obs, TrafficPath::SameVpc);
        if !inst.running {
            return Err(self.blackhole(sub, dest, format!("{} is stopped", inst.aws_id)));
        }
        if inst.vpc != s.vpc {
            let why = format!("{} is not in {}", inst.aws_id, net.vpc(s.vpc).aws_id);
            return Err(self.blackhole(sub, dest, why));
        }
        self.route_hop(sub, dest, &inst.aws_id);
        self.arrive_eni(inst.eni, h, Some(sub))
    }
}
