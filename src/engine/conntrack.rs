//! Connection tracking per ENI (AWS's rules): TCP/UDP by 5-tuple, ICMP by identifier, other
//! protocols by (peer, protocol); idle timeouts from the reference §2.2; a bounded table.
//!
//! TCP entries follow the connection's state, read from the flags of the packets the engine
//! sees in both directions, and each state has its own lifetime. AWS documents only the
//! established timeout (432,000 s) and UDP's; for half-open and closing states vpclab takes
//! Linux's `nf_conntrack` defaults ([`TcpState::timeout`]). When a table is full, an entry that
//! is no live connection (never answered or half-open, or closing) is evicted before a new flow
//! is refused: Linux's early drop, vpclab's choice where AWS documents only the allowance.

use super::Nanos;
use super::TcpFlags;
use crate::model::fxhash::FxHashMap as HashMap;
use crate::model::proto;
use crate::model::EniId;
use crate::policy::Header;
use std::collections::hash_map::Entry as Slot;
use std::collections::VecDeque;
use std::net::Ipv4Addr;

const SEC: Nanos = 1_000_000_000;
/// TCP established idle timeout (432,000 s, AWS's `TcpEstablishedTimeout` default).
pub const TCP_ESTABLISHED: Nanos = 432_000 * SEC;
/// UDP one-way or single exchange (30 s).
pub const UDP_TIMEOUT: Nanos = 30 * SEC;
/// UDP stream (180 s).
pub const UDP_STREAM: Nanos = 180 * SEC;
/// ICMP (unconfirmed in AWS's docs; 30 s like UDP).
pub const ICMP_TIMEOUT: Nanos = 30 * SEC;
/// Other protocols: (peer, protocol) for 600 s.
pub const OTHER_TIMEOUT: Nanos = 600 * SEC;

/// The state of a tracked TCP connection, as Linux's `nf_conntrack` names them. Non-TCP
/// entries stay `Established` (their lifetime comes from the protocol).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpState {
    /// A SYN seen, no answer yet.
    SynSent,
    /// The SYN answered (SYN-ACK), the handshake's last ACK not seen yet.
    SynRecv,
    /// The handshake completed (or a connection picked up mid-stream).
    Established,
    /// One side sent FIN, not acknowledged yet.
    FinWait,
    /// One side's FIN acknowledged, the other side still sending.
    CloseWait,
    /// Both sides sent FIN; the last ACK not seen yet.
    LastAck,
    /// Both FINs acknowledged.
    TimeWait,
    /// Reset (RST seen).
    Close,
}

impl TcpState {
    /// The idle lifetime of an entry in this state: AWS's established timeout, and Linux's
    /// `nf_conntrack_tcp_timeout_*` defaults for the others (AWS documents none).
    pub const fn timeout(self) -> Nanos {
        match self {
            TcpState::SynSent => 120 * SEC,
            TcpState::SynRecv => 60 * SEC,
            TcpState::Established => TCP_ESTABLISHED,
            TcpState::FinWait => 120 * SEC,
            TcpState::CloseWait => 60 * SEC,
            TcpState::LastAck => 30 * SEC,
            TcpState::TimeWait => 120 * SEC,
            TcpState::Close => 10 * SEC,
        }
    }
}

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
    /// Source of the first packet (of the connection's SYN, for TCP).
    pub origin: Ipv4Addr,
    /// True once packets flowed both ways (UDP stream).
    pub replied: bool,
    /// The TCP state (`Established` for other protocols).
    pub state: TcpState,
    /// Which side sent the first FIN (true: the origin), once one did.
    fin_by_origin: bool,
}

/// SYN, FIN or RST: the flags that can change a TCP entry's state on their own.
const STATE_FLAGS: u8 = TcpFlags::SYN.bits() | TcpFlags::FIN.bits() | TcpFlags::RST.bits();

impl Entry {
    /// A new entry for the first packet of a flow, sent by `src` with flags `f`. A TCP flow
    /// first seen after its SYN (a connection picked up mid-stream, as Linux's
    /// `nf_conntrack_tcp_loose` does) starts established but unanswered.
    fn new(src: Ipv4Addr, f: TcpFlags) -> Entry {
        let state = if f.contains(TcpFlags::RST) {
            TcpState::Close
        } else if f.is_initial_syn() {
            TcpState::SynSent
        } else if f.contains(TcpFlags::FIN) {
            TcpState::FinWait
        } else {
            TcpState::Established
        };
        Entry {
            expires: 0,
            origin: src,
            replied: false,
            state,
            fin_by_origin: true,
        }
    }

