//! AWS flow-log field names (versions 2 to 5) as a topology's `fields:` lists them, the
//! default version-2 format, and the `version` value of a custom format (the highest version
//! among its fields). Part of `topology` (rank 0) because validation checks `fields:`;
//! re-exported as `flowlog::fields`.

use std::fmt;

/// One AWS flow-log record field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `version`.
    Version,
    /// `account-id`.
    AccountId,
    /// `interface-id`.
    InterfaceId,
    /// `srcaddr`.
    SrcAddr,
    /// `dstaddr`.
    DstAddr,
    /// `srcport`.
    SrcPort,
    /// `dstport`.
    DstPort,
    /// `protocol`.
    Protocol,
    /// `packets`.
    Packets,
    /// `bytes`.
    Bytes,
    /// `start`.
    Start,
    /// `end`.
    End,
    /// `action`.
    Action,
    /// `log-status`.
    LogStatus,
    /// `vpc-id` (v3).
    VpcId,
    /// `subnet-id` (v3).
    SubnetId,
    /// `instance-id` (v3).
    InstanceId,
    /// `tcp-flags` (v3).
    TcpFlags,
    /// `type` (v3).
    Type,
    /// `pkt-srcaddr` (v3).
    PktSrcAddr,
    /// `pkt-dstaddr` (v3).
    PktDstAddr,
    /// `region` (v4).
    Region,
    /// `az-id` (v4).
    AzId,
    /// `sublocation-type` (v4).
    SublocationType,
    /// `sublocation-id` (v4).
    SublocationId,
    /// `pkt-src-aws-service` (v5).
    PktSrcAwsService,
    /// `pkt-dst-aws-service` (v5).
    PktDstAwsService,
    /// `flow-direction` (v5).
    FlowDirection,
    /// `traffic-path` (v5).
    TrafficPath,
}

/// Every known field with its AWS name and the version that introduced it, in AWS's order.
pub const ALL: [(Field, &str, u8); 29] = [
    (Field::Version, "version", 2),
    (Field::AccountId, "account-id", 2),
    (Field::InterfaceId, "interface-id", 2),
    (Field::SrcAddr, "srcaddr", 2),
    (Field::DstAddr, "dstaddr", 2),
    (Field::SrcPort, "srcport", 2),
    (Field::DstPort, "dstport", 2),
    (Field::Protocol, "protocol", 2),
    (Field::Packets, "packets", 2),
    (Field::Bytes, "bytes", 2),
    (Field::Start, "start", 2),
    (Field::End, "end", 2),
    (Field::Action, "action", 2),
    (Field::LogStatus, "log-status", 2),
    (Field::VpcId, "vpc-id", 3),
    (Field::SubnetId, "subnet-id", 3),
    (Field::InstanceId, "instance-id", 3),
    (Field::TcpFlags, "tcp-flags", 3),
    (Field::Type, "type", 3),
    (Field::PktSrcAddr, "pkt-srcaddr", 3),
    (Field::PktDstAddr, "pkt-dstaddr", 3),
    (Field::Region, "region", 4),
    (Field::AzId, "az-id", 4),
    (Field::SublocationType, "sublocation-type", 4),
    (Field::SublocationId, "sublocation-id", 4),
    (Field::PktSrcAwsService, "pkt-src-aws-service", 5),
    (Field::PktDstAwsService, "pkt-dst-aws-service", 5),
    (Field::FlowDirection, "flow-direction", 5),
    (Field::TrafficPath, "traffic-path", 5),
];

/// The default format: the 14 version-2 fields in AWS's order.
pub const DEFAULT_V2: [Field; 14] = [
    Field::Version,
    Field::AccountId,
    Field::InterfaceId,
    Field::SrcAddr,
    Field::DstAddr,
    Field::SrcPort,
    Field::DstPort,
    Field::Protocol,
    Field::Packets,
    Field::Bytes,
    Field::Start,
    Field::End,
    Field::Action,
    Field::LogStatus,
];

impl Field {
    /// Parses an AWS field name (`srcaddr`, `tcp-flags`, ...).
    pub fn parse(name: &str) -> Option<Field> {
        ALL.iter().find(|(_, n, _)| *n == name).map(|(f, _, _)| *f)
    }
    /// The AWS name.
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(f, _, _)| *f == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }
    /// The flow-log version that introduced the field.
    pub fn version(self) -> u8 {
        ALL.iter()
            .find(|(f, _, _)| *f == self)
            .map(|(_, _, v)| *v)
            .unwrap_or(2)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `version` value of a format: the highest version among its fields (2 at least).
pub fn format_version(fields: &[Field]) -> u8 {
    fields.iter().map(|f| f.version()).max().unwrap_or(2).max(2)
}

/// Every known field name, space-separated (for hints).
pub fn known_names() -> String {
    ALL.iter().map(|(_, n, _)| *n).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_versions() {
        for (f, n, v) in ALL {
            assert_eq!(Field::parse(n), Some(f));
            assert_eq!(f.name(), n);
            assert_eq!(f.version(), v);
        }
        assert_eq!(Field::parse("ecs-cluster-arn"), None);
        assert_eq!(format_version(&DEFAULT_V2), 2);
        assert_eq!(format_version(&[Field::SrcAddr, Field::TcpFlags]), 3);
        assert_eq!(format_version(&[Field::FlowDirection, Field::AzId]), 5);
    }
}
