//! The describe-* quirks of transit gateways, VPN and Direct Connect (issue 13) on small inline
//! JSON: the bare per-table CLI outputs (get-transit-gateway-route-table-propagations,
//! search-transit-gateway-routes) whose table id is in the file's name, attachments that are
//! not live, two attachment subnets in one AZ, a VGW whose VPC is gone, a VPN connection on a
//! transit gateway without its attachment, the directconnect CLI's camelCase, a public VIF.

use super::quirks::base;
use super::support::{assert_validates, import, reported, tree};
use serde_json::{json, Value};

/// Two VPCs (prod 10.0/16 with subnets a and b in us-east-1a, shared 10.9/16), a transit
/// gateway with one table and both VPCs attached, and the VPCs' routes to it.
fn hub() -> Vec<(&'static str, Value)> {
    let mut f = base();
    f[0].1["Vpcs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"VpcId": "vpc-2", "CidrBlock": "10.9.0.0/16", "Tags": [{"Key": "Name", "Value": "shared"}]}));
    f[1].1["Subnets"].as_array_mut().unwrap().push(
        json!({"SubnetId": "subnet-s", "VpcId": "vpc-2", "CidrBlock": "10.9.1.0/24", "AvailabilityZone": "us-east-1a"}),
    );
    f.push(("us-east-1/TransitGateways.json", json!({"TransitGateways": [
        {"TransitGatewayId": "tgw-1", "State": "available", "Options": {
            "AssociationDefaultRouteTableId": "tgw-rtb-0a", "PropagationDefaultRouteTableId": "tgw-rtb-0a"}}]})));
    f.push(("us-east-1/TransitGatewayRouteTables.json", json!({"TransitGatewayRouteTables": [
        {"TransitGatewayRouteTableId": "tgw-rtb-0a", "TransitGatewayId": "tgw-1", "State": "available"}]})));
    f.push(("us-east-1/TransitGatewayVpcAttachments.json", json!({"TransitGatewayVpcAttachments": [
        {"TransitGatewayAttachmentId": "tgw-attach-p", "TransitGatewayId": "tgw-1", "VpcId": "vpc-1",
         "SubnetIds": ["subnet-a", "subnet-b"], "State": "available",
         "Options": {"ApplianceModeSupport": "enable"}},
        {"TransitGatewayAttachmentId": "tgw-attach-s", "TransitGatewayId": "tgw-1", "VpcId": "vpc-2",
         "SubnetIds": ["subnet-s"], "State": "available"},
        {"TransitGatewayAttachmentId": "tgw-attach-old", "TransitGatewayId": "tgw-1", "VpcId": "vpc-2",
         "SubnetIds": ["subnet-s"], "State": "deleted"}]})));
    f.push(("us-east-1/TransitGatewayAttachments.json", json!({"TransitGatewayAttachments": [
        {"TransitGatewayAttachmentId": "tgw-attach-p", "TransitGatewayId": "tgw-1", "ResourceType": "vpc",
         "ResourceId": "vpc-1", "State": "available",
         "Association": {"TransitGatewayRouteTableId": "tgw-rtb-0a", "State": "associated"}},
        {"TransitGatewayAttachmentId": "tgw-attach-s", "TransitGatewayId": "tgw-1", "ResourceType": "vpc",
         "ResourceId": "vpc-2", "State": "available"}]})));
    // The bare CLI outputs of one table: the id only in the file names.
    f.push(("us-east-1/tgw-rtb-0a.propagations.json", json!({"TransitGatewayRouteTablePropagations": [
        {"TransitGatewayAttachmentId": "tgw-attach-p", "ResourceId": "vpc-1", "State": "enabled"},
        {"TransitGatewayAttachmentId": "tgw-attach-s", "ResourceId": "vpc-2", "State": "disabled"}]})));
    f.push(("us-east-1/routes-tgw-rtb-0a.json", json!({"Routes": [
        {"DestinationCidrBlock": "10.9.0.0/16", "Type": "static", "State": "active",
         "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-s", "ResourceType": "vpc"}]},
        {"DestinationCidrBlock": "10.66.0.0/16", "Type": "static", "State": "blackhole"},
        {"DestinationCidrBlock": "10.0.0.0/16", "Type": "propagated", "State": "active",
         "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-p", "ResourceType": "vpc"}]}]})));
    f.push((
        "us-east-1/Routes.json",
        json!({"Routes": [{"DestinationCidrBlock": "10.7.0.0/16", "Type": "static"}]}),
    ));
    f.push(("us-east-1/RouteTables.json", json!({"RouteTables": [
        {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": true}],
         "Routes": [{"DestinationCidrBlock": "10.9.0.0/16", "TransitGatewayId": "tgw-1", "State": "active"}]},
        {"RouteTableId": "rtb-2", "VpcId": "vpc-2", "Associations": [{"Main": true}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "TransitGatewayId": "tgw-1", "State": "active"},
                    {"DestinationCidrBlock": "10.8.0.0/16", "TransitGatewayId": "tgw-gone", "State": "active"}]}]})));
    f
}

