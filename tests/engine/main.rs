//! The packet engine on the virtual backend: NAT, peering, security groups and NACLs, connection
//! state, malformed frames, and fixes found by review.

#[path = "../common/mod.rs"]
mod common;

mod endpoints;
mod fragments;
mod import_semantics;
mod ipv6;
mod load_balancers;
mod malformed;
mod malformed6;
mod misc;
mod mtu;
mod nat;
mod nat64;
mod peering;
mod policy;
mod state;
mod syn_flood;
mod three_tier;
mod transit;
mod virt_fixes;
