//! Load balancers on the netns backend (root): `curl` by the ALB's DNS name from an internet
//! host's namespace resolves through the emulated public resolver to the nodes' public
//! addresses, and real HTTP through the ALB reaches both private targets (their built-in
//! servers answer with their names), which have no public IP.

use crate::common::netns::*;
use crate::common::require::{self, CURL};
use std::collections::BTreeSet;

const TOPOLOGY: &str = include_str!("../../topologies/load-balancers.yaml");

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn curl_by_the_albs_dns_name_reaches_both_targets() {
    require::netns(&[CURL]);
    let t = Topo::new("nelb", &with_name(TOPOLOGY, "nelb"));
    t.up();
    let net = t.network();
    let lb = net.load_balancer(net.load_balancer_by_name("front").unwrap());
    let url = format!("http://{}/", lb.dns_name);
    let mut seen = BTreeSet::new();
    for port in 40000..40016u16 {
        let lp = port.to_string();
        let out = stdout(&t.exec(
            "client",
            &["curl", "-s", "-m", "5", "--local-port", &lp, &url],
        ));
        seen.insert(out.trim().to_string());
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["web-a", "web-b"],
        "every request answered by one of the two targets"
    );
    for i in ["web-a", "web-b"] {
        let inst = net.instance(net.instance_by_name(i).unwrap());
        assert_eq!(net.eni(inst.eni).public_ip, None, "{i} has no public IP");
    }
}
