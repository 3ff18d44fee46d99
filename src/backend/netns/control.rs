//! The control socket `/run/vpclab/NAME/ctl.sock` (part of `backend::netns`, rank 7; the CLI's
//! `status`, `apply`, `down`, `capture` and live probes are its clients): a Unix stream socket
//! speaking JSON lines.
//!
//! The client writes one request line; the daemon answers with one response line
//! `{"ok": true, ...}` or `{"ok": false, "code": N, "error": "..."}` (N an exit code).
//! Requests:
//! - `{"cmd":"status"}` → `{"ok":true,"stats":{"io":{...},"engine":{...}}}`
//! - `{"cmd":"apply","file":"/abs/path.yaml"}` with the file's open descriptor passed along
//!   (`SCM_RIGHTS`, see `peer` and [`apply_file`]) → the daemon reads the descriptor, never the
//!   path, validates it (same `name:`, same instances and internet hosts) and opens every new
//!   flow-log file, then swaps the model in with `Engine::apply`. All or nothing: `code` 2 for
//!   a malformed file (or no descriptor), 3 for an unwritable flow-log path, and nothing
//!   changed either way.
//! - `{"cmd":"stop"}` → `{"ok":true}`, then the daemon tears everything down and exits.
//! - `{"cmd":"subscribe","frames":false}` → `{"ok":true,"epoch_unix_ns":N}` (engine time 0 as
//!   Unix time), then one `EventRecord` (JSON) per line for every packet event until the client
//!   closes the connection. A slow reader loses events (counted
//!   in `events_dropped`), never slows the data plane.
//!
//! Bounds (`control_limits`): a request line longer than [`MAX_REQUEST_LINE`] or not sent
//! within 30 s gets an error reply (or none) and the connection is closed; past
//! [`MAX_CONNECTIONS_PER_USER`] open connections of one peer uid (`SO_PEERCRED`), or
//! [`MAX_CONNECTIONS`] in all, a new one gets `{"ok":false,"code":3,...}` and is closed. The daemon reads `apply`'s file once, bounded, and its errors name the file and the
//! position, never the file's contents: the daemon may read what its client cannot.

use super::control_limits::{self as limits, LineError, Slots};
use super::engine_loop::{Cmd, Handle};
use super::state::StateDir;
use crate::engine::{PacketEvent, TcpFlags};
use crate::flowlog::Sinks;
use crate::model::Network;
use crate::policy::{Decision, Direction, TrafficPath, Verdict};
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, Write};
use std::net::IpAddr;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

pub use super::control_limits::{MAX_CONNECTIONS, MAX_CONNECTIONS_PER_USER, MAX_REQUEST_LINE};

/// One packet event on the subscription stream: a `PacketEvent` with the ENI's id added, its
/// fields typed; serde writes it as one JSON line (addresses as text, flags and traffic path as
/// numbers, the decision as `Decision`'s JSON).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EventRecord {
    /// Nanoseconds on the engine's monotonic clock.
    pub time: u64,
    /// The ENI's display id (`eni-web`); empty if the index is not in the model.
    pub eni: String,
    /// The ENI's index in `Network::enis` (`EniId.0`).
    pub eni_index: u32,
    /// Into or out of the ENI (`inbound` / `outbound`).
    pub direction: Direction,
    /// Source address of the header as it is on the wire at this ENI (IPv4 or IPv6; both
    /// addresses of a record are of one family).
    pub src: IpAddr,
    /// Destination address of the header on the wire at this ENI.
    pub dst: IpAddr,
    /// IP protocol number (IANA).
    pub proto: u8,
    /// Source port (ICMP: the echo identifier).
    pub sport: u16,
    /// Destination port (ICMP: `type << 8 | code`).
    pub dport: u16,
    /// Source address before any NAT (AWS's `pkt-srcaddr`).
    pub pkt_src: IpAddr,
    /// Destination address before any NAT (AWS's `pkt-dstaddr`).
    pub pkt_dst: IpAddr,
    /// IP total length in bytes (header included); for a segment, of all its wire packets.
    pub bytes: u32,
    /// Wire packets the event stands for (more than 1 for a segment, with offloads); 1 when
    /// absent (records from before offloads).
    #[serde(default = "one")]
    pub packets: u32,
    /// TCP flags of the packet (a number on the wire).
    pub tcp_flags: TcpFlags,
    /// ACCEPT or REJECT of this packet at this ENI.
    pub verdict: Verdict,
    /// `ACCEPT sg-web inbound rule 1` (the pcapng comment).
    pub summary: String,
    /// The full decision (its JSON form on the wire).
    pub decision: Decision,
    /// AWS's `traffic-path` (a number on the wire); None when the walk set none.
    pub traffic_path: Option<TrafficPath>,
    /// The frame in hex, when the engine captured it.
    pub frame_hex: Option<String>,
}

