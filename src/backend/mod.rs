//! Backends drive the engine and move frames: `netns` (TAP devices in Linux network
//! namespaces) and `virtual` (smoltcp hosts inside the process). Rank 7: they may use
//! everything below (engine, DNS, flow logs, load); only `lab` and the CLI use them.
/// An ALB node's HTTP proxy (`vpclab alb-node`).
pub mod alb;
pub mod netns;
pub mod serve;
/// The in-process virtual backend (virtual hosts on a virtual clock).
pub mod virt;
