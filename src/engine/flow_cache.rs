//! The flow cache: what the slow path decided for a (port, header), replayed for the flow's
//! later packets without a policy walk. An entry is valid while the configuration generation
//! it was stamped with is current and every conntrack entry it relied on is still alive
//! (refreshing them is part of the replay); otherwise it is dropped and the packet walks.

use super::{Engine, Nanos};
use crate::engine::wire::Packet;
use crate::model::fxhash::FxHashMap;
use crate::model::{EniId, PortId};
use crate::policy::path::{Delivery, Observation};
use crate::policy::Header;
use std::sync::Arc;

/// SYN, FIN or RST: a packet carrying one may move its connection's state, so it always
/// refreshes conntrack.
const STATE_FLAGS: u8 = 0x07;

/// Entries kept before the cache is emptied (a crude bound: flows re-enter on their next packet).
const CACHE_MAX: usize = 1 << 16;

/// A cached decision.
pub(super) struct Cached {
    /// `Engine::generation` when decided.
    pub generation: u64,
    /// Where the packets go.
    pub to: Delivery,
    /// The header they leave with.
    pub header: Header,
    /// The sending ENI when the receiver is in the same subnet (its MAC is the frame's source).
    pub same_l2: Option<EniId>,
    /// The packet events to emit again, per ENI crossed.
    pub observations: Arc<[Observation]>,
    /// Conntrack entries to refresh (and whose expiry invalidates the entry).
    pub touch: Vec<(EniId, Header)>,
    /// The path's MTU ([`Engine::flow_mtu`]), found once by the slow path.
    pub mtu: u16,
    /// Until when (and for which [`Conntrack::epoch`](super::conntrack::Conntrack::epoch))
    /// packets without SYN, FIN or RST may skip refreshing `touch`: set when every entry there
    /// was an established TCP connection. Such entries live 432,000 s, so a refresh up to
    /// [`QUIET`] late changes nothing a flow could observe; any change to the tables ends it.
    pub quiet: Option<(Nanos, u64)>,
}

/// How long an established TCP flow's packets may skip refreshing their conntrack entries.
pub(super) const QUIET: Nanos = super::SEC;

/// The cache key: the sending port and the header as sent. Hashed field by field (derived):
/// FxHash carries a word's high bits only into the hash's high bits while the table picks
/// buckets by the low ones, so packing fields into wide words would put flows that differ only
/// in a port into one bucket.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key(PortId, Header);

/// The cache proper.
#[derive(Default)]
pub(super) struct FlowCache {
    map: FxHashMap<Key, Cached>,
}

impl FlowCache {
    /// Remembers a decision (emptying the cache first when full).
    pub fn insert(&mut self, port: PortId, h: Header, c: Cached) {
        if self.map.len() >= CACHE_MAX {
            self.map.clear();
        }
        self.map.insert(Key(port, h), c);
    }

    /// Forgets every decision (the configuration changed).
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

impl Engine {
    /// The cached decision for a packet, its conntrack entries refreshed and its events
    /// emitted: where it goes, the header it leaves with, the same-subnet sender, the path's
    /// MTU. None when the
    /// cache cannot decide (no entry, stale generation, an expired conntrack entry): the packet
    /// takes the slow path.
    #[inline]
    pub(super) fn fast_path(
        &mut self,
        pkt: &Packet<Vec<u8>>,
        port: PortId,
        now: Nanos,
    ) -> Option<(Delivery, Header, Option<EniId>, u16)> {
        let key = Key(port, pkt.ip().header);
        let c = self.cache.map.get_mut(&key)?;
        if c.generation != self.generation {
            self.cache.map.remove(&key);
            return None;
        }
        let flags = super::TcpFlags::from_bits(pkt.ip().tcp_flags);
        let plain = flags.bits() & STATE_FLAGS == 0;
        let quiet = plain
            && c.quiet
                .is_some_and(|(t, ep)| now < t && ep == self.ct.epoch());
        if !quiet {
            let mut all_live = plain;
            for (eni, h) in &c.touch {
                match self.ct.touch_live(*eni, h, flags, now) {
                    Some(live) => all_live &= live,
                    None => {
                        self.cache.map.remove(&key);
                        return None;
                    }
                }
            }
            c.quiet = all_live.then(|| (now + QUIET, self.ct.epoch()));
        }
        let hit = (c.to, c.header, c.same_l2, c.mtu);
        if self.events {
            let obs = c.observations.clone();
            self.emit_events(&obs, pkt, now);
        }
        Some(hit)
    }
}
