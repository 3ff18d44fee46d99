//! The engine's IPv6 path (raw frames in, frames out): neighbour discovery answered by the
//! VPC router, the internet gateway into a dual-stack instance (an SG for `::/0` lets it in,
//! one for `0.0.0.0/0` does not), the egress-only gateway (out and replies, nothing in), a
//! packet too big for the internet gateway's 1500 bytes answered with ICMPv6 packet-too-big
//! (judged on its way back: a NACL denying ICMPv6 black-holes it, the SG admits it as related),
//! ICMPv6 errors (a UDP port unreachable too) of a tracked flow reaching its source, and
//! extension headers dropped and counted.

use std::net::Ipv6Addr;
use std::sync::Arc;
use vpclab::engine::wire::ipv6::{frame6, parse6};
use vpclab::engine::{Engine, EngineConfig, Output, PacketEvent};
use vpclab::model::{Mac, Network, PortId};
use vpclab::policy::{Direction, Verdict};

fn topo(web_rule: &str) -> Network {
    crate::common::net(&topo_yaml(web_rule))
}

fn topo_yaml(web_rule: &str) -> String {
    format!(
        "name: six
vpcs:
  v:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    internet_gateway: true
    egress_only_internet_gateways:
      out: {{}}
    subnets:
      pub: {{ cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: pub, assign_ipv6_address_on_creation: true }}
      priv: {{ cidr: 10.0.1.0/24, ipv6_cidr: 1, route_table: priv, assign_ipv6_address_on_creation: true }}
    route_tables:
      pub:
        routes:
          - {{ destination: \"::/0\", target: igw }}
      priv:
        routes:
          - {{ destination: \"::/0\", target: eigw:out }}
    security_groups:
      web:
        inbound:
          - {{ protocol: tcp, ports: 80, source: \"{web_rule}\" }}
      app:
        inbound:
          - {{ protocol: tcp, ports: 80, source: \"::/0\" }}
    instances:
      web: {{ subnet: pub, security_groups: [web] }}
      app: {{ subnet: priv, security_groups: [app] }}
internet:
  hosts:
    client: {{ ip: 198.51.100.10, ipv6: \"2001:db8::10\" }}
"
    )
}

/// `topo("::/0")` with an inbound rule in web's SG for ICMPv6 `filter` (e.g. `""` for every
/// type, `", icmp: { type: 2 }"` for packet too big only): SGs admit ICMPv6 errors only by a
/// rule, as path MTU discovery on AWS needs.
fn topo_icmp6(filter: &str) -> Network {
    let line = "          - { protocol: tcp, ports: 80, source: \"::/0\" }\n      app:";
    let y = topo_yaml("::/0");
    assert!(y.contains(line));
    crate::common::net(&y.replacen(
        line,
        &format!(
            "          - {{ protocol: tcp, ports: 80, source: \"::/0\" }}\n          - {{ protocol: icmpv6{filter}, source: \"::/0\" }}\n      app:"
        ),
        1,
    ))
}

struct Lab {
    net: Arc<Network>,
    e: Engine,
    /// The packet events of the last `send`.
    events: Vec<PacketEvent>,
}

impl Lab {
    fn new(n: Network) -> Lab {
        let net = Arc::new(n);
        Lab {
            e: Engine::new(net.clone(), EngineConfig::default()),
            net,
            events: vec![],
        }
    }
    fn port(&self, name: &str) -> PortId {
        self.net.ports.iter().find(|p| p.name == name).unwrap().id
    }
    fn mac(&self, name: &str) -> Mac {
        self.net.port(self.port(name)).mac
    }
    fn v6(&self, name: &str) -> Ipv6Addr {
        if let Some(i) = self.net.instance_by_name(name) {
            return self.net.eni_ipv6(self.net.instance(i).eni)[0];
        }
        let h = self
            .net
            .internet_hosts
            .iter()
            .find(|h| h.name == name)
            .unwrap()
            .id;
        self.net.host_ipv6(h).unwrap()
    }
    /// Sends a TCP segment with `flags` and `extra` payload bytes from host `from` to `to`;
    /// returns the frames the engine sent, with their ports.
    fn tcp(
        &mut self,
        from: &str,
        to: &str,
        sport: u16,
        dport: u16,
        flags: u8,
        extra: usize,
    ) -> Vec<(PortId, Vec<u8>)> {
        let mut seg = vec![0u8; 20 + extra];
        seg[0..2].copy_from_slice(&sport.to_be_bytes());
        seg[2..4].copy_from_slice(&dport.to_be_bytes());
        seg[12] = 5 << 4;
        seg[13] = flags;
        let f = frame6(
            self.net.router_mac,
            self.mac(from),
            self.v6(from),
            self.v6(to),
            6,
            64,
            seg,
        );
        self.send(from, f)
    }
    fn send(&mut self, from: &str, f: Vec<u8>) -> Vec<(PortId, Vec<u8>)> {
        self.e.handle_frame(self.port(from), &f, 1_000);
        let mut out = vec![];
        self.events.clear();
        while let Some(o) = self.e.poll_output() {
            match o {
                Output::Frame { port, data } => out.push((port, data)),
                Output::Packet(ev) => self.events.push(*ev),
            }
        }
        out
    }
}

const SYN: u8 = 0x02;
const SYN_ACK: u8 = 0x12;

#[test]
fn the_router_answers_neighbour_solicitations() {
    let mut l = Lab::new(topo("::/0"));
    let router: Ipv6Addr = "fe80::1".parse().unwrap();
    let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
    ns.extend_from_slice(&router.octets());
    let src = l.v6("web");
    let f = frame6(
        [0x33, 0x33, 0xff, 0, 0, 1],
        l.mac("web"),
        src,
        "ff02::1:ff00:1".parse().unwrap(),
        58,
        255,
        ns,
    );
    let out = l.send("web", f);
    assert_eq!(out.len(), 1);
    let (port, na) = &out[0];
    assert_eq!(*port, l.port("web"));
    let p = parse6(na).unwrap();
    assert_eq!(
        (p.header.icmp_type(), p.header.src, p.header.dst),
        (136, router, src)
    );
    assert_eq!(
        &na[6..12],
        &l.net.router_mac,
        "the router's MAC, no flooding"
    );
    assert_eq!(l.e.ipv6_stats().ndp_answered, 1);
}

#[test]
fn internet_reaches_a_dual_stack_instance_only_with_an_ipv6_rule() {
    let mut l = Lab::new(topo("::/0"));
    let out = l.tcp("client", "web", 40000, 80, SYN, 0);
    assert_eq!(out.len(), 1, "delivered");
    assert_eq!(out[0].0, l.port("web"));
    assert_eq!(&out[0].1[0..6], &l.mac("web"));
    let back = l.tcp("web", "client", 80, 40000, SYN_ACK, 0);
    assert_eq!(
        back.iter().map(|x| x.0).collect::<Vec<_>>(),
        [l.port("client")],
        "the reply is tracked"
    );

    let mut l = Lab::new(topo("0.0.0.0/0"));
    assert!(
        l.tcp("client", "web", 40000, 80, SYN, 0).is_empty(),
        "0.0.0.0/0 does not match IPv6"
    );
    assert_eq!(l.e.ipv6_stats().policy_drops, 1);
}

#[test]
fn egress_only_gateway_carries_out_and_replies_but_nothing_in() {
    let mut l = Lab::new(topo("::/0"));
    assert!(
        l.tcp("client", "app", 40001, 80, SYN, 0).is_empty(),
        "nothing initiated from the internet"
    );
    let out = l.tcp("app", "client", 50000, 443, SYN, 0);
    assert_eq!(
        out.iter().map(|x| x.0).collect::<Vec<_>>(),
        [l.port("client")]
    );
    let back = l.tcp("client", "app", 443, 50000, SYN_ACK, 0);
    assert_eq!(
        back.iter().map(|x| x.0).collect::<Vec<_>>(),
        [l.port("app")],
        "the reply comes back"
    );
}

#[test]
fn a_packet_too_big_for_the_internet_gateway_gets_packet_too_big() {
    let mut l = Lab::new(topo_icmp6(", icmp: { type: 2 }"));
    // 40 + 20 + 1500 bytes: past the internet gateway's MTU of 1500.
    let out = l.tcp("web", "client", 80, 40000, 0x10, 1500);
    assert_eq!(out.len(), 1);
    let (port, f) = &out[0];
    assert_eq!(*port, l.port("web"), "back to the sender");
    let p = parse6(f).unwrap();
    assert_eq!(p.header.icmp_type(), 2);
    assert_eq!(
        u32::from_be_bytes(p.payload[4..8].try_into().unwrap()),
        1500
    );
    assert_eq!(l.e.ipv6_stats().too_big, 1);
    // 1500 bytes of IPv6 fit.
    assert_eq!(l.tcp("web", "client", 80, 40000, 0x10, 1440).len(), 1);
}

#[test]
fn extension_headers_are_dropped_and_counted() {
    let mut l = Lab::new(topo("::/0"));
    // A fragment header (44) in front of TCP.
    let mut frag = vec![6, 0, 0, 1, 0, 0, 0, 7];
    frag.extend_from_slice(&[0u8; 20]);
    let f = frame6(
        l.net.router_mac,
        l.mac("client"),
        l.v6("client"),
        l.v6("web"),
        44,
        64,
        frag,
    );
    assert!(l.send("client", f).is_empty());
    assert_eq!(l.e.ipv6_stats().extension_drops, 1);
    // Truncated: counted, never a panic.
    let f = frame6(
        l.net.router_mac,
        l.mac("client"),
        l.v6("client"),
        l.v6("web"),
        6,
        64,
        vec![0; 20],
    );
    assert!(l.send("client", f[..50].to_vec()).is_empty());
    assert_eq!(l.e.ipv6_stats().ignored, 1);
}

/// An ICMPv6 error from `from` to `to` of type `t`/`code` quoting an IPv6 TCP segment sent from
/// `qsrc`:`sport` to `qdst`:`dport` (its IPv6 header and first 8 bytes, as RFC 4443 quotes).
fn icmp6_error(
    l: &Lab,
    from: &str,
    to: &str,
    t: u8,
    code: u8,
    q: (&str, &str, u16, u16),
) -> Vec<u8> {
    icmp6_error_of(l, (from, to), (t, code), 6, q)
}

/// [`icmp6_error`] quoting a packet of protocol `next` (6 TCP, 17 UDP).
fn icmp6_error_of(
    l: &Lab,
    (from, to): (&str, &str),
    (t, code): (u8, u8),
    next: u8,
    q: (&str, &str, u16, u16),
) -> Vec<u8> {
    let (qsrc, qdst, sport, dport) = q;
    let mut quote = vec![0x60, 0, 0, 0, 0, 20, next, 64];
    quote.extend_from_slice(&l.v6(qsrc).octets());
    quote.extend_from_slice(&l.v6(qdst).octets());
    quote.extend_from_slice(&sport.to_be_bytes());
    quote.extend_from_slice(&dport.to_be_bytes());
    quote.extend_from_slice(&[0; 4]);
    let mut icmp = vec![t, code, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&quote);
    frame6(
        l.net.router_mac,
        l.mac(from),
        l.v6(from),
        l.v6(to),
        58,
        64,
        icmp,
    )
}

/// ICMPv6 errors quoting a tracked flow are judged by the SG's rules like any ICMPv6, not
/// admitted as related to the flow (`../shared/reference/aws-vpc-semantics.md` §2.1): without
/// an ICMPv6 rule web's SG drops every one; with a rule for all ICMPv6 each reaches web; with
/// a rule for packet too big only, only that type does.
#[test]
fn icmpv6_errors_of_a_tracked_flow_are_judged_by_the_sg_rules() {
    let errors = [(1, 4), (1, 1), (2, 0), (3, 0), (4, 0)];
    // web's SG admits only TCP 80 in: no ICMPv6 rule.
    let mut l = Lab::new(topo("::/0"));
    assert_eq!(l.tcp("web", "client", 50000, 443, SYN, 0).len(), 1);
    for (t, code) in errors {
        let e = icmp6_error(&l, "client", "web", t, code, ("web", "client", 50000, 443));
        assert!(
            l.send("client", e).is_empty(),
            "type {t} code {code}: no ICMPv6 rule, the SG drops it"
        );
    }
    for (filter, admitted) in [
        ("", &[1u8, 2, 3, 4][..]),
        (", icmp: { type: 2 }", &[2u8][..]),
    ] {
        let mut l = Lab::new(topo_icmp6(filter));
        assert_eq!(l.tcp("web", "client", 50000, 443, SYN, 0).len(), 1);
        for (t, code) in errors {
            let e = icmp6_error(&l, "client", "web", t, code, ("web", "client", 50000, 443));
            let to: Vec<_> = l.send("client", e).iter().map(|x| x.0).collect();
            if admitted.contains(&t) {
                assert_eq!(
                    to,
                    [l.port("web")],
                    "rule{filter}: type {t} code {code} passes"
                );
            } else {
                assert!(
                    to.is_empty(),
                    "rule{filter}: type {t} code {code} is dropped"
                );
            }
        }
    }
}

impl Lab {
    /// Sends a UDP datagram with 32 payload bytes from host `from` to `to`.
    fn udp(&mut self, from: &str, to: &str, sport: u16, dport: u16) -> Vec<(PortId, Vec<u8>)> {
        let mut d = vec![0u8; 8 + 32];
        d[0..2].copy_from_slice(&sport.to_be_bytes());
        d[2..4].copy_from_slice(&dport.to_be_bytes());
        d[4..6].copy_from_slice(&40u16.to_be_bytes());
        let f = frame6(
            self.net.router_mac,
            self.mac(from),
            self.v6(from),
            self.v6(to),
            17,
            64,
            d,
        );
        self.send(from, f)
    }
}

/// `topo("::/0")` with web's subnet behind a NACL that denies ICMPv6 in (rule 90) and allows
/// all other IPv6 both ways; app's SG also admits UDP 5000.
fn topo_no_icmp6() -> Network {
    let y = topo_yaml("::/0")
        .replace(
            "assign_ipv6_address_on_creation: true }\n      priv",
            "assign_ipv6_address_on_creation: true, network_acl: noicmp6 }\n      priv",
        )
        .replace(
            "    security_groups:\n",
            "    network_acls:
      noicmp6:
        inbound:
          - { rule: 90, protocol: icmpv6, cidr: \"::/0\", action: deny }
          - { rule: 100, protocol: all, cidr: \"::/0\", action: allow }
        outbound:
          - { rule: 100, protocol: all, cidr: \"::/0\", action: allow }
    security_groups:\n",
        );
    crate::common::net(&y)
}

/// The ICMPv6 type, source and MTU field of an ICMPv6 frame.
fn icmp6_of(f: &[u8]) -> (u8, Ipv6Addr, u32) {
    let p = parse6(f).unwrap();
    let mtu = u32::from_be_bytes(p.payload[4..8].try_into().unwrap());
    (p.header.icmp_type(), p.header.src, mtu)
}

/// The direction and verdict of the last `send`'s events at web's ENI for ICMPv6 type 2.
fn ptb_events(l: &Lab) -> Vec<(Direction, Verdict)> {
    let web = l.net.instance(l.net.instance_by_name("web").unwrap()).eni;
    l.events
        .iter()
        .filter(|e| e.eni == web)
        .filter(|e| {
            e.header
                .v6()
                .is_some_and(|h| h.proto == 58 && h.icmp_type() == 2)
        })
        .map(|e| (e.direction, e.verdict))
        .collect()
}

#[test]
fn packet_too_big_is_judged_on_its_way_back_like_any_icmpv6() {
    // Without an ICMPv6 rule web's SG drops it: path MTU discovery black-holes.
    let mut l = Lab::new(topo("::/0"));
    assert_eq!(l.tcp("web", "client", 50000, 443, SYN, 0).len(), 1);
    assert!(l.tcp("web", "client", 50000, 443, 0x10, 3000).is_empty());
    assert_eq!(
        ptb_events(&l),
        [(Direction::Inbound, Verdict::Reject)],
        "web's ENI logs the error its SG rejected"
    );
    // web's SG admits packet too big: the error reaches web.
    let mut l = Lab::new(topo_icmp6(", icmp: { type: 2 }"));
    assert_eq!(l.tcp("web", "client", 50000, 443, SYN, 0).len(), 1);
    let out = l.tcp("web", "client", 50000, 443, 0x10, 3000);
    assert_eq!(
        out.iter().map(|x| x.0).collect::<Vec<_>>(),
        [l.port("web")],
        "the packet too big reaches its sender"
    );
    assert_eq!(
        icmp6_of(&out[0].1),
        (2, l.v6("client"), 1500),
        "from the destination's side, with the IGW's MTU"
    );
    assert_eq!(&out[0].1[0..6], &l.mac("web"));
    assert_eq!(&out[0].1[6..12], &l.net.router_mac);
    assert_eq!(
        ptb_events(&l),
        [(Direction::Inbound, Verdict::Accept)],
        "web's ENI logs the error it accepted (by its rule)"
    );

    // A NACL denying ICMPv6 into web's subnet drops it: path MTU discovery black-holes.
    let mut l = Lab::new(topo_no_icmp6());
    assert_eq!(l.tcp("web", "client", 50000, 443, SYN, 0).len(), 1);
    let drops = l.e.ipv6_stats().policy_drops;
    assert!(
        l.tcp("web", "client", 50000, 443, 0x10, 3000).is_empty(),
        "black hole"
    );
    assert_eq!(l.e.ipv6_stats().too_big, 1, "the router did send it");
    assert_eq!(
        l.e.ipv6_stats().policy_drops,
        drops + 1,
        "the NACL dropped it"
    );
    // Small packets still pass that NACL both ways.
    assert_eq!(l.tcp("web", "client", 50000, 443, 0x10, 100).len(), 1);
    assert_eq!(l.tcp("client", "web", 443, 50000, 0x10, 100).len(), 1);
}

#[test]
fn a_udp_port_unreachable_from_the_destination_reaches_the_sender() {
    // Through web's ICMPv6-denying NACL nothing comes back; without it, web's SG rule for
    // ICMPv6 destination unreachable lets it pass.
    for (nacl, mut l) in [
        (true, Lab::new(topo_no_icmp6())),
        (false, Lab::new(topo_icmp6(", icmp: { type: 1 }"))),
    ] {
        assert_eq!(l.udp("web", "client", 40000, 53).len(), 1);
        let e = icmp6_error_of(
            &l,
            ("client", "web"),
            (1, 4),
            17,
            ("web", "client", 40000, 53),
        );
        let out = l.send("client", e);
        if nacl {
            assert!(out.is_empty(), "the NACL judges it as ordinary ICMPv6");
        } else {
            assert_eq!(
                out.iter().map(|x| x.0).collect::<Vec<_>>(),
                [l.port("web")],
                "the internet host's port unreachable reaches web"
            );
        }
    }
    // From an instance of the VPC: app (its SG admits UDP 5000) answers web's datagram to a
    // closed port; web's SG has no ICMPv6 rule, so the error is dropped before and after the
    // flow exists.
    let y = topo_yaml("::/0").replace(
        "          - { protocol: tcp, ports: 80, source: \"::/0\" }\n    instances",
        "          - { protocol: tcp, ports: 80, source: \"::/0\" }
          - { protocol: udp, ports: 5000, source: \"::/0\" }
    instances",
    );
    let mut l = Lab::new(crate::common::net(&y));
    let e = icmp6_error_of(&l, ("app", "web"), (1, 4), 17, ("web", "app", 40000, 5000));
    assert!(
        l.send("app", e.clone()).is_empty(),
        "before the flow exists it is a new ICMPv6 packet: web's SG drops it"
    );
    assert_eq!(
        l.udp("web", "app", 40000, 5000)
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        [l.port("app")]
    );
    assert!(
        l.send("app", e.clone()).is_empty(),
        "after it, too: web's SG admits no error as related to the flow"
    );
    // With web's rule for ICMPv6 destination unreachable from the VPC it passes.
    let y = y.replacen(
        "      app:",
        "          - { protocol: icmpv6, icmp: { type: 1 }, source: \"::/0\" }\n      app:",
        1,
    );
    let mut l = Lab::new(crate::common::net(&y));
    assert_eq!(l.udp("web", "app", 40000, 5000).len(), 1);
    assert_eq!(
        l.send("app", e).iter().map(|x| x.0).collect::<Vec<_>>(),
        [l.port("web")],
        "app's port unreachable reaches web by the rule"
    );
}
