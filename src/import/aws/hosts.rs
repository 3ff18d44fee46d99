//! NAT gateways and instances. Instances keep their interfaces in device order (device 0's
//! fields inline, the others under `network_interfaces`), their secondary and public IPs and
//! their state (running, stopped). Interfaces that no EC2 instance owns but that are in use
//! (RDS, load balancers, endpoints, transit gateway attachments, Lambda) become instances
//! described as what owns them, so their addresses and groups take part in analysis; they
//! are reported as approximated. Terminated instances, and NAT gateways that are not
//! `available`, are skipped and reported.

use super::super::doc::{Connectivity, Instance, InstanceState, NatGateway, NetworkInterface};
use super::super::names::description;
use super::super::report::{issue, Outcome};
use super::addr;
use super::build::{by_id, Builder, EniInfo};
use super::enis::{elastic_ips, iface, Iface};
use super::json::{self, name_tag};
use super::snapshot::Snapshot;
use std::collections::{BTreeMap, BTreeSet};

/// Imports the available NAT gateways.
pub fn nat_gateways(b: &mut Builder, snap: &Snapshot) {
    for at in by_id(
        &snap.nat_gateways,
        |n| &n.nat_gateway_id,
        "NatGateway",
        &mut b.report,
    ) {
        let n = &at.item;
        let id = &n.nat_gateway_id;
        let state = n.state.as_deref().unwrap_or("available");
        if state != "available" {
            b.report.add(
                "NatGateway",
                id,
                Outcome::Skipped,
                format!("state is {state}"),
            );
            continue;
        }
        let Some(sub) = b.index.subnets.get(&n.subnet_id).cloned() else {
            b.report.add(
                "NatGateway",
                id,
                Outcome::Skipped,
                format!("its subnet {} is not imported", n.subnet_id),
            );
            continue;
        };
        let addrs = &n.nat_gateway_addresses;
        let first = addrs
            .iter()
            .find(|a| a.is_primary == Some(true))
            .or_else(|| addrs.first());
        if addrs.len() > 1 {
            b.report.add(
                "NatGateway",
                id,
                Outcome::Approximated,
                format!("only its primary address is imported, of {}", addrs.len()),
            );
        }
        let private = n.connectivity_type.as_deref() == Some("private");
        let mut ip = None;
        let mut elastic_ip = None;
        if let Some(a) = first {
            if let Some(p) = &a.private_ip {
                match addr::take_private(b, sub.cidr, p) {
                    Ok(x) => ip = Some(x),
                    Err(why) => b.report.add("NatGateway", id, Outcome::Approximated, why),
                }
            }
            if let Some(p) = a.public_ip.as_ref().filter(|_| !private) {
                match addr::take_public(b, p) {
                    Ok(x) => elastic_ip = Some(x),
                    Err(why) => b.report.add(
                        "NatGateway",
                        id,
                        Outcome::Approximated,
                        format!("{why}: an address of the pool is used"),
                    ),
                }
            }
        }
        let name = b.hosts.name(name_tag(&n.tags), id);
        for a in addrs {
            if let Some(e) = &a.network_interface_id {
                b.index.enis.insert(
                    e.clone(),
                    EniInfo {
                        vpc: sub.vpc.clone(),
                        owner: name.clone(),
                        device: 0,
                        nat: true,
                    },
                );
            }
        }
        let nat = NatGateway {
            aws_id: Some(id.clone()),
            description: name_tag(&n.tags).map(description),
            subnet: sub.name.clone(),
            elastic_ip,
            ip,
            connectivity: private.then_some(Connectivity::Private),
        };
        if let Some(v) = b.vpc_mut(&sub.vpc) {
            v.nat_gateways.insert(name.clone(), nat);
        }
        b.index.nats.insert(id.clone(), (sub.vpc, name));
    }
}

/// An instance's state, or why it is skipped.
fn state(s: Option<&json::InstanceState>) -> Result<Option<InstanceState>, String> {
    match s.map(|s| s.name.as_str()).unwrap_or("running") {
        "running" | "pending" => Ok(None),
        "stopped" | "stopping" => Ok(Some(InstanceState::Stopped)),
        other => Err(format!("state is {other}")),
    }
}