    /// True when the entry is a live connection, never evicted for a new flow: a TCP
    /// connection answered and established, or another protocol's flow that was answered.
    /// Everything else (unanswered, half-open, closing) may go when the table is full.
    fn live(&self) -> bool {
        self.replied && self.state == TcpState::Established
    }

    /// The idle lifetime for protocol `p` in the entry's current state.
    fn timeout(&self, p: u8) -> Nanos {
        match p {
            proto::TCP => self.state.timeout(),
            proto::UDP if self.replied => UDP_STREAM,
            proto::UDP => UDP_TIMEOUT,
            proto::ICMP => ICMP_TIMEOUT,
            _ => OTHER_TIMEOUT,
        }
    }

    /// Moves a TCP entry along for a packet with flags `f` sent by `src` (a simplified form of
    /// Linux's `tcp_conntracks` table: no sequence-number checks).
    fn tcp_update(&mut self, src: Ipv4Addr, f: TcpFlags) {
        use TcpState::*;
        let from_origin = src == self.origin;
        let (syn, ack, fin) = (
            f.contains(TcpFlags::SYN),
            f.contains(TcpFlags::ACK),
            f.contains(TcpFlags::FIN),
        );
        let s = self.state;
        self.state = if f.contains(TcpFlags::RST) {
            Close
        } else if syn && !ack {
            match s {
                // A new connection reusing the addresses and ports of a closed one.
                TimeWait | Close => {
                    *self = Entry::new(src, f);
                    return;
                }
                SynSent if !from_origin => SynRecv,
                s => s,
            }
        } else if syn {
            match s {
                SynSent if !from_origin => SynRecv,
                s => s,
            }
        } else if fin {
            match s {
                SynSent | SynRecv | Established => {
                    self.fin_by_origin = from_origin;
                    FinWait
                }
                FinWait | CloseWait if from_origin != self.fin_by_origin => LastAck,
                // The first closer's FIN-ACK also acknowledges the second FIN.
                LastAck if ack && from_origin == self.fin_by_origin => TimeWait,
                s => s,
            }
        } else if ack {
            match s {
                SynRecv if from_origin => Established,
                FinWait if from_origin != self.fin_by_origin => CloseWait,
                LastAck if from_origin == self.fin_by_origin => TimeWait,
                s => s,
            }
        } else {
            s
        };
    }
}

/// One ENI's table, and the keys of its entries that may be evicted, oldest first. The queue
/// may hold keys whose entry is gone or became live (skipped when met); it is compacted when it
/// grows past twice the table's size.
#[derive(Debug, Default)]
struct Table {
    map: HashMap<FlowKey, Entry>,
    evictable: VecDeque<FlowKey>,
    /// When expired live entries were last searched for (a full scan, at most once a second).
    scanned: Option<Nanos>,
}

impl Table {
    /// Frees one slot for a new flow: the oldest entry that is expired or no live connection
    /// (early drop), else, at most once a second, every expired entry. False when none.
    fn make_room(&mut self, now: Nanos) -> bool {
        while let Some(k) = self.evictable.pop_front() {
            if self
                .map
                .get(&k)
                .is_some_and(|e| e.expires <= now || !e.live())
            {
                self.map.remove(&k);
                return true;
            }
        }
        if self.scanned.is_some_and(|t| now < t + SEC) {
            return false;
        }
        self.scanned = Some(now);
        let before = self.map.len();
        self.map.retain(|_, e| e.expires > now);
        self.map.len() < before
    }

    /// Drops queued keys whose entry is gone or live.
    fn compact(&mut self) {
        let map = &self.map;
        self.evictable
            .retain(|k| map.get(k).is_some_and(|e| !e.live()));
    }
}

/// All ENIs' tables.
#[derive(Debug, Default)]
pub struct Conntrack {
    tables: Vec<Table>,
    /// Bumped by every change but an established TCP connection's plain refresh: while it
    /// stands, every entry is as it was (the flow cache skips refreshing those, see
    /// [`Conntrack::epoch`]).
    epoch: u64,
}

