//! Route 53: the resolver, routing policies and health checks, the wire service, the loopback
//! server (`dig`), the `dns` command, and DNS through the virtual backend.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod dns64;
mod endpoints;
mod load_balancers;
mod policies;
mod resolver;
mod server;
mod service;
mod virt;
