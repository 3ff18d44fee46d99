//! The ends of an IPv6 question (`reach -6`, `probe -6`; part of `reach`, rank 4): what
//! `--from`/`--to`/`--src-ip` name over IPv6, and the network the walk (or the virtual
//! backend's probe) runs in, with a host added where the source or destination is "an address"
//! rather than a modelled host: a subnet source (an ENI placed in the subnet at an IPv6
//! address, as the IPv4 subnet source is), an internet address (an internet host with that
//! IPv6 address), `internet` (its representative in 2001:db8::/32).
//!
//! Sources that cannot send IPv6 on AWS are refused with the reason: a NAT gateway (it has no
//! IPv6 address; NAT64 translates flows IPv6 clients start), an IPv4-only subnet, a load
//! balancer or an interface endpoint (no IPv6 modelled for them). A flow entering over a
//! peering connection (`--from pcx-…`) is refused too: ask from a subnet of the peer VPC.

use super::endpoint::Party;
use super::resolve::{resolve, resolve_source};
use crate::model::{
    ipv6::{Sg6, SgPeer6, SgRule6},
    EniId, IcmpMatch, InternetHostId, Network, PortRange, Protocol, SubnetId, VpcId,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An end as typed: a name or id (resolved as over IPv4), or an IPv6 address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party6 {
    /// Resolved by `reach::resolve`/`resolve_source` (its IPv6 side is used).
    Named(Party),
    /// An IPv6 address.
    Addr(Ipv6Addr),
    /// An egress-only internet gateway, by display id (`eigw-egress`) or AWS id (a source only).
    Eigw(VpcId),
}

/// An IPv6 question: the two ends, the source address (`--src-ip`), protocol and ports.
#[derive(Clone, Debug)]
pub struct Question6 {
    /// Source.
    pub from: Party6,
    /// Destination.
    pub to: Party6,
    /// `--src-ip` (IPv6): a subnet's or the internet's sending address, or a spoofed source.
    pub src_ip: Option<Ipv6Addr>,
    /// IP protocol number (1 is taken as ICMPv6).
    pub proto: u8,
    /// Destination port (tcp/udp).
    pub port: u16,
    /// Source port (tcp/udp); None: every class of the ephemeral range.
    pub src_port: Option<u16>,
}

/// One end inside the prepared network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End6 {
    /// The host behind an ENI (an instance, or a subnet source's placed ENI).
    Eni(EniId),
    /// An internet host (named, or added for an address).
    Host(InternetHostId),
    /// A destination address nobody owns.
    Addr(Ipv6Addr),
}

/// A question made ready to walk or probe.
#[derive(Clone, Debug)]
pub struct Prepared6 {
    /// The network with the hosts added for the ends (None: the original serves).
    pub net: Option<Network>,
    /// Source end.
    pub from: End6,
    /// The address the source sends from (its own, or `--src-ip`).
    pub src: Option<Ipv6Addr>,
    /// Destination end.
    pub to: End6,
    /// The IPv4 parties (for DNS64's view of an IPv4-only destination), when named.
    pub from4: Option<Party>,
    /// The destination as named, when named.
    pub to4: Option<Party>,
    /// Source and destination as printed.
    pub names: (String, String),
    /// `--from igw-…`: the flow must enter through this internet gateway (of this VPC).
    pub via_igw: Option<(String, VpcId)>,
    /// `--from eigw-…`: nothing enters through an egress-only gateway.
    pub via_eigw: Option<VpcId>,
}

impl Prepared6 {
    /// The network to walk or probe in.
    pub fn network<'a>(&'a self, orig: &'a Network) -> &'a Network {
        self.net.as_ref().unwrap_or(orig)
    }
}

/// True for addresses that name nothing: unspecified, loopback, multicast, link-local.
fn unusable6(a: Ipv6Addr) -> bool {
    a.is_unspecified()
        || a.is_loopback()
        || a.is_multicast()
        || (a.segments()[0] & 0xffc0) == 0xfe80
}