impl Conntrack {
    /// Ensures a table per ENI.
    pub fn resize(&mut self, enis: usize) {
        self.tables.resize_with(enis, Table::default);
        self.epoch += 1;
    }
    /// The change counter: equal values mean no entry was added, removed or moved to another
    /// state in between (only established TCP connections' expiries were pushed back). An
    /// entry that was a live established TCP connection then still is, and cannot have
    /// expired within a second (its timeout is 432,000 s).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    /// [`Conntrack::touch`], also saying whether the entry is (still) an established,
    /// answered TCP connection: None when absent or expired.
    #[inline]
    pub fn touch_live(&mut self, eni: EniId, h: &Header, f: TcpFlags, now: Nanos) -> Option<bool> {
        self.refresh(eni, h, f, now)
            .map(|live| h.proto == proto::TCP && live)
    }
    /// True when the flow is tracked (and alive) at `eni`.
    pub fn tracked(&self, eni: EniId, key: &FlowKey, now: Nanos) -> bool {
        self.tables
            .get(eni.idx())
            .and_then(|t| t.map.get(key))
            .is_some_and(|e| e.expires > now)
    }
    /// Refreshes an existing entry with packet `h` carrying TCP flags `f` (NONE for other
    /// protocols); false when absent or expired. An established TCP connection's packet without
    /// SYN, FIN or RST only pushes the expiry back (the fast path's common case).
    #[must_use = "false means the flow is not tracked and the packet must be judged"]
    #[inline]
    pub fn touch(&mut self, eni: EniId, h: &Header, f: TcpFlags, now: Nanos) -> bool {
        self.refresh(eni, h, f, now).is_some()
    }
    /// The body of [`Conntrack::touch`] (one table lookup): None when absent or expired, else
    /// whether the entry is a live connection after the refresh.
    #[inline]
    fn refresh(&mut self, eni: EniId, h: &Header, f: TcpFlags, now: Nanos) -> Option<bool> {
        let t = self.tables.get_mut(eni.idx())?;
        let key = FlowKey::of(h);
        let e = t.map.get_mut(&key)?;
        if e.expires <= now {
            return None;
        }
        if h.proto == proto::TCP && e.live() && f.bits() & STATE_FLAGS == 0 {
            e.expires = now + TCP_ESTABLISHED;
            return Some(true);
        }
        self.epoch += 1;
        let was_live = e.live();
        if h.proto == proto::TCP {
            e.tcp_update(h.src, f);
        }
        if h.src != e.origin {
            e.replied = true;
        }
        e.expires = now + e.timeout(h.proto);
        let live = e.live();
        if was_live && !live {
            t.evictable.push_back(key);
        }
        Some(live)
    }
    /// Tracks a new flow whose first packet is `h` with TCP flags `f`. When the table holds
    /// `max` entries, an expired entry or one that is no live connection is evicted first
    /// (oldest first); false when none can be, and the flow is refused.
    #[must_use = "false means the flow was not admitted (conntrack allowance exceeded)"]
    pub fn insert(&mut self, eni: EniId, h: &Header, f: TcpFlags, now: Nanos, max: usize) -> bool {
        let Some(t) = self.tables.get_mut(eni.idx()) else {
            return false;
        };
        let key = FlowKey::of(h);
        let mut e = Entry::new(
            h.src,
            if h.proto == proto::TCP {
                f
            } else {
                TcpFlags::NONE
            },
        );
        e.expires = now + e.timeout(h.proto);
        if t.map.len() < max {
            // Room for it: one lookup finds the slot (a live entry is kept as it is).
            match t.map.entry(key) {
                Slot::Occupied(o) if o.get().expires > now => return true,
                Slot::Occupied(mut o) => {
                    o.insert(e);
                }
                Slot::Vacant(v) => {
                    v.insert(e);
                }
            }
        } else {
            if let Some(old) = t.map.get(&key) {
                if old.expires > now {
                    return true;
                }
            } else if !t.make_room(now) {
                return false;
            }
            t.map.insert(key, e);
        }
        self.epoch += 1;
        t.evictable.push_back(key);
        if t.evictable.len() > 2 * max.max(t.map.len()) + 64 {
            t.compact();
        }
        true
    }
    /// Drops expired entries.
    pub fn sweep(&mut self, now: Nanos) {
        self.epoch += 1;
        for t in &mut self.tables {
            t.map.retain(|_, e| e.expires > now);
            t.compact();
        }
    }
    /// Number of entries at an ENI.
    pub fn len(&self, eni: EniId) -> usize {
        self.tables.get(eni.idx()).map_or(0, |t| t.map.len())
    }
    /// True when no ENI tracks anything.
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| t.map.is_empty())
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
        assert!(c.insert(e, &h, TcpFlags::NONE, 0, 1));
        assert!(c.tracked(e, &FlowKey::of(&h.reversed()), UDP_TIMEOUT - 1));
        assert!(!c.tracked(e, &FlowKey::of(&h), UDP_TIMEOUT));
        // A reply turns UDP into a stream (180 s), a live flow: a new flow cannot evict it.
        assert!(c.touch(e, &h.reversed(), TcpFlags::NONE, 1));
        assert!(c.tracked(e, &FlowKey::of(&h), UDP_STREAM));
        assert!(!c.insert(e, &Header { sport: 1, ..h }, TcpFlags::NONE, 2, 1));
        // Once expired, the slot is reclaimed for a new flow.
        let g = Header { sport: 1, ..h };
        assert!(!c.tracked(e, &FlowKey::of(&h), UDP_STREAM + 1));
        assert!(c.insert(e, &g, TcpFlags::NONE, UDP_STREAM + 1, 1));
        // An unanswered flow is evicted for a new one (early drop).
        assert!(c.insert(e, &h, TcpFlags::NONE, UDP_STREAM + 2, 1));
        assert!(c.tracked(e, &FlowKey::of(&h), UDP_STREAM + 3));
        assert!(!c.tracked(e, &FlowKey::of(&g), UDP_STREAM + 3));
        assert_eq!(c.len(e), 1);
    }

    fn tcp(c: &mut Conntrack, h: &Header, f: TcpFlags, now: Nanos) -> TcpState {
        assert!(c.touch(EniId(0), h, f, now));
        c.tables[0].map[&FlowKey::of(h)].state
    }

    #[test]
    fn tcp_states_follow_the_flags_both_ways() {
        use TcpState::*;
        let h = Header::l4(
            "198.51.100.10".parse().unwrap(),
            "10.0.0.4".parse().unwrap(),
            6,
            40000,
            80,
        );
        let r = h.reversed();
        let (syn, ack, fin, rst) = (TcpFlags::SYN, TcpFlags::ACK, TcpFlags::FIN, TcpFlags::RST);
        let mut c = Conntrack::default();
        c.resize(1);
        assert!(c.insert(EniId(0), &h, syn, 0, 10));
        assert_eq!(c.tables[0].map[&FlowKey::of(&h)].state, SynSent);
        assert!(!c.tracked(EniId(0), &FlowKey::of(&h), SynSent.timeout()));
        assert_eq!(tcp(&mut c, &r, syn | ack, 1), SynRecv);
        assert_eq!(tcp(&mut c, &h, ack, 2), Established);
        assert!(c.tracked(EniId(0), &FlowKey::of(&h), TCP_ESTABLISHED));
        assert_eq!(tcp(&mut c, &r, ack | TcpFlags::PSH, 3), Established);
        // The server closes first; the client's FIN, the server's last ACK.
        assert_eq!(tcp(&mut c, &r, fin | ack, 4), FinWait);
        assert_eq!(tcp(&mut c, &h, ack, 5), CloseWait);
        assert_eq!(tcp(&mut c, &h, fin | ack, 6), LastAck);
        assert_eq!(tcp(&mut c, &r, ack, 7), TimeWait);
        assert!(c.tracked(EniId(0), &FlowKey::of(&h), 7 + TimeWait.timeout() - 1));
        assert!(!c.tracked(EniId(0), &FlowKey::of(&h), 7 + TimeWait.timeout()));
        // A new SYN on the same ports starts over; a RST closes.
        assert_eq!(tcp(&mut c, &h, syn, 8), SynSent);
        assert_eq!(tcp(&mut c, &r, rst | ack, 9), Close);
        assert!(!c.tracked(EniId(0), &FlowKey::of(&h), 9 + 10 * SEC));
    }

    #[test]
    fn a_full_table_evicts_the_oldest_entry_that_is_no_live_connection() {
        let mut c = Conntrack::default();
        c.resize(1);
        let e = EniId(0);
        let h = |sport| {
            Header::l4(
                "198.51.100.10".parse().unwrap(),
                "10.0.0.4".parse().unwrap(),
                6,
                sport,
                80,
            )
        };
        // Two established connections, then half-open ones beyond the table's size.
        for p in [1, 2] {
            assert!(c.insert(e, &h(p), TcpFlags::SYN, 0, 4));
            assert!(c.touch(e, &h(p).reversed(), TcpFlags::SYN | TcpFlags::ACK, 0));
            assert!(c.touch(e, &h(p), TcpFlags::ACK, 0));
        }
        for p in 10..1000 {
            assert!(c.insert(e, &h(p), TcpFlags::SYN, 0, 4));
            assert_eq!(c.len(e), 4.min(p as usize - 7));
        }
        let k = |p| FlowKey::of(&h(p));
        assert!(c.tracked(e, &k(1), 1) && c.tracked(e, &k(2), 1));
        assert!(c.tracked(e, &k(999), 1) && !c.tracked(e, &k(10), 1));
        // Only live connections left: refused.
        for p in [998, 999] {
            assert!(c.touch(e, &h(p).reversed(), TcpFlags::SYN | TcpFlags::ACK, 0));
            assert!(c.touch(e, &h(p), TcpFlags::ACK, 0));
        }
        assert!(!c.insert(e, &h(5000), TcpFlags::SYN, 0, 4));
        assert!(c.tables[0].evictable.len() <= 2 * 4 + 64);
    }
}
