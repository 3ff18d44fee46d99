//! Real IPv6 in the namespaces (root): `topologies/dual-stack.yaml` up on the netns backend;
//! `curl -6` from an internet host to the dual-stack web server through the internet gateway;
//! `ping -6` out from the private subnet through the egress-only gateway, and none in.
//! Addresses are static on `eth0` (`backend::netns::ipv6`), the default route via fe80::1,
//! answered by the engine's neighbour discovery.

use crate::common::netns::*;
use crate::common::require::{self, CURL, IP, PING};

fn dual_stack() -> String {
    let y = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/dual-stack.yaml"
    ))
    .expect("example");
    // The internet host answers ping and the private instance's SG lets ICMPv6 in, so that
    // "none in" is the egress-only gateway's doing, not a group's.
    y.replace(
        "      app: { subnet: private, services: [\"http:8080\"] }",
        "      app: { subnet: private, services: [\"http:8080\"], security_groups: [web] }",
    )
}

fn ok(o: &std::process::Output) -> bool {
    o.status.success()
}

#[test]
#[ignore = "needs root, ip, curl and ping: run the README's test command (scripts/test.sh)"]
fn curl_in_over_the_igw_and_ping_out_over_the_egress_only_gateway() {
    require::netns(&[IP, CURL, PING]);
    let t = Topo::new("nsix", &dual_stack());
    t.up();
    let net = t.network();
    let web = net.eni_ipv6(net.instance(net.instance_by_name("web").unwrap()).eni)[0];
    let app = net.eni_ipv6(net.instance(net.instance_by_name("app").unwrap()).eni)[0];
    let url = format!("http://[{web}]:80/");
    let o = t.exec("client", &["curl", "-6", "-s", "--max-time", "10", &url]);
    assert!(
        ok(&o) && stdout(&o).contains("web"),
        "curl -6 to web: {} {}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = t.exec("app", &["ping", "-6", "-c", "2", "-W", "2", "2001:db8::10"]);
    assert!(
        ok(&o),
        "ping -6 out through the egress-only gateway: {}",
        stdout(&o)
    );
    let o = t.exec(
        "client",
        &["ping", "-6", "-c", "2", "-W", "2", &app.to_string()],
    );
    assert!(
        !ok(&o),
        "nothing initiated from the internet gets in: {}",
        stdout(&o)
    );
}
