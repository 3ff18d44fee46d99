//! Diagrams of a resolved network (`dot`, `mermaid`), as `vpclab graph` prints them: VPCs,
//! subnets, instances, gateways, peerings and internet hosts. Part of `model` (rank 1); only
//! the binary prints them. The output is a contract (`tests/snapshots/cli/`).

use crate::model::{Network, Target};

/// A node id safe in dot and mermaid.
pub(super) fn id(s: &str) -> String {
    s.replace(['-', '.', '/'], "_")
}

/// Edges shared by both formats: (from, to, label).
fn edges(n: &Network) -> Vec<(String, String, String)> {
    let mut out = vec![];
    for v in &n.vpcs {
        if let Some(igw) = &v.igw {
            out.push((id(igw), "internet".to_string(), String::new()));
        }
    }
    for g in &n.nat_gateways {
        out.push((id(&g.aws_id), id(&n.subnet(g.subnet).aws_id), "in".into()));
    }
    for p in &n.peerings {
        out.push((
            id(&n.vpc(p.requester).aws_id),
            id(&n.vpc(p.accepter).aws_id),
            p.aws_id.clone(),
        ));
    }
    for s in &n.subnets {
        let rt = n.route_table(s.route_table);
        for r in &rt.routes {
            let to = match r.target {
                Target::Local | Target::Blackhole => continue,
                Target::Igw => match &n.vpc(s.vpc).igw {
                    Some(i) => id(i),
                    None => continue,
                },
                Target::Nat(g) => id(&n.nat(g).aws_id),
                Target::Peering(p) => id(&n.peering(p).aws_id),
                Target::Instance(i) => id(&n.instance(i).aws_id),
                Target::VpcEndpoint(e) => {
                    // One edge per gateway endpoint, labelled by its prefix list.
                    let pl = r.prefix_list.map(|p| n.prefix_list(p).aws_id.clone());
                    let edge = (
                        id(&s.aws_id),
                        id(&n.vpc_endpoint(e).aws_id),
                        pl.unwrap_or_default(),
                    );
                    if !out.contains(&edge) {
                        out.push(edge);
                    }
                    continue;
                }
                Target::TransitGateway(g) => id(&n.hybrid.tgws[g].aws_id),
                Target::VpnGateway { vgw, .. } => id(&n.hybrid.vgws[vgw].aws_id),
            };
            out.push((id(&s.aws_id), to, r.destination.to_string()));
        }
    }
    // Endpoints: to their service's host; an interface endpoint from each of its subnets.
    for e in &n.vpc_endpoints {
        let host = &n.internet_host(n.aws_service(e.service).host).name;
        out.push((id(&e.aws_id), format!("host_{}", id(host)), String::new()));
        for x in e.enis() {
            let eni = n.eni(*x);
            let s = &n.subnet(eni.subnet).aws_id;
            out.push((id(s), id(&e.aws_id), eni.private_ip.to_string()));
        }
    }
    out.extend(super::graph_transit::edges(n));
    out.extend(lb_edges(n));
    out
}

/// A load balancer's node id in both formats.
fn lb_id(name: &str) -> String {
    format!("lb_{}", id(name))
}

/// Load balancers' edges: to each node's subnet (`node AZ`), and to each target (`tg:port`).
fn lb_edges(n: &Network) -> Vec<(String, String, String)> {
    let mut out = vec![];
    for l in &n.load_balancers {
        for nd in &l.nodes {
            out.push((
                lb_id(&l.name),
                id(&n.subnet(nd.subnet).aws_id),
                format!("node {}", nd.az),
            ));
        }
        for tg in &l.target_groups {
            for t in &tg.targets {
                let to = match t.instance {
                    Some(i) => id(&n.instance(i).aws_id),
                    None => continue,
                };
                out.push((lb_id(&l.name), to, format!("{}:{}", tg.name, t.port)));
            }
        }
    }
    out
}

/// A load balancer's label: its name, type and scheme.
fn lb_label(l: &crate::model::LoadBalancer) -> String {
    let scheme = if l.internet_facing {
        "internet-facing"
    } else {
        "internal"
    };
    format!("{} ({}, {scheme})", l.name, l.lb_type.name())
}

