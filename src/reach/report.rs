//! Human-readable rendering of an analysis and of a matrix, as `vpclab reach` prints them
//! without `--json` (part of `reach`, rank 4; the output is a CLI contract).

use super::matrix::Matrix;
use super::{Analysis, Hop, Party};
use crate::policy::ExplanationCode;
use std::fmt::Write as _;
use std::io::{self, Write};

fn hops(out: &mut String, title: &str, v: &[Hop]) {
    let _ = writeln!(out, "{title}:");
    if v.is_empty() {
        let _ = writeln!(out, "  (not reached)");
    }
    let mut marked = false;
    for (i, h) in v.iter().enumerate() {
        if h.after_block && !marked {
            marked = true;
            let _ = writeln!(
                out,
                "      (blocked above; what follows would happen only if it were allowed)"
            );
        }
        let _ = writeln!(
            out,
            "  {:>2}. {:<16} {:<17} {}{}",
            i + 1,
            h.component,
            h.kind.to_string(),
            if h.after_block { "(if allowed) " } else { "" },
            h.detail
        );
    }
}

/// The analysis as text: header, forward and return paths, verdict, blockers with fixes.
pub fn render(a: &Analysis) -> String {
    let mut out = String::new();
    let what = match a.port {
        Some(p) => format!("{} port {p}", a.protocol),
        None if a.protocol == "icmp" => "icmp echo".to_string(),
        None => format!("protocol {}", a.protocol),
    };
    let addr = a
        .destination_ip
        .map(|ip| format!(" at {ip}"))
        .unwrap_or_default();
    let _ = writeln!(out, "{} → {}{addr}, {what}", a.from, a.to);
    let _ = writeln!(out);
    hops(&mut out, "Forward path", &a.forward);
    let _ = writeln!(out);
    hops(&mut out, "Return path", &a.return_path);
    let _ = writeln!(out);
    if a.reachable && a.exits_network {
        let gw = a
            .forward
            .last()
            .map(|h| h.component.as_str())
            .unwrap_or("?");
        let _ = writeln!(
            out,
            "REACHABLE (exits the network through {gw}; nothing modelled answers there)"
        );
    } else if a.reachable {
        let _ = writeln!(out, "REACHABLE");
    } else {
        let _ = writeln!(out, "NOT REACHABLE");
    }
    if let Some(sp) = &a.source_ports {
        if !sp.blocked.is_empty() && !sp.reachable.is_empty() {
            let _ = writeln!(
                out,
                "  reachable only from source ports {} (blocked from {}; the client uses {})",
                sp.reachable.join(", "),
                sp.blocked.join(", "),
                sp.range
            );
        }
    }
    for (i, b) in a.blockers.iter().enumerate() {
        let d = &b.decision;
        let dir = d.direction.map(|d| format!(" {d}")).unwrap_or_default();
        let rule = super::rule_text(&d.rule)
            .map(|r| format!(" rule {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  blocker {} ({} path): {} {}{dir}{rule} [{}]",
            i + 1,
            b.path,
            d.kind,
            d.component,
            b.code()
        );
        let _ = writeln!(out, "    {}", d.detail);
        let _ = writeln!(out, "    to allow this flow: {}", b.fix);
    }
    out
}

/// Writes the matrix as a table: rows are sources, columns destinations; ✓ or ✗ with the code,
/// `-` on the diagonal. Rows are sources that have a cell; columns are destinations in the
/// order they first appear row by row (so the first instance comes last). A first pass over
/// the verdicts (cached per class pair, so cheap) sizes the columns; then each row is written
/// as it is computed, so memory stays proportional to one row.
pub fn write_matrix(m: &mut Matrix<'_>, what: &str, w: &mut impl Write) -> io::Result<()> {
    let names: Vec<String> = m.net().instances.iter().map(|i| i.name.clone()).collect();
    let n = names.len();
    // The instance index of each source (None for `internet`).
    let src: Vec<Option<usize>> = m
        .sources()
        .iter()
        .map(|(_, p)| match p {
            Party::Instance(i) => Some(i.idx()),
            _ => None,
        })
        .collect();
    let rows: Vec<usize> = (0..src.len())
        .filter(|&r| n > src[r].is_some() as usize)
        .collect();
    let mut cols: Vec<usize> = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    'rows: for &r in &rows {
        for (j, s) in seen.iter_mut().enumerate() {
            if src[r] != Some(j) && !*s {
                *s = true;
                cols.push(j);
                if cols.len() == n {
                    break 'rows;
                }
            }
        }
    }
    let text = |reachable: bool, code: Option<ExplanationCode>| -> String {
        if reachable {
            "✓".into()
        } else {
            format!("✗ {}", code.map(|c| c.as_str()).unwrap_or(""))
        }
    };
    let mut widths: Vec<usize> = names.iter().map(|c| c.chars().count()).collect();
    for &r in &rows {
        if let Some(i) = src[r] {
            widths[i] = widths[i].max(1); // the diagonal's "-"
        }
        let _ = m.row(r, |j, c| -> Result<(), ()> {
            let k = if c.reachable {
                1
            } else {
                2 + c.code.map(|c| c.as_str().chars().count()).unwrap_or(0)
            };
            widths[j] = widths[j].max(k);
            Ok(())
        });
    }
    let w0 = rows
        .iter()
        .map(|&r| m.sources()[r].0.chars().count())
        .max()
        .unwrap_or(4)
        .max(9);
    writeln!(w, "{what} (rows: from, columns: to)")?;
    write!(w, "{:<w0$}", "from \\ to")?;
    for &j in &cols {
        let wd = widths[j];
        write!(w, "  {:<wd$}", names[j])?;
    }
    writeln!(w)?;
    let mut cells: Vec<Option<(bool, Option<ExplanationCode>)>> = vec![None; n];
    let mut line = String::new();
    for &r in &rows {
        cells.iter_mut().for_each(|c| *c = None);
        let _ = m.row(r, |j, c| -> Result<(), ()> {
            cells[j] = Some((c.reachable, c.code));
            Ok(())
        });
        line.clear();
        let name = &m.sources()[r].0;
        let _ = write!(line, "{name:<w0$}");
        for &j in &cols {
            let s = match cells[j] {
                None => "-".into(),
                Some((ok, code)) => text(ok, code),
            };
            let pad = widths[j].saturating_sub(s.chars().count());
            let _ = write!(line, "  {s}{}", " ".repeat(pad));
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}
