//! Every flow-log definition of a topology (`flow_logs:`), built into sinks that the engine's
//! driver feeds: `record(&PacketEvent)`, `tick(now)`, `finish()`. Part of `flowlog` (rank 4);
//! the netns daemon and the virtual backend own one `Sinks` each.

use super::aws::Aggregator;
use super::fields::Field;
use super::output::BlockWriter;
use super::pcap::{PacketFormat, PacketWriter};
use super::{Error, Format};
use crate::engine::{Nanos, PacketEvent};
use crate::model::Network;
use std::path::{Path, PathBuf};

enum Sink {
    Aws {
        agg: Box<Aggregator>,
        out: BlockWriter,
    },
    Packets(PacketWriter),
}

/// The flow-log sinks of one running topology, one per `flow_logs:` entry in file order.
#[derive(Default)]
pub struct Sinks {
    sinks: Vec<Sink>,
}

impl Sinks {
    /// No sink at all: every call is a no-op (a topology without `flow_logs:`).
    pub fn empty() -> Self {
        Sinks::default()
    }

    /// Builds every flow-log definition of `net` (`Network::flow_logs`); relative paths are
    /// taken from `base_dir` (the topology file's folder). Files are created (truncated) now;
    /// the first that cannot be is the error. Engine time 0 is Unix time `epoch_unix_ns`.
    pub fn from_network(
        net: &Network,
        base_dir: &Path,
        epoch_unix_ns: u64,
    ) -> Result<Sinks, Error> {
        let mut sinks = Vec::new();
        for def in &net.flow_logs {
            let (enis, traffic, format) = (&def.enis, def.traffic, def.format);
            let path = base_dir.join(&def.path);
            let out = BlockWriter::create(&path)?;
            let sink = match format {
                Format::Aws => {
                    let fields = match &def.fields {
                        Some(list) => Some(
                            list.iter()
                                .map(|f| {
                                    Field::parse(f).ok_or_else(|| {
                                        Error::Config(format!("unknown field `{f}`"))
                                    })
                                })
                                .collect::<Result<Vec<_>, _>>()?,
                        ),
                        None => None,
                    };
                    let agg = Aggregator::new(net, fields, def.aggregation_interval, epoch_unix_ns)
                        .with_traffic(traffic)
                        .with_scope(enis);
                    let mut out = out;
                    if let Some(h) = agg.header_line() {
                        out.buf.extend_from_slice(h.as_bytes());
                        out.buf.push(b'\n');
                        out.flush()?;
                    }
                    Sink::Aws {
                        agg: Box::new(agg),
                        out,
                    }
                }
                Format::Pcap | Format::PcapNg => {
                    let pf = if format == Format::Pcap {
                        PacketFormat::Pcap
                    } else {
                        PacketFormat::PcapNg
                    };
                    Sink::Packets(
                        PacketWriter::new(out, pf, enis, net, epoch_unix_ns)?.with_traffic(traffic),
                    )
                }
            };
            sinks.push(sink);
        }
        Ok(Sinks { sinks })
    }

    /// Checks, before anything changes, that [`Sinks::from_network`] would succeed for `net`:
    /// each definition's fields are known and its file can be opened by the rule of
    /// `files::Writer` (opened for appending, so nothing is truncated; a file this check made is
    /// removed again when a later one fails). Paths in `open` are those of running sinks, which
    /// are already open and are skipped. `apply` calls it so that an unwritable flow-log path
    /// refuses the whole change. Folders made on the way are left.
    pub fn preflight(net: &Network, base_dir: &Path, open: &[PathBuf]) -> Result<(), Error> {
        let mut made: Vec<PathBuf> = Vec::new();
        let r = net.flow_logs.iter().try_for_each(|def| {
            if let Some(list) = &def.fields {
                if let Some(f) = list.iter().find(|f| Field::parse(f).is_none()) {
                    return Err(Error::Config(format!("unknown field `{f}`")));
                }
            }
            let path = base_dir.join(&def.path);
            if open.contains(&path) {
                return Ok(());
            }
            let existed = std::fs::symlink_metadata(&path).is_ok();
            crate::files::Writer::for_requester()
                .with_parents()
                .append(&path)
                .map_err(|source| Error::Io {
                    path: path.display().to_string(),
                    source,
                })?;
            if !existed {
                made.push(path);
            }
            Ok(())
        });
        if r.is_err() {
            for p in &made {
                let _ = std::fs::remove_file(p);
            }
        }
        r
    }

    /// The files of `net`'s flow-log definitions, relative paths taken from `base_dir` (as
    /// [`Sinks::from_network`] opens them).
    pub fn paths(net: &Network, base_dir: &Path) -> Vec<PathBuf> {
        net.flow_logs
            .iter()
            .map(|d| base_dir.join(&d.path))
            .collect()
    }

