//! Endpoint quotas as AWS's defaults count them: 20 gateway endpoints per account and Region,
//! 50 interface endpoints per VPC; the endpoint that goes over is the error, and the count is
//! per account and Region (another region's VPC starts again).

use vpclab::topology::{parse_str, validate::validate};

/// VPCs `v0`, `v1`, … each with `gateways` S3 gateway endpoints (one table each) and
/// `interfaces` interface endpoints (one service each), in `region`.
fn topology(vpcs: &[(&str, usize, usize)]) -> String {
    let mut y = String::from("name: t\nvpcs:\n");
    for (k, (region, gateways, interfaces)) in vpcs.iter().enumerate() {
        y += &format!(
            "  v{k}:\n    cidr: 10.{k}.0.0/16\n    region: {region}\n    subnets:\n      a: {{ cidr: 10.{k}.0.0/24, az: {region}a }}\n"
        );
        if *gateways > 0 {
            y += "    route_tables:\n";
        }
        for g in 0..*gateways {
            y += &format!("      t{g}: {{ routes: [] }}\n");
        }
        if gateways + interfaces > 0 {
            y += "    endpoints:\n";
        }
        for g in 0..*gateways {
            y += &format!("      g{g}: {{ service: s3, route_tables: [t{g}] }}\n");
        }
        for i in 0..*interfaces {
            y += &format!("      i{i}: {{ service: svc{i}, subnets: [a], private_dns: false }}\n");
        }
    }
    y
}

/// The error messages of validating `y`.
fn errors(y: &str) -> Vec<String> {
    let t = parse_str("t.yaml", y).expect("parses");
    let r = validate(&t, "t.yaml");
    r.to_string()
        .lines()
        .filter(|l| l.contains("error:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn gateway_endpoints_count_per_region_and_interface_endpoints_per_vpc() {
    assert_eq!(
        errors(&topology(&[("us-east-1", 20, 50)])),
        Vec::<String>::new()
    );
    // The 21st gateway endpoint of the Region, in a second VPC: the error names it.
    let e = errors(&topology(&[("us-east-1", 12, 0), ("us-east-1", 9, 0)]));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("endpoint `g8` is gateway endpoint 21 per Region: AWS's default quota is 20"),
        "{e:?}"
    );
    // Another Region counts apart.
    assert!(errors(&topology(&[("us-east-1", 12, 0), ("us-west-2", 12, 0)])).is_empty());
    // The 51st interface endpoint of a VPC.
    let e = errors(&topology(&[("us-east-1", 0, 51)]));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("endpoint `i50` is interface endpoint 51 per VPC"),
        "{e:?}"
    );
}
