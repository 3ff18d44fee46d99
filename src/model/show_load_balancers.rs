//! `show` for load balancers: the `load_balancers` JSON array (written only when the topology
//! has some, so other topologies' output is unchanged) and the text tables (load balancers
//! with their nodes, listeners with rules, target groups with targets). Health is not shown
//! here: it is derived by the walk (`reach`), which the model layer cannot run; a target's
//! health as AWS reported it (an import) is.

use super::load_balancer::{LbAction, LoadBalancer};
use super::Network;
use serde_json::{json, Value};

/// The action as text: `forward web` or `fixed-response 404`.
fn action_text(l: &LoadBalancer, a: &LbAction) -> String {
    match a {
        LbAction::Forward(i) => format!("forward {}", l.target_groups[*i].name),
        LbAction::FixedResponse { status, .. } => format!("fixed-response {status}"),
        LbAction::Redirect(r) => format!(
            "redirect {} {}://{}:{}{}",
            r.status, r.protocol, r.host, r.port, r.path
        ),
    }
}

/// The `load_balancers` array of `show --json`; None when the topology has none.
pub fn to_json(n: &Network) -> Option<Value> {
    if n.load_balancers.is_empty() {
        return None;
    }
    let lbs: Vec<Value> = n
        .load_balancers
        .iter()
        .map(|l| {
            let nodes: Vec<Value> = l
                .nodes
                .iter()
                .map(|nd| {
                    let e = n.eni(nd.eni);
                    json!({
                        "az": nd.az,
                        "subnet": n.subnet(nd.subnet).aws_id,
                        "eni": e.aws_id,
                        "private_ip": e.private_ip.to_string(),
                        "public_ip": e.public_ip.map(|p| p.to_string()),
                    })
                })
                .collect();
            let listeners: Vec<Value> = l
                .listeners
                .iter()
                .map(|li| {
                    json!({
                        "protocol": li.protocol.name(),
                        "port": li.port,
                        "arn": li.arn,
                        "rules": li.rules.iter().map(|r| json!({
                            "priority": r.priority,
                            "host": r.host,
                            "path": r.path,
                            "action": action_text(l, &r.action),
                        })).collect::<Vec<_>>(),
                        "default_action": action_text(l, &li.default),
                    })
                })
                .collect();
            let tgs: Vec<Value> = l
                .target_groups
                .iter()
                .map(|tg| {
                    json!({
                        "name": tg.name,
                        "arn": tg.arn,
                        "protocol": tg.protocol.name(),
                        "port": tg.port,
                        "target_type": tg.target_type,
                        "health_check": {
                            "protocol": tg.health.protocol.name(),
                            "port": tg.health.port.map_or_else(|| "traffic-port".to_string(), |p| p.to_string()),
                            "path": tg.health.path,
                        },
                        "targets": tg.targets.iter().map(|t| json!({
                            "id": t.instance.map_or_else(|| t.ip.to_string(), |i| n.instance(i).aws_id.clone()),
                            "ip": t.ip.to_string(),
                            "port": t.port,
                            "az": t.az,
                            "reported_health": t.reported_health,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "name": l.name,
                "arn": l.arn,
                "dns_name": l.dns_name,
                "type": l.lb_type.name(),
                "scheme": if l.internet_facing { "internet-facing" } else { "internal" },
                "vpc": n.vpc(l.vpc).aws_id,
                "cross_zone": l.cross_zone,
                "security_groups": l.sgs.iter().map(|g| n.sg(*g).aws_id.clone()).collect::<Vec<_>>(),
                "nodes": nodes,
                "listeners": listeners,
                "target_groups": tgs,
            })
        })
        .collect();
    Some(Value::Array(lbs))
}

/// The load-balancer tables of `show` (nothing when the topology has none).
pub fn to_text(n: &Network, o: &mut String) {
    let mut rows = vec![];
    for l in &n.load_balancers {
        for nd in &l.nodes {
            let e = n.eni(nd.eni);
            rows.push(vec![
                l.name.clone(),
                l.lb_type.name().into(),
                if l.internet_facing {
                    "internet-facing"
                } else {
                    "internal"
                }
                .into(),
                nd.az.clone(),
                e.aws_id.clone(),
                e.private_ip.to_string(),
                e.public_ip.map_or_else(|| "-".into(), |p| p.to_string()),
                l.dns_name.clone(),
            ]);
        }
    }
    super::show::table(
        o,
        "Load balancers",
        &[
            "NAME",
            "TYPE",
            "SCHEME",
            "AZ",
            "NODE ENI",
            "PRIVATE IP",
            "PUBLIC IP",
            "DNS NAME",
        ],
        &rows,
    );
    let mut rows = vec![];
    for l in &n.load_balancers {
        for li in &l.listeners {
            let lp = format!("{}:{}", li.protocol.name(), li.port);
            for r in &li.rules {
                let mut cond = vec![];
                if let Some(h) = &r.host {
                    cond.push(format!("host {h}"));
                }
                if let Some(p) = &r.path {
                    cond.push(format!("path {p}"));
                }
                rows.push(vec![
                    l.name.clone(),
                    lp.clone(),
                    r.priority.to_string(),
                    cond.join(", "),
                    action_text(l, &r.action),
                ]);
            }
            rows.push(vec![
                l.name.clone(),
                lp,
                "default".into(),
                "-".into(),
                action_text(l, &li.default),
            ]);
        }
    }
    super::show::table(
        o,
        "Listeners",
        &["LOAD BALANCER", "LISTENER", "RULE", "CONDITIONS", "ACTION"],
        &rows,
    );
    let mut rows = vec![];
    for l in &n.load_balancers {
        for tg in &l.target_groups {
            for t in &tg.targets {
                rows.push(vec![
                    l.name.clone(),
                    tg.name.clone(),
                    t.instance
                        .map_or_else(|| t.ip.to_string(), |i| n.instance(i).aws_id.clone()),
                    format!("{}:{}", t.ip, t.port),
                    t.az.clone().unwrap_or_else(|| "-".into()),
                    format!(
                        "{} {}",
                        tg.health.protocol.name(),
                        tg.health
                            .port
                            .map_or_else(|| "traffic-port".to_string(), |p| p.to_string())
                    ),
                    t.reported_health.clone().unwrap_or_else(|| "-".into()),
                ]);
            }
        }
    }
    super::show::table(
        o,
        "Target groups",
        &[
            "LOAD BALANCER",
            "TARGET GROUP",
            "TARGET",
            "ADDRESS",
            "AZ",
            "HEALTH CHECK",
            "REPORTED HEALTH",
        ],
        &rows,
    );
}
