//! The stateful facts a walk asks for ([`WalkState`]): the engine answers from its conntrack
//! and NAT tables, the analyzer from assumptions ([`Assumed`]).

use crate::model::{EniId, InstanceId, NatId};
use crate::policy::{Decision, Direction, Header};
use std::net::Ipv4Addr;

/// The stateful facts a walk needs.
pub trait WalkState {
    /// True when `h`, crossing `eni` in `dir`, belongs to a flow tracked at that ENI (the SG is
    /// then skipped).
    fn tracked(&self, eni: EniId, dir: Direction, h: &Header) -> bool;
    /// Source-translates an outbound packet at a NAT gateway (`h.src` → the gateway's private
    /// IP, port remapped). Err: the decision that drops it (port exhaustion, idle timeout).
    fn nat_gateway_out(
        &mut self,
        nat: NatId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Result<Header, Decision>;
    /// Restores a reply arriving at a NAT gateway's private IP; None when no mapping exists
    /// (no inbound initiation).
    fn nat_gateway_in(&mut self, nat: NatId, h: &Header) -> Option<Header>;
    /// Masquerades a packet a NAT instance forwards (`h.src` → its private IP).
    fn nat_instance_out(
        &mut self,
        inst: InstanceId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Option<Header>;
    /// Restores a reply arriving at a NAT instance; None when it is for the instance itself.
    fn nat_instance_in(&mut self, inst: InstanceId, h: &Header) -> Option<Header>;
    /// For a reply `h` of a flow that crossed a load balancer, seen at ENI `at` (the node the
    /// flow crossed, or the target when the client's address was kept): the node that sends it
    /// back and the reply as it leaves that node. None for any other packet (the default).
    fn lb_reply(&mut self, at: EniId, h: &Header) -> Option<(EniId, Header)> {
        let _ = (at, h);
        None
    }
    /// True when an ALB's nodes terminate HTTP themselves (the netns backend runs a proxy on
    /// each node's port): a packet to a listener is then delivered to the node, which opens
    /// its own connection to the target. False (the default): the walk models both
    /// connections of the node at once, as the analyzer and the virtual backend do.
    fn alb_terminates(&self) -> bool {
        false
    }
}

/// Assumed state for the analyzer: `replies` marks every flow as tracked (a return path); NAT
/// keeps the source port and maps replies back to `original_src`.
#[derive(Clone, Debug, Default)]
pub struct Assumed {
    /// Treat every packet as a tracked reply (skip SGs).
    pub replies: bool,
    /// For return walks through a NAT: the original client address.
    pub original_src: Option<Ipv4Addr>,
}

impl WalkState for Assumed {
    fn tracked(&self, _: EniId, _: Direction, _: &Header) -> bool {
        self.replies
    }
    fn nat_gateway_out(
        &mut self,
        _: NatId,
        h: &Header,
        nat_ip: Ipv4Addr,
    ) -> Result<Header, Decision> {
        Ok(Header { src: nat_ip, ..*h })
    }
    fn nat_gateway_in(&mut self, _: NatId, h: &Header) -> Option<Header> {
        self.original_src.map(|o| Header { dst: o, ..*h })
    }
    fn nat_instance_out(&mut self, _: InstanceId, h: &Header, nat_ip: Ipv4Addr) -> Option<Header> {
        Some(Header { src: nat_ip, ..*h })
    }
    fn nat_instance_in(&mut self, _: InstanceId, h: &Header) -> Option<Header> {
        // A reply to the NAT instance's own flow is for the instance itself.
        self.original_src
            .filter(|o| *o != h.dst)
            .map(|o| Header { dst: o, ..*h })
    }
}