/// The network as a Graphviz `digraph` (left to right), as `vpclab graph --format dot` prints
/// it.
pub fn dot(n: &Network) -> String {
    let mut o = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        n.name
    );
    o.push_str("  internet [label=\"internet\", shape=ellipse];\n");
    for h in n
        .internet_hosts
        .iter()
        .filter(|h| !n.hybrid.is_on_premises_host(h.id))
    {
        o.push_str(&format!(
            "  host_{} [label=\"{}\\n{}\", shape=oval];\n  host_{} -> internet [dir=none];\n",
            id(&h.name),
            h.name,
            h.ip,
            id(&h.name)
        ));
    }
    for v in &n.vpcs {
        dot_cluster(&mut o, "  ", &v.aws_id, v.primary_cidr());
        dot_node(&mut o, "    ", &v.aws_id, "point");
        if let Some(igw) = &v.igw {
            dot_node(&mut o, "    ", igw, "diamond");
        }
        for s in v.subnets.iter().map(|s| n.subnet(*s)) {
            dot_cluster(&mut o, "    ", &s.aws_id, s.cidr);
            dot_node(&mut o, "      ", &s.aws_id, "note");
            for i in n.instances.iter().filter(|i| i.subnet == s.id) {
                let e = n.eni(i.eni);
                let public = e.public_ip.map(|p| format!("\\n{p}")).unwrap_or_default();
                o.push_str(&format!(
                    "      {} [label=\"{}\\n{}{}\"];\n",
                    id(&i.aws_id),
                    i.name,
                    e.private_ip,
                    public
                ));
            }
            o.push_str("    }\n");
        }
        for g in v.nat_gateways.iter().map(|g| n.nat(*g)) {
            dot_node(&mut o, "    ", &g.aws_id, "hexagon");
        }
        o.push_str("  }\n");
    }
    for p in &n.peerings {
        dot_node(&mut o, "  ", &p.aws_id, "circle");
    }
    for e in &n.vpc_endpoints {
        dot_node(&mut o, "  ", &e.aws_id, "cds");
    }
    super::graph_transit::dot(n, &mut o);
    for l in &n.load_balancers {
        let label = lb_label(l);
        o.push_str(&format!(
            "  {} [label=\"{label}\", shape=trapezium];\n",
            lb_id(&l.name)
        ));
    }
    for (a, b, l) in edges(n) {
        o.push_str(&format!("  {a} -> {b} [label=\"{l}\"];\n"));
    }
    o.push_str("}\n");
    o
}

/// Writes, `indent` deep, the dot node of component `aws_id`, labelled with that id and drawn as
/// `shape`.
fn dot_node(o: &mut String, indent: &str, aws_id: &str, shape: &str) {
    o.push_str(&format!(
        "{indent}{} [label=\"{aws_id}\", shape={shape}];\n",
        id(aws_id)
    ));
}

/// Opens, `indent` deep, the dot cluster of a VPC or subnet `aws_id`, labelled with its id and
/// CIDR; the caller closes it.
fn dot_cluster(o: &mut String, indent: &str, aws_id: &str, cidr: impl std::fmt::Display) {
    o.push_str(&format!(
        "{indent}subgraph cluster_{} {{\n{indent}  label=\"{aws_id} {cidr}\";\n",
        id(aws_id)
    ));
}

/// The network as a Mermaid `flowchart LR`, as `vpclab graph --format mermaid` prints it.
pub fn mermaid(n: &Network) -> String {
    let mut o = String::from("flowchart LR\n  internet((internet))\n");
    for h in n
        .internet_hosts
        .iter()
        .filter(|h| !n.hybrid.is_on_premises_host(h.id))
    {
        o.push_str(&format!(
            "  host_{}([\"{} {}\"]) --- internet\n",
            id(&h.name),
            h.name,
            h.ip
        ));
    }
    for v in &n.vpcs {
        mermaid_subgraph(&mut o, "  ", &v.aws_id, v.primary_cidr());
        if let Some(igw) = &v.igw {
            o.push_str(&format!("    {}{{\"{}\"}}\n", id(igw), igw));
        }
        for s in v.subnets.iter().map(|s| n.subnet(*s)) {
            mermaid_subgraph(&mut o, "    ", &s.aws_id, s.cidr);
            for i in n.instances.iter().filter(|i| i.subnet == s.id) {
                o.push_str(&format!(
                    "      {}[\"{} {}\"]\n",
                    id(&i.aws_id),
                    i.name,
                    n.eni(i.eni).private_ip
                ));
            }
            o.push_str("    end\n");
        }
        for g in v.nat_gateways.iter().map(|g| n.nat(*g)) {
            o.push_str(&format!("    {}{{{{\"{}\"}}}}\n", id(&g.aws_id), g.aws_id));
        }
        o.push_str("  end\n");
    }
    for p in &n.peerings {
        o.push_str(&format!("  {}((\"{}\"))\n", id(&p.aws_id), p.aws_id));
    }
    for e in &n.vpc_endpoints {
        o.push_str(&format!("  {}>\"{}\"]\n", id(&e.aws_id), e.aws_id));
    }
    super::graph_transit::mermaid(n, &mut o);
    for l in &n.load_balancers {
        o.push_str(&format!("  {}[/\"{}\"\\]\n", lb_id(&l.name), lb_label(l)));
    }
    for (a, b, l) in edges(n) {
        if l.is_empty() {
            o.push_str(&format!("  {a} --> {b}\n"));
        } else {
            o.push_str(&format!("  {a} -->|\"{l}\"| {b}\n"));
        }
    }
    o
}

/// Opens, `indent` deep, the Mermaid subgraph of a VPC or subnet `aws_id`, titled with its id and
/// CIDR; the caller writes its `end`.
fn mermaid_subgraph(o: &mut String, indent: &str, aws_id: &str, cidr: impl std::fmt::Display) {
    o.push_str(&format!(
        "{indent}subgraph {}[\"{aws_id} {cidr}\"]\n",
        id(aws_id)
    ));
}
