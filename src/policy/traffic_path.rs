//! The flow-log `traffic-path` field (part of `policy`, rank 2): which way an egress packet
//! leaves an ENI's VPC (reference §8). The walk decides it; flow logs and the control socket
//! write its number.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// AWS's `traffic-path` of an egress packet. Written as AWS's number (`1`..`8`) in flow-log
/// records and JSON; the walk produces `SameVpc`, `InternetGateway`, `VirtualPrivateGateway`,
/// `IntraRegionPeering`, `InterRegionPeering` (the peer VPC in another Region) and
/// `GatewayEndpoint`; the others complete AWS's list for records read from elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum TrafficPath {
    /// 1: through another resource in the same VPC (including same-subnet traffic).
    SameVpc = 1,
    /// 2: through an internet gateway or a gateway VPC endpoint.
    InternetGateway = 2,
    /// 3: through a virtual private gateway.
    VirtualPrivateGateway = 3,
    /// 4: through an intra-Region VPC peering connection.
    IntraRegionPeering = 4,
    /// 5: through an inter-Region VPC peering connection.
    InterRegionPeering = 5,
    /// 6: through a local gateway.
    LocalGateway = 6,
    /// 7: through a gateway VPC endpoint (Nitro instances only).
    GatewayEndpoint = 7,
    /// 8: through an internet gateway (Nitro instances only).
    InternetGatewayNitro = 8,
}

impl TrafficPath {
    /// AWS's number for this path, 1..=8.
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// The path with AWS's number `n`; None outside 1..=8.
    pub const fn from_number(n: u8) -> Option<TrafficPath> {
        use TrafficPath::*;
        Some(match n {
            1 => SameVpc,
            2 => InternetGateway,
            3 => VirtualPrivateGateway,
            4 => IntraRegionPeering,
            5 => InterRegionPeering,
            6 => LocalGateway,
            7 => GatewayEndpoint,
            8 => InternetGatewayNitro,
            _ => return None,
        })
    }
}

impl fmt::Display for TrafficPath {
    /// AWS's number, as a flow-log record writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

impl Serialize for TrafficPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

impl<'de> Deserialize<'de> for TrafficPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(d)?;
        TrafficPath::from_number(n)
            .ok_or_else(|| serde::de::Error::custom(format!("traffic-path {n} is not 1-8")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for n in 1..=8 {
            let p = TrafficPath::from_number(n).unwrap();
            assert_eq!(p.number(), n);
            assert_eq!(p.to_string(), n.to_string());
            let j = serde_json::to_string(&p).unwrap();
            assert_eq!(j, n.to_string());
            assert_eq!(serde_json::from_str::<TrafficPath>(&j).unwrap(), p);
        }
        assert_eq!(TrafficPath::from_number(0), None);
        assert_eq!(TrafficPath::from_number(9), None);
        assert!(serde_json::from_str::<TrafficPath>("9").is_err());
    }
}