/// Parses `--from`/`--to` for `-6`: an IPv6 address, an egress-only gateway, else a name as
/// over IPv4 (`is_source` picks `resolve_source` or `resolve`).
pub fn party6(net: &Network, s: &str, is_source: bool) -> Result<Party6, String> {
    if let Ok(a) = s.parse::<Ipv6Addr>() {
        if unusable6(a) {
            let what = if is_source {
                "a source"
            } else {
                "a destination"
            };
            return Err(format!(
                "{a} cannot be {what}\nhint: name an instance, a subnet, an internet host, `internet`, or a global unicast address"
            ));
        }
        return Ok(Party6::Addr(a));
    }
    if s.parse::<Ipv4Addr>().is_ok() {
        return Err(format!(
            "{s} is an IPv4 address: -6 takes IPv6 addresses\nhint: drop -6, or give an IPv6 address or a name"
        ));
    }
    if let Some(v) = eigw_named(net, s) {
        if !is_source {
            return Err(format!(
                "`{s}` can only be a source (--from)\nhint: as a destination give an address beyond it (--to IP)"
            ));
        }
        return Ok(Party6::Eigw(v));
    }
    let p = if is_source {
        resolve_source(net, s, None)?
    } else {
        resolve(net, s)?
    };
    Ok(Party6::Named(p))
}

/// The VPC whose egress-only gateway has this display id or AWS id.
pub fn eigw_named(net: &Network, s: &str) -> Option<VpcId> {
    net.vpcs
        .iter()
        .find(|v| net.eigw(v.id).is_some_and(|g| g.aws_id == s))
        .map(|v| v.id)
}

/// True when `--from`/`--to`/`--src-ip` name something IPv6 only: an IPv6 address or an
/// egress-only gateway (it carries IPv6 only).
pub fn implies_ipv6(net: &Network, from: &str, to: &str, src_ip: Option<IpAddr>) -> bool {
    matches!(src_ip, Some(IpAddr::V6(_)))
        || from.parse::<Ipv6Addr>().is_ok()
        || to.parse::<Ipv6Addr>().is_ok()
        || eigw_named(net, from).is_some()
}

/// True when an end has no IPv4 of its own (an instance in, or a subnet that is, an
/// `ipv6_only` subnet): without `-4`, "a name with one family" is asked in that one.
pub fn prefers_ipv6(net: &Network, from: &str, to: &str) -> bool {
    let only6 = |p: Result<Party, String>| match p {
        Ok(Party::Instance(i)) => {
            let e = net.instance(i).eni;
            net.subnet_ipv6(net.eni(e).subnet).ipv6_only
        }
        Ok(Party::Subnet { subnet, .. }) => net.subnet_ipv6(subnet).ipv6_only,
        _ => false,
    };
    only6(resolve_source(net, from, None)) || only6(resolve(net, to))
}

/// The representative IPv6 address of `internet`: the first of 2001:db8::c8.. no host has.
pub fn internet_address6(net: &Network) -> Ipv6Addr {
    (0xc8u128..0x1_0000)
        .map(|o| crate::topology::ipv6::offset6("2001:db8::".parse().expect("constant"), o))
        .find(|a| net.host_by_ipv6(*a).is_none() && net.eni_by_ipv6(*a).is_none())
        .unwrap_or_else(|| "2001:db8::ffff".parse().expect("constant"))
}

/// The first IPv6 address of `sub` no ENI holds, after AWS's reserved first four (the last
/// address is reserved too); None for an IPv4-only subnet.
pub fn first_free_address6(net: &Network, sub: SubnetId) -> Option<Ipv6Addr> {
    let c = net.subnet_ipv6(sub).cidr?;
    (4u128..0x1_0000)
        .map(|o| crate::topology::ipv6::offset6(c.network(), o))
        .find(|a| net.eni_by_ipv6(*a).is_none())
}

/// An internet host with IPv6 address `a` in `n` (added, hidden, when none has it).
fn host_at(n: &mut Network, a: Ipv6Addr) -> Result<InternetHostId, String> {
    if let Some(h) = n.host_by_ipv6(a) {
        return Ok(h);
    }
    let v4 = (200..=254u8)
        .flat_map(|l| [Ipv4Addr::new(192, 0, 2, l), Ipv4Addr::new(203, 0, 113, l)])
        .find(|ip| n.internet_host_by_ip(*ip).is_none() && n.eni_by_public_ip(*ip).is_none())
        .ok_or("no free documentation address left for an internet host")?;
    let (mut m, _) = n
        .with_hidden_internet_host("internet", v4, Vec::new())
        .ok_or("cannot add an internet host")?;
    let h = InternetHostId(m.internet_hosts.len() as u32 - 1);
    m.ipv6.hosts.resize(m.internet_hosts.len(), None);
    m.ipv6.hosts[h.idx()] = Some(a);
    m.ipv6.host_by_ip.insert(a, h);
    *n = m;
    Ok(h)
}

