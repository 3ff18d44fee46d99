//! Source NAT with port translation: NAT gateways (ports 1024-65535, at most 55,000 flows per
//! destination, 350 s idle timeout then RST) and NAT instances masquerading in the engine.
//!
//! A NAT gateway's TCP mappings follow the connection's state, as the ENIs' conntrack does
//! (`conntrack`): an established connection lives AWS's 350 s idle timeout; a half-open or
//! closing one lives Linux's `nf_conntrack` lifetime for its state (never more than 350 s),
//! since AWS documents none. When a destination has its 55,000 mappings, or a device the
//! table's bound ([`MAX_PER_NAT`]), the oldest mapping that is no live connection (never
//! answered, half-open, closing, or expired) is evicted before a new flow is refused with
//! ErrorPortAllocation: Linux's early drop, vpclab's choice where AWS documents only the
//! allowance. So a SYN flood from one instance cannot take the ports another instance's
//! connections need, and the table stays bounded. NAT instances keep their mappings until the
//! sweep (no idle timeout of their own).

use super::conntrack::TcpState;
use super::{Nanos, TcpFlags};
use crate::model::proto;
use crate::policy::Header;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr};

const SEC: Nanos = 1_000_000_000;
/// NAT gateway idle timeout (350 s).
pub const NAT_IDLE: Nanos = 350 * SEC;
/// At most this many flows per NAT IP to one destination (ip, port, protocol).
pub const MAX_PER_DEST: u32 = 55_000;
/// At most this many mappings per NAT device over all destinations (vpclab's bound on the
/// table; AWS documents only the per-destination allowance). About 20 MB per device when full.
pub const MAX_PER_NAT: usize = 131_072;
/// First translated port.
pub const FIRST_PORT: u16 = 1024;