    /// True when there is no sink (the engine can skip making events).
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }

    /// True when a pcap or pcapng sink wants the frame bytes of each event (the engine then
    /// attaches `PacketEvent::frame`; without frames, headers-only stand-ins are written).
    pub fn wants_frames(&self) -> bool {
        self.sinks.iter().any(|s| matches!(s, Sink::Packets(_)))
    }

    /// Flows dropped by full aggregation tables (reported as `SKIPDATA` records).
    pub fn dropped_flows(&self) -> u64 {
        self.sinks
            .iter()
            .map(|s| match s {
                Sink::Aws { agg, .. } => agg.dropped_flows(),
                Sink::Packets(_) => 0,
            })
            .sum()
    }

    /// Bytes of complete records and blocks dropped, over every sink, because a file's writer
    /// fell behind the engine (`BlockWriter::dropped_bytes`): 0 means every file is whole.
    pub fn dropped_bytes(&self) -> u64 {
        self.sinks
            .iter()
            .map(|s| match s {
                Sink::Aws { out, .. } => out.dropped_bytes(),
                Sink::Packets(w) => w.dropped_bytes(),
            })
            .sum()
    }

    /// Feeds one event to every sink. A sink that fails (e.g. a full disk) reports its error
    /// once, naming the file, and then drops its input; the others go on. Returns the first
    /// error.
    pub fn record(&mut self, ev: &PacketEvent) -> Result<(), Error> {
        let mut first = Ok(());
        for s in &mut self.sinks {
            let r = match s {
                Sink::Aws { agg, out } => {
                    agg.record(ev);
                    write_lines(agg, out)
                }
                Sink::Packets(w) => w.write(ev),
            };
            if first.is_ok() {
                first = r;
            }
        }
        first
    }

    /// Advances time: closes aggregation intervals ended by `now` and flushes buffered blocks
    /// that have waited long enough. Call it regularly (e.g. with the engine's timeouts).
    pub fn tick(&mut self, now: Nanos) -> Result<(), Error> {
        let mut first = Ok(());
        for s in &mut self.sinks {
            let r = match s {
                Sink::Aws { agg, out } => {
                    agg.tick(now);
                    write_lines(agg, out).and_then(|_| out.maybe_flush())
                }
                Sink::Packets(w) => w.maybe_flush(),
            };
            if first.is_ok() {
                first = r;
            }
        }
        first
    }

    /// Shutdown: closes every interval and writes everything. Safe to call twice.
    pub fn finish(&mut self) -> Result<(), Error> {
        let mut first = Ok(());
        for s in &mut self.sinks {
            let r = match s {
                Sink::Aws { agg, out } => {
                    agg.finish();
                    write_lines(agg, out).and_then(|_| out.flush())
                }
                Sink::Packets(w) => w.flush(),
            };
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}

impl Drop for Sinks {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

fn write_lines(agg: &mut Aggregator, out: &mut BlockWriter) -> Result<(), Error> {
    let lines = agg.take_lines();
    let mut r = Ok(());
    for l in lines {
        out.buf.extend_from_slice(l.as_bytes());
        out.buf.push(b'\n');
        if r.is_ok() {
            r = out.block_done();
        }
    }
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn sinks_can_move_to_the_engine_thread() {
        fn send<T: Send>() {}
        send::<super::Sinks>();
        send::<crate::flowlog::capture::CaptureWriter>();
    }

    #[test]
    fn preflight_refuses_an_unwritable_path_and_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let yaml = format!(
            "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: {{ cidr: 10.0.0.0/24 }}\n    instances:\n      a: {{ subnet: s, ip: 10.0.0.10 }}\nflow_logs:\n  - {{ resource: vpc:v, path: ok.log }}\n  - {{ resource: vpc:v, path: {}/no/such/dir/x.log }}\n",
            "/proc/self"
        );
        let t = crate::topology::parse_str("t.yaml", &yaml).expect("parses");
        let net = crate::model::build(&t, "t.yaml").expect("builds");
        let e = super::Sinks::preflight(&net, d.path(), &[]).unwrap_err();
        assert!(e.to_string().contains("x.log"), "{e}");
        assert!(
            !d.path().join("ok.log").exists(),
            "the file it made is removed"
        );
        // An existing file keeps its contents: the check appends, never truncates.
        std::fs::write(d.path().join("ok.log"), "kept\n").unwrap();
        let _ = super::Sinks::preflight(&net, d.path(), &[]);
        assert_eq!(
            std::fs::read_to_string(d.path().join("ok.log")).unwrap(),
            "kept\n"
        );
        // A running sink's path is not reopened.
        let open = super::Sinks::paths(&net, d.path());
        assert!(super::Sinks::preflight(&net, d.path(), &open).is_ok());
    }

    #[test]
    fn no_definitions_no_frames() {
        let s = super::Sinks::empty();
        assert!(s.is_empty() && !s.wants_frames());
    }
}
