//! `aws_lb`, `aws_lb_listener`, `aws_lb_listener_rule`, `aws_lb_target_group` and
//! `aws_lb_target_group_attachment` of a `terraform show -json` state: an internet-facing ALB
//! in two public subnets with a path rule, an HTTPS listener with its certificate and a
//! listener redirecting to HTTPS, instance targets by attachment, and an internal NLB
//! with IP targets; the document validates and `reach` goes through the ALB.

use super::import;
use crate::support::{assert_validates, reported, text, tree};
use serde_json::{json, Value};

fn res(t: &str, name: &str, values: Value) -> Value {
    json!({"address": format!("{t}.{name}"), "mode": "managed", "type": t, "name": name, "values": values})
}

fn state() -> Value {
    let arn = |k: &str| format!("arn:aws:elasticloadbalancing:us-east-1:123456789012:{k}");
    let r = vec![
        res(
            "aws_vpc",
            "main",
            json!({"id": "vpc-0main", "cidr_block": "10.0.0.0/16"}),
        ),
        res(
            "aws_internet_gateway",
            "gw",
            json!({"id": "igw-0main", "vpc_id": "vpc-0main"}),
        ),
        res(
            "aws_subnet",
            "pub_a",
            json!({"id": "subnet-0a", "vpc_id": "vpc-0main", "cidr_block": "10.0.0.0/24", "availability_zone": "us-east-1a"}),
        ),
        res(
            "aws_subnet",
            "pub_b",
            json!({"id": "subnet-0b", "vpc_id": "vpc-0main", "cidr_block": "10.0.1.0/24", "availability_zone": "us-east-1b"}),
        ),
        res(
            "aws_subnet",
            "app_a",
            json!({"id": "subnet-0c", "vpc_id": "vpc-0main", "cidr_block": "10.0.10.0/24", "availability_zone": "us-east-1a"}),
        ),
        res(
            "aws_route_table",
            "public",
            json!({"id": "rtb-0pub", "vpc_id": "vpc-0main", "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-0main"}]}),
        ),
        res(
            "aws_route_table_association",
            "a",
            json!({"id": "rtbassoc-1", "subnet_id": "subnet-0a", "route_table_id": "rtb-0pub"}),
        ),
        res(
            "aws_route_table_association",
            "b",
            json!({"id": "rtbassoc-2", "subnet_id": "subnet-0b", "route_table_id": "rtb-0pub"}),
        ),
        res(
            "aws_security_group",
            "alb",
            json!({"id": "sg-0alb", "vpc_id": "vpc-0main", "name": "alb",
            "ingress": [{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}],
            "egress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}]}),
        ),
        res(
            "aws_security_group",
            "web",
            json!({"id": "sg-0web", "vpc_id": "vpc-0main", "name": "web",
            "ingress": [{"protocol": "tcp", "from_port": 80, "to_port": 8080, "cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": ["sg-0alb"], "self": false, "description": ""}],
            "egress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}]}),
        ),
        res(
            "aws_instance",
            "web",
            json!({"id": "i-0web", "subnet_id": "subnet-0c", "private_ip": "10.0.10.5", "vpc_security_group_ids": ["sg-0web"], "instance_state": "running"}),
        ),
        res(
            "aws_instance",
            "api",
            json!({"id": "i-0api", "subnet_id": "subnet-0c", "private_ip": "10.0.10.6", "vpc_security_group_ids": ["sg-0web"], "instance_state": "running"}),
        ),
        res(
            "aws_lb",
            "front",
            json!({"id": arn("loadbalancer/app/front/0123456789abcdef"), "arn": arn("loadbalancer/app/front/0123456789abcdef"),
            "name": "front", "load_balancer_type": "application", "internal": false, "subnets": ["subnet-0a", "subnet-0b"],
            "security_groups": ["sg-0alb"], "dns_name": "front-1234567890.us-east-1.elb.amazonaws.com"}),
        ),
        res(
            "aws_lb_target_group",
            "web",
            json!({"id": arn("targetgroup/web/1"), "arn": arn("targetgroup/web/1"), "name": "web", "port": 80, "protocol": "HTTP", "vpc_id": "vpc-0main", "target_type": "instance",
            "health_check": [{"protocol": "HTTP", "port": "traffic-port", "path": "/health", "healthy_threshold": 3, "unhealthy_threshold": 2, "interval": 15}]}),
        ),
        res(
            "aws_lb_target_group",
            "api",
            json!({"id": arn("targetgroup/api/2"), "arn": arn("targetgroup/api/2"), "name": "api", "port": 8080, "protocol": "HTTP", "vpc_id": "vpc-0main", "target_type": "instance"}),
        ),
        res(
            "aws_lb_target_group_attachment",
            "web",
            json!({"id": "att-1", "target_group_arn": arn("targetgroup/web/1"), "target_id": "i-0web", "port": 80}),
        ),
        res(
            "aws_lb_target_group_attachment",
            "api",
            json!({"id": "att-2", "target_group_arn": arn("targetgroup/api/2"), "target_id": "i-0api", "port": 8080}),
        ),
        res(
            "aws_lb_listener",
            "http",
            json!({"id": arn("listener/app/front/0123456789abcdef/1"), "arn": arn("listener/app/front/0123456789abcdef/1"),
            "load_balancer_arn": arn("loadbalancer/app/front/0123456789abcdef"), "port": 80, "protocol": "HTTP",
            "default_action": [{"type": "forward", "target_group_arn": arn("targetgroup/web/1")}]}),
        ),
        res(
            "aws_lb_listener",
            "https",
            json!({"id": arn("listener/app/front/0123456789abcdef/2"), "load_balancer_arn": arn("loadbalancer/app/front/0123456789abcdef"), "port": 443, "protocol": "HTTPS",
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc", "ssl_policy": "ELBSecurityPolicy-2016-08",
            "default_action": [{"type": "forward", "target_group_arn": arn("targetgroup/web/1")}]}),
        ),
        res(
            "aws_lb_listener",
            "redirect",
            json!({"id": arn("listener/app/front/0123456789abcdef/3"), "load_balancer_arn": arn("loadbalancer/app/front/0123456789abcdef"), "port": 8080, "protocol": "HTTP",
            "default_action": [{"type": "redirect", "target_group_arn": "", "redirect": [{"protocol": "HTTPS", "port": "443", "host": "#{host}", "path": "/#{path}", "query": "#{query}", "status_code": "HTTP_302"}]}]}),
        ),
        res(
            "aws_lb_listener_rule",
            "api",
            json!({"id": arn("listener-rule/app/front/0123456789abcdef/1/9"), "listener_arn": arn("listener/app/front/0123456789abcdef/1"), "priority": 10,
            "action": [{"type": "forward", "target_group_arn": arn("targetgroup/api/2")}],
            "condition": [{"path_pattern": [{"values": ["/api/*"]}], "host_header": []}]}),
        ),
        res("aws_elb", "classic", json!({"id": "classic"})),
    ];
    json!({"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": r}}})
}

