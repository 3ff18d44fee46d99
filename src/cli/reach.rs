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
    let from = reach::resolve_source(&net, f, a.src_ip)
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
    let an = if a.ipv6 || (p == proto::ICMPV6 && !a.ipv4) {
        reach::ipv6::analyze6(&net, &q).map_err(Fail::input)?
    } else {
        reach::analyze(&net, &q)
    };
    if a.json {
        print_json(&an)?;
    } else {
        print!("{}", report::render(&an));
    }
    Ok(if an.reachable { EXIT_OK } else { EXIT_NO })
}
