//! Every snapshot under the corpus's `batfish-aws/*/aws_configs` imports without a panic, keeps
//! every VPC it describes (or reports it), gives unique AWS ids, and validates.

use super::support::{assert_validates, snapshots};
use std::collections::BTreeSet;
use vpclab::import::aws;

#[test]
fn every_batfish_snapshot_imports_and_validates() {
    let all = snapshots();
    assert!(
        all.len() >= 20,
        "only {} snapshots in the corpus",
        all.len()
    );
    for dir in all {
        let label = dir
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let i = aws::import(std::slice::from_ref(&dir), None)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(
            i.doc.name.len() <= 12 && !i.doc.name.is_empty(),
            "{label}: {}",
            i.doc.name
        );
        let mut ids = BTreeSet::new();
        for v in i.doc.vpcs.values() {
            for id in v
                .subnets
                .values()
                .filter_map(|s| s.aws_id.clone())
                .chain(v.instances.values().filter_map(|x| x.aws_id.clone()))
                .chain(v.instances.values().filter_map(|x| x.eni_aws_id.clone()))
                .chain(v.security_groups.values().filter_map(|x| x.aws_id.clone()))
                .chain(v.route_tables.values().filter_map(|x| x.aws_id.clone()))
            {
                assert!(ids.insert(id.clone()), "{label}: aws_id {id} twice");
            }
        }
        assert_validates(&format!("{label}.yaml"), &i);
    }
}

#[test]
fn the_larger_snapshots_keep_their_objects() {
    let dir = super::support::batfish().join("hybrid-cloud-aws/aws_configs");
    let i = aws::import(&[dir], None).expect("imports");
    let instances: usize = i.doc.vpcs.values().map(|v| v.instances.len()).sum();
    let sgs: usize = i.doc.vpcs.values().map(|v| v.security_groups.len()).sum();
    assert!(i.doc.vpcs.len() >= 2, "{:?}", i.doc.vpcs.keys());
    assert!(
        instances >= 4 && sgs >= 5,
        "{instances} instances, {sgs} groups"
    );
    // Its VGW's propagated routes come back through `propagating_vgws`; the prefixes they
    // carry are the on-premises network behind the customer gateway (its default route
    // overlaps the VPCs, so it is only advertised).
    let t = super::support::tree(&i);
    let tables = t["vpcs"]["gns3-bgp-test"]["route_tables"]
        .as_object()
        .unwrap();
    assert!(
        tables
            .values()
            .any(|r| r["propagating_vgws"] == serde_json::json!(["lhr-aws-01"])),
        "{tables:?}"
    );
    let site = &t["on_premises"]["onprem-lhr-border-02"];
    assert_eq!(site["cidrs"].as_array().map(Vec::len), Some(4), "{site}");
    assert_eq!(
        t["vpn_connections"]["gns3-bgp-test"]["advertised_prefixes"][0],
        "0.0.0.0/0"
    );
}
