//! `vpclab reach`: the Reachability Analyzer on the command line.

use super::common::{load_network, print_json, CmdResult, Fail, EXIT_NO, EXIT_OK};
use super::ReachArgs;
use vpclab::model::proto;
use vpclab::reach::{self, report, Query};

/// Runs `reach`: one query, or `--matrix`.
pub fn run(a: &ReachArgs) -> CmdResult {
    let net = load_network(&a.file)?;
    let p = a.protocol.0;
    let port = a.protocol.port(a.port, "--port").map_err(Fail::input)?;
    if a.src_port.is_some() && !a.protocol.has_ports() {
        return Err(Fail::input(format!(
            "--src-port applies to tcp and udp only, not to protocol {}",
            vpclab::model::protocol_name(p)
        )));
    }
    if a.matrix {
        if a.ipv6 || p == proto::ICMPV6 {
            return Err(Fail::input(
                "--matrix is IPv4 only (-6 and --protocol icmpv6 are not taken with it)\nhint: ask one pair at a time: vpclab reach FILE --from A --to B -6",
            ));
        }
        // Streamed row by row: memory stays proportional to one row, not to the cells.
        let mut m = reach::matrix::Matrix::new(&net, p, port);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let written = if a.json {
            reach::matrix::write_json(&mut m, &mut out)
        } else {
            let what = if p == proto::ICMP {
                "icmp echo".to_string()
            } else if a.protocol.has_ports() {
                format!("{} port {port}", vpclab::model::protocol_name(p))
            } else {
                format!("protocol {}", vpclab::model::protocol_name(p))
            };
            report::write_matrix(&mut m, &what, &mut out)
        };
        written
            .and_then(|()| std::io::Write::flush(&mut out))
            .map_err(|e| Fail::other(format!("cannot write the matrix: {e}")))?;
        return Ok(EXIT_OK);
    }
    let (Some(f), Some(t)) = (&a.from, &a.to) else {
        return Err(Fail::input("reach needs --from and --to (or --matrix)"));
    };
    let v6 = family6(&net, f, t, a.src_ip, p, a.ipv4, a.ipv6)?;
    let an = if v6 {
        let q = question6(&net, f, t, a.src_ip, p, port, a.src_port)?;
        if a.http_path.is_some() || a.http_host.is_some() {
            return Err(Fail::input(
                "--http-path/--http-host apply to a load balancer, which is IPv4-only here (-6)",
            ));
        }
        reach::ipv6::analyze6_q(&net, &q).map_err(Fail::input)?
    } else {
        let src_ip = match a.src_ip {
            Some(std::net::IpAddr::V4(ip)) => Some(ip),
            _ => None,
        };
        let from = reach::resolve_source(&net, f, src_ip)
            .map_err(|e| Fail::input(format!("--from: {e}")))?;
        let mut to =
            reach::resolve_for(&net, t, &from).map_err(|e| Fail::input(format!("--to: {e}")))?;
        super::reach_http::set_request(&net, &mut to, &a.http_path, &a.http_host)?;
        let q = Query {
            from,
            to,
            proto: p,
            port,
            src_port: a.src_port,
        };
        reach::analyze(&net, &q)
    };
    if a.json {
        print_json(&an)?;
    } else {
        print!("{}", report::render(&an));
    }
    Ok(if an.reachable { EXIT_OK } else { EXIT_NO })
}

/// The address family of a query (spec/cli.md): IPv6 with `-6`, `--protocol icmpv6`, an IPv6
/// `--src-ip`, `--from`/`--to` address or an egress-only gateway, or (without `-4`) an end
/// with no IPv4 (an IPv6-only subnet's); else IPv4. `-4` with
/// anything IPv6-only is an input error. Shared with `probe`.
pub fn family6(
    net: &vpclab::model::Network,
    from: &str,
    to: &str,
    src_ip: Option<std::net::IpAddr>,
    p: u8,
    ipv4: bool,
    ipv6: bool,
) -> Result<bool, Fail> {
    let implied = reach::ipv6_party::implies_ipv6(net, from, to, src_ip);
    if ipv4 && (implied || p == proto::ICMPV6) {
        return Err(Fail::input(
            "-4 with an IPv6 address, an egress-only gateway or icmpv6\nhint: drop -4 (the family follows from the address), or give IPv4 ones",
        ));
    }
    if ipv6 {
        if let Some(std::net::IpAddr::V4(ip)) = src_ip {
            return Err(Fail::input(format!(
                "--src-ip {ip} is IPv4: -6 takes an IPv6 source address"
            )));
        }
    }
    Ok(ipv6
        || implied
        || p == proto::ICMPV6
        || (!ipv4 && reach::ipv6_party::prefers_ipv6(net, from, to)))
}

/// The IPv6 question of `--from`/`--to`/`--src-ip` (see `reach::ipv6_party`).
pub fn question6(
    net: &vpclab::model::Network,
    from: &str,
    to: &str,
    src_ip: Option<std::net::IpAddr>,
    p: u8,
    port: u16,
    src_port: Option<u16>,
) -> Result<reach::ipv6::Question6, Fail> {
    let f = reach::ipv6_party::party6(net, from, true)
        .map_err(|e| Fail::input(format!("--from: {e}")))?;
    let t =
        reach::ipv6_party::party6(net, to, false).map_err(|e| Fail::input(format!("--to: {e}")))?;
    Ok(reach::ipv6::Question6 {
        from: f,
        to: t,
        src_ip: match src_ip {
            Some(std::net::IpAddr::V6(a)) => Some(a),
            _ => None,
        },
        proto: p,
        port,
        src_port,
    })
}