#[test]
fn bare_per_table_outputs_take_the_table_id_from_the_file_name() {
    let i = import(&hub());
    assert_validates("hub", &i);
    let t = tree(&i);
    let g = &t["transit_gateways"]["tgw-1"];
    let p = &g["attachments"]["tgw-attach-p"];
    assert_eq!(p["association"], "default", "{g}");
    assert_eq!(p["propagations"], json!(["default"]));
    assert_eq!(p["appliance_mode"], true);
    assert_eq!(p["subnets"], json!(["a"]), "one subnet per AZ");
    let s = &g["attachments"]["tgw-attach-s"];
    assert_eq!(s["association"], "none", "not associated in the dump");
    assert_eq!(s["propagations"], json!([]), "its propagation is disabled");
    assert_eq!(
        g["route_tables"]["default"]["routes"],
        json!([{"destination": "10.9.0.0/16", "attachment": "tgw-attach-s"},
               {"destination": "10.66.0.0/16", "blackhole": true}])
    );
    assert!(g
        .get("attachments")
        .unwrap()
        .get("tgw-attach-old")
        .is_none());
    assert!(reported(
        &i,
        "TransitGatewayVpcAttachment",
        "skipped",
        "tgw-attach-old",
        "deleted"
    ));
    assert!(reported(
        &i,
        "TransitGatewayVpcAttachment",
        "skipped",
        "subnet-b",
        "one Availability Zone"
    ));
    assert!(reported(
        &i,
        "TransitGatewayRouteTable",
        "skipped",
        "Routes.json",
        "no table id"
    ));
    assert_eq!(
        t["vpcs"]["shared"]["route_tables"]["main"]["routes"][0]["target"],
        "tgw:tgw-1"
    );
    // A route to a transit gateway not in the dump is a blackhole, reported.
    assert_eq!(
        t["vpcs"]["shared"]["route_tables"]["main"]["routes"][1]["target"],
        "blackhole"
    );
    assert!(reported(
        &i,
        "Route",
        "approximated",
        "rtb-2/10.8.0.0/16",
        "not imported"
    ));
}

#[test]
fn vpn_and_direct_connect_quirks() {
    let mut f = hub();
    f.push(("us-east-1/VpnGateways.json", json!({"VpnGateways": [
        {"VpnGatewayId": "vgw-1", "State": "available", "VpcAttachments": [{"VpcId": "vpc-1", "State": "attached"}]},
        {"VpnGatewayId": "vgw-2", "State": "available", "VpcAttachments": [{"VpcId": "vpc-gone", "State": "attached"}]},
        {"VpnGatewayId": "vgw-3", "State": "deleted"}]})));
    f.push(("us-east-1/CustomerGateways.json", json!({"CustomerGateways": [
        {"CustomerGatewayId": "cgw-1", "IpAddress": "198.51.100.7", "BgpAsn": "65010", "State": "available"}]})));
    f.push(("us-east-1/VpnConnections.json", json!({"VpnConnections": [
        {"VpnConnectionId": "vpn-1", "CustomerGatewayId": "cgw-1", "VpnGatewayId": "vgw-1", "State": "available",
         "Options": {"StaticRoutesOnly": true},
         "Routes": [{"DestinationCidrBlock": "172.16.0.0/16", "State": "available"},
                    {"DestinationCidrBlock": "172.17.0.0/16", "State": "deleted"}]},
        {"VpnConnectionId": "vpn-2", "CustomerGatewayId": "cgw-1", "TransitGatewayId": "tgw-1", "State": "available"}]})));
    f.push(("us-east-1/dx.json", json!({
        "directConnectGateways": [{"directConnectGatewayId": "abc-123", "directConnectGatewayName": "corp",
                                   "directConnectGatewayState": "available"}],
        "virtualInterfaces": [
            {"virtualInterfaceId": "dxvif-1", "virtualInterfaceType": "private", "virtualGatewayId": "vgw-1",
             "virtualInterfaceState": "available", "asn": 65010, "vlan": 7,
             "bgpPeers": [{"bgpStatus": "down"}]},
            {"virtualInterfaceId": "dxvif-2", "virtualInterfaceType": "public", "virtualInterfaceState": "available"}]})));
    let i = import(&f);
    assert_validates("vpn", &i);
    let t = tree(&i);
    assert_eq!(t["vpn_gateways"]["vgw-1"]["vpc"], "prod-vpc");
    assert!(t["vpn_gateways"]["vgw-2"].get("vpc").is_none(), "detached");
    assert!(reported(
        &i,
        "VpnGateway",
        "skipped",
        "vgw-2",
        "not imported"
    ));
    assert!(reported(&i, "VpnGateway", "skipped", "vgw-3", "deleted"));
    let v = &t["vpn_connections"]["vpn-1"];
    assert_eq!(v["routing"], "static");
    assert_eq!(v["static_routes"], json!(["172.16.0.0/16"]), "{v}");
    assert!(reported(
        &i,
        "VpnConnection",
        "skipped",
        "vpn-2",
        "no live attachment"
    ));
    let site = &t["customer_gateways"]["cgw-1"]["on_premises"];
    assert_eq!(
        t["on_premises"][site.as_str().unwrap()]["cidrs"],
        json!(["172.16.0.0/16"])
    );
    assert_eq!(t["direct_connect_gateways"]["corp"]["aws_id"], "abc-123");
    let vif = &t["virtual_interfaces"]["dxvif-1"];
    assert_eq!(vif["state"], "down", "every BGP peer is down: {vif}");
    assert_eq!(vif["on_premises"], *site, "the customer gateway's ASN");
    assert_eq!(vif["vlan"], 7);
    assert!(reported(
        &i,
        "VirtualInterface",
        "unsupported",
        "dxvif-2",
        "public"
    ));
}
