//! AWS's MTUs (EC2's "Network MTU for your EC2 instances",
//! <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/network_mtu.html>: "MTU limit 8500
//! bytes: traffic over an inter-Region VPC peering connection"; the older 1500 in
//! `../shared/reference/aws-vpc-semantics.md` §peering predates that page): 9001 bytes between instances of a
//! Region (instances' `eth0` run at 9001, as on current instance types), 1500 through an
//! internet gateway, 8500 over inter-Region peering. A packet bigger than its path's MTU is
//! fragmented when it may be (DF clear), else dropped with an ICMP "fragmentation needed" to
//! its sender, so path MTU discovery works, and black-holes where AWS's does: the ICMP is an
//! ordinary packet, judged by the NACLs on its way back (a stateless NACL that does not allow
//! ICMP type 3 code 4 drops it, and so does the sender's SG unless a rule admits that ICMP:
//! SGs admit no ICMP error as related to a flow).
//!
//! Who sends the ICMP: for a packet leaving through the internet gateway (from an instance, or
//! a NAT gateway), the IGW, speaking for the destination: the ICMP's source is the packet's
//! destination as translated, and it enters the VPC as if that internet host had sent it
//! (IGW and NAT gateway translate it and its quoted header back). For a packet entering
//! through the IGW, the IGW answers the internet host at once, from the address it wrote to.
//! Over inter-Region peering the ICMP comes from the destination instance's side, judged by
//! both ends' policy on the way back. AWS does not document the ICMP's source address; these
//! are vpclab's choices.

use super::{wire, Engine, Nanos};
use crate::engine::wire::Packet;
use crate::model::{PortId, PortOwner};
use crate::policy::path::Delivery;
use crate::policy::Header;

/// Instances in a VPC, intra-Region peering.
pub const VPC_MTU: u16 = 9001;
/// Through an internet gateway (and a VPN connection).
pub const IGW_MTU: u16 = 1500;
/// Over inter-Region VPC peering (and a transit gateway).
pub const INTER_REGION_MTU: u16 = 8500;

/// What to do with a packet for its path's MTU.
#[derive(Clone, Copy)]
pub(super) enum Fit {
    /// It fits: send it.
    Send,
    /// Too big, DF clear: fragment to this MTU.
    Fragment(u16),
    /// Too big with DF (or a segment, whose wire packets cannot be fragmented): drop it and
    /// tell the sender this MTU.
    Refuse(u16),
}

impl Engine {
    /// The MTU of the path from the host behind `from` to `to`.
    pub(super) fn path_mtu(&self, from: PortId, to: Delivery) -> u16 {
        let net = &self.net;
        let src = match net.port(from).owner {
            PortOwner::Internet(_) => return IGW_MTU,
            PortOwner::Instance(i) => net.instance(i).eni,
            PortOwner::LoadBalancerNode(e) => e,
        };
        match to {
            Delivery::Internet(_) => IGW_MTU,
            Delivery::Eni(e) => {
                let (a, b) = (net.eni(src).vpc, net.eni(e).vpc);
                if a != b && net.vpc(a).region != net.vpc(b).region {
                    INTER_REGION_MTU
                } else {
                    VPC_MTU
                }
            }
        }
    }

    /// The MTU of the path `h` takes from the host behind `from` to `to`, transit gateways
    /// and VPN connections included (`engine::transit`, which walks the packet again to find
    /// them): computed once per flow by the slow path and kept in the flow's cache entry (and
    /// a fragmented datagram's), so later packets never walk for it.
    pub(super) fn flow_mtu(&self, from: PortId, to: Delivery, h: &Header) -> u16 {
        match self.hybrid_mtu(from, h) {
            Some(m) => m,
            None => self.path_mtu(from, to),
        }
    }

    /// Whether `pkt` (its largest wire packet, for a segment) fits a path of `mtu` bytes.
    pub(super) fn fit(&self, pkt: &Packet<Vec<u8>>, mtu: u16) -> Fit {
        if pkt.wire_mtu_needed() <= mtu {
            Fit::Send
        } else if pkt.ip().df || pkt.offload().gso.is_some() {
            Fit::Refuse(mtu)
        } else {
            Fit::Fragment(mtu)
        }
    }

    /// Sends `frame` (complete checksums) out of `port` as fragments of at most `mtu` bytes.
    pub(super) fn emit_fragmented(&mut self, port: PortId, frame: Vec<u8>, mtu: u16) {
        for f in wire::fragment(&frame, mtu) {
            self.emit_frame(port, f);
        }
    }

    /// The ICMP for a packet from an internet host refused at the IGW (`pkt` as the host sent
    /// it, not yet translated): straight back to the host, from the address it wrote to.
    pub(super) fn refuse_inbound(&mut self, pkt: &Packet<Vec<u8>>, from: PortId, mtu: u16) {
        let h = pkt.ip().header;
        let p = self.net.port(from);
        let f = wire::frag_needed(self.net.router_mac, p.mac, h.dst, h.src, mtu, pkt.bytes());
        self.stats.too_big += 1;
        self.emit_frame(from, f);
    }

    /// The ICMP for a packet refused on its way out (`pkt` rewritten as it reads past the NATs
    /// on the way, at the destination's side, to header `h`): it enters the engine as if the destination behind
    /// `dest` had sent it, and is judged and translated back like any packet.
    pub(super) fn refuse_outbound(
        &mut self,
        pkt: &Packet<Vec<u8>>,
        h: &Header,
        dest: PortId,
        mtu: u16,
        now: Nanos,
    ) {
        let p = self.net.port(dest);
        let f = wire::frag_needed(p.mac, self.net.router_mac, h.dst, h.src, mtu, pkt.bytes());
        self.stats.too_big += 1;
        self.handle_frame_owned(dest, f, now);
    }
}
