//! Flow-log definitions as the model resolves them from `flow_logs:`: the ENIs each one
//! covers, its traffic type, output format and aggregation interval. `flowlog::Sinks` builds
//! its writers from these.

use super::ids::EniId;

/// One `flow_logs:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowLog {
    /// The resource as written (`vpc:main`, `subnet:main/a`, `instance:web`).
    pub resource: String,
    /// The ENIs it covers, in model order (see `Network::resource_enis`).
    pub enis: Vec<EniId>,
    /// Which records it keeps (AWS's `TrafficType`; `ALL` when not written).
    pub traffic: Traffic,
    /// Output format (`aws` when not written).
    pub format: Format,
    /// Output path as written, trimmed (relative to the topology file's folder).
    pub path: String,
    /// Aggregation interval in seconds (600 when not written; 1..3600).
    pub aggregation_interval: u64,
    /// Custom record fields as written (None: the default version-2 format).
    pub fields: Option<Vec<String>>,
}

/// Which records a definition keeps (AWS `TrafficType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Traffic {
    /// `ACCEPT`: only records of accepted traffic.
    Accept,
    /// `REJECT`: only records of rejected traffic.
    Reject,
    /// `ALL`: accepted and rejected.
    All,
}

impl Traffic {
    /// Parses AWS's `ACCEPT`, `REJECT`, `ALL` (upper case only); None for anything else.
    pub fn parse(s: &str) -> Option<Traffic> {
        match s {
            "ACCEPT" => Some(Traffic::Accept),
            "REJECT" => Some(Traffic::Reject),
            "ALL" => Some(Traffic::All),
            _ => None,
        }
    }
}

/// A flow log's output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// AWS flow-log records, one text line each (default or custom fields).
    Aws,
    /// Classic pcap (nanosecond timestamps).
    Pcap,
    /// pcapng, one interface per ENI, a verdict comment per packet.
    PcapNg,
}

impl Format {
    /// Parses `aws`, `pcap`, `pcapng` (lower case only); None for anything else.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "aws" => Some(Format::Aws),
            "pcap" => Some(Format::Pcap),
            "pcapng" => Some(Format::PcapNg),
            _ => None,
        }
    }
}