/// Serde's default for [`EventRecord::packets`]: one wire packet.
fn one() -> u32 {
    1
}

impl EventRecord {
    /// The record of an engine event; `net` names the ENI.
    pub fn from_event(net: &Network, ev: &PacketEvent) -> Self {
        EventRecord {
            time: ev.time,
            eni: net
                .enis
                .get(ev.eni.idx())
                .map(|e| e.aws_id.clone())
                .unwrap_or_default(),
            eni_index: ev.eni.0,
            direction: ev.direction,
            src: ev.header.src(),
            dst: ev.header.dst(),
            proto: ev.header.proto(),
            sport: ev.header.sport(),
            dport: ev.header.dport(),
            pkt_src: ev.pkt_src,
            pkt_dst: ev.pkt_dst,
            bytes: ev.bytes,
            packets: ev.packets,
            tcp_flags: ev.tcp_flags,
            verdict: ev.verdict,
            summary: ev.decision.summary(),
            decision: (*ev.decision).clone(),
            traffic_path: ev.traffic_path,
            frame_hex: ev
                .frame
                .as_ref()
                .map(|f| f.iter().map(|b| format!("{b:02x}")).collect()),
        }
    }

    /// The frame's bytes, when present and well formed.
    pub fn frame(&self) -> Option<Vec<u8>> {
        let h = self.frame_hex.as_ref()?;
        (0..h.len())
            .step_by(2)
            .map(|i| h.get(i..i + 2).and_then(|s| u8::from_str_radix(s, 16).ok()))
            .collect()
    }
}

/// A request line, tagged by `cmd`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "lowercase")]
pub enum Request {
    /// `status`: the engine's and the I/O loop's counters.
    Status,
    /// `apply`: load a changed topology file and swap it in.
    Apply {
        /// Absolute path of the file (the daemon's working directory is not the client's).
        file: PathBuf,
    },
    /// `stop`: answer, then tear everything down and exit.
    Stop,
    /// Stream packet events (`"frames": true` to get each frame in `frame_hex`).
    Subscribe {
        /// True to include each frame, hex-encoded, in `frame_hex` (default false).
        #[serde(default)]
        frames: bool,
    },
}

/// Checks a changed network against the running one: `apply` changes rules, routes and records,
/// not the set of hosts (their namespaces and TAPs are already built).
pub fn check_apply(old: &Network, new: &Network) -> Result<(), String> {
    if old.name != new.name {
        return Err(format!(
            "the file describes topology `{}`, but the running one is `{}`",
            new.name, old.name
        ));
    }
    let same = old.ports.len() == new.ports.len()
        && old.ports.iter().zip(&new.ports).all(|(a, b)| {
            a.name == b.name && a.ip == b.ip && a.mac == b.mac && a.gateway == b.gateway
        });
    if !same {
        return Err(
            "apply cannot add, remove, rename or re-address instances or internet hosts\n\
             hint: `vpclab down` and `vpclab up` the changed file"
                .into(),
        );
    }
    Ok(())
}

/// What the control server knows besides the model.
#[derive(Clone, Debug, Default)]
pub struct ServeCtx {
    /// Engine time 0 as Unix nanoseconds (sent to subscribers).
    pub epoch_unix_ns: u64,
    /// The running topology file's folder (relative flow-log paths); updated by apply.
    pub base_dir: Arc<std::sync::Mutex<PathBuf>>,
}

/// A comparable form of the `flow_logs:` section, paths resolved against `base`: `apply`
/// rebuilds the sinks (truncating their files) only when it changed.
pub fn flow_log_key(net: &Network, base: &Path) -> Vec<String> {
    net.flow_logs
        .iter()
        .map(|f| {
            format!(
                "{}|{:?}|{:?}|{}|{}|{:?}",
                f.resource,
                f.traffic,
                f.format,
                base.join(&f.path).display(),
                f.aggregation_interval,
                f.fields,
            )
        })
        .collect()
}

