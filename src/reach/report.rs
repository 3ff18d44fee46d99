//! Human-readable rendering of an analysis and of a matrix, as `vpclab reach` prints them
//! without `--json` (part of `reach`, rank 4; the output is a CLI contract).

use super::matrix::Cell;
use super::{Analysis, Hop};
use std::fmt::Write;

fn hops(out: &mut String, title: &str, v: &[Hop]) {
    let _ = writeln!(out, "{title}:");
    if v.is_empty() {
        let _ = writeln!(out, "  (not reached)");
    }
    for (i, h) in v.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>2}. {:<16} {:<17} {}",
            i + 1,
            h.component,
            h.kind.to_string(),
            h.detail
        );
    }
}

/// The analysis as text: header, forward and return paths, verdict, blockers with fixes.
pub fn render(a: &Analysis) -> String {
    let mut out = String::new();
    let what = match a.port {
        Some(p) => format!("{} port {p}", a.protocol),
        None => format!("{} echo", a.protocol),
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
    if a.reachable {
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
        let _ = writeln!(out, "    fix: {}", b.fix);
    }
    out
}

/// The matrix as a table: rows are sources, columns destinations; ✓ or ✗ with the code.
pub fn render_matrix(cells: &[Cell], what: &str) -> String {
    let mut rows: Vec<&str> = Vec::new();
    let mut cols: Vec<&str> = Vec::new();
    for c in cells {
        if !rows.contains(&c.from.as_str()) {
            rows.push(&c.from);
        }
        if !cols.contains(&c.to.as_str()) {
            cols.push(&c.to);
        }
    }
    let cell = |r: &str, c: &str| -> String {
        match cells.iter().find(|x| x.from == r && x.to == c) {
            None => "-".into(),
            Some(x) if x.reachable => "✓".into(),
            Some(x) => format!("✗ {}", x.code.map(|c| c.as_str()).unwrap_or("")),
        }
    };
    let w0 = rows
        .iter()
        .map(|r| r.chars().count())
        .max()
        .unwrap_or(4)
        .max(9);
    let widths: Vec<usize> = cols
        .iter()
        .map(|c| {
            rows.iter()
                .map(|r| cell(r, c).chars().count())
                .max()
                .unwrap_or(1)
                .max(c.chars().count())
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "{what} (rows: from, columns: to)");
    let _ = write!(out, "{:<w0$}", "from \\ to");
    for (c, w) in cols.iter().zip(&widths) {
        let _ = write!(out, "  {c:<w$}");
    }
    let _ = writeln!(out);
    for r in &rows {
        let _ = write!(out, "{r:<w0$}");
        for (c, w) in cols.iter().zip(&widths) {
            let s = cell(r, c);
            let pad = w.saturating_sub(s.chars().count());
            let _ = write!(out, "  {s}{}", " ".repeat(pad));
        }
        let _ = writeln!(out);
    }
    out
}
