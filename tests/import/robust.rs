//! Random describe-* dumps built from small pools of ids, CIDRs, addresses and states (so the
//! objects refer to each other, validly or not): the importer never panics, and whatever it
//! imports validates. Also byte-level damage to real corpus files: an error, never a panic.
//! The cargo-fuzz target `import_aws` (fuzz/) does the unbounded version.

use super::support::{assert_validates, batfish};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use vpclab::import::aws;

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(pool)
}

const VPCS: &[&str] = &["vpc-1", "vpc-2"];
const SUBNETS: &[&str] = &["subnet-a", "subnet-b", "subnet-c"];
const SGS: &[&str] = &["sg-x", "sg-y", "sg-gone"];
const CIDRS: &[&str] = &[
    "10.0.0.0/16",
    "10.0.1.0/24",
    "10.0.2.0/24",
    "10.0.0.0/24",
    "10.1.0.0/16",
    "0.0.0.0/0",
    "10.0.1.5/24",
    "bad",
    "192.168.0.0/16",
    "10.0.0.0/8",
    "169.254.169.0/24",
    "10.0.1.0/28",
    "10.0.0.0/12",
];
const IPS: &[&str] = &[
    "10.0.1.4",
    "10.0.1.10",
    "10.0.0.1",
    "54.1.2.3",
    "10.0.1.255",
    "3.3.3.3",
    "bad",
    "10.1.0.10",
    "10.0.2.20",
    "100.64.0.1",
];
const TARGETS: &[&str] = &[
    "igw-1", "igw-2", "nat-1", "pcx-1", "eni-1", "eni-2", "i-1", "vgw-1", "tgw-1", "vpce-1",
    "eigw-1", "local", "weird-1",
];
const PROTOS: &[&str] = &[
    "-1", "tcp", "udp", "icmp", "6", "17", "1", "58", "icmpv6", "50", "x",
];
const NAMES: &[&str] = &["web", "Web", "main", "default", "", "a b", "web"];

fn tags() -> impl Strategy<Value = Value> {
    pick(NAMES).prop_map(|n| json!([{"Key": "Name", "Value": n}]))
}

fn vpc() -> impl Strategy<Value = Value> {
    (pick(VPCS), pick(CIDRS), pick(CIDRS), tags()).prop_map(|(id, c, c2, t)| {
        json!({"VpcId": id, "CidrBlock": c, "Tags": t,
               "CidrBlockAssociationSet": [{"CidrBlock": c2, "CidrBlockState": {"State": "associated"}}]})
    })
}

fn subnet() -> impl Strategy<Value = Value> {
    (
        pick(SUBNETS),
        pick(VPCS),
        pick(CIDRS),
        any::<bool>(),
        tags(),
    )
        .prop_map(|(id, v, c, m, t)| {
            json!({"SubnetId": id, "VpcId": v, "CidrBlock": c, "MapPublicIpOnLaunch": m,
               "AvailabilityZone": "us-east-1a", "Tags": t})
        })
}

fn eni(n: usize) -> impl Strategy<Value = Value> {
    (
        pick(SUBNETS),
        pick(IPS),
        pick(IPS),
        proptest::option::of(pick(IPS)),
        pick(SGS),
        0..3i64,
    )
        .prop_map(move |(s, ip, ip2, public, sg, dev)| {
            json!({"NetworkInterfaceId": format!("eni-{n}"), "SubnetId": s, "PrivateIpAddress": ip,
                   "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": true},
                                          {"PrivateIpAddress": ip2, "Primary": false}],
                   "Association": public.map(|p| json!({"PublicIp": p})),
                   "Attachment": {"DeviceIndex": dev}, "Groups": [{"GroupId": sg}]})
        })
}

fn instance() -> impl Strategy<Value = Value> {
    (
        pick(&["i-1", "i-2"]),
        pick(&["running", "stopped", "terminated", "pending"]),
        eni(1),
        eni(2),
        tags(),
    )
        .prop_map(|(id, st, a, b, t)| {
            json!({"InstanceId": id, "State": {"Name": st}, "NetworkInterfaces": [a, b], "Tags": t})
        })
}

fn permission() -> impl Strategy<Value = Value> {
    (
        pick(PROTOS),
        -1..70000i64,
        -1..300i64,
        pick(CIDRS),
        pick(SGS),
        pick(VPCS),
    )
        .prop_map(|(p, from, to, c, g, v)| {
            json!({"IpProtocol": p, "FromPort": from, "ToPort": to, "IpRanges": [{"CidrIp": c}],
                   "UserIdGroupPairs": [{"GroupId": g, "VpcId": v}],
                   "PrefixListIds": [{"PrefixListId": "pl-1"}]})
        })
}

