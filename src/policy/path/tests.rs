use super::*;
use crate::model::{EniId, Network};
use crate::policy::{
    ComponentKind, Direction, ExplanationCode, Header, RuleId, TrafficPath, Verdict,
};
use std::net::Ipv4Addr;

fn load(y: &str) -> Network {
    crate::model::from_yaml(y)
}

fn three_tier() -> Network {
    load(include_str!("../../../topologies/three-tier.yaml"))
}

fn eni(n: &Network, name: &str) -> EniId {
    n.instance(n.instance_by_name(name).unwrap()).eni
}

fn ip(n: &Network, name: &str) -> Ipv4Addr {
    n.eni(eni(n, name)).private_ip
}

fn tcp(src: Ipv4Addr, dst: Ipv4Addr, dport: u16) -> Header {
    Header::l4(src, dst, 6, 40000, dport)
}

fn fwd(n: &Network, from: &str, h: Header) -> Walk {
    walk(
        n,
        &mut Assumed::default(),
        Origin::Eni(eni(n, from)),
        h,
        Options::default(),
    )
}

/// A walk of a new flow from the internet host at `client`.
fn from_internet(n: &Network, client: Ipv4Addr, h: Header) -> Walk {
    walk(
        n,
        &mut Assumed::default(),
        Origin::Internet(client),
        h,
        Options::default(),
    )
}

/// A walk of a reply: conntrack is assumed to have admitted the request, whose source was
/// `original_src` when a NAT gateway rewrote it.
fn reply(n: &Network, from: Origin, h: Header, original_src: Option<Ipv4Addr>) -> Walk {
    let mut assumed = Assumed {
        replies: true,
        original_src,
    };
    walk(n, &mut assumed, from, h, Options::default())
}

#[test]
fn app_to_db_allowed_across_subnets() {
    let n = three_tier();
    let w = fwd(&n, "app", tcp(ip(&n, "app"), ip(&n, "db"), 5432));
    assert_eq!(
        w.outcome,
        Outcome::Delivered {
            to: Delivery::Eni(eni(&n, "db")),
            header: tcp(ip(&n, "app"), ip(&n, "db"), 5432)
        }
    );
    let kinds: Vec<_> = w.hops.iter().map(|h| h.kind).collect();
    assert!(kinds.contains(&ComponentKind::NetworkAcl));
    assert_eq!(w.observations.len(), 2);
    assert_eq!(w.observations[0].direction, Direction::Outbound);
    assert_eq!(w.observations[0].traffic_path, Some(TrafficPath::SameVpc));
    assert!(
        w.observations[1].track,
        "db tracks the flow admitted by sg-db"
    );
}

#[test]
fn web_to_db_blocked_by_nacl_then_sg_collect_all() {
    let n = three_tier();
    let h = tcp(ip(&n, "web"), ip(&n, "db"), 5432);
    let w = fwd(&n, "web", h);
    let b = w.blocked().unwrap();
    // acl-data admits only 10.0.1.0/24: the NACL blocks first.
    assert_eq!(
        (b.component.as_str(), b.kind),
        ("acl-data", ComponentKind::NetworkAcl)
    );
    let w = walk(
        &n,
        &mut Assumed::default(),
        Origin::Eni(eni(&n, "web")),
        h,
        Options {
            collect_all: true,
            ..Options::default()
        },
    );
    let comps: Vec<_> = w.blockers.iter().map(|d| d.component.as_str()).collect();
    assert_eq!(comps, vec!["acl-data", "sg-db"]);
}

#[test]
fn nacl_ephemeral_trap_on_return() {
    let n = three_tier();
    // db answers app from 5432 to app's ephemeral port: acl-data outbound allows 1024-65535 to 10.0.1.0/24.
    let back = tcp(ip(&n, "app"), ip(&n, "db"), 5432).reversed();
    let w = reply(&n, Origin::Eni(eni(&n, "db")), back, None);
    assert!(w.delivered(), "{:?}", w.blocked());
    // A reply to port 80 (below 1024) hits the * rule.
    let back = Header::l4(ip(&n, "db"), ip(&n, "app"), 6, 5432, 80);
    let w = reply(&n, Origin::Eni(eni(&n, "db")), back, None);
    let b = w.blocked().unwrap();
    assert_eq!(
        (b.component.as_str(), b.rule.clone()),
        ("acl-data", RuleId::Star)
    );
    assert_eq!(
        w.observations[0].verdict,
        Verdict::Reject,
        "logged as REJECT on db's ENI"
    );
}

