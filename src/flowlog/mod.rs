//! Flow logs: AWS-format records aggregated per interval, pcap and pcapng with the verdict on
//! every packet, fed by the engine's `PacketEvent`s.
//!
//! Rank 4 (beside `reach` and `dns`): of the engine it uses only the event types
//! (`PacketEvent`, `TcpFlags`, `Nanos`); the netns daemon and the virtual backend feed it.
//!
//! - `Sinks::from_network` builds every flow-log definition of the model
//!   (`Network::flow_logs`); the caller feeds it with `record(&PacketEvent)`, drives time with
//!   `tick(now)` and ends with `finish()`.
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

/// The account id written in `account-id` for a VPC that names none (records carry the
/// VPC's `account`).
pub const ACCOUNT_ID: &str = crate::model::DEFAULT_ACCOUNT;

/// A flow-log failure. I/O errors name the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing or creating a file failed (full disk, permissions, ...).
    #[error("cannot write flow log `{path}`: {source}")]
    Io {
        /// The file's path as given (or `stdout`).
        path: String,
        /// The I/O error the operating system returned.
        source: std::io::Error,
    },
    /// A definition cannot be used with this network (normally caught by validation).
    #[error("flow log: {0}")]
    Config(String),
}

pub use crate::model::flow_logs::{Format, Traffic};

impl Traffic {
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
