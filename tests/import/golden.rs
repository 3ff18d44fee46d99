//! Golden outputs of three snapshots checked by hand against their JSON: the YAML written and
//! the report (corpus paths written as `CORPUS/`). Regenerate with `VPCLAB_UPDATE_SNAPSHOTS=1`
//! and review the diff.
//!
//! What was checked by hand:
//! - `test-nat-gateway`: one VPC, the NAT gateway with its private IP and Elastic IP (the pool
//!   a /28 around it), the jump host's fixed public IP, the main table named `main`, the public
//!   table's IGW route and the private table's NAT route, NACL `main` (a Name tag, not the
//!   default) with its ICMP entry and without the 32767 entries, the default SG's self rule.
//! - `test-vpc-peering`: three VPCs, the active peerings only, routes over them, the
//!   disassociated CIDR blocks reported, the IGW absent from the dump attached as the routes say.
//! - `test-vpc-endpoint-gateway`: the S3 prefix list imported from describe-prefix-lists, its
//!   endpoint routes as blackholes reported with issue 14, the endpoint itself reported.

use super::support::batfish;
use std::path::PathBuf;
use vpclab::import::{aws, yaml};

fn check(name: &str) {
    let corpus = batfish();
    let dir = corpus.join(name).join("aws_configs");
    let i = aws::import(&[dir], None).expect("imports");
    let got_yaml = yaml::to_yaml(&i.doc, "vpclab import aws").expect("YAML");
    let got_report = i
        .report
        .to_text()
        .replace(&format!("{}/", corpus.display()), "CORPUS/");
    let base = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/import"
    ));
    for (ext, got) in [("yaml", &got_yaml), ("report.txt", &got_report)] {
        let path = base.join(format!("{name}.{ext}"));
        if std::env::var_os("VPCLAB_UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(&base).expect("snapshot folder");
            std::fs::write(&path, got).expect("writes the snapshot");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with VPCLAB_UPDATE_SNAPSHOTS=1 to create it)",
                path.display()
            )
        });
        if &want != got {
            let diff: Vec<String> = want
                .lines()
                .zip(got.lines())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .take(5)
                .map(|(n, (a, b))| format!("line {}:\n  want: {a}\n  got:  {b}", n + 1))
                .collect();
            panic!(
                "{} differs ({} vs {} lines):\n{}\n(VPCLAB_UPDATE_SNAPSHOTS=1 regenerates it)",
                path.display(),
                want.lines().count(),
                got.lines().count(),
                diff.join("\n")
            );
        }
    }
}

#[test]
fn nat_gateway_snapshot() {
    check("test-nat-gateway");
}

#[test]
fn vpc_peering_snapshot() {
    check("test-vpc-peering");
}

#[test]
fn vpc_endpoint_gateway_snapshot() {
    check("test-vpc-endpoint-gateway");
}
