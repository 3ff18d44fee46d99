//! Resolving `--from` / `--to` into a [`Party`] (part of `reach`, rank 4): names, display ids
//! and AWS ids of instances, ENIs, subnets, gateways and NAT gateways, internet hosts,
//! `internet`, and IP addresses (spec/cli.md, "Sources, destinations and protocols").

use super::endpoint::{internet_address, Party};
use crate::model::{EniOwner, Network, SubnetId};
use std::net::Ipv4Addr;

/// What a name or id names, before it is a source or a destination.
enum Named {
    Instance(crate::model::InstanceId),
    /// A further (not the primary) interface of an instance, by its private IP.
    InstanceEni(crate::model::InstanceId, Ipv4Addr),
    Host(crate::model::InternetHostId),
    Subnet(SubnetId),
    /// An internet gateway's display id (`igw-main`).
    Igw(String),
    /// A NAT gateway (its own private address is what a packet to it is addressed to).
    Nat(crate::model::NatId),
    /// A peering connection (`pcx-…`).
    Peering(String),
    /// An interface endpoint's ENI (`eni-…`, or `vpce-…` for the one in the source's AZ).
    EndpointEni(crate::model::EniId),
    /// A load balancer (by name, DNS name, ARN or a node's ENI id).
    LoadBalancer(crate::model::LoadBalancerId),
}

/// Looks a name or id up. Err: ambiguous (the message says how to choose); Ok(None): unknown.
fn lookup(net: &Network, s: &str) -> Result<Option<Named>, String> {
    if let Some(l) = net.load_balancer_by_name(s) {
        return Ok(Some(Named::LoadBalancer(l)));
    }
    if let Some(i) = net.instance_by_name(s) {
        return Ok(Some(Named::Instance(i)));
    }
    if let Some(h) = net.internet_host_by_name(s) {
        return Ok(Some(Named::Host(h)));
    }
    if let Some(i) = net.instances.iter().find(|i| i.aws_id == s) {
        return Ok(Some(Named::Instance(i.id)));
    }
    if let Some(e) = net.enis.iter().find(|e| e.aws_id == s) {
        return Ok(Some(match e.owner {
            EniOwner::Instance(i) if net.instance(i).eni != e.id => {
                Named::InstanceEni(i, e.private_ip)
            }
            EniOwner::Instance(i) => Named::Instance(i),
            EniOwner::NatGateway(n) => Named::Nat(n),
            EniOwner::VpcEndpoint(_) => Named::EndpointEni(e.id),
            EniOwner::LoadBalancer(l) => Named::LoadBalancer(l),
        }));
    }
    if let Some((v, n)) = s.strip_prefix("subnet:").and_then(|r| r.split_once('/')) {
        let vpc = net
            .vpc_by_name(v)
            .ok_or_else(|| format!("no VPC named `{v}`"))?;
        return Ok(net
            .subnets
            .iter()
            .find(|x| x.vpc == vpc && x.name == n)
            .map(|x| Named::Subnet(x.id)));
    }
    let subs: Vec<_> = net.subnets.iter().filter(|x| x.aws_id == s).collect();
    if subs.len() > 1 {
        let alts: Vec<String> = subs
            .iter()
            .map(|x| format!("subnet:{}/{}", net.vpc(x.vpc).name, x.name))
            .collect();
        return Err(format!(
            "`{s}` names a subnet in several VPCs\nhint: say which: {}",
            alts.join(", ")
        ));
    }
    if let Some(x) = subs.first() {
        return Ok(Some(Named::Subnet(x.id)));
    }
    if let Some(n) = net.nat_gateways.iter().find(|n| n.aws_id == s) {
        return Ok(Some(Named::Nat(n.id)));
    }
    if let Some(g) = net
        .vpcs
        .iter()
        .filter_map(|v| v.igw.as_ref())
        .find(|g| *g == s)
    {
        return Ok(Some(Named::Igw(g.clone())));
    }
    if let Some(p) = net.peerings.iter().find(|p| p.aws_id == s) {
        return Ok(Some(Named::Peering(p.aws_id.clone())));
    }
    if let Some(ep) = net.vpc_endpoints.iter().find(|e| e.aws_id == s) {
        // The source's AZ picks among the ENIs later (`Query::new`); the first stands in.
        return match net.endpoint_eni_for_az(ep.id, None) {
            Some(e) => Ok(Some(Named::EndpointEni(e))),
            None => Err(format!(
                "`{s}` is a gateway endpoint: it has no address of its own\nhint: name an address of its service (--to {})",
                net.aws_service(ep.service).ip
            )),
        };
    }
    Ok(None)
}

