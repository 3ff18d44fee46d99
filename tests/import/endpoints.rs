//! The two VPC-endpoint snapshots of the Batfish corpus, imported and asked what Batfish's own
//! tests assert (issue 14, "Done when"), with the paths, not only the dispositions
//! `batfish_flows` compares:
//!
//! - `test-vpc-endpoint-gateway` (`flows.json`, AwsConfigurationVpcEndpointGatewayTest): tcp/443
//!   from both subnets to 52.216.237.77, inside S3's list pl-63a5400a, leaves through the gateway
//!   endpoint (the prefix-list route beats the public table's 0.0.0.0/0 → IGW), and its replies
//!   come back through it; 54.222.57.1 (outside the list) goes out through the IGW from the
//!   public subnet and has no route from the private one. Every gateway Batfish's hops name
//!   (`vpce-…`, `igw-…`) is a hop of vpclab's forward path, and vpclab's path passes no other.
//! - `test-vpc-endpoint-interface` (no `flows.json` in the corpus; Batfish's
//!   AwsConfigurationVpcEndpointInterfaceTest asserts two bidirectional traces): tcp/443 from
//!   the instance in the endpoint's subnet and from the one in the other subnet to the endpoint
//!   ENI's 10.1.101.97 is ACCEPTED both ways. The endpoint's group (`testing_sg`) allows 443 from
//!   0.0.0.0/0 and everything out: an instance's flow would be untracked there, but AWS tracks
//!   connections through interface endpoints automatically, so the replies pass (the engine
//!   dropped them as `VPCE_INTRA_VPC_TRAFFIC` before). Beyond Batfish, as AWS documents: the
//!   group drops tcp/80, the ENI takes TCP only, and every name of the endpoint's `DnsEntries`
//!   (its regional and zonal names, and the service's with private DNS) answers with the ENI
//!   inside the VPC.
//!
//! Each flow is asked of `vpclab reach` and sent as packets by `vpclab probe` (a fresh
//! virtual-backend engine); both must agree with Batfish.

use super::support::{batfish, vpclab};
use serde_json::Value;
use std::path::Path;

/// Imports snapshot `name` into `dir/name.yaml` with the CLI.
fn import(name: &str, dir: &Path) -> String {
    let out = dir.join(format!("{name}.yaml"));
    let src = batfish().join(name).join("aws_configs");
    let o = vpclab(&[
        "import",
        "aws",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{name}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out.to_string_lossy().into_owned()
}

/// `vpclab CMD TOPO --from FROM --to TO --protocol P [--port N] --json` → its JSON.
fn ask(cmd: &str, topo: &str, from: &str, to: &str, proto: &str, port: Option<u16>) -> Value {
    let port_s = port.map(|p| p.to_string());
    let mut args = vec![
        cmd,
        topo,
        "--from",
        from,
        "--to",
        to,
        "--protocol",
        proto,
        "--json",
    ];
    if let Some(p) = &port_s {
        args.extend(["--port", p.as_str()]);
    }
    let o = vpclab(&args);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "vpclab {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{cmd} JSON: {e}"))
}

