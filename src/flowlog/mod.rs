//! Flow logs: AWS-format records aggregated per interval, pcap and pcapng with the verdict on
//! every packet, fed by the engine's `PacketEvent`s.
//!
//! - `Sinks::from_network` builds every `flow_logs:` definition of a topology; the caller feeds
//!   it with `record(&PacketEvent)`, drives time with `tick(now)` and ends with `finish()`.
//! - `aws::Aggregator` makes AWS records; `pcap` writes pcap and pcapng; `capture` serves
//!   `vpclab capture`; `read` parses records back for `vpclab flows`.

pub mod aws;
pub mod capture;
pub mod frame;
pub mod output;
pub mod pcap;
pub mod read;
pub mod scope;
pub mod sinks;

/// AWS flow-log field names and versions (defined with the file format, `topology`).
pub use crate::topology::flowlog_fields as fields;
pub use aws::Aggregator;
pub use fields::Field;
pub use sinks::Sinks;

use crate::policy::Verdict;

/// The fixed account id written in `account-id`.
pub const ACCOUNT_ID: &str = "123456789012";

/// A flow-log failure. I/O errors name the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing or creating a file failed (full disk, permissions, ...).
    #[error("cannot write flow log `{path}`: {source}")]
    Io {
        /// The file (or `stdout`).
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A definition cannot be used with this network (normally caught by validation).
    #[error("flow log: {0}")]
    Config(String),
}

/// Which records a definition keeps (AWS `TrafficType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Traffic {
    /// Accepted traffic only.
    Accept,
    /// Rejected traffic only.
    Reject,
    /// Both.
    All,
}

impl Traffic {
    /// Parses `ACCEPT`, `REJECT`, `ALL`.
    pub fn parse(s: &str) -> Option<Traffic> {
        match s {
            "ACCEPT" => Some(Traffic::Accept),
            "REJECT" => Some(Traffic::Reject),
            "ALL" => Some(Traffic::All),
            _ => None,
        }
    }
    /// True when a packet with this verdict is kept.
    pub fn keeps(self, v: Verdict) -> bool {
        matches!(
            (self, v),
            (Traffic::All, _)
                | (Traffic::Accept, Verdict::Accept)
                | (Traffic::Reject, Verdict::Reject)
        )
    }
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// AWS flow-log records.
    Aws,
    /// Classic pcap (nanosecond timestamps).
    Pcap,
    /// pcapng, one interface per ENI, a verdict comment per packet.
    PcapNg,
}

impl Format {
    /// Parses `aws`, `pcap`, `pcapng`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "aws" => Some(Format::Aws),
            "pcap" => Some(Format::Pcap),
            "pcapng" => Some(Format::PcapNg),
            _ => None,
        }
    }
}
