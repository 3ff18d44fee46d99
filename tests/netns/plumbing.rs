//! End-to-end plumbing of the netns backend (no forwarding needed): `up --detach` builds the
//! namespaces with `eth0` configured, `exec` passes exit codes through, `status --json`,
//! `down` leaves nothing, SIGKILL + `down --force` cleans everything, and the root namespace
//! never changes nor sees a packet with a topology address.

use crate::common::netns::*;
use crate::common::require::{self, CURL, NC, NFT, PING, SS};
use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The root namespace's routes, addresses and links (names and flags, no counters).
fn root_snapshot() -> String {
    let mut s = String::new();
    for args in [
        &["route", "show", "table", "all"][..],
        &["-br", "addr"],
        &["-br", "link"],
    ] {
        let o = std::process::Command::new("ip")
            .args(args)
            .output()
            .expect("ip");
        s.push_str(&String::from_utf8_lossy(&o.stdout));
    }
    s
}

/// An AF_PACKET capture on every interface of the root namespace.
struct Capture {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Vec<u8>>>,
}

fn start_capture() -> Capture {
    let proto = (libc::ETH_P_ALL as u16).to_be() as i32;
    // SAFETY: plain socket creation; the fd is owned by the capture thread below.
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, proto) };
    assert!(
        fd >= 0,
        "AF_PACKET socket: {}",
        std::io::Error::last_os_error()
    );
    let tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 200_000,
    };
    // SAFETY: setting SO_RCVTIMEO with a valid timeval.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as u32,
        )
    };
    let stop = Arc::new(AtomicBool::new(false));
    let st = stop.clone();
    let thread = std::thread::spawn(move || {
        let mut frames = Vec::new();
        let mut buf = vec![0u8; 65536];
        while !st.load(Ordering::Relaxed) {
            // SAFETY: receiving into a valid buffer.
            let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n > 0 {
                frames.push(buf[..(n as usize).min(64)].to_vec());
            }
        }
        // SAFETY: closing the fd this thread owns.
        unsafe { libc::close(fd) };
        frames
    });
    Capture { stop, thread }
}

