//! The hybrid objects in `vpclab graph`: transit gateways, VGWs and Direct Connect gateways as
//! nodes, each on-premises network with its hosts, and edges for attachments, VGW attachments,
//! VPN connections and virtual interfaces. Empty when the topology has none of them.

use super::graph::id;
use super::transit::{AttachmentKind, VifTermination, VpnTermination};
use super::Network;

/// Where an attachment leads: a VPC's node, a VPN's on-premises network, a DX gateway, a peer.
fn attached(n: &Network, k: &AttachmentKind) -> String {
    let h = &n.hybrid;
    match k {
        AttachmentKind::Vpc { vpc, .. } => id(&n.vpc(*vpc).aws_id),
        AttachmentKind::Vpn(v) => {
            format!("onprem_{}", id(&h.on_premises[h.vpns[*v].on_premises].name))
        }
        AttachmentKind::DxGateway { dxgw, .. } => id(&h.dx_gateways[*dxgw].aws_id),
        AttachmentKind::Peering { peer, .. } => id(&h.tgws[*peer].aws_id),
    }
}

/// Edges (from, to, label) of the hybrid objects.
pub(super) fn edges(n: &Network) -> Vec<(String, String, String)> {
    let h = &n.hybrid;
    let mut out = vec![];
    for a in &h.attachments {
        out.push((
            id(&h.tgws[a.tgw].aws_id),
            attached(n, &a.kind),
            a.aws_id.clone(),
        ));
    }
    for g in &h.vgws {
        if let Some(v) = g.vpc {
            out.push((id(&g.aws_id), id(&n.vpc(v).aws_id), String::new()));
        }
    }
    for c in &h.vpns {
        if let VpnTermination::Vgw(g) = c.termination {
            let op = format!("onprem_{}", id(&h.on_premises[c.on_premises].name));
            out.push((id(&h.vgws[g].aws_id), op, c.aws_id.clone()));
        }
    }
    for v in &h.vifs {
        let to = match v.termination {
            VifTermination::Vgw(g) => id(&h.vgws[g].aws_id),
            VifTermination::DxGateway(d) => id(&h.dx_gateways[d].aws_id),
        };
        let op = format!("onprem_{}", id(&h.on_premises[v.on_premises].name));
        out.push((op, to, v.aws_id.clone()));
    }
    out
}

/// The dot nodes of the hybrid objects.
pub(super) fn dot(n: &Network, o: &mut String) {
    let h = &n.hybrid;
    let ids = h
        .tgws
        .iter()
        .map(|g| (&g.aws_id, "doubleoctagon"))
        .chain(h.vgws.iter().map(|g| (&g.aws_id, "diamond")))
        .chain(h.dx_gateways.iter().map(|g| (&g.aws_id, "octagon")));
    for (aws_id, shape) in ids {
        o.push_str(&format!(
            "  {} [label=\"{aws_id}\", shape={shape}];\n",
            id(aws_id)
        ));
    }
    for op in &h.on_premises {
        let hosts = host_lines(n, op, "\\n");
        o.push_str(&format!(
            "  onprem_{} [label=\"{}{hosts}\", shape=folder];\n",
            id(&op.name),
            op.name
        ));
    }
}

/// The Mermaid nodes of the hybrid objects.
pub(super) fn mermaid(n: &Network, o: &mut String) {
    let h = &n.hybrid;
    for g in &h.tgws {
        o.push_str(&format!("  {}{{{{\"{}\"}}}}\n", id(&g.aws_id), g.aws_id));
    }
    for g in h
        .vgws
        .iter()
        .map(|g| &g.aws_id)
        .chain(h.dx_gateways.iter().map(|g| &g.aws_id))
    {
        o.push_str(&format!("  {}{{\"{}\"}}\n", id(g), g));
    }
    for op in &h.on_premises {
        let hosts = host_lines(n, op, " ");
        o.push_str(&format!(
            "  onprem_{}[/\"{}{hosts}\"/]\n",
            id(&op.name),
            op.name
        ));
    }
}

/// An on-premises network's hosts for its node label: `SEP NAME IP` each (`\\n` in dot, a
/// space in Mermaid, which has no line break in that shape).
fn host_lines(n: &Network, op: &super::transit::OnPremises, sep: &str) -> String {
    op.hosts
        .iter()
        .map(|x| {
            let host = n.internet_host(*x);
            format!("{sep}{} {}", host.name, host.ip)
        })
        .collect()
}
