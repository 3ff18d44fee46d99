//! Reading AWS flow-log records back (`vpclab flows`) and summarising them like a Logs Insights
//! query: totals, top talkers by bytes, rejected flows, per-ENI counts. Part of `flowlog`
//! (rank 4); pure text in, `Summary` out.
//!
//! Format detection: a line `# fields: f1 f2 ...` (written by vpclab for custom formats) or a
//! bare line of field names (the header of AWS's S3 files) sets the field order for the lines
//! after it; without one, lines are read as the 14 default version-2 fields. Other `#` lines and
//! blank lines are skipped; lines that do not fit the format are counted as `unparsed`.

use super::fields::{Field, DEFAULT_V2};
use serde::Serialize;
use std::collections::HashMap;

/// One record, with the fields present in its format (missing or `-` → None).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// AWS's `interface-id` (`eni-web`).
    pub interface_id: Option<String>,
    /// AWS's `srcaddr`, as written (not parsed as an address).
    pub srcaddr: Option<String>,
    /// AWS's `dstaddr`, as written.
    pub dstaddr: Option<String>,
    /// AWS's `srcport`.
    pub srcport: Option<u16>,
    /// AWS's `dstport`.
    pub dstport: Option<u16>,
    /// AWS's `protocol` (IANA number).
    pub protocol: Option<u8>,
    /// AWS's `packets`; 0 when absent or `-`.
    pub packets: u64,
    /// AWS's `bytes`; 0 when absent or `-`.
    pub bytes: u64,
    /// AWS's `action`: `ACCEPT` or `REJECT`.
    pub action: Option<String>,
    /// AWS's `log-status`: `OK`, `NODATA` or `SKIPDATA`.
    pub log_status: Option<String>,
}

/// Filters of `vpclab flows`; a None field keeps every record.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this action (`ACCEPT` / `REJECT`, any case).
    pub action: Option<String>,
    /// Only this ENI: an interface id (`eni-web`) or the owner's name (`web`, read as `eni-web`).
    pub eni: Option<String>,
}

impl Filter {
    fn keeps(&self, r: &Record) -> bool {
        if let Some(a) = &self.action {
            if !r
                .action
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(a))
            {
                return false;
            }
        }
        if let Some(e) = &self.eni {
            let want = crate::model::aws_id("eni", e);
            if r.interface_id.as_deref() != Some(want.as_str()) {
                return false;
            }
        }
        true
    }
}

/// Parses a whole file's text into records; returns them and the number of unparsed lines.
pub fn parse(text: &str) -> (Vec<Record>, u64) {
    let mut fields: Vec<Field> = DEFAULT_V2.to_vec();
    let mut out = Vec::new();
    let mut bad = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            if let Some(list) = rest.trim().strip_prefix("fields:") {
                let parsed: Option<Vec<Field>> =
                    list.split_whitespace().map(Field::parse).collect();
                match parsed {
                    Some(f) if !f.is_empty() => fields = f,
                    _ => bad += 1,
                }
            }
            continue;
        }
        // Files delivered to S3 start with a bare header line of field names.
        let names: Option<Vec<Field>> = line.split_whitespace().map(Field::parse).collect();
        if let Some(f) = names {
            fields = f;
            continue;
        }
        match parse_line(&fields, line) {
            Some(r) => out.push(r),
            None => bad += 1,
        }
    }
    (out, bad)
}

fn parse_line(fields: &[Field], line: &str) -> Option<Record> {
    let vals: Vec<&str> = line.split_whitespace().collect();
    if vals.len() != fields.len() {
        return None;
    }
    let mut r = Record::default();
    let s = |v: &str| (v != "-").then(|| v.to_string());
    for (f, v) in fields.iter().zip(vals) {
        let dash = v == "-";
        match f {
            Field::InterfaceId => r.interface_id = s(v),
            Field::SrcAddr => r.srcaddr = s(v),
            Field::DstAddr => r.dstaddr = s(v),
            Field::SrcPort if !dash => r.srcport = Some(v.parse().ok()?),
            Field::DstPort if !dash => r.dstport = Some(v.parse().ok()?),
            Field::Protocol if !dash => r.protocol = Some(v.parse().ok()?),
            Field::Packets if !dash => r.packets = v.parse().ok()?,
            Field::Bytes if !dash => r.bytes = v.parse().ok()?,
            Field::Action => r.action = s(v),
            Field::LogStatus => r.log_status = s(v),
            _ => {}
        }
    }
    Some(r)
}

