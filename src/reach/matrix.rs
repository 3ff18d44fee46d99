//! Every instance (and `internet`) to every instance, for one protocol and port.
//!
//! Instances that policy cannot tell apart (same subnet, groups, public-IP presence, state,
//! checks, ephemeral range, and the same side of every CIDR any rule or route names) get the
//! same answer, so the matrix asks one question per pair of such classes. [`Matrix`] computes
//! it row by row and [`write_json`] / `report::write_matrix` write each row as it comes, so
//! memory does not grow with the number of cells.

use super::endpoint::{internet_address, Party};
use super::{analyze_with, classes, Query};
use crate::model::{InstanceId, Network, SgPeer, Target};
use crate::policy::ExplanationCode;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

/// One cell of the matrix: one source to one destination instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// Source name (`internet` for any public address).
    pub from: String,
    /// Destination instance's name.
    pub to: String,
    /// True when every source port of the client's range gets there and back.
    pub reachable: bool,
    /// The first blocker's explanation code; None when reachable.
    pub code: Option<ExplanationCode>,
    /// Display id of the first blocker's component; None when reachable.
    pub component: Option<String>,
}

/// A cell as the matrix streams it: borrowed from the network and the answer cache, so a row
/// costs no allocation. Serializes exactly as [`Cell`] (same fields, same order).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CellRef<'a> {
    /// Source name (`internet` for any public address).
    pub from: &'a str,
    /// Destination instance's name.
    pub to: &'a str,
    /// True when every source port of the client's range gets there and back.
    pub reachable: bool,
    /// The first blocker's explanation code; None when reachable.
    pub code: Option<ExplanationCode>,
    /// Display id of the first blocker's component; None when reachable.
    pub component: Option<&'a str>,
}

impl CellRef<'_> {
    /// An owned copy.
    pub fn to_cell(&self) -> Cell {
        Cell {
            from: self.from.into(),
            to: self.to.into(),
            reachable: self.reachable,
            code: self.code,
            component: self.component.map(str::to_string),
        }
    }
}

/// A cached answer for one pair of classes, in 16 bytes: verdict, code, the component (an
/// index into [`Matrix::components`]; `NONE` when reachable), and the pair of parties it was
/// computed for (the first pair of those classes in row order; `NONE` for `internet`).
#[derive(Clone, Copy)]
struct Answer {
    reachable: bool,
    code: Option<ExplanationCode>,
    component: u32,
    from: u32,
    to: u32,
}

/// No component, or the `internet` party, in an [`Answer`].
const NONE: u32 = u32::MAX;

/// The most answers the cache keeps (about 40 bytes each with the table's overhead, so
/// ~80 MB). Past it, a new pair of classes is analysed for itself and not remembered: the
/// answer is the same (that is what a class means), only slower. Keeps memory bounded when
/// nearly every instance is its own class.
const CACHE_CAP: usize = 2_000_000;

/// The class id `internet` gets (instances get 0, 1, ... by first appearance).
const INTERNET_CLASS: u32 = u32::MAX;

/// The sources of a matrix: every instance, then `internet`.
pub fn sources(net: &Network) -> Vec<(String, Party)> {
    let mut v: Vec<(String, Party)> = net
        .instances
        .iter()
        .map(|i| (i.name.clone(), Party::Instance(i.id)))
        .collect();
    v.push((
        "internet".into(),
        Party::Internet {
            ip: internet_address(net),
        },
    ));
    v
}

/// Every CIDR a rule or route can test an address against.
fn cidrs(net: &Network) -> Vec<Ipv4Net> {
    let mut v: Vec<Ipv4Net> = Vec::new();
    for a in &net.nacls {
        v.extend(a.inbound.iter().chain(&a.outbound).map(|e| e.cidr));
    }
    for g in &net.sgs {
        for r in g.inbound.iter().chain(&g.outbound) {
            match r.peer {
                SgPeer::Cidr(c) => v.push(c),
                SgPeer::PrefixList(p) => v.extend(&net.prefix_list(p).entries),
                SgPeer::Group(_) => {}
            }
        }
    }
    for t in &net.route_tables {
        v.extend(t.routes.iter().map(|r| r.destination));
    }
    for x in &net.vpcs {
        v.extend(x.cidrs.iter().copied());
    }
    v.extend(net.subnets.iter().map(|s| s.cidr));
    v.sort();
    v.dedup();
    v
}

