//! Transit gateways, VPN and Direct Connect in the engine (virtual backend and the raw engine),
//! on `topologies/hybrid.yaml`: spokes isolated by their transit gateway table and reaching
//! shared services, the data center over Direct Connect and over the VPN when Direct Connect
//! is down (both ways), an AZ without an attachment subnet, and the MTUs: 8500 through a
//! transit gateway and Direct Connect, 1500 through a VPN.

use crate::common::{assert_blocked, assert_ok, lab, probe};
use std::sync::Arc;
use vpclab::backend::virt::ProbeProto;
use vpclab::engine::wire::{self, Offload, Tcp};
use vpclab::engine::{Engine, EngineConfig, Output};
use vpclab::model::{Network, PortId};
use vpclab::policy::{ComponentKind, Header};

const HYBRID: &str = include_str!("../../topologies/hybrid.yaml");

/// The example with Direct Connect's virtual interface down.
fn dx_down() -> String {
    HYBRID.replace("vlan: 101 }", "vlan: 101, state: down }")
}

#[test]
fn spokes_reach_shared_services_but_not_each_other() {
    let mut l = lab(HYBRID);
    assert_ok(&probe(&mut l, "web", "resolver", ProbeProto::Tcp, 80));
    assert_ok(&probe(&mut l, "pay", "resolver", ProbeProto::Udp, 53));
    let r = probe(&mut l, "web", "pay", ProbeProto::Tcp, 80);
    assert_blocked(
        &r,
        "tgw-rtb-hub-spokes",
        ComponentKind::TransitGatewayRouteTable,
    );
}

#[test]
fn an_instance_and_an_on_premises_host_talk_over_direct_connect_and_then_vpn() {
    for y in [HYBRID.to_string(), dx_down()] {
        let mut l = lab(&y);
        assert_ok(&probe(&mut l, "web", "dc-db", ProbeProto::Tcp, 5432));
        assert_ok(&probe(&mut l, "dc-db", "web", ProbeProto::Tcp, 80));
        assert_ok(&probe(&mut l, "dc-db", "web", ProbeProto::Icmp, 0));
    }
    let mut l = lab(&dx_down().replace(
        "customer_gateway: dc-router }",
        "customer_gateway: dc-router, state: down }",
    ));
    let r = probe(&mut l, "web", "dc-db", ProbeProto::Tcp, 5432);
    assert_blocked(
        &r,
        "tgw-rtb-hub-spokes",
        ComponentKind::TransitGatewayRouteTable,
    );
}

#[test]
fn an_az_without_an_attachment_subnet_drops_in_the_engine() {
    let y = HYBRID.replace(
        "      app-a: { cidr: 10.1.1.0/24, az: us-east-1a, route_table: app }",
        "      app-a: { cidr: 10.1.1.0/24, az: us-east-1b, route_table: app }",
    );
    let mut l = lab(&y);
    let r = probe(&mut l, "web", "resolver", ProbeProto::Tcp, 80);
    assert_blocked(
        &r,
        "tgw-attach-app-att",
        ComponentKind::TransitGatewayAttachment,
    );
}

/// The raw engine of a topology text.
struct Rig {
    net: Arc<Network>,
    e: Engine,
}

impl Rig {
    fn new(y: &str) -> Rig {
        let net = Arc::new(crate::common::net(y));
        let e = Engine::new(net.clone(), EngineConfig::default());
        Rig { net, e }
    }
    fn port(&self, host: &str) -> PortId {
        let n = &self.net;
        match n.instance_by_name(host) {
            Some(i) => n.instance(i).port,
            None => n.internet_host(n.internet_host_by_name(host).unwrap()).port,
        }
    }
    /// Sends a TCP segment of `payload` bytes (DF set) from `from` to `to` and returns the
    /// ports frames came out of.
    fn send(&mut self, from: &str, to: &str, flags: u8, payload: usize) -> Vec<PortId> {
        let (a, b) = (self.port(from), self.port(to));
        let h = Header::l4(self.net.port(a).ip, self.net.port(b).ip, 6, 40000, 80);
        let tcp = Tcp {
            flags,
            seq: 1,
            ack: 1,
        };
        let f = wire::build(
            self.net.port(a).mac,
            self.net.router_mac,
            &h,
            tcp,
            0,
            &vec![0x5a; payload],
        );
        self.e.handle_frame_offload(a, f, Offload::NONE, 1);
        let mut v = vec![];
        while let Some((o, _)) = self.e.poll_output_offload() {
            if let Output::Frame { port, .. } = o {
                v.push(port);
            }
        }
        v
    }
    /// True when a DF packet of `size` bytes from `from` reaches `to` (after a SYN).
    fn fits(&mut self, from: &str, to: &str, size: usize) -> bool {
        self.send(from, to, 0x02, 0);
        let to_port = self.port(to);
        self.send(from, to, 0x10, size - 40).contains(&to_port)
    }
}

#[test]
fn mtu_is_8500_through_a_transit_gateway_and_direct_connect_and_1500_over_vpn() {
    let mut r = Rig::new(HYBRID);
    assert!(r.fits("web", "resolver", 8500));
    assert!(!r.fits("web", "resolver", 8501));
    assert!(r.fits("web", "dc-db", 8500), "Direct Connect");
    assert!(!r.fits("web", "dc-db", 8501));
    let too_big = r.e.stats().too_big;
    assert_eq!(too_big, 2);
    let mut r = Rig::new(&dx_down());
    assert!(r.fits("web", "dc-db", 1500), "VPN");
    assert!(!r.fits("web", "dc-db", 1501));
}
