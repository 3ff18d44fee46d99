//! Part of `flowlog` (rank 4). pcap and pcapng output of packet events, IPv4 and IPv6 frames
//! alike (Ethernet types 0x0800 and 0x86DD). pcapng: one Interface
//! Description Block per ENI in scope, named `eni-web (web)`, described by its addresses (the
//! private IPv4, then any IPv6), nanosecond resolution declared (`if_tsresol` = 9), Ethernet; every Enhanced Packet Block carries the decision as its comment
//! (`ACCEPT sg-web inbound rule 1`). pcap: classic, little-endian, with the nanosecond magic
//! (`a1b23c4d`), Ethernet. Blocks are buffered whole and flushed by `output::BlockWriter`, so a
//! file is valid (complete blocks) whenever it is cut.

use super::frame;
use super::output::BlockWriter;
use super::{Error, Traffic};
use crate::engine::PacketEvent;
use crate::model::{EniId, Mac, Network};
use crate::policy::Decision;
use pcap_file::pcap::PcapHeader;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::{DataLink, Endianness, TsResolution};
use std::borrow::Cow;

/// Largest frame kept whole; longer frames are truncated (their original length is kept).
pub const SNAPLEN: u32 = 262_144;

/// A packet capture format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketFormat {
    /// Classic pcap with nanosecond timestamps (magic `a1b23c4d`), Ethernet link type; no
    /// comments, so verdicts are not kept.
    Pcap,
    /// pcapng with interfaces per ENI and verdict comments.
    PcapNg,
}

/// Writes packet events of some ENIs as pcap or pcapng.
pub struct PacketWriter {
    out: BlockWriter,
    /// pcapng (else classic pcap).
    ng: bool,
    /// Interface number (pcapng) by ENI index; `u32::MAX` = not captured.
    iface: Vec<u32>,
    macs: Vec<Mac>,
    router_mac: Mac,
    epoch_unix_ns: u64,
    traffic: Traffic,
    packets: u64,
    synthesized: u64,
    /// Recent decisions with their comment, encoded as an EPB's options (formatting one costs
    /// more than the rest of the packet; flows meet few distinct decisions).
    comments: Vec<(std::sync::Arc<Decision>, Vec<u8>)>,
    next_slot: usize,
}

/// Decisions whose comment is kept.
const COMMENT_CACHE: usize = 16;

impl PacketWriter {
    /// Starts a capture of `enis` on `out`: writes the file header (and, for pcapng, one
    /// interface per ENI). Engine time 0 is Unix time `epoch_unix_ns`.
    pub fn new(
        mut out: BlockWriter,
        format: PacketFormat,
        enis: &[EniId],
        net: &Network,
        epoch_unix_ns: u64,
    ) -> Result<Self, Error> {
        let mut iface = vec![u32::MAX; net.enis.len()];
        let mut ng = false;
        match format {
            PacketFormat::Pcap => {
                let h = PcapHeader {
                    snaplen: SNAPLEN,
                    datalink: DataLink::ETHERNET,
                    ts_resolution: TsResolution::NanoSecond,
                    endianness: Endianness::Little,
                    ..Default::default()
                };
                h.write_to(&mut out.buf)
                    .map_err(|e| Error::Config(format!("pcap header: {e}")))?;
                for e in enis {
                    if let Some(slot) = iface.get_mut(e.idx()) {
                        *slot = 0;
                    }
                }
            }
            PacketFormat::PcapNg => {
                let buf = std::mem::take(&mut out.buf);
                let mut w = PcapNgWriter::with_endianness(buf, Endianness::Little)
                    .map_err(|e| Error::Config(format!("pcapng header: {e}")))?;
                let mut n = 0u32;
                for e in enis {
                    let Some(slot) = iface.get_mut(e.idx()) else {
                        continue;
                    };
                    if *slot != u32::MAX {
                        continue;
                    }
                    *slot = n;
                    n += 1;
                    let eni = net.eni(*e);
                    let name = format!("{} ({})", eni.aws_id, net.eni_owner_name(*e));
                    let mut addrs = eni.private_ip.to_string();
                    for a in net.eni_ipv6(*e) {
                        addrs.push(' ');
                        addrs.push_str(&a.to_string());
                    }
                    let desc = format!(
                        "{name} {addrs} {} {}",
                        net.subnet(eni.subnet).aws_id,
                        net.vpc(eni.vpc).aws_id
                    );
                    let idb = InterfaceDescriptionBlock {
                        linktype: DataLink::ETHERNET,
                        snaplen: SNAPLEN,
                        options: vec![
                            InterfaceDescriptionOption::IfName(Cow::Owned(name)),
                            InterfaceDescriptionOption::IfDescription(Cow::Owned(desc)),
                            InterfaceDescriptionOption::IfMacAddr(Cow::Owned(eni.mac.to_vec())),
                            InterfaceDescriptionOption::IfTsResol(9),
                        ],
                    };
                    w.write_pcapng_block(idb)
                        .map_err(|e| Error::Config(format!("pcapng interface: {e}")))?;
                }
                out.buf = std::mem::take(w.get_mut());
                ng = true;
            }
        }
        out.flush()?;
        Ok(PacketWriter {
            out,
            ng,
            iface,
            macs: net.enis.iter().map(|e| e.mac).collect(),
            router_mac: net.router_mac,
            epoch_unix_ns,
            traffic: Traffic::All,
            packets: 0,
            synthesized: 0,
            comments: Vec::with_capacity(COMMENT_CACHE),
            next_slot: 0,
        })
    }

