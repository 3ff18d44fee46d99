//! What the engine reports besides frames: every packet's fate at each ENI it crosses (for flow
//! logs, pcap/pcapng, traces and stats), with the decision that settled it.

use super::TcpFlags;
use crate::model::{EniId, Mac, PortId};
use crate::policy::{Decision, Direction, IpHeader, TrafficPath, Verdict};
use std::net::IpAddr;
use std::sync::Arc;

/// Time in nanoseconds on the caller's clock (virtual or monotonic).
pub type Nanos = u64;

/// A packet seen at an ENI, as AWS would record it there: an IPv4 or an IPv6 packet (the
/// header's family; `pkt_src`/`pkt_dst` are of the same family). At a NAT gateway doing NAT64
/// the client's IPv6 packet and the gateway's IPv4 packet are two events of their own families.
#[derive(Clone, Debug)]
pub struct PacketEvent {
    /// When.
    pub time: Nanos,
    /// The ENI where AWS sees (and logs) the packet.
    pub eni: EniId,
    /// Ingress to or egress from that ENI.
    pub direction: Direction,
    /// The header as it is on the wire at this ENI (after any NAT already applied upstream),
    /// of either family.
    pub header: IpHeader,
    /// Original source address of the packet (AWS's `pkt-srcaddr`; differs from the header
    /// at NAT gateway ENIs).
    pub pkt_src: IpAddr,
    /// Original destination (AWS's `pkt-dstaddr`).
    pub pkt_dst: IpAddr,
    /// IP total length in bytes (IPv6: the 40-byte header plus the payload length); for a
    /// segment (offloads), the sum over the wire packets it stands for.
    pub bytes: u32,
    /// Wire packets: 1, or for a segment (TSO/USO) one per `gso_size` bytes of payload, as AWS,
    /// seeing them one by one, counts them.
    pub packets: u32,
    /// TCP flags of this packet; none for non-TCP.
    pub tcp_flags: TcpFlags,
    /// ACCEPT or REJECT at this ENI.
    pub verdict: Verdict,
    /// The decision that settled it (the accepting/rejecting rule, or a tracked entry),
    /// shared with the walk (and the flow cache) that made it: referenced, not copied.
    pub decision: Arc<Decision>,
    /// AWS `traffic-path` for egress, None otherwise.
    pub traffic_path: Option<TrafficPath>,
    /// The Ethernet frame as seen at this ENI, when a capture asked for frames: a segment is
    /// one frame (as a capture on the receiving instance shows it with GRO), its checksum
    /// completed.
    pub frame: Option<Vec<u8>>,
}

impl PacketEvent {
    /// The (source, destination) MACs of a frame crossing an ENI in `direction`, as a capture
    /// on that ENI shows it: the VPC router is the other end of the link (egress: the ENI's MAC
    /// to the router's; ingress: the router's to the ENI's).
    pub fn macs(direction: Direction, eni_mac: Mac, router_mac: Mac) -> (Mac, Mac) {
        match direction {
            Direction::Outbound => (eni_mac, router_mac),
            Direction::Inbound => (router_mac, eni_mac),
        }
    }
}

/// Counters of packets the engine dropped before any policy (malformed, unsupported) or by its
/// own limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Frames received.
    pub rx_frames: u64,
    /// Frames sent.
    pub tx_frames: u64,
    /// Malformed frames dropped (truncated, bad checksum, bad header).
    pub malformed: u64,
    /// Frames of an ethertype or protocol the engine does not handle.
    pub unsupported: u64,
    /// New flows dropped because an ENI's conntrack table was full.
    pub conntrack_full: u64,
    /// Packets dropped by policy (SG, NACL, routes, gateways).
    pub policy_drops: u64,
    /// NAT gateway port allocation failures (ErrorPortAllocation).
    pub nat_port_exhausted: u64,
    /// Gauge, not a counter: connections tracked over all ENIs when read through
    /// `Engine::stats_now` (0 in `Engine::stats`).
    pub conntrack_entries: u64,
    /// Gauge: NAT translations held (gateways and instances), as `conntrack_entries`.
    pub nat_mappings: u64,
    /// Packets bigger than their path's MTU dropped with an ICMP "fragmentation needed".
    pub too_big: u64,
}

/// Something the engine wants the caller to do or record.
#[derive(Clone, Debug)]
pub enum Output {
    /// Send this Ethernet frame out of this port.
    Frame {
        /// Port (a host's link).
        port: PortId,
        /// The frame. A forwarded frame is the buffer the sender's frame came in, rewritten in
        /// place; frames the engine originates (ARP and DNS answers, RSTs) are new buffers.
        data: Vec<u8>,
    },
    /// A packet's fate at an ENI.
    Packet(Box<PacketEvent>),
}
