//! The engine loop: one thread, non-blocking TAP fds in a `mio` poll (edge-triggered, so a
//! port whose batch was cut short stays in a ready queue), batched reads, writes of
//! `Output::Frame` to the port's fd (a failed write is counted and dropped), a timer for
//! `handle_timeout` on the monotonic clock, and a command channel (apply, subscribe, stats,
//! stop) woken by a `mio::Waker`.

use crate::engine::wire::{self, Offload, VNET_HDR_LEN};
use crate::engine::{Nanos, Output, PacketEvent, Stats};
use crate::flowlog::Sinks;
use crate::model::{Network, PortId};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};
use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frames read from one port per turn before the others get theirs.
const BATCH: usize = 64;
/// Largest frame read: a 64 KiB GSO segment with its Ethernet header, and some slack.
const BUF: usize = 65536 + 256;
/// Read buffers kept for reuse (each `BUF` bytes of capacity): frames the engine forwards come
/// back as `Output::Frame` in the buffer they were read into, and return here once written.
const POOL: usize = 2 * BATCH;
/// Token of the command waker.
const WAKER: Token = Token(usize::MAX - 1);
/// Token of the signal fd.
const SIGNAL: Token = Token(usize::MAX - 2);
/// Longest sleep: children are reaped at least this often.
const MAX_SLEEP: Duration = Duration::from_secs(1);
/// How often flow-log sinks are ticked (intervals closed, buffered blocks flushed).
const SINK_TICK: Duration = Duration::from_millis(500);

/// The wall clock in Unix nanoseconds.
fn unix_now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Counters of the loop itself (the engine's are in `engine`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LoopStats {
    /// Frames read from TAPs.
    pub rx_frames: u64,
    /// Frames written to TAPs.
    pub tx_frames: u64,
    /// Frames dropped because a TAP write failed (EAGAIN, device gone).
    pub tx_dropped: u64,
    /// Packet events dropped because a subscriber was too slow.
    pub events_dropped: u64,
    /// Frames dropped because their offload header was unusable (an unknown GSO type).
    #[serde(default)]
    pub rx_bad_offload: u64,
}

/// Where the IP datagram of an Ethernet frame ends (its total length; the frame's end when it
/// is too short to say).
fn ip_end(frame: &[u8]) -> usize {
    match frame.get(16..18) {
        Some(&[a, b]) => (wire::ETH_LEN + usize::from(u16::from_be_bytes([a, b]))).min(frame.len()),
        _ => frame.len(),
    }
}

/// Makes a frame with offload state `off` fit a TAP without offloads: a partial checksum is
/// completed in software; false for a segment (it would need splitting), which is dropped.
fn bare(frame: &mut [u8], off: Offload) -> bool {
    if off.gso.is_some() {
        return false;
    }
    match off.csum {
        Some(c) => {
            let end = ip_end(frame);
            wire::complete_checksum(frame, c, end)
        }
        None => true,
    }
}

/// Status of a running loop.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LoopStatus {
    /// The loop's counters.
    pub io: LoopStats,
    /// The engine's counters.
    pub engine: Stats,
    /// Errors of the flow-log sinks since they were (re)built, at most one per failing sink
    /// (`cannot write flow log `PATH`: No space left on device`); empty when all write.
    pub flow_log_errors: Vec<String>,
}

/// Most flow-log errors a status keeps (a sink reports once, so this bounds a topology with
/// very many failing sinks).
const MAX_SINK_ERRORS: usize = 16;

/// A request to the loop.
pub enum Cmd {
    /// Swap in a new model (`Engine::apply`); the reply says when it is done.
    Apply(Arc<Network>, Sender<()>),
    /// Receive every `PacketEvent` (with frames when the flag is set) until the receiver is
    /// dropped.
    Subscribe(SyncSender<Box<PacketEvent>>, bool),
    /// Current counters.
    Status(Sender<LoopStatus>),
    /// Leave the loop.
    Stop,
    /// Finish the current flow-log sinks (writing every record) and build those of `net`,
    /// relative paths taken from `base` (the applied file's folder). The reply carries the
    /// error, if any. Sent by `apply` when the `flow_logs:` section changed.
    ReplaceSinks(Arc<Network>, PathBuf, Sender<Result<(), String>>),
}

