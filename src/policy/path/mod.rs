//! The walk of one packet from where it is sent to where it is delivered (or dropped), chaining
//! the policy functions in AWS's order (reference Appendix A) with provenance on every step.
//!
//! The walk is pure: the stateful facts it needs (is this packet part of a tracked flow at an ENI?
//! which NAT mapping applies?) come through [`WalkState`], so the engine feeds it live state and
//! the analyzer feeds it assumptions ([`Assumed`]).
//!
//! [`walk`] (in `walker`) drives the stages, one file each, in the order a packet meets them:
//! `leave` (the source ENI), `routing` (its subnet: NACL out, route table and targets),
//! `peering`, `internet` (IGW both ways), `nat` (NAT gateway and instance) and `arrive` (the
//! destination subnet and ENI).

mod addresses;
mod arrive;
mod builtin;
mod endpoint;
mod fast;
mod hybrid;
mod internet;
pub mod ipv6;
mod leave;
mod load_balancer;
mod nat;
mod peering;
mod routing;
mod state;
mod tracking;
mod transit;
mod types;
mod walker;

pub use addresses::{is_private, resolver_target};
pub use endpoint::host_origin;
pub use load_balancer::{
    target_healthy, wildcard, AssumedThrough, HttpRequest, LbCrossing, HEALTH_CHECK_SOURCE_PORT,
};
pub use peering::{walk_from_peering, walk_to_peering};
pub use state::{Assumed, WalkState};
pub use tracking::{tracked_decision, tracks};
pub use types::{Delivery, Hop, Observation, Options, Origin, Outcome, Walk};
pub use walker::walk_http;
pub use walker::{walk, walk_compiled};

#[cfg(test)]
mod tests;
