//! Suggested fixes, written as the YAML change to make in the topology file (part of `reach`,
//! rank 4): one per blocker, covering the ports that failed.

use super::walk::INTERNET;
use crate::model::protocol_name;
use crate::model::{EniOwner, Network, SgId, VpcId};
use crate::policy::path::is_private;
use crate::policy::{ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId};
use std::net::Ipv4Addr;

/// The YAML change that removes this blocker. `ports`: the destination ports the rule must
/// cover (the service port forward, the client's failing ephemeral ranges on the return).
pub fn suggest(net: &Network, d: &Decision, h: &Header, ports: &str) -> String {
    use ExplanationCode as C;
    if let Some(f) = super::fix_transit::suggest(net, d, h) {
        return f;
    }
    match (d.kind, d.code) {
        (ComponentKind::NetworkAcl, _) => nacl_fix(net, d, h, ports),
        (ComponentKind::SecurityGroup, _) => sg_fix(net, d, h, ports),
        (ComponentKind::Vpc, Some(C::NoRouteToDestination)) => format!(
            "no subnet holds {}: send to an address an instance has, or add a subnet containing it to {}",
            h.dst, d.component
        ),
        (_, Some(C::NoEniAtAddress)) => format!(
            "no network interface has {}: send to an address an instance has, or give an instance in {} `ip: {}`",
            h.dst, d.component, h.dst
        ),
        (_, Some(C::NgwNoInboundInitiation)) => format!(
            "{} accepts no connection initiated towards it: address the instance itself (a public IP, or from inside its VPC)",
            d.component
        ),
        (_, Some(C::IgwDestinationAddressNotInRfc1918Egress)) => format!(
            "{} is a private address, which an internet gateway never carries: peer the two VPCs (peerings:) and route its CIDR to the peering",
            h.dst
        ),
        (ComponentKind::Internet, Some(C::IgwPrivateIpAssociationForIngress)) => format!(
            "nothing on the internet has {}: send to a public IP an instance has, or an internet host",
            h.dst
        ),
        (_, Some(C::NoRouteToDestination)) => route_fix(net, d, h),
        (_, Some(C::BadStateRoute)) => match find_rtb(net, &d.component, h) {
            // `target: blackhole`: the target is gone, whatever the VPC has.
            Some(t) if t.routes.iter().any(|r| r.target == crate::model::Target::Blackhole && RuleId::Route(r.destination) == d.rule) => {
                format!("point the route {} of {} at an existing target, or remove it", rule_str(&d.rule), d.component)
            }
            Some(t) if net.vpc(t.vpc).igw.is_none() => {
                let v = t.vpc;
                format!("set vpcs.{}.internet_gateway: true", net.vpc(v).name)
            }
            _ => format!("point the route {} of {} at a running target", rule_str(&d.rule), d.component),
        },
        (_, Some(C::IgwPublicIpAssociationForEgress)) => match net.vpcs.iter().find_map(|v| net.eni_by_private_ip(v.id, h.src)) {
            Some(e) => match net.eni(e).owner {
                EniOwner::Instance(i) => public_ip_fix(net, i),
                EniOwner::NatGateway(n) => {
                    let nat = net.nat(n);
                    format!("set vpcs.{}.nat_gateways.{}.connectivity: public", net.vpc(nat.vpc).name, nat.name)
                }
                EniOwner::VpcEndpoint(_) => "an endpoint's network interface never reaches the internet".into(),
                EniOwner::LoadBalancer(l) => format!("set load_balancers.{}.scheme: internet-facing", net.load_balancer(l).name),
            },
            None => "give the source a public IP or Elastic IP".into(),
        },
        (_, Some(C::IgwPrivateIpAssociationForIngress)) | (ComponentKind::Eni, Some(C::NoPath)) => {
            match net.enis.iter().find(|e| e.aws_id == d.component).and_then(|e| net.eni_instance(e.id)) {
                Some(i) => {
                    let inst = net.instance(i);
                    let v = net.vpc(inst.vpc);
                    let mut s = format!("set vpcs.{}.instances.{}.public_ip: true", v.name, inst.name);
                    if v.igw.is_none() {
                        s.push_str(&format!(" and vpcs.{}.internet_gateway: true", v.name));
                    }
                    s
                }
                None => "give the destination a public IP".into(),
            }
        }
        (_, Some(C::EniSourceDestCheckRestriction)) => {
            match net.enis.iter().find(|e| e.aws_id == d.component).and_then(|e| net.eni_instance(e.id)) {
                Some(i) => {
                    let inst = net.instance(i);
                    format!("set vpcs.{}.instances.{}.source_dest_check: false", net.vpc(inst.vpc).name, inst.name)
                }
                None => "disable the source/destination check".into(),
            }
        }
        (_, Some(C::PcxRequiresAddressInVpcCidr)) => {
            let peer_of = |ip: Ipv4Addr| net.vpc_containing(ip).map(|v| net.vpc(v).name.clone());
            let pcx = net.peerings.iter().find(|p| p.aws_id == d.component);
            match (pcx, peer_of(h.dst)) {
                (Some(p), Some(dst_vpc)) => {
                    let here = net.vpc_containing(h.src).map(|v| net.vpc(v).name.clone()).unwrap_or_else(|| net.vpc(p.requester).name.clone());
                    format!(
                        "peering is not transitive: add to peerings: `{here}-{dst_vpc}: {{ requester: {here}, accepter: {dst_vpc} }}` and a route to each other's CIDR with target pcx:{here}-{dst_vpc} on both sides"
                    )
                }
                (Some(p), None) => {
                    let src_vpc = net.vpc_containing(h.src).map(|v| net.vpc(v).name.clone()).unwrap_or_else(|| net.vpc(p.requester).name.clone());
                    format!("no edge-to-edge routing through a peering: give vpcs.{src_vpc} its own internet_gateway: true or nat_gateways, and route 0.0.0.0/0 there")
                }
                _ => "route the traffic over a peering whose VPC contains the destination".into(),
            }
        }
        (_, Some(C::NgwRequiresSourceInVpc)) => {
            "a NAT gateway serves only its own VPC: add a NAT gateway (and internet gateway) to the source's VPC".into()
        }
        (_, Some(C::DisconnectedVpcs)) => "peer the two VPCs (peerings:) and route each other's CIDR to the peering".into(),
        (_, Some(C::ElbListenersMismatch)) => format!("add a listener for {}/{} to load_balancers.{}.listeners", crate::model::protocol_name(h.proto), h.dport, d.component),
        (_, Some(C::ElbNotCrosszone)) => format!("set load_balancers.{}.cross_zone: true, or register a target in the node's zone", d.component),
        (_, Some(C::Elbv2ListenerHasNoTg)) => format!("register targets of an enabled zone in the target group of load_balancers.{}", d.component),
        (_, Some(C::ElbNoHealthyTarget)) => format!("let {}'s nodes reach the targets' health-check port (security groups and NACLs), or set cross_zone: true", d.component),
        _ => format!("change {} so it lets {h} pass", d.component),
    }
}