/// Traffic from one address to another, over every record between them.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Talker {
    /// Source address (`-` when the records have none).
    pub srcaddr: String,
    /// Destination address (`-` when the records have none).
    pub dstaddr: String,
    /// Number of records merged.
    pub records: u64,
    /// Packets, summed.
    pub packets: u64,
    /// Bytes, summed.
    pub bytes: u64,
}

/// A rejected flow (records with the same ENI, addresses, port and protocol merged).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Rejected {
    /// AWS's `interface-id` (`-` when absent).
    pub interface_id: String,
    /// Source address.
    pub srcaddr: String,
    /// Destination address.
    pub dstaddr: String,
    /// Destination port; None when the format has none or it is `-`.
    pub dstport: Option<u16>,
    /// IANA protocol number; None when the format has none or it is `-`.
    pub protocol: Option<u8>,
    /// Number of records merged.
    pub records: u64,
    /// Packets, summed.
    pub packets: u64,
}

/// Counts for one ENI, over the records the filters keep.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EniCount {
    /// AWS's `interface-id` (`-` for records without one).
    pub interface_id: String,
    /// Records of this ENI.
    pub records: u64,
    /// Packets, summed.
    pub packets: u64,
    /// Bytes, summed.
    pub bytes: u64,
    /// Records whose action is `REJECT`.
    pub rejected: u64,
}

/// ENI, source, destination, destination port, protocol.
type RejectKey = (String, String, String, Option<u16>, Option<u8>);

/// The summary `vpclab flows` prints (its JSON document).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Records kept by the filters (flow records, NODATA and SKIPDATA included).
    pub records: u64,
    /// Packets, summed over the kept records.
    pub packets: u64,
    /// Bytes, summed over the kept records.
    pub bytes: u64,
    /// Records whose action is `ACCEPT`.
    pub accepted: u64,
    /// Records whose action is `REJECT`.
    pub rejected: u64,
    /// Records whose `log-status` is NODATA or SKIPDATA (SKIPDATA is also in `skip_data`).
    pub no_data: u64,
    /// SKIPDATA records (flows lost to capacity limits).
    pub skip_data: u64,
    /// Lines that are not records of the file's format.
    pub unparsed: u64,
    /// Top 10 source → destination pairs by bytes.
    pub top_talkers: Vec<Talker>,
    /// Rejected flows, most packets first (ties by ENI, addresses and port).
    pub rejected_flows: Vec<Rejected>,
    /// Per-ENI counts, sorted by interface id.
    pub enis: Vec<EniCount>,
}