/// Sends commands to a running loop from any thread.
#[derive(Clone)]
pub struct Handle {
    tx: Sender<Cmd>,
    waker: Arc<Waker>,
}

impl Handle {
    /// Sends a command; false when the loop is gone.
    pub fn send(&self, cmd: Cmd) -> bool {
        self.tx.send(cmd).is_ok() && self.waker.wake().is_ok()
    }
}

/// What the loop drives: the engine's sans-IO API (a trait so the loop can be tested with a
/// plain L2 bridge before, and independently of, the engine). The daemon's implementation is
/// `daemon::DaemonEngine`.
pub trait DataPlane {
    /// `Engine::handle_frame`.
    fn handle_frame(&mut self, port: PortId, frame: &[u8], now: Nanos);
    /// `Engine::handle_frame_owned`: the data plane may keep `frame` and hand the same buffer
    /// back as an `Output::Frame` (the engine rewrites forwarded frames in place), which the
    /// loop then reuses for its next read. The default copies through `handle_frame`.
    fn handle_frame_owned(&mut self, port: PortId, frame: Vec<u8>, now: Nanos) {
        self.handle_frame(port, &frame, now)
    }
    /// `Engine::handle_frame_offload`: a frame read from a TAP with offloads, with what its
    /// offload header said. The default, for a data plane without offloads, completes a
    /// partial checksum in software and drops segments (it cannot split them).
    fn handle_frame_offload(&mut self, port: PortId, mut frame: Vec<u8>, off: Offload, now: Nanos) {
        if off.gso.is_some() {
            return;
        }
        if let Some(c) = off.csum {
            let end = ip_end(&frame);
            if !wire::complete_checksum(&mut frame, c, end) {
                return;
            }
        }
        self.handle_frame_owned(port, frame, now)
    }
    /// `Engine::poll_output_offload`; the default: every frame an ordinary one.
    fn poll_output_offload(&mut self) -> Option<(Output, Offload)> {
        self.poll_output().map(|o| (o, Offload::NONE))
    }
    /// `Engine::handle_timeout`.
    fn handle_timeout(&mut self, now: Nanos);
    /// `Engine::poll_timeout`.
    fn poll_timeout(&self) -> Option<Nanos>;
    /// `Engine::poll_output`.
    fn poll_output(&mut self) -> Option<Output>;
    /// `Engine::apply`.
    fn apply(&mut self, net: Arc<Network>);
    /// `Engine::stats`.
    fn stats(&self) -> Stats;
    /// Whether to emit packet events, and with frames (`Engine::set_events`).
    fn set_events(&mut self, events: bool, frames: bool) {
        let _ = (events, frames);
    }
    /// `Engine::recycle`: a packet event handed back once recorded; the default drops it.
    fn recycle(&mut self, ev: Box<PacketEvent>) {
        drop(ev);
    }
}

/// The loop's state.
pub struct EngineLoop<E: DataPlane> {
    engine: E,
    poll: Poll,
    fds: Vec<RawFd>,
    /// Per fd: its frames carry an offload header (`link::has_vnet_hdr`).
    vnet: Vec<bool>,
    ports: Vec<PortId>,
    rx: Receiver<Cmd>,
    subs: Vec<SyncSender<Box<PacketEvent>>>,
    frames: bool,
    sinks: Sinks,
    sink_errors: Vec<String>,
    stats: LoopStats,
    start: Instant,
    epoch_unix_ns: u64,
    sigfd: Option<RawFd>,
}