    /// Keeps only accepted or only rejected packets (AWS's `TrafficType`); the default is
    /// `Traffic::All`.
    pub fn with_traffic(mut self, t: Traffic) -> Self {
        self.traffic = t;
        self
    }

    /// Packets written so far (stand-in frames included; filtered ones not).
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Packets written with a headers-only stand-in frame (the event had no frame bytes).
    pub fn synthesized(&self) -> u64 {
        self.synthesized
    }

    /// True when this writer takes the event's ENI and verdict.
    pub fn wants(&self, ev: &PacketEvent) -> bool {
        self.iface.get(ev.eni.idx()).is_some_and(|i| *i != u32::MAX)
            && self.traffic.keeps(ev.verdict)
    }

    /// Writes one packet (ignored when out of scope or filtered).
    pub fn write(&mut self, ev: &PacketEvent) -> Result<(), Error> {
        if !self.wants(ev) || self.out.failed() {
            return Ok(());
        }
        let synth;
        let data: &[u8] = match &ev.frame {
            Some(f) => f,
            None => {
                let mac = self.macs.get(ev.eni.idx()).copied().unwrap_or_default();
                synth = frame::synthesize(ev, mac, self.router_mac);
                self.synthesized += 1;
                &synth
            }
        };
        let orig_len = (data.len() as u32).max(if ev.frame.is_none() { ev.bytes + 14 } else { 0 });
        let data = &data[..data.len().min(SNAPLEN as usize)];
        let ts = self.epoch_unix_ns.saturating_add(ev.time);
        match self.ng {
            true => {
                let slot = match self.comments.iter().position(|(d, _)| {
                    std::sync::Arc::ptr_eq(d, &ev.decision) || same_summary(d, &ev.decision)
                }) {
                    Some(i) => i,
                    None if self.comments.len() < COMMENT_CACHE => {
                        self.comments
                            .push((ev.decision.clone(), comment_options(&ev.decision.summary())));
                        self.comments.len() - 1
                    }
                    None => {
                        let i = self.next_slot;
                        self.next_slot = (i + 1) % COMMENT_CACHE;
                        self.comments[i] =
                            (ev.decision.clone(), comment_options(&ev.decision.summary()));
                        i
                    }
                };
                let options = self.comments[slot].1.as_slice();
                // SHB and IDBs come from pcap-file; packets are encoded in place.
                write_epb(
                    &mut self.out.buf,
                    self.iface[ev.eni.idx()],
                    ts,
                    orig_len,
                    data,
                    options,
                );
            }
            false => {
                let b = &mut self.out.buf;
                b.extend_from_slice(&((ts / 1_000_000_000) as u32).to_le_bytes());
                b.extend_from_slice(&((ts % 1_000_000_000) as u32).to_le_bytes());
                b.extend_from_slice(&(data.len() as u32).to_le_bytes());
                b.extend_from_slice(&orig_len.to_le_bytes());
                b.extend_from_slice(data);
            }
        }
        self.packets += 1;
        self.out.block_done()
    }

