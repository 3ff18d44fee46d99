//! `vpclab flows FILE [--action REJECT] [--eni NAME] [--json]`: summarise AWS-format flow-log
//! records like a Logs Insights query (totals, top talkers, rejected flows, per-ENI counts).

use super::common::{print_json, CmdResult, Fail, EXIT_OK};
use super::FlowsArgs;
use vpclab::flowlog::read::{summarize, Filter, Summary};
use vpclab::topology::input::{read_bounded, InputError};

/// Largest flow-log file `flows` reads (bytes): the summary holds the whole text, so a larger
/// file (or an endless one) is refused before it is read.
const MAX_FLOW_LOG_BYTES: u64 = 128 * 1024 * 1024;

/// Runs `flows`.
pub fn run(a: &FlowsArgs) -> CmdResult {
    if let Some(act) = &a.action {
        if !act.eq_ignore_ascii_case("ACCEPT") && !act.eq_ignore_ascii_case("REJECT") {
            return Err(Fail::input(format!(
                "--action `{act}` is not ACCEPT or REJECT"
            )));
        }
    }
    let hint = "hint: give a file of AWS flow-log records (format: aws)";
    let bytes = read_bounded(&a.file, MAX_FLOW_LOG_BYTES).map_err(|e| match e {
        InputError::Io(p, e) => Fail::input(format!("cannot read {}: {e}\n  {hint}", p.display())),
        e => Fail::input(format!("{e}\n  {hint}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Fail::input(format!(
            "cannot read {}: stream did not contain valid UTF-8\n  {hint}",
            a.file.display()
        ))
    })?;
    let s = summarize(
        &text,
        &Filter {
            action: a.action.clone(),
            eni: a.eni.clone(),
        },
    );
    if a.json {
        print_json(&s)?;
    } else {
        print!("{}", render(&s));
    }
    Ok(EXIT_OK)
}

/// The human-readable report.
pub fn render(s: &Summary) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} records: {} ACCEPT, {} REJECT; {} packets, {} bytes",
        s.records, s.accepted, s.rejected, s.packets, s.bytes
    );
    if s.skip_data > 0 {
        let _ = writeln!(
            o,
            "{} SKIPDATA records: flows were lost to the aggregation limit",
            s.skip_data
        );
    }
    if s.unparsed > 0 {
        let _ = writeln!(
            o,
            "{} lines were not records of this file's format",
            s.unparsed
        );
    }
    // Address columns fit the longest address (IPv6 text is up to 39 characters).
    let w = s
        .top_talkers
        .iter()
        .flat_map(|t| [t.srcaddr.len(), t.dstaddr.len()])
        .chain(
            s.rejected_flows
                .iter()
                .flat_map(|r| [r.srcaddr.len(), r.dstaddr.len()]),
        )
        .fold(16, usize::max);
    if !s.top_talkers.is_empty() {
        let _ = writeln!(o, "\nTop talkers (bytes):");
        let _ = writeln!(
            o,
            "  {:<w$} {:<w$} {:>10} {:>12}",
            "srcaddr", "dstaddr", "packets", "bytes"
        );
        for t in &s.top_talkers {
            let _ = writeln!(
                o,
                "  {:<w$} {:<w$} {:>10} {:>12}",
                t.srcaddr, t.dstaddr, t.packets, t.bytes
            );
        }
    }
    if !s.rejected_flows.is_empty() {
        let _ = writeln!(o, "\nRejected flows:");
        let _ = writeln!(
            o,
            "  {:<14} {:<w$} {:<w$} {:>7} {:>6} {:>8}",
            "interface-id", "srcaddr", "dstaddr", "dstport", "proto", "packets"
        );
        for r in &s.rejected_flows {
            let port = r
                .dstport
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into());
            let proto = r
                .protocol
                .map(vpclab::model::protocol_name)
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                o,
                "  {:<14} {:<w$} {:<w$} {:>7} {:>6} {:>8}",
                r.interface_id, r.srcaddr, r.dstaddr, port, proto, r.packets
            );
        }
    }
    if !s.enis.is_empty() {
        let _ = writeln!(o, "\nPer ENI:");
        let _ = writeln!(
            o,
            "  {:<14} {:>8} {:>10} {:>12} {:>8}",
            "interface-id", "records", "packets", "bytes", "rejected"
        );
        for e in &s.enis {
            let _ = writeln!(
                o,
                "  {:<14} {:>8} {:>10} {:>12} {:>8}",
                e.interface_id, e.records, e.packets, e.bytes, e.rejected
            );
        }
    }
    o
}