/// The policy-equivalence signature of an instance.
fn signature(net: &Network, i: InstanceId, cidrs: &[Ipv4Net], special: bool) -> Vec<u64> {
    let inst = net.instance(i);
    let e = net.eni(inst.eni);
    let mut s: Vec<u64> = vec![
        e.subnet.0 as u64,
        inst.running as u64
            | (inst.nat as u64) << 1
            | (e.source_dest_check as u64) << 2
            | (e.public_ip.is_some() as u64) << 3,
        (inst.ephemeral.from as u64) << 16 | inst.ephemeral.to as u64,
        if special { u64::MAX - i.0 as u64 } else { 0 },
    ];
    s.extend(e.sgs.iter().map(|g| g.0 as u64));
    s.push(u64::MAX);
    let mut bits = 0u64;
    for (k, c) in cidrs.iter().enumerate() {
        let v = c.contains(&e.private_ip) as u64
            | (e.public_ip.is_some_and(|p| c.contains(&p)) as u64) << 1;
        bits |= v << ((k % 32) * 2);
        if k % 32 == 31 {
            s.push(bits);
            bits = 0;
        }
    }
    s.push(bits);
    s
}

/// A matrix being computed row by row, holding only what the next row needs: the network
/// (with the `internet` host added), each instance's class, and one answer per pair of classes
/// met so far. Rows are sources in [`sources`] order; each row's cells go to every instance
/// but the source itself, in the network's instance order. Memory is the network plus 16
/// bytes per pair of classes met (at most `CACHE_CAP` pairs), never per cell.
pub struct Matrix<'n> {
    base: &'n Network,
    aug: Option<Network>,
    proto: u8,
    port: u16,
    edges: Vec<u32>,
    /// Class id of each instance (by instance index).
    class: Vec<u32>,
    /// Row sources: display name and party.
    sources: Vec<(String, Party)>,
    cache: HashMap<(u32, u32), Answer>,
    /// Blocking components' display ids, interned (an [`Answer`] holds an index).
    components: Vec<String>,
    component_ids: HashMap<String, u32>,
}

