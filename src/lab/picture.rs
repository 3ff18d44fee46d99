//! `vpclab lab show`: a picture of the learner's topology (part of `lab`, rank 8), as text for
//! the terminal and as SVG, with the path of one check drawn on it: every component the path
//! passes is numbered with its hop, the component that blocks it is marked `✗`.

use super::checks::CheckResult;
use super::intent::HopSeen;
use crate::model::Network;
use std::fmt::Write;

/// One row of the picture: indentation depth, its text, and the display ids it stands for
/// (a row is on the path when one of them is a hop).
struct Row {
    depth: usize,
    text: String,
    ids: Vec<String>,
}

/// The rows of the topology: internet hosts, then each VPC with its subnets and, under each
/// subnet, its instances and NAT gateways; peerings last.
fn rows(net: &Network) -> Vec<Row> {
    let mut out = vec![];
    if !net.internet_hosts.is_empty() {
        let hosts: Vec<String> = net
            .internet_hosts
            .iter()
            .map(|h| format!("{} {}", h.name, h.ip))
            .collect();
        out.push(Row {
            depth: 0,
            text: format!("internet: {}", hosts.join(", ")),
            ids: vec!["internet".into()],
        });
    }
    for v in &net.vpcs {
        let cidrs: Vec<String> = v.cidrs.iter().map(|c| c.to_string()).collect();
        let mut ids = vec![v.aws_id.clone()];
        let mut text = format!("{} {}", v.aws_id, cidrs.join(" "));
        if let Some(igw) = &v.igw {
            text.push_str(&format!("  {igw}"));
            ids.push(igw.clone());
        }
        out.push(Row {
            depth: 0,
            text,
            ids,
        });
        for s in v.subnets.iter().map(|s| net.subnet(*s)) {
            let rtb = &net.route_table(s.route_table).aws_id;
            let acl = &net.nacl(s.nacl).aws_id;
            out.push(Row {
                depth: 1,
                text: format!("{} {}  {rtb}  {acl}", s.aws_id, s.cidr),
                ids: vec![s.aws_id.clone(), rtb.clone(), acl.clone()],
            });
            for i in net.instances.iter().filter(|i| i.subnet == s.id) {
                let eni = net.eni(i.eni);
                let mut ids = vec![i.aws_id.clone()];
                ids.extend(i.enis.iter().map(|e| net.eni(*e).aws_id.clone()));
                let sgs: Vec<String> = eni.sgs.iter().map(|g| net.sg(*g).aws_id.clone()).collect();
                ids.extend(sgs.iter().cloned());
                let mut text = format!("{} {}", i.name, eni.private_ip);
                if let Some(p) = eni.public_ip {
                    text.push_str(&format!(" (public {p})"));
                }
                text.push_str(&format!("  [{}]", sgs.join(", ")));
                if !i.running {
                    text.push_str("  stopped");
                }
                out.push(Row {
                    depth: 2,
                    text,
                    ids,
                });
            }
            for g in net.nat_gateways.iter().filter(|g| g.subnet == s.id) {
                let eni = net.eni(g.eni);
                let mut text = format!("{} NAT gateway {}", g.aws_id, eni.private_ip);
                if let Some(e) = g.elastic_ip {
                    text.push_str(&format!(" (EIP {e})"));
                }
                out.push(Row {
                    depth: 2,
                    text,
                    ids: vec![g.aws_id.clone(), eni.aws_id.clone()],
                });
            }
        }
    }
    for p in &net.peerings {
        out.push(Row {
            depth: 0,
            text: format!(
                "{}  {} ↔ {}",
                p.aws_id,
                net.vpc(p.requester).aws_id,
                net.vpc(p.accepter).aws_id
            ),
            ids: vec![p.aws_id.clone()],
        });
    }
    out
}

/// What a row shows of the path: `(hop number, component)` for every hop (1-based) that
/// lands on one of `ids`, and the blocking component when it is one of them.
struct RowMarks {
    hops: Vec<(usize, String)>,
    blocked: Option<String>,
}

impl RowMarks {
    /// `   ◀ 2 acl-public, 3 sg-web ✗ blocked by acl-public` (empty when off the path).
    fn suffix(&self) -> String {
        let mut m = String::new();
        if !self.hops.is_empty() {
            let h: Vec<String> = self.hops.iter().map(|(n, c)| format!("{n} {c}")).collect();
            m.push_str(&format!("   ◀ {}", h.join(", ")));
        }
        if let Some(b) = &self.blocked {
            m.push_str(&format!("   ✗ blocked by {b}"));
        }
        m
    }
}

/// The marks of one row for the chosen check: its hops on the row, and the blocker (from the
/// check's blocker, which may sit on the return leg or be a probe's) when it is on the row.
fn row_marks(ids: &[String], check: Option<&CheckResult>) -> RowMarks {
    let Some(c) = check else {
        return RowMarks {
            hops: vec![],
            blocked: None,
        };
    };
    let on = |comp: &str| ids.iter().any(|i| i.eq_ignore_ascii_case(comp));
    let hops = c
        .path
        .iter()
        .enumerate()
        .filter(|(_, h)| on(&h.component))
        .map(|(k, h)| (k + 1, h.component.clone()))
        .collect();
    let blocked = c
        .path
        .iter()
        .find(|h| h.blocked)
        .map(|h| h.component.clone())
        .or_else(|| c.blocked.as_ref().map(|b| b.component.clone()))
        .filter(|b| on(b));
    RowMarks { hops, blocked }
}

