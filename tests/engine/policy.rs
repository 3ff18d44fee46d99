//! SG and NACL behaviour through the engine with real packets.
use crate::common::*;
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::{ComponentKind, RuleId};

const TRAP: &str = "name: trap
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true, network_acl: web }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    network_acls:
      web:
        inbound:
          - { rule: 100, action: allow, protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }
        outbound:
          - { rule: 100, action: allow, protocol: tcp, ports: OUT, cidr: 0.0.0.0/0 }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, security_groups: [web], services: [http:80] }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
";

#[test]
fn nacl_ephemeral_port_trap() {
    let mut l = lab(&TRAP.replace("OUT", "80"));
    let r = probe(&mut l, "client", "web", ProbeProto::Tcp, 80);
    assert!(r.delivered, "the SYN reaches web");
    assert_blocked(&r, "acl-web", ComponentKind::NetworkAcl);
    assert_eq!(r.blocked.as_ref().unwrap().rule, RuleId::Star);
    // The rejected reply is logged on web's ENI as REJECT.
    assert!(
        r.events
            .iter()
            .any(|e| e.verdict == vpclab::policy::Verdict::Reject
                && e.decision.component == "acl-web")
    );
    let mut l = lab(&TRAP.replace("OUT", "1024-65535"));
    assert_ok(&probe(&mut l, "client", "web", ProbeProto::Tcp, 80));
}

const SUBNETS: &str = "name: sn
vpcs:
  v:
    cidr: 10.0.0.0/16
    subnets:
      a: { cidr: 10.0.0.0/24, network_acl: closed }
      b: { cidr: 10.0.1.0/24 }
    network_acls:
      closed: {}
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 10.0.0.0/16 }
      app:
        inbound:
          - { protocol: tcp, ports: 8080, source: sg:web }
      other: {}
    instances:
      x: { subnet: a, security_groups: [web], services: [http:80] }
      y: { subnet: a, security_groups: [web], services: [http:80] }
      z: { subnet: b, security_groups: [web], services: [http:80] }
      app: { subnet: b, security_groups: [app], services: [http:8080] }
      other: { subnet: b, security_groups: [other] }
";

#[test]
fn same_subnet_ignores_deny_all_nacl() {
    let mut l = lab(SUBNETS);
    let r = probe(&mut l, "x", "y", ProbeProto::Tcp, 80);
    assert_ok(&r);
    assert!(!r.trace.iter().any(|h| h.kind == ComponentKind::NetworkAcl));
    // Leaving the subnet meets the deny-all NACL.
    let r = probe(&mut l, "x", "z", ProbeProto::Tcp, 80);
    assert_blocked(&r, "acl-closed", ComponentKind::NetworkAcl);
}

#[test]
fn sg_reference_allow_and_deny() {
    let mut l = lab(SUBNETS);
    // z carries sg-web: allowed by sg-app's reference rule.
    assert_ok(&probe(&mut l, "z", "app", ProbeProto::Tcp, 8080));
    // other does not carry sg-web.
    let r = probe(&mut l, "other", "app", ProbeProto::Tcp, 8080);
    assert_blocked(&r, "sg-app", ComponentKind::SecurityGroup);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("ENI_SG_RULES_MISMATCH")
    );
}

#[test]
fn closed_ports_answer_rst_and_icmp_unreachable() {
    let mut l = lab(SUBNETS);
    // z → app 8081: blocked by sg-app (no rule). z → x? crossing closed NACL. Use same subnet.
    let r = probe(&mut l, "x", "y", ProbeProto::Tcp, 81);
    // sg-web admits only 80.
    assert_blocked(&r, "sg-web", ComponentKind::SecurityGroup);
    let mut l = lab(&SUBNETS.replace(
        "ports: 80, source: 10.0.0.0/16",
        "ports: 1-65535, source: 10.0.0.0/16",
    ));
    let r = probe(&mut l, "x", "y", ProbeProto::Tcp, 81);
    assert!(r.delivered && r.reply, "a closed port answers RST");
    assert!(r.response.is_empty());
}
