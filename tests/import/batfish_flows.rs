//! Agreement with Batfish on the flows its own tests assert (`NAME/flows.json` in the corpus):
//! each snapshot is imported with `vpclab import aws`, and every forward flow that uses only
//! what vpclab models is asked of `vpclab reach` on the imported topology. Batfish's ACCEPTED
//! and EXITS_NETWORK mean the forward path gets there; every other disposition (DENIED_IN,
//! DENIED_OUT, NO_ROUTE, NULL_ROUTED, NEIGHBOR_UNREACHABLE) means it does not.
//!
//! Batfish's `isp_*` and `__aws-services-gateway__` hops are its model of the internet and of
//! AWS's public service addresses behind an internet gateway: vpclab's internet, so a flow
//! through them is asked. Transit gateways, VGWs, VPN connections and Direct Connect gateways
//! are modelled (issue 13), and so are VPC endpoints (issue 14) and load balancers (issue 15):
//! flows through them are asked. A flow starting at an on-premises
//! router (`start_kind: config-node`) is asked when `batfish_onprem` knows the router's
//! configuration: it starts at the on-premises host holding the flow's source address.
//!
//! Flows left out, and why (each counted in the test's output):
//! - a start at Batfish's VPC router node (`start_kind: vpc`, source 0.0.0.0): AWS's
//!   Reachability Analyzer has no such source (it starts at instances, ENIs, gateways, subnets
//!   and the internet), and neither does vpclab;
//! - `traceroute-reverse` and `reachability` queries: the reverse legs are the stateful replies
//!   of a forward flow, which `reach` walks as the forward flow's return leg.
//!
//! Flows where vpclab follows AWS's documentation and Batfish does not ([`DIFFERENT`]): each
//! must still differ, with the verdict AWS documents.

use super::batfish_onprem;
use super::support::batfish;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// What AWS does with a packet it sends to a customer gateway, for the two flows below.
const PAST_THE_CUSTOMER_GATEWAY: &str =
    "an instance to an address outside the VPC over the VPC's 0.0.0.0/0 → VGW route: the \
     router announces 0.0.0.0/0 over BGP (`network 0.0.0.0`, `default-originate`), so the VGW \
     forwards the packet over the VPN to the customer gateway (a VGW forwards to the prefixes \
     it learned, https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html): it \
     leaves AWS, which is where vpclab's answer ends (exited into the on-premises network, as \
     out through an internet gateway). Batfish goes on into the router's own table, which has \
     no route to the address (NO_ROUTE at the router): a decision of the customer's router, \
     not of AWS";

/// Flows whose Batfish answer contradicts AWS's documentation, or decides past AWS's edge:
/// (snapshot, flow id, why). vpclab answers as AWS documents, so its verdict is the opposite
/// of Batfish's there.
const DIFFERENT: &[(&str, &str, &str)] = &[
    (
        "test-vpn-gateway",
        "AwsConfigurationVpnGatewayTest.testToOnPrem#1",
        PAST_THE_CUSTOMER_GATEWAY,
    ),
    (
        "test-vpn-gateway",
        "AwsConfigurationVpnGatewayTest.testInstanceToUnderlayInterfaceIp#1",
        PAST_THE_CUSTOMER_GATEWAY,
    ),
    (
        "test-vpn-gateway",
        "AwsConfigurationVpnGatewayTest.testInternetToUnderlayInterfaceIp#1",
        "tcp/80 from the internet to a VPN tunnel's AWS outside address (18.217.248.9): Batfish's \
     VGW node owns the address and accepts every packet; AWS's tunnel endpoint speaks only IKE \
     (UDP 500, and 4500 with NAT traversal) and ESP (IP protocol 50), the only traffic the \
     customer gateway's firewall must let in from it \
     (https://docs.aws.amazon.com/vpn/latest/s2svpn/your-cgw.html, \"Firewall rules\"). \
     vpclab has nothing at that address: not reachable",
    ),
];

