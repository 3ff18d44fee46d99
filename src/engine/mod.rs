//! The data plane as a sans-IO state machine: frames and time in, frames and events out. It owns
//! no sockets, threads or clocks. (Skeleton: the API below is the contract the backends, flow
//! logs and DNS use; the engine issue fills in the behaviour.)

pub mod event;

pub use event::{Nanos, Output, PacketEvent, Stats};

use crate::model::{Network, PortId};
use std::collections::VecDeque;
use std::sync::Arc;

/// Who asks the VPC resolver (or the emulated public resolver, for internet hosts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsClient {
    /// The querying host's address (private IP inside a VPC, public IP on the internet).
    pub src: std::net::Ipv4Addr,
    /// The VPC whose resolver was asked; None for the emulated public resolver.
    pub vpc: Option<crate::model::VpcId>,
    /// The querying host's port.
    pub port: PortId,
}

/// Answers DNS queries the engine intercepts (to VPC base+2, 169.254.169.253, or the public
/// resolver). Implemented by `dns`; the engine calls it and wraps the reply in UDP/IP/Ethernet.
pub trait DnsService: Send {
    /// Answers one DNS message (wire format); None drops it.
    fn answer(&mut self, query: &[u8], client: DnsClient, now: Nanos) -> Option<Vec<u8>>;
}

/// The VPC data plane of one topology.
pub struct Engine {
    net: Arc<Network>,
    out: VecDeque<Output>,
    stats: Stats,
}

impl Engine {
    /// A new engine for a resolved network.
    pub fn new(net: Arc<Network>) -> Self {
        Engine { net, out: VecDeque::new(), stats: Stats::default() }
    }

    /// The network the engine currently runs.
    pub fn network(&self) -> &Arc<Network> {
        &self.net
    }

    /// Takes an Ethernet frame sent by the host behind `port` at time `now`.
    pub fn handle_frame(&mut self, port: PortId, frame: &[u8], now: Nanos) {
        let _ = (port, frame, now);
        self.stats.rx_frames += 1;
    }

    /// Advances timers (conntrack and NAT idle timeouts, flow-log intervals) to `now`.
    pub fn handle_timeout(&mut self, now: Nanos) {
        let _ = now;
    }

    /// When `handle_timeout` should next be called, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Nanos> {
        None
    }

    /// The next frame to send or event to record.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// Swaps in a changed network (`apply`), with AWS's semantics for live flows.
    pub fn apply(&mut self, net: Arc<Network>) {
        self.net = net;
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}