/// Serves the control socket on its own thread. `current` holds the running model (updated by
/// apply).
pub fn serve(
    dir: StateDir,
    handle: Handle,
    current: Arc<std::sync::Mutex<Arc<Network>>>,
) -> io::Result<()> {
    serve_with(dir, handle, current, ServeCtx::default())
}

/// `serve`, with the epoch and the flow-log folder.
pub fn serve_with(
    dir: StateDir,
    handle: Handle,
    current: Arc<std::sync::Mutex<Arc<Network>>>,
    ctx: ServeCtx,
) -> io::Result<()> {
    let path = dir.ctl_sock();
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::thread::Builder::new()
        .name("vpclab-ctl".into())
        .spawn(move || {
            let slots = Slots::default();
            for conn in listener.incoming().flatten() {
                // A peer whose credentials cannot be read counts as nobody (65534).
                let uid = super::peer::peer(&conn).map_or(65534, |p| p.uid);
                let Some(slot) = slots.take(uid) else {
                    // A fresh socket's send buffer is empty: this cannot block the acceptor.
                    let _ = conn.set_nonblocking(true);
                    let _ = reply(&conn, limits::too_many_reply());
                    continue;
                };
                let (h, c, d, x) = (handle.clone(), current.clone(), dir.clone(), ctx.clone());
                let _ = std::thread::Builder::new()
                    .name("vpclab-ctl-conn".into())
                    .spawn(move || {
                        let _slot = slot;
                        let _ = handle_conn(conn, &h, &c, &d, &x);
                    });
            }
        })?;
    Ok(())
}

/// Writes one response line (std sends with `MSG_NOSIGNAL`: a client gone is an error here,
/// not a SIGPIPE for the daemon).
fn reply(mut conn: &UnixStream, v: serde_json::Value) -> io::Result<()> {
    let mut s = v.to_string();
    s.push('\n');
    conn.write_all(s.as_bytes())
}

fn handle_conn(
    conn: UnixStream,
    handle: &Handle,
    current: &std::sync::Mutex<Arc<Network>>,
    dir: &StateDir,
    ctx: &ServeCtx,
) -> io::Result<()> {
    let (line, fd) = match limits::read_request(&conn) {
        Ok(l) => l,
        Err(LineError::TooLong) => return reply(&conn, limits::too_long_reply()),
        Err(LineError::Io(e)) => return Err(e),
    };
    let req: Request = match serde_json::from_str(&line) {
        Ok(r) => r,
        Err(e) => {
            return reply(
                &conn,
                serde_json::json!({"ok": false, "code": 2, "error": format!("bad request: {e}")}),
            )
        }
    };
    let gone = || serde_json::json!({"ok": false, "code": 3, "error": "the engine is stopping"});
    match req {
        Request::Status => {
            let (tx, rx) = mpsc::channel();
            if !handle.send(Cmd::Status(tx)) {
                return reply(&conn, gone());
            }
            match rx.recv_timeout(Duration::from_secs(5)) {
                Ok(s) => reply(&conn, serde_json::json!({"ok": true, "stats": s})),
                Err(_) => reply(&conn, gone()),
            }
        }
        Request::Stop => {
            reply(&conn, serde_json::json!({"ok": true}))?;
            handle.send(Cmd::Stop);
            Ok(())
        }
        Request::Apply { file } => {
            let v = apply(file, fd, handle, current, dir, ctx)?;
            reply(&conn, v)
        }
        Request::Subscribe { frames } => {
            let (tx, rx) = mpsc::sync_channel::<Box<PacketEvent>>(8192);
            if !handle.send(Cmd::Subscribe(tx, frames)) {
                return reply(&conn, gone());
            }
            reply(
                &conn,
                serde_json::json!({"ok": true, "epoch_unix_ns": ctx.epoch_unix_ns}),
            )?;
            for ev in rx {
                let net = current
                    .lock()
                    .map(|g| g.clone())
                    .map_err(|_| io::Error::other("poisoned"))?;
                let mut s =
                    serde_json::to_string(&EventRecord::from_event(&net, &ev)).unwrap_or_default();
                s.push('\n');
                (&conn).write_all(s.as_bytes())?;
            }
            Ok(())
        }
    }
}

