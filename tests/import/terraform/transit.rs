//! Transit gateways, VPN and Direct Connect from Terraform (issue 13), on a `terraform show
//! -json` state written here (`fixtures/hybrid-state.json`: the provider's attribute names,
//! known ids), since no corpus plan holds them: a hub transit gateway with default
//! association and propagation disabled, `spokes` and `shared` tables, two VPC attachments
//! (one in two AZs), a static VPN attachment, a Direct Connect gateway association with its
//! transit VIF, a peering to a second gateway (its accepter associated with the peer's default
//! table), a blackhole route; a VPC with a VGW, route propagation and a static VPN from the
//! same customer gateway. Golden output, then the imported topology routed as designed.

use crate::support::{assert_golden, assert_validates, tree};
use std::path::PathBuf;
use vpclab::import::doc_transit::OnPremisesHost;

/// The fixture, imported.
fn imported() -> vpclab::import::Imported {
    let rel = "tests/import/terraform/fixtures/hybrid-state.json";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).expect("the fixture is readable");
    vpclab::import::terraform::import_text(&PathBuf::from(rel), &text, Some("hybrid"))
        .expect("imports")
}

#[test]
fn hybrid_state_golden() {
    let i = imported();
    let y = vpclab::import::yaml::to_yaml(&i.doc, "vpclab import terraform").expect("YAML");
    assert_golden(
        "terraform",
        "hybrid-state",
        &[("yaml", &y), ("report.txt", &i.report.to_text())],
    );
    assert_validates("hybrid-state.yaml", &i);
}

#[test]
fn hybrid_state_maps_every_resource() {
    let i = imported();
    let t = tree(&i);
    let hub = &t["transit_gateways"]["hub"];
    assert_eq!(hub["default_route_table_association"], false, "{hub}");
    let atts = &hub["attachments"];
    assert_eq!(
        atts["shared-att"]["subnets"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(atts["app-att"]["association"], "spokes");
    assert_eq!(
        atts["app-att"]["propagations"],
        serde_json::json!(["shared"])
    );
    assert_eq!(atts["dc-vpn"]["vpn_connection"], "dc-vpn", "{atts}");
    assert_eq!(atts["hub"]["direct_connect_gateway"], "corp-dx");
    assert_eq!(atts["hub"]["allowed_prefixes"][0], "10.0.0.0/8");
    assert_eq!(atts["hub-west"]["peer_transit_gateway"], "west");
    assert_eq!(atts["hub-west"]["peer_association"], "default");
    let spokes = &hub["route_tables"]["spokes"]["routes"];
    assert!(spokes
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["destination"] == "10.99.0.0/16" && r["blackhole"] == true));
    assert_eq!(
        t["vpcs"]["legacy"]["route_tables"]["private"]["propagating_vgws"][0],
        "legacy-vgw"
    );
    assert_eq!(
        t["vpcs"]["app"]["route_tables"]["app"]["routes"][0]["target"],
        "tgw:hub"
    );
    assert_eq!(
        t["vpn_connections"]["legacy-vpn"]["static_routes"][0],
        "172.16.0.0/16"
    );
    assert_eq!(
        t["virtual_interfaces"]["dc-transit"]["on_premises"],
        "onprem-dc-router"
    );
    assert_eq!(
        t["on_premises"]["onprem-dc-router"]["cidrs"][0],
        "172.16.0.0/16"
    );
    // Every network resource of the fixture is imported: the only entry is the inferred site.
    assert_eq!(i.report.entries().len(), 1, "{}", i.report.to_text());
}

/// `vpclab reach` on the import with an on-premises host added: whether `from` reaches `to`
/// on tcp/80.
fn reaches(topo: &std::path::Path, from: &str, to: &str) -> bool {
    let o = crate::support::vpclab(&[
        "reach",
        &topo.display().to_string(),
        "--from",
        from,
        "--to",
        to,
        "--protocol",
        "tcp",
        "--port",
        "80",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    v["reachable"] == true
}

#[test]
fn hybrid_state_routes_as_designed() {
    let mut i = imported();
    i.doc
        .on_premises
        .get_mut("onprem-dc-router")
        .expect("the site")
        .hosts
        .insert(
            "dc-db".into(),
            OnPremisesHost {
                ip: "172.16.1.10".parse().unwrap(),
            },
        );
    let dir = tempfile::tempdir().unwrap();
    let topo = dir.path().join("hybrid.yaml");
    std::fs::write(&topo, vpclab::import::yaml::to_yaml(&i.doc, "t").unwrap()).unwrap();
    // Spoke to shared services and to the data center (VPN attachment, static TGW route).
    assert!(reaches(&topo, "web", "dns"));
    assert!(reaches(&topo, "web", "dc-db"));
    // The legacy VPC reaches the data center over its own VGW and static VPN.
    assert!(reaches(&topo, "old", "dc-db"));
    assert!(reaches(&topo, "dc-db", "old"));
    // The legacy VPC is not attached to the hub: the spokes table has no route there.
    assert!(!reaches(&topo, "web", "old"));
}
