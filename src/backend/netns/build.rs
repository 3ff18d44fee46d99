//! Builds a topology's namespaces, TAPs, links, NAT instances and processes, recording each
//! step in the state directory first (part of `backend::netns`, rank 7; the daemon calls it).

use super::link::{self, LinkKind};
use super::ns;
use super::procs;
use super::state::{ns_name, StateDir};
use super::tap;
use crate::model::{Network, PortId, PortOwner};
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::sync::Arc;

/// A built topology: the TAP fds (index = port id) and what to tear down.
pub struct Lab {
    /// The model the namespaces were built from.
    pub net: Arc<Network>,
    /// Its state directory, `/run/vpclab/NAME` (see `state`).
    pub dir: StateDir,
    /// One TAP fd per engine port, in port order; closing one removes its `eth0`.
    pub taps: Vec<(PortId, OwnedFd)>,
    /// Namespaces made (`NAME-HOST`), in port order.
    pub namespaces: Vec<String>,
    /// Processes started (each leads its process group).
    pub pids: Vec<i32>,
    /// How hosts are wired to the engine (`link`).
    pub link: LinkKind,
}

/// Topologies with more hosts than this get a progress line.
const PROGRESS_FROM: usize = 20;

/// Builds everything for `net`. On error, what was built is torn down before returning.
pub fn build(net: Arc<Network>, dir: StateDir, progress: bool) -> io::Result<Lab> {
    let kind = LinkKind::choose().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut namespaces: Vec<String> = net
        .ports
        .iter()
        .map(|p| ns_name(&net.name, &p.name))
        .collect();
    // The engine namespace comes last: hosts keep the index of their port.
    if kind == LinkKind::Veth {
        namespaces.push(link::engine_ns(&net.name));
    }
    if let Some(n) = namespaces.iter().find(|n| ns::namespace_exists(n)) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("namespace {n} already exists\nhint: `vpclab down --force {}` removes what a crashed run left", net.name),
        ));
    }
    // Record first: a SIGKILL from here on leaves a list `down --force` can use.
    dir.write("namespaces", &(namespaces.join("\n") + "\n"))?;
    let mut lab = Lab {
        net: net.clone(),
        dir,
        taps: Vec::new(),
        namespaces: namespaces.clone(),
        pids: Vec::new(),
        link: kind,
    };
    match build_into(&mut lab, progress) {
        Ok(()) => Ok(lab),
        Err(e) => {
            lab.teardown();
            Err(e)
        }
    }
}

