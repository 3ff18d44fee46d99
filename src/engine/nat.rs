//! Source NAT with port translation: NAT gateways (ports 1024-65535, at most 55,000 flows per
//! destination, 350 s idle timeout then RST) and NAT instances masquerading in the engine.

use super::Nanos;
use crate::model::proto;
use crate::policy::Header;
use std::collections::HashMap;
use std::net::Ipv4Addr;

const SEC: Nanos = 1_000_000_000;
/// NAT gateway idle timeout (350 s).
pub const NAT_IDLE: Nanos = 350 * SEC;
/// At most this many flows per NAT IP to one destination (ip, port, protocol).
pub const MAX_PER_DEST: u32 = 55_000;
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
    src: Ipv4Addr,
    sport: u16,
    dst: Ipv4Addr,
    dport: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Public {
    nat: Nat,
    proto: u8,
    remote: Ipv4Addr,
    rport: u16,
    port: u16,
}

#[derive(Clone, Copy, Debug)]
struct Mapping {
    port: u16,
    last: Nanos,
    /// Timed out while idle: further TCP packets from the inside get RST.
    dead: bool,
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
#[derive(Debug, Default)]
pub struct NatTable {
    out: HashMap<Orig, Mapping>,
    back: HashMap<Public, (Ipv4Addr, u16)>,
    per_dest: HashMap<(Nat, u8, Ipv4Addr, u16), u32>,
    cursor: HashMap<Nat, u16>,
}

/// The remote port used in keys (ICMP: none; the identifier is the translated "port").
fn rport(h: &Header) -> u16 {
    if h.proto == proto::ICMP {
        0
    } else {
        h.dport
    }
}

impl NatTable {
    /// Translates an outbound packet `h` to source `ip`. `syn`: a TCP SYN (may replace a dead
    /// mapping). `idle`: the idle timeout (None = never).
    pub fn out(
        &mut self,
        nat: Nat,
        h: &Header,
        ip: Ipv4Addr,
        now: Nanos,
        idle: Option<Nanos>,
        syn: bool,
    ) -> Result<Header, NatError> {
        let key = Orig {
            nat,
            proto: h.proto,
            src: h.src,
            sport: h.sport,
            dst: h.dst,
            dport: rport(h),
        };
        if let Some(m) = self.out.get_mut(&key) {
            let expired = idle.is_some_and(|t| now.saturating_sub(m.last) > t);
            if (expired || m.dead) && h.proto == proto::TCP && !syn {
                m.dead = true;
                return Err(NatError::IdleTimeout);
            }
            if !(expired || m.dead) {
                m.last = now;
                return Ok(Header {
                    src: ip,
                    sport: m.port,
                    ..*h
                });
            }
            // Expired UDP/ICMP or a new SYN: start over with a fresh mapping.
            self.remove(&key);
        }
        let dest = (nat, h.proto, h.dst, rport(h));
        let n = self.per_dest.get(&dest).copied().unwrap_or(0);
        if n >= MAX_PER_DEST {
            return Err(NatError::Exhausted);
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
        self.out.insert(
            key,
            Mapping {
                port: p,
                last: now,
                dead: false,
            },
        );
        self.back.insert(
            Public {
                nat,
                proto: h.proto,
                remote: h.dst,
                rport: rport(h),
                port: p,
            },
            (h.src, h.sport),
        );
        *self.per_dest.entry(dest).or_insert(0) += 1;
        Ok(Header {
            src: ip,
            sport: p,
            ..*h
        })
    }

    /// Maps a reply (`h` from the remote to the NAT's address) back to the original client
    /// address and port. For ICMP errors pass the embedded header as `inner`.
    pub fn back(
        &mut self,
        nat: Nat,
        h: &Header,
        now: Nanos,
        idle: Option<Nanos>,
    ) -> Option<(Ipv4Addr, u16)> {
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
        if m.dead || idle.is_some_and(|t| now.saturating_sub(m.last) > t) {
            return None;
        }
        m.last = now;
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
            if let Some(n) = self
                .per_dest
                .get_mut(&(key.nat, key.proto, key.dst, key.dport))
            {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Removes mappings idle for longer than `keep`.
    pub fn sweep(&mut self, now: Nanos, keep: Nanos) {
        let old: Vec<Orig> = self
            .out
            .iter()
            .filter(|(_, m)| now.saturating_sub(m.last) > keep)
            .map(|(k, _)| *k)
            .collect();
        for k in old {
            self.remove(&k);
        }
    }

    /// Number of mappings.
    pub fn len(&self) -> usize {
        self.out.len()
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
        let o = t.out(g, &h, nat_ip, 0, Some(NAT_IDLE), true).unwrap();
        assert_eq!((o.src, o.sport), (nat_ip, 1024));
        let o2 = t
            .out(
                g,
                &Header { sport: 40001, ..h },
                nat_ip,
                0,
                Some(NAT_IDLE),
                true,
            )
            .unwrap();
        assert_eq!(o2.sport, 1025);
        assert_eq!(
            t.back(g, &o.reversed(), 1, Some(NAT_IDLE)),
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
                Some(NAT_IDLE)
            ),
            None
        );
        // Idle past 350 s: RST for the inside host, no reverse mapping.
        assert_eq!(
            t.out(g, &h, nat_ip, NAT_IDLE + 2, Some(NAT_IDLE), false),
            Err(NatError::IdleTimeout)
        );
        assert_eq!(t.back(g, &o.reversed(), NAT_IDLE + 2, Some(NAT_IDLE)), None);
        // ICMP: the identifier is translated.
        let i = Header::icmp(h.src, h.dst, 8, 0, 77);
        let io = t.out(g, &i, nat_ip, 0, Some(NAT_IDLE), false).unwrap();
        assert_eq!(
            t.back(g, &io.reversed(), 1, Some(NAT_IDLE)),
            Some((h.src, 77))
        );
    }
}
