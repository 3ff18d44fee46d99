//! What an MTU smaller than a packet makes: IPv4 fragments of a datagram sent without DF, and
//! the ICMP "fragmentation needed" (type 3 code 4, RFC 1191) for one sent with DF.

use super::build::build;
use super::checksum::ones_sum;
use super::{Tcp, ETH_LEN, IP_LEN};
use crate::model::Mac;
use crate::policy::Header;
use std::net::Ipv4Addr;

/// Splits the IPv4 datagram of an Ethernet `frame` (no IP options, checksums complete) into
/// frames whose IP total length is at most `mtu`, each payload a multiple of 8 bytes except
/// the last; a fragment is split again keeping its offset and its MF flag on the last piece.
/// A datagram that already fits, or a frame too short to be one, comes back whole; an `mtu`
/// below 28 (RFC 791's minimum is 68) is taken as 28.
pub fn fragment(frame: &[u8], mtu: u16) -> Vec<Vec<u8>> {
    let Some(&[a, b]) = frame.get(ETH_LEN + 2..ETH_LEN + 4) else {
        return vec![frame.to_vec()];
    };
    let total = usize::from(u16::from_be_bytes([a, b]));
    if total <= usize::from(mtu) || total < IP_LEN || ETH_LEN + total > frame.len() {
        return vec![frame.to_vec()];
    }
    let head = &frame[..ETH_LEN + IP_LEN];
    let flags = u16::from_be_bytes([frame[ETH_LEN + 6], frame[ETH_LEN + 7]]);
    let (more, offset) = (flags & 0x2000 != 0, flags & 0x1fff);
    let payload = &frame[ETH_LEN + IP_LEN..ETH_LEN + total];
    let step = ((usize::from(mtu.max(28)) - IP_LEN) / 8) * 8;
    let mut out = Vec::with_capacity(payload.len().div_ceil(step));
    for (i, chunk) in payload.chunks(step).enumerate() {
        let last = (i + 1) * step >= payload.len();
        let mut f = Vec::with_capacity(head.len() + chunk.len());
        f.extend_from_slice(head);
        f.extend_from_slice(chunk);
        let ip = &mut f[ETH_LEN..];
        ip[2..4].copy_from_slice(&((IP_LEN + chunk.len()) as u16).to_be_bytes());
        let off = offset + (i * step / 8) as u16;
        let mf = if !last || more { 0x2000 } else { 0 };
        ip[6..8].copy_from_slice(&(mf | (off & 0x1fff)).to_be_bytes());
        ip[10..12].copy_from_slice(&[0, 0]);
        let c = !ones_sum(&ip[..IP_LEN]);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        out.push(f);
    }
    out
}

/// An ICMP "fragmentation needed and DF set" from `src` to `dst` saying the next hop takes
/// `mtu` bytes, quoting the IP header and first 8 bytes of the datagram in `frame` (what
/// RFC 792 requires, and what the sender's kernel matches against its socket).
#[must_use]
pub fn frag_needed(
    src_mac: Mac,
    dst_mac: Mac,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    mtu: u16,
    frame: &[u8],
) -> Vec<u8> {
    let quote = super::ip_prefix(frame, 8);
    let h = Header::icmp(src, dst, 3, 4, 0);
    let mut f = build(src_mac, dst_mac, &h, Tcp::default(), 0, quote);
    let icmp = ETH_LEN + IP_LEN;
    f[icmp + 6..icmp + 8].copy_from_slice(&mtu.to_be_bytes());
    f[icmp + 2..icmp + 4].copy_from_slice(&[0, 0]);
    let c = !ones_sum(&f[icmp..]);
    f[icmp + 2..icmp + 4].copy_from_slice(&c.to_be_bytes());
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::{parse, Frame};

    fn udp(len: usize, df: bool) -> Vec<u8> {
        let h = Header::l4(
            "10.0.0.4".parse().unwrap(),
            "198.51.100.10".parse().unwrap(),
            17,
            4000,
            53,
        );
        let body: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut f = build([2; 6], [4; 6], &h, Tcp::default(), 0, &body);
        if !df {
            f[ETH_LEN + 6] &= !0x40;
            f[ETH_LEN + 10..ETH_LEN + 12].copy_from_slice(&[0, 0]);
            let c = !ones_sum(&f[ETH_LEN..ETH_LEN + IP_LEN]);
            f[ETH_LEN + 10..ETH_LEN + 12].copy_from_slice(&c.to_be_bytes());
        }
        f
    }

    /// 8,000 bytes of UDP at 1500: six fragments of at most 1500 bytes whose payloads, in
    /// order, are the datagram's; every header checksum valid; MF on all but the last;
    /// splitting a middle fragment again keeps its offset and MF.
    #[test]
    fn fragments_cover_the_datagram() {
        let f = udp(8000, false);
        let parts = fragment(&f, 1500);
        assert_eq!(parts.len(), 6);
        let mut body = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            let Ok(Frame::Ip(ip)) = parse(p) else {
                panic!("fragment {i} parses")
            };
            assert!(ip.len <= 1500);
            let fl = u16::from_be_bytes([p[ETH_LEN + 6], p[ETH_LEN + 7]]);
            assert_eq!(fl & 0x1fff, (body.len() / 8) as u16, "offset of {i}");
            assert_eq!(fl & 0x2000 != 0, i < 5, "MF of {i}");
            body.extend_from_slice(&p[ETH_LEN + IP_LEN..]);
        }
        assert_eq!(body, f[ETH_LEN + IP_LEN..]);
        let again = fragment(&parts[1], 600);
        let fl = |p: &Vec<u8>| u16::from_be_bytes([p[ETH_LEN + 6], p[ETH_LEN + 7]]);
        assert_eq!(fl(&again[0]) & 0x1fff, 185);
        assert!(again.iter().all(|p| fl(p) & 0x2000 != 0));
        assert_eq!(fragment(&f, 9001), vec![f.clone()], "fits: unchanged");
    }

    /// The ICMP parses as type 3 code 4 quoting the datagram's header, MTU in bytes 6-7.
    #[test]
    fn frag_needed_quotes_the_datagram() {
        let f = udp(3000, true);
        let (a, b) = (
            "198.51.100.10".parse().unwrap(),
            "10.0.0.4".parse().unwrap(),
        );
        let m = frag_needed([1; 6], [2; 6], a, b, 1500, &f);
        let Ok(Frame::Ip(ip)) = parse(&m) else {
            panic!("ICMP parses")
        };
        assert_eq!((ip.header.icmp_type(), ip.header.icmp_code()), (3, 4));
        assert_eq!(ip.inner.map(|i| i.dport), Some(53));
        assert_eq!(
            &m[ETH_LEN + IP_LEN + 6..ETH_LEN + IP_LEN + 8],
            &1500u16.to_be_bytes()
        );
    }
}