/// An ENI placed in `sub` at IPv6 address `a` (and the subnet's first free IPv4 address),
/// whose security group lets everything through: "a flow starting inside the subnet".
fn subnet_eni(n: &mut Network, name: &str, sub: SubnetId, a: Ipv6Addr) -> Result<EniId, String> {
    let s = n.subnet(sub).clone();
    let v4 = n
        .first_free_address(sub)
        .ok_or_else(|| format!("{} has no free address to send from", s.aws_id))?;
    let (mut m, id) = n
        .with_subnet_source(name, sub, v4)
        .ok_or_else(|| format!("{} has no free address to send from", s.aws_id))?;
    let eni = m.instance(id).eni;
    let sg = m.eni(eni).sgs[0];
    m.ipv6.enis.resize(m.enis.len(), Vec::new());
    m.ipv6.enis[eni.idx()] = vec![a];
    m.ipv6.eni_by_ip.insert(a, eni);
    let all = |index| SgRule6 {
        index,
        protocol: Protocol::All,
        ports: PortRange::ALL,
        icmp: IcmpMatch::default(),
        peer: SgPeer6::Cidr(Default::default()),
        loc: Default::default(),
    };
    m.ipv6.sgs.resize(m.sgs.len(), Sg6::default());
    m.ipv6.sgs[sg.idx()] = Sg6 {
        inbound: vec![all(1)],
        outbound: vec![all(1)],
    };
    *n = m;
    Ok(eni)
}

/// A subnet source at `ip` (default: the subnet's first free IPv6 address): the instance that
/// has the address, else an ENI placed there. Err: an IPv4-only subnet, an address outside it.
fn subnet_source6(
    n: &mut Network,
    sub: SubnetId,
    ip: Option<Ipv6Addr>,
) -> Result<(End6, Ipv6Addr, String), String> {
    let s = n.subnet(sub).clone();
    let Some(c) = n.subnet_ipv6(sub).cidr else {
        return Err(format!(
            "{} is IPv4-only (no ipv6_cidr): it sends no IPv6\nhint: ask over IPv4 (-4), or give the subnet an ipv6_cidr",
            s.aws_id
        ));
    };
    let ip = match ip {
        Some(a) => a,
        None => first_free_address6(n, sub)
            .ok_or_else(|| format!("{} has no free IPv6 address to send from", s.aws_id))?,
    };
    if !c.contains(&ip) {
        return Err(format!("--src-ip {ip} is not in {} ({c})", s.aws_id));
    }
    let name = format!("{} ({ip})", s.aws_id);
    if let Some(e) = n.eni_by_ipv6(ip) {
        return match n.eni_instance(e) {
            Some(i) => Ok((End6::Eni(e), ip, n.instance(i).name.clone())),
            None => Err(format!("{ip} is not a source in {}", s.aws_id)),
        };
    }
    let e = subnet_eni(n, &name, sub, ip)?;
    Ok((End6::Eni(e), ip, name))
}

/// Prepares `q` over network `net` (see the module doc). Err: an input error, said plainly.
pub fn prepare6(net: &Network, q: &Question6) -> Result<Prepared6, String> {
    let mut n = net.clone();
    let mut changed = false;
    let mut p = Prepared6 {
        net: None,
        from: End6::Addr(Ipv6Addr::UNSPECIFIED),
        src: None,
        to: End6::Addr(Ipv6Addr::UNSPECIFIED),
        from4: None,
        to4: None,
        names: (String::new(), String::new()),
        via_igw: None,
        via_eigw: None,
    };
    if let Some(a) = q.src_ip.filter(|a| unusable6(*a)) {
        return Err(format!("--src-ip {a} cannot be a source address"));
    }
    // The source.
    let (from, src, name) = match &q.from {
        Party6::Eigw(v) => {
            let g = net.eigw(*v).map(|g| g.aws_id.clone()).unwrap_or_default();
            let ip = q.src_ip.unwrap_or_else(|| internet_address6(net));
            p.via_eigw = Some(*v);
            let h = host_at(&mut n, ip)?;
            changed = true;
            (End6::Host(h), Some(ip), format!("{g} (from {ip})"))
        }
        Party6::Addr(a) => source_addr(&mut n, &mut changed, *a, q.src_ip)?,
        Party6::Named(party) => {
            p.from4 = Some(party.clone());
            source_named(&mut n, &mut changed, &mut p, party, q.src_ip)?
        }
    };
    p.from = from;
    p.src = src;
    p.names.0 = name;
    // The destination.
    let (to, name) = match &q.to {
        Party6::Eigw(_) => return Err("an egress-only gateway can only be a source".into()),
        Party6::Addr(a) => match owner6(&n, *a) {
            Some(e) => (e, a.to_string()),
            None => (End6::Addr(*a), a.to_string()),
        },
        Party6::Named(party) => {
            p.to4 = Some(party.clone());
            dest_named(&mut n, &mut changed, party)?
        }
    };
    p.to = to;
    p.names.1 = name;
    if p.from == p.to && !matches!(p.to, End6::Addr(_)) {
        return Err("--from and --to are the same host".into());
    }
    p.net = changed.then_some(n);
    Ok(p)
}

