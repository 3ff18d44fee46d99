//! Every instance (and `internet`) to every instance, for one protocol and port.

use super::endpoint::{internet_address, Party};
use super::{analyze_with, classes, Query};
use crate::model::Network;
use serde::Serialize;

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// Source name (`internet` for any public address).
    pub from: String,
    /// Destination instance.
    pub to: String,
    /// The verdict.
    pub reachable: bool,
    /// The first blocker's explanation code.
    pub code: Option<String>,
    /// The first blocker's component.
    pub component: Option<String>,
}

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

/// Computes the matrix (the diagonal is left out).
pub fn matrix(net: &Network, proto: u8, port: u16) -> Vec<Cell> {
    let aug = super::walk::with_internet_host(net, internet_address(net));
    let net = aug.as_ref().unwrap_or(net);
    let edges = classes::edges(net);
    let mut out = Vec::new();
    for (fname, from) in sources(net) {
        for to in &net.instances {
            if from == Party::Instance(to.id) {
                continue;
            }
            let q = Query {
                from: from.clone(),
                to: Party::Instance(to.id),
                proto,
                port,
            };
            let a = analyze_with(net, &q, &edges);
            out.push(Cell {
                from: fname.clone(),
                to: to.name.clone(),
                reachable: a.reachable,
                code: a.blocked.as_ref().map(|b| b.code.clone()),
                component: a.blocked.as_ref().map(|b| b.component.clone()),
            });
        }
    }
    out
}