impl<'n> Matrix<'n> {
    /// Prepares the matrix of `net` for one protocol and destination port: adds the
    /// `internet` host and sorts instances into policy-equivalence classes.
    pub fn new(net: &'n Network, proto: u8, port: u16) -> Matrix<'n> {
        let aug = super::walk::with_internet_host(net, internet_address(net));
        let n = aug.as_ref().unwrap_or(net);
        let cs = cidrs(n);
        // Route targets are unique: never merged with another instance.
        let targets: HashSet<InstanceId> = n
            .route_tables
            .iter()
            .flat_map(|t| t.routes.iter())
            .filter_map(|r| match r.target {
                Target::Instance(i) => Some(i),
                _ => None,
            })
            .collect();
        let mut ids: HashMap<Vec<u64>, u32> = HashMap::new();
        let class = n
            .instances
            .iter()
            .map(|i| {
                let sig = signature(n, i.id, &cs, targets.contains(&i.id));
                let next = ids.len() as u32;
                *ids.entry(sig).or_insert(next)
            })
            .collect();
        Matrix {
            edges: classes::edges(n),
            sources: sources(n),
            base: net,
            aug,
            proto,
            port,
            class,
            cache: HashMap::new(),
            components: Vec::new(),
            component_ids: HashMap::new(),
        }
    }

    /// The network the matrix is computed on (with the `internet` host).
    pub fn net(&self) -> &Network {
        self.aug.as_ref().unwrap_or(self.base)
    }

    /// The row sources, in order: every instance, then `internet`.
    pub fn sources(&self) -> &[(String, Party)] {
        &self.sources
    }

    /// Calls `f` with each cell of row `row` (an index into [`Matrix::sources`]) and its
    /// destination's instance index, in instance order; stops at the first error `f` returns.
    pub fn row<E>(
        &mut self,
        row: usize,
        mut f: impl FnMut(usize, CellRef<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let net = self.aug.as_ref().unwrap_or(self.base);
        let (fname, from) = &self.sources[row];
        let (fclass, fidx) = match from {
            Party::Instance(i) => (self.class[i.idx()], i.0),
            _ => (INTERNET_CLASS, NONE),
        };
        for (j, to) in net.instances.iter().enumerate() {
            if fidx == to.id.0 {
                continue;
            }
            let key = (fclass, self.class[j]);
            let ans = match self.cache.get(&key) {
                Some(a) => *a,
                None => {
                    let q = Query {
                        from: from.clone(),
                        to: Party::Instance(to.id),
                        proto: self.proto,
                        port: self.port,
                    };
                    let a = analyze_with(net, &q, &self.edges);
                    let code = a.blocked.as_ref().map(|b| b.code());
                    let component = match a.blocked {
                        None => NONE,
                        Some(b) => match self.component_ids.get(&b.decision.component) {
                            Some(&k) => k,
                            None => {
                                let k = self.components.len() as u32;
                                self.component_ids.insert(b.decision.component.clone(), k);
                                self.components.push(b.decision.component);
                                k
                            }
                        },
                    };
                    let ans = Answer {
                        reachable: a.reachable,
                        code,
                        component,
                        from: fidx,
                        to: to.id.0,
                    };
                    if self.cache.len() < CACHE_CAP {
                        self.cache.insert(key, ans);
                    }
                    ans
                }
            };
            let component = (ans.component != NONE).then(|| {
                own_component(
                    net,
                    &self.components[ans.component as usize],
                    (ans.from, fidx),
                    (ans.to, to.id.0),
                )
            });
            f(
                j,
                CellRef {
                    from: fname,
                    to: &to.name,
                    reachable: ans.reachable,
                    code: ans.code,
                    component,
                },
            )?;
        }
        Ok(())
    }
}

/// A blocker on the representative's own ENI or instance is this pair's own: `component` as
/// the pair (`src`, `dst`) of (representative, actual) instance indices (`NONE` for
/// `internet`) would name it. The source's replacement is made first and the destination's
/// applies to its result.
fn own_component<'a>(
    net: &'a Network,
    mut component: &'a str,
    src: (u32, u32),
    dst: (u32, u32),
) -> &'a str {
    for (rep, actual) in [src, dst] {
        if rep == NONE || actual == NONE {
            continue;
        }
        let (ri, ai) = (
            net.instance(InstanceId(rep)),
            net.instance(InstanceId(actual)),
        );
        if component == net.eni(ri.eni).aws_id {
            component = &net.eni(ai.eni).aws_id;
        }
        if component == ri.aws_id {
            component = &ai.aws_id;
        }
    }
    component
}

/// Computes the whole matrix in memory (the diagonal is left out). For large networks, stream
/// it with [`Matrix::row`] instead.
pub fn matrix(net: &Network, proto: u8, port: u16) -> Vec<Cell> {
    let mut m = Matrix::new(net, proto, port);
    let mut out = Vec::new();
    for r in 0..m.sources().len() {
        let _ = m.row(r, |_, c| -> Result<(), ()> {
            out.push(c.to_cell());
            Ok(())
        });
    }
    out
}

