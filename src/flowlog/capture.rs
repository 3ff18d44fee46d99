//! Part of `flowlog` (rank 4). Live capture (`vpclab capture`): packet events of some ENIs written
//! as pcap or pcapng to any writer (a file or stdout), each packet flushed at once so `vpclab
//! capture web -w - | tshark -r -` shows packets as they pass and an interrupted capture is a valid
//! file.

use super::output::BlockWriter;
use super::pcap::{PacketFormat, PacketWriter};
use super::Error;
use crate::engine::PacketEvent;
use crate::model::{EniId, Network};
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// What a capture needs before its first packet: output, format, ENIs, network.
type Pending = (
    Box<dyn Write + Send>,
    PacketFormat,
    Vec<EniId>,
    std::sync::Arc<Network>,
);

/// Writes the events of some ENIs to a stream (`vpclab capture -w`), starting the file only
/// once the clock mapping is known.
pub struct CaptureWriter {
    inner: Option<PacketWriter>,
    pending: Option<Pending>,
    epoch_unix_ns: Option<u64>,
    name: String,
}

impl CaptureWriter {
    /// A capture of `enis` in `format` on `out`. The file header is written with the first
    /// packet or `flush`, once the clock mapping is known (see `with_epoch`).
    pub fn new(
        out: Box<dyn Write + Send>,
        format: PacketFormat,
        enis: &[EniId],
        net: &Network,
    ) -> Self {
        CaptureWriter {
            inner: None,
            pending: Some((out, format, enis.to_vec(), std::sync::Arc::new(net.clone()))),
            epoch_unix_ns: None,
            name: "capture".into(),
        }
    }

    /// Engine time 0 is Unix time `epoch_unix_ns` (default: the wall clock at the first packet
    /// minus that packet's engine time).
    pub fn with_epoch(mut self, epoch_unix_ns: u64) -> Self {
        self.epoch_unix_ns = Some(epoch_unix_ns);
        self
    }

    /// The name used in errors (`stdout`, a file path).
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    fn start(&mut self, first_time: u64) -> Result<(), Error> {
        if let Some((out, format, enis, net)) = self.pending.take() {
            let epoch = self.epoch_unix_ns.unwrap_or_else(|| {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(0);
                now.saturating_sub(first_time)
            });
            let bw = BlockWriter::new(self.name.clone(), out, true);
            self.inner = Some(PacketWriter::new(bw, format, &enis, &net, epoch)?);
        }
        Ok(())
    }

    /// Writes one packet (ignored when its ENI is not captured).
    pub fn write(&mut self, ev: &PacketEvent) -> Result<(), Error> {
        self.start(ev.time)?;
        match &mut self.inner {
            Some(w) => w.write(ev),
            None => Ok(()),
        }
    }

    /// Packets written so far; 0 before the first.
    pub fn packets(&self) -> u64 {
        self.inner.as_ref().map(|w| w.packets()).unwrap_or(0)
    }

    /// Writes the header if nothing was written yet and flushes.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.start(0)?;
        match &mut self.inner {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

/// A running topology's packet events as a capture reads them: the daemon's subscription (the
/// CLI's), or a replay of recorded events in tests.
pub trait EventStream {
    /// The network the events belong to (names the pcapng interfaces).
    fn network(&self) -> &Network;
    /// Unix time in nanoseconds of engine time 0, for packet timestamps.
    fn epoch_unix_ns(&self) -> u64;
    /// The next packet event; None when the topology stops.
    fn next_event(&mut self) -> Option<PacketEvent>;
}

/// Captures the events of `enis` from `stream` to `out` (named `name` in errors) until the
/// stream ends or `count` packets were written; returns the packets written. The file header
/// is written and flushed before the first event is awaited, so a reader sees a valid, empty
/// capture at once.
pub fn capture(
    stream: &mut dyn EventStream,
    enis: &[EniId],
    out: Box<dyn Write + Send>,
    format: PacketFormat,
    name: &str,
    count: Option<u64>,
) -> Result<u64, Error> {
    let mut w = CaptureWriter::new(out, format, enis, stream.network())
        .with_epoch(stream.epoch_unix_ns())
        .with_name(name);
    w.flush()?;
    while let Some(ev) = stream.next_event() {
        w.write(&ev)?;
        if count.is_some_and(|c| w.packets() >= c) {
            break;
        }
    }
    w.flush()?;
    Ok(w.packets())
}