/// The interfaces of one instance, primary first: its own list, else the ones
/// describe-network-interfaces attaches to it, else one built from the instance's fields.
fn interfaces_of(
    i: &json::Instance,
    by_instance: &BTreeMap<String, Vec<json::NetworkInterface>>,
) -> Vec<json::NetworkInterface> {
    let mut list = if !i.network_interfaces.is_empty() {
        i.network_interfaces.clone()
    } else if let Some(l) = by_instance.get(&i.instance_id) {
        l.clone()
    } else {
        vec![json::NetworkInterface {
            subnet_id: i.subnet_id.clone(),
            vpc_id: i.vpc_id.clone(),
            private_ip_address: i.private_ip_address.clone(),
            association: i
                .public_ip_address
                .clone()
                .map(|p| json::IpAssociation { public_ip: Some(p) }),
            groups: i.security_groups.clone(),
            source_dest_check: i.source_dest_check,
            ..json::NetworkInterface::default()
        }]
    };
    list.sort_by_key(|e| {
        e.attachment
            .as_ref()
            .and_then(|a| a.device_index)
            .unwrap_or(i64::MAX)
    });
    list
}

/// Adds one instance made of `ifaces` (primary first) to the document.
fn add_instance(
    b: &mut Builder,
    aws_id: Option<String>,
    name: String,
    description: Option<String>,
    ifaces: Vec<Iface>,
    state: Option<InstanceState>,
) {
    let mut ifaces = ifaces.into_iter();
    let Some(p) = ifaces.next() else { return };
    let mut extra = Vec::new();
    for (n, f) in ifaces.enumerate() {
        let what = f
            .aws_id
            .clone()
            .unwrap_or_else(|| format!("{name}/{}", n + 1));
        if !f.ipv6_addresses.is_empty() {
            b.report.add(
                "NetworkInterface",
                &what,
                Outcome::Skipped,
                "IPv6 addresses left out: the format gives only the primary interface IPv6",
            );
        }
        if f.vpc != p.vpc || f.az != p.az {
            b.report.add(
                "NetworkInterface",
                what,
                Outcome::Skipped,
                "not in the VPC and AZ of the instance's primary interface",
            );
            continue;
        }
        extra.push(NetworkInterface {
            aws_id: f.aws_id.clone(),
            description: None,
            subnet: f.subnet.clone(),
            ip: f.ip,
            secondary_ips: f.secondary_ips.clone(),
            security_groups: f.security_groups.clone(),
            source_dest_check: f.source_dest_check,
            public_ip: f.public_ip.map(super::super::doc::PublicIp::Fixed),
        });
    }
    for (device, eni) in std::iter::once(p.aws_id.clone())
        .chain(extra.iter().map(|e| e.aws_id.clone()))
        .enumerate()
    {
        if let Some(eni) = eni {
            b.index.enis.insert(
                eni,
                EniInfo {
                    vpc: p.vpc.clone(),
                    owner: name.clone(),
                    device,
                    nat: false,
                },
            );
        }
    }
    if let Some(id) = &aws_id {
        b.index
            .instances
            .insert(id.clone(), (p.vpc.clone(), name.clone()));
    }
    let inst = Instance {
        aws_id,
        description: description.as_deref().map(super::super::names::description),
        subnet: p.subnet.clone(),
        ip: p.ip,
        secondary_ips: p.secondary_ips.clone(),
        public_ip: p.primary_public_ip(),
        security_groups: p.security_groups.clone(),
        source_dest_check: p.source_dest_check,
        state,
        eni_aws_id: p.aws_id.clone(),
        network_interfaces: extra,
        ipv6_address_count: super::ipv6::no_address(b, &p.vpc, &p.subnet, &p.ipv6_addresses),
        ipv6_addresses: p.ipv6_addresses.clone(),
    };
    if let Some(v) = b.vpc_mut(&p.vpc) {
        v.instances.insert(name, inst);
    }
}

/// The issue that will model what owns an interface of this type.
fn owner_issue(kind: &str, description: &str) -> Option<u32> {
    match kind {
        "network_load_balancer" | "gateway_load_balancer" | "load_balancer" => {
            Some(issue::LOAD_BALANCERS)
        }
        _ if description.starts_with("ELB ") => Some(issue::LOAD_BALANCERS),
        _ => None,
    }
}