/// Writes the matrix as `--json` prints it, one cell at a time: the same bytes as
/// `serde_json::to_string_pretty` of the whole `Vec<Cell>` followed by a newline. The layout
/// is written by hand and names are escaped once per instance; serde_json escapes the strings.
pub fn write_json(m: &mut Matrix<'_>, w: &mut impl Write) -> io::Result<()> {
    let to_json: Vec<String> = m
        .net()
        .instances
        .iter()
        .map(|i| serde_json::to_string(&i.name))
        .collect::<Result<_, _>>()?;
    let mut first = true;
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    for r in 0..m.sources().len() {
        let from_json = serde_json::to_string(&m.sources()[r].0)?;
        m.row(r, |j, c| -> io::Result<()> {
            buf.clear();
            buf.extend_from_slice(if first { b"[\n" } else { b",\n" });
            first = false;
            buf.extend_from_slice(b"  {\n    \"from\": ");
            buf.extend_from_slice(from_json.as_bytes());
            buf.extend_from_slice(b",\n    \"to\": ");
            buf.extend_from_slice(to_json[j].as_bytes());
            buf.extend_from_slice(if c.reachable {
                b",\n    \"reachable\": true,\n    \"code\": "
            } else {
                b",\n    \"reachable\": false,\n    \"code\": "
            });
            match c.code {
                None => buf.extend_from_slice(b"null"),
                Some(k) => serde_json::to_writer(&mut buf, &k)?,
            }
            buf.extend_from_slice(b",\n    \"component\": ");
            match c.component {
                None => buf.extend_from_slice(b"null"),
                Some(s) => serde_json::to_writer(&mut buf, s)?,
            }
            buf.extend_from_slice(b"\n  }");
            w.write_all(&buf)
        })?;
    }
    w.write_all(if first { b"[]\n" } else { b"\n]\n" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_give_the_same_cells_as_one_query_per_pair() {
        let y = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n      a: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true }\n      b: { cidr: 10.0.1.0/24, network_acl: n }\n    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n    network_acls:\n      n:\n        inbound:\n          - { rule: 100, protocol: all, cidr: 10.0.0.4/32, action: deny }\n          - { rule: 110, protocol: all, cidr: 0.0.0.0/0, action: allow }\n        outbound:\n          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }\n    security_groups:\n      w:\n        inbound:\n          - { protocol: tcp, ports: 80, source: sg:w }\n    instances:\n      x1: { subnet: a, security_groups: [w] }\n      x2: { subnet: a, security_groups: [w] }\n      x3: { subnet: a, security_groups: [w] }\n      y1: { subnet: b, security_groups: [w] }\n      y2: { subnet: b }\n";
        let n = crate::model::from_yaml(y);
        let m = matrix(&n, 6, 80);
        let aug = super::super::walk::with_internet_host(&n, internet_address(&n)).unwrap();
        for c in &m {
            let from = super::super::resolve(&aug, &c.from).unwrap();
            let to = super::super::resolve(&aug, &c.to).unwrap();
            let a = super::super::analyze(
                &aug,
                &Query {
                    from,
                    to,
                    proto: 6,
                    port: 80,
                },
            );
            assert_eq!(
                (c.reachable, c.code, c.component.clone()),
                (
                    a.reachable,
                    a.blocked.as_ref().map(|b| b.code()),
                    a.blocked.map(|b| b.decision.component)
                ),
                "{} → {}",
                c.from,
                c.to
            );
        }
        // x1 (10.0.0.4) is denied into b by its /32; x2 is not.
        let cell = |f: &str, t: &str| {
            m.iter()
                .find(|c| c.from == f && c.to == t)
                .unwrap()
                .reachable
        };
        assert!(!cell("x1", "y1") && cell("x2", "y1") && cell("x2", "x3"));
        // Streamed JSON is byte for byte the pretty-printed whole.
        let mut out = Vec::new();
        write_json(&mut Matrix::new(&n, 6, 80), &mut out).unwrap();
        let whole = serde_json::to_string_pretty(&m).unwrap() + "\n";
        assert_eq!(String::from_utf8(out).unwrap(), whole);
    }
}
