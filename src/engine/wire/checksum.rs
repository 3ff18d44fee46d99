//! Internet checksums (RFC 1071) for the per-packet path: verification summing 64-bit words
//! (the same one's-complement value as smoltcp's 16-bit loop, in a quarter of the additions), and
//! RFC 1624 incremental updates for in-place rewrites.

use std::net::Ipv4Addr;

/// The one's-complement sum of `b` (an odd last byte padded with zero), folded to 16 bits.
/// Summing big-endian 32-bit words is the same sum modulo 0xffff, since 2^16 ≡ 1.
pub(super) fn ones_sum(b: &[u8]) -> u16 {
    fold(raw_sum(b))
}

/// The sum of `b`'s big-endian 64-bit words (and the tail's 32- and 16-bit words), partly
/// folded: below 2^34, so that callers can add a few more words without overflow. Summing
/// 64-bit words is the same one's-complement sum modulo 0xffff, since 2^16 ≡ 1.
fn raw_sum(b: &[u8]) -> u64 {
    let mut acc = 0u128;
    let mut words = b.chunks_exact(8);
    for c in &mut words {
        acc += u128::from(u64::from_be_bytes([
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
        ]));
    }
    // At most 2^61 words of 2^64: the high half is small; 2^64 ≡ 1 as well.
    let (lo, carry) = (acc as u64).overflowing_add((acc >> 64) as u64);
    let s = lo + u64::from(carry);
    let mut s = (s & 0xffff_ffff) + (s >> 32);
    let mut rest = words.remainder();
    if let [a, b, c, d, tail @ ..] = rest {
        s += u64::from(u32::from_be_bytes([*a, *b, *c, *d]));
        rest = tail;
    }
    match *rest {
        [a, b, c] => s + u64::from(u16::from_be_bytes([a, b])) + (u64::from(c) << 8),
        [a, b] => s + u64::from(u16::from_be_bytes([a, b])),
        [a] => s + (u64::from(a) << 8),
        _ => s,
    }
}

fn fold(mut s: u64) -> u16 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u16
}

/// True when `b` (a header or ICMP message, checksum included) sums to all ones.
pub(super) fn valid(b: &[u8]) -> bool {
    ones_sum(b) == 0xffff
}

/// True when a TCP or UDP segment `seg` (checksum included) is valid with the IPv4
/// pseudo-header of `src`, `dst`, `proto` and `seg`'s length.
pub(super) fn valid_l4(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, seg: &[u8]) -> bool {
    let pseudo = u64::from(src.to_bits())
        + u64::from(dst.to_bits())
        + u64::from(proto)
        + (seg.len() as u64 & 0xffff);
    fold(pseudo + raw_sum(seg)) == 0xffff
}

/// RFC 1624 incremental update (eqn. 3) of checksum `old` after the 16-bit words `from` became
/// `to`. Words that did not change are skipped, so a rewrite that changes nothing leaves the
/// checksum exactly as it was; over a checksum that was valid the result is bit for bit what a
/// full recomputation gives.
pub(super) fn adjust(old: u16, from: &[u16], to: &[u16]) -> u16 {
    let mut sum = u32::from(!old);
    for (f, t) in from.iter().zip(to) {
        if f != t {
            sum += u32::from(!*f) + u32::from(*t);
        }
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 64-bit sum is smoltcp's 16-bit one, odd lengths and every tail included.
    #[test]
    fn same_sum_as_smoltcp() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
        for n in 0..data.len() {
            let b = &data[..n];
            assert_eq!(ones_sum(b), smoltcp::wire::checksum::data(b), "{n} bytes");
        }
        // All ones: every addition carries.
        let ones = vec![0xffu8; 9000];
        for n in (0..64).chain([1500, 8999, 9000]) {
            let b = &ones[..n];
            assert_eq!(
                ones_sum(b),
                smoltcp::wire::checksum::data(b),
                "{n} bytes of 0xff"
            );
        }
    }
}
