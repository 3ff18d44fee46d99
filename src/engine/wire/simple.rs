//! The common case of [`super::parse_ip`] read at fixed offsets: an unfragmented IPv4
//! datagram without options carrying TCP or UDP, every check passing. It answers only when the
//! general parser would accept the datagram and then gives the same [`Ip`]; anything else
//! (options, fragments, other protocols, any length or checksum that does not check out) is
//! None and goes to the general parser, which says why. Every index is inside a length checked
//! just before it.

use super::checksum;
use super::{Ip, IP_LEN};
use crate::model::proto;
use crate::policy::Header;
use std::net::Ipv4Addr;

/// The [`Ip`] of `buf` (an IPv4 datagram and whatever follows it in the frame) when it is the
/// simple case described above; `partial`: the TCP or UDP checksum is left unverified
/// (offloads: it holds only the pseudo-header sum).
#[inline]
pub(super) fn parse(buf: &[u8], partial: bool) -> Option<Ip> {
    let h: &[u8; IP_LEN] = buf.get(..IP_LEN)?.try_into().ok()?;
    // Version 4, no options; neither more fragments nor an offset.
    if h[0] != 0x45 || u16::from_be_bytes([h[6], h[7]]) & 0x3fff != 0 {
        return None;
    }
    let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
    if total < IP_LEN || total > buf.len() || !checksum::valid(h) {
        return None;
    }
    let p = h[9];
    let src = Ipv4Addr::new(h[12], h[13], h[14], h[15]);
    let dst = Ipv4Addr::new(h[16], h[17], h[18], h[19]);
    let l4 = &buf[IP_LEN..total];
    let port = |at: usize| u16::from_be_bytes([l4[at], l4[at + 1]]);
    let (tcp_flags, l4_hlen) = match p {
        proto::TCP => {
            // smoltcp's `TcpPacket::check_len`: a whole header, its data offset inside.
            if l4.len() < 20 {
                return None;
            }
            let hlen = usize::from(l4[12] >> 4) * 4;
            if hlen < 20 || hlen > l4.len() || !partial && !checksum::valid_l4(src, dst, p, l4) {
                return None;
            }
            (l4[13] & 0x3f, hlen as u8)
        }
        proto::UDP => {
            // `UdpPacket::check_len`: the UDP length at least a header, inside the payload.
            if l4.len() < 8 {
                return None;
            }
            let len = usize::from(port(4));
            if len < 8 || len > l4.len() {
                return None;
            }
            if !partial && port(6) != 0 && !checksum::valid_l4(src, dst, p, &l4[..len]) {
                return None;
            }
            (0, 8)
        }
        _ => return None,
    };
    Some(Ip {
        header: Header::l4(src, dst, p, port(0), port(2)),
        tcp_flags,
        len: total as u16,
        inner: None,
        frag: None,
        df: h[6] & 0x40 != 0,
        l4_hlen,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{build, parse_ip, Tcp};
    use crate::policy::Header;

    /// On every byte of valid TCP and UDP frames changed in turn (and on every cut), the
    /// simple parser either agrees with the general one or leaves the frame to it.
    #[test]
    fn agrees_with_the_general_parser_or_declines() {
        let (a, b) = ("10.0.0.4".parse().unwrap(), "10.0.1.9".parse().unwrap());
        let tcp = Tcp {
            flags: 0x18,
            seq: 7,
            ack: 9,
        };
        let frames = [
            build(
                [2; 6],
                [4; 6],
                &Header::l4(a, b, 6, 40000, 80),
                tcp,
                0,
                b"hello",
            ),
            build(
                [2; 6],
                [4; 6],
                &Header::l4(a, b, 17, 5353, 53),
                tcp,
                0,
                b"query!",
            ),
        ];
        let mut simple = 0;
        for f in &frames {
            let ip = &f[14..];
            for partial in [false, true] {
                let mut check = |buf: &[u8]| {
                    if let Some(s) = super::parse(buf, partial) {
                        simple += 1;
                        let g = super::super::parse_ip_with(buf, true, partial);
                        assert_eq!(g, Ok(s), "{buf:02x?}");
                    }
                };
                check(ip);
                for n in 0..ip.len() {
                    check(&ip[..n]);
                }
                for i in 0..ip.len() {
                    for x in [0x01u8, 0x10, 0x80, 0xff] {
                        let mut m = ip.to_vec();
                        m[i] ^= x;
                        check(&m);
                    }
                }
            }
            assert!(
                super::parse(ip, false).is_some(),
                "a valid frame is the simple case"
            );
            assert_eq!(parse_ip(ip, true).ok(), super::parse(ip, false));
        }
        assert!(simple > 4);
    }
}