fn build_into(lab: &mut Lab, progress: bool) -> io::Result<()> {
    let net = lab.net.clone();
    // SAFETY: isatty has no preconditions.
    let show = progress && net.ports.len() > PROGRESS_FROM && unsafe { libc::isatty(2) } == 1;
    ns::add_namespaces(&lab.namespaces)?;
    let nat_instance = |o: PortOwner| matches!(o, PortOwner::Instance(i) if net.instance(i).nat);
    if net.ports.iter().any(|p| nat_instance(p.owner)) && !ns::have_tool("nft") {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "a NAT instance needs `nft` (nftables)\nhint: install nftables (scripts/setup.sh)",
        ));
    }
    let total = net.ports.len();
    // HTTPS for the AWS services: the topology's CA and leaves, trusted in every namespace.
    let ca = super::trust::prepare(&lab.dir, &net)?;
    let eng = link::engine_ns(&net.name);
    if lab.link == LinkKind::Veth {
        link::prepare_engine_ns(&eng)?;
    }
    for (i, port) in net.ports.iter().enumerate() {
        let ns_n = &lab.namespaces[i];
        let nat = nat_instance(port.owner);
        let fd = match lab.link {
            LinkKind::Tap => tap::create_host_tap(ns_n, nat),
            LinkKind::Veth => link::create_host_veth(&eng, i, ns_n, ns::port_mtu(port), nat),
        }
        .map_err(|e| ctx(e, &port.name))?;
        lab.taps.push((port.id, fd));
        ns::configure_link(ns_n, port, &net.port_extra_addrs(port.id))
            .map_err(|e| ctx(e, &port.name))?;
        super::ipv6::configure(ns_n, &net, port).map_err(|e| ctx(e, &port.name))?;
        ns::write_resolv_conf(ns_n, port).map_err(|e| ctx(e, &port.name))?;
        if let Some(ca) = &ca {
            super::trust::install(ns_n, ca).map_err(|e| ctx(e, &port.name))?;
        }
        if nat {
            ns::configure_nat_instance(&net, ns_n, port).map_err(|e| ctx(e, &port.name))?;
        }
        if show {
            eprint!("\rbuilding {}: {}/{} hosts", net.name, i + 1, total);
            let _ = io::stderr().flush();
        }
    }
    if show {
        eprintln!();
    }
    for (i, port) in net.ports.iter().enumerate() {
        let (services, run) = match port.owner {
            PortOwner::Instance(id) => {
                let inst = net.instance(id);
                if !inst.running {
                    continue;
                }
                (&inst.services, &inst.run)
            }
            PortOwner::Internet(h) => {
                let host = net.internet_host(h);
                (&host.services, &host.run)
            }
            PortOwner::LoadBalancerNode(_) => {
                let pid = super::alb::start(&lab.dir, &lab.namespaces[i], &net, port)?;
                lab.pids.push(pid);
                continue;
            }
        };
        let ns_n = &lab.namespaces[i];
        let tls = (ca.is_some() && crate::services::aws::is_service_host(&port.name))
            .then(|| super::trust::leaf_files(&lab.dir, &port.name));
        if let Some(pid) = procs::start_services(&lab.dir, ns_n, &port.name, services, tls)? {
            lab.pids.push(pid);
        }
        for cmd in run {
            lab.pids
                .push(procs::start_run(&lab.dir, ns_n, &port.name, cmd)?);
        }
    }
    // Every service listening before `up` returns (they were all started above, so this
    // mostly finds them ready).
    for (i, port) in net.ports.iter().enumerate() {
        let alb;
        let services = match port.owner {
            PortOwner::Instance(id) if net.instance(id).running => &net.instance(id).services,
            PortOwner::Instance(_) => continue,
            PortOwner::Internet(h) => &net.internet_host(h).services,
            PortOwner::LoadBalancerNode(_) => {
                alb = super::alb::listeners(&net, port);
                &alb
            }
        };
        if !procs::wait_services(&lab.namespaces[i], services, SERVICE_WAIT) {
            eprintln!(
                "vpclab: the services of {} did not start within {}s; see {}",
                port.name,
                SERVICE_WAIT.as_secs(),
                lab.dir.host_log(&port.name).display()
            );
        }
    }
    Ok(())
}

/// How long `up` waits for a host's built-in services to listen.
const SERVICE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

fn ctx(e: io::Error, host: &str) -> io::Error {
    io::Error::new(e.kind(), format!("host {host}: {e}"))
}

impl Lab {
    /// Removes everything: TAPs (closing the fds deletes them), processes, namespaces and
    /// their `/etc/netns` files. The state directory is left to the caller.
    pub fn teardown(&mut self) {
        let t = std::time::Instant::now();
        close_in_parallel(std::mem::take(&mut self.taps));
        let t_taps = t.elapsed();
        let mut pids = std::mem::take(&mut self.pids);
        pids.extend(ns::namespace_pids(&self.namespaces));
        procs::kill_all(&pids);
        let t_procs = t.elapsed();
        ns::delete_namespaces(&self.namespaces);
        for n in &self.namespaces {
            ns::remove_etc(n);
        }
        eprintln!(
            "teardown of {}: taps {:?}, processes {:?}, namespaces {:?}",
            self.net.name,
            t_taps,
            t_procs - t_taps,
            t.elapsed() - t_procs
        );
    }
}

/// Closes TAP fds from several threads: each close unregisters a device and waits for an RCU
/// grace period, and concurrent closes share grace periods.
fn close_in_parallel(taps: Vec<(PortId, OwnedFd)>) {
    const THREADS: usize = 16;
    let per = taps.len().div_ceil(THREADS).max(1);
    let mut rest = taps;
    let mut handles = Vec::new();
    while !rest.is_empty() {
        let chunk: Vec<_> = rest.drain(..per.min(rest.len())).collect();
        // On a failed spawn the chunk moved into the closure is dropped (closed) right there.
        if let Ok(h) = std::thread::Builder::new().spawn(move || drop(chunk)) {
            handles.push(h);
        }
    }
    for h in handles {
        let _ = h.join();
    }
}
