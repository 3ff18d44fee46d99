//! The one fixture module of the integration tests. Each test binary (`tests/NAME/main.rs`)
//! includes it with `#[path = "../common/mod.rs"] mod common;`; an unused helper is not an error.
//!
//! - this module: topologies on the virtual backend (`net`, `lab`, `probe`, `assert_ok`,
//!   `assert_blocked`), for tests that send packets through the engine without privilege;
//! - [`dns`]: zones, clients and questions for the Route 53 tests, and a base topology;
//! - [`flowlog`]: a known network and hand-made packet events for the flow-log tests;
//! - [`netns`]: running topologies on the netns backend (`Topo` brings one up and down);
//! - [`require`]: what a privileged test needs (root, system tools); a test that lacks it fails
//!   with a message naming what is missing and how to get it, never passes silently;
//! - [`tshark`]: reading capture files with the real tshark.
#![allow(dead_code)]

pub mod dns;
pub mod flowlog;
pub mod netns;
pub mod require;
pub mod tshark;

use std::sync::Arc;
use vpclab::backend::virt::{Lab, ProbeProto, ProbeReport};
use vpclab::model::Network;
use vpclab::policy::ComponentKind;

/// Parses and builds a topology text (no validation: a test may build what validation rejects).
pub fn net(y: &str) -> Network {
    let t = vpclab::topology::parse_str("t.yaml", y).expect("topology parses");
    vpclab::model::build(&t, "t.yaml").expect("topology builds")
}

/// A virtual-backend lab of a topology text.
pub fn lab(y: &str) -> Lab {
    Lab::new(Arc::new(net(y)))
}

/// A virtual-backend lab of `topologies/three-tier.yaml`.
pub fn three_tier() -> Lab {
    lab(include_str!("../../topologies/three-tier.yaml"))
}

/// Runs a probe, panicking when it cannot run (unknown host): the result is the report.
pub fn probe(l: &mut Lab, from: &str, to: &str, p: ProbeProto, port: u16) -> ProbeReport {
    l.probe(from, to, p, port).expect("probe runs")
}

/// Asserts the probe was delivered and answered; shows the blocker and trace otherwise.
#[track_caller]
pub fn assert_ok(r: &ProbeReport) {
    assert!(
        r.delivered && r.reply,
        "expected a reply; blocked by {:?}\ntrace: {:#?}",
        r.blocked,
        r.trace
    );
}

/// Asserts the probe got no reply and that `component` of `kind` blocked it.
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
