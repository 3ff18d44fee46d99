//! A SYN flood on the netns backend (issue 18, item 2): `hping3 --flood` from one internet host
//! against a web server whose SG is open to one /24 only (so its flows are tracked), with a
//! small conntrack allowance; a different client's `curl` still gets its page during the flood.

use crate::common::netns::*;
use crate::common::require::{self, CURL, HPING3};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
#[ignore = "needs root, hping3 and curl: run the README's test command (scripts/test.sh)"]
fn a_syn_flood_from_one_host_does_not_lock_another_client_out() {
    require::netns(&[CURL, HPING3]);
    let open = "- { protocol: tcp, ports: 80, source: 0.0.0.0/0 }";
    let client = "    client: { ip: 198.51.100.10, location: { country: DE } }";
    assert!(THREE_TIER.contains(open) && THREE_TIER.contains(client));
    let yaml = THREE_TIER
        .replace(
            open,
            "- { protocol: tcp, ports: 80, source: 198.51.100.0/24 }",
        )
        .replace(
            client,
            &format!("{client}\n    attacker: {{ ip: 198.51.100.66 }}"),
        )
        + "engine: { conntrack_max: 2000 }\n";
    let t = Topo::new("nsf", &yaml);
    t.up();
    let net = t.network();
    let web = net.instance(net.instance_by_name("web").expect("web"));
    let ip = net
        .eni(web.eni)
        .public_ip
        .expect("web's public IP")
        .to_string();
    let url = format!("http://{ip}/");
    let before = t.exec("client", &["curl", "-s", "-m", "10", &url]);
    assert_eq!(stdout(&before), "web\n", "before the flood");
    let mut flood = Command::new("ip")
        .args(["netns", "exec", &t.ns("attacker")])
        .args([
            "timeout", "8", "hping3", "--flood", "-q", "-S", "-p", "80", &ip,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hping3");
    // Far more SYNs than the table holds have arrived by now.
    std::thread::sleep(Duration::from_secs(3));
    let during: Vec<String> = (0..3)
        .map(|_| stdout(&t.exec("client", &["curl", "-s", "-m", "4", &url])))
        .collect();
    let _ = flood.wait();
    assert!(
        during.iter().all(|o| o == "web\n"),
        "curl during the flood: {during:?}"
    );
}