/// Why a flow of `snapshot` is not asked, or None when it is.
fn skipped(f: &Value, snapshot: &str) -> Option<String> {
    let query = f["query"].as_str().unwrap_or("");
    if query != "traceroute" {
        return Some(format!("{query} query"));
    }
    let kind = f["start_kind"].as_str().unwrap_or("");
    let src = f["src_ip"].as_str().unwrap_or("");
    let router = kind == "config-node" && batfish_onprem::host_at(snapshot, src).is_some();
    if kind != "instance" && kind != "internet" && !router {
        return Some(format!("starts at a {kind} node"));
    }
    None
}

/// The `reach` arguments for a flow of `snapshot`: --from (an instance's AWS id, `internet`,
/// or the on-premises host of a router's address), --src-ip, --to, --protocol and --port as
/// Batfish built the flow.
fn reach_args(f: &Value, topo: &Path, snapshot: &str) -> Vec<String> {
    let s = |k: &str| f[k].as_str().map(str::to_string);
    let from = match f["start_kind"].as_str() {
        Some("config-node") => {
            let src = s("src_ip").expect("src_ip");
            batfish_onprem::host_at(snapshot, &src)
                .expect("asked only with a known router")
                .to_string()
        }
        _ => s("start").expect("start"),
    };
    let mut a = vec![
        "reach".to_string(),
        topo.display().to_string(),
        "--from".into(),
        from,
        "--to".into(),
        s("dst_ip").expect("dst_ip"),
        "--json".into(),
    ];
    if let Some(ip) = s("src_ip") {
        a.extend(["--src-ip".into(), ip]);
    }
    match &f["protocol"] {
        Value::Number(n) => a.extend(["--protocol".into(), n.to_string()]),
        Value::String(p) => a.extend(["--protocol".into(), p.clone()]),
        _ => panic!("flow without a protocol: {f}"),
    }
    if let Some(p) = f["dst_port"].as_u64() {
        a.extend(["--port".into(), p.to_string()]);
    }
    if let Some(p) = f["src_port"].as_u64() {
        a.extend(["--src-port".into(), p.to_string()]);
    }
    a
}

/// Whether `reach`'s answer says the forward path gets to the destination (or out of the
/// network towards it): reachable, or blocked only on the return leg.
fn forward_gets_there(answer: &Value) -> bool {
    if answer["reachable"].as_bool() == Some(true) {
        return true;
    }
    let blockers = answer["blockers"].as_array().cloned().unwrap_or_default();
    !blockers.is_empty() && blockers.iter().all(|b| b["path"] == "return")
}

