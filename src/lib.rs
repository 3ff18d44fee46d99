//! vpclab: AWS VPC networking emulated on one Linux machine, offline, with real packets.
//!
//! The flow of data: `topology` (YAML, validation) → `model` (the resolved network) → `policy`
//! (pure decisions with provenance) → `engine` (sans-IO data plane) → backends, flow logs,
//! the analyzer (`reach`), DNS and labs. See `docs/architecture.md`.

pub mod backend;
pub mod dns;
pub mod engine;
pub mod flowlog;
pub mod lab;
pub mod load;
pub mod model;
pub mod policy;
pub mod reach;
pub mod topology;