/// Imports every instance, and the in-use interfaces no instance owns.
pub fn instances(b: &mut Builder, snap: &Snapshot) {
    let eips = elastic_ips(snap);
    let enis = by_id(
        &snap.network_interfaces,
        |e| &e.network_interface_id,
        "NetworkInterface",
        &mut b.report,
    );
    let mut by_instance: BTreeMap<String, Vec<json::NetworkInterface>> = BTreeMap::new();
    for e in &enis {
        if let Some(i) = e
            .item
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.clone())
        {
            by_instance.entry(i).or_default().push(e.item.clone());
        }
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for at in by_id(
        &snap.instances,
        |i| &i.instance_id,
        "Instance",
        &mut b.report,
    ) {
        let i = &at.item;
        seen.insert(i.instance_id.clone());
        let st = match state(i.state.as_ref()) {
            Ok(s) => s,
            Err(why) => {
                b.report
                    .add("Instance", &i.instance_id, Outcome::Skipped, why);
                continue;
            }
        };
        let mut ifaces = Vec::new();
        for (n, e) in interfaces_of(i, &by_instance).iter().enumerate() {
            let f = iface(b, e, &eips, &format!("{}/{n}", i.instance_id));
            match f {
                Some(f) => ifaces.push(f),
                None if n == 0 => break,
                None => {}
            }
        }
        if ifaces.is_empty() {
            b.report.add(
                "Instance",
                &i.instance_id,
                Outcome::Skipped,
                "its primary interface's subnet is not imported",
            );
            continue;
        }
        let name = b.hosts.name(name_tag(&i.tags), &i.instance_id);
        let desc = name_tag(&i.tags).map(description);
        add_instance(b, Some(i.instance_id.clone()), name, desc, ifaces, st);
    }
    // Interfaces attached to instances describe-instances does not list.
    for (inst, list) in &by_instance {
        if seen.contains(inst) {
            continue;
        }
        let mut list = list.clone();
        list.sort_by_key(|e| {
            e.attachment
                .as_ref()
                .and_then(|a| a.device_index)
                .unwrap_or(i64::MAX)
        });
        let ifaces: Vec<Iface> = list
            .iter()
            .filter_map(|e| iface(b, e, &eips, inst))
            .collect();
        if ifaces.is_empty() {
            continue;
        }
        b.report.add(
            "Instance",
            inst,
            Outcome::Approximated,
            "not in describe-instances: built from its network interfaces",
        );
        let name = b.hosts.name(None, inst);
        add_instance(b, Some(inst.clone()), name, None, ifaces, None);
    }
    // Interfaces of AWS services and unattached ones.
    for at in &enis {
        let e = &at.item;
        let id = &e.network_interface_id;
        if b.index.enis.contains_key(id)
            || e.attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_ref())
                .is_some()
        {
            continue;
        }
        let kind = e
            .interface_type
            .clone()
            .unwrap_or_else(|| "interface".into());
        // A NAT gateway's, a transit gateway attachment's, an interface endpoint's and a load
        // balancer node's interfaces are made by their owner (imported as such), not instances.
        if kind == "nat_gateway"
            || kind == "transit_gateway"
            || super::endpoints::endpoint_interface(snap, id)
            || super::load_balancers::is_node_interface(snap, e)
        {
            continue;
        }
        let status = e.status.as_deref().unwrap_or("in-use");
        if status != "in-use" {
            b.report.add(
                "NetworkInterface",
                id,
                Outcome::Skipped,
                format!("status is {status}: not attached"),
            );
            continue;
        }
        let aws_desc = e.description.clone().unwrap_or_default();
        let Some(f) = iface(b, e, &eips, id) else {
            continue;
        };
        let why = format!(
            "a {kind} interface of an AWS service, not an EC2 instance{}: imported as an instance \
             with its addresses and groups",
            if aws_desc.is_empty() {
                String::new()
            } else {
                format!(" ({aws_desc})")
            }
        );
        match owner_issue(&kind, &aws_desc) {
            Some(n) => b
                .report
                .later("NetworkInterface", id, Outcome::Approximated, why, n),
            None => b
                .report
                .add("NetworkInterface", id, Outcome::Approximated, why),
        }
        let name = b.hosts.name(name_tag(&e.tag_set), id);
        let desc = format!(
            "{kind} interface, not an EC2 instance{}",
            if aws_desc.is_empty() {
                String::new()
            } else {
                format!(": {aws_desc}")
            }
        );
        add_instance(b, None, name, Some(desc), vec![f], None);
    }
}
