//! pcap and pcapng files opened by the real `tshark`: interface names, verdict comments,
//! rejected packets, and files cut mid-stream. Each test needs tshark, so it is `#[ignore]`d
//! with that reason; run with `--include-ignored` without tshark, it fails saying so.

use crate::common::flowlog::*;
use crate::common::require::{self, TSHARK};
use crate::common::tshark::lines as tshark;
use std::path::Path;
use std::process::Command;
use vpclab::engine::PacketEvent;
use vpclab::flowlog::frame;
use vpclab::flowlog::output::{BlockWriter, FLUSH_AT};
use vpclab::flowlog::pcap::{PacketFormat, PacketWriter};
use vpclab::flowlog::Sinks;
use vpclab::model::Network;
use vpclab::policy::{Direction, RuleId, Verdict};

/// The name of the packet-comment field in this tshark (`frame.comment` in 4.x, `pkt_comment`
/// before).
fn comment_field(file: &Path) -> &'static str {
    for f in ["frame.comment", "pkt_comment"] {
        let o = Command::new("tshark")
            .args([
                "-r",
                file.to_str().unwrap(),
                "-c",
                "1",
                "-T",
                "fields",
                "-e",
                f,
            ])
            .output()
            .unwrap();
        if o.status.success() {
            return f;
        }
    }
    panic!("this tshark knows neither frame.comment nor pkt_comment");
}

