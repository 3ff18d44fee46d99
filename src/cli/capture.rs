//! `vpclab capture TARGET [-w FILE|-] [--format pcap|pcapng] [-c N]`: live capture from a
//! running topology. TARGET is an instance, `subnet:VPC/NAME` or `vpc:NAME`. Each packet is
//! flushed as written, so `-w - | tshark -r -` streams and an interrupted capture is valid.

use super::common::{CmdResult, Fail, EXIT_OK};
use super::status::{pick, running_network};
use super::{CaptureArgs, CaptureFormat};
use std::io::Write;
use vpclab::backend::netns::control::{subscribe_with_epoch, EventRecord};
use vpclab::engine::PacketEvent;
use vpclab::flowlog::capture::EventStream;
use vpclab::flowlog::pcap::PacketFormat;
use vpclab::flowlog::scope;
use vpclab::model::{EniId, Network};

/// The packet events of a running topology, read from its control socket.
struct DaemonStream {
    net: Network,
    epoch: u64,
    records: Box<dyn Iterator<Item = EventRecord> + Send>,
}

impl EventStream for DaemonStream {
    fn network(&self) -> &Network {
        &self.net
    }
    fn epoch_unix_ns(&self) -> u64 {
        self.epoch
    }
    fn next_event(&mut self) -> Option<PacketEvent> {
        // Records that do not decode (a newer daemon, a garbled line) are skipped.
        self.records.by_ref().find_map(|r| r.to_event(&self.net))
    }
}

/// Connects to the daemon of a running topology (`name`, or the only one running) and
/// subscribes to its packet events, frames included. Exit 3 when none runs.
pub fn connect_daemon(name: Option<&str>) -> Result<Box<dyn EventStream>, Fail> {
    let dir = pick(name).map_err(|f| match name {
        Some(n) if f.code == super::common::EXIT_ENV => Fail::env(format!(
            "no running topology named {n}\n  hint: start one with `vpclab up FILE --detach`"
        )),
        _ => f,
    })?;
    let net = running_network(&dir)?;
    let (epoch, records) = subscribe_with_epoch(&dir.ctl_sock(), true).map_err(|e| {
        Fail::env(format!(
            "cannot subscribe to {}'s engine: {e}\n  hint: `vpclab status {}`",
            dir.name, dir.name
        ))
    })?;
    Ok(Box::new(DaemonStream {
        net,
        epoch,
        records: Box::new(records),
    }))
}

/// Runs `capture`.
pub fn run(a: &CaptureArgs) -> CmdResult {
    // Every packet is written as a complete, flushed block, so the default action of SIGINT
    // and SIGTERM (terminate) leaves a valid file; restore it even where a shell started us
    // with SIGINT ignored (`vpclab capture ... &`).
    // SAFETY: setting a signal's disposition to the default has no preconditions.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::signal(libc::SIGTERM, libc::SIG_DFL);
    }
    if !vpclab::backend::netns::has_net_admin()
        && vpclab::backend::netns::userns::missing().is_some()
    {
        return Err(Fail::env(
            "`vpclab capture` reads a running topology's engine through its root-only state directory, which needs CAP_NET_ADMIN\nhint: run it with sudo",
        ));
    }
    let stream = connect_daemon(a.name.as_deref())?;
    capture(stream, a)
}

/// The ENIs of a capture target: an instance name, `instance:NAME`, `subnet:VPC/NAME` or
/// `vpc:NAME`. Unknown targets are input errors (exit 2).
pub fn resolve_target(net: &Network, target: &str) -> Result<Vec<EniId>, Fail> {
    let enis = scope::resolve(net, target).map_err(|e| {
        Fail::input(format!(
            "{e}\n  hint: capture an instance (web), subnet:VPC/NAME or vpc:NAME"
        ))
    })?;
    if enis.is_empty() {
        return Err(Fail::input(format!(
            "`{target}` has no network interface to capture"
        )));
    }
    Ok(enis)
}

/// The default output file: `TARGET.pcapng` with `:` and `/` replaced by `-`.
pub fn default_path(target: &str, format: CaptureFormat) -> String {
    let ext = match format {
        CaptureFormat::Pcap => "pcap",
        CaptureFormat::Pcapng => "pcapng",
    };
    format!("{}.{ext}", target.replace([':', '/'], "-"))
}

/// Captures from `stream` as `a` asks, until the stream ends or `-c` packets were written.
pub fn capture(mut stream: Box<dyn EventStream>, a: &CaptureArgs) -> CmdResult {
    let enis = resolve_target(stream.network(), &a.target)?;
    let path = a
        .write
        .clone()
        .unwrap_or_else(|| default_path(&a.target, a.format));
    let (out, name): (Box<dyn Write + Send>, String) = if path == "-" {
        (Box::new(std::io::stdout()), "stdout".into())
    } else {
        let f = vpclab::files::Writer::for_requester()
            .create(std::path::Path::new(&path))
            .map_err(|e| Fail::input(format!("cannot create {path}: {e}")))?;
        (Box::new(f), path.clone())
    };
    let format = match a.format {
        CaptureFormat::Pcap => PacketFormat::Pcap,
        CaptureFormat::Pcapng => PacketFormat::PcapNg,
    };
    let packets =
        vpclab::flowlog::capture::capture(stream.as_mut(), &enis, out, format, &name, a.count)
            .map_err(|e| Fail::other(e.to_string()))?;
    if path != "-" {
        eprintln!("{packets} packets written to {path}");
    }
    Ok(EXIT_OK)
}
