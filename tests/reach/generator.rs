//! The random topologies of the differential tests (`differential`, and the feature
//! generators built on [`Rng`]): IPv4, or dual-stack (`random_topology_fam(seed, true)`).

/// A small deterministic generator driven by proptest's seed (shared by the feature
/// generators, e.g. `differential_ipv6`).
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(crate) fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    pub(crate) fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

/// A random topology: VPCs, subnets, peerings, IGW/NAT gateways, SGs with references, NACLs
/// with allow/deny and port ranges, instances.
pub fn random_topology(seed: u64) -> String {
    random_topology_fam(seed, false)
}

/// The IPv6 block AWS's emulated pool gives the `k`-th VPC (`ipv6_cidr: amazon`, in order).
fn amazon_block(k: usize) -> String {
    if k == 0 {
        "2600:1f18:4000::/56".into()
    } else {
        format!("2600:1f18:4000:{k}00::/56")
    }
}

/// [`random_topology`], dual-stack when `dual`: every VPC with an Amazon IPv6 block (some
/// with an egress-only gateway), every subnet with its /64 and addresses assigned, `::/0`
/// routes to the internet or egress-only gateway, IPv6 routes over the peerings, NACL and SG
/// rules for IPv6 CIDRs mixed with the IPv4 ones, and the internet host with an IPv6 address.
pub fn random_topology_fam(seed: u64, dual: bool) -> String {
    let mut r = Rng(seed | 1);
    let nv = 1 + r.below(3) as usize;
    let mut peers: Vec<(usize, usize)> = Vec::new();
    for a in 0..nv {
        for b in a + 1..nv {
            if r.chance(60) {
                peers.push((a, b));
            }
        }
    }
    let ports = [
        "80",
        "22",
        "9000",
        "1024-65535",
        "32768-60999",
        "40000-50000",
        "0-65535",
        "443",
        "1-1023",
    ];
    let mut y = String::from("name: gen\nvpcs:\n");
    for v in 0..nv {
        let igw = r.chance(70);
        let ns = 1 + r.below(3) as usize;
        let nat = igw && r.chance(50);
        y += &format!("  v{v}:\n    cidr: 10.{v}.0.0/16\n    internet_gateway: {igw}\n");
        let eigw = dual && r.chance(50);
        if dual {
            y += "    ipv6_cidr: amazon\n";
        }
        if eigw {
            y += "    egress_only_internet_gateways:\n      e: {}\n";
        }
        y += "    subnets:\n";
        let nacl_n = r.below(3) as usize;
        for s in 0..ns {
            let rt = if s == 0 {
                "pub"
            } else {
                r.pick(&["pub", "priv", "main"])
            };
            let rt = if rt == "main" {
                String::new()
            } else {
                format!(", route_table: {rt}")
            };
            let acl = if nacl_n > 0 && r.chance(35) {
                format!(", network_acl: n{}", r.below(nacl_n as u64))
            } else {
                String::new()
            };
            let mp = if r.chance(50) {
                ", map_public_ip: true"
            } else {
                ""
            };
            let v6 = if dual {
                format!(", ipv6_cidr: {s}, assign_ipv6_address_on_creation: true")
            } else {
                String::new()
            };
            y += &format!("      s{s}: {{ cidr: 10.{v}.{s}.0/24{rt}{acl}{mp}{v6} }}\n");
        }
        y += "    route_tables:\n";
        for rt in ["pub", "priv"] {
            y += &format!("      {rt}:\n        routes:\n");
            let mut any = false;
            for &(a, b) in &peers {
                if (a == v || b == v) && r.chance(80) {
                    let other = if a == v { b } else { a };
                    y += &format!(
                        "          - {{ destination: 10.{other}.0.0/16, target: pcx:p{a}{b} }}\n"
                    );
                    any = true;
                }
            }
            if rt == "pub" && igw && r.chance(85) {
                y += "          - { destination: 0.0.0.0/0, target: igw }\n";
                any = true;
            } else if rt == "priv" && nat && r.chance(85) {
                y += &format!("          - {{ destination: 0.0.0.0/0, target: nat:nat{v} }}\n");
                any = true;
            } else if let Some(&(a, b)) = peers.iter().find(|(a, b)| *a == v || *b == v) {
                if r.chance(30) {
                    y +=
                        &format!("          - {{ destination: 0.0.0.0/0, target: pcx:p{a}{b} }}\n");
                    any = true;
                }
            }
            if dual {
                let out6 = match rt {
                    "pub" if igw => Some("igw"),
                    "priv" if eigw => Some("eigw:e"),
                    _ => None,
                };
                if let Some(t) = out6.filter(|_| r.chance(85)) {
                    y += &format!("          - {{ destination: \"::/0\", target: {t} }}\n");
                    any = true;
                }
                for &(a, b) in &peers {
                    if (a == v || b == v) && r.chance(80) {
                        let other = if a == v { b } else { a };
                        y += &format!(
                            "          - {{ destination: \"{}\", target: pcx:p{a}{b} }}\n",
                            amazon_block(other)
                        );
                        any = true;
                    }
                }
            }
            if !any {
                y.truncate(y.len() - "        routes:\n".len());
                y += "        routes: []\n";
            }
        }
        if nat {
            y += &format!("    nat_gateways:\n      nat{v}: {{ subnet: s0 }}\n");
        }
        let cidrs = [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "10.0.0.0/16",
            "10.1.0.0/16",
            "10.0.1.0/24",
            "198.51.100.0/24",
        ];
        if nacl_n > 0 {
            y += "    network_acls:\n";
            for n in 0..nacl_n {
                y += &format!("      n{n}:\n");
                for dir in ["inbound", "outbound"] {
                    let k = r.below(4);
                    if k == 0 {
                        y += &format!("        {dir}: []\n");
                        continue;
                    }
                    y += &format!("        {dir}:\n");
                    for i in 0..k {
                        let action = if r.chance(25) { "deny" } else { "allow" };
                        let proto = r.pick(&["tcp", "udp", "all", "tcp", "icmp"]);
                        let p = if proto == "tcp" || proto == "udp" {
                            format!(", ports: {}", r.pick(&ports))
                        } else {
                            String::new()
                        };
                        y += &format!("          - {{ rule: {}, protocol: {proto}{p}, cidr: {}, action: {action} }}\n", 100 + i * 10, r.pick(&cidrs));
                    }
                    if dual && r.chance(75) {
                        let action = if r.chance(20) { "deny" } else { "allow" };
                        let proto = r.pick(&["tcp", "all", "icmpv6", "udp", "all"]);
                        let p = if proto == "tcp" || proto == "udp" {
                            format!(", ports: {}", r.pick(&ports))
                        } else {
                            String::new()
                        };
                        let c =
                            r.pick(&["\"::/0\"", "\"2600:1f18:4000::/48\"", "\"2001:db8::/32\""]);
                        y += &format!("          - {{ rule: 95, protocol: {proto}{p}, cidr: {c}, action: {action} }}\n");
                    }
                }
            }
        }
        let ng = 1 + r.below(3) as usize;
        y += "    security_groups:\n";
        for g in 0..ng {
            y += &format!("      g{g}:\n        inbound:\n");
            if r.chance(45) {
                y += &format!(
                    "          - {{ protocol: all, source: {} }}\n",
                    r.pick(&["0.0.0.0/0", "10.0.0.0/8"])
                );
            }
            if dual && r.chance(45) {
                let proto = r.pick(&["all", "tcp", "icmpv6", "udp"]);
                let p = if proto == "tcp" || proto == "udp" {
                    format!(", ports: {}", r.pick(&ports))
                } else {
                    String::new()
                };
                let src = r.pick(&["\"::/0\"", "\"2600:1f18:4000::/48\"", "\"2001:db8::/32\""]);
                y += &format!("          - {{ protocol: {proto}{p}, source: {src} }}\n");
            }
            for _ in 0..r.below(4) {
                let proto = r.pick(&["tcp", "udp", "icmp", "all", "tcp"]);
                let p = if proto == "tcp" || proto == "udp" {
                    format!(", ports: {}", r.pick(&ports))
                } else {
                    String::new()
                };
                let src = if r.chance(40) {
                    format!("sg:g{}", r.below(ng as u64))
                } else {
                    r.pick(&cidrs).to_string()
                };
                y += &format!("          - {{ protocol: {proto}{p}, source: {src} }}\n");
            }
            if y.ends_with("inbound:\n") {
                y.truncate(y.len() - 1);
                y += " []\n";
            }
            match r.below(10) {
                0 => y += "        outbound: []\n",
                1 | 2 => {
                    let proto = r.pick(&["tcp", "all", "udp"]);
                    let p = if proto == "all" {
                        String::new()
                    } else {
                        format!(", ports: {}", r.pick(&ports))
                    };
                    y += &format!("        outbound:\n          - {{ protocol: {proto}{p}, destination: {} }}\n", r.pick(&cidrs));
                }
                _ => {}
            }
        }
        y += "    instances:\n";
        for i in 0..1 + r.below(3) {
            let s = r.below(ns as u64);
            let g = r.below(ng as u64);
            let pubip = match r.below(3) {
                0 => ", public_ip: true",
                1 => ", public_ip: false",
                _ => "",
            };
            y += &format!("      i{v}{i}: {{ subnet: s{s}, security_groups: [g{g}]{pubip}, services: [http:80, udp:9000] }}\n");
        }
    }
    if !peers.is_empty() {
        y += "peerings:\n";
        for (a, b) in &peers {
            y += &format!("  p{a}{b}: {{ requester: v{a}, accepter: v{b} }}\n");
        }
    }
    if dual {
        y += "internet:\n  hosts:\n    client: { ip: 198.51.100.10, ipv6: \"2001:db8::10\" }\n";
    } else {
        y += "internet:\n  hosts:\n    client: { ip: 198.51.100.10 }\n";
    }
    y
}