#[test]
fn reach_agrees_with_batfish_on_every_supported_flow() {
    let tmp = tempfile::tempdir().unwrap();
    let mut asked = 0;
    let mut different = 0;
    let mut left_out: Vec<String> = Vec::new();
    let mut disagree: Vec<String> = Vec::new();
    let mut snaps: Vec<_> = std::fs::read_dir(batfish())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("flows.json").is_file())
        .collect();
    snaps.sort();
    for snap in snaps {
        let label = snap.file_name().unwrap().to_string_lossy().to_string();
        let flows: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(snap.join("flows.json")).unwrap())
                .unwrap();
        let topo = tmp.path().join(format!("{label}.yaml"));
        let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .args(["import", "aws"])
            .arg(snap.join("aws_configs"))
            .arg("-o")
            .arg(&topo)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{label}: import failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // The on-premises side from the router configuration, when the corpus has one.
        let mut i = vpclab::import::aws::import(&[snap.join("aws_configs")], None).unwrap();
        if batfish_onprem::patch(&label, &mut i.doc) {
            let text = vpclab::import::yaml::to_yaml(&i.doc, "a test").unwrap();
            std::fs::write(&topo, text).unwrap();
        }
        for f in &flows {
            let id = f["id"].as_str().unwrap_or("?");
            if let Some(why) = skipped(f, &label) {
                left_out.push(format!("{label} {id}: {why}"));
                continue;
            }
            asked += 1;
            let args = reach_args(f, &topo, &label);
            let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
                .args(&args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(
                matches!(o.status.code(), Some(0) | Some(1)),
                "{label} {id}: `vpclab {}` did not answer: {stderr}",
                args.join(" ")
            );
            let answer: Value = serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("{label} {id}: not JSON ({e}): {stderr}"));
            let expect = f["expect"].as_str().unwrap();
            let mut batfish_there = expect
                .split('|')
                .any(|e| e == "ACCEPTED" || e == "EXITS_NETWORK");
            if let Some((_, _, why)) = DIFFERENT.iter().find(|(s, x, _)| *s == label && *x == id) {
                eprintln!("{label} {id}: differs from Batfish by design: {why}");
                batfish_there = !batfish_there;
                different += 1;
            }
            // The same flow as real packets through a fresh virtual-backend engine: `probe`
            // must agree with `reach` (delivered, or exited through a gateway).
            let mut pargs = args.clone();
            pargs[0] = "probe".into();
            let po = Command::new(env!("CARGO_BIN_EXE_vpclab"))
                .args(&pargs)
                .output()
                .unwrap();
            let probed: Value = serde_json::from_slice(&po.stdout).unwrap_or_else(|e| {
                panic!(
                    "{label} {id}: probe answered no JSON ({e}): {}",
                    String::from_utf8_lossy(&po.stderr)
                )
            });
            let probe_there = probed["delivered"] == true || probed["exited"] == true;
            if probe_there != forward_gets_there(&answer) {
                disagree.push(format!(
                    "{label} {id}: reach and probe differ: reach {answer}\n  probe {probed}"
                ));
            }
            if forward_gets_there(&answer) != batfish_there {
                disagree.push(format!(
                    "{label} {id}: Batfish {expect}, vpclab reachable={} blocked={}\n  vpclab {}",
                    answer["reachable"],
                    answer["blocked"],
                    args.join(" ")
                ));
            }
        }
    }
    eprintln!(
        "batfish flows: {asked} asked, {} agree ({different} of them by AWS's documentation \
         against Batfish), {} left out:\n  {}",
        asked - disagree.len(),
        left_out.len(),
        left_out.join("\n  ")
    );
    // Forward flows of the corpus that use only what vpclab models: test-subnet 2,
    // test-vpc-endpoint-gateway 4 through its gateway endpoint and IGW, test-load-balancer 4,
    // and with issue 13 test-transit-gateway 4, -multi-table 2, -multi-account 2,
    // test-vpn-gateway 6 (3 from the on-premises router), test-direct-connect-gateway 2 (1 from
    // the router). Fewer means a filter above went wrong.
    assert!(asked >= 26, "only {asked} flows asked");
    assert_eq!(different, DIFFERENT.len(), "a DIFFERENT flow was not asked");
    assert!(
        disagree.is_empty(),
        "disagreements with Batfish:\n{}",
        disagree.join("\n")
    );
}

/// Every snapshot of the corpus, imported, runs under `probe` (a fresh virtual-backend engine):
/// packets from its first instance to every other instance and to the internet get an answer
/// (exit 0 or 1 with a JSON verdict), never an input error or a crash.
#[test]
fn every_snapshot_runs_under_probe() {
    let tmp = tempfile::tempdir().unwrap();
    let mut probes = 0;
    for dir in super::support::snapshots() {
        let label = dir
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let i = vpclab::import::aws::import(std::slice::from_ref(&dir), None).unwrap();
        let topo = tmp.path().join(format!("{label}.yaml"));
        std::fs::write(
            &topo,
            vpclab::import::yaml::to_yaml(&i.doc, "a test").unwrap(),
        )
        .unwrap();
        let names: Vec<String> = i
            .doc
            .vpcs
            .values()
            .flat_map(|v| v.instances.keys().cloned())
            .take(4)
            .collect();
        let Some(first) = names.first() else {
            continue;
        };
        let mut to: Vec<String> = names[1..].to_vec();
        to.push("internet".into());
        for t in to {
            let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
                .arg("probe")
                .arg(&topo)
                .args(["--from", first, "--to", &t, "--json"])
                .output()
                .unwrap();
            assert!(
                matches!(o.status.code(), Some(0) | Some(1)),
                "{label}: probe {first} -> {t}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let v: Value = serde_json::from_slice(&o.stdout).expect("probe JSON");
            assert!(v["delivered"].is_boolean(), "{label}: {v}");
            probes += 1;
        }
    }
    assert!(probes >= 20, "only {probes} probes ran");
}