/// `apply`, all or nothing: the passed file is read (bounded) and validated, and every new
/// flow-log file opened ([`Sinks::preflight`]) before the model changes; a malformed file is
/// code 2, an unwritable flow-log path code 3, and either leaves the running topology as it
/// was. `file` only names the file (messages, the folder of relative flow-log paths): the
/// daemon reads the descriptor the client passed, never the path.
fn apply(
    file: PathBuf,
    fd: Option<std::os::fd::OwnedFd>,
    handle: &Handle,
    current: &std::sync::Mutex<Arc<Network>>,
    dir: &StateDir,
    ctx: &ServeCtx,
) -> io::Result<serde_json::Value> {
    let fail =
        |code: i32, error: String| serde_json::json!({"ok": false, "code": code, "error": error});
    let gone = || fail(3, "the engine is stopping".into());
    let Some(fd) = fd else {
        return Ok(fail(
            2,
            format!(
                "{}: apply needs the file's open descriptor with the request (as `vpclab apply` sends it); the daemon does not open paths its clients name",
                file.display()
            ),
        ));
    };
    // Read once, bounded; the same bytes are parsed and kept as the running copy.
    let cap = crate::topology::load::MAX_FILE_BYTES as u64;
    let text = match super::peer::read_passed(fd, &file, cap) {
        Ok(t) => t,
        Err(e) => return Ok(fail(2, limits::unreadable(&e))),
    };
    let name = file.display().to_string();
    let net = match crate::load::load_str(&name, &text) {
        Ok(l) => l.network,
        Err(r) => return Ok(fail(2, limits::redacted(&name, &r))),
    };
    let old = current
        .lock()
        .map(|g| g.clone())
        .map_err(|_| io::Error::other("poisoned"))?;
    if net.name != old.name {
        // check_apply would quote the file's `name:`.
        return Ok(fail(
            2,
            format!(
                "{name}: describes another topology than the running `{}`",
                old.name
            ),
        ));
    }
    if let Err(e) = check_apply(&old, &net) {
        return Ok(fail(2, e));
    }
    let new_base = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let old_base = ctx.base_dir.lock().map(|g| g.clone()).unwrap_or_default();
    let sinks_changed = flow_log_key(&old, &old_base) != flow_log_key(&net, &new_base);
    if sinks_changed {
        let open = Sinks::paths(&old, &old_base);
        match Sinks::preflight(&net, &new_base, &open) {
            Ok(()) => {}
            Err(e @ crate::flowlog::Error::Io { .. }) => {
                return Ok(fail(3, format!("{e}\nnothing was applied")))
            }
            Err(e) => return Ok(fail(2, format!("{e}\nnothing was applied"))),
        }
    }
    let net = Arc::new(net);
    let (tx, rx) = mpsc::channel();
    if !handle.send(Cmd::Apply(net.clone(), tx))
        || rx.recv_timeout(Duration::from_secs(10)).is_err()
    {
        return Ok(gone());
    }
    if let Ok(mut g) = current.lock() {
        *g = net.clone();
    }
    let _ = dir.write("topology.yaml", &text);
    if let Err(e) = super::alb::write_configs(dir, &net) {
        eprintln!("vpclab: the ALB nodes keep their old configuration: {e}");
    }
    if let Ok(mut g) = ctx.base_dir.lock() {
        *g = new_base.clone();
    }
    // Flow logs: rebuilt only when their definitions changed. The preflight opened every new
    // file, so this fails only if the file system changed in between.
    if sinks_changed {
        let (tx, rx) = mpsc::channel();
        if handle.send(Cmd::ReplaceSinks(net.clone(), new_base, tx)) {
            if let Ok(Err(e)) = rx.recv_timeout(Duration::from_secs(10)) {
                return Ok(fail(1, format!("applied, but the flow logs failed: {e}")));
            }
        }
    }
    Ok(serde_json::json!({"ok": true}))
}

