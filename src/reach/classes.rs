//! Header-space classes: the client's source ports split at every port-range edge of the
//! network's NACL entries and SG rules (the reply carries the client port as its destination
//! port, which is what those rules match), so one representative per class decides the class.

use crate::model::Network;
use crate::model::PortRange;

/// Every port-range edge (`from` and `to + 1`) of every NACL entry and SG rule in the network.
pub fn edges(net: &Network) -> Vec<u32> {
    let mut e: Vec<u32> = Vec::new();
    let mut add = |r: PortRange| {
        e.push(r.from as u32);
        e.push(r.to as u32 + 1);
    };
    for a in &net.nacls {
        for x in a.inbound.iter().chain(&a.outbound) {
            add(x.ports);
        }
    }
    for g in &net.sgs {
        for x in g.inbound.iter().chain(&g.outbound) {
            add(x.ports);
        }
    }
    e.sort_unstable();
    e.dedup();
    e
}

/// Splits `range` at `edges` (sorted): the classes, in order, covering `range` exactly.
pub fn split(range: PortRange, edges: &[u32]) -> Vec<PortRange> {
    let (lo, hi) = (range.from as u32, range.to as u32);
    let mut out = Vec::new();
    let mut start = lo;
    for &e in edges {
        if e > start && e <= hi {
            out.push(PortRange {
                from: start as u16,
                to: (e - 1) as u16,
            });
            start = e;
        }
    }
    out.push(PortRange {
        from: start as u16,
        to: hi as u16,
    });
    out
}

/// Merges adjacent ranges (sorted, non-overlapping) that touch.
pub fn merge(mut v: Vec<PortRange>) -> Vec<PortRange> {
    v.sort();
    let mut out: Vec<PortRange> = Vec::new();
    for r in v {
        match out.last_mut() {
            Some(l) if l.to as u32 + 1 >= r.from as u32 => l.to = l.to.max(r.to),
            _ => out.push(r),
        }
    }
    out
}

/// The ranges joined with `, ` in the given order (`1024-2000, 3000-65535`); empty for none.
pub fn describe(v: &[PortRange]) -> String {
    v.iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_at_edges_covers_exactly() {
        let r = PortRange {
            from: 32768,
            to: 60999,
        };
        assert_eq!(split(r, &[]), vec![r]);
        let c = split(r, &[80, 81, 40000, 50001, 65536]);
        assert_eq!(
            c,
            vec![
                PortRange {
                    from: 32768,
                    to: 39999
                },
                PortRange {
                    from: 40000,
                    to: 50000
                },
                PortRange {
                    from: 50001,
                    to: 60999
                }
            ]
        );
        assert_eq!(merge(c), vec![r]);
        assert_eq!(
            split(PortRange { from: 0, to: 65535 }, &[0, 65536]),
            vec![PortRange::ALL]
        );
    }
}