#[test]
fn an_alb_with_rules_and_attachments_imports() {
    let i = import(&state());
    let t = tree(&i);
    let lb = &t["load_balancers"]["front"];
    assert_eq!(lb["type"], "application");
    assert_eq!(lb["scheme"], "internet-facing");
    assert_eq!(
        lb["subnets"],
        json!([{"subnet": "pub-a"}, {"subnet": "pub-b"}]),
        "{}",
        text(&i)
    );
    assert_eq!(lb["security_groups"], json!(["alb"]));
    assert_eq!(
        lb["dns_name"],
        "front-1234567890.us-east-1.elb.amazonaws.com"
    );
    let ls = lb["listeners"].as_array().unwrap();
    assert_eq!(ls.len(), 3, "{}", text(&i));
    let https = ls.iter().find(|l| l["port"] == 443).unwrap();
    assert_eq!(https["protocol"], "https");
    assert_eq!(
        https["certificate_arn"],
        "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    );
    let rd = ls.iter().find(|l| l["port"] == 8080).unwrap();
    assert_eq!(
        rd["default"]["redirect"],
        json!({"protocol": "HTTPS", "port": "443", "host": "#{host}", "path": "/#{path}", "query": "#{query}", "status_code": "HTTP_302"})
    );
    assert_eq!(lb["listeners"][0]["rules"][0]["path"], "/api/*");
    assert_eq!(lb["listeners"][0]["rules"][0]["action"]["forward"], "api");
    assert_eq!(
        lb["target_groups"]["web"]["targets"],
        json!([{"instance": "web"}])
    );
    assert_eq!(
        lb["target_groups"]["web"]["health_check"]["path"],
        "/health"
    );
    assert!(reported(
        &i,
        "aws_elb",
        "unsupported",
        "aws_elb.classic",
        "Classic"
    ));
    assert_validates("alb", &i);
    // The imported topology answers through the load balancer.
    let net = vpclab::load::load_str("alb", &text(&i)).unwrap().network;
    let q = vpclab::reach::Query::new(
        vpclab::reach::resolve_source(&net, "internet", None).unwrap(),
        vpclab::reach::resolve(&net, "front").unwrap(),
        6,
        80,
    );
    let a = vpclab::reach::analyze(&net, &q);
    assert!(a.reachable, "{a:#?}");
    assert_eq!(a.forward.last().unwrap().component, "eni-web");
}
