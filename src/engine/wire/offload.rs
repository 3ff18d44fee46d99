//! Segmentation and checksum offload: what a TAP opened with `IFF_VNET_HDR` says about each
//! frame in the `struct virtio_net_hdr` before it (10 bytes, native byte order as the legacy
//! TAP header is), decoded into [`Offload`] and encoded back for the receiving TAP.
//!
//! With offloads on, a namespace's kernel hands over *segments*: one TCP (TSO) or UDP (USO)
//! frame of up to 64 KiB standing for many wire packets of `gso_size` payload bytes each, with
//! the L4 checksum left partial (`CHECKSUM_PARTIAL`: the field holds the folded pseudo-header
//! sum, and whoever finally sends or accepts the packet sums from `csum_start` and stores the
//! complement at `csum_start + csum_offset`). The engine decides and rewrites a segment once
//! and passes the header on, so the receiving kernel accepts the segment whole (as GRO would
//! have built it) or segments it itself.

use super::checksum::ones_sum;
use super::Bad;

/// Bytes of the virtio-net header the TAPs are set to (`TUNSETVNETHDRSZ`, the legacy size).
pub const VNET_HDR_LEN: usize = 10;

/// `VIRTIO_NET_HDR_F_NEEDS_CSUM`: the L4 checksum is partial.
const F_NEEDS_CSUM: u8 = 1;
/// `VIRTIO_NET_HDR_F_DATA_VALID`: the checksum was verified already (receive side).
const F_DATA_VALID: u8 = 2;
/// `VIRTIO_NET_HDR_GSO_TCPV4`, `_UDP` (UFO, not supported), `_TCPV6`, `_UDP_L4` (USO),
/// `_ECN` (a flag bit).
const GSO_TCPV4: u8 = 1;
const GSO_TCPV6: u8 = 4;
const GSO_UDP_L4: u8 = 5;
const GSO_ECN: u8 = 0x80;

/// A partial L4 checksum, offsets from the start of the Ethernet frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsumPartial {
    /// Where summing starts (the L4 header).
    pub start: u16,
    /// Where the complement goes, from `start` (16 for TCP, 6 for UDP).
    pub offset: u16,
}

/// The kind of segmentation a segment asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GsoKind {
    /// TCP over IPv4 (TSO4).
    Tcp4,
    /// TCP over IPv6 (TSO6; the VPC model is IPv4, so such frames are unsupported).
    Tcp6,
    /// UDP, one datagram per `size` bytes (USO).
    Udp,
}

/// A segment standing for several wire packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gso {
    /// TCP or UDP.
    pub kind: GsoKind,
    /// Payload bytes per wire packet (the MSS for TCP).
    pub size: u16,
    /// Ethernet + IP + L4 header bytes, as the sender gave them (a hint to the receiver).
    pub hdr_len: u16,
    /// The ECN bit of `gso_type` (TSO with CWR handling).
    pub ecn: bool,
}

/// What the offload header says about one frame; [`Offload::NONE`] for an ordinary frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offload {
    /// The L4 checksum is partial and must be completed downstream.
    pub csum: Option<CsumPartial>,
    /// The frame is a segment of several wire packets.
    pub gso: Option<Gso>,
    /// The sender already verified the checksum (`DATA_VALID`).
    pub data_valid: bool,
}

impl Offload {
    /// An ordinary frame: complete checksums, one wire packet.
    pub const NONE: Offload = Offload {
        csum: None,
        gso: None,
        data_valid: false,
    };

    /// True for an ordinary frame.
    pub fn is_none(&self) -> bool {
        *self == Offload::NONE
    }

    /// Decodes a virtio-net header. UFO (deprecated) and unknown GSO types are unsupported; a
    /// short header is malformed.
    pub fn decode(h: &[u8]) -> Result<Offload, Bad> {
        let h: &[u8; VNET_HDR_LEN] = h
            .get(..VNET_HDR_LEN)
            .and_then(|b| b.try_into().ok())
            .ok_or(Bad::Malformed)?;
        let u16_at = |i: usize| u16::from_ne_bytes([h[i], h[i + 1]]);
        let csum = (h[0] & F_NEEDS_CSUM != 0).then(|| CsumPartial {
            start: u16_at(6),
            offset: u16_at(8),
        });
        let kind = match h[1] & !GSO_ECN {
            0 => None,
            GSO_TCPV4 => Some(GsoKind::Tcp4),
            GSO_TCPV6 => Some(GsoKind::Tcp6),
            GSO_UDP_L4 => Some(GsoKind::Udp),
            _ => return Err(Bad::Unsupported),
        };
        let gso = kind.map(|kind| Gso {
            kind,
            size: u16_at(4),
            hdr_len: u16_at(2),
            ecn: h[1] & GSO_ECN != 0,
        });
        Ok(Offload {
            csum,
            gso,
            data_valid: h[0] & F_DATA_VALID != 0,
        })
    }

    /// The virtio-net header for this frame.
    pub fn encode(&self) -> [u8; VNET_HDR_LEN] {
        let mut h = [0u8; VNET_HDR_LEN];
        if let Some(c) = self.csum {
            h[0] |= F_NEEDS_CSUM;
            h[6..8].copy_from_slice(&c.start.to_ne_bytes());
            h[8..10].copy_from_slice(&c.offset.to_ne_bytes());
        }
        if self.data_valid {
            h[0] |= F_DATA_VALID;
        }
        if let Some(g) = self.gso {
            h[1] = match g.kind {
                GsoKind::Tcp4 => GSO_TCPV4,
                GsoKind::Tcp6 => GSO_TCPV6,
                GsoKind::Udp => GSO_UDP_L4,
            } | if g.ecn { GSO_ECN } else { 0 };
            h[2..4].copy_from_slice(&g.hdr_len.to_ne_bytes());
            h[4..6].copy_from_slice(&g.size.to_ne_bytes());
        }
        h
    }
}

/// Completes a partial checksum in software (for a receiver that takes no offloads, and for
/// captures): sums `frame` from `start` to its end, the partial value included, and stores the
/// complement. False, with the frame untouched, when the offsets fall outside the frame.
/// `end` is where the datagram ends (Ethernet padding is not summed).
pub fn complete_checksum(frame: &mut [u8], c: CsumPartial, end: usize) -> bool {
    let (s, at) = (
        usize::from(c.start),
        usize::from(c.start) + usize::from(c.offset),
    );
    if end > frame.len() || at + 2 > end || s > at {
        return false;
    }
    let mut sum = !ones_sum(&frame[s..end]);
    if c.offset == 6 && sum == 0 {
        // UDP sends a computed 0 as all ones (0 means "no checksum").
        sum = 0xffff;
    }
    frame[at..at + 2].copy_from_slice(&sum.to_be_bytes());
    true
}