impl<E: DataPlane> EngineLoop<E> {
    /// A loop over TAP fds (which must stay open while it runs). `sigfd`, when given, is a
    /// signalfd whose readability stops the loop.
    pub fn new(
        engine: E,
        taps: &[(PortId, OwnedFd)],
        sigfd: Option<RawFd>,
    ) -> io::Result<(Self, Handle)> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let (tx, rx) = mpsc::channel();
        let mut fds = Vec::with_capacity(taps.len());
        let mut ports = Vec::with_capacity(taps.len());
        let mut vnet = Vec::with_capacity(taps.len());
        for (i, (port, fd)) in taps.iter().enumerate() {
            let raw = fd.as_raw_fd();
            poll.registry()
                .register(&mut SourceFd(&raw), Token(i), Interest::READABLE)?;
            fds.push(raw);
            ports.push(*port);
            vnet.push(super::link::has_vnet_hdr(raw));
        }
        if let Some(s) = sigfd {
            poll.registry()
                .register(&mut SourceFd(&s), SIGNAL, Interest::READABLE)?;
        }
        let lp = EngineLoop {
            engine,
            poll,
            fds,
            vnet,
            ports,
            rx,
            subs: Vec::new(),
            frames: false,
            sinks: Sinks::empty(),
            sink_errors: Vec::new(),
            stats: LoopStats::default(),
            start: Instant::now(),
            epoch_unix_ns: unix_now_ns(),
            sigfd,
        };
        Ok((lp, Handle { tx, waker }))
    }

    fn now(&self) -> Nanos {
        self.start.elapsed().as_nanos() as Nanos
    }

    /// Engine time 0 as Unix time in nanoseconds (for pcap timestamps and flow-log intervals).
    pub fn epoch_unix_ns(&self) -> u64 {
        self.epoch_unix_ns
    }

    /// Finishes the current flow-log sinks and builds those of `net` (paths relative to
    /// `base`). Packet events are on while sinks or subscribers exist.
    pub fn replace_sinks(&mut self, net: &Network, base: &Path) -> Result<(), String> {
        let _ = self.sinks.finish();
        self.sinks = Sinks::empty();
        let r = Sinks::from_network(net, base, self.epoch_unix_ns);
        let r = match r {
            Ok(s) => {
                self.sinks = s;
                self.sink_errors.clear();
                Ok(())
            }
            Err(e) => {
                // No sink runs: `status` says why (not only daemon.log).
                self.sink_errors = vec![e.to_string()];
                Err(e.to_string())
            }
        };
        self.update_events();
        r
    }

    /// Turns the engine's events on while anyone consumes them.
    fn update_events(&mut self) {
        let on = !self.subs.is_empty() || !self.sinks.is_empty();
        if self.subs.is_empty() {
            self.frames = false;
        }
        let frames = self.frames || self.sinks.wants_frames();
        self.engine.set_events(on, on && frames);
    }

    /// Keeps a sink's error for `status` (and logs it once to daemon.log).
    fn sink_result(&mut self, r: Result<(), crate::flowlog::Error>) {
        if let Err(e) = r {
            let msg = e.to_string();
            if !self.sink_errors.contains(&msg) && self.sink_errors.len() < MAX_SINK_ERRORS {
                eprintln!("vpclab: {msg}");
                self.sink_errors.push(msg);
            }
        }
    }

    /// Runs until `Cmd::Stop`, a signal, or every handle is dropped; flow logs are finished
    /// (every record written) on the way out.
    pub fn run(&mut self) -> io::Result<()> {
        let r = self.run_inner();
        let f = self.sinks.finish();
        self.sink_result(f);
        r
    }

    fn run_inner(&mut self) -> io::Result<()> {
        let mut last_tick = Instant::now();
        let mut events = Events::with_capacity(1024);
        let mut ready: VecDeque<usize> = VecDeque::new();
        let mut queued = vec![false; self.fds.len()];
        let mut pool: Vec<Vec<u8>> = Vec::with_capacity(POOL);
        let mut last_reap = Instant::now();
        loop {
            let now = self.now();
            let timeout = if !ready.is_empty() {
                Duration::ZERO
            } else {
                match self.engine.poll_timeout() {
                    Some(t) => Duration::from_nanos(t.saturating_sub(now)).min(MAX_SLEEP),
                    None => MAX_SLEEP,
                }
            };
            match self.poll.poll(&mut events, Some(timeout)) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => r?,
            }
            for ev in events.iter() {
                match ev.token() {
                    WAKER if !self.commands() => return Ok(()),
                    WAKER => {}
                    SIGNAL => {
                        if let Some(s) = self.sigfd {
                            let mut info = [0u8; 128];
                            // SAFETY: reading a signalfd_siginfo into a buffer of its size.
                            unsafe { libc::read(s, info.as_mut_ptr().cast(), info.len()) };
                        }
                        return Ok(());
                    }
                    Token(i) if i < self.fds.len() && !queued[i] => {
                        queued[i] = true;
                        ready.push_back(i);
                    }
                    _ => {}
                }
            }
            // One batch per ready port, round robin; ports not drained stay queued.
            for _ in 0..ready.len() {
                let Some(i) = ready.pop_front() else { break };
                if self.read_batch(i, &mut pool) {
                    ready.push_back(i);
                } else {
                    queued[i] = false;
                }
            }
            let now = self.now();
            if self.engine.poll_timeout().is_some_and(|t| t <= now) {
                self.engine.handle_timeout(now);
                self.flush();
            }
            if !self.sinks.is_empty() && last_tick.elapsed() >= SINK_TICK {
                let r = self.sinks.tick(self.now());
                self.sink_result(r);
                last_tick = Instant::now();
            }
            if last_reap.elapsed() >= MAX_SLEEP {
                super::procs::reap_children();
                last_reap = Instant::now();
            }
        }
    }

    /// Reads up to BATCH frames from port `i`, each into a buffer from `pool` that is handed to
    /// the engine whole (no copy); true when more may be waiting.
    fn read_batch(&mut self, i: usize, pool: &mut Vec<Vec<u8>>) -> bool {
        let (fd, vnet) = (self.fds[i], self.vnet[i]);
        let mut hdr = [0u8; VNET_HDR_LEN];
        for _ in 0..BATCH {
            let mut buf = pool.pop().unwrap_or_else(|| Vec::with_capacity(BUF));
            buf.clear();
            let iov = [
                libc::iovec {
                    iov_base: hdr.as_mut_ptr().cast(),
                    iov_len: hdr.len(),
                },
                libc::iovec {
                    iov_base: buf.as_mut_ptr().cast(),
                    iov_len: buf.capacity(),
                },
            ];
            let skip = usize::from(!vnet);
            // SAFETY: reading into the header array and at most `capacity` bytes of the Vec's
            // spare capacity (both outlive the call) from an open fd; the Vec's length is set
            // only to what the kernel wrote there.
            let n = unsafe { libc::readv(fd, iov[skip..].as_ptr(), (2 - skip) as libc::c_int) };
            let head = if vnet { VNET_HDR_LEN as isize } else { 0 };
            if n <= head {
                // EAGAIN (drained), or an error: either way wait for the next readiness.
                pool.push(buf);
                return false;
            }
            // SAFETY: `readv` initialised the first `n - head` (≤ capacity) bytes of the Vec.
            unsafe { buf.set_len((n - head) as usize) };
            self.stats.rx_frames += 1;
            let now = self.now();
            if vnet {
                match Offload::decode(&hdr) {
                    Ok(off) if off.is_none() => {
                        self.engine.handle_frame_owned(self.ports[i], buf, now)
                    }
                    Ok(off) => self
                        .engine
                        .handle_frame_offload(self.ports[i], buf, off, now),
                    Err(_) => self.stats.rx_bad_offload += 1,
                }
            } else {
                self.engine.handle_frame_owned(self.ports[i], buf, now);
            }
            self.flush_into(Some(pool));
        }
        true
    }

    /// Sends the engine's frames and hands its events to subscribers.
    fn flush(&mut self) {
        self.flush_into(None)
    }

    /// `flush`, returning written read-sized buffers to `pool` for the next reads.
    fn flush_into(&mut self, mut pool: Option<&mut Vec<Vec<u8>>>) {
        while let Some((out, off)) = self.engine.poll_output_offload() {
            match out {
                Output::Frame { port, mut data } => {
                    let Some(&fd) = self.fds.get(port.idx()) else {
                        self.stats.tx_dropped += 1;
                        continue;
                    };
                    let vnet = self.vnet[port.idx()];
                    if !vnet && !off.is_none() && !bare(&mut data, off) {
                        self.stats.tx_dropped += 1;
                        continue;
                    }
                    let hdr = off.encode();
                    let iov = [
                        libc::iovec {
                            iov_base: hdr.as_ptr() as *mut libc::c_void,
                            iov_len: hdr.len(),
                        },
                        libc::iovec {
                            iov_base: data.as_ptr() as *mut libc::c_void,
                            iov_len: data.len(),
                        },
                    ];
                    let skip = usize::from(!vnet);
                    let want = (data.len() + if vnet { VNET_HDR_LEN } else { 0 }) as isize;
                    // SAFETY: writing two valid buffers (never written through) to an open fd.
                    let n = unsafe {
                        libc::writev(fd, iov[skip..].as_ptr(), (2 - skip) as libc::c_int)
                    };
                    if n == want {
                        self.stats.tx_frames += 1;
                    } else {
                        self.stats.tx_dropped += 1;
                    }
                    if let Some(p) = pool.as_deref_mut() {
                        if data.capacity() >= BUF && p.len() < POOL {
                            p.push(data);
                        }
                    }
                }
                Output::Packet(ev) => self.publish(ev),
            }
        }
    }

    /// Records `ev` in the flow-log sinks and sends a copy to each subscriber, then hands it
    /// back to the engine for reuse.
    fn publish(&mut self, ev: Box<PacketEvent>) {
        if !self.sinks.is_empty() {
            let r = self.sinks.record(&ev);
            self.sink_result(r);
        }
        if !self.subs.is_empty() {
            self.send_to_subscribers(&ev);
        }
        self.engine.recycle(ev);
    }

    fn send_to_subscribers(&mut self, ev: &PacketEvent) {
        let mut dropped = 0;
        self.subs
            .retain(|s| match s.try_send(Box::new(ev.clone())) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    dropped += 1;
                    true
                }
                Err(TrySendError::Disconnected(_)) => false,
            });
        self.stats.events_dropped += dropped;
        if self.subs.is_empty() {
            self.update_events();
        }
    }

    /// Handles queued commands; false on Stop or when every sender is gone.
    fn commands(&mut self) -> bool {
        loop {
            match self.rx.try_recv() {
                Ok(Cmd::Apply(net, done)) => {
                    self.engine.apply(net);
                    self.flush();
                    let _ = done.send(());
                }
                Ok(Cmd::Subscribe(s, frames)) => {
                    self.subs.push(s);
                    self.frames |= frames;
                    self.update_events();
                }
                Ok(Cmd::ReplaceSinks(net, base, done)) => {
                    let r = self.replace_sinks(&net, &base);
                    let _ = done.send(r);
                }
                Ok(Cmd::Status(reply)) => {
                    let _ = reply.send(LoopStatus {
                        io: self.stats.clone(),
                        engine: self.engine.stats().clone(),
                        flow_log_errors: self.sink_errors.clone(),
                    });
                }
                Ok(Cmd::Stop) => return false,
                Err(mpsc::TryRecvError::Empty) => return true,
                Err(mpsc::TryRecvError::Disconnected) => return false,
            }
        }
    }
}

/// The ports in the model must match the TAPs (by index): `PortId(i)` ↔ `taps[i]`.
pub fn ports_match(taps: &[(PortId, OwnedFd)]) -> bool {
    taps.iter().enumerate().all(|(i, (p, _))| p.idx() == i)
}