#[test]
fn internet_to_web_public_ip_and_reply() {
    let n = three_tier();
    let client: Ipv4Addr = "198.51.100.10".parse().unwrap();
    let public = n.eni(eni(&n, "web")).public_ip.unwrap();
    let w = from_internet(&n, client, tcp(client, public, 80));
    assert_eq!(
        w.outcome,
        Outcome::Delivered {
            to: Delivery::Eni(eni(&n, "web")),
            header: tcp(client, ip(&n, "web"), 80)
        }
    );
    assert!(w
        .hops
        .iter()
        .any(|h| h.kind == ComponentKind::InternetGateway && h.detail.contains("translates")));
    let o = &w.observations[0];
    assert_eq!(
        (o.direction, o.pkt_src, o.pkt_dst),
        (Direction::Inbound, client, ip(&n, "web"))
    );
    let back = tcp(client, ip(&n, "web"), 80).reversed();
    let w = reply(&n, Origin::Eni(eni(&n, "web")), back, None);
    match w.outcome {
        Outcome::Delivered {
            to: Delivery::Internet(_),
            header,
        } => assert_eq!(header.src, public),
        o => panic!("{o:?}"),
    }
    assert_eq!(
        w.observations[0].traffic_path,
        Some(TrafficPath::InternetGateway)
    );
}

#[test]
fn port_not_open_blocked_by_sg() {
    let n = three_tier();
    let client: Ipv4Addr = "198.51.100.10".parse().unwrap();
    let public = n.eni(eni(&n, "web")).public_ip.unwrap();
    let w = from_internet(&n, client, tcp(client, public, 443));
    let b = w.blocked().unwrap();
    assert_eq!(
        (b.component.as_str(), b.code),
        ("sg-web", Some(ExplanationCode::EniSgRulesMismatch))
    );
}

#[test]
fn igw_drops_without_public_ip_and_unknown_public_address() {
    let n = three_tier();
    let client: Ipv4Addr = "198.51.100.10".parse().unwrap();
    let w = from_internet(
        &n,
        client,
        tcp(client, "203.0.113.200".parse().unwrap(), 80),
    );
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::IgwPrivateIpAssociationForIngress)
    );
    let y = "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n      a: { cidr: 10.0.0.0/24, route_table: pub }\n    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n    instances:\n      x: { subnet: a }\ninternet:\n  hosts:\n    c: { ip: 198.51.100.10 }\n";
    let n = load(y);
    let w = fwd(&n, "x", tcp(ip(&n, "x"), client, 80));
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::IgwPublicIpAssociationForEgress)
    );
}

#[test]
fn nat_gateway_egress_and_no_inbound_initiation() {
    let n = three_tier();
    let client: Ipv4Addr = "198.51.100.10".parse().unwrap();
    let w = fwd(&n, "app", tcp(ip(&n, "app"), client, 443));
    let nat = &n.nat_gateways[0];
    match w.outcome {
        Outcome::Delivered {
            to: Delivery::Internet(_),
            header,
        } => assert_eq!(header.src, nat.elastic_ip.unwrap()),
        ref o => panic!("{o:?}"),
    }
    // app egress, NAT ingress, NAT egress.
    assert_eq!(w.observations.len(), 3);
    assert_eq!(w.observations[1].eni, nat.eni);
    // Unsolicited inbound to the EIP.
    let w = from_internet(&n, client, tcp(client, nat.elastic_ip.unwrap(), 22));
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::NgwNoInboundInitiation)
    );
    // With a mapping (reply), it reaches app.
    let back = Header::l4(client, nat.elastic_ip.unwrap(), 6, 443, 40000);
    let w = reply(&n, Origin::Internet(client), back, Some(ip(&n, "app")));
    assert_eq!(
        w.outcome,
        Outcome::Delivered {
            to: Delivery::Eni(eni(&n, "app")),
            header: Header {
                dst: ip(&n, "app"),
                ..back
            }
        }
    );
}

#[test]
fn same_subnet_ignores_deny_all_nacl() {
    let y = "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24, network_acl: closed }\n    network_acls:\n      closed: {}\n    instances:\n      x: { subnet: a }\n      y: { subnet: a }\n";
    let n = load(y);
    let w = fwd(&n, "x", tcp(ip(&n, "x"), ip(&n, "y"), 22));
    assert!(w.delivered(), "{:?}", w.blocked());
    assert!(!w.hops.iter().any(|h| h.kind == ComponentKind::NetworkAcl));
}

