use super::*;
use crate::model::flow_logs::Traffic;
use crate::model::route53::{AliasTarget, Policy};

fn parse(y: &str) -> Topology {
    crate::topology::parse_str("t.yaml", y).unwrap_or_else(|r| panic!("{r}"))
}

#[test]
fn a_reference_validation_rejects_is_an_internal_error_not_a_panic() {
    let t = parse("name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    instances:\n      web: { subnet: nope }\n");
    assert!(crate::topology::validate::validate(&t, "t.yaml").has_errors());
    let r = build(&t, "t.yaml").expect_err("the subnet does not exist");
    assert_eq!(r.items.len(), 1);
    assert!(
        r.items[0].message.contains("internal error: subnet `nope`"),
        "{r}"
    );
}

#[test]
fn a_full_subnet_is_the_users_error() {
    let instances: String = (0..12)
        .map(|i| format!("      i{i}: {{ subnet: a }}\n"))
        .collect();
    let t = parse(&format!("name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: {{ cidr: 10.0.0.0/28 }}\n    instances:\n{instances}"));
    assert!(!crate::topology::validate::validate(&t, "t.yaml").has_errors());
    let r = build(&t, "t.yaml").expect_err("11 usable addresses for 12 instances");
    assert!(
        r.items[0]
            .message
            .contains("has no free address left for `i11`"),
        "{r}"
    );
}

#[test]
fn route53_and_flow_logs_are_resolved() {
    let y = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    dns: { hostnames: true }\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n    instances:\n      web: { subnet: a }\ndns:\n  zones:\n    - name: corp.internal\n      private: true\n      vpcs: [main]\n      records:\n        - { name: www, type: A, alias: instance:web }\n        - { name: api, type: A, routing: weighted, set: one, weight: 7, values: [10.0.0.9], health_check: hc }\n  health_checks:\n    hc: { target: instance:web, protocol: tcp, port: 22 }\nflow_logs:\n  - { resource: vpc:main, traffic: REJECT, path: a.log }\n";
    let r = crate::topology::validate::validate(&parse(y), "t.yaml");
    assert!(!r.has_errors(), "{r}");
    let n = from_yaml(y);
    let z = &n.route53.zones[0];
    assert_eq!(z.vpcs, vec![VpcId(0)]);
    assert_eq!(
        z.records[0].alias,
        Some(AliasTarget::Instance(InstanceId(0)))
    );
    assert_eq!(z.records[1].routing.health, Some(0));
    assert_eq!(z.records[0].ttl, crate::model::route53::DEFAULT_TTL);
    assert_eq!(
        (z.records[1].policy, z.records[1].routing.weight),
        (Policy::Weighted, 7)
    );
    assert_eq!(n.route53.health_checks[0].target, n.enis[0].private_ip);
    assert_eq!(n.route53.health_checks[0].port, 22);
    let f = &n.flow_logs[0];
    assert_eq!(
        (f.enis.clone(), f.traffic, f.aggregation_interval),
        (vec![EniId(0)], Traffic::Reject, 600)
    );
}