/// `apply` as a client: opens `file` with this process's own identity (so the daemon reads
/// only what its client can) and sends the descriptor with the request line; reads the reply.
pub fn apply_file(sock: &Path, file: &Path, timeout: Duration) -> io::Result<serde_json::Value> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(file)?;
    let conn = UnixStream::connect(sock)?;
    conn.set_read_timeout(Some(timeout))?;
    conn.set_write_timeout(Some(timeout))?;
    let mut s = serde_json::to_string(&Request::Apply {
        file: file.to_path_buf(),
    })
    .map_err(io::Error::other)?;
    s.push('\n');
    super::peer::send_with_fd(&conn, s.as_bytes(), &f)?;
    let mut line = String::new();
    BufReader::new(conn).read_line(&mut line)?;
    serde_json::from_str(&line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Sends one request and reads the one-line response.
pub fn request(sock: &Path, req: &Request, timeout: Duration) -> io::Result<serde_json::Value> {
    let mut conn = UnixStream::connect(sock)?;
    conn.set_read_timeout(Some(timeout))?;
    conn.set_write_timeout(Some(timeout))?;
    let mut s = serde_json::to_string(req).map_err(io::Error::other)?;
    s.push('\n');
    conn.write_all(s.as_bytes())?;
    let mut line = String::new();
    BufReader::new(conn).read_line(&mut line)?;
    serde_json::from_str(&line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Subscribes to packet events of a running topology: an iterator of records that ends when
/// the daemon stops (for `capture` and `probe`).
pub fn subscribe(sock: &Path, frames: bool) -> io::Result<impl Iterator<Item = EventRecord>> {
    subscribe_with_epoch(sock, frames).map(|(_, it)| it)
}

/// `subscribe`, also returning engine time 0 as Unix nanoseconds (0 if the daemon did not say).
/// When this returns, the engine has the subscription: events of packets sent afterwards are
/// in the stream.
pub fn subscribe_with_epoch(
    sock: &Path,
    frames: bool,
) -> io::Result<(u64, impl Iterator<Item = EventRecord>)> {
    let mut conn = UnixStream::connect(sock)?;
    conn.write_all(format!("{{\"cmd\":\"subscribe\",\"frames\":{frames}}}\n").as_bytes())?;
    let mut lines = BufReader::new(conn).lines();
    let first = lines
        .next()
        .ok_or_else(|| io::Error::other("no answer from the engine"))??;
    let v: serde_json::Value =
        serde_json::from_str(&first).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    if v["ok"] != serde_json::Value::Bool(true) {
        return Err(io::Error::other(
            v["error"].as_str().unwrap_or("refused").to_string(),
        ));
    }
    let epoch = v["epoch_unix_ns"].as_u64().unwrap_or(0);
    // Commands are handled in order: once `status` answers, the subscription is registered.
    let _ = request(sock, &Request::Status, Duration::from_secs(5));
    Ok((
        epoch,
        lines
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str(&l).ok()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(yaml: &str) -> Network {
        let t = crate::topology::parse_str("t.yaml", yaml).expect("parses");
        crate::model::build(&t, "t.yaml").expect("builds")
    }

    const BASE: &str = "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: { cidr: 10.0.0.0/24 }\n    instances:\n      a: { subnet: s, ip: 10.0.0.10 }\n";

    #[test]
    fn apply_keeps_hosts() {
        let old = net(BASE);
        assert!(check_apply(&old, &net(BASE)).is_ok());
        let moved = net(&BASE.replace("10.0.0.10", "10.0.0.11"));
        assert!(check_apply(&old, &moved)
            .unwrap_err()
            .contains("re-address"));
        let renamed = net(&BASE.replace("name: t", "name: u"));
        assert!(check_apply(&old, &renamed)
            .unwrap_err()
            .contains("topology `u`"));
    }

    #[test]
    fn frame_hex_roundtrip() {
        let r = EventRecord {
            time: 1,
            eni: "eni-a".into(),
            eni_index: 0,
            direction: Direction::Inbound,
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            proto: 6,
            sport: 1,
            dport: 2,
            pkt_src: "10.0.0.1".parse().unwrap(),
            pkt_dst: "10.0.0.2".parse().unwrap(),
            bytes: 40,
            packets: 1,
            tcp_flags: TcpFlags::SYN,
            verdict: Verdict::Accept,
            summary: String::new(),
            decision: Decision {
                verdict: Verdict::Accept,
                component: "sg-a".into(),
                kind: crate::policy::ComponentKind::SecurityGroup,
                direction: None,
                rule: crate::policy::RuleId::Tracked,
                code: None,
                detail: String::new(),
            },
            traffic_path: None,
            frame_hex: Some("00ff10".into()),
        };
        assert_eq!(r.frame(), Some(vec![0, 0xff, 0x10]));
        let back: EventRecord = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back.frame(), Some(vec![0, 0xff, 0x10]));
    }

    #[test]
    fn request_lines() {
        assert_eq!(
            serde_json::to_string(&Request::Status).unwrap(),
            r#"{"cmd":"status"}"#
        );
        let r: Request = serde_json::from_str(r#"{"cmd":"apply","file":"/x.yaml"}"#).unwrap();
        assert!(matches!(r, Request::Apply { .. }));
    }
}
