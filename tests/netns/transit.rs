//! Hybrid traffic on the netns backend (`topologies/hybrid.yaml`): `ping` and `curl` between
//! an instance and an on-premises host through the transit gateway and the Site-to-Site VPN
//! (Direct Connect down), both ways, and `iperf3` between two spokes through the transit
//! gateway (their tables opened to each other).

use crate::common::netns::*;
use crate::common::require::{self, CURL, IPERF3, PING};

const HYBRID: &str = include_str!("../../topologies/hybrid.yaml");

/// The example over the VPN: Direct Connect's virtual interface down.
fn over_vpn() -> String {
    let y = HYBRID.replace("vlan: 101 }", "vlan: 101, state: down }");
    assert_ne!(y, HYBRID, "the virtual interface line exists");
    y
}

/// The private address of instance `name`.
fn ip_of(t: &Topo, name: &str) -> String {
    let net = t.network();
    let i = net.instance(net.instance_by_name(name).expect("instance"));
    net.eni(i.eni).private_ip.to_string()
}

#[test]
#[ignore = "needs root, ping and curl: run the README's test command (scripts/test.sh)"]
fn ping_and_curl_between_an_instance_and_an_on_premises_host_over_tgw_and_vpn() {
    require::netns(&[PING, CURL]);
    let t = Topo::new("nhv", &over_vpn());
    t.up();
    let web = ip_of(&t, "web");
    let o = t.exec("web", &["ping", "-c", "2", "-W", "5", "172.16.1.10"]);
    assert_eq!(o.status.code(), Some(0), "web → dc-db ping: {}", stdout(&o));
    let o = t.exec("dc-db", &["ping", "-c", "2", "-W", "5", &web]);
    assert_eq!(o.status.code(), Some(0), "dc-db → web ping: {}", stdout(&o));
    let o = t.exec("web", &["curl", "-s", "-m", "10", "http://172.16.1.10/"]);
    assert_eq!(
        stdout(&o),
        "dc-db\n",
        "curl web → dc-db: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let url = format!("http://{web}/");
    let o = t.exec("dc-db", &["curl", "-s", "-m", "10", &url]);
    assert_eq!(
        stdout(&o),
        "web\n",
        "curl dc-db → web: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The spokes stay apart: pay is not in the spokes' table.
    let pay = ip_of(&t, "pay");
    let o = t.exec("web", &["curl", "-s", "-m", "3", &format!("http://{pay}/")]);
    assert_ne!(o.status.code(), Some(0), "web → pay must be blocked");
}

#[test]
#[ignore = "needs root and iperf3: run the README's test command (scripts/test.sh)"]
fn iperf3_between_two_spokes_through_the_transit_gateway() {
    require::netns(&[IPERF3]);
    let y = HYBRID
        .replace(
            "app-att: { vpc: app, subnets: [tgw-app-a], association: spokes, propagations: [shared] }",
            "app-att: { vpc: app, subnets: [tgw-app-a], association: spokes, propagations: [shared, spokes] }",
        )
        .replace(
            "pay-att: { vpc: payments, subnets: [tgw-pay-a], association: spokes, propagations: [shared] }",
            "pay-att: { vpc: payments, subnets: [tgw-pay-a], association: spokes, propagations: [shared, spokes] }",
        )
        .replace(
            "          - { protocol: tcp, ports: 80, source: 10.0.0.0/8 }\n    instances:\n      pay:",
            "          - { protocol: tcp, ports: 80, source: 10.0.0.0/8 }\n          - { protocol: tcp, ports: 5201, source: 10.1.0.0/16 }\n    instances:\n      pay:",
        );
    assert_eq!(
        y.matches("propagations: [shared, spokes]").count(),
        2,
        "both spokes edited"
    );
    assert!(y.contains("ports: 5201"), "pay's group edited");
    let t = Topo::new("nhi", &y);
    t.up();
    let pay = ip_of(&t, "pay");
    let server = t.exec("pay", &["iperf3", "-s", "-D", "-1"]);
    assert_eq!(
        server.status.code(),
        Some(0),
        "iperf3 server: {}",
        String::from_utf8_lossy(&server.stderr)
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    let o = t.exec("web", &["iperf3", "-c", &pay, "-t", "2", "-J"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "iperf3 client: {}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("iperf3 -J prints JSON");
    let bps = j["end"]["sum_received"]["bits_per_second"]
        .as_f64()
        .unwrap_or(0.0);
    eprintln!("iperf3 web → pay through tgw-hub: {:.1} Mbit/s", bps / 1e6);
    assert!(
        bps > 1e6,
        "at least 1 Mbit/s through the transit gateway: {bps}"
    );
}
