//! The mapping of the objects vpclab expresses: SG permissions expanded per peer, references to
//! groups across a peering, protocol numbers and ICMP, instances with several interfaces,
//! secondary and public IPs, stopped and terminated instances, several accounts and regions,
//! and the same output whatever the order of the input.

use super::quirks::base;
use super::support::{assert_validates, import, reported, text, tree};
use serde_json::{json, Value};
use std::path::PathBuf;
use vpclab::import::aws;

/// Two peered VPCs (prod 10.0/16 with groups web and db; shared 10.9/16 with group app).
fn peered() -> Vec<(&'static str, Value)> {
    let mut f = base();
    f[0].1["Vpcs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"VpcId": "vpc-2", "CidrBlock": "10.9.0.0/16", "Tags": [{"Key": "Name", "Value": "shared"}]}));
    f.push((
        "us-east-1/VpcPeeringConnections.json",
        json!({"VpcPeeringConnections": [
        {"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},
         "RequesterVpcInfo": {"VpcId": "vpc-1"}, "AccepterVpcInfo": {"VpcId": "vpc-2",
         "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": true}}},
        {"VpcPeeringConnectionId": "pcx-2", "Status": {"Code": "pending-acceptance"},
         "RequesterVpcInfo": {"VpcId": "vpc-1"}, "AccepterVpcInfo": {"VpcId": "vpc-2"}}]}),
    ));
    f.push(("us-east-1/SecurityGroups.json", json!({"SecurityGroups": [
        {"GroupId": "sg-web", "GroupName": "web", "VpcId": "vpc-1", "Description": "web tier",
         "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 443,
             "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "world"}, {"CidrIp": "192.0.2.0/24"}],
             "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
             "UserIdGroupPairs": [{"GroupId": "sg-app", "UserId": "210987654321", "VpcId": "vpc-2",
                                   "VpcPeeringConnectionId": "pcx-1"},
                                  {"GroupId": "sg-gone", "UserId": "111122223333"}]},
            {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "50", "IpRanges": [{"CidrIp": "10.9.0.0/16"}]},
            {"IpProtocol": "udp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.9.0.0/16"}]}],
         "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        {"GroupId": "sg-db", "GroupName": "db", "VpcId": "vpc-1",
         "IpPermissions": [{"IpProtocol": "6", "FromPort": 5432, "ToPort": 5432,
                            "UserIdGroupPairs": [{"GroupId": "sg-web"}]}],
         "IpPermissionsEgress": []},
        {"GroupId": "sg-app", "GroupName": "app", "VpcId": "vpc-2", "IpPermissions": [],
         "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]})));
    f
}

#[test]
fn permissions_expand_per_peer_with_protocol_numbers_and_icmp() {
    let i = import(&peered());
    let t = tree(&i);
    let web = &t["vpcs"]["prod-vpc"]["security_groups"]["web"];
    let inbound = web["inbound"].as_array().unwrap();
    let peers: Vec<&Value> = inbound.iter().map(|r| &r["source"]).collect();
    assert_eq!(
        peers,
        [
            &json!("0.0.0.0/0"),
            &json!("192.0.2.0/24"),
            &json!("::/0"),
            &json!("sg:shared/app"),
            &json!("10.0.0.0/8"),
            &json!("10.9.0.0/16"),
            &json!("10.9.0.0/16")
        ],
        "{web}"
    );
    assert_eq!(inbound[0]["ports"], "80-443");
    assert_eq!(inbound[0]["description"], "world");
    assert_eq!(inbound[4]["icmp"], json!({"type": 8}), "echo, any code");
    assert_eq!(inbound[5]["protocol"], 50);
    assert_eq!(inbound[6]["ports"], "0-65535");
    assert_eq!(web["description"], "web: web tier");
    let db = &t["vpcs"]["prod-vpc"]["security_groups"]["db"];
    assert_eq!(db["inbound"][0]["source"], "sg:web", "{db}");
    assert_eq!(db["outbound"], json!([]));
    // IPv6 ranges are imported as rules of their own (`::/0` above), not reported.
    assert!(!reported(
        &i,
        "SecurityGroupRule",
        "unsupported",
        "sg-web",
        "IPv6"
    ));
    assert!(reported(
        &i,
        "SecurityGroupRule",
        "skipped",
        "sg-web",
        "sg-gone (account 111122223333)"
    ));
    assert!(reported(
        &i,
        "VpcPeeringConnection",
        "skipped",
        "pcx-2",
        "pending-acceptance"
    ));
    assert_eq!(t["peerings"]["pcx-1"]["dns_resolution"], true, "{t}");
    assert_validates("sg", &i);
}

#[test]
fn instances_keep_interfaces_secondary_and_public_ips_and_state() {
    let mut f = peered();
    let eni = |id: &str, dev: i64, subnet: &str, ips: &[&str], public: Option<&str>, sg: &str| {
        let mut pips: Vec<Value> = ips
            .iter()
            .enumerate()
            .map(|(n, ip)| json!({"PrivateIpAddress": ip, "Primary": n == 0}))
            .collect();
        if let Some(p) = public {
            pips[0]["Association"] = json!({"PublicIp": p});
        }
        json!({"NetworkInterfaceId": id, "SubnetId": subnet, "VpcId": "vpc-1",
               "PrivateIpAddress": ips[0], "PrivateIpAddresses": pips,
               "Association": public.map(|p| json!({"PublicIp": p})),
               "Attachment": {"DeviceIndex": dev, "Status": "attached"},
               "Groups": [{"GroupId": sg}], "SourceDestCheck": dev != 1})
    };
    f.push(("us-east-1/Reservations.json", json!({"Reservations": [{"Instances": [
        {"InstanceId": "i-router", "State": {"Name": "running"}, "Tags": [{"Key": "Name", "Value": "Router"}],
         "NetworkInterfaces": [
            eni("eni-r1", 1, "subnet-a", &["10.0.1.20"], None, "sg-db"),
            eni("eni-r0", 0, "subnet-a", &["10.0.1.10", "10.0.1.11"], Some("54.1.2.3"), "sg-web")]},
        {"InstanceId": "i-old", "State": {"Name": "stopped"},
         "NetworkInterfaces": [eni("eni-o", 0, "subnet-b", &["10.0.2.10"], None, "sg-web")]},
        {"InstanceId": "i-dead", "State": {"Name": "terminated"}, "NetworkInterfaces": []},
        {"InstanceId": "i-classic", "SubnetId": "subnet-b", "PrivateIpAddress": "10.0.2.20",
         "PublicIpAddress": "54.9.9.9", "SecurityGroups": [{"GroupId": "sg-db"}]}]}]})));
    let i = import(&f);
    let t = tree(&i);
    let inst = &t["vpcs"]["prod-vpc"]["instances"];
    let r = &inst["router"];
    assert_eq!(r["eni_aws_id"], "eni-r0", "{r}");
    assert_eq!(r["ip"], "10.0.1.10");
    assert_eq!(r["secondary_ips"], json!(["10.0.1.11"]));
    assert_eq!(r["public_ip"], "54.1.2.3");
    assert_eq!(r["security_groups"], json!(["web"]));
    let second = &r["network_interfaces"][0];
    assert_eq!(second["aws_id"], "eni-r1", "{r}");
    assert_eq!(second["source_dest_check"], false);
    assert_eq!(second["security_groups"], json!(["db"]));
    assert_eq!(inst["i-old"]["state"], "stopped", "{inst}");
    assert!(inst.get("i-dead").is_none());
    assert!(reported(&i, "Instance", "skipped", "i-dead", "terminated"));
    assert_eq!(
        inst["i-classic"]["public_ip"], "54.9.9.9",
        "built from the instance's own fields"
    );
    assert_validates("instances", &i);
}

#[test]
fn accounts_and_regions_merge_from_folders() {
    let i = import(&[
        (
            "aws_configs/accounts/111/us-west-1/Vpcs.json",
            json!({"Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.1.0.0/16", "OwnerId": "554773406868",
                          "Tags": [{"Key": "Name", "Value": "vpc_a"}]}]}),
        ),
        (
            "aws_configs/accounts/222/us-west-2/Vpcs.json",
            json!({"Vpcs": [{"VpcId": "vpc-b", "CidrBlock": "10.1.0.0/16", "OwnerId": "554773406868",
                          "Tags": [{"Key": "Name", "Value": "vpc_a"}]}]}),
        ),
        (
            "aws_configs/accounts/222/us-west-2/Subnets.json",
            json!({"Subnets": [{"SubnetId": "subnet-x", "VpcId": "vpc-b", "CidrBlock": "10.1.1.0/24",
                             "AvailabilityZone": "us-west-2c"}]}),
        ),
    ]);
    let t = tree(&i);
    let vpcs = t["vpcs"].as_object().unwrap();
    assert_eq!(vpcs.len(), 2, "{t}");
    let a = &t["vpcs"]["vpc-a"];
    let b = &t["vpcs"]["vpc-a-0vpcb"].clone();
    let b = if b.is_null() {
        &t["vpcs"][vpcs.keys().find(|k| *k != "vpc-a").unwrap()]
    } else {
        b
    };
    let accounts: Vec<&Value> = vec![
        a.get("account").unwrap_or(&t["account"]),
        b.get("account").unwrap_or(&t["account"]),
    ];
    assert_eq!(
        accounts,
        [&json!("000000000111"), &json!("000000000222")],
        "{t}"
    );
    let regions: Vec<&Value> = vec![
        a.get("region").unwrap_or(&t["region"]),
        b.get("region").unwrap_or(&t["region"]),
    ];
    assert_eq!(regions, [&json!("us-west-1"), &json!("us-west-2")], "{t}");
    assert!(reported(
        &i,
        "Account",
        "approximated",
        "111",
        "000000000111"
    ));
    assert_validates("accounts", &i);
}

#[test]
fn the_output_does_not_depend_on_the_order_of_the_input() {
    let f = peered();
    let mut shuffled: Vec<(&str, Value)> = f.iter().rev().cloned().collect();
    for (_, v) in shuffled.iter_mut() {
        for (_, list) in v.as_object_mut().unwrap().iter_mut() {
            if let Some(a) = list.as_array_mut() {
                a.reverse();
            }
        }
    }
    let (x, y) = (import(&f), import(&shuffled));
    assert_eq!(text(&x), text(&y));
    assert_eq!(x.report, y.report);
}

#[test]
fn bad_json_names_the_file_and_position() {
    let files = vec![(
        PathBuf::from("dump/Vpcs.json"),
        "{\"Vpcs\": [\n  {\"VpcId\": 7}\n]}".to_string(),
    )];
    let e = aws::import_texts(&files, "x").unwrap_err().to_string();
    assert!(e.starts_with("dump/Vpcs.json:2:"), "{e}");
    let files = vec![(PathBuf::from("dump/Vpcs.json"), "{\"Vpcs\": [".to_string())];
    let e = aws::import_texts(&files, "x").unwrap_err().to_string();
    assert!(e.starts_with("dump/Vpcs.json:1:"), "{e}");
}
