//! vpclab: AWS VPC networking emulated on one Linux machine, offline, with real packets.
//!
//! Layers, lowest first: `topology` (the file and its validation) and `files` (what root writes
//! for a user, without following their symbolic links) → `model` (the resolved
//! network) → `policy` (pure decisions with provenance) → `engine` (sans-IO data plane) →
//! {`reach`, `dns`, `flowlog`} → {`load` (the pipeline file → model), `import` (topologies from AWS
//! and Terraform)} → `backend` → `lab`; the
//! binary (`src/main.rs`, `src/cli/`) sits on top and the library never names it. A module
//! never imports one above it (`layers.rs` checks). See `docs/architecture.md`.

#![warn(missing_docs)]

pub mod backend;
pub mod dns;
pub mod engine;
pub mod files;
pub mod flowlog;
pub mod import;
pub mod lab;
pub mod load;
pub mod model;
pub mod policy;
pub mod reach;
pub mod services;
pub mod topology;

#[cfg(test)]
mod layers;