fn group() -> impl Strategy<Value = Value> {
    (
        pick(SGS),
        pick(VPCS),
        pick(&["default", "web", "db"]),
        permission(),
        permission(),
        tags(),
    )
        .prop_map(|(id, v, n, i, o, t)| {
            json!({"GroupId": id, "VpcId": v, "GroupName": n, "IpPermissions": [i],
                   "IpPermissionsEgress": [o], "Tags": t})
        })
}

fn route() -> impl Strategy<Value = Value> {
    (
        pick(CIDRS),
        pick(TARGETS),
        pick(&["active", "blackhole"]),
        any::<bool>(),
    )
        .prop_map(|(c, t, s, pl)| {
            if pl {
                json!({"DestinationPrefixListId": "pl-1", "GatewayId": t, "State": s})
            } else {
                json!({"DestinationCidrBlock": c, "GatewayId": t, "State": s})
            }
        })
}

fn table() -> impl Strategy<Value = Value> {
    (pick(&["rtb-1", "rtb-2"]), pick(VPCS), any::<bool>(), pick(SUBNETS), prop::collection::vec(route(), 0..4), tags())
        .prop_map(|(id, v, main, s, r, t)| {
            json!({"RouteTableId": id, "VpcId": v, "Routes": r, "Tags": t,
                   "Associations": [{"Main": main, "SubnetId": if main { Value::Null } else { json!(s) }}]})
        })
}

fn acl() -> impl Strategy<Value = Value> {
    (pick(&["acl-1", "acl-2"]), pick(VPCS), any::<bool>(), pick(SUBNETS), pick(PROTOS), 0..33000i64, pick(CIDRS))
        .prop_map(|(id, v, d, s, p, n, c)| {
            json!({"NetworkAclId": id, "VpcId": v, "IsDefault": d, "Associations": [{"SubnetId": s}],
                   "Entries": [{"RuleNumber": n, "Egress": n % 2 == 0, "Protocol": p, "RuleAction": "allow",
                                "CidrBlock": c, "PortRange": {"From": n % 100, "To": 80},
                                "IcmpTypeCode": {"Type": n % 300 - 1, "Code": -1}}]})
        })
}

fn others() -> impl Strategy<Value = Value> {
    (pick(SUBNETS), pick(VPCS), pick(IPS), pick(IPS), pick(&["available", "deleted", "pending"]),
     pick(VPCS), pick(&["active", "pending-acceptance", "deleted"]), pick(CIDRS))
        .prop_map(|(s, v, ip, eip, st, v2, pst, plc)| {
            json!({
                "NatGateways": [{"NatGatewayId": "nat-1", "SubnetId": s, "VpcId": v, "State": st,
                                 "NatGatewayAddresses": [{"PrivateIp": ip, "PublicIp": eip}]}],
                "InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": v}]}],
                "VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": pst},
                    "RequesterVpcInfo": {"VpcId": v}, "AccepterVpcInfo": {"VpcId": v2}}],
                "PrefixLists": [{"PrefixListId": "pl-1", "PrefixListName": "corp", "Cidrs": [plc, plc]}],
                "Addresses": [{"PublicIp": eip, "NetworkInterfaceId": "eni-1", "PrivateIpAddress": ip}],
            })
        })
}

fn dump() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(vpc(), 1..3),
        prop::collection::vec(subnet(), 0..4),
        prop::collection::vec(instance(), 0..3),
        prop::collection::vec(group(), 0..3),
        prop::collection::vec(table(), 0..3),
        prop::collection::vec(acl(), 0..2),
        others(),
        prop::collection::vec(eni(3), 0..2),
    )
        .prop_map(|(v, s, i, g, t, a, mut o, e)| {
            let m = o.as_object_mut().unwrap();
            m.insert("Vpcs".into(), json!(v));
            m.insert("Subnets".into(), json!(s));
            m.insert("Reservations".into(), json!([{"Instances": i}]));
            m.insert("SecurityGroups".into(), json!(g));
            m.insert("RouteTables".into(), json!(t));
            m.insert("NetworkAcls".into(), json!(a));
            m.insert("NetworkInterfaces".into(), json!(e));
            o
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_dumps_import_into_topologies_that_validate(d in dump()) {
        let files = vec![(PathBuf::from("aws_configs/us-east-1/all.json"), d.to_string())];
        let i = aws::import_texts(&files, "random").expect("a dump of the right shape imports");
        assert_validates("random.yaml", &i);
    }

    #[test]
    fn damaged_corpus_files_never_panic(cut in 0usize..20000, flip in 0usize..20000, byte in any::<u8>()) {
        let f = batfish().join("test-nat-gateway/aws_configs/Reservations.json");
        let mut b = std::fs::read(&f).expect("corpus file");
        if !b.is_empty() {
            let at = flip % b.len();
            b[at] = byte;
            b.truncate(cut.max(1).min(b.len()));
        }
        let files = vec![(f, String::from_utf8_lossy(&b).into_owned())];
        let _ = aws::import_texts(&files, "damaged");
    }
}
