//! Transit gateways, VPN and Direct Connect in the analyzer: verdict and deciding component
//! pinned for spokes through one shared table, isolated tables, a blackhole, an AZ without an
//! attachment subnet, peering with and without the static route, on-premises over VPN with
//! static and propagated routes, Direct Connect preferred over VPN and failover, VGW
//! non-transitivity and appliance mode.

use vpclab::model::Network;
use vpclab::policy::path::{walk, Assumed, Delivery, Options, Origin, Outcome};
use vpclab::policy::Header;
use vpclab::reach::{analyze, resolve, resolve_source, Analysis, Query};

/// Validates and builds a topology text, panicking with the diagnostics.
pub(crate) fn hybrid_net(y: &str) -> Network {
    let t = vpclab::topology::parse_str("t.yaml", y).unwrap_or_else(|r| panic!("{r}"));
    let r = vpclab::topology::validate::validate(&t, "t.yaml");
    assert!(!r.has_errors(), "{r}");
    vpclab::model::build(&t, "t.yaml").unwrap_or_else(|r| panic!("{r}"))
}

/// The analysis of a TCP flow to `port` (also used by `reference_transit`).
pub(crate) fn tcp(n: &Network, from: &str, to: &str, port: u16) -> Analysis {
    let q = Query {
        from: resolve_source(n, from, None).unwrap(),
        to: resolve(n, to).unwrap(),
        proto: 6,
        port,
        src_port: None,
    };
    analyze(n, &q)
}

/// The first blocker as `component kind code path`.
fn blocker(a: &Analysis) -> String {
    let b = a.blocked.as_ref().expect("a blocker");
    format!(
        "{} {} {} {}",
        b.decision.component,
        b.decision.kind,
        b.code(),
        b.path.as_str()
    )
}

/// True when some forward hop is `component`.
fn via(a: &Analysis, component: &str) -> bool {
    a.forward
        .iter()
        .any(|h| h.component == component && !h.after_block)
}