/// An instance without a public address sends to the internet: a NAT gateway of its VPC keeps
/// it private (the fix that keeps the design, first), a public IP otherwise.
fn public_ip_fix(net: &Network, i: crate::model::InstanceId) -> String {
    let inst = net.instance(i);
    let v = net.vpc(inst.vpc);
    let rt = net.route_table(net.subnet(inst.subnet).route_table);
    let public = format!(
        "set vpcs.{}.instances.{}.public_ip: true",
        v.name, inst.name
    );
    let nat = v
        .nat_gateways
        .iter()
        .map(|n| net.nat(*n))
        .find(|n| !n.private && net.subnet(n.subnet).route_table != rt.id);
    match nat {
        Some(n) => format!(
            "route it through {}: in vpcs.{}.route_tables.{}.routes set `- {{ destination: 0.0.0.0/0, target: nat:{} }}` (the instance stays private); or {public}",
            n.aws_id, v.name, rt.name, n.name
        ),
        None => format!(
            "{public} (or add a NAT gateway in a public subnet and route 0.0.0.0/0 of its subnet there)"
        ),
    }
}

fn rule_str(r: &RuleId) -> String {
    r.to_string()
}

/// The route table with this display id (`rtb-main` exists in every VPC): the one in the
/// sender's VPC, else the destination's, else the first.
fn find_rtb<'a>(net: &'a Network, id: &str, h: &Header) -> Option<&'a crate::model::RouteTable> {
    let it = net.route_tables.iter().filter(|t| t.aws_id == id);
    let by = |ip: Ipv4Addr| {
        net.vpc_containing(ip)
            .and_then(|v| it.clone().find(|t| t.vpc == v))
    };
    by(h.src)
        .or_else(|| by(h.dst))
        .or_else(|| it.clone().next())
}

