//! Inputs the corpus plans never hold, written here: a `terraform show -json` state with
//! known ids (a child module, adoption of the default table, NACL and SG, inline and separate
//! rules of three kinds, prefix lists, a peering, a NAT gateway with its EIP, an instance
//! with a secondary IP and a second interface, a route to a gone NAT gateway), raw
//! `terraform.tfstate` v4 (`for_each` keys, modules) and v3 (flat attributes), and a plan whose
//! references go through a module's output and a variable.

use super::import;
use crate::support::{assert_validates, reported, tree};
use serde_json::{json, Value};

/// A resource of a state: address from module, type and name.
fn res(module: Option<&str>, t: &str, name: &str, values: Value) -> Value {
    let address = match module {
        Some(m) => format!("{m}.{t}.{name}"),
        None => format!("{t}.{name}"),
    };
    json!({"address": address, "mode": "managed", "type": t, "name": name, "values": values})
}

fn rule(proto: &str, from: i64, to: i64, cidrs: &[&str]) -> Value {
    json!({"protocol": proto, "from_port": from, "to_port": to, "cidr_blocks": cidrs,
           "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""})
}

fn state() -> Value {
    let route = |c: &str, k: &str, v: &str| {
        let mut r = json!({"cidr_block": c, "ipv6_cidr_block": "", "gateway_id": "", "nat_gateway_id": "",
            "vpc_peering_connection_id": "", "transit_gateway_id": "", "network_interface_id": ""});
        r[k] = json!(v);
        r
    };
    let mut web_in = rule("tcp", 443, 443, &["0.0.0.0/0"]);
    web_in["prefix_list_ids"] = json!(["pl-0office"]);
    let mut app_in = rule("-1", 0, 0, &[]);
    app_in["security_groups"] = json!(["sg-0web"]);
    app_in["self"] = json!(true);
    let r = vec![
        res(
            None,
            "aws_vpc",
            "main",
            json!({"id": "vpc-0main", "cidr_block": "10.0.0.0/16", "enable_dns_support": true,
            "enable_dns_hostnames": true, "default_route_table_id": "rtb-0main", "default_network_acl_id": "acl-0default",
            "default_security_group_id": "sg-0default", "tags": {"Name": "Main"}}),
        ),
        res(
            None,
            "aws_vpc",
            "peer",
            json!({"id": "vpc-0peer", "cidr_block": "10.1.0.0/16"}),
        ),
        res(
            None,
            "aws_subnet",
            "pub",
            json!({"id": "subnet-0pub", "vpc_id": "vpc-0main", "cidr_block": "10.0.1.0/24",
            "availability_zone": "us-west-2a", "map_public_ip_on_launch": true}),
        ),
        res(
            None,
            "aws_subnet",
            "app",
            json!({"id": "subnet-0app", "vpc_id": "vpc-0main", "cidr_block": "10.0.2.0/24",
            "availability_zone": "us-west-2a", "map_public_ip_on_launch": false}),
        ),
        res(
            None,
            "aws_subnet",
            "peer",
            json!({"id": "subnet-0peer", "vpc_id": "vpc-0peer", "cidr_block": "10.1.1.0/24",
            "availability_zone": "us-west-2b"}),
        ),
        res(
            None,
            "aws_internet_gateway",
            "gw",
            json!({"id": "igw-0gw", "vpc_id": "vpc-0main"}),
        ),
        res(
            None,
            "aws_eip",
            "nat",
            json!({"id": "eipalloc-0nat", "allocation_id": "eipalloc-0nat", "public_ip": "54.10.0.5", "domain": "vpc"}),
        ),
        res(
            None,
            "aws_nat_gateway",
            "nat",
            json!({"id": "nat-0nat", "subnet_id": "subnet-0pub", "allocation_id": "eipalloc-0nat",
            "private_ip": "10.0.1.10", "connectivity_type": "public"}),
        ),
        res(
            None,
            "aws_default_route_table",
            "main",
            json!({"id": "rtb-0main", "default_route_table_id": "rtb-0main",
            "route": [route("0.0.0.0/0", "gateway_id", "igw-0gw")]}),
        ),
        res(
            None,
            "aws_route_table",
            "app",
            json!({"id": "rtb-0app", "vpc_id": "vpc-0main", "route": [
            route("0.0.0.0/0", "nat_gateway_id", "nat-0nat"),
            route("10.1.0.0/16", "vpc_peering_connection_id", "pcx-0p"),
            route("192.0.2.0/24", "transit_gateway_id", "tgw-0t")]}),
        ),
        res(
            None,
            "aws_route",
            "gone",
            json!({"route_table_id": "rtb-0app", "destination_cidr_block": "198.51.100.0/24",
            "nat_gateway_id": "nat-0gone"}),
        ),
        res(
            None,
            "aws_route_table_association",
            "app",
            json!({"subnet_id": "subnet-0app", "route_table_id": "rtb-0app"}),
        ),
        res(
            None,
            "aws_vpc_peering_connection",
            "p",
            json!({"id": "pcx-0p", "vpc_id": "vpc-0main", "peer_vpc_id": "vpc-0peer"}),
        ),
        res(
            None,
            "aws_ec2_managed_prefix_list",
            "office",
            json!({"id": "pl-0office", "name": "office", "max_entries": 5,
            "address_family": "IPv4", "entry": [{"cidr": "192.0.2.0/28", "description": "hq"}]}),
        ),
        res(
            None,
            "aws_security_group",
            "web",
            json!({"id": "sg-0web", "vpc_id": "vpc-0main", "name": "web",
            "description": "Managed by Terraform", "ingress": [web_in], "egress": []}),
        ),
        res(
            None,
            "aws_vpc_security_group_ingress_rule",
            "ssh",
            json!({"security_group_id": "sg-0web", "ip_protocol": "tcp",
            "from_port": 22, "to_port": 22, "prefix_list_id": "pl-0office"}),
        ),
        res(
            None,
            "aws_security_group",
            "app",
            json!({"id": "sg-0app", "vpc_id": "vpc-0main", "name": "app",
            "ingress": [app_in], "egress": [rule("-1", 0, 0, &["0.0.0.0/0"])]}),
        ),
        res(
            None,
            "aws_security_group_rule",
            "ping",
            json!({"type": "ingress", "security_group_id": "sg-0app",
            "protocol": "icmp", "from_port": 8, "to_port": 0, "cidr_blocks": ["10.0.0.0/16"]}),
        ),
        res(
            None,
            "aws_default_security_group",
            "d",
            json!({"id": "sg-0default", "vpc_id": "vpc-0main", "ingress": [], "egress": []}),
        ),
        res(
            None,
            "aws_default_network_acl",
            "d",
            json!({"id": "acl-0default", "default_network_acl_id": "acl-0default",
            "ingress": [{"rule_no": 100, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_block": "10.0.0.0/8"}],
            "egress": [], "subnet_ids": []}),
        ),
        res(
            None,
            "aws_network_acl",
            "app",
            json!({"id": "acl-0app", "vpc_id": "vpc-0main", "subnet_ids": ["subnet-0app"],
            "ingress": [{"rule_no": 100, "action": "allow", "protocol": "tcp", "from_port": 1024, "to_port": 65535, "cidr_block": "0.0.0.0/0"}],
            "egress": [{"rule_no": 100, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_block": "0.0.0.0/0"}]}),
        ),
        res(
            None,
            "aws_network_acl_rule",
            "ssh",
            json!({"network_acl_id": "acl-0app", "rule_number": 90, "egress": false,
            "protocol": "6", "rule_action": "deny", "cidr_block": "198.51.100.0/24", "from_port": 22, "to_port": 22}),
        ),
        res(
            None,
            "aws_instance",
            "web",
            json!({"id": "i-0web", "subnet_id": "subnet-0pub", "private_ip": "10.0.1.20",
            "secondary_private_ips": ["10.0.1.21"], "vpc_security_group_ids": ["sg-0web"], "associate_public_ip_address": true,
            "public_ip": "34.1.2.3", "source_dest_check": true, "primary_network_interface_id": "eni-0web",
            "instance_state": "running", "tags": {"Name": "Web"}}),
        ),
        res(
            None,
            "aws_network_interface",
            "second",
            json!({"id": "eni-0second", "subnet_id": "subnet-0app",
            "private_ips": ["10.0.2.30"], "security_groups": ["sg-0app"], "source_dest_check": false,
            "attachment": [{"instance": "i-0web", "device_index": 1}]}),
        ),
        res(
            None,
            "aws_lb",
            "front",
            json!({"id": "arn:aws:elasticloadbalancing:lb"}),
        ),
        res(None, "aws_iam_role", "r", json!({"id": "role"})),
    ];
    let worker = res(
        Some("module.app"),
        "aws_instance",
        "worker",
        json!({"id": "i-0worker", "subnet_id": "subnet-0app",
        "private_ip": "10.0.2.40", "vpc_security_group_ids": ["sg-0app"], "instance_state": "stopped"}),
    );
    json!({"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {
        "resources": r, "child_modules": [{"address": "module.app", "resources": [worker]}]}}})
}

#[test]
fn state_with_known_ids() {
    let i = import(&state());
    let t = tree(&i);
    let main = &t["vpcs"]["main"];
    assert_eq!(main["aws_id"], "vpc-0main");
    assert_eq!(main["internet_gateway"]["aws_id"], "igw-0gw");
    assert_eq!(t["region"], "us-west-2");
    // Adoption: the main table has exactly the route written; the default NACL and SG the
    // rules written (none outbound, none at all).
    assert_eq!(
        main["route_tables"]["main"]["routes"],
        json!([{"destination": "0.0.0.0/0", "target": "igw"}])
    );
    assert_eq!(
        main["network_acls"]["default"]["inbound"][0]["cidr"],
        "10.0.0.0/8"
    );
    assert_eq!(main["network_acls"]["default"]["outbound"], json!([]));
    assert_eq!(main["security_groups"]["default"]["inbound"], json!([]));
    assert_eq!(main["security_groups"]["default"]["outbound"], json!([]));
    let app = &main["route_tables"]["app"]["routes"];
    assert_eq!(
        app[0],
        json!({"destination": "0.0.0.0/0", "target": "nat:nat"})
    );
    assert_eq!(
        app[1],
        json!({"destination": "10.1.0.0/16", "target": "pcx:p"})
    );
    // A route to a transit gateway the input does not hold is a blackhole (issue 13), as one
    // to a NAT gateway that is gone.
    assert_eq!(
        app[2],
        json!({"destination": "192.0.2.0/24", "target": "blackhole"}),
        "{app}"
    );
    assert_eq!(
        app[3],
        json!({"destination": "198.51.100.0/24", "target": "blackhole"}),
        "{app}"
    );
    assert!(!reported(
        &i,
        "aws_route_table",
        "unsupported",
        "aws_route_table.app",
        "transit gateway"
    ));
    assert_eq!(main["subnets"]["app"]["route_table"], "app");
    assert_eq!(main["subnets"]["app"]["network_acl"], "app");
    let nacl = &main["network_acls"]["app"]["inbound"];
    assert_eq!(
        nacl[0],
        json!({"rule": 90, "action": "deny", "protocol": "tcp", "ports": 22, "cidr": "198.51.100.0/24"})
    );
    assert_eq!(main["nat_gateways"]["nat"]["elastic_ip"], "54.10.0.5");
    // Inline and separate rules on one group; Terraform's empty egress stays empty.
    let web = &main["security_groups"]["web"];
    assert_eq!(web["aws_id"], "sg-0web");
    assert_eq!(web["inbound"].as_array().unwrap().len(), 3, "{web}");
    assert_eq!(web["inbound"][1]["source"], "pl:office");
    assert_eq!(
        web["inbound"][2],
        json!({"protocol": "tcp", "ports": 22, "source": "pl:office"})
    );
    assert_eq!(web["outbound"], json!([]));
    let sg_app = &main["security_groups"]["app"];
    assert_eq!(
        sg_app["inbound"][0],
        json!({"protocol": "all", "source": "sg:web"})
    );
    assert_eq!(
        sg_app["inbound"][1],
        json!({"protocol": "all", "source": "sg:app"})
    );
    assert_eq!(
        sg_app["inbound"][2],
        json!({"protocol": "icmp", "source": "10.0.0.0/16", "icmp": {"type": 8, "code": 0}})
    );
    let inst = &main["instances"]["web"];
    assert_eq!(inst["aws_id"], "i-0web");
    assert_eq!(inst["eni_aws_id"], "eni-0web");
    assert_eq!(inst["public_ip"], "34.1.2.3");
    assert_eq!(inst["secondary_ips"], json!(["10.0.1.21"]));
    assert_eq!(inst["network_interfaces"][0]["aws_id"], "eni-0second");
    assert_eq!(
        inst["network_interfaces"][0]["security_groups"],
        json!(["app"])
    );
    assert_eq!(inst["network_interfaces"][0]["source_dest_check"], false);
    assert_eq!(main["instances"]["worker"]["state"], "stopped");
    assert_eq!(
        t["prefix_lists"]["office"]["entries"],
        json!([{"cidr": "192.0.2.0/28", "description": "hq"}])
    );
    assert_eq!(t["peerings"]["p"]["accepter"], "peer");
    // Load balancers are imported now (tests/import/terraform/load_balancers.rs): one with no
    // subnet is skipped with the reason.
    assert!(reported(&i, "aws_lb", "skipped", "aws_lb.front", "subnets"));
    assert!(
        !i.report.entries().iter().any(|e| e.kind == "aws_iam_role"),
        "not a network resource"
    );
}

/// The same state validates: it uses the format keys of docs/topology.md's last section
/// (a public_ip_pool list, prefix lists, secondary IPs, fixed public IPs, blackholes, further
/// interfaces).
#[test]
fn state_with_known_ids_validates() {
    assert_validates("state", &import(&state()));
}

#[test]
fn raw_tfstate_v4_with_for_each_and_modules() {
    let v = json!({"version": 4, "terraform_version": "1.5.0", "serial": 3, "lineage": "x", "outputs": {}, "resources": [
        {"mode": "managed", "type": "aws_vpc", "name": "v", "provider": "p", "instances": [
            {"schema_version": 1, "attributes": {"id": "vpc-1", "cidr_block": "10.2.0.0/16"}}]},
        {"module": "module.net[\"a\"]", "mode": "managed", "type": "aws_subnet", "name": "s", "each": "map", "instances": [
            {"index_key": "x", "attributes": {"id": "subnet-1", "vpc_id": "vpc-1", "cidr_block": "10.2.1.0/24", "availability_zone": "eu-west-1b"}},
            {"index_key": "y", "attributes": {"id": "subnet-2", "vpc_id": "vpc-1", "cidr_block": "10.2.2.0/24", "availability_zone": "eu-west-1b"}}]},
        {"mode": "data", "type": "aws_vpc", "name": "other", "instances": [{"attributes": {"id": "vpc-9", "cidr_block": "10.9.0.0/16"}}]},
        {"mode": "managed", "type": "aws_security_group", "name": "g", "instances": [
            {"attributes": {"id": "sg-1", "vpc_id": "vpc-1", "name": "g", "ingress": [], "egress": [rule("tcp", 80, 80, &["10.0.0.0/8"])]}},
            {"deposed": "abc", "attributes": {"id": "sg-old", "vpc_id": "vpc-1", "name": "g"}}]}
    ]});
    let i = import(&v);
    let t = tree(&i);
    let vpc = &t["vpcs"]["v"];
    assert_eq!(vpc["subnets"].as_object().unwrap().len(), 2, "{t}");
    assert_eq!(vpc["subnets"]["s-x"]["aws_id"], "subnet-1");
    assert_eq!(
        vpc["security_groups"].as_object().unwrap().len(),
        1,
        "a deposed instance is gone"
    );
    assert_eq!(vpc["security_groups"]["g"]["outbound"][0]["ports"], 80);
    assert_eq!(
        t["vpcs"].as_object().unwrap().len(),
        1,
        "a data source is not imported"
    );
    assert!(i.report.is_empty(), "{}", i.report.to_text());
    assert_validates("v4", &i);
}

#[test]
fn raw_tfstate_v3_flat_attributes() {
    let v = json!({"version": 3, "modules": [{"path": ["root"], "resources": {
        "aws_vpc.v": {"type": "aws_vpc", "primary": {"id": "vpc-3", "attributes": {"id": "vpc-3", "cidr_block": "10.3.0.0/16", "tags.%": "1", "tags.Name": "Old"}}},
        "aws_subnet.s.0": {"type": "aws_subnet", "primary": {"id": "subnet-3", "attributes": {"id": "subnet-3", "vpc_id": "vpc-3", "cidr_block": "10.3.0.0/24", "availability_zone": "us-east-1c", "map_public_ip_on_launch": "true"}}},
        "aws_security_group.g": {"type": "aws_security_group", "primary": {"id": "sg-3", "attributes": {"id": "sg-3", "vpc_id": "vpc-3", "name": "g",
            "ingress.#": "1", "ingress.1234.from_port": "22", "ingress.1234.to_port": "22", "ingress.1234.protocol": "tcp",
            "ingress.1234.cidr_blocks.#": "1", "ingress.1234.cidr_blocks.0": "10.0.0.0/8", "egress.#": "0"}}}
    }}]});
    let i = import(&v);
    let t = tree(&i);
    let vpc = &t["vpcs"]["old"];
    assert_eq!(vpc["aws_id"], "vpc-3", "{t}");
    assert_eq!(vpc["subnets"]["s-0"]["map_public_ip"], true);
    assert_eq!(
        vpc["security_groups"]["g"]["inbound"],
        json!([{"protocol": "tcp", "ports": 22, "source": "10.0.0.0/8"}])
    );
    assert_eq!(vpc["security_groups"]["g"]["outbound"], json!([]));
    assert_validates("v3", &i);
}

#[test]
fn plan_references_through_module_outputs_and_variables() {
    let change = |addr: &str, after: Value, unknown: Value| json!({"address": addr, "mode": "managed", "change": {"actions": ["create"], "after": after, "after_unknown": unknown}});
    let v = json!({"format_version": "1.2", "resource_changes": [
        change("module.net.aws_vpc.this", json!({"cidr_block": "10.5.0.0/16"}), json!({"id": true, "default_route_table_id": true})),
        change("aws_subnet.a", json!({"cidr_block": "10.5.1.0/24", "availability_zone": "us-east-1a"}), json!({"id": true, "vpc_id": true})),
        change("module.app.aws_security_group.g", json!({"name": "g", "ingress": [], "egress": []}), json!({"id": true, "vpc_id": true})),
        change("module.net.aws_default_route_table.d", json!({"route": []}), json!({"default_route_table_id": true})),
        change("aws_security_group.old", json!({"name": "old"}), json!({"id": true})),
        change("aws_vpc.deleted", json!(null), json!(null)),
    ], "configuration": {"root_module": {
        "resources": [
            {"mode": "managed", "type": "aws_subnet", "name": "a", "expressions": {"vpc_id": {"references": ["module.net.vpc_id", "module.net"]}}},
            {"mode": "managed", "type": "aws_security_group", "name": "old", "expressions": {"name": {"constant_value": "old"}}}
        ],
        "module_calls": {
            "net": {"source": "./net", "module": {
                "resources": [
                    {"mode": "managed", "type": "aws_vpc", "name": "this", "expressions": {"cidr_block": {"constant_value": "10.5.0.0/16"}}},
                    {"mode": "managed", "type": "aws_default_route_table", "name": "d", "expressions": {"default_route_table_id": {"references": ["aws_vpc.this.default_route_table_id", "aws_vpc.this"]}}}
                ],
                "outputs": {"vpc_id": {"expression": {"references": ["aws_vpc.this.id", "aws_vpc.this"]}}}}},
            "app": {"source": "./app", "expressions": {"vpc": {"references": ["module.net.vpc_id", "module.net"]}}, "module": {
                "resources": [{"mode": "managed", "type": "aws_security_group", "name": "g", "expressions": {"vpc_id": {"references": ["var.vpc"]}}}]}}
        }}}});
    // The deleted VPC's change is `delete` in real plans.
    let mut v = v;
    v["resource_changes"][5]["change"]["actions"] = json!(["delete"]);
    let i = import(&v);
    let t = tree(&i);
    let vpc = &t["vpcs"]["this"];
    assert_eq!(vpc["subnets"]["a"]["cidr"], "10.5.1.0/24", "{t}");
    assert!(
        vpc["security_groups"]["g"].is_object(),
        "var.vpc → module.net.vpc_id → aws_vpc.this: {t}"
    );
    assert!(
        vpc["route_tables"]["main"].is_object(),
        "the default table adopted: {t}"
    );
    assert!(
        t["vpcs"]["default"]["security_groups"]["old"].is_object(),
        "no vpc_id: the default VPC: {t}"
    );
    assert_eq!(
        t["vpcs"].as_object().unwrap().len(),
        2,
        "the deleted VPC is gone: {t}"
    );
    assert!(
        !i.report
            .entries()
            .iter()
            .any(|e| e.id.contains("aws_subnet.a") || e.id.contains("aws_security_group.g")),
        "exact references are not guesses: {}",
        i.report.to_text()
    );
    assert!(reported(
        &i,
        "aws_default_vpc",
        "guessed",
        "default VPC",
        "default VPC"
    ));
    assert_validates("plan", &i);
}

/// Inputs that once could panic the mapping: an inline route whose only unknown target is
/// `core_network_arn` (no resource type to take), an instance without subnet in a default VPC
/// too small for AWS's default subnet layout.
#[test]
fn odd_inputs_are_reported_not_panics() {
    let change = |addr: &str, after: Value, unknown: Value| json!({"address": addr, "mode": "managed", "change": {"actions": ["create"], "after": after, "after_unknown": unknown}});
    let v = json!({"format_version": "1.2", "resource_changes": [
        change("aws_default_vpc.d", json!({"cidr_block": "172.31.0.0/28"}), json!({})),
        change("aws_vpc.v", json!({"id": "vpc-1", "cidr_block": "10.0.0.0/16"}), json!({})),
        change("aws_route_table.t", json!({"vpc_id": "vpc-1", "route": [{"cidr_block": "0.0.0.0/0"}]}),
            json!({"id": true, "route": [{"core_network_arn": true}]})),
        change("aws_instance.i", json!({}), json!({"id": true})),
    ]});
    let i = import(&v);
    assert!(
        reported(
            &i,
            "aws_route_table",
            "skipped",
            "aws_route_table.t",
            "core_network_arn"
        ),
        "{}",
        i.report.to_text()
    );
    assert!(
        reported(&i, "aws_instance", "skipped", "aws_instance.i", "no room"),
        "{}",
        i.report.to_text()
    );
    assert_validates("odd", &i);
}

/// Elastic IPs on interfaces: on an instance's primary interface it is the instance's fixed
/// public IP; on a further interface it is reported.
#[test]
fn elastic_ips_on_interfaces() {
    let r = vec![
        res(
            None,
            "aws_vpc",
            "v",
            json!({"id": "vpc-1", "cidr_block": "10.0.0.0/16"}),
        ),
        res(
            None,
            "aws_subnet",
            "s",
            json!({"id": "subnet-1", "vpc_id": "vpc-1", "cidr_block": "10.0.0.0/24", "availability_zone": "us-east-1a"}),
        ),
        res(
            None,
            "aws_instance",
            "i",
            json!({"id": "i-1", "subnet_id": "subnet-1", "private_ip": "10.0.0.10", "primary_network_interface_id": "eni-1"}),
        ),
        res(
            None,
            "aws_network_interface",
            "second",
            json!({"id": "eni-2", "subnet_id": "subnet-1", "private_ips": ["10.0.0.11"],
            "attachment": [{"instance": "i-1", "device_index": 1}]}),
        ),
        res(
            None,
            "aws_network_interface",
            "primary",
            json!({"id": "eni-1", "subnet_id": "subnet-1", "private_ips": ["10.0.0.10"]}),
        ),
        res(
            None,
            "aws_eip",
            "a",
            json!({"id": "eipalloc-1", "public_ip": "54.1.1.1", "network_interface": "eni-1"}),
        ),
        res(
            None,
            "aws_eip",
            "b",
            json!({"id": "eipalloc-2", "public_ip": "54.1.1.2", "network_interface": "eni-2"}),
        ),
    ];
    let i = import(&json!({"format_version": "1.0", "values": {"root_module": {"resources": r}}}));
    let t = tree(&i);
    assert_eq!(
        t["vpcs"]["v"]["instances"]["i"]["public_ip"], "54.1.1.1",
        "{t}"
    );
    assert!(
        reported(
            &i,
            "aws_eip",
            "skipped",
            "aws_eip.b",
            "no instance's primary"
        ),
        "{}",
        i.report.to_text()
    );
    assert_validates("eips", &i);
}
