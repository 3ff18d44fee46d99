//! The transit gateway, VPN and Direct Connect keys (docs/topology.md, "Transit gateways, VPN
//! and Direct Connect"): the documented example parses and validates; each dangling reference
//! is an error at its position.

use vpclab::topology::{parse_str, validate::validate};

/// The YAML block of the docs section, with a topology name in front.
fn doc_example() -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/topology.md"))
        .expect("docs/topology.md is readable");
    let section = doc
        .split("## Transit gateways, VPN and Direct Connect")
        .nth(1)
        .expect("the docs have the section");
    let block = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section has a yaml example");
    format!("name: hybrid\nregion: us-east-1\n{block}")
}

/// The error messages of validating `text`, each as `LINE:COL message`.
fn errors(text: &str) -> Vec<String> {
    let t = parse_str("t.yaml", text).unwrap_or_else(|r| {
        panic!(
            "parses: {:?}",
            r.errors().map(|d| &d.message).collect::<Vec<_>>()
        )
    });
    let r = validate(&t, "t.yaml");
    r.errors()
        .map(|d| format!("{}:{} {}", d.loc.line, d.loc.col, d.message))
        .collect()
}

#[test]
fn the_documented_example_validates() {
    let e = errors(&doc_example());
    assert!(e.is_empty(), "{e:#?}");
}

#[test]
fn dangling_references_are_errors() {
    let text = doc_example()
        .replace("association: spokes", "association: spoke")
        .replace(
            "propagating_vgws: [legacy-vgw]",
            "propagating_vgws: [old-vgw]",
        )
        .replace("on_premises: dc, vlan", "on_premises: dc2, vlan")
        .replace(
            "{ vpc: app, subnets: [tgw-a]",
            "{ vpc: app, subnets: [tgw-q]",
        );
    let e = errors(&text).join("\n");
    for want in [
        "has no route table `spoke`",
        "virtual private gateway `old-vgw` does not exist",
        "on-premises network `dc2` does not exist",
        "subnet `tgw-q` does not exist in VPC `app`",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
}

#[test]
fn an_attachment_takes_only_its_kinds_keys() {
    let text = doc_example().replace(
        "{ vpn_connection: dc-vpn, association",
        "{ vpn_connection: dc-vpn, appliance_mode: true, association",
    );
    let e = errors(&text).join("\n");
    assert!(e.contains("cannot take `appliance_mode`"), "{e}");
}

#[test]
fn a_vpn_connection_terminates_exactly_once() {
    let text = doc_example().replace(
        "legacy-vpn: { customer_gateway: dc-router, vpn_gateway: legacy-vgw }",
        "legacy-vpn: { customer_gateway: dc-router }",
    );
    let e = errors(&text).join("\n");
    assert!(
        e.contains("VPN connection `legacy-vpn` terminates nowhere"),
        "{e}"
    );
}
