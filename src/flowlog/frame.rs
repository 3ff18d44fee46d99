//! A stand-in Ethernet frame for an event that carries no frame bytes: Ethernet, IPv4 and the
//! TCP/UDP/ICMP header rebuilt from the event's header, without payload. The IPv4 total length
//! keeps the real size, so Wireshark shows the packet as "limited during capture". The engine
//! attaches real frames when `Sinks::wants_frames()` is true; this is the fallback.

use crate::engine::PacketEvent;
use crate::model::proto;
use crate::model::Mac;
use crate::policy::Direction;

/// Builds the headers-only frame of `ev`. `eni_mac` is the ENI's MAC, `router_mac` the VPC
/// router's (the other side of the link).
pub fn synthesize(ev: &PacketEvent, eni_mac: Mac, router_mac: Mac) -> Vec<u8> {
    let h = &ev.header;
    let (smac, dmac) = match ev.direction {
        Direction::Inbound => (router_mac, eni_mac),
        Direction::Outbound => (eni_mac, router_mac),
    };
    let mut f = Vec::with_capacity(14 + 20 + 20);
    f.extend_from_slice(&dmac);
    f.extend_from_slice(&smac);
    f.extend_from_slice(&[0x08, 0x00]);
    let ip_start = f.len();
    let total = (ev.bytes.clamp(20, 65535)) as u16;
    f.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        h.proto,
        0,
        0,
    ]);
    f.extend_from_slice(&h.src.octets());
    f.extend_from_slice(&h.dst.octets());
    let sum = checksum(&f[ip_start..]);
    f[ip_start + 10..ip_start + 12].copy_from_slice(&sum.to_be_bytes());
    match h.proto {
        proto::TCP => {
            f.extend_from_slice(&h.sport.to_be_bytes());
            f.extend_from_slice(&h.dport.to_be_bytes());
            f.extend_from_slice(&[0; 8]); // seq, ack
            f.extend_from_slice(&[0x50, ev.tcp_flags.bits(), 0xff, 0xff, 0, 0, 0, 0]);
        }
        proto::UDP => {
            let len = total.saturating_sub(20);
            f.extend_from_slice(&h.sport.to_be_bytes());
            f.extend_from_slice(&h.dport.to_be_bytes());
            f.extend_from_slice(&len.to_be_bytes());
            f.extend_from_slice(&[0, 0]);
        }
        proto::ICMP => {
            f.extend_from_slice(&[h.icmp_type(), h.icmp_code(), 0, 0]);
            f.extend_from_slice(&h.sport.to_be_bytes());
            f.extend_from_slice(&[0, 0]);
        }
        _ => {}
    }
    f
}

/// The Internet checksum of `data`.
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], 0])
        };
        sum += w as u32;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ip_checksum_verifies() {
        let hdr = [
            0x45, 0, 0, 0x3c, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let s = super::checksum(&hdr);
        let mut h = hdr;
        h[10..12].copy_from_slice(&s.to_be_bytes());
        assert_eq!(super::checksum(&h), 0);
    }
}