/// IPv4 addresses in an Ethernet frame's IPv4 or ARP header.
fn frame_addrs(f: &[u8]) -> Vec<Ipv4Addr> {
    let ip = |o: usize| {
        f.get(o..o + 4)
            .map(|b| Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    };
    match f.get(12..14) {
        Some([0x08, 0x00]) => [ip(26), ip(30)].into_iter().flatten().collect(),
        Some([0x08, 0x06]) => [ip(28), ip(38)].into_iter().flatten().collect(),
        _ => Vec::new(),
    }
}

/// Every address of a topology a leak would show.
fn topology_addrs(net: &vpclab::model::Network) -> (HashSet<Ipv4Addr>, Vec<ipnet::Ipv4Net>) {
    let mut set: HashSet<Ipv4Addr> = net.ports.iter().map(|p| p.ip).collect();
    set.extend(net.enis.iter().filter_map(|e| e.public_ip));
    set.extend(net.nat_gateways.iter().filter_map(|n| n.elastic_ip));
    let cidrs = net.vpcs.iter().flat_map(|v| v.cidrs.clone()).collect();
    (set, cidrs)
}

/// True when a process is gone or a zombie waiting for its (new) parent to reap it.
fn gone(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.is_empty()
        || stat
            .rsplit_once(") ")
            .is_some_and(|(_, r)| r.starts_with('Z'))
}

#[test]
#[ignore = "needs root, curl, nc, ping and ss: run the README's test command (scripts/test.sh)"]
fn up_exec_status_down_leave_nothing() {
    require::netns(&[CURL, NC, PING, SS]);
    let before = root_snapshot();
    let cap = start_capture();
    let t = Topo::new("npl", THREE_TIER);
    let net = t.network();
    t.up();

    // Namespaces with eth0 configured.
    let mut nss = namespaces_of(&t.name);
    nss.sort();
    let mut want: Vec<String> = ["app", "client", "db", "web"]
        .iter()
        .map(|h| t.ns(h))
        .collect();
    want.sort();
    assert_eq!(nss, want);
    let web = net.port(net.instance(net.instance_by_name("web").unwrap()).port);
    let addr = stdout(&t.exec("web", &["ip", "-o", "addr", "show", "dev", "eth0"]));
    assert!(addr.contains("10.0.0.10/24"), "{addr}");
    let link = stdout(&t.exec("web", &["ip", "-o", "link", "show", "dev", "eth0"]));
    assert!(
        link.contains(&vpclab::model::mac_string(&web.mac)),
        "{link}"
    );
    assert!(link.contains("mtu 9001") && link.contains(",UP"), "{link}");
    let route = stdout(&t.exec("web", &["ip", "route", "show", "default"]));
    assert!(route.contains("default via 10.0.0.1 dev eth0"), "{route}");
    let route = stdout(&t.exec("client", &["ip", "route", "show", "default"]));
    assert!(route.contains("default dev eth0"), "{route}");
    let lo = stdout(&t.exec("db", &["ip", "-o", "link", "show", "dev", "lo"]));
    assert!(lo.contains("UP"), "{lo}");
    let resolv = stdout(&t.exec("app", &["cat", "/etc/resolv.conf"]));
    assert!(resolv.contains("nameserver 10.0.0.2"), "{resolv}");

    // exec passes exit codes through; unknown instance → 2.
    assert_eq!(
        t.exec("web", &["sh", "-c", "exit 7"]).status.code(),
        Some(7)
    );
    assert_eq!(t.exec("web", &["true"]).status.code(), Some(0));
    assert_eq!(t.exec("nosuch", &["true"]).status.code(), Some(2));

    // status --json.
    let o = vpclab()
        .args(["status", &t.name, "--json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("status --json is JSON");
    let topo = &v["topologies"][0];
    assert_eq!(topo["name"], t.name.as_str());
    assert_eq!(topo["state"], "running");
    assert_eq!(topo["hosts"].as_array().map(|a| a.len()), Some(4));

    // Built-in services listen inside their namespaces.
    let ss = stdout(&t.exec("web", &["ss", "-Hltn"]));
    assert!(ss.contains(":80 "), "{ss}");

    // Traffic attempts (internet host → public IP, app → db); whatever the engine does with
    // them, none may appear in the root namespace.
    let _ = t.exec("client", &["ping", "-c", "2", "-W", "1", "203.0.113.11"]);
    let _ = t.exec("client", &["curl", "-s", "-m", "2", "http://203.0.113.11/"]);
    let _ = t.exec("app", &["nc", "-z", "-w", "2", "10.0.2.4", "5432"]);

    let dir = std::path::Path::new("/run/vpclab").join(&t.name);
    let pids: Vec<i32> = std::fs::read_to_string(dir.join("pids"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(!pids.is_empty(), "services were recorded");

    let o = vpclab().args(["down", &t.name]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    cap.stop.store(true, Ordering::Relaxed);
    let frames = cap.thread.join().unwrap();

    assert!(namespaces_of(&t.name).is_empty(), "namespaces left");
    assert!(!dir.exists(), "state dir left");
    for h in ["web", "app", "db", "client"] {
        assert!(
            !std::path::Path::new("/etc/netns").join(t.ns(h)).exists(),
            "/etc/netns left"
        );
    }
    for p in pids {
        assert!(gone(p), "process {p} left");
    }
    assert_eq!(before, root_snapshot(), "root namespace changed");
    let (addrs, cidrs) = topology_addrs(&net);
    for f in frames {
        for a in frame_addrs(&f) {
            assert!(
                !addrs.contains(&a) && !cidrs.iter().any(|c| c.contains(&a)),
                "root namespace saw {a}"
            );
        }
    }
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn sigkill_then_down_force_cleans_everything() {
    require::netns(&[]);
    let t = Topo::new("nkl", THREE_TIER);
    t.up();
    let dir = std::path::Path::new("/run/vpclab").join(&t.name);
    let pid: i32 = std::fs::read_to_string(dir.join("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let pids: Vec<i32> = std::fs::read_to_string(dir.join("pids"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    // SAFETY: killing the daemon this test started.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let start = std::time::Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists()
        && start.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Plain `down` refuses (nothing running) and says to use --force.
    let o = vpclab().args(["down", &t.name]).output().unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    let o = vpclab()
        .args(["down", "--force", &t.name])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(namespaces_of(&t.name).is_empty(), "namespaces left");
    assert!(!dir.exists(), "state dir left");
    for p in pids {
        assert!(gone(p), "process {p} left");
    }
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn commands_without_a_running_topology_exit_3() {
    require::netns(&[]);
    let name = format!("nnr{}", std::process::id() % 100_000);
    let o = vpclab()
        .args(["exec", "--name", &name, "web", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let o = vpclab().args(["down", &name]).output().unwrap();
    assert_eq!(o.status.code(), Some(3));
    let t = Topo::new("nap", THREE_TIER);
    let o = vpclab().arg("apply").arg(&t.file).output().unwrap();
    assert_eq!(o.status.code(), Some(3));
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn apply_rejects_invalid_and_reshaped_files() {
    require::netns(&[]);
    let t = Topo::new("nav", THREE_TIER);
    t.up();
    let bad = t.rewrite(&THREE_TIER.replace("cidr: 10.0.2.0/24", "cidr: 10.9.2.0/24"));
    let o = vpclab().arg("apply").arg(&bad).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let moved = t.rewrite(&THREE_TIER.replace("ip: 10.0.0.10", "ip: 10.0.0.20"));
    let o = vpclab().arg("apply").arg(&moved).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let same = t.rewrite(THREE_TIER);
    let o = vpclab().arg("apply").arg(&same).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn foreground_up_tears_down_on_sigterm() {
    require::netns(&[]);
    let t = Topo::new("nfg", THREE_TIER);
    let mut child = vpclab()
        .arg("up")
        .arg(&t.file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let dir = std::path::Path::new("/run/vpclab").join(&t.name);
    let start = std::time::Instant::now();
    while !dir.join("ctl.sock").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "foreground up never got ready"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "foreground up exited early"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(namespaces_of(&t.name).len(), 4);
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("NAMESPACE"),
        "the table was printed"
    );
    assert!(namespaces_of(&t.name).is_empty(), "namespaces left");
    assert!(!dir.exists(), "state dir left");
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn subscription_stream_opens_and_ends_with_the_daemon() {
    require::netns(&[]);
    let t = Topo::new("nsb", THREE_TIER);
    t.up();
    let sock = std::path::Path::new("/run/vpclab")
        .join(&t.name)
        .join("ctl.sock");
    let events = vpclab::backend::netns::control::subscribe(&sock, false).expect("subscribe");
    let reader = std::thread::spawn(move || events.count());
    let o = vpclab().args(["down", &t.name]).output().unwrap();
    assert!(o.status.success());
    // The stream ends when the daemon goes away (no engine events are required here).
    let _ = reader.join().unwrap();
}

#[test]
#[ignore = "needs root and nft: run the README's test command (scripts/test.sh)"]
fn run_commands_log_and_nat_instance_masquerades() {
    require::netns(&[NFT]);
    let yaml = THREE_TIER.replace(
        "      db:  { subnet: data-a,",
        "      natbox: { subnet: public-a, role: nat, source_dest_check: false, run: [\"echo hello-from-run; exec sleep 1000\"] }\n      db:  { subnet: data-a,",
    );
    assert_ne!(yaml, THREE_TIER);
    let t = Topo::new("nrn", &yaml);
    t.up();
    let log = std::path::Path::new("/run/vpclab")
        .join(&t.name)
        .join("natbox.log");
    let start = std::time::Instant::now();
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("hello-from-run")
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "run: output never reached {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let fwd = stdout(&t.exec("natbox", &["cat", "/proc/sys/net/ipv4/ip_forward"]));
    assert_eq!(fwd.trim(), "1");
    let other = stdout(&t.exec("web", &["cat", "/proc/sys/net/ipv4/ip_forward"]));
    assert_eq!(other.trim(), "0", "forwarding only on the NAT instance");
    let rules = stdout(&t.exec("natbox", &["nft", "list", "ruleset"]));
    assert!(
        rules.contains("masquerade") && rules.contains("10.0.0.0/16"),
        "{rules}"
    );
    let in_ns = std::process::Command::new("ip")
        .args(["netns", "pids", &t.ns("natbox")])
        .output()
        .unwrap();
    let pids: Vec<i32> = stdout(&in_ns)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "sleep")
        })
        .collect();
    assert!(!pids.is_empty(), "the run: command is running");
    let o = vpclab().args(["down", &t.name]).output().unwrap();
    assert!(o.status.success());
    for p in pids {
        assert!(gone(p), "run: process {p} left");
    }
}