/// The check whose path the picture draws: the first failing one with an analyzer path, else
/// the first failing one with a blocker (a probe), else the last one with a path; None when
/// no check has either.
pub fn chosen(results: &[CheckResult]) -> Option<&CheckResult> {
    let failing = |r: &&CheckResult| r.outcome.failed();
    results
        .iter()
        .filter(failing)
        .find(|r| !r.path.is_empty())
        .or_else(|| results.iter().filter(failing).find(|r| r.blocked.is_some()))
        .or_else(|| results.iter().filter(|r| !r.path.is_empty()).next_back())
}

/// The terminal picture: the topology as a tree, hop numbers `◀ 1,3` on the rows the path
/// passes, `✗` on the blocker's row, then the path hop by hop.
pub fn text(title: &str, net: &Network, check: Option<&CheckResult>) -> String {
    let path: &[HopSeen] = check.map(|c| c.path.as_slice()).unwrap_or(&[]);
    let mut s = format!("{title}\n\n");
    s.push_str("(◀ N: hop N of the path below passes here; ✗: the component that blocks it)\n\n");
    for r in rows(net) {
        let pad = "    ".repeat(r.depth);
        let mark = row_marks(&r.ids, check).suffix();
        let _ = writeln!(s, "{pad}{}{mark}", r.text);
    }
    let Some(c) = check else {
        s.push_str("\n(no check of this step follows a path: nothing drawn)\n");
        return s;
    };
    let state = if c.outcome.passed() { "✓" } else { "✗" };
    let _ = writeln!(s, "\nPath of {state} {}:", c.label);
    for (k, h) in path.iter().enumerate() {
        let m = if h.blocked { "✗" } else { " " };
        let _ = writeln!(s, "  {m} {:>2}. {:<18} {}", k + 1, h.component, h.kind);
    }
    if path.is_empty() {
        s.push_str("  (a probe: the engine reports only where it stopped)\n");
    }
    if let Some(b) = &c.blocked {
        let back = if !path.is_empty() && !path.iter().any(|h| h.blocked) {
            " (on the way back: the reply is dropped)"
        } else {
            ""
        };
        let _ = writeln!(s, "  ✗ blocked by {}{back}", b.short());
    }
    s
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG picture: the same rows as boxes (VPCs, subnets and their hosts nested by
/// indentation), rows on the path filled blue and numbered, the blocker's row red, and the path
/// as a chain of boxes underneath.
pub fn svg(title: &str, net: &Network, check: Option<&CheckResult>) -> String {
    const ROW: usize = 26;
    const W: usize = 960;
    let path: &[HopSeen] = check.map(|c| c.path.as_slice()).unwrap_or(&[]);
    let rows = rows(net);
    let chain_per_line = 5;
    let chain_lines = path.len().div_ceil(chain_per_line);
    let h = 60 + rows.len() * ROW + 50 + chain_lines * 50 + 30;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" font-family="monospace" font-size="13">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="16" y="28" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let mut y = 50;
    for r in &rows {
        let m = row_marks(&r.ids, check);
        let x = 16 + r.depth * 28;
        let (fill, stroke) = match (m.hops.is_empty(), m.blocked.is_some()) {
            (_, true) => ("#fee2e2", "#dc2626"),
            (true, false) => ("#f8fafc", "#94a3b8"),
            (false, false) => ("#dbeafe", "#2563eb"),
        };
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="{y}" width="{}" height="{}" rx="4" fill="{fill}" stroke="{stroke}"/>"#,
            W - x - 16,
            ROW - 4
        );
        let label = format!("{}{}", r.text, m.suffix());
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}">{}</text>"#,
            x + 8,
            y + 16,
            esc(&label)
        );
        y += ROW;
    }
    y += 20;
    match check {
        None => {
            let _ = writeln!(
                s,
                r#"<text x="16" y="{y}">no check of this step follows a path</text>"#
            );
        }
        Some(c) => {
            let state = if c.outcome.passed() { "✓" } else { "✗" };
            let _ = writeln!(
                s,
                r#"<text x="16" y="{y}" font-weight="bold">{}</text>"#,
                esc(&format!("Path of {state} {}", c.label))
            );
            y += 14;
            let bw = (W - 32) / chain_per_line;
            for (k, hop) in path.iter().enumerate() {
                let (col, line) = (k % chain_per_line, k / chain_per_line);
                let x = 16 + col * bw;
                let yy = y + line * 50;
                let (fill, stroke) = if hop.blocked {
                    ("#fee2e2", "#dc2626")
                } else {
                    ("#dbeafe", "#2563eb")
                };
                let _ = writeln!(
                    s,
                    r#"<rect x="{x}" y="{yy}" width="{}" height="36" rx="4" fill="{fill}" stroke="{stroke}"/>"#,
                    bw - 24
                );
                let mark = if hop.blocked { " ✗" } else { "" };
                let _ = writeln!(
                    s,
                    r#"<text x="{}" y="{}">{}</text>"#,
                    x + 6,
                    yy + 15,
                    esc(&format!("{}. {}{mark}", k + 1, hop.component))
                );
                let _ = writeln!(
                    s,
                    r##"<text x="{}" y="{}" font-size="11" fill="#475569">{}</text>"##,
                    x + 6,
                    yy + 30,
                    esc(hop.kind.as_str())
                );
                if k + 1 < path.len() && col + 1 < chain_per_line {
                    let ax = x + bw - 24;
                    let _ = writeln!(
                        s,
                        r#"<line x1="{ax}" y1="{}" x2="{}" y2="{}" stroke="black" marker-end="url(#a)"/>"#,
                        yy + 18,
                        ax + 22,
                        yy + 18
                    );
                }
            }
        }
    }
    s.push_str(
        r#"<defs><marker id="a" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>"#,
    );
    s.push_str("\n</svg>\n");
    s
}