/// Three VPCs on one transit gateway with AWS's defaults (one `default` table, every
/// attachment associated and propagating).
const HUB: &str = "name: t
vpcs:
  a:
    cidr: 10.1.0.0/16
    subnets:
      a1: { cidr: 10.1.1.0/24, az: us-east-1a, route_table: r }
      a2: { cidr: 10.1.2.0/24, az: us-east-1b, route_table: r }
      tgw-a: { cidr: 10.1.255.0/28, az: us-east-1a }
    route_tables:
      r: { routes: [ { destination: 10.0.0.0/8, target: tgw:hub } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      va: { subnet: a1, security_groups: [open] }
      va2: { subnet: a2, security_groups: [open] }
  b:
    cidr: 10.2.0.0/16
    subnets:
      b1: { cidr: 10.2.1.0/24, az: us-east-1a, route_table: r }
    route_tables:
      r: { routes: [ { destination: 10.0.0.0/8, target: tgw:hub } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      vb: { subnet: b1, security_groups: [open] }
  svc:
    cidr: 10.3.0.0/16
    subnets:
      s1: { cidr: 10.3.1.0/24, az: us-east-1a, route_table: r }
    route_tables:
      r: { routes: [ { destination: 10.0.0.0/8, target: tgw:hub } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      vs: { subnet: s1, security_groups: [open] }
transit_gateways:
  hub:
    attachments:
      att-a: { vpc: a, subnets: [tgw-a] }
      att-b: { vpc: b, subnets: [b1] }
      att-s: { vpc: svc, subnets: [s1] }
";

/// HUB with isolated tables: spokes see only shared services, shared services see both.
fn isolated() -> String {
    HUB.replace(
        "    attachments:\n",
        "    default_route_table_association: false
    default_route_table_propagation: false
    route_tables:
      spokes: {}
      shared: {}
    attachments:\n",
    )
    .replace(
        "[tgw-a] }",
        "[tgw-a], association: spokes, propagations: [shared] }",
    )
    .replace(
        "[b1] }",
        "[b1], association: spokes, propagations: [shared] }",
    )
    .replace(
        "[s1] }",
        "[s1], association: shared, propagations: [spokes] }",
    )
}

#[test]
fn spokes_talk_through_one_shared_route_table() {
    let n = hybrid_net(HUB);
    let a = tcp(&n, "va", "vb", 80);
    assert!(a.reachable, "{a:#?}");
    assert!(via(&a, "tgw-rtb-hub-default") && via(&a, "tgw-attach-att-b"));
    assert!(tcp(&n, "vb", "vs", 80).reachable);
}

#[test]
fn isolated_route_tables_keep_spokes_apart_but_reach_shared_services() {
    let n = hybrid_net(&isolated());
    let a = tcp(&n, "va", "vb", 80);
    assert!(!a.reachable);
    assert_eq!(
        blocker(&a),
        "tgw-rtb-hub-spokes transit_gateway_route_table TGW_RTB_CANNOT_ROUTE forward"
    );
    let fix = &a.blocked.as_ref().unwrap().fix;
    assert!(
        fix.contains("transit_gateways.hub.attachments.att-b.propagations"),
        "{fix}"
    );
    for from in ["va", "vb"] {
        let a = tcp(&n, from, "vs", 80);
        assert!(a.reachable, "{from}: {a:#?}");
        assert!(via(&a, "tgw-rtb-hub-spokes"));
    }
}

#[test]
fn a_blackhole_route_drops_at_the_transit_gateway_table() {
    let y = HUB.replace(
        "    attachments:\n",
        "    route_tables:\n      default: { routes: [ { destination: 10.2.1.0/24, blackhole: true } ] }\n    attachments:\n",
    );
    let n = hybrid_net(&y);
    let a = tcp(&n, "va", "vb", 80);
    assert_eq!(
        blocker(&a),
        "tgw-rtb-hub-default transit_gateway_route_table TGW_RTB_BAD_STATE_ROUTE forward"
    );
    assert!(
        tcp(&n, "va", "vs", 80).reachable,
        "the blackhole is only 10.2.1.0/24"
    );
}

#[test]
fn an_az_without_an_attachment_subnet_does_not_get_through() {
    let n = hybrid_net(HUB);
    let a = tcp(&n, "va2", "vb", 80);
    assert_eq!(
        blocker(&a),
        "tgw-attach-att-a transit_gateway_attachment TGW_ROUTE_AZ_RESTRICTION forward"
    );
    assert!(tcp(&n, "va", "vb", 80).reachable, "us-east-1a has one");
}

/// Two regions, a transit gateway each, peered; static routes both ways.
const PEERED: &str = "name: t
vpcs:
  east:
    cidr: 10.1.0.0/16
    region: us-east-1
    subnets:
      e1: { cidr: 10.1.1.0/24, az: us-east-1a, route_table: r }
    route_tables:
      r: { routes: [ { destination: 10.0.0.0/8, target: tgw:tgw-e } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      ve: { subnet: e1, security_groups: [open] }
  west:
    cidr: 10.2.0.0/16
    region: us-west-2
    subnets:
      w1: { cidr: 10.2.1.0/24, az: us-west-2a, route_table: r }
    route_tables:
      r: { routes: [ { destination: 10.0.0.0/8, target: tgw:tgw-w } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      vw: { subnet: w1, security_groups: [open] }
transit_gateways:
  tgw-e:
    region: us-east-1
    route_tables:
      default: { routes: [ { destination: 10.2.0.0/16, attachment: e-w } ] }
    attachments:
      att-e: { vpc: east, subnets: [e1] }
      e-w: { peer_transit_gateway: tgw-w }
  tgw-w:
    region: us-west-2
    route_tables:
      default: { routes: [ { destination: 10.1.0.0/16, attachment: e-w } ] }
    attachments:
      att-w: { vpc: west, subnets: [w1] }
";

#[test]
fn transit_gateway_peering_needs_static_routes_on_both_sides() {
    let n = hybrid_net(PEERED);
    let a = tcp(&n, "ve", "vw", 80);
    assert!(a.reachable, "{a:#?}");
    assert!(via(&a, "tgw-attach-e-w") && via(&a, "tgw-rtb-tgw-w-default"));
    let y = PEERED.replace(
        "      default: { routes: [ { destination: 10.1.0.0/16, attachment: e-w } ] }\n",
        "      default: {}\n",
    );
    let n = hybrid_net(&y);
    let a = tcp(&n, "ve", "vw", 80);
    assert!(!a.reachable);
    assert_eq!(
        blocker(&a),
        "tgw-rtb-tgw-w-default transit_gateway_route_table TGW_RTB_CANNOT_ROUTE return"
    );
}

/// A VPC with a VGW and a data center behind a VPN (ROUTING replaced) and a private virtual
/// interface (VIFSTATE replaced); a second VPC peered with the first.
const DC: &str = "name: t
vpcs:
  main:
    cidr: 10.1.0.0/16
    subnets:
      m1: { cidr: 10.1.1.0/24, route_table: r }
    route_tables:
      r: { propagating_vgws: [vgw-main], routes: [ { destination: 10.2.0.0/16, target: pcx:mp } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      app: { subnet: m1, security_groups: [open] }
  peer:
    cidr: 10.2.0.0/16
    subnets:
      p1: { cidr: 10.2.1.0/24, route_table: r }
    route_tables:
      r: { routes: [ { destination: 10.1.0.0/16, target: pcx:mp } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      far: { subnet: p1, security_groups: [open] }
peerings:
  mp: { requester: main, accepter: peer }
vpn_gateways:
  vgw-main: { vpc: main }
customer_gateways:
  dc-router: { on_premises: dc, ip: 198.51.100.7 }
vpn_connections:
  dc-vpn: { customer_gateway: dc-router, vpn_gateway: vgw-main, ROUTING }
virtual_interfaces:
  dc-dx: { type: private, vpn_gateway: vgw-main, on_premises: dc, state: VIFSTATE }
on_premises:
  dc:
    cidrs: [172.16.0.0/16]
    hosts:
      dc-db: { ip: 172.16.1.10, services: [tcp:5432] }
";

fn dc(routing: &str, vif: &str) -> Network {
    hybrid_net(&DC.replace("ROUTING", routing).replace("VIFSTATE", vif))
}

#[test]
fn on_premises_and_an_instance_over_vpn_with_static_and_propagated_routes() {
    for routing in [
        "routing: static, static_routes: [172.16.0.0/16]",
        "routing: dynamic",
    ] {
        let n = dc(routing, "down");
        let a = tcp(&n, "app", "dc-db", 5432);
        assert!(a.reachable, "{routing}: {a:#?}");
        assert!(via(&a, "vgw-main") && via(&a, "vpn-dc-vpn"), "{routing}");
        let b = tcp(&n, "dc-db", "app", 22);
        assert!(b.reachable, "{routing}: {b:#?}");
    }
    // Static routing that leaves the data center out: nothing propagates, no route.
    let n = dc("routing: static, static_routes: [192.168.0.0/16]", "down");
    let a = tcp(&n, "app", "dc-db", 5432);
    assert_eq!(
        blocker(&a),
        "rtb-r route_table NO_ROUTE_TO_DESTINATION forward"
    );
}

#[test]
fn direct_connect_is_preferred_over_vpn_and_vpn_takes_over_when_it_is_down() {
    let n = dc("routing: dynamic", "up");
    let a = tcp(&n, "app", "dc-db", 5432);
    assert!(a.reachable);
    assert!(via(&a, "dxvif-dc-dx") && !via(&a, "vpn-dc-vpn"), "{a:#?}");
    assert!(a
        .return_path
        .iter()
        .any(|h| h.detail.contains("over dxvif-dc-dx")));
    let n = dc("routing: dynamic", "down");
    let a = tcp(&n, "app", "dc-db", 5432);
    assert!(a.reachable);
    assert!(via(&a, "vpn-dc-vpn") && !via(&a, "dxvif-dc-dx"), "{a:#?}");
}

#[test]
fn a_vgw_is_not_a_transit_router() {
    let n = dc("routing: dynamic", "up");
    let a = tcp(&n, "dc-db", "far", 80);
    assert!(!a.reachable);
    assert_eq!(
        blocker(&a),
        "vgw-main vpn_gateway NO_ROUTE_TO_DESTINATION forward"
    );
    // Nor does the peered VPC get to the data center through main's VGW.
    let a = tcp(&n, "far", "dc-db", 5432);
    assert!(!a.reachable);
}

/// Two spokes in different AZs whose traffic goes through an inspection VPC with an appliance
/// in each AZ (the attachment subnets route everything to their AZ's appliance).
const INSPECT: &str = "name: t
vpcs:
  s1:
    cidr: 10.1.0.0/16
    subnets:
      a: { cidr: 10.1.1.0/24, az: us-east-1a, route_table: r }
    route_tables:
      r: { routes: [ { destination: 10.0.0.0/8, target: tgw:hub } ] }
    instances:
      one: { subnet: a }
  s2:
    cidr: 10.2.0.0/16
    subnets:
      b: { cidr: 10.2.1.0/24, az: us-east-1b, route_table: r }
    route_tables:
      r: { routes: [ { destination: 10.0.0.0/8, target: tgw:hub } ] }
    instances:
      two: { subnet: b }
  insp:
    cidr: 10.9.0.0/16
    subnets:
      ta: { cidr: 10.9.0.0/28, az: us-east-1a, route_table: to-fw-a }
      tb: { cidr: 10.9.0.16/28, az: us-east-1b, route_table: to-fw-b }
      fa: { cidr: 10.9.1.0/24, az: us-east-1a }
      fb: { cidr: 10.9.2.0/24, az: us-east-1b }
    route_tables:
      to-fw-a: { routes: [ { destination: 0.0.0.0/0, target: instance:fw-a } ] }
      to-fw-b: { routes: [ { destination: 0.0.0.0/0, target: instance:fw-b } ] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      fw-a: { subnet: fa, security_groups: [open], source_dest_check: false }
      fw-b: { subnet: fb, security_groups: [open], source_dest_check: false }
transit_gateways:
  hub:
    default_route_table_association: false
    default_route_table_propagation: false
    route_tables:
      spokes: { routes: [ { destination: 0.0.0.0/0, attachment: att-i } ] }
      inspection: {}
    attachments:
      att-1: { vpc: s1, subnets: [a], association: spokes, propagations: [inspection] }
      att-2: { vpc: s2, subnets: [b], association: spokes, propagations: [inspection] }
      att-i: { vpc: insp, subnets: [ta, tb], association: inspection, MODE }
";

/// The appliance a packet from `from` to `to` (tcp 40000 → 80) is delivered to.
fn appliance(n: &Network, from: &str, to: &str) -> String {
    let src = n.instance(n.instance_by_name(from).unwrap());
    let dst = n.instance(n.instance_by_name(to).unwrap());
    let (s, d) = (n.eni(src.eni).private_ip, n.eni(dst.eni).private_ip);
    let (sp, dp) = if from == "one" {
        (40000, 80)
    } else {
        (80, 40000)
    };
    let h = Header::l4(s, d, 6, sp, dp);
    let w = walk(
        n,
        &mut Assumed::default(),
        Origin::Eni(src.eni),
        h,
        Options::default(),
    );
    match w.outcome {
        Outcome::Delivered {
            to: Delivery::Eni(e),
            ..
        } => n.eni(e).aws_id.clone(),
        o => panic!("not delivered: {o:?}"),
    }
}

#[test]
fn appliance_mode_keeps_a_flow_and_its_reply_on_one_appliance() {
    let n = hybrid_net(&INSPECT.replace("MODE", "appliance_mode: false"));
    assert_eq!(
        appliance(&n, "one", "two"),
        "eni-fw-a",
        "kept in the sender's AZ"
    );
    assert_eq!(
        appliance(&n, "two", "one"),
        "eni-fw-b",
        "the reply takes the other AZ's"
    );
    let n = hybrid_net(&INSPECT.replace("MODE", "appliance_mode: true"));
    assert_eq!(appliance(&n, "one", "two"), appliance(&n, "two", "one"));
}

/// The flow-log `traffic-path` of the sender's egress observation for `from` → `to` tcp 80.
fn traffic_path(n: &Network, from: &str, to: std::net::Ipv4Addr) -> Option<u8> {
    let src = n.instance(n.instance_by_name(from).unwrap());
    let h = Header::l4(n.eni(src.eni).private_ip, to, 6, 40000, 80);
    let w = walk(
        n,
        &mut Assumed::default(),
        Origin::Eni(src.eni),
        h,
        Options::default(),
    );
    assert!(w.delivered(), "{:?}", w.outcome);
    w.observations
        .iter()
        .find(|o| o.eni == src.eni)
        .and_then(|o| o.traffic_path)
        .map(|p| p.number())
}

#[test]
fn flow_logs_traffic_path_is_1_through_a_transit_gateway_and_3_through_a_vgw() {
    let n = hybrid_net(HUB);
    let vb = n
        .eni(n.instance(n.instance_by_name("vb").unwrap()).eni)
        .private_ip;
    assert_eq!(traffic_path(&n, "va", vb), Some(1));
    let n = dc("routing: dynamic", "down");
    assert_eq!(
        traffic_path(&n, "app", "172.16.1.10".parse().unwrap()),
        Some(3)
    );
}

#[test]
fn on_premises_hosts_ask_the_public_resolver_the_internets_view() {
    let n = dc("routing: dynamic", "up");
    let host = n.internet_host(n.internet_host_by_name("dc-db").unwrap());
    assert_eq!(
        n.port(host.port).resolver,
        Some(vpclab::model::PUBLIC_RESOLVER)
    );
    let h = Header::l4(host.ip, vpclab::model::PUBLIC_RESOLVER, 17, 40000, 53);
    let w = walk(
        &n,
        &mut Assumed::default(),
        Origin::Internet(host.ip),
        h,
        Options::default(),
    );
    assert_eq!(w.outcome, Outcome::Resolver { vpc: None });
}

/// The origin of the route to 172.16.0.0/16 in `topologies/hybrid.yaml`'s spokes table.
fn dc_route_origin(y: &str) -> Option<vpclab::model::transit::TgwRouteOrigin> {
    let n = hybrid_net(y);
    let t = n
        .hybrid
        .tgw_route_tables
        .iter()
        .find(|t| t.name == "spokes")?;
    let dc: ipnet::Ipv4Net = "172.16.0.0/16".parse().unwrap();
    t.routes
        .iter()
        .find(|r| r.destination == dc)
        .map(|r| r.origin)
}

#[test]
fn transit_gateway_route_priority_static_then_direct_connect_then_vpn() {
    use vpclab::model::transit::TgwRouteOrigin as O;
    let y = include_str!("../../topologies/hybrid.yaml");
    assert_eq!(dc_route_origin(y), Some(O::DirectConnect));
    let down = y.replace("vlan: 101 }", "vlan: 101, state: down }");
    assert_eq!(dc_route_origin(&down), Some(O::Vpn));
    let with_static = y.replace(
        "      spokes: {}",
        "      spokes: { routes: [ { destination: 172.16.0.0/16, attachment: dc-vpn-att } ] }",
    );
    assert_eq!(dc_route_origin(&with_static), Some(O::Static));
}
