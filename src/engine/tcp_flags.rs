//! TCP header flags as a named type, for packet events, flow logs and the engine's new-flow
//! test. The wire parser still reads a byte (`wire::IpPacket::tcp_flags`); this type gives that
//! byte its meaning.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// The flag bits of a TCP header (byte 13), 0 for a packet that is not TCP. Serialises as the
/// number (`18` for SYN-ACK), as flow logs and the control socket write it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TcpFlags(u8);

impl TcpFlags {
    /// No flag (also the value for non-TCP packets).
    pub const NONE: TcpFlags = TcpFlags(0);
    /// FIN (1).
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// SYN (2).
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// RST (4).
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// PSH (8).
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// ACK (16).
    pub const ACK: TcpFlags = TcpFlags(0x10);
    /// URG (32).
    pub const URG: TcpFlags = TcpFlags(0x20);

    /// The flags of a header byte, as read off the wire (every bit kept).
    pub const fn from_bits(b: u8) -> TcpFlags {
        TcpFlags(b)
    }

    /// The byte.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// True when every flag of `other` is set.
    pub const fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// True for the first packet of a TCP handshake: SYN without ACK.
    pub const fn is_initial_syn(self) -> bool {
        self.0 & (Self::SYN.0 | Self::ACK.0) == Self::SYN.0
    }
}

impl BitOr for TcpFlags {
    type Output = TcpFlags;
    fn bitor(self, o: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | o.0)
    }
}

impl BitOrAssign for TcpFlags {
    fn bitor_assign(&mut self, o: TcpFlags) {
        self.0 |= o.0;
    }
}

impl fmt::Display for TcpFlags {
    /// The number, as a flow-log record writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_syn_is_syn_without_ack() {
        assert!(TcpFlags::SYN.is_initial_syn());
        assert!((TcpFlags::SYN | TcpFlags::PSH).is_initial_syn());
        assert!(!(TcpFlags::SYN | TcpFlags::ACK).is_initial_syn());
        assert!(!TcpFlags::ACK.is_initial_syn());
    }

    #[test]
    fn serialises_as_the_number() {
        let f = TcpFlags::SYN | TcpFlags::ACK;
        assert_eq!(serde_json::to_string(&f).unwrap(), "18");
        assert_eq!(serde_json::from_str::<TcpFlags>("18").unwrap(), f);
        assert_eq!(f.to_string(), "18");
    }
}
