//! Backends drive the engine and move frames: `netns` (TAP devices in Linux network
//! namespaces) and `virtual` (smoltcp hosts inside the process).

pub mod netns;
pub mod serve;
