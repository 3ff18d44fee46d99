//! `aws_vpc_endpoint*` from a Terraform state (issue 14): a gateway endpoint with its
//! `route_table_ids` and a separate route-table association, whose computed prefix list becomes
//! an `aws_services:` entry that an SG rule names by id; an interface endpoint with its subnets,
//! groups and private DNS. The result validates and answers `reach` through the endpoints.

use super::import;
use crate::support::{assert_validates, tree};
use serde_json::{json, Value};

fn res(t: &str, name: &str, values: Value) -> Value {
    json!({"address": format!("{t}.{name}"), "mode": "managed", "type": t, "name": name, "values": values})
}

fn state() -> Value {
    let r = vec![
        res(
            "aws_vpc",
            "main",
            json!({"id": "vpc-0main", "cidr_block": "10.0.0.0/16",
            "enable_dns_support": true, "enable_dns_hostnames": true}),
        ),
        res(
            "aws_subnet",
            "a",
            json!({"id": "subnet-0a", "vpc_id": "vpc-0main",
            "cidr_block": "10.0.1.0/24", "availability_zone": "us-east-1a"}),
        ),
        res(
            "aws_subnet",
            "b",
            json!({"id": "subnet-0b", "vpc_id": "vpc-0main",
            "cidr_block": "10.0.2.0/24", "availability_zone": "us-east-1b"}),
        ),
        res(
            "aws_route_table",
            "a",
            json!({"id": "rtb-0a", "vpc_id": "vpc-0main", "route": []}),
        ),
        res(
            "aws_route_table",
            "b",
            json!({"id": "rtb-0b", "vpc_id": "vpc-0main", "route": []}),
        ),
        res(
            "aws_route_table_association",
            "a",
            json!({"id": "rtbassoc-a", "subnet_id": "subnet-0a", "route_table_id": "rtb-0a"}),
        ),
        res(
            "aws_route_table_association",
            "b",
            json!({"id": "rtbassoc-b", "subnet_id": "subnet-0b", "route_table_id": "rtb-0b"}),
        ),
        res(
            "aws_security_group",
            "app",
            json!({"id": "sg-0app", "vpc_id": "vpc-0main", "name": "app",
            "ingress": [], "egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [],
            "ipv6_cidr_blocks": [], "prefix_list_ids": ["pl-63a5400a"], "security_groups": [], "self": false, "description": ""},
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"],
            "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}]}),
        ),
        res(
            "aws_security_group",
            "ep",
            json!({"id": "sg-0ep", "vpc_id": "vpc-0main", "name": "ep",
            "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"],
            "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}], "egress": []}),
        ),
        res(
            "aws_vpc_endpoint",
            "s3",
            json!({"id": "vpce-0s3", "vpc_id": "vpc-0main",
            "service_name": "com.amazonaws.us-east-1.s3", "vpc_endpoint_type": "Gateway",
            "route_table_ids": ["rtb-0a"], "prefix_list_id": "pl-63a5400a",
            "cidr_blocks": ["54.231.0.0/17", "52.216.0.0/15"]}),
        ),
        res(
            "aws_vpc_endpoint_route_table_association",
            "s3b",
            json!({"id": "a-vpce-0s3123",
            "vpc_endpoint_id": "vpce-0s3", "route_table_id": "rtb-0b"}),
        ),
        res(
            "aws_vpc_endpoint",
            "sqs",
            json!({"id": "vpce-0sqs", "vpc_id": "vpc-0main",
            "service_name": "com.amazonaws.us-east-1.sqs", "vpc_endpoint_type": "Interface",
            "subnet_ids": ["subnet-0a", "subnet-0b"], "security_group_ids": ["sg-0ep"],
            "private_dns_enabled": true, "dns_entry": [
                {"dns_name": "vpce-0sqs-4ccm2l0q.sqs.us-east-1.vpce.amazonaws.com", "hosted_zone_id": "Z7HUB22UULQXV"},
                {"dns_name": "vpce-0sqs-4ccm2l0q-us-east-1a.sqs.us-east-1.vpce.amazonaws.com", "hosted_zone_id": "Z7HUB22UULQXV"},
                {"dns_name": "sqs.us-east-1.amazonaws.com", "hosted_zone_id": "Z06525552F9L5PIMURQGQ"}]}),
        ),
        res(
            "aws_instance",
            "app",
            json!({"id": "i-0app", "subnet_id": "subnet-0a",
            "private_ip": "10.0.1.10", "vpc_security_group_ids": ["sg-0app", "sg-0ep"]}),
        ),
    ];
    json!({"format_version": "1.0", "values": {"root_module": {"resources": r}}})
}

#[test]
fn endpoints_import_with_their_tables_subnets_and_prefix_list() {
    let i = import(&state());
    let t = tree(&i);
    let v = &t["vpcs"]["main"];
    let s3 = &v["endpoints"]["s3"];
    assert_eq!(s3["type"], "gateway", "{t}");
    assert_eq!(s3["route_tables"], json!(["a", "b"]), "{t}");
    assert_eq!(s3["aws_id"], "vpce-0s3");
    let sqs = &v["endpoints"]["sqs"];
    assert_eq!(sqs["type"], "interface");
    assert_eq!(
        sqs["subnets"],
        json!([{"subnet": "a"}, {"subnet": "b"}]),
        "{t}"
    );
    assert_eq!(sqs["security_groups"], json!(["ep"]));
    assert_eq!(sqs["private_dns"], true);
    // AWS's regional name (the first label without an AZ) from `dns_entry`.
    assert_eq!(
        sqs["dns_name"],
        "vpce-0sqs-4ccm2l0q.sqs.us-east-1.vpce.amazonaws.com"
    );
    assert_eq!(
        t["aws_services"][0]["prefix_list"],
        json!({"aws_id": "pl-63a5400a", "entries": ["54.231.0.0/17", "52.216.0.0/15"]})
    );
    assert_eq!(
        v["security_groups"]["app"]["outbound"][0]["destination"], "pl:com.amazonaws.us-east-1.s3",
        "{t}"
    );
    assert_validates("endpoints", &i);
}

#[test]
fn imported_endpoints_answer_reach() {
    let i = import(&state());
    let y = vpclab::import::yaml::to_yaml(&i.doc, "a test").unwrap();
    let t = vpclab::topology::parse_str("t.yaml", &y).expect("parses");
    let net = vpclab::model::build(&t, "t.yaml").expect("builds");
    let q = |to: &str, port| {
        vpclab::reach::Query::new(
            vpclab::reach::resolve_source(&net, "i-0app", None).unwrap(),
            vpclab::reach::resolve(&net, to).unwrap(),
            6,
            port,
        )
    };
    let a = vpclab::reach::analyze(&net, &q("s3.us-east-1.amazonaws.com", 443));
    assert!(a.reachable, "{:#?}", a.blockers);
    let b = vpclab::reach::analyze(&net, &q("vpce-0sqs", 443));
    assert!(b.reachable, "{:#?}", b.blockers);
}
