//! The flow cache: what the slow path decided for a (port, header), replayed for the flow's
//! later packets without a policy walk. An entry is valid while the configuration generation
//! it was stamped with is current and every conntrack entry it relied on is still alive
//! (refreshing them is part of the replay); otherwise it is dropped and the packet walks.

use super::{Engine, Nanos};
use crate::engine::wire::Packet;
use crate::model::fxhash::FxHashMap;
use crate::model::{EniId, Mac, PortId};
use crate::policy::path::Observation;
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
    /// The header they leave with.
    pub header: Header,
    /// `Engine::link_to` of where the packets go (and the same-subnet sender), found once: the port the packets leave by and their
    /// source and destination MACs (None: nobody behind `to`, dropped silently). The network
    /// cannot change under it: `Engine::apply` empties the cache.
    pub link: Option<(PortId, Mac, Mac)>,
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

/// What a cache hit tells the forwarding path (a copy of the entry's fields it needs).
#[derive(Clone, Copy)]
pub(super) struct Hit {
    /// [`Cached::link`].
    pub link: Option<(PortId, Mac, Mac)>,
    /// [`Cached::header`].
    pub header: Header,
    /// [`Cached::mtu`].
    pub mtu: u16,
}

/// The cache key: the sending port and the header as sent.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key(PortId, Header);

/// One word for the hasher instead of eight field writes: the fields packed into two words,
/// mixed by two folded multiplies (the 128-bit product's high half folded into its low half;
/// the second takes the first's result, so neither word's contribution stays linear).
/// FxHash alone carries a word's high bits only into the hash's high bits while the table
/// picks buckets by the low ones, so packed words must be folded first, or flows that differ
/// only in a port would share a bucket.
impl std::hash::Hash for Key {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let h = &self.1;
        let a = u64::from(h.src.to_bits()) << 32 | u64::from(h.dst.to_bits());
        let b = u64::from(self.0.idx() as u32) << 40
            | u64::from(h.proto) << 32
            | u64::from(h.sport) << 16
            | u64::from(h.dport);
        let fold = |x: u64, k: u64| {
            let m = u128::from(x) * u128::from(k);
            (m as u64) ^ ((m >> 64) as u64)
        };
        state.write_u64(fold(
            a ^ fold(b, 0xc2b2_ae3d_27d4_eb4f),
            0x9e37_79b9_7f4a_7c15,
        ));
    }
}

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
    /// emitted: the link it leaves by, the header it leaves with, the path's MTU. None when the
    /// cache cannot decide (no entry, stale generation, an expired conntrack entry): the packet
    /// takes the slow path.
    #[inline]
    pub(super) fn fast_path(
        &mut self,
        pkt: &Packet<Vec<u8>>,
        port: PortId,
        now: Nanos,
    ) -> Option<Hit> {
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
        let hit = Hit {
            link: c.link,
            header: c.header,
            mtu: c.mtu,
        };
        if self.events {
            let mut to = super::forward::EventSink {
                net: &self.net,
                capture: &self.capture,
                spare: &mut self.spare,
                out: &mut self.out,
            };
            to.emit(&c.observations, pkt, now);
        }
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::Key;
    use crate::model::PortId;
    use crate::policy::Header;
    use std::hash::{BuildHasher, BuildHasherDefault};

    /// Flows that differ only in a source port, or only in the sending port, land in
    /// different buckets (the table picks them by the hash's low bits).
    #[test]
    fn keys_differing_in_one_field_spread_over_the_low_bits() {
        let b = BuildHasherDefault::<crate::model::fxhash::FxHasher>::default();
        let h = Header::l4(
            "10.0.0.4".parse().unwrap(),
            "10.0.1.4".parse().unwrap(),
            6,
            40000,
            80,
        );
        let low = |k: Key| b.hash_one(k) & 0x3ff;
        let by_sport: std::collections::HashSet<u64> = (0..1024u16)
            .map(|p| {
                low(Key(
                    PortId(0),
                    Header {
                        sport: 1024 + p,
                        ..h
                    },
                ))
            })
            .collect();
        let by_port: std::collections::HashSet<u64> =
            (0..1024u32).map(|p| low(Key(PortId(p), h))).collect();
        // 1024 keys into 1024 buckets at random fill about 632; a bad hash fills a few.
        assert!(by_sport.len() > 550, "{}", by_sport.len());
        assert!(by_port.len() > 550, "{}", by_port.len());
    }
}
