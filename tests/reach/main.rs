//! The Reachability Analyzer: table-driven cases, the `reach` command, and a differential test
//! against the engine.

#[path = "../common/mod.rs"]
mod common;

mod any;
mod cases;
mod cli;
mod differential;
mod differential_any;
mod differential_elb;
mod differential_endpoints;
mod differential_ipv6;
mod differential_transit;
mod endpoints;
mod gateway_sources;
mod generator;
mod ipv6;
mod load_balancers;
mod matrix_memory;
mod matrix_snapshots;
mod reference_transit;
mod transit;
