//! Flow logs: AWS records from packet events, pcap/pcapng opened by tshark, the `flows` command,
//! and the logs `probe FILE` writes.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod endpoints;
mod import_ids;
mod ipv6;
mod load_balancers;
mod peering;
mod records;
mod tshark;
mod user_files;
mod virt;