/// The ENI or internet host owning `a`.
fn owner6(n: &Network, a: Ipv6Addr) -> Option<End6> {
    n.eni_by_ipv6(a)
        .map(End6::Eni)
        .or_else(|| n.host_by_ipv6(a).map(End6::Host))
}

type Src = (End6, Option<Ipv6Addr>, String);

/// A source typed as an IPv6 address: its owner, a subnet holding it, or the internet.
fn source_addr(
    n: &mut Network,
    changed: &mut bool,
    a: Ipv6Addr,
    src_ip: Option<Ipv6Addr>,
) -> Result<Src, String> {
    if let Some(e) = owner6(n, a) {
        let name = match e {
            End6::Eni(e) => match n.eni_instance(e) {
                Some(i) => n.instance(i).name.clone(),
                None => {
                    return Err(format!(
                        "{a} is {}'s address: it starts no flow",
                        n.eni(e).aws_id
                    ))
                }
            },
            End6::Host(h) => n.internet_host(h).name.clone(),
            End6::Addr(_) => a.to_string(),
        };
        return Ok((e, Some(src_ip.unwrap_or(a)), name));
    }
    let vpc = n
        .vpcs
        .iter()
        .find(|v| n.vpc_ipv6(v.id).is_some_and(|b| b.contains(&a)))
        .map(|v| v.id);
    if let Some(v) = vpc {
        let Some(sub) = n.subnet_by_ipv6(v, a) else {
            return Err(format!(
                "no subnet of {} holds {a}\nhint: name an instance, a subnet, or `internet --src-ip IP`",
                n.vpc(v).aws_id
            ));
        };
        *changed = true;
        let (e, ip, name) = subnet_source6(n, sub, Some(src_ip.unwrap_or(a)))?;
        return Ok((e, Some(ip), name));
    }
    let ip = src_ip.unwrap_or(a);
    let h = host_at(n, ip)?;
    *changed = true;
    Ok((End6::Host(h), Some(ip), format!("internet ({ip})")))
}

