//! [`EngineConfig`]: what an engine is built with. Everything here is fixed for the engine's
//! life except the few observability and DNS choices `Engine` lets a caller change mid-run
//! (`set_events`, `set_record_walks`, `set_dns`), which say why on their own docs.

use super::DnsService;
use crate::model::EniId;
use std::collections::HashSet;

/// Which ENIs' packet events carry a copy of the frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Capture {
    /// None (default).
    #[default]
    Off,
    /// Every ENI.
    All,
    /// These ENIs.
    Enis(HashSet<EniId>),
}

impl Capture {
    /// Every ENI (`true`) or none: what a capture that wants all frames or none asks for.
    pub fn all_or_off(on: bool) -> Capture {
        if on {
            Capture::All
        } else {
            Capture::Off
        }
    }

    /// True when packet events at `eni` carry their frame.
    pub fn wants(&self, eni: crate::model::EniId) -> bool {
        match self {
            Capture::Off => false,
            Capture::All => true,
            Capture::Enis(s) => s.contains(&eni),
        }
    }
}

/// How to build an [`super::Engine`]. `EngineConfig::default()` is the virtual backend's
/// engine: NAT instances translated in the engine, packet events on without frames, no DNS
/// service (resolver queries are dropped), no walk recording.
pub struct EngineConfig {
    /// NAT instances masquerade inside the engine (the virtual backend). The netns backend
    /// sets this false: the instance's own kernel masquerades (nftables), and the engine only
    /// forwards to and from the instance.
    pub nat_instance_in_engine: bool,
    /// Emit an `Output::Packet` per ENI a packet crosses (flow logs, captures, traces). Off,
    /// the engine only forwards; benchmarks and the netns daemon without subscribers run so.
    pub events: bool,
    /// Which ENIs' packet events carry the frame as seen there (pcap, pcapng). Costs a copy of
    /// the frame per event; ignored while `events` is off.
    pub capture: Capture,
    /// Keep every full policy walk for `Engine::take_walks` (probe traces). While on, no flow
    /// is cached: every packet takes the slow path, so its walk is recorded.
    pub record_walks: bool,
    /// Answers the queries the engine intercepts for the VPC resolver (VPC base+2,
    /// 169.254.169.253) and the emulated public resolver; None drops them.
    pub dns: Option<Box<dyn DnsService>>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            nat_instance_in_engine: true,
            events: true,
            capture: Capture::Off,
            record_walks: false,
            dns: None,
        }
    }
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("nat_instance_in_engine", &self.nat_instance_in_engine)
            .field("events", &self.events)
            .field("capture", &self.capture)
            .field("record_walks", &self.record_walks)
            .field("dns", &self.dns.is_some())
            .finish()
    }
}
