//! `vpclab capture` on a running topology (netns backend, root): a capture to a file ended by
//! SIGINT opens in tshark with the ENI's interface name and verdict comments; `-w - -c N`
//! streams into `tshark -r -`.

use crate::common::netns::{vpclab, Topo, THREE_TIER};
use crate::common::require::{self, CURL, TSHARK};
use crate::common::tshark;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Waits until `f` holds (polling), up to a generous limit.
fn wait_for(mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn web_public_ip(t: &Topo) -> String {
    let net = t.network();
    let web = net
        .instances
        .iter()
        .find(|i| i.name == "web")
        .expect("web exists");
    net.eni(web.eni)
        .public_ip
        .expect("web has a public IP")
        .to_string()
}

fn curl_web(t: &Topo, ip: &str) {
    let out = t.exec(
        "client",
        &[
            "curl",
            "-s",
            "-m",
            "10",
            "-o",
            "/dev/null",
            &format!("http://{ip}/"),
        ],
    );
    assert!(out.status.success(), "curl failed: {out:?}");
}

#[test]
#[ignore = "needs root, curl and tshark: run the README's test command (scripts/test.sh)"]
fn capture_to_file_survives_sigint() {
    require::netns(&[CURL, TSHARK]);
    let t = Topo::new("lcap", THREE_TIER);
    t.up();
    let ip = web_public_ip(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("web.pcapng");
    let mut cap = vpclab()
        .args(["capture", "web", "--name", &t.name, "-w"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start capture");
    // The file header is written once the capture is subscribed.
    assert!(
        wait_for(|| std::fs::metadata(&file).is_ok_and(|m| m.len() > 0)),
        "capture never wrote its header"
    );
    curl_web(&t, &ip);
    // Packets are flushed one by one: wait until the capture has some, then interrupt it.
    let size_after_header = 100;
    assert!(
        wait_for(|| std::fs::metadata(&file).is_ok_and(|m| m.len() > size_after_header + 200)),
        "no packets captured"
    );
    // SAFETY: signalling the child we started, by pid.
    unsafe { libc::kill(cap.id() as i32, libc::SIGINT) };
    let _ = cap.wait();
    let text = tshark::fields(&file, &["frame.interface_name", "frame.comment"]);
    assert!(text.contains("eni-web (web)"), "no interface name: {text}");
    assert!(
        text.contains("ACCEPT sg-web inbound"),
        "no verdict comment: {text}"
    );
}

#[test]
#[ignore = "needs root, curl and tshark: run the README's test command (scripts/test.sh)"]
fn capture_streams_to_tshark() {
    require::netns(&[CURL, TSHARK]);
    let t = Topo::new("lpipe", THREE_TIER);
    t.up();
    let ip = web_public_ip(&t);
    let mut cap = vpclab()
        .args(["capture", "web", "--name", &t.name, "-w", "-", "-c", "3"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start capture");
    let pipe = cap.stdout.take().expect("stdout piped");
    let tshark = Command::new("tshark")
        .args([
            "-r",
            "-",
            "-T",
            "fields",
            "-e",
            "frame.interface_name",
            "-e",
            "tcp.dstport",
        ])
        .stdin(pipe)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start tshark");
    // Traffic until the capture has its 3 packets and exits.
    let start = Instant::now();
    while cap.try_wait().expect("wait capture").is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "capture never ended"
        );
        curl_web(&t, &ip);
    }
    let out = tshark.wait_with_output().expect("tshark ends");
    assert!(out.status.success(), "tshark failed: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 3, "expected 3 packets: {text}");
    assert!(
        text.lines().all(|l| l.starts_with("eni-web (web)")),
        "{text}"
    );
}
