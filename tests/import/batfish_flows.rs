//! Agreement with Batfish on the flows its own tests assert (`NAME/flows.json` in the corpus):
//! each snapshot is imported with `vpclab import aws`, and every forward flow that uses only
//! what vpclab models is asked of `vpclab reach` on the imported topology. Batfish's ACCEPTED
//! and EXITS_NETWORK mean the forward path gets there; every other disposition (DENIED_IN,
//! DENIED_OUT, NO_ROUTE, NULL_ROUTED, NEIGHBOR_UNREACHABLE) means it does not.
//!
//! Batfish's `isp_*` and `__aws-services-gateway__` hops are its model of the internet and of
//! AWS's public service addresses behind an internet gateway: vpclab's internet, so a flow
//! through them is asked.
//!
//! Flows left out, and why (each counted in the test's output):
//! - a hop through a transit gateway, VPN gateway or connection, Direct Connect gateway
//!   (issue 13), a VPC endpoint or the AWS services side of one (issue 14): vpclab does not
//!   model them yet; the importer turns their routes into blackholes and reports them, so an
//!   answer there would agree or disagree by accident;
//! - a start at Batfish's VPC router node (`start_kind: vpc`, source 0.0.0.0) or at an
//!   on-premises router config: AWS's Reachability Analyzer has no such source (it starts at
//!   instances, ENIs, gateways, subnets and the internet), and neither does vpclab;
//! - `traceroute-reverse` and `reachability` queries: the reverse legs are the stateful replies
//!   of a forward flow, which `reach` walks as the forward flow's return leg.

use super::support::batfish;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Hop names of things vpclab does not model yet, by prefix or shape.
fn unsupported_hop(h: &str) -> Option<&'static str> {
    let kinds = [
        ("tgw-", "transit gateway (issue 13)"),
        ("vgw-", "VPN gateway (issue 13)"),
        ("vpn-", "VPN connection (issue 13)"),
        ("cgw-", "customer gateway (issue 13)"),
        ("dxgw-", "Direct Connect gateway (issue 13)"),
        ("vpce-", "VPC endpoint (issue 14)"),
    ];
    kinds
        .iter()
        .find(|(p, _)| h.starts_with(p))
        .map(|(_, why)| *why)
}

/// Why a flow is not asked, or None when it is.
fn skipped(f: &Value) -> Option<String> {
    let query = f["query"].as_str().unwrap_or("");
    if query != "traceroute" {
        return Some(format!("{query} query"));
    }
    let kind = f["start_kind"].as_str().unwrap_or("");
    if kind != "instance" && kind != "internet" {
        return Some(format!("starts at a {kind} node"));
    }
    let start = f["start"].as_str().unwrap_or("");
    std::iter::once(start)
        .chain(
            f["hops"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h.as_str()),
        )
        .find_map(unsupported_hop)
        .map(str::to_string)
}

/// The `reach` arguments for a flow: --from (an instance's AWS id, or `internet`), --src-ip,
/// --to, --protocol and --port as Batfish built the flow.
fn reach_args(f: &Value, topo: &Path) -> Vec<String> {
    let s = |k: &str| f[k].as_str().map(str::to_string);
    let mut a = vec![
        "reach".to_string(),
        topo.display().to_string(),
        "--from".into(),
        s("start").expect("start"),
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
        for f in &flows {
            let id = f["id"].as_str().unwrap_or("?");
            if let Some(why) = skipped(f) {
                left_out.push(format!("{label} {id}: {why}"));
                continue;
            }
            asked += 1;
            let args = reach_args(f, &topo);
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
            let batfish_there = expect
                .split('|')
                .any(|e| e == "ACCEPTED" || e == "EXITS_NETWORK");
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
        "batfish flows: {asked} asked, {} agree, {} left out:\n  {}",
        asked - disagree.len(),
        left_out.len(),
        left_out.join("\n  ")
    );
    // Nine forward flows of the corpus use only what vpclab models (test-subnet 2,
    // test-transit-gateway 1, test-vpc-endpoint-gateway 2, test-load-balancer 4): fewer means
    // a filter above went wrong.
    assert!(asked >= 9, "only {asked} flows asked");
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