/// An address that can name nothing: unspecified, loopback, multicast, broadcast.
fn unusable(ip: Ipv4Addr) -> bool {
    ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() || ip.is_broadcast()
}

/// The party an address names: the instance or internet host that has it, else None.
fn owner_of(net: &Network, ip: Ipv4Addr) -> Option<Party> {
    for v in &net.vpcs {
        if let Some(e) = net
            .eni_by_private_ip(v.id, ip)
            .filter(|e| matches!(net.eni(*e).owner, EniOwner::VpcEndpoint(_)))
        {
            return Some(Party::EndpointEni(e));
        }
        if let Some(i) = net
            .eni_by_private_ip(v.id, ip)
            .and_then(|e| net.eni_instance(e))
        {
            return Some(Party::InstanceAt(i, ip));
        }
    }
    if let Some(i) = net.eni_by_public_ip(ip).and_then(|e| net.eni_instance(e)) {
        return Some(Party::InstanceAt(i, ip));
    }
    for e in &net.enis {
        if let (Some(l), true) = (
            net.eni_load_balancer(e.id),
            e.private_ip == ip || e.public_ip == Some(ip),
        ) {
            return Some(Party::LoadBalancer {
                lb: l,
                node: e.id,
                http: Default::default(),
            });
        }
    }
    net.internet_host_by_ip(ip).map(|h| {
        let host = net.internet_host(h);
        Party::Host {
            name: host.name.clone(),
            ip: host.ip,
        }
    })
}

fn unknown(net: &Network, s: &str) -> String {
    let mut names: Vec<&str> = net.instances.iter().map(|i| i.name.as_str()).collect();
    names.extend(net.internet_hosts.iter().map(|h| h.name.as_str()));
    format!(
        "`{s}` is not an instance, ENI, subnet, gateway, internet host, `internet` or an IPv4 address\nhint: known names: {}",
        names.join(", ")
    )
}

/// Resolves a destination (`--to`). An address nobody owns is a question, not an error
/// ([`Party::Address`]); so is a gateway's own address. Errors (exit 2): unknown names, an
/// unusable address, a subnet or a gateway named as a destination.
pub fn resolve(net: &Network, s: &str) -> Result<Party, String> {
    if s == "internet" {
        return Ok(Party::Internet {
            ip: internet_address(net),
        });
    }
    if let Ok(ip) = s.parse::<Ipv4Addr>() {
        if unusable(ip) {
            return Err(format!("{ip} cannot be a destination\nhint: name an instance, an internet host, `internet`, or a unicast address"));
        }
        return Ok(owner_of(net, ip).unwrap_or(Party::Address(ip)));
    }
    match lookup(net, s)? {
        Some(Named::Instance(i)) => Ok(Party::Instance(i)),
        Some(Named::InstanceEni(i, ip)) => Ok(Party::InstanceAt(i, ip)),
        Some(Named::Host(h)) => {
            let host = net.internet_host(h);
            Ok(Party::Host {
                name: host.name.clone(),
                ip: host.ip,
            })
        }
        Some(Named::Nat(n)) => Ok(Party::Address(net.eni(net.nat(n).eni).private_ip)),
        Some(Named::EndpointEni(e)) => Ok(Party::EndpointEni(e)),
        Some(Named::LoadBalancer(lb)) => lb_party(net, lb, s),
        Some(Named::Subnet(_) | Named::Igw(_) | Named::Peering(_)) => Err(format!(
            "`{s}` can only be a source (--from)\nhint: as a destination give an address in it (--to IP)"
        )),
        None => Err(unknown(net, s)),
    }
}

