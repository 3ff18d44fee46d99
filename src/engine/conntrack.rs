//! Connection tracking per ENI (AWS's rules): TCP/UDP by 5-tuple, ICMP by identifier, other
//! protocols by (peer, protocol); idle timeouts from the reference §2.2; a bounded table.

use super::fxhash::FxHashMap as HashMap;
use super::Nanos;
use crate::model::proto;
use crate::model::EniId;
use crate::policy::Header;
use std::net::Ipv4Addr;

const SEC: Nanos = 1_000_000_000;
/// TCP established idle timeout (432,000 s).
pub const TCP_ESTABLISHED: Nanos = 432_000 * SEC;
/// UDP one-way or single exchange (30 s).
pub const UDP_TIMEOUT: Nanos = 30 * SEC;
/// UDP stream (180 s).
pub const UDP_STREAM: Nanos = 180 * SEC;
/// ICMP (unconfirmed in AWS's docs; 30 s like UDP).
pub const ICMP_TIMEOUT: Nanos = 30 * SEC;
/// Other protocols: (peer, protocol) for 600 s.
pub const OTHER_TIMEOUT: Nanos = 600 * SEC;

/// A direction-independent flow key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowKey {
    proto: u8,
    a: (Ipv4Addr, u16),
    b: (Ipv4Addr, u16),
}

impl FlowKey {
    /// The key of the flow `h` belongs to (either direction gives the same key).
    pub fn of(h: &Header) -> FlowKey {
        let (x, y) = match h.proto {
            proto::TCP | proto::UDP => ((h.src, h.sport), (h.dst, h.dport)),
            proto::ICMP => ((h.src, h.sport), (h.dst, h.sport)),
            _ => ((h.src, 0), (h.dst, 0)),
        };
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        FlowKey {
            proto: h.proto,
            a,
            b,
        }
    }
}

/// A tracked flow.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// Expiry time.
    pub expires: Nanos,
    /// Source of the first packet.
    pub origin: Ipv4Addr,
    /// True once packets flowed both ways (UDP stream).
    pub replied: bool,
}

fn timeout(h: &Header, replied: bool) -> Nanos {
    match h.proto {
        proto::TCP => TCP_ESTABLISHED,
        proto::UDP if replied => UDP_STREAM,
        proto::UDP => UDP_TIMEOUT,
        proto::ICMP => ICMP_TIMEOUT,
        _ => OTHER_TIMEOUT,
    }
}

/// All ENIs' tables.
#[derive(Debug, Default)]
pub struct Conntrack {
    tables: Vec<HashMap<FlowKey, Entry>>,
}

impl Conntrack {
    /// Ensures a table per ENI.
    pub fn resize(&mut self, enis: usize) {
        self.tables.resize_with(enis, HashMap::default);
    }
    /// True when the flow is tracked (and alive) at `eni`.
    pub fn tracked(&self, eni: EniId, key: &FlowKey, now: Nanos) -> bool {
        self.tables
            .get(eni.idx())
            .and_then(|t| t.get(key))
            .is_some_and(|e| e.expires > now)
    }
    /// Refreshes an existing entry with packet `h`; false when absent or expired.
    #[must_use = "false means the flow is not tracked and the packet must be judged"]
    pub fn touch(&mut self, eni: EniId, h: &Header, now: Nanos) -> bool {
        let Some(t) = self.tables.get_mut(eni.idx()) else {
            return false;
        };
        let Some(e) = t.get_mut(&FlowKey::of(h)) else {
            return false;
        };
        if e.expires <= now {
            return false;
        }
        if h.src != e.origin {
            e.replied = true;
        }
        e.expires = now + timeout(h, e.replied);
        true
    }
    /// Tracks a new flow; false when the table is full.
    #[must_use = "false means the flow was not admitted (conntrack allowance exceeded)"]
    pub fn insert(&mut self, eni: EniId, h: &Header, now: Nanos, max: usize) -> bool {
        let Some(t) = self.tables.get_mut(eni.idx()) else {
            return false;
        };
        let key = FlowKey::of(h);
        if let Some(e) = t.get_mut(&key) {
            if e.expires > now {
                return true;
            }
        } else if t.len() >= max {
            // Reclaim expired entries before refusing.
            t.retain(|_, e| e.expires > now);
            if t.len() >= max {
                return false;
            }
        }
        t.insert(
            key,
            Entry {
                expires: now + timeout(h, false),
                origin: h.src,
                replied: false,
            },
        );
        true
    }
    /// Drops expired entries.
    pub fn sweep(&mut self, now: Nanos) {
        for t in &mut self.tables {
            t.retain(|_, e| e.expires > now);
        }
    }
    /// Number of entries at an ENI.
    pub fn len(&self, eni: EniId) -> usize {
        self.tables.get(eni.idx()).map_or(0, |t| t.len())
    }
    /// True when no ENI tracks anything.
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_direction_independent_and_bounded() {
        let h = Header::l4(
            "10.0.0.4".parse().unwrap(),
            "10.0.1.4".parse().unwrap(),
            17,
            40000,
            53,
        );
        assert_eq!(FlowKey::of(&h), FlowKey::of(&h.reversed()));
        let i = Header::icmp(h.src, h.dst, 8, 0, 7);
        assert_eq!(FlowKey::of(&i), FlowKey::of(&i.reversed()));
        let mut c = Conntrack::default();
        c.resize(1);
        let e = EniId(0);
        assert!(c.insert(e, &h, 0, 1));
        assert!(!c.insert(e, &Header { sport: 1, ..h }, 0, 1));
        assert!(c.tracked(e, &FlowKey::of(&h.reversed()), UDP_TIMEOUT - 1));
        assert!(!c.tracked(e, &FlowKey::of(&h), UDP_TIMEOUT));
        // Once expired, the slot is reclaimed for a new flow.
        assert!(c.insert(e, &Header { sport: 1, ..h }, UDP_TIMEOUT, 1));
        // A reply turns UDP into a stream (180 s).
        let g = Header { sport: 1, ..h };
        assert!(c.touch(e, &g.reversed(), UDP_TIMEOUT + 1));
        assert!(c.tracked(e, &FlowKey::of(&g), UDP_TIMEOUT + 100 * SEC));
    }
}
