//! Pure decisions with provenance (rank 2, `policy`: above `model`, below the engine and the
//! analyzer): route lookup, NACL and SG evaluation (and, in `path`, the walk that chains them for
//! one packet). No state, no I/O. Every function returns the verdict *and* the component and
//! rule that decided it, so the engine, the analyzer, flow logs and labs explain a packet's fate
//! the same way.

pub mod code;
pub mod compiled;
mod decision;
mod header;
mod header6;
pub mod ipv6;
pub mod nacl;
pub mod path;
pub mod route;
pub mod sg;
pub mod traffic_path;

pub use code::ExplanationCode;
pub use decision::{ComponentKind, Decision, Direction, RuleId, Verdict};
pub use header::Header;
pub use header6::{Header6, IpHeader, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST};
pub use traffic_path::TrafficPath;