    /// Flushes buffered blocks when they have waited long enough (call regularly).
    pub fn maybe_flush(&mut self) -> Result<(), Error> {
        self.out.maybe_flush()
    }

    /// Writes every buffered block now; the error names the file.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.out.flush()
    }

    /// Bytes of complete blocks dropped because the file's writer fell behind
    /// (`BlockWriter::dropped_bytes`).
    pub fn dropped_bytes(&self) -> u64 {
        self.out.dropped_bytes()
    }

    /// The output's name (file path or `stdout`).
    pub fn name(&self) -> &str {
        self.out.name()
    }
}

/// True when two decisions print the same summary (verdict, component, direction, rule).
fn same_summary(a: &Decision, b: &Decision) -> bool {
    a.verdict == b.verdict
        && a.direction == b.direction
        && a.rule == b.rule
        && a.component == b.component
}

/// The options of an Enhanced Packet Block that carries `comment` (little-endian): the
/// `opt_comment` (code 1, cut to what a 16-bit length holds), padded to 32 bits, then
/// `opt_endofopt`. Encoded once per decision and copied into every block that cites it.
fn comment_options(comment: &str) -> Vec<u8> {
    let comment = &comment.as_bytes()[..comment.len().min(u16::MAX as usize - 3)];
    let mut o = Vec::with_capacity(comment.len() + 12);
    o.extend_from_slice(&1u16.to_le_bytes());
    o.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    o.extend_from_slice(comment);
    o.extend_from_slice(&[0u8; 3][..pad4(comment.len())]);
    o.extend_from_slice(&[0, 0, 0, 0]);
    o
}

/// Bytes that pad `n` to a multiple of 4.
fn pad4(n: usize) -> usize {
    (4 - n % 4) % 4
}

/// Appends a little-endian Enhanced Packet Block to `buf` with `options` (from
/// [`comment_options`]), byte for byte what `pcap-file` writes, without its per-block
/// allocations and double pass: one fixed header, the frame, the options, the length.
fn write_epb(
    buf: &mut Vec<u8>,
    iface: u32,
    ts_ns: u64,
    orig_len: u32,
    data: &[u8],
    options: &[u8],
) {
    let total = 12 + 20 + data.len() + pad4(data.len()) + options.len();
    let mut head = [0u8; 28];
    for (i, w) in [
        6u32,
        total as u32,
        iface,
        (ts_ns >> 32) as u32,
        ts_ns as u32,
        data.len() as u32,
        orig_len,
    ]
    .into_iter()
    .enumerate()
    {
        head[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    buf.reserve(total);
    buf.extend_from_slice(&head);
    buf.extend_from_slice(data);
    buf.extend_from_slice(&[0u8; 3][..pad4(data.len())]);
    buf.extend_from_slice(options);
    buf.extend_from_slice(&(total as u32).to_le_bytes());
}

#[cfg(test)]
mod tests {
    use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
    use pcap_file::pcapng::PcapNgWriter;
    use pcap_file::{DataLink, Endianness};
    use std::borrow::Cow;

    #[test]
    fn epb_matches_pcap_file_encoding() {
        for (len, comment) in [
            (60usize, "ACCEPT sg-web inbound rule 1"),
            (61, "REJECT acl-data inbound rule *"),
            (1514, "x"),
        ] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut w = PcapNgWriter::with_endianness(Vec::new(), Endianness::Little).unwrap();
            w.write_pcapng_block(InterfaceDescriptionBlock::new(DataLink::ETHERNET, 0))
                .unwrap();
            let before = w.get_ref().len();
            let ts = 1_700_000_001_123_456_789u64;
            let epb = EnhancedPacketBlock {
                interface_id: 0,
                timestamp: std::time::Duration::from_nanos(ts),
                original_len: 1600,
                data: Cow::Borrowed(&data),
                options: vec![EnhancedPacketOption::Comment(Cow::Borrowed(comment))],
            };
            w.write_pcapng_block(epb).unwrap();
            let want = w.get_ref()[before..].to_vec();
            let mut got = Vec::new();
            super::write_epb(
                &mut got,
                0,
                ts,
                1600,
                &data,
                &super::comment_options(comment),
            );
            assert_eq!(got, want, "len {len}");
        }
    }
}
