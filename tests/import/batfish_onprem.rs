//! The on-premises side of the corpus's VPN and Direct Connect snapshots, which a describe-*
//! dump does not hold: Batfish reads it from the router configurations in `configs/`, vpclab
//! does not read router configurations, so the importer makes up the site's address space
//! (reported). Before its flows are asked, [`patch`] writes what each configuration says
//! (read by hand, lines cited): the router's interface addresses as on-premises hosts and
//! CIDRs, and the prefixes it announces over BGP as the connections' advertised prefixes.
//! A flow starting at the router (`start_kind: config-node`) then starts at the host holding
//! its source address.

use ipnet::Ipv4Net;
use vpclab::import::doc::Document;
use vpclab::import::doc_transit::OnPremisesHost;

/// One snapshot's on-premises router, as its configuration says.
struct Router {
    /// The snapshot folder.
    snapshot: &'static str,
    /// The customer gateway (`cgw-…`) whose site the router is.
    cgw: &'static str,
    /// The site's address space: the router's interface subnets.
    cidrs: &'static [&'static str],
    /// Hosts: (name, address), one per interface address flows use.
    hosts: &'static [(&'static str, &'static str)],
    /// What the router announces over BGP.
    advertised: &'static [&'static str],
}

/// The routers of the corpus.
const ROUTERS: &[Router] = &[
    // configs/vpn-03701a53bba3c48b7.txt: Ethernet0/0 1.1.1.2/30 (line 333, the tunnels'
    // source); BGP `network 0.0.0.0` with `default-originate` on both tunnels (lines 164-170,
    // 321-327): it announces a default route.
    Router {
        snapshot: "test-vpn-gateway",
        cgw: "cgw-07affe708bb0e5fb6",
        cidrs: &["1.1.1.0/30"],
        hosts: &[("onprem-router", "1.1.1.2")],
        advertised: &["0.0.0.0/0"],
    },
    // configs/onprem-router.txt: Loopback0 10.10.0.1/32 (line 5), Ethernet0/0 1.1.1.2/30
    // (line 15, the VPN's source); BGP `network 10.10.0.0 mask 255.255.0.0` to both the
    // Direct Connect VIF and the VPN (lines 60-66), backed by a Null0 route (line 74).
    Router {
        snapshot: "test-direct-connect-gateway",
        cgw: "cgw-dx-test",
        cidrs: &["10.10.0.0/16", "1.1.1.0/30"],
        hosts: &[
            ("onprem-router", "1.1.1.2"),
            ("onprem-loopback", "10.10.0.1"),
        ],
        advertised: &["10.10.0.0/16"],
    },
];

/// Writes the router of `snapshot` into its imported document; false when the corpus has no
/// router configuration for it (nothing changed).
pub fn patch(snapshot: &str, doc: &mut Document) -> bool {
    let Some(r) = ROUTERS.iter().find(|r| r.snapshot == snapshot) else {
        return false;
    };
    let site = doc
        .customer_gateways
        .values()
        .find(|g| g.aws_id.as_deref() == Some(r.cgw))
        .map(|g| g.on_premises.clone())
        .unwrap_or_else(|| panic!("{snapshot}: customer gateway {} not imported", r.cgw));
    let cidrs: Vec<Ipv4Net> = r.cidrs.iter().map(|c| c.parse().unwrap()).collect();
    let advertised: Vec<Ipv4Net> = r.advertised.iter().map(|c| c.parse().unwrap()).collect();
    let net = doc
        .on_premises
        .get_mut(&site)
        .unwrap_or_else(|| panic!("{snapshot}: site {site} not written"));
    net.cidrs = cidrs;
    for (h, ip) in r.hosts {
        net.hosts.insert(
            h.to_string(),
            OnPremisesHost {
                ip: ip.parse().unwrap(),
            },
        );
    }
    let cgws: Vec<String> = doc
        .customer_gateways
        .iter()
        .filter(|(_, g)| g.on_premises == site)
        .map(|(n, _)| n.clone())
        .collect();
    for c in doc.vpn_connections.values_mut() {
        if cgws.contains(&c.customer_gateway) && c.routing.is_none() {
            c.advertised_prefixes = Some(advertised.clone());
        }
    }
    for v in doc.virtual_interfaces.values_mut() {
        if v.on_premises == site {
            v.advertised_prefixes = Some(advertised.clone());
        }
    }
    true
}

/// The on-premises host a flow of `snapshot` starting at the router with source `src` starts
/// at, when the router is known.
pub fn host_at(snapshot: &str, src: &str) -> Option<&'static str> {
    ROUTERS
        .iter()
        .find(|r| r.snapshot == snapshot)?
        .hosts
        .iter()
        .find(|(_, ip)| *ip == src)
        .map(|(h, _)| *h)
}
