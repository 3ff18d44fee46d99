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

use super::support::{assert_golden, batfish};
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
    assert_golden(
        "",
        name,
        &[("yaml", &got_yaml), ("report.txt", &got_report)],
    );
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
