//! Part of `backend` (rank 7). An Application Load Balancer node's proxy (`vpclab alb-node
//! CONFIG`, hidden), run by the netns backend in the node's namespace (its ENI's address, its
//! subnet router as gateway): it accepts on every listener port, reads one bounded request
//! head per connection, picks the rule and a healthy target round robin
//! (`services::alb`), connects to the target from the node's address (so the engine walks that
//! connection from the node's ENI: its SGs, the target's SG naming the ALB's SG), sends the
//! head with `X-Forwarded-For/-Proto/-Port` and relays the answer. Health checks are real
//! connections from the node at each group's interval. The daemon rewrites CONFIG after
//! `apply`; the proxy rereads it when it changes (new listener ports are bound then).

use crate::model::load_balancer::{HealthCheck, LbAction, LbProtocol};
use crate::services::alb::{
    self, GroupConfig, Head, HeadError, NodeConfig, TargetConfig, TargetHealth,
};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

/// How long a health check waits for its answer (AWS's ALB default `HealthCheckTimeoutSeconds`).
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the node waits to connect to a target before answering 504 (AWS: 10 s).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A client or target connection idle this long is closed (AWS's default idle timeout: 60 s).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the configuration file is looked at.
const RELOAD_POLL: Duration = Duration::from_millis(500);

/// One target of one group, as the health table keys it.
type Key = (String, TargetConfig);

/// What the proxy's threads share.
struct Node {
    cfg: RwLock<Arc<NodeConfig>>,
    health: Mutex<HashMap<Key, TargetHealth>>,
    /// Health-check loops running, by key (a loop ends when its key leaves the configuration).
    checking: Mutex<HashSet<Key>>,
    /// Request counters of the round robin, by group name.
    turns: Mutex<HashMap<String, usize>>,
    /// Listener ports bound.
    bound: Mutex<HashSet<u16>>,
}

fn read_config(path: &Path) -> io::Result<NodeConfig> {
    let text = std::fs::read_to_string(path)?;
    serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Runs the node described by the file `config` until killed: the listeners at once (`up`
/// waits for them), a first round of health checks beside them (the engine starts forwarding
/// only after `up` built every namespace; a request waits for its group's first results).
pub fn run(config: &Path) -> io::Result<()> {
    let cfg = read_config(config)?;
    let node = Arc::new(Node {
        cfg: RwLock::new(Arc::new(cfg)),
        health: Mutex::new(HashMap::new()),
        checking: Mutex::new(HashSet::new()),
        turns: Mutex::new(HashMap::new()),
        bound: Mutex::new(HashSet::new()),
    });
    bind_listeners(&node)?;
    let first = node.clone();
    std::thread::spawn(move || {
        first_round(&first);
        start_checks(&first);
    });
    let path: PathBuf = config.to_path_buf();
    let mut seen = modified(&path);
    loop {
        std::thread::sleep(RELOAD_POLL);
        let now = modified(&path);
        if now == seen {
            continue;
        }
        seen = now;
        match read_config(&path) {
            Ok(c) => {
                if let Ok(mut g) = node.cfg.write() {
                    *g = Arc::new(c);
                }
                eprintln!("vpclab alb-node: configuration reloaded");
                start_checks(&node);
                if let Err(e) = bind_listeners(&node) {
                    eprintln!("vpclab alb-node: {e}");
                }
            }
            Err(e) => {
                // Perhaps read while the daemon was writing it: read it again next time.
                seen = None;
                eprintln!("vpclab alb-node: kept the old configuration: {e}");
            }
        }
    }
}

fn config(node: &Node) -> Arc<NodeConfig> {
    node.cfg
        .read()
        .map(|g| g.clone())
        .unwrap_or_else(|e| e.into_inner().clone())
}

fn keys(cfg: &NodeConfig) -> Vec<(Key, HealthCheck)> {
    cfg.target_groups
        .iter()
        .flat_map(|g| {
            g.targets
                .iter()
                .map(move |t| ((g.name.clone(), *t), g.health.clone()))
        })
        .collect()
}

/// Checks every target once, all at the same time, and records the results.
fn first_round(node: &Arc<Node>) {
    let cfg = config(node);
    let handles: Vec<_> = keys(&cfg)
        .into_iter()
        .map(|(k, hc)| {
            let node = node.clone();
            std::thread::spawn(move || record(&node, &k, &hc, check(&k.1, &hc)))
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
}

fn record(node: &Node, k: &Key, hc: &HealthCheck, ok: bool) {
    let Ok(mut h) = node.health.lock() else {
        return;
    };
    let e = h.entry(k.clone()).or_default();
    if e.record(ok, hc) {
        let state = if e.healthy == Some(true) {
            "healthy"
        } else {
            "unhealthy"
        };
        eprintln!(
            "vpclab alb-node: target {}:{} of {} is {state} (health check {}:{})",
            k.1.ip, k.1.port, k.0, k.1.ip, k.1.health_port
        );
    }
}

/// Starts a check loop for every target of the configuration that has none.
fn start_checks(node: &Arc<Node>) {
    let cfg = config(node);
    for (k, _) in keys(&cfg) {
        let fresh = node.checking.lock().is_ok_and(|mut c| c.insert(k.clone()));
        if !fresh {
            continue;
        }
        let node = node.clone();
        std::thread::spawn(move || check_loop(&node, k));
    }
}

/// Checks one target at its group's interval while the configuration keeps it.
fn check_loop(node: &Node, k: Key) {
    loop {
        let cfg = config(node);
        let Some(hc) = keys(&cfg)
            .into_iter()
            .find(|(x, _)| *x == k)
            .map(|(_, hc)| hc)
        else {
            if let Ok(mut c) = node.checking.lock() {
                c.remove(&k);
            }
            return;
        };
        std::thread::sleep(Duration::from_secs(hc.interval_secs.max(1) as u64));
        let ok = check(&k.1, &hc);
        record(node, &k, &hc, ok);
    }
}

/// One health check of `t`: a TCP connection (TCP checks) or a GET of the path answered 200.
fn check(t: &TargetConfig, hc: &HealthCheck) -> bool {
    let addr = SocketAddr::from((t.ip, t.health_port));
    let Ok(mut c) = TcpStream::connect_timeout(&addr, HEALTH_TIMEOUT) else {
        return false;
    };
    if hc.protocol == LbProtocol::Tcp {
        return true;
    }
    let _ = c.set_read_timeout(Some(HEALTH_TIMEOUT));
    let _ = c.set_write_timeout(Some(HEALTH_TIMEOUT));
    if c.write_all(&alb::health_request(t, &hc.path)).is_err() {
        return false;
    }
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 4096 {
        match c.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    alb::health_ok(&buf)
}

/// Binds the configuration's listener ports not bound yet, each with an accept thread.
fn bind_listeners(node: &Arc<Node>) -> io::Result<()> {
    let cfg = config(node);
    for l in &cfg.listeners {
        if node.bound.lock().is_ok_and(|b| b.contains(&l.port)) {
            continue;
        }
        let tls = match l.protocol {
            LbProtocol::Https => Some(tls_config(&cfg)?),
            _ => None,
        };
        let sock = TcpListener::bind((Ipv4Addr::UNSPECIFIED, l.port))?;
        if let Ok(mut b) = node.bound.lock() {
            b.insert(l.port);
        }
        eprintln!(
            "vpclab alb-node: {} node {} listening on tcp:{}",
            cfg.lb, cfg.node_ip, l.port
        );
        let node = node.clone();
        std::thread::spawn(move || {
            for c in sock.incoming().flatten() {
                let node = node.clone();
                let tls = tls.clone();
                let _ = std::thread::Builder::new().spawn(move || serve(&node, c, tls));
            }
        });
    }
    Ok(())
}

/// The TLS identity of the node's HTTPS listeners: the leaf the daemon wrote for the DNS name.
fn tls_config(cfg: &NodeConfig) -> io::Result<Arc<rustls::ServerConfig>> {
    let (chain, key) = cfg.tls_files.as_ref().ok_or_else(|| {
        io::Error::other("an HTTPS listener without a certificate in the configuration")
    })?;
    let chain = std::fs::read_to_string(chain)?;
    let key = std::fs::read_to_string(key)?;
    crate::services::tls::server_config(&chain, &key).map_err(|e| io::Error::other(e.to_string()))
}

/// A client connection: plain (HTTP listeners) or TLS terminated at the node (HTTPS).
enum Client {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Read for Client {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        match self {
            Client::Plain(c) => c.read(b),
            Client::Tls(c) => c.read(b),
        }
    }
}

impl Write for Client {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Client::Plain(c) => c.write(b),
            Client::Tls(c) => c.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Client::Plain(c) => c.flush(),
            Client::Tls(c) => c.flush(),
        }
    }
}

/// Reads the head (bounded by `alb::MAX_HEAD`): the head's end and the bytes read.
fn read_head(c: &mut impl Read) -> Result<(usize, Vec<u8>), HeadError> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = crate::services::http::head_end(&buf) {
            return Ok((end, buf));
        }
        if buf.len() > alb::MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        match c.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(HeadError::Malformed),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// One client connection: one request, answered by the node or relayed from a target; TLS
/// first on an HTTPS listener (`tls`).
fn serve(node: &Node, c: TcpStream, tls: Option<Arc<rustls::ServerConfig>>) {
    let _ = c.set_read_timeout(Some(IDLE_TIMEOUT));
    let (Ok(local), Ok(peer)) = (c.local_addr(), c.peer_addr()) else {
        return;
    };
    let mut c = match tls {
        Some(cfg) => match rustls::ServerConnection::new(cfg) {
            Ok(conn) => Client::Tls(Box::new(rustls::StreamOwned::new(conn, c))),
            Err(_) => return,
        },
        None => Client::Plain(c),
    };
    let client = match peer.ip() {
        std::net::IpAddr::V4(a) => a,
        std::net::IpAddr::V6(a) => a.to_ipv4_mapped().unwrap_or(Ipv4Addr::UNSPECIFIED),
    };
    let cfg = config(node);
    let Some(listener) = cfg.listener(local.port()) else {
        return;
    };
    let (end, buf) = match read_head(&mut c) {
        Ok(x) => x,
        Err(HeadError::TooLarge) => return answer(c, alb::response(431, "text/plain", "")),
        Err(HeadError::Malformed) => return answer(c, alb::response(400, "text/plain", "")),
    };
    let head = match Head::parse(&buf[..end]) {
        Ok(h) => h,
        Err(HeadError::TooLarge) => return answer(c, alb::response(431, "text/plain", "")),
        Err(HeadError::Malformed) => return answer(c, alb::response(400, "text/plain", "")),
    };
    let host = head.header("host").unwrap_or(&cfg.dns_name).to_string();
    let (action, rule) = listener.pick(&host, head.path());
    let rule = rule.map_or("default action".to_string(), |p| format!("rule {p}"));
    let g = match action {
        LbAction::FixedResponse {
            status,
            body,
            content_type,
        } => {
            eprintln!(
                "vpclab alb-node: {client} {} {} ({rule}): fixed response {status}",
                head.method, head.target
            );
            return answer(c, alb::response(*status, content_type, body));
        }
        LbAction::Redirect(r) => {
            eprintln!(
                "vpclab alb-node: {client} {} {} ({rule}): redirect {}",
                head.method, head.target, r.status
            );
            return answer(c, alb::redirect(r, listener, &head, &cfg.dns_name));
        }
        LbAction::Forward(i) => match cfg.target_groups.get(*i) {
            Some(g) => g,
            None => return answer(c, alb::response(503, "text/plain", "")),
        },
    };
    let Some(t) = choose(node, g) else {
        eprintln!(
            "vpclab alb-node: {client} {} {} ({rule}): {} has no target: 503",
            head.method, head.target, g.name
        );
        return answer(c, alb::response(503, "text/plain", ""));
    };
    eprintln!(
        "vpclab alb-node: {client} {} {} ({rule}) -> {} target {}:{}",
        head.method, head.target, g.name, t.ip, t.port
    );
    let up = match TcpStream::connect_timeout(&SocketAddr::from((t.ip, t.port)), CONNECT_TIMEOUT) {
        Ok(u) => u,
        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
            return answer(c, alb::response(504, "text/plain", ""))
        }
        Err(_) => return answer(c, alb::response(502, "text/plain", "")),
    };
    relay(c, up, &head.forwarded(client, listener), &buf[end..]);
}

/// The target for the next request to group `g`: round robin over its healthy targets, all of
/// them when none is healthy.
fn choose(node: &Node, g: &GroupConfig) -> Option<TargetConfig> {
    // A target still in its initial state (no check answered yet): wait for it, bounded.
    let deadline = std::time::Instant::now() + HEALTH_TIMEOUT + Duration::from_secs(1);
    while std::time::Instant::now() < deadline {
        let known = node.health.lock().ok().is_some_and(|h| {
            g.targets.iter().all(|t| {
                h.get(&(g.name.clone(), *t))
                    .is_some_and(|x| x.healthy.is_some())
            })
        });
        if known {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let healthy: Vec<bool> = {
        let h = node.health.lock().ok()?;
        g.targets
            .iter()
            .map(|t| h.get(&(g.name.clone(), *t)).and_then(|x| x.healthy) == Some(true))
            .collect()
    };
    let turn = {
        let mut turns = node.turns.lock().ok()?;
        let n = turns.entry(g.name.clone()).or_insert(0);
        *n = n.wrapping_add(1);
        *n - 1
    };
    alb::pick_target(&healthy, turn).map(|i| g.targets[i])
}

/// Writes a whole answer of the node's own and closes (TLS: with `close_notify`).
fn answer(mut c: Client, bytes: Vec<u8>) {
    let _ = c.write_all(&bytes);
    let _ = c.flush();
    match c {
        Client::Plain(c) => {
            let _ = c.shutdown(Shutdown::Both);
        }
        Client::Tls(mut s) => {
            s.conn.send_close_notify();
            let _ = s.flush();
            let _ = s.sock.shutdown(Shutdown::Both);
        }
    }
}

/// Sends `head` and the body bytes already read to the target, then copies both ways until
/// the target closes. Through TLS the node relays one way at a time: the request (the body
/// bytes that came with the head) first, then the answer.
fn relay(c: Client, mut up: TcpStream, head: &[u8], rest: &[u8]) {
    let _ = up.set_read_timeout(Some(IDLE_TIMEOUT));
    if up.write_all(head).and_then(|_| up.write_all(rest)).is_err() {
        return answer(c, alb::response(502, "text/plain", ""));
    }
    let c = match c {
        Client::Plain(c) => c,
        tls => {
            let mut answer_bytes = Vec::new();
            let _ = (&mut up).take(64 << 20).read_to_end(&mut answer_bytes);
            let _ = up.shutdown(Shutdown::Both);
            return answer(tls, answer_bytes);
        }
    };
    let (Ok(mut c_in), Ok(mut up_out)) = (c.try_clone(), up.try_clone()) else {
        return;
    };
    let uploader = std::thread::spawn(move || {
        let _ = io::copy(&mut c_in, &mut up_out);
        let _ = up_out.shutdown(Shutdown::Write);
    });
    let mut c_out = c;
    let _ = io::copy(&mut up, &mut c_out);
    let _ = c_out.flush();
    let _ = c_out.shutdown(Shutdown::Both);
    let _ = up.shutdown(Shutdown::Both);
    let _ = uploader.join();
}
