//! Route 53: hosted zones, record sets, routing policies and health checks as a pure function
//! `answer(query, client)`, the VPC resolver the engine intercepts, and a loopback listener.
//! Rank 4 (beside `reach` and `flowlog`): it reads the model and implements the engine's
//! `DnsService` hook, and uses nothing else of the engine.
//!
//! `Zones::build(net)` compiles `dns:`; `answer` answers a `Question` for a `Client`;
//! `wire::handle` does the same for DNS messages; `service::Route53` is the engine's
//! `DnsService`; `health::HealthMonitor` runs health checks; `server::spawn` serves on loopback.

pub mod answer;
pub mod aws_names;
pub mod client;
pub mod dns64;
pub mod ec2;
pub mod elb;
pub mod geo;
pub mod health;
pub mod http_check;
pub mod policy;
pub mod rdata;
pub mod rng;
pub mod server;
pub mod service;
pub mod wire;
pub mod zones;

pub use answer::{answer, Question, Rcode, Response, Rr};
pub use client::Client;
pub use health::{AllHealthy, HealthMonitor, HealthProber, HealthTable, HealthView};
pub use rdata::{RType, Value};
pub use rng::Rng;
pub use zones::Zones;