/// Summarises the records of a file's text (every line, whatever its format header). Never
/// fails: a line that is not a record counts in `unparsed`.
pub fn summarize(text: &str, filter: &Filter) -> Summary {
    let (records, unparsed) = parse(text);
    let mut s = Summary {
        records: 0,
        packets: 0,
        bytes: 0,
        accepted: 0,
        rejected: 0,
        no_data: 0,
        skip_data: 0,
        unparsed,
        top_talkers: vec![],
        rejected_flows: vec![],
        enis: vec![],
    };
    let mut talkers: HashMap<(String, String), Talker> = HashMap::new();
    let mut rejected: HashMap<RejectKey, Rejected> = HashMap::new();
    let mut enis: HashMap<String, EniCount> = HashMap::new();
    let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    for r in records.iter().filter(|r| filter.keeps(r)) {
        s.records += 1;
        s.packets += r.packets;
        s.bytes += r.bytes;
        let status = r.log_status.as_deref().unwrap_or("OK");
        if status == "NODATA" || status == "SKIPDATA" {
            s.no_data += 1;
            s.skip_data += (status == "SKIPDATA") as u64;
        }
        let reject = r.action.as_deref() == Some("REJECT");
        match r.action.as_deref() {
            Some("ACCEPT") => s.accepted += 1,
            Some("REJECT") => s.rejected += 1,
            _ => {}
        }
        let eni = dash(&r.interface_id);
        let e = enis.entry(eni.clone()).or_insert_with(|| EniCount {
            interface_id: eni.clone(),
            records: 0,
            packets: 0,
            bytes: 0,
            rejected: 0,
        });
        e.records += 1;
        e.packets += r.packets;
        e.bytes += r.bytes;
        e.rejected += reject as u64;
        if r.srcaddr.is_some() || r.dstaddr.is_some() {
            let (src, dst) = (dash(&r.srcaddr), dash(&r.dstaddr));
            let t = talkers
                .entry((src.clone(), dst.clone()))
                .or_insert_with(|| Talker {
                    srcaddr: src.clone(),
                    dstaddr: dst.clone(),
                    records: 0,
                    packets: 0,
                    bytes: 0,
                });
            t.records += 1;
            t.packets += r.packets;
            t.bytes += r.bytes;
            if reject {
                let k = (eni.clone(), src.clone(), dst.clone(), r.dstport, r.protocol);
                let x = rejected.entry(k).or_insert_with(|| Rejected {
                    interface_id: eni.clone(),
                    srcaddr: src,
                    dstaddr: dst,
                    dstport: r.dstport,
                    protocol: r.protocol,
                    records: 0,
                    packets: 0,
                });
                x.records += 1;
                x.packets += r.packets;
            }
        }
    }
    let mut t: Vec<Talker> = talkers.into_values().collect();
    t.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then_with(|| (&a.srcaddr, &a.dstaddr).cmp(&(&b.srcaddr, &b.dstaddr)))
    });
    t.truncate(10);
    s.top_talkers = t;
    let mut r: Vec<Rejected> = rejected.into_values().collect();
    r.sort_by(|a, b| {
        b.packets.cmp(&a.packets).then_with(|| {
            (&a.interface_id, &a.srcaddr, &a.dstaddr, a.dstport).cmp(&(
                &b.interface_id,
                &b.srcaddr,
                &b.dstaddr,
                b.dstport,
            ))
        })
    });
    s.rejected_flows = r;
    let mut e: Vec<EniCount> = enis.into_values().collect();
    e.sort_by(|a, b| a.interface_id.cmp(&b.interface_id));
    s.enis = e;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: &str = "2 123456789012 eni-web 198.51.100.10 10.0.0.10 40000 80 6 5 400 1700000000 1700000005 ACCEPT OK\n\
2 123456789012 eni-web 10.0.0.10 198.51.100.10 80 40000 6 4 900 1700000000 1700000005 ACCEPT OK\n\
2 123456789012 eni-db 10.0.0.10 10.0.2.20 41000 5432 6 3 180 1700000000 1700000009 REJECT OK\n\
2 123456789012 eni-db - - - - - - - 1700000000 1700000009 - SKIPDATA\n\
garbage line\n";

    #[test]
    fn default_format_summary() {
        let s = summarize(V2, &Filter::default());
        assert_eq!(
            (
                s.records,
                s.packets,
                s.bytes,
                s.accepted,
                s.rejected,
                s.skip_data,
                s.unparsed
            ),
            (4, 12, 1480, 2, 1, 1, 1)
        );
        assert_eq!(s.top_talkers[0].srcaddr, "10.0.0.10");
        assert_eq!(s.top_talkers[0].bytes, 900);
        assert_eq!(s.rejected_flows.len(), 1);
        assert_eq!(s.rejected_flows[0].dstport, Some(5432));
        assert_eq!(s.enis.len(), 2);
    }

    #[test]
    fn filters_and_custom_header() {
        let s = summarize(
            V2,
            &Filter {
                action: Some("reject".into()),
                eni: None,
            },
        );
        assert_eq!(s.records, 1);
        let s = summarize(
            V2,
            &Filter {
                action: None,
                eni: Some("web".into()),
            },
        );
        assert_eq!(s.records, 2);
        let custom = "# fields: interface-id action bytes srcaddr dstaddr\neni-a REJECT 60 1.2.3.4 10.0.0.5\n";
        let s = summarize(custom, &Filter::default());
        assert_eq!((s.records, s.rejected, s.bytes, s.unparsed), (1, 1, 60, 0));
        let s3 = "version interface-id action bytes\n3 eni-a ACCEPT 70\n";
        let s = summarize(s3, &Filter::default());
        assert_eq!((s.records, s.accepted, s.bytes, s.unparsed), (1, 1, 70, 0));
    }
}
