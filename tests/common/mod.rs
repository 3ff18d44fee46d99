#![allow(dead_code)]
use std::sync::Arc;
use vpclab::backend::virt::{Lab, ProbeProto, ProbeReport};
use vpclab::model::Network;
use vpclab::policy::ComponentKind;

pub fn net(y: &str) -> Network {
    let t = vpclab::topology::parse_str("t.yaml", y).expect("topology parses");
    vpclab::model::build(&t, "t.yaml").expect("topology builds")
}

pub fn lab(y: &str) -> Lab {
    Lab::new(Arc::new(net(y)))
}

pub fn three_tier() -> Lab {
    lab(include_str!("../../topologies/three-tier.yaml"))
}

pub fn probe(l: &mut Lab, from: &str, to: &str, p: ProbeProto, port: u16) -> ProbeReport {
    l.probe(from, to, p, port).expect("probe runs")
}

#[track_caller]
pub fn assert_ok(r: &ProbeReport) {
    assert!(
        r.delivered && r.reply,
        "expected a reply; blocked by {:?}\ntrace: {:#?}",
        r.blocked,
        r.trace
    );
}

#[track_caller]
pub fn assert_blocked(r: &ProbeReport, component: &str, kind: ComponentKind) {
    assert!(
        !r.reply,
        "expected no reply, got one; trace: {:#?}",
        r.trace
    );
    let b = r.blocked.as_ref().expect("a blocking decision");
    assert_eq!(
        (b.component.as_str(), b.kind),
        (component, kind),
        "blocked by {b}"
    );
}
