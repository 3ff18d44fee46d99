//! Flow logs: AWS-format records aggregated per interval, pcap and pcapng with the verdict on
//! every packet, fed by the engine's `PacketEvent`s.

use crate::topology::{Report, Topology};

/// Checks the `flow_logs:` section (called by `topology::validate`).
pub fn validate(t: &Topology, report: &mut Report) {
    let _ = (t, report);
}
