//! `vpclab import aws` of an ALB's HTTPS listener and redirect actions: `describe-listeners`
//! `Protocol: HTTPS` with its `Certificates`, and `DefaultActions` of type `redirect` with a
//! `RedirectConfig`; the document validates and the analyzer ends at the node for a redirect.

use crate::support::{assert_validates, import, text, tree};
use serde_json::json;

fn files() -> Vec<(&'static str, serde_json::Value)> {
    let arn = |k: &str| format!("arn:aws:elasticloadbalancing:us-east-1:123456789012:{k}");
    let lb = arn("loadbalancer/app/front/0123456789abcdef");
    let tg = arn("targetgroup/web/1");
    vec![
        (
            "us-east-1/Vpcs.json",
            json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "123456789012"}]}),
        ),
        (
            "us-east-1/Subnets.json",
            json!({"Subnets": [
                {"SubnetId": "subnet-a", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"},
                {"SubnetId": "subnet-b", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1b"}]}),
        ),
        (
            "us-east-1/SecurityGroups.json",
            json!({"SecurityGroups": [{"GroupId": "sg-alb", "GroupName": "alb", "VpcId": "vpc-1",
                "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}),
        ),
        (
            "us-east-1/LoadBalancers.json",
            json!({"LoadBalancers": [{"LoadBalancerArn": lb, "LoadBalancerName": "front", "Scheme": "internal",
                "Type": "application", "VpcId": "vpc-1", "SecurityGroups": ["sg-alb"],
                "DNSName": "internal-front-1234567890.us-east-1.elb.amazonaws.com",
                "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-a"}, {"ZoneName": "us-east-1b", "SubnetId": "subnet-b"}]}]}),
        ),
        (
            "us-east-1/TargetGroups.json",
            json!({"TargetGroups": [{"TargetGroupArn": tg, "TargetGroupName": "web", "Protocol": "HTTP", "Port": 80,
                "VpcId": "vpc-1", "TargetType": "ip", "LoadBalancerArns": [lb]}]}),
        ),
        (
            "us-east-1/Listeners.json",
            json!({"Listeners": [
                {"ListenerArn": arn("listener/app/front/0123456789abcdef/1"), "LoadBalancerArn": lb, "Port": 80, "Protocol": "HTTP",
                 "DefaultActions": [{"Type": "redirect", "Order": 1, "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                    "Host": "#{host}", "Path": "/#{path}", "Query": "#{query}", "StatusCode": "HTTP_301"}}]},
                {"ListenerArn": arn("listener/app/front/0123456789abcdef/2"), "LoadBalancerArn": lb, "Port": 443, "Protocol": "HTTPS",
                 "Certificates": [{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}],
                 "SslPolicy": "ELBSecurityPolicy-2016-08",
                 "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]}]}),
        ),
    ]
}

#[test]
fn https_listeners_and_redirects_import() {
    let i = import(&files());
    let t = tree(&i);
    let ls = &t["load_balancers"]["front"]["listeners"];
    assert_eq!(ls.as_array().map(Vec::len), Some(2), "{}", text(&i));
    let http = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["port"] == 80)
        .unwrap();
    assert_eq!(
        http["default"]["redirect"],
        json!({"protocol": "HTTPS", "port": "443", "host": "#{host}", "path": "/#{path}", "query": "#{query}", "status_code": "HTTP_301"})
    );
    let https = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["port"] == 443)
        .unwrap();
    assert_eq!(https["protocol"], "https");
    assert_eq!(
        https["certificate_arn"],
        "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    );
    assert_eq!(https["default"]["forward"], "web");
    assert_validates("alb-https", &i);
    // The analyzer: port 80 ends at the node with the redirect.
    let net = vpclab::load::load_str("alb", &text(&i)).unwrap().network;
    let lb = net.load_balancer(net.load_balancer_by_name("front").unwrap());
    let l80 = lb.listeners.iter().find(|l| l.port == 80).unwrap();
    let vpclab::model::load_balancer::LbAction::Redirect(r) = &l80.default else {
        panic!("{:?}", l80.default)
    };
    assert_eq!(r.status, 301);
    assert_eq!(
        r.location(
            "HTTP",
            "internal-front-1234567890.us-east-1.elb.amazonaws.com",
            80,
            "/x",
            ""
        ),
        "https://internal-front-1234567890.us-east-1.elb.amazonaws.com:443/x"
    );
}