/// A named source over IPv6.
fn source_named(
    n: &mut Network,
    changed: &mut bool,
    p: &mut Prepared6,
    party: &Party,
    src_ip: Option<Ipv6Addr>,
) -> Result<Src, String> {
    match party {
        Party::Instance(i) | Party::InstanceAt(i, _) | Party::InstanceFrom(i, _) => {
            let e = party.eni(n).unwrap_or(n.instance(*i).eni);
            let own = n.eni_ipv6(e).first().copied();
            let name = match src_ip.filter(|a| Some(*a) != own) {
                Some(a) => format!("{} (from {a})", n.instance(*i).name),
                None => n.instance(*i).name.clone(),
            };
            Ok((End6::Eni(e), src_ip.or(own), name))
        }
        Party::Host { name, ip } => {
            let h = n
                .internet_host_by_ip(*ip)
                .ok_or_else(|| format!("no internet host has {ip}"))?;
            let own = n.host_ipv6(h);
            if let Some(a) = src_ip.filter(|a| Some(*a) != own) {
                return Err(format!("--src-ip {a}: {name} sends only from its own address"));
            }
            Ok((End6::Host(h), own, name.clone()))
        }
        Party::Internet { .. } => {
            let ip = src_ip.unwrap_or_else(|| internet_address6(n));
            if n.eni_by_ipv6(ip).is_some() || n.vpcs.iter().any(|v| n.vpc_ipv6(v.id).is_some_and(|b| b.contains(&ip))) {
                return Err(format!("--src-ip {ip} is inside a VPC, not on the internet\nhint: --from the subnet or instance that has it"));
            }
            let h = host_at(n, ip)?;
            *changed = true;
            Ok((End6::Host(h), Some(ip), format!("internet ({ip})")))
        }
        Party::Gateway { id, .. } => {
            let v = n
                .vpcs
                .iter()
                .find(|v| v.igw.as_deref() == Some(id.as_str()))
                .map(|v| v.id)
                .ok_or_else(|| format!("no VPC has internet gateway {id}"))?;
            if n.vpc_ipv6(v).is_none() {
                return Err(format!(
                    "{} has no IPv6 block: nothing enters it over IPv6 through {id}",
                    n.vpc(v).aws_id
                ));
            }
            let ip = src_ip.unwrap_or_else(|| internet_address6(n));
            let h = host_at(n, ip)?;
            *changed = true;
            p.via_igw = Some((id.clone(), v));
            Ok((End6::Host(h), Some(ip), format!("{id} (from {ip})")))
        }
        Party::Subnet { subnet, .. } => {
            *changed = true;
            let (e, ip, name) = subnet_source6(n, *subnet, src_ip)?;
            Ok((e, Some(ip), name))
        }
        Party::NatGateway(g) => Err(format!(
            "{} has no IPv6 address: a NAT gateway starts no IPv6 flow (it translates, with NAT64, the flows IPv6 clients send to 64:ff9b::/96)\nhint: ask from a client in a subnet routed to it, or over IPv4 (-4)",
            n.nat(*g).aws_id
        )),
        Party::Peering { peering, .. } => Err(format!(
            "-6 does not take a flow entering over {}\nhint: ask from an instance or a subnet of the peer VPC (--from subnet-… -6)",
            n.peering(*peering).aws_id
        )),
        Party::Address(ip) => Err(format!("{ip} is an IPv4 address: -6 takes IPv6 addresses")),
        Party::EndpointEni(e) => Err(format!(
            "{} is an interface endpoint's network interface: it does not start connections",
            n.eni(*e).aws_id
        )),
        Party::LoadBalancer { lb, .. } => Err(format!(
            "{} is a load balancer: it can only be a destination",
            n.load_balancer(*lb).name
        )),
    }
}

/// A named destination over IPv6.
fn dest_named(
    n: &mut Network,
    changed: &mut bool,
    party: &Party,
) -> Result<(End6, String), String> {
    let name = party.name(n);
    match party {
        Party::Instance(_) | Party::InstanceAt(..) | Party::InstanceFrom(..) => {
            let e = party.eni(n).ok_or("an instance without an interface")?;
            Ok((End6::Eni(e), name))
        }
        Party::Host { ip, .. } => {
            let h = n
                .internet_host_by_ip(*ip)
                .ok_or_else(|| format!("no internet host has {ip}"))?;
            Ok((End6::Host(h), name))
        }
        Party::Internet { ip } => {
            // `internet` stays a modelled host that answers, with an IPv6 representative.
            if let Some(h) = n.internet_host_by_ip(*ip).filter(|h| n.host_ipv6(*h).is_some()) {
                let a = n.host_ipv6(h).expect("checked");
                return Ok((End6::Host(h), format!("internet ({a})")));
            }
            let a = internet_address6(n);
            let h = host_at(n, a)?;
            *changed = true;
            Ok((End6::Host(h), format!("internet ({a})")))
        }
        Party::Address(ip) => Err(format!(
            "{ip} is an IPv4 address: -6 takes IPv6 addresses\nhint: drop -6, or give an IPv6 address"
        )),
        Party::NatGateway(g) => Err(format!(
            "{} has no IPv6 address (-6)",
            n.nat(*g).aws_id
        )),
        Party::EndpointEni(e) => Err(format!(
            "{} has no IPv6 address in vpclab's model (-6)\nhint: ask over IPv4",
            n.eni(*e).aws_id
        )),
        Party::LoadBalancer { lb, .. } => Err(format!(
            "{} is IPv4-only in vpclab's model (dual-stack load balancers are not modelled)\nhint: ask over IPv4",
            n.load_balancer(*lb).name
        )),
        Party::Subnet { .. } | Party::Gateway { .. } | Party::Peering { .. } => {
            Err(format!("{name} can only be a source (--from)"))
        }
    }
}