/// `cidr` a NACL rule should name for an address: its subnet's CIDR inside a VPC, `0.0.0.0/0`
/// for the internet.
fn cidr_for(net: &Network, ip: Ipv4Addr) -> String {
    if let Some(v) = net.vpc_containing(ip) {
        if let Some(s) = net.subnet_of(v, ip) {
            return net.subnet(s).cidr.to_string();
        }
        return format!("{ip}/32");
    }
    if let Some(h) = net.internet_host_by_ip(ip) {
        if net.internet_host(h).name == INTERNET {
            return "0.0.0.0/0".into();
        }
    }
    if net.internet_host_by_ip(ip).is_some() || is_private(ip) || net.eni_by_public_ip(ip).is_some()
    {
        return format!("{ip}/32");
    }
    "0.0.0.0/0".into()
}

fn proto_ports(h: &Header, ports: &str) -> String {
    let p = protocol_name(h.proto);
    if h.has_ports() {
        format!("protocol: {p}, ports: {ports}")
    } else {
        format!("protocol: {p}")
    }
}

/// Which way the deciding component saw `h` (inbound when the decision says none), the address
/// on the component's own side (the destination of an inbound packet, the source of an outbound
/// one) and the address on the far side.
fn sides(d: &Decision, h: &Header) -> (Direction, Ipv4Addr, Ipv4Addr) {
    match d.direction.unwrap_or(Direction::Inbound) {
        Direction::Inbound => (Direction::Inbound, h.dst, h.src),
        Direction::Outbound => (Direction::Outbound, h.src, h.dst),
    }
}

/// The component `d` names among `all` (by display id, which components of different VPCs may
/// share): the one in the VPC containing `here`, else the first with that id.
fn deciding<'a, T>(
    net: &Network,
    all: &'a [T],
    d: &Decision,
    here: Ipv4Addr,
    id_vpc: impl Fn(&T) -> (&str, VpcId),
) -> Option<&'a T> {
    let vpc = net.vpc_containing(here);
    let mut it = all.iter().filter(|c| id_vpc(c).0 == d.component);
    it.clone()
        .find(|c| Some(id_vpc(c).1) == vpc)
        .or_else(|| it.next())
}

fn nacl_fix(net: &Network, d: &Decision, h: &Header, ports: &str) -> String {
    let (dir, here, peer) = sides(d, h);
    let Some(acl) = deciding(net, &net.nacls, d, here, |a| (a.aws_id.as_str(), a.vpc)) else {
        return format!("allow {h} in {}", d.component);
    };
    let entries = if dir == Direction::Inbound {
        &acl.inbound
    } else {
        &acl.outbound
    };
    let used = |n: u16| entries.iter().any(|e| e.number == n);
    let number = match d.rule {
        RuleId::Number(n) => (1..n).rev().find(|k| !used(*k)).unwrap_or(1),
        _ => {
            let max = entries.iter().map(|e| e.number).max().unwrap_or(0);
            ((max / 10) * 10 + 10).clamp(100, 32766)
        }
    };
    format!(
        "add to vpcs.{}.network_acls.{}.{}: `- {{ rule: {number}, {}, cidr: {}, action: allow }}`",
        net.vpc(acl.vpc).name,
        acl.name,
        dir,
        proto_ports(h, ports),
        cidr_for(net, peer)
    )
}