/// The exchange at web plus rejected packets at db, each with a frame as the engine would give.
fn events(net: &Network) -> Vec<PacketEvent> {
    let mut evs = web_exchange(net);
    let db = eni(net, "db");
    let db_ip = net.eni(db).private_ip.to_string();
    let no = reject("acl-data", Direction::Inbound, RuleId::Star);
    evs.push(tcp(
        2000,
        db,
        Direction::Inbound,
        "10.0.0.10",
        45000,
        &db_ip,
        22,
        60,
        SYN,
        no.clone(),
    ));
    evs.push(tcp(
        2500,
        db,
        Direction::Inbound,
        "10.0.0.10",
        45000,
        &db_ip,
        22,
        60,
        SYN,
        no,
    ));
    for ev in &mut evs {
        let mac = net.eni(ev.eni).mac;
        ev.frame = Some(frame::synthesize(ev, mac, net.router_mac));
    }
    evs
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn pcapng_interfaces_comments_and_rejects() {
    require::tools(&[TSHARK]);
    let dir = tempfile::tempdir().unwrap();
    let net = net("  - { resource: vpc:main, traffic: ALL, format: pcapng, path: all.pcapng }\n  - { resource: vpc:main, traffic: REJECT, format: pcapng, path: rej.pcapng }\n  - { resource: instance:web, format: pcap, path: web.pcap }\n");
    let evs = events(&net);
    let mut sinks = Sinks::from_network(&net, dir.path(), EPOCH_NS).unwrap();
    for ev in &evs {
        sinks.record(ev).unwrap();
    }
    sinks.finish().unwrap();
    let all = dir.path().join("all.pcapng");
    let f = all.to_str().unwrap();
    assert_eq!(tshark(&["-r", f]).len(), evs.len());

    // One interface per ENI of the VPC, named as the issue asks.
    let names = tshark(&["-r", f, "-T", "fields", "-e", "frame.interface_name"]);
    assert_eq!(
        names.iter().filter(|n| *n == "eni-web (web)").count(),
        8,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| *n == "eni-db (db)").count(),
        2,
        "{names:?}"
    );

    // Every packet carries its decision; the REJECT filter finds exactly the rejected ones.
    let cf = comment_field(&all);
    let comments = tshark(&["-r", f, "-T", "fields", "-e", cf]);
    assert_eq!(comments[0], "ACCEPT sg-web inbound rule 1");
    assert_eq!(comments[8], "REJECT acl-data inbound rule *");
    let filter = format!("{cf} contains \"REJECT\"");
    let rejected = tshark(&["-r", f, "-Y", &filter, "-T", "fields", "-e", "tcp.dstport"]);
    assert_eq!(rejected, vec!["22", "22"]);
    let rejected_events = evs.iter().filter(|e| e.verdict == Verdict::Reject).count();
    assert_eq!(rejected.len(), rejected_events);

    // Nanosecond timestamps: the first packet is at EPOCH + 1.000 s exactly.
    let t = tshark(&["-r", f, "-c", "1", "-T", "fields", "-e", "frame.time_epoch"]);
    assert!(
        t[0].starts_with(&format!("{}.000000000", EPOCH_S + 1)),
        "{t:?}"
    );

    // The REJECT-only definition holds only the two rejected packets.
    let rej = dir.path().join("rej.pcapng");
    assert_eq!(tshark(&["-r", rej.to_str().unwrap()]).len(), 2);

    // The classic pcap opens too and holds web's 8 packets.
    let pcap = dir.path().join("web.pcap");
    let ports = tshark(&[
        "-r",
        pcap.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "tcp.srcport",
    ]);
    assert_eq!(
        ports,
        vec!["40000", "80", "40000", "40000", "80", "80", "40000", "80"]
    );
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn events_without_frames_get_headers_only_frames() {
    require::tools(&[TSHARK]);
    let dir = tempfile::tempdir().unwrap();
    let net = net("");
    let path = dir.path().join("x.pcapng");
    let web = eni(&net, "web");
    let mut w = PacketWriter::new(
        BlockWriter::create(&path).unwrap(),
        PacketFormat::PcapNg,
        &[web],
        &net,
        EPOCH_NS,
    )
    .unwrap();
    for ev in web_exchange(&net) {
        w.write(&ev).unwrap();
    }
    assert_eq!(w.synthesized(), 8);
    w.flush().unwrap();
    let f = path.to_str().unwrap();
    let flags = tshark(&["-r", f, "-T", "fields", "-e", "tcp.flags", "-e", "ip.len"]);
    assert_eq!(flags[0], "0x0002\t60");
    assert_eq!(flags[1], "0x0012\t60");
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn files_cut_mid_stream_still_open() {
    require::tools(&[TSHARK]);
    let dir = tempfile::tempdir().unwrap();
    let net = net("");
    let web = eni(&net, "web");
    let evs = events(&net);
    for (format, name) in [
        (PacketFormat::PcapNg, "cut.pcapng"),
        (PacketFormat::Pcap, "cut.pcap"),
    ] {
        // Dropped without a final flush: complete blocks reach the file.
        let path = dir.path().join(name);
        let mut w = PacketWriter::new(
            BlockWriter::create(&path).unwrap(),
            format,
            &[web],
            &net,
            EPOCH_NS,
        )
        .unwrap();
        for ev in &evs[..3] {
            w.write(ev).unwrap();
        }
        drop(w);
        assert_eq!(tshark(&["-r", path.to_str().unwrap()]).len(), 3, "{name}");

        // A crash (no destructor at all) after many packets: only complete blocks are on disk.
        let path = dir.path().join(format!("crash-{name}"));
        let mut w = PacketWriter::new(
            BlockWriter::create(&path).unwrap(),
            format,
            &[web],
            &net,
            EPOCH_NS,
        )
        .unwrap();
        // Enough packets to fill the write buffer twice over (each block is over 100 bytes).
        let many = 2 * FLUSH_AT as u64 / 100;
        for i in 0..many {
            let mut ev = evs[(i % 8) as usize].clone();
            ev.time += i * 1000;
            w.write(&ev).unwrap();
        }
        std::mem::forget(w);
        let n = tshark(&["-r", path.to_str().unwrap()]).len() as u64;
        assert!(n > 0 && n < many, "{name}: {n} packets of {many}");
    }
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn capture_streams_into_tshark_stdin() {
    require::tools(&[TSHARK]);
    use std::process::Stdio;
    use vpclab::flowlog::capture::CaptureWriter;
    let net = net("");
    let mut child = Command::new("tshark")
        .args([
            "-r",
            "-",
            "-T",
            "fields",
            "-e",
            "frame.interface_name",
            "-e",
            "tcp.flags",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tshark starts");
    let stdin = child.stdin.take().expect("piped stdin");
    let web = eni(&net, "web");
    let mut w = CaptureWriter::new(Box::new(stdin), PacketFormat::PcapNg, &[web], &net)
        .with_epoch(EPOCH_NS)
        .with_name("stdout");
    for ev in events(&net) {
        w.write(&ev).unwrap();
    }
    assert_eq!(w.packets(), 8, "db's packets are not captured");
    drop(w);
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0], "eni-web (web)\t0x0002");
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn capture_command_resolves_targets_and_counts() {
    require::tools(&[TSHARK]);
    use vpclab::flowlog::capture::{capture, EventStream};
    struct Replay(Network, Vec<PacketEvent>);
    impl EventStream for Replay {
        fn network(&self) -> &Network {
            &self.0
        }
        fn epoch_unix_ns(&self) -> u64 {
            EPOCH_NS
        }
        fn next_event(&mut self) -> Option<PacketEvent> {
            (!self.1.is_empty()).then(|| self.1.remove(0))
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let net = net("");
    for (target, count, want) in [
        ("subnet:main/data-a", None, 2),
        ("vpc:main", Some(5), 5),
        ("web", None, 8),
    ] {
        let evs = events(&net);
        let path = dir
            .path()
            .join(format!("{}.pcap", target.replace([':', '/'], "-")));
        let enis = vpclab::flowlog::scope::resolve(&net, target).unwrap();
        let out = Box::new(std::fs::File::create(&path).unwrap());
        let name = path.to_str().unwrap();
        let mut replay = Replay(net.clone(), evs);
        let written = capture(&mut replay, &enis, out, PacketFormat::Pcap, name, count).unwrap();
        assert_eq!(written, want as u64, "{target}");
        assert_eq!(
            tshark(&["-r", path.to_str().unwrap()]).len(),
            want,
            "{target}"
        );
    }
    // An unknown target is an error before anything is written (the CLI exits 2 with it).
    let e = vpclab::flowlog::scope::resolve(&net, "subnet:main/nope").unwrap_err();
    assert!(e.contains("no subnet named `nope`"), "{e}");
}
