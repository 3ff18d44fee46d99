//! Golden outputs of seven snapshots checked by hand against their JSON: the YAML written and
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
//! - `test-vpc-endpoint-gateway`: the S3 and DynamoDB prefix lists imported from
//!   describe-prefix-lists as `aws_services:` entries, the gateway endpoint on both subnet
//!   tables (its `pl-… → vpce-…` routes are the endpoint's, not written routes), its policy
//!   reported as approximated.
//! - `test-transit-gateway-multi-table` (issue 13): one transit gateway, its default table
//!   `default` (the association and propagation default) and `rt-b`; VPC A's attachment in
//!   subnet A only (A2's AZ has none), associated with `default` and propagating into `rt-b`,
//!   VPC B's the other way round; both VPCs' `192.168.0.0/16` / `10.10.0.0/16` routes to
//!   `tgw:`; the attachment ENIs not imported as instances; the VGW without attachment
//!   imported detached; the unused customer gateway reported.
//! - `test-vpn-gateway`: the VGW attached to the VPC with the `0.0.0.0/0 → vgw:` route, the
//!   live BGP connection (the deleted one skipped), its customer gateway in a made-up site
//!   (reported: the dump does not say what the router announces), the tunnels' DOWN telemetry
//!   reported.
//! - `test-direct-connect-gateway`: the DX gateway (a UUID id) attached to the transit gateway
//!   with its allowed prefix, the VPN attachment to the same gateway, the isolated VPC in its
//!   own table, the transit VIF in the customer gateway's site (the same ASN, reported).
//! - `test-transit-gateway-peering`: two accounts' gateways, one peering attachment (listed
//!   by both; no describe-transit-gateway-peering-attachments to say who asked, so under the
//!   gateway with the smaller id) with both sides' associations, each side's static route to
//!   it (its report is empty).

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

#[test]
fn transit_gateway_multi_table_snapshot() {
    check("test-transit-gateway-multi-table");
}

#[test]
fn vpn_gateway_snapshot() {
    check("test-vpn-gateway");
}

#[test]
fn direct_connect_gateway_snapshot() {
    check("test-direct-connect-gateway");
}

#[test]
fn transit_gateway_peering_snapshot() {
    check("test-transit-gateway-peering");
}
