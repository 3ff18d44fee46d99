//! Fuzzes `Engine::handle_frame` on the three-tier topology: any bytes from any port, then a
//! timer tick; the engine must never panic. Run: `cd fuzz && cargo fuzz run handle_frame`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use vpclab::engine::Engine;
use vpclab::model::{Network, PortId};

fn net() -> Arc<Network> {
    static NET: OnceLock<Arc<Network>> = OnceLock::new();
    NET.get_or_init(|| {
        let y = include_str!("../../topologies/three-tier.yaml");
        let t = vpclab::topology::parse_str("three-tier.yaml", y).expect("example topology parses");
        Arc::new(vpclab::model::build(&t, "three-tier.yaml").expect("example topology builds"))
    })
    .clone()
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let n = net();
    let ports = n.ports.len() as u32 + 1;
    let mut e = Engine::new(n, Default::default());
    // A few frames: the selector picks the port; the rest is split on a marker so one input
    // can open a flow and then send more of it.
    for (i, part) in frame.split(|b| *b == 0xA5).take(4).enumerate() {
        e.handle_frame(
            PortId((u32::from(sel) + i as u32) % ports),
            part,
            1 + i as u64,
        );
        while e.poll_output().is_some() {}
    }
    e.handle_timeout(1_000_000_000_000);
    while e.poll_output().is_some() {}
});
