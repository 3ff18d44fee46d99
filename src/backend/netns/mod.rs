//! The namespace backend: every instance and internet host is a Linux network namespace whose
//! `eth0` is a TAP device or one end of a veth pair (`link`); one thread drives the engine over
//! their fds (`engine_loop`). A normal user runs it inside a user namespace (`userns`).
//! `daemon` puts a running topology together (namespaces, engine, Route 53, flow logs,
//! control socket) and is what `vpclab up` and `vpclab daemon` call. Part of `backend`
//! (rank 7); needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN, see `priv_check`).
//!
//! Layout of a running topology `NAME` (see `state`): namespaces `NAME-HOST`, state under
//! `/run/vpclab/NAME/` (pid file, topology copy, namespace and process lists, logs and the
//! control socket `ctl.sock`, whose protocol is described in `control`).

pub mod alb;
pub mod build;
pub mod command;
pub mod control;
pub mod control_limits;
pub mod daemon;
pub mod engine_loop;
pub mod event_codec;
pub mod health;
pub mod ipv6;
pub mod link;
pub mod ns;
pub mod peer;
pub mod priv_check;
pub mod procs;
pub mod state;
pub mod tap;
pub mod teardown;
pub mod trust;
pub mod userns;

pub use build::{build, Lab};
pub use priv_check::has_net_admin;