/// Which translator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Nat {
    /// A NAT gateway (index).
    Gateway(u32),
    /// A NAT instance (index).
    Instance(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Orig {
    nat: Nat,
    proto: u8,
    /// The client behind the device: an IPv4 address, or an IPv6 one for NAT64 (the same
    /// pool of ports serves both).
    src: IpAddr,
    sport: u16,
    dst: Ipv4Addr,
    dport: u16,
}

impl Orig {
    /// The destination this flow counts against (`MAX_PER_DEST`).
    fn dest(&self) -> Dest {
        Dest {
            nat: self.nat,
            proto: self.proto,
            dst: self.dst,
            dport: self.dport,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Public {
    nat: Nat,
    proto: u8,
    remote: Ipv4Addr,
    rport: u16,
    port: u16,
}

/// One device's destination: (device, protocol, remote address, remote port).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Dest {
    nat: Nat,
    proto: u8,
    dst: Ipv4Addr,
    dport: u16,
}

/// Mappings to one destination and those of them that may be evicted, oldest first (the queue
/// may hold keys whose mapping is gone or became live: skipped when met).
#[derive(Debug, Default)]
struct DestFlows {
    count: u32,
    evictable: VecDeque<Orig>,
}

#[derive(Clone, Copy, Debug)]
struct Mapping {
    port: u16,
    last: Nanos,
    /// Timed out while idle: further TCP packets from the inside get RST.
    dead: bool,
    /// The TCP state (`Established` for other protocols).
    state: TcpState,
    /// A packet came back from the remote side.
    replied: bool,
    /// FINs seen: bit 0 from the inside, bit 1 from the remote side.
    fins: u8,
}

impl Mapping {
    fn new(port: u16, now: Nanos, p: u8, f: TcpFlags) -> Mapping {
        let state = if p != proto::TCP {
            TcpState::Established
        } else if f.contains(TcpFlags::RST) {
            TcpState::Close
        } else if f.is_initial_syn() {
            TcpState::SynSent
        } else if f.contains(TcpFlags::FIN) {
            TcpState::FinWait
        } else {
            // Picked up mid-stream (as Linux's nf_conntrack_tcp_loose).
            TcpState::Established
        };
        Mapping {
            port,
            last: now,
            dead: false,
            state,
            replied: false,
            fins: u8::from(f.contains(TcpFlags::FIN)),
        }
    }

    /// A live connection, never evicted for a new flow: answered, and (TCP) established.
    fn live(&self) -> bool {
        self.replied && self.state == TcpState::Established
    }

    /// How long the mapping may idle (None: forever). `idle` is the device's idle timeout.
    fn lifetime(&self, p: u8, idle: Option<Nanos>) -> Option<Nanos> {
        let idle = idle?;
        Some(match (p, self.state) {
            (proto::TCP, TcpState::Established) => idle,
            (proto::TCP, s) => s.timeout().min(idle),
            _ => idle,
        })
    }

    fn expired(&self, p: u8, now: Nanos, idle: Option<Nanos>) -> bool {
        self.lifetime(p, idle)
            .is_some_and(|t| now.saturating_sub(self.last) > t)
    }

    /// Moves a TCP mapping along for a packet with flags `f` (`inside`: from the client behind
    /// the NAT). A simplified form of Linux's state table, without sequence numbers.
    fn step(&mut self, inside: bool, f: TcpFlags) {
        use TcpState::*;
        let (syn, ack, fin) = (
            f.contains(TcpFlags::SYN),
            f.contains(TcpFlags::ACK),
            f.contains(TcpFlags::FIN),
        );
        if !inside {
            self.replied = true;
        }
        self.state = if f.contains(TcpFlags::RST) {
            Close
        } else if syn && !ack {
            match self.state {
                // A new connection reusing the ports of a closed one.
                TimeWait | Close if inside => {
                    self.replied = false;
                    self.fins = 0;
                    SynSent
                }
                s => s,
            }
        } else if syn {
            match self.state {
                SynSent if !inside => SynRecv,
                s => s,
            }
        } else if fin {
            self.fins |= if inside { 1 } else { 2 };
            match self.state {
                SynSent | SynRecv | Established | FinWait | CloseWait => {
                    if self.fins == 3 {
                        LastAck
                    } else {
                        FinWait
                    }
                }
                s => s,
            }
        } else if ack {
            match self.state {
                SynRecv if inside => Established,
                LastAck => TimeWait,
                FinWait => CloseWait,
                s => s,
            }
        } else {
            self.state
        };
    }
}

/// Why a translation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatError {
    /// No free port for this destination (ErrorPortAllocation).
    Exhausted,
    /// The flow idled out; a TCP packet from the inside gets RST.
    IdleTimeout,
}

/// The translation tables of every NAT device.
#[derive(Debug)]
pub struct NatTable {
    out: HashMap<Orig, Mapping>,
    back: HashMap<Public, (IpAddr, u16)>,
    per_dest: HashMap<Dest, DestFlows>,
    /// Mappings per device, and those that may be evicted, oldest first.
    per_nat: HashMap<Nat, DestFlows>,
    cursor: HashMap<Nat, u16>,
    max_per_dest: u32,
    max_per_nat: usize,
}

impl Default for NatTable {
    fn default() -> Self {
        NatTable::with_limits(MAX_PER_DEST, MAX_PER_NAT)
    }
}

/// The remote port used in keys (ICMP: none; the identifier is the translated "port").
fn rport(h: &Header) -> u16 {
    if h.proto == proto::ICMP {
        0
    } else {
        h.dport
    }
}

/// Whether protocol `p` has ports (or, for ICMP, an echo identifier) a NAT can translate.
fn has_ports(p: u8) -> bool {
    matches!(p, proto::TCP | proto::UDP | proto::ICMP)
}

/// The TCP flags that matter for a header's protocol (none for UDP and ICMP).
fn tcp(h: &Header, f: TcpFlags) -> TcpFlags {
    if h.proto == proto::TCP {
        f
    } else {
        TcpFlags::NONE
    }
}

impl NatTable {
    /// A table with other bounds than AWS's (`MAX_PER_DEST`, `MAX_PER_NAT`), for tests.
    pub fn with_limits(max_per_dest: u32, max_per_nat: usize) -> NatTable {
        NatTable {
            out: HashMap::new(),
            back: HashMap::new(),
            per_dest: HashMap::new(),
            per_nat: HashMap::new(),
            cursor: HashMap::new(),
            max_per_dest,
            max_per_nat,
        }
    }

    /// Translates an outbound packet `h` with TCP flags `flags` to source `ip`. A TCP SYN may
    /// replace a dead mapping. `idle`: the idle timeout (None = never).
    pub fn out(
        &mut self,
        nat: Nat,
        h: &Header,
        ip: Ipv4Addr,
        now: Nanos,
        idle: Option<Nanos>,
        flags: TcpFlags,
    ) -> Result<Header, NatError> {
        self.out_from(nat, IpAddr::V4(h.src), h, ip, now, idle, flags)
    }

    /// [`NatTable::out`] for a client at `inside` (NAT64: the IPv6 source of a packet that
    /// `h`, its IPv4 translation, stands for; `h.src` is then ignored). IPv4 and NAT64 flows
    /// share the device's ports, limits and lifetimes.
    #[allow(clippy::too_many_arguments)]
    pub fn out_from(
        &mut self,
        nat: Nat,
        inside: IpAddr,
        h: &Header,
        ip: Ipv4Addr,
        now: Nanos,
        idle: Option<Nanos>,
        flags: TcpFlags,
    ) -> Result<Header, NatError> {
        let flags = tcp(h, flags);
        let syn = flags.is_initial_syn();
        let key = Orig {
            nat,
            proto: h.proto,
            src: inside,
            sport: h.sport,
            dst: h.dst,
            dport: rport(h),
        };
        if let Some(m) = self.out.get_mut(&key) {
            let expired = m.expired(h.proto, now, idle);
            if (expired || m.dead) && h.proto == proto::TCP && !syn {
                m.dead = true;
                return Err(NatError::IdleTimeout);
            }
            if !(expired || m.dead) {
                let was_live = m.live();
                m.last = now;
                if h.proto == proto::TCP {
                    m.step(true, flags);
                }
                let port = m.port;
                if was_live && !m.live() {
                    self.queue(key);
                }
                return Ok(Header {
                    src: ip,
                    sport: port,
                    ..*h
                });
            }
            // Expired UDP/ICMP or a new SYN: start over with a fresh mapping.
            self.remove(&key);
        }
        let dest = key.dest();
        if self.per_dest.get(&dest).map_or(0, |d| d.count) >= self.max_per_dest
            && !self.make_room(Some(dest), nat, now, idle)
        {
            return Err(NatError::Exhausted);
        }
        if self.per_nat.get(&nat).map_or(0, |d| d.count as usize) >= self.max_per_nat
            && !self.make_room(None, nat, now, idle)
        {
            return Err(NatError::Exhausted);
        }
        if !has_ports(h.proto) {
            // No ports to translate (GRE, ESP, protocol 0, ...): the address alone is
            // masqueraded, as Linux's generic conntrack does, so one inside host per remote
            // address and protocol at a time; the reply carries no port either.
            let pk = Public {
                nat,
                proto: h.proto,
                remote: h.dst,
                rport: 0,
                port: 0,
            };
            if self.back.contains_key(&pk) {
                return Err(NatError::Exhausted);
            }
            self.out.insert(key, Mapping::new(0, now, h.proto, flags));
            self.back.insert(pk, (h.src.into(), h.sport));
            self.per_dest.entry(dest).or_default().count += 1;
            self.per_nat.entry(nat).or_default().count += 1;
            self.queue(key);
            return Ok(Header {
                src: ip,
                sport: 0,
                ..*h
            });
        }
        let span = u32::from(u16::MAX - FIRST_PORT) + 1;
        let start = *self.cursor.get(&nat).unwrap_or(&FIRST_PORT);
        let mut port = None;
        for i in 0..span {
            let p = FIRST_PORT + ((u32::from(start - FIRST_PORT) + i) % span) as u16;
            let pk = Public {
                nat,
                proto: h.proto,
                remote: h.dst,
                rport: rport(h),
                port: p,
            };
            if !self.back.contains_key(&pk) {
                port = Some(p);
                break;
            }
        }
        let Some(p) = port else {
            return Err(NatError::Exhausted);
        };
        self.cursor
            .insert(nat, if p == u16::MAX { FIRST_PORT } else { p + 1 });
        self.out.insert(key, Mapping::new(p, now, h.proto, flags));
        self.back.insert(
            Public {
                nat,
                proto: h.proto,
                remote: h.dst,
                rport: rport(h),
                port: p,
            },
            (inside, h.sport),
        );
        self.per_dest.entry(dest).or_default().count += 1;
        self.per_nat.entry(nat).or_default().count += 1;
        self.queue(key);
        Ok(Header {
            src: ip,
            sport: p,
            ..*h
        })
    }

    /// Queues `key` as evictable (at its destination and its device); compacts a queue that
    /// grew past twice its live size.
    fn queue(&mut self, key: Orig) {
        let out = &self.out;
        for d in [
            self.per_dest.get_mut(&key.dest()),
            self.per_nat.get_mut(&key.nat),
        ]
        .into_iter()
        .flatten()
        {
            d.evictable.push_back(key);
            if d.evictable.len() > 2 * d.count as usize + 64 {
                d.evictable
                    .retain(|k| out.get(k).is_some_and(|m| !m.live()));
            }
        }
    }

    /// Frees one mapping of destination `dest` (or, with None, of device `nat`): the oldest
    /// that is expired or no live connection. False when there is none.
    fn make_room(&mut self, dest: Option<Dest>, nat: Nat, now: Nanos, idle: Option<Nanos>) -> bool {
        loop {
            let q = match dest {
                Some(d) => self.per_dest.get_mut(&d),
                None => self.per_nat.get_mut(&nat),
            };
            let Some(k) = q.and_then(|q| q.evictable.pop_front()) else {
                return false;
            };
            if self
                .out
                .get(&k)
                .is_some_and(|m| !m.live() || m.expired(k.proto, now, idle))
            {
                self.remove(&k);
                return true;
            }
        }
    }

    /// Maps a reply (`h` from the remote to the NAT's address, TCP flags `flags`) back to the
    /// original client address and port. For ICMP errors pass the embedded header as `h` (its
    /// flags are not the connection's: pass `TcpFlags::NONE`).
    pub fn back(
        &mut self,
        nat: Nat,
        h: &Header,
        now: Nanos,
        idle: Option<Nanos>,
        flags: TcpFlags,
    ) -> Option<(Ipv4Addr, u16)> {
        match self.back_any(nat, h, now, idle, flags)? {
            (IpAddr::V4(a), p) => Some((a, p)),
            (IpAddr::V6(_), _) => None,
        }
    }

    /// [`NatTable::back`] for IPv4 and NAT64 clients alike: the client's address (IPv6 for a
    /// NAT64 flow) and port.
    pub fn back_any(
        &mut self,
        nat: Nat,
        h: &Header,
        now: Nanos,
        idle: Option<Nanos>,
        flags: TcpFlags,
    ) -> Option<(IpAddr, u16)> {
        let pk = Public {
            nat,
            proto: h.proto,
            remote: h.src,
            rport: rport(&h.reversed()),
            port: h.dport_for_nat(),
        };
        let (src, sport) = *self.back.get(&pk)?;
        let key = Orig {
            nat,
            proto: h.proto,
            src,
            sport,
            dst: h.src,
            dport: pk.rport,
        };
        let m = self.out.get_mut(&key)?;
        if m.dead || m.expired(h.proto, now, idle) {
            return None;
        }
        let was_live = m.live();
        m.last = now;
        if h.proto == proto::TCP {
            m.step(false, tcp(h, flags));
        } else {
            m.replied = true;
        }
        if was_live && !m.live() {
            self.queue(key);
        }
        Some((src, sport))
    }

    fn remove(&mut self, key: &Orig) {
        if let Some(m) = self.out.remove(key) {
            self.back.remove(&Public {
                nat: key.nat,
                proto: key.proto,
                remote: key.dst,
                rport: key.dport,
                port: m.port,
            });
            let dest = key.dest();
            if let Some(d) = self.per_dest.get_mut(&dest) {
                d.count = d.count.saturating_sub(1);
                if d.count == 0 {
                    self.per_dest.remove(&dest);
                }
            }
            if let Some(d) = self.per_nat.get_mut(&key.nat) {
                d.count = d.count.saturating_sub(1);
            }
        }
    }

    /// Removes mappings idle for longer than `keep`, and NAT gateway TCP mappings that are no
    /// established connection once their state's lifetime is over (an established one stays
    /// until `keep`, so that a late packet from the inside still gets its RST).
    pub fn sweep(&mut self, now: Nanos, keep: Nanos) {
        let old: Vec<Orig> = self
            .out
            .iter()
            .filter(|(k, m)| {
                let idle = now.saturating_sub(m.last);
                idle > keep
                    || (matches!(k.nat, Nat::Gateway(_))
                        && k.proto == proto::TCP
                        && m.state != TcpState::Established
                        && m.expired(k.proto, now, Some(NAT_IDLE)))
            })
            .map(|(k, _)| *k)
            .collect();
        for k in old {
            self.remove(&k);
        }
        let out = &self.out;
        for d in self.per_nat.values_mut().chain(self.per_dest.values_mut()) {
            d.evictable
                .retain(|k| out.get(k).is_some_and(|m| !m.live()));
        }
        self.per_nat.retain(|_, d| d.count > 0);
    }

    /// Number of mappings.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Number of mappings of one device.
    pub fn len_of(&self, nat: Nat) -> usize {
        self.per_nat.get(&nat).map_or(0, |d| d.count as usize)
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }
}

trait NatPort {
    fn dport_for_nat(&self) -> u16;
}

impl NatPort for Header {
    /// The translated port a reply is addressed to (ICMP: the echo identifier).
    fn dport_for_nat(&self) -> u16 {
        if self.proto == proto::ICMP {
            self.sport
        } else {
            self.dport
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_protocol_without_ports_is_masqueraded_by_address_alone() {
        let mut t = NatTable::default();
        let n = Nat::Instance(0);
        let nat_ip: Ipv4Addr = "10.0.0.10".parse().unwrap();
        let remote: Ipv4Addr = "54.1.2.3".parse().unwrap();
        let gre = Header::l4("10.0.1.10".parse().unwrap(), remote, 47, 0, 0);
        let o = t.out(n, &gre, nat_ip, 0, None, TcpFlags::NONE).unwrap();
        assert_eq!((o.src, o.sport, o.dport), (nat_ip, 0, 0));
        assert_eq!(
            t.back(n, &o.reversed(), 1, None, TcpFlags::NONE),
            Some((gre.src, 0))
        );
        let other = Header {
            src: "10.0.1.11".parse().unwrap(),
            ..gre
        };
        assert_eq!(
            t.out(n, &other, nat_ip, 2, None, TcpFlags::NONE),
            Err(NatError::Exhausted),
            "one inside host per remote and protocol"
        );
    }

    #[test]
    fn pat_and_reverse_and_idle() {
        let mut t = NatTable::default();
        let g = Nat::Gateway(0);
        let nat_ip: Ipv4Addr = "10.0.0.5".parse().unwrap();
        let h = Header::l4(
            "10.0.1.4".parse().unwrap(),
            "198.51.100.1".parse().unwrap(),
            6,
            40000,
            443,
        );
        let o = t
            .out(g, &h, nat_ip, 0, Some(NAT_IDLE), TcpFlags::SYN)
            .unwrap();
        assert_eq!((o.src, o.sport), (nat_ip, 1024));
        let o2 = t
            .out(
                g,
                &Header { sport: 40001, ..h },
                nat_ip,
                0,
                Some(NAT_IDLE),
                TcpFlags::SYN,
            )
            .unwrap();
        assert_eq!(o2.sport, 1025);
        assert_eq!(
            t.back(
                g,
                &o.reversed(),
                1,
                Some(NAT_IDLE),
                TcpFlags::SYN | TcpFlags::ACK
            ),
            Some((h.src, 40000))
        );
        // Unsolicited: no mapping.
        assert_eq!(
            t.back(
                g,
                &Header {
                    sport: 1,
                    ..o.reversed()
                },
                1,
                Some(NAT_IDLE),
                TcpFlags::ACK
            ),
            None
        );
        // Idle past 350 s: RST for the inside host, no reverse mapping.
        assert_eq!(
            t.out(g, &h, nat_ip, NAT_IDLE + 2, Some(NAT_IDLE), TcpFlags::ACK),
            Err(NatError::IdleTimeout)
        );
        assert_eq!(
            t.back(
                g,
                &o.reversed(),
                NAT_IDLE + 2,
                Some(NAT_IDLE),
                TcpFlags::ACK
            ),
            None
        );
        // ICMP: the identifier is translated.
        let i = Header::icmp(h.src, h.dst, 8, 0, 77);
        let io = t
            .out(g, &i, nat_ip, 0, Some(NAT_IDLE), TcpFlags::ACK)
            .unwrap();
        assert_eq!(
            t.back(g, &io.reversed(), 1, Some(NAT_IDLE), TcpFlags::NONE),
            Some((h.src, 77))
        );
    }

    fn syn_from(src: &str, sport: u16, dst: &str) -> Header {
        Header::l4(src.parse().unwrap(), dst.parse().unwrap(), 6, sport, 80)
    }

    #[test]
    fn a_full_destination_evicts_half_open_mappings_not_live_ones() {
        let mut t = NatTable::with_limits(4, 100);
        let g = Nat::Gateway(0);
        let ip: Ipv4Addr = "10.0.0.5".parse().unwrap();
        let idle = Some(NAT_IDLE);
        // Two live connections: SYN out, SYN-ACK back, ACK out.
        for sport in [1, 2] {
            let h = syn_from("10.0.1.4", sport, "198.51.100.1");
            let o = t.out(g, &h, ip, 0, idle, TcpFlags::SYN).unwrap();
            t.back(g, &o.reversed(), 0, idle, TcpFlags::SYN | TcpFlags::ACK)
                .unwrap();
            t.out(g, &h, ip, 0, idle, TcpFlags::ACK).unwrap();
        }
        // A flood of SYNs from another host: the destination stays at 4, live ones kept.
        for sport in 100..200 {
            let h = syn_from("10.0.1.66", sport, "198.51.100.1");
            t.out(g, &h, ip, 1, idle, TcpFlags::SYN).unwrap();
            assert!(t.len() <= 4);
        }
        for sport in [1, 2] {
            let h = syn_from("10.0.1.4", sport, "198.51.100.1");
            assert!(
                t.out(g, &h, ip, 2, idle, TcpFlags::ACK).is_ok(),
                "live {sport}"
            );
        }
        // Only live connections left: a new flow is refused (AWS's ErrorPortAllocation).
        let mut full = NatTable::with_limits(2, 100);
        for sport in [1, 2] {
            let h = syn_from("10.0.1.4", sport, "198.51.100.1");
            let o = full.out(g, &h, ip, 0, idle, TcpFlags::SYN).unwrap();
            full.back(g, &o.reversed(), 0, idle, TcpFlags::SYN | TcpFlags::ACK)
                .unwrap();
            full.out(g, &h, ip, 0, idle, TcpFlags::ACK).unwrap();
        }
        let h = syn_from("10.0.1.66", 9, "198.51.100.1");
        assert_eq!(
            full.out(g, &h, ip, 1, idle, TcpFlags::SYN),
            Err(NatError::Exhausted)
        );
    }

    #[test]
    fn the_device_bound_holds_over_many_destinations() {
        let mut t = NatTable::with_limits(MAX_PER_DEST, 50);
        let g = Nat::Gateway(0);
        let ip: Ipv4Addr = "10.0.0.5".parse().unwrap();
        for i in 0..500u32 {
            let dst = Ipv4Addr::from(0xC633_6400 + i).to_string();
            let h = syn_from("10.0.1.66", 1000, &dst);
            t.out(g, &h, ip, u64::from(i), Some(NAT_IDLE), TcpFlags::SYN)
                .unwrap();
            assert!(t.len_of(g) <= 50);
        }
        assert_eq!(t.len(), 50);
    }

    #[test]
    fn closing_and_reset_mappings_get_short_lifetimes() {
        let mut t = NatTable::default();
        let g = Nat::Gateway(0);
        let ip: Ipv4Addr = "10.0.0.5".parse().unwrap();
        let h = syn_from("10.0.1.4", 7, "198.51.100.1");
        let o = t.out(g, &h, ip, 0, Some(NAT_IDLE), TcpFlags::SYN).unwrap();
        t.back(
            g,
            &o.reversed(),
            0,
            Some(NAT_IDLE),
            TcpFlags::SYN | TcpFlags::ACK,
        );
        t.out(g, &h, ip, 0, Some(NAT_IDLE), TcpFlags::ACK).unwrap();
        // Reset by the remote: Close, 10 s.
        t.back(g, &o.reversed(), 0, Some(NAT_IDLE), TcpFlags::RST);
        t.sweep(5 * SEC, 2 * NAT_IDLE);
        assert_eq!(t.len(), 1);
        t.sweep(11 * SEC, 2 * NAT_IDLE);
        assert_eq!(t.len(), 0);
    }
}
