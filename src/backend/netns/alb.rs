//! ALB nodes on the netns backend: each node's namespace (`NAME-alb.LB.AZ`, its ENI's address)
//! runs the proxy `vpclab alb-node FILE` (`backend::alb`) on the configuration the daemon
//! writes to the state directory (`alb.LB.AZ.json`) at `up` and after every `apply`. Part of
//! `backend::netns` (rank 7).

use super::procs;
use super::state::StateDir;
use crate::model::load_balancer::LbProtocol;
use crate::model::{Network, Port, PortOwner, Service};
use crate::services::alb::NodeConfig;
use std::io;

/// The configuration file of the node behind `port`, in the state directory.
fn config_file(port: &Port) -> String {
    format!("{}.json", port.name)
}

/// Writes the configuration of every ALB node of `net` (the proxies reread a changed one).
pub fn write_configs(dir: &StateDir, net: &Network) -> io::Result<()> {
    for p in &net.ports {
        let PortOwner::LoadBalancerNode(eni) = p.owner else {
            continue;
        };
        let Some(mut cfg) = NodeConfig::of(net, eni) else {
            continue;
        };
        if cfg
            .listeners
            .iter()
            .any(|l| l.protocol == LbProtocol::Https)
        {
            let (chain, key) = super::trust::alb_leaf_files(dir, &cfg.lb);
            cfg.tls_files = Some((chain.display().to_string(), key.display().to_string()));
        }
        let text = serde_json::to_string_pretty(&cfg).map_err(io::Error::other)?;
        dir.write(&config_file(p), &(text + "\n"))?;
    }
    Ok(())
}

/// Starts the proxy of the ALB node behind `port` in namespace `ns` (its configuration
/// written first); returns its pid.
pub fn start(dir: &StateDir, ns: &str, net: &Network, port: &Port) -> io::Result<i32> {
    write_configs(dir, net)?;
    let exe = std::env::current_exe()?;
    let args = vec![
        exe.display().to_string(),
        "alb-node".into(),
        dir.file(&config_file(port)).display().to_string(),
    ];
    procs::spawn_in_ns(dir, ns, &port.name, &args)
}

/// The listener ports the node behind `port` accepts on, as services `up` waits for.
pub fn listeners(net: &Network, port: &Port) -> Vec<Service> {
    let PortOwner::LoadBalancerNode(eni) = port.owner else {
        return Vec::new();
    };
    NodeConfig::of(net, eni)
        .map(|c| c.listeners.iter().map(|l| Service::Tcp(l.port)).collect())
        .unwrap_or_default()
}
