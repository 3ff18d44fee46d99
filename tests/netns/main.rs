//! The netns backend with real namespaces and TAP devices (root): the engine loop, plumbing and
//! clean-up, end-to-end traffic, and live probe, capture, DNS and flow logs on a running topology.
//! Each test that needs root or a system tool is `#[ignore]`d with its reason: run the README's
//! test command (`scripts/test.sh`), which installs the tools and runs them.

#[path = "../common/mod.rs"]
mod common;

mod apply_atomic;
mod control_bounds;
mod endpoints;
mod event_loop;
mod exec_codes;
mod import_keys;
mod ipv6;
mod killed_up;
mod lab_live;
mod live_capture;
mod live_dns;
mod live_flowlog;
mod live_probe;
mod live_probe_exit;
mod load_balancers;
mod mtu;
mod offload;
mod plumbing;
mod races;
mod rootless;
mod syn_flood;
mod traffic;
mod transit;
mod user_files;