fn sg_ref(net: &Network, g: SgId, from_vpc: VpcId) -> String {
    let sg = net.sg(g);
    if sg.vpc == from_vpc {
        format!("sg:{}", sg.name)
    } else {
        format!("sg:{}/{}", net.vpc(sg.vpc).name, sg.name)
    }
}

fn sg_fix(net: &Network, d: &Decision, h: &Header, ports: &str) -> String {
    let (dir, here, peer) = sides(d, h);
    let Some(sg) = deciding(net, &net.sgs, d, here, |g| (g.aws_id.as_str(), g.vpc)) else {
        return format!("allow {h} in {}", d.component);
    };
    // A peer instance in the same or a peered VPC is best named by its group.
    let by_group = net
        .vpcs
        .iter()
        .filter(|v| v.id == sg.vpc || net.peering_between(v.id, sg.vpc).is_some())
        .find_map(|v| net.eni_by_private_ip(v.id, peer))
        .and_then(|e| net.eni(e).sgs.first().copied())
        // A subnet source's stand-in group is no group to name in a rule.
        .filter(|g| net.sg(*g).aws_id != crate::model::probe_host::SUBNET_SOURCE_SG);
    let peer_s = match by_group {
        Some(g) => sg_ref(net, g, sg.vpc),
        None => cidr_for(net, peer),
    };
    let key = if dir == Direction::Inbound {
        "source"
    } else {
        "destination"
    };
    format!(
        "add to vpcs.{}.security_groups.{}.{}: `- {{ {}, {key}: {peer_s} }}`",
        net.vpc(sg.vpc).name,
        sg.name,
        dir,
        proto_ports(h, ports)
    )
}

fn route_fix(net: &Network, d: &Decision, h: &Header) -> String {
    let Some(rt) = find_rtb(net, &d.component, h) else {
        return format!("add a route to {}", h.dst);
    };
    let vpc = net.vpc(rt.vpc);
    let (dest, target) = if let Some(peer) = net.vpc_containing(h.dst) {
        match net.peering_between(rt.vpc, peer) {
            Some(p) => (net.vpc(peer).primary_cidr().to_string(), format!("pcx:{}", net.peering(p).name)),
            None => {
                return format!(
                    "{} and {} are not peered: add to peerings: `{}-{}: {{ requester: {}, accepter: {} }}`, then add to vpcs.{}.route_tables.{}.routes: `- {{ destination: {}, target: pcx:{}-{} }}` (and the return route on the other side)",
                    vpc.aws_id, net.vpc(peer).aws_id, vpc.name, net.vpc(peer).name, vpc.name, net.vpc(peer).name,
                    vpc.name, rt.name, net.vpc(peer).primary_cidr(), vpc.name, net.vpc(peer).name
                )
            }
        }
    } else {
        let src_public = net
            .eni_by_private_ip(rt.vpc, h.src)
            .and_then(|e| net.eni(e).public_ip)
            .is_some();
        let nat = vpc.nat_gateways.first().map(|n| net.nat(*n).name.clone());
        match (src_public, nat) {
            (false, Some(n)) => ("0.0.0.0/0".into(), format!("nat:{n}")),
            _ => ("0.0.0.0/0".into(), "igw".into()),
        }
    };
    let mut s = format!(
        "add to vpcs.{}.route_tables.{}.routes: `- {{ destination: {dest}, target: {target} }}`",
        vpc.name, rt.name
    );
    if target == "igw" && vpc.igw.is_none() {
        s.push_str(&format!(
            " and set vpcs.{}.internet_gateway: true",
            vpc.name
        ));
    }
    if rt.main {
        s.push_str(
            " (this is the VPC's implicit main table: or give the subnet its own `route_table:`)",
        );
    }
    s
}
