//! IP fragments, as AWS forwards them: a first fragment (UDP, TCP or ICMP) is judged like its
//! datagram (by the slow path, never cached) and its decision remembered for the datagram's
//! later fragments, which carry no ports; a later fragment without a remembered first one is
//! dropped. Nothing is reassembled. Through internet gateways and peering every protocol's
//! fragments pass; a NAT gateway forwards UDP fragments only and drops TCP and ICMP ones (AWS's
//! "Troubleshoot NAT gateways": "NAT gateways support fragmentation for UDP only"), so a
//! `ping -s 10000` through it fails.

use super::{Engine, Nanos, SEC};
use crate::engine::wire::Packet;
use crate::model::fxhash::FxHashMap;
use crate::model::{proto, EniId, EniOwner, Network};
use crate::policy::path::{Delivery, Observation};
use crate::policy::Header;
use std::net::Ipv4Addr;

/// Fragments of a datagram are forwarded for this long after the first (Linux `ipfrag_time`).
const FRAG_TTL: Nanos = 30 * SEC;
/// Datagrams in flight whose later fragments are remembered (oldest dropped beyond).
const FRAG_MAX: usize = 1024;

/// (source, destination, IP id, protocol) of a fragmented datagram as sent.
type FragKey = (Ipv4Addr, Ipv4Addr, u16, u8);

/// Where the later fragments of a datagram whose first fragment passed go.
struct FragEntry {
    expires: Nanos,
    to: Delivery,
    header: Header,
    same_l2: Option<EniId>,
    /// The path's MTU, found with the first fragment ([`Engine::flow_mtu`]).
    mtu: u16,
    /// The first fragment's events, replayed (shared, not copied) for each later one.
    observations: std::sync::Arc<[Observation]>,
}

/// The datagrams whose first fragment passed.
#[derive(Default)]
pub(super) struct Fragments {
    map: FxHashMap<FragKey, FragEntry>,
}

impl Fragments {
    /// Forgets datagrams whose time is up.
    pub fn sweep(&mut self, now: Nanos) {
        self.map.retain(|_, e| e.expires > now);
    }
}

/// True when the walk of a fragment crossed a NAT gateway that drops it (TCP and ICMP
/// fragments; UDP ones are translated and forwarded).
pub(super) fn nat_gateway_drops(net: &Network, h: &Header, obs: &[Observation]) -> bool {
    h.proto != proto::UDP
        && obs
            .iter()
            .any(|o| matches!(net.eni(o.eni).owner, EniOwner::NatGateway(_)))
}

impl Engine {
    /// Remembers where a first fragment went, for its datagram's later fragments.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn remember_fragment(
        &mut self,
        first: &Packet<Vec<u8>>,
        to: Delivery,
        header: Header,
        same_l2: Option<EniId>,
        mtu: u16,
        observations: &[Observation],
        now: Nanos,
    ) {
        let (h, Some(fr)) = (first.ip().header, first.ip().frag) else {
            return;
        };
        let map = &mut self.frags.map;
        if map.len() >= FRAG_MAX {
            map.retain(|_, e| e.expires > now);
            if map.len() >= FRAG_MAX {
                map.clear();
            }
        }
        map.insert(
            (h.src, h.dst, fr.id, h.proto),
            FragEntry {
                expires: now + FRAG_TTL,
                to,
                header,
                same_l2,
                mtu,
                observations: observations.into(),
            },
        );
    }

    /// A non-first fragment: follows its first fragment (AWS forwards UDP fragments), else
    /// dropped.
    pub(super) fn later_fragment(&mut self, pkt: Packet<Vec<u8>>, now: Nanos) {
        let ip = *pkt.ip();
        let Some(fr) = ip.frag else { return };
        let key = (ip.header.src, ip.header.dst, fr.id, ip.header.proto);
        let Some(e) = self.frags.map.get(&key).filter(|e| e.expires > now) else {
            self.frags.map.remove(&key);
            self.stats.unsupported += 1;
            return;
        };
        let (to, h, l2, mtu) = (e.to, e.header, e.same_l2, e.mtu);
        if self.events {
            let obs = e.observations.clone();
            self.emit_events(&obs, &pkt, now);
        }
        self.deliver_fragment(pkt, to, &h, l2, mtu);
    }

    /// Sends a fragment from the host behind `from` on, its addresses (and a first fragment's
    /// ports) rewritten to `h`, fragmented again when the path's `mtu` is smaller.
    pub(super) fn deliver_fragment(
        &mut self,
        mut pkt: Packet<Vec<u8>>,
        to: Delivery,
        h: &Header,
        same_l2: Option<EniId>,
        mtu: u16,
    ) {
        let Some((port, src_mac, dst_mac)) = self.link_to(to, same_l2) else {
            return;
        };
        let first = pkt.ip().frag.is_some_and(|f| f.first);
        let new = Header {
            sport: if first { h.sport } else { 0 },
            dport: if first { h.dport } else { 0 },
            ..*h
        };
        pkt.set_macs(src_mac, dst_mac);
        pkt.translate_fragment(&new);
        match self.fit(&pkt, mtu) {
            super::mtu::Fit::Send | super::mtu::Fit::Refuse(_) => {
                self.emit_frame(port, pkt.into_inner())
            }
            // A fragment bigger than the next link is fragmented again.
            super::mtu::Fit::Fragment(mtu) => self.emit_fragmented(port, pkt.into_inner(), mtu),
        }
    }
}