/// The components of a `reach` path (`forward` or `return`), in order.
fn components(answer: &Value, leg: &str) -> Vec<String> {
    answer[leg]
        .as_array()
        .map(|hops| {
            hops.iter()
                .filter(|h| h["after_block"] != true)
                .filter_map(|h| h["component"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A gateway's id (what both Batfish's hops and vpclab's name alike).
fn is_gateway(id: &str) -> bool {
    id.starts_with("vpce-") || id.starts_with("igw-")
}

#[test]
fn gateway_endpoint_snapshot_takes_batfish_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let label = "test-vpc-endpoint-gateway";
    let topo = import(label, tmp.path());
    let flows: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(batfish().join(label).join("flows.json")).unwrap(),
    )
    .unwrap();
    let mut asked = 0;
    for f in flows.iter().filter(|f| f["query"] == "traceroute") {
        let id = f["id"].as_str().unwrap();
        let from = f["start"].as_str().unwrap();
        let to = f["dst_ip"].as_str().unwrap();
        let port = f["dst_port"].as_u64().map(|p| p as u16);
        let a = ask("reach", &topo, from, to, "tcp", port);
        let p = ask("probe", &topo, from, to, "tcp", port);
        let there = f["expect"]
            .as_str()
            .unwrap()
            .split('|')
            .any(|e| e == "ACCEPTED" || e == "EXITS_NETWORK");
        // The destinations are addresses nobody in the snapshot owns: out of the network.
        assert_eq!(a["reachable"] == true, there, "{id}: reach {a}");
        assert_eq!(a["exits_network"] == true, there, "{id}: reach {a}");
        assert_eq!(p["exited"] == true, there, "{id}: probe {p}");
        let batfish_gateways: Vec<&str> = f["hops"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h.as_str())
            .filter(|h| is_gateway(h))
            .collect();
        let mut ours = components(&a, "forward");
        ours.retain(|c| is_gateway(c));
        ours.dedup();
        assert_eq!(ours, batfish_gateways, "{id}: forward gateways");
        if there {
            // Batfish's reverse leg (ACCEPTED) starts where the forward one left.
            let back = components(&a, "return");
            assert_eq!(
                back.first().map(String::as_str),
                batfish_gateways.last().copied(),
                "{id}: return {back:?}"
            );
        }
        asked += 1;
    }
    assert_eq!(asked, 4, "the snapshot's four forward flows");
}

/// The interface snapshot's parties (Batfish's test names them so).
const IN_ENDPOINT_SUBNET: &str = "i-0a0fbd0cfa774970f";
const IN_OTHER_SUBNET: &str = "i-0eb6eb395a0d09117";
const ENDPOINT_IP: &str = "10.1.101.97";
const ENDPOINT_ENI: &str = "eni-0084b734451ba23ca";

#[test]
fn interface_endpoint_snapshot_accepts_batfish_flows_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let topo = import("test-vpc-endpoint-interface", tmp.path());
    for from in [IN_ENDPOINT_SUBNET, IN_OTHER_SUBNET] {
        for to in [ENDPOINT_IP, "vpce-083c683a6be29b889"] {
            let a = ask("reach", &topo, from, to, "tcp", Some(443));
            assert_eq!(a["reachable"], true, "{from} → {to}: {a}");
            let fwd = components(&a, "forward");
            assert_eq!(
                fwd.last().map(String::as_str),
                Some(ENDPOINT_ENI),
                "{fwd:?}"
            );
            // The replies leave the ENI by its group (a tracked flow's packets) and reach the
            // client's interface.
            let back = components(&a, "return");
            assert_eq!(back.first(), fwd.iter().rev().nth(1), "{back:?}");
            assert!(
                back.last().is_some_and(|c| c.starts_with("eni-")),
                "{back:?}"
            );
            let p = ask("probe", &topo, from, to, "tcp", Some(443));
            assert_eq!(
                (p["delivered"].clone(), p["reply"].clone()),
                (Value::Bool(true), Value::Bool(true)),
                "{from} → {to}: probe {p}"
            );
        }
    }
    // The endpoint's group allows 443 only: tcp/80 stops at it, in both answers.
    let a = ask(
        "reach",
        &topo,
        IN_OTHER_SUBNET,
        ENDPOINT_IP,
        "tcp",
        Some(80),
    );
    assert_eq!(a["reachable"], false);
    assert_eq!(a["blocked"]["code"], "ENI_SG_RULES_MISMATCH", "{a}");
    assert_eq!(a["blocked"]["component"], "sg-0973207c61f3466e1", "{a}");
    let p = ask(
        "probe",
        &topo,
        IN_OTHER_SUBNET,
        ENDPOINT_IP,
        "tcp",
        Some(80),
    );
    assert_eq!(p["delivered"], false, "{p}");
    // UDP the group allows (traceroute's ports) still stops: an interface endpoint takes TCP.
    let a = ask(
        "reach",
        &topo,
        IN_OTHER_SUBNET,
        ENDPOINT_IP,
        "udp",
        Some(33434),
    );
    assert_eq!(a["reachable"], false);
    assert_eq!(a["blocked"]["code"], "VPCE_INTERFACE_TCP_ONLY", "{a}");
    // PrivateDnsEnabled: the service's public name answers with the ENI inside the VPC.
    let o = vpclab(&[
        "dns",
        &topo,
        "--from",
        IN_OTHER_SUBNET,
        "cloudtrail.us-east-1.amazonaws.com",
        "--json",
    ]);
    let d: Value = serde_json::from_slice(&o.stdout).expect("dns JSON");
    assert_eq!(d["answers"][0]["value"], ENDPOINT_IP, "{d}");
    // Every name AWS lists in the endpoint's DnsEntries (regional, zonal, private) answers
    // with the ENI inside the VPC: the import keeps AWS's regional name (`dns_name:`).
    let dump: Value = serde_json::from_str(
        &std::fs::read_to_string(
            batfish().join("test-vpc-endpoint-interface/aws_configs/us-east-1/VpcEndpoints.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let entries = dump["VpcEndpoints"][0]["DnsEntries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for e in entries {
        let name = e["DnsName"].as_str().unwrap();
        let o = vpclab(&["dns", &topo, "--from", IN_OTHER_SUBNET, name, "--json"]);
        let d: Value = serde_json::from_slice(&o.stdout).expect("dns JSON");
        assert_eq!(d["answers"][0]["value"], ENDPOINT_IP, "{name}: {d}");
    }
}
