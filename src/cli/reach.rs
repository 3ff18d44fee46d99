//! `vpclab reach`: the Reachability Analyzer on the command line.

use super::common::{load_network, print_json, CmdResult, Fail, EXIT_NO, EXIT_OK};
use super::{ProtoArg, ReachArgs};
use vpclab::model::proto;
use vpclab::reach::{self, report, Query};

/// Runs `reach`: one query, or `--matrix`.
pub fn run(a: &ReachArgs) -> CmdResult {
    let net = load_network(&a.file)?;
    let p = match a.protocol {
        ProtoArg::Tcp => proto::TCP,
        ProtoArg::Udp => proto::UDP,
        ProtoArg::Icmp => proto::ICMP,
    };
    let port = a.port.unwrap_or_else(|| reach::default_port(p));
    if a.matrix {
        // Streamed row by row: memory stays proportional to one row, not to the cells.
        let mut m = reach::matrix::Matrix::new(&net, p, port);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let written = if a.json {
            reach::matrix::write_json(&mut m, &mut out)
        } else {
            let what = if p == proto::ICMP {
                "icmp echo".to_string()
            } else {
                format!("{} port {port}", vpclab::model::protocol_name(p))
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
    let from = reach::resolve(&net, f).map_err(|e| Fail::input(format!("--from: {e}")))?;
    let to = reach::resolve(&net, t).map_err(|e| Fail::input(format!("--to: {e}")))?;
    let an = reach::analyze(
        &net,
        &Query {
            from,
            to,
            proto: p,
            port,
        },
    );
    if a.json {
        print_json(&an)?;
    } else {
        print!("{}", report::render(&an));
    }
    Ok(if an.reachable { EXIT_OK } else { EXIT_NO })
}