/// Resolves a destination (`--to`) as `from` would address it. A load balancer's name and
/// every other name resolve as in [`resolve`]; an AWS service's or an interface endpoint's
/// Amazon-provided DNS name (`sqs.REGION.amazonaws.com`, `BUCKET.s3.REGION.amazonaws.com`,
/// `vpce-….SERVICE.REGION.vpce.amazonaws.com` and its zonal names) is what `from`'s resolver
/// answers (`model::aws_names`, what the resolver that answers `dig` inside the VPC gives): with private DNS in
/// `from`'s VPC the endpoint's ENI in `from`'s AZ, else the first; otherwise the public service
/// (a gateway endpoint changes routes, not DNS).
pub fn resolve_for(net: &Network, s: &str, from: &Party) -> Result<Party, String> {
    if net.load_balancer_by_name(s).is_some() {
        return resolve(net, s);
    }
    let az = from.az(net);
    match crate::model::aws_names::address_for(net, s, from.resolver_vpc(net), az) {
        None => resolve(net, s),
        Some(None) => Err(format!(
            "`{s}` resolves to no address (its endpoint has no network interface)"
        )),
        Some(Some(ip)) => Ok(owner_of(net, ip).unwrap_or(Party::Address(ip))),
    }
}

/// Resolves a source (`--from`), with `--src-ip` when given: an instance or ENI sends from that
/// address (spoofed when not its own); a subnet starts the flow inside it (default: its first
/// free address); `internet` or an internet gateway start it on the internet at that address;
/// a NAT gateway starts it at its own ENI (never spoofed); a peering brings it from `--src-ip`
/// (required, in one of its VPCs) into the other VPC.
pub fn resolve_source(net: &Network, s: &str, src_ip: Option<Ipv4Addr>) -> Result<Party, String> {
    if let Some(ip) = src_ip.filter(|ip| unusable(*ip)) {
        return Err(format!("--src-ip {ip} cannot be a source address"));
    }
    if s == "internet" {
        return Ok(Party::Internet {
            ip: src_ip.unwrap_or_else(|| internet_address(net)),
        });
    }
    if let Ok(ip) = s.parse::<Ipv4Addr>() {
        if unusable(ip) {
            return Err(format!("{ip} cannot be a source"));
        }
        if let Some(p) = owner_of(net, ip) {
            return with_src(net, p, src_ip);
        }
        if let Some(sub) = net.vpc_containing(ip).and_then(|v| net.subnet_of(v, ip)) {
            return subnet_source(net, sub, Some(src_ip.unwrap_or(ip)));
        }
        if net.vpc_containing(ip).is_some() || crate::policy::path::is_private(ip) {
            return Err(format!("no subnet or host has the address {ip}\nhint: name an instance, a subnet, an internet host, or `internet --src-ip IP`"));
        }
        return Ok(Party::Internet {
            ip: src_ip.unwrap_or(ip),
        });
    }
    match lookup(net, s)? {
        Some(Named::Instance(i)) => with_src(net, Party::Instance(i), src_ip),
        Some(Named::InstanceEni(i, ip)) => with_src(net, Party::InstanceAt(i, ip), src_ip),
        Some(Named::Host(h)) => {
            let host = net.internet_host(h);
            with_src(
                net,
                Party::Host {
                    name: host.name.clone(),
                    ip: host.ip,
                },
                src_ip,
            )
        }
        Some(Named::Subnet(sub)) => subnet_source(net, sub, src_ip),
        Some(Named::Igw(id)) => Ok(Party::Gateway {
            id,
            ip: src_ip.unwrap_or_else(|| internet_address(net)),
        }),
        Some(Named::Nat(n)) => with_src(net, Party::NatGateway(n), src_ip).map_err(|_| {
            format!(
                "--src-ip: {} sends only from its own address {} (AWS NAT gateways do not spoof)",
                net.nat(n).aws_id,
                net.eni(net.nat(n).eni).private_ip
            )
        }),
        Some(Named::Peering(id)) => peering_source(net, &id, src_ip),
        Some(Named::EndpointEni(_)) => Err(format!(
            "`{s}` is an interface endpoint's network interface: it does not start connections (VPCE_INTRA_VPC_TRAFFIC)\nhint: use it as --to"
        )),
        Some(Named::LoadBalancer(_)) => Err(format!(
            "`{s}` is a load balancer: it can only be a destination (--to)\nhint: start the flow at a client (an instance, an internet host or `internet`)"
        )),
        None => Err(unknown(net, s)),
    }
}

