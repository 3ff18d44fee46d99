//! Backends drive the engine and move frames: `netns` (TAP devices in Linux network
//! namespaces) and `virtual` (smoltcp hosts inside the process).
/// The in-process virtual backend (virtual hosts on a virtual clock).
pub mod virt;