const PEER: &str = "name: t\nvpcs:\n  a:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: { cidr: 10.0.0.0/24, route_table: r }\n    route_tables:\n      r:\n        routes:\n          - { destination: 10.1.0.0/16, target: pcx:ab }\n          - { destination: 10.2.0.0/16, target: pcx:ab }\n          - { destination: 10.9.0.0/16, target: pcx:ab }\n    instances:\n      ia: { subnet: s }\n  b:\n    cidr: 10.1.0.0/16\n    subnets:\n      s: { cidr: 10.1.0.0/24, route_table: r }\n    route_tables:\n      r:\n        routes:\n          - { destination: 10.0.0.0/16, target: pcx:ab }\n          - { destination: 10.2.0.0/16, target: pcx:bc }\n    security_groups:\n      open:\n        inbound:\n          - { protocol: all, source: 0.0.0.0/0 }\n    instances:\n      ib: { subnet: s, security_groups: [open] }\n  c:\n    cidr: 10.2.0.0/16\n    subnets:\n      s: { cidr: 10.2.0.0/24, route_table: r }\n    route_tables:\n      r:\n        routes:\n          - { destination: 10.1.0.0/16, target: pcx:bc }\n    security_groups:\n      open:\n        inbound:\n          - { protocol: all, source: 0.0.0.0/0 }\n    instances:\n      ic: { subnet: s, security_groups: [open] }\npeerings:\n  ab: { requester: a, accepter: b }\n  bc: { requester: b, accepter: c }\n";

#[test]
fn peering_no_transit() {
    let n = load(PEER);
    let w = fwd(&n, "ia", tcp(ip(&n, "ia"), ip(&n, "ib"), 22));
    assert!(w.delivered(), "{:?}", w.blocked());
    assert_eq!(
        w.observations[0].traffic_path,
        Some(TrafficPath::IntraRegionPeering)
    );
    let w = fwd(&n, "ia", tcp(ip(&n, "ia"), ip(&n, "ic"), 22));
    let b = w.blocked().unwrap();
    assert_eq!(
        (b.kind, b.code),
        (
            ComponentKind::Peering,
            Some(ExplanationCode::PcxRequiresAddressInVpcCidr)
        )
    );
    let w = fwd(&n, "ia", tcp(ip(&n, "ia"), "10.9.0.5".parse().unwrap(), 22));
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::PcxRequiresAddressInVpcCidr)
    );
}

const NATI: &str = "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n      pub: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true }\n      priv: { cidr: 10.0.1.0/24, route_table: priv }\n    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n      priv:\n        routes:\n          - { destination: 0.0.0.0/0, target: instance:natbox }\n    security_groups:\n      nat:\n        inbound:\n          - { protocol: all, source: 10.0.0.0/16 }\n    instances:\n      natbox: { subnet: pub, role: nat, source_dest_check: SDC, security_groups: [nat] }\n      x: { subnet: priv }\ninternet:\n  hosts:\n    c: { ip: 198.51.100.10 }\n";

#[test]
fn nat_instance_needs_check_off() {
    let client: Ipv4Addr = "198.51.100.10".parse().unwrap();
    let n = load(&NATI.replace("SDC", "false"));
    let w = fwd(&n, "x", tcp(ip(&n, "x"), client, 80));
    match w.outcome {
        Outcome::Delivered {
            to: Delivery::Internet(_),
            header,
        } => assert_eq!(header.src, n.eni(eni(&n, "natbox")).public_ip.unwrap()),
        ref o => panic!("{o:?}"),
    }
    let n = load(&NATI.replace("SDC", "true"));
    let w = fwd(&n, "x", tcp(ip(&n, "x"), client, 80));
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::EniSourceDestCheckRestriction)
    );
}

#[test]
fn blackhole_and_no_route() {
    let y = "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24, route_table: r }\n    route_tables:\n      r:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n    instances:\n      x: { subnet: a }\n      y: { subnet: a, state: stopped }\n";
    let n = load(y);
    let w = fwd(
        &n,
        "x",
        tcp(ip(&n, "x"), "198.51.100.1".parse().unwrap(), 80),
    );
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::BadStateRoute)
    );
    let w = fwd(&n, "x", tcp(ip(&n, "x"), ip(&n, "y"), 80));
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::InstanceStopped)
    );
    let y2 = "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n    instances:\n      x: { subnet: a }\n";
    let n = load(y2);
    let w = fwd(
        &n,
        "x",
        tcp(ip(&n, "x"), "198.51.100.1".parse().unwrap(), 80),
    );
    assert_eq!(
        w.blocked().unwrap().code,
        Some(ExplanationCode::NoRouteToDestination)
    );
}

#[test]
fn resolver_is_intercepted() {
    let n = three_tier();
    let h = Header::l4(ip(&n, "db"), "10.0.0.2".parse().unwrap(), 17, 40000, 53);
    let w = fwd(&n, "db", h);
    assert_eq!(
        w.outcome,
        Outcome::Resolver {
            vpc: Some(n.vpcs[0].id)
        }
    );
}