/// `p` sending from `src_ip`: the same party when it is its own address.
fn with_src(net: &Network, p: Party, src_ip: Option<Ipv4Addr>) -> Result<Party, String> {
    let Some(ip) = src_ip.filter(|ip| *ip != p.source_ip(net)) else {
        return Ok(p);
    };
    match p {
        Party::Instance(i) | Party::InstanceAt(i, _) => Ok(Party::InstanceFrom(i, ip)),
        _ => Err(format!(
            "--src-ip {ip}: {} sends only from its own address",
            p.name(net)
        )),
    }
}

/// A flow starting inside `sub` from `ip` (default: the subnet's first free address).
fn subnet_source(net: &Network, sub: SubnetId, ip: Option<Ipv4Addr>) -> Result<Party, String> {
    let s = net.subnet(sub);
    let ip = match ip {
        Some(ip) => ip,
        None => net
            .first_free_address(sub)
            .ok_or_else(|| format!("{} has no free address to send from", s.aws_id))?,
    };
    if !s.cidr.contains(&ip) {
        return Err(format!("--src-ip {ip} is not in {} ({})", s.aws_id, s.cidr));
    }
    if let Some(i) = net
        .eni_by_private_ip(s.vpc, ip)
        .and_then(|e| net.eni_instance(e))
    {
        return Ok(Party::Instance(i));
    }
    if net.eni_by_private_ip(s.vpc, ip).is_some() {
        return Err(format!(
            "{ip} is a NAT gateway's address, not a source in {}",
            s.aws_id
        ));
    }
    Ok(Party::Subnet { subnet: sub, ip })
}

/// A flow arriving over peering `id` from `ip`, which must be in one of its two VPCs.
fn peering_source(net: &Network, id: &str, ip: Option<Ipv4Addr>) -> Result<Party, String> {
    let Some(p) = net.peerings.iter().find(|p| p.aws_id == id) else {
        return Err(unknown(net, id));
    };
    let Some(ip) = ip else {
        return Err(format!(
            "a flow entering through {id} needs its source address\nhint: --src-ip IP (an address of {} or {})",
            net.vpc(p.requester).aws_id,
            net.vpc(p.accepter).aws_id
        ));
    };
    if !net.vpc(p.requester).contains(ip) && !net.vpc(p.accepter).contains(ip) {
        return Err(format!(
            "--src-ip {ip} is in neither VPC of {id} ({}, {})",
            net.vpc(p.requester).aws_id,
            net.vpc(p.accepter).aws_id
        ));
    }
    Ok(Party::Peering { peering: p.id, ip })
}

/// A load balancer as a destination, at its first node; an error when it has none.
fn lb_party(net: &Network, lb: crate::model::LoadBalancerId, s: &str) -> Result<Party, String> {
    match net.load_balancer(lb).nodes.first() {
        Some(n) => Ok(Party::LoadBalancer {
            lb,
            node: n.eni,
            http: Default::default(),
        }),
        None => Err(format!("load balancer `{s}` has no node (no subnet)")),
    }
}
