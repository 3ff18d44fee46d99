//! AWS flow-log records: packets aggregated per (ENI, 5-tuple, action, direction) per
//! aggregation interval, written as space-separated lines when the interval closes (`tick`,
//! driven by event time) and on shutdown (`finish`). Field semantics follow AWS (reference §8):
//! the ENI side of `srcaddr`/`dstaddr` is the ENI's primary private IP, `pkt-srcaddr` /
//! `pkt-dstaddr` the original header, `tcp-flags` OR-ed over the interval, `-` where a field
//! does not apply. The table is bounded: flows past `max_entries` are counted and reported as
//! one `SKIPDATA` record per ENI, as AWS does when it loses records to capacity limits.
//!
//! IPv6 records (`type` `IPv6`) follow AWS's words for `srcaddr`/`dstaddr` ("the IPv4 or IPv6
//! address of the network interface"): the ENI side is the packet's address when the ENI owns
//! it, else the ENI's first IPv6 address; an ENI without IPv6 addresses (a NAT gateway's, on
//! NAT64's IPv6 side) shows the packet's address. IPv6 has no NAT on the way and no Elastic IP
//! to hide, so `pkt-srcaddr`/`pkt-dstaddr` are the packet's. ICMPv6 is protocol 58 with ports
//! 0. Not logged, as for IPv4: the resolver (`fd00:ec2::253`), instance metadata
//! (`fd00:ec2::254`), Time Sync (`fd00:ec2::123`), the subnet router (the /64's first
//! address after the network address) and DHCPv6.

use super::fields::{self, Field};
use super::scope::EniSet;
use super::Traffic;
use crate::engine::{Nanos, PacketEvent, TcpFlags};
use crate::model::fxhash::FxHashMap;
use crate::model::proto;
use crate::model::{EniId, EniOwner, Network};
use crate::policy::{Direction, IpHeader, TrafficPath, Verdict};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Default bound on flows held per interval.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// What AWS needs to know about an ENI to fill its records.
#[derive(Clone, Debug)]
struct EniInfo {
    aws_id: String,
    /// The account of the ENI's VPC (`account-id`).
    account: String,
    private_ip: Ipv4Addr,
    public_ip: Option<Ipv4Addr>,
    vpc_id: String,
    subnet_id: String,
    instance_id: String,
    region: String,
    az_id: String,
    /// Addresses AWS never logs traffic to or from on this ENI (resolver, router, link-local
    /// services).
    unlogged: [Ipv4Addr; 5],
    /// The ENI's IPv6 addresses (empty for IPv4-only ENIs and NAT gateways').
    ipv6: Vec<Ipv6Addr>,
    /// The IPv6 addresses AWS never logs (resolver, metadata, Time Sync, the subnet router).
    unlogged6: Vec<Ipv6Addr>,
}

impl EniInfo {
    /// The ENI's own address for a record of a packet whose ENI-side address is `a` (IPv4:
    /// always the primary private IPv4; IPv6: `a` when the ENI owns it, else its first).
    fn own(&self, a: IpAddr) -> IpAddr {
        match a {
            IpAddr::V4(_) => self.private_ip.into(),
            IpAddr::V6(a6) if self.ipv6.contains(&a6) => a,
            IpAddr::V6(_) => self.ipv6.first().map_or(a, |x| (*x).into()),
        }
    }
    /// `a` with the ENI's Elastic IP (public IPv4) shown as its private IPv4, as AWS writes it.
    fn hide_eip(&self, a: IpAddr) -> IpAddr {
        match a {
            IpAddr::V4(v) if Some(v) == self.public_ip => self.private_ip.into(),
            a => a,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    eni: EniId,
    ingress: bool,
    accept: bool,
    src: IpAddr,
    dst: IpAddr,
    sport: u16,
    dport: u16,
    proto: u8,
    pkt_src: IpAddr,
    pkt_dst: IpAddr,
}

#[derive(Clone, Debug)]
struct Entry {
    key: Key,
    packets: u64,
    bytes: u64,
    first: Nanos,
    last: Nanos,
    flags: TcpFlags,
    traffic_path: Option<TrafficPath>,
}

#[derive(Clone, Copy, Debug)]
struct Skipped {
    flows: u64,
    first: Nanos,
    last: Nanos,
}

/// Aggregates packet events into AWS flow-log records.
pub struct Aggregator {
    fields: Vec<Field>,
    version: u8,
    custom: bool,
    interval_ns: u64,
    epoch_unix_ns: u64,
    traffic: Traffic,
    scope: Option<EniSet>,
    max_entries: usize,
    enis: Vec<EniInfo>,
    window: Option<u64>,
    index: FxHashMap<Key, usize>,
    /// The entries the last events went to (a packet's two ENIs alternate), checked before
    /// hashing; `usize::MAX` when none.
    recent: [usize; 2],
    entries: Vec<Entry>,
    skipped: Vec<(EniId, Skipped)>,
    dropped_total: u64,
    lines: Vec<String>,
}

impl Aggregator {
    /// An aggregator over every ENI of `net`, all traffic, the default version-2 fields
    /// (`fields` None or empty), `interval_secs` (60 or 600), with engine time 0 at Unix time
    /// `epoch_unix_ns`.
    pub fn new(
        net: &Network,
        fields: Option<Vec<Field>>,
        interval_secs: u64,
        epoch_unix_ns: u64,
    ) -> Self {
        let custom = fields.as_ref().is_some_and(|f| !f.is_empty());
        let fields = fields
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| fields::DEFAULT_V2.to_vec());
        Aggregator {
            version: fields::format_version(&fields),
            fields,
            custom,
            interval_ns: interval_secs.max(1) * 1_000_000_000,
            epoch_unix_ns,
            traffic: Traffic::All,
            scope: None,
            max_entries: DEFAULT_MAX_ENTRIES,
            enis: net.enis.iter().map(|e| eni_info(net, e.id)).collect(),
            window: None,
            index: FxHashMap::default(),
            recent: [usize::MAX; 2],
            entries: Vec::new(),
            skipped: Vec::new(),
            dropped_total: 0,
            lines: Vec::new(),
        }
    }

    /// Keeps only ACCEPT, REJECT or ALL traffic.
    pub fn with_traffic(mut self, t: Traffic) -> Self {
        self.traffic = t;
        self
    }

    /// Logs only these ENIs.
    pub fn with_scope(mut self, enis: &[EniId]) -> Self {
        self.scope = Some(EniSet::new(enis));
        self
    }

    /// Bounds the number of flows held per interval.
    pub fn with_max_entries(mut self, n: usize) -> Self {
        self.max_entries = n;
        self
    }

    /// The `version` value written in records.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// For a custom format, the header line `# fields: ...` that `vpclab flows` reads back
    /// (AWS files have no header; the default format needs none).
    pub fn header_line(&self) -> Option<String> {
        self.custom.then(|| {
            let names: Vec<&str> = self.fields.iter().map(|f| f.name()).collect();
            format!("# fields: {}", names.join(" "))
        })
    }

    /// Flows not recorded because the table was full, since the start.
    pub fn dropped_flows(&self) -> u64 {
        self.dropped_total
    }

    /// Flows currently held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no flow is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Accounts one packet event. An event of a later interval closes the current one first.
    pub fn record(&mut self, ev: &PacketEvent) {
        if self.scope.as_ref().is_some_and(|s| !s.contains(ev.eni))
            || !self.traffic.keeps(ev.verdict)
        {
            return;
        }
        let Some(info) = self.enis.get(ev.eni.idx()) else {
            return;
        };
        if !logged(info, ev) {
            return;
        }
        let w = self.window_of(ev.time);
        match self.window {
            Some(c) if w > c => {
                self.close();
                self.window = Some(w);
            }
            None => self.window = Some(w),
            _ => {}
        }
        let ports = ev.header.has_ports();
        let key = Key {
            eni: ev.eni,
            ingress: ev.direction == Direction::Inbound,
            accept: ev.verdict == Verdict::Accept,
            src: ev.header.src(),
            dst: ev.header.dst(),
            sport: if ports { ev.header.sport() } else { 0 },
            dport: if ports { ev.header.dport() } else { 0 },
            proto: ev.header.proto(),
            pkt_src: ev.pkt_src,
            pkt_dst: ev.pkt_dst,
        };
        let flags = if ev.header.proto() == proto::TCP {
            aws_tcp_flags(ev.tcp_flags)
        } else {
            TcpFlags::NONE
        };
        let hit = self
            .recent
            .iter()
            .copied()
            .find(|&i| self.entries.get(i).is_some_and(|e| e.key == key))
            .or_else(|| self.index.get(&key).copied());
        if let Some(i) = hit {
            if self.recent[0] != i {
                self.recent = [i, self.recent[0]];
            }
            let e = &mut self.entries[i];
            e.packets += u64::from(ev.packets);
            e.bytes += ev.bytes as u64;
            e.first = e.first.min(ev.time);
            e.last = e.last.max(ev.time);
            e.flags |= flags;
            if e.traffic_path.is_none() {
                e.traffic_path = ev.traffic_path;
            }
            return;
        }
        if self.entries.len() >= self.max_entries {
            self.dropped_total += 1;
            match self.skipped.iter_mut().find(|(e, _)| *e == ev.eni) {
                Some((_, s)) => {
                    s.flows += 1;
                    s.first = s.first.min(ev.time);
                    s.last = s.last.max(ev.time);
                }
                None => self.skipped.push((
                    ev.eni,
                    Skipped {
                        flows: 1,
                        first: ev.time,
                        last: ev.time,
                    },
                )),
            }
            return;
        }
        self.index.insert(key, self.entries.len());
        self.entries.push(Entry {
            key,
            packets: u64::from(ev.packets),
            bytes: ev.bytes as u64,
            first: ev.time,
            last: ev.time,
            flags,
            traffic_path: ev.traffic_path,
        });
    }

    /// Closes the current interval when `now` is past its end.
    pub fn tick(&mut self, now: Nanos) {
        if let Some(c) = self.window {
            if self.window_of(now) > c {
                self.close();
                self.window = None;
            }
        }
    }

    /// Closes the current interval whatever the time (shutdown).
    pub fn finish(&mut self) {
        self.close();
        self.window = None;
    }

    /// Takes the record lines produced so far (without newlines), oldest first.
    pub fn take_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.lines)
    }

    fn window_of(&self, t: Nanos) -> u64 {
        self.epoch_unix_ns.saturating_add(t) / self.interval_ns
    }

    fn unix_secs(&self, t: Nanos) -> u64 {
        self.epoch_unix_ns.saturating_add(t) / 1_000_000_000
    }

    fn close(&mut self) {
        self.index.clear();
        self.recent = [usize::MAX; 2];
        let entries = std::mem::take(&mut self.entries);
        for e in &entries {
            let line = self.format(Some(e), e.key.eni, e.first, e.last, "OK");
            self.lines.push(line);
        }
        let skipped = std::mem::take(&mut self.skipped);
        for (eni, s) in &skipped {
            let line = self.format(None, *eni, s.first, s.last, "SKIPDATA");
            self.lines.push(line);
        }
        // Keep the allocation for the next interval.
        self.entries = entries;
        self.entries.clear();
    }

    fn format(
        &self,
        e: Option<&Entry>,
        eni: EniId,
        first: Nanos,
        last: Nanos,
        status: &str,
    ) -> String {
        let mut s = String::with_capacity(128);
        let info = &self.enis[eni.idx()];
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            self.field(&mut s, *f, e, info, first, last, status);
        }
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn field(
        &self,
        s: &mut String,
        f: Field,
        e: Option<&Entry>,
        info: &EniInfo,
        first: Nanos,
        last: Nanos,
        status: &str,
    ) {
        // `write!` into a String cannot fail.
        let dash = |s: &mut String| s.push('-');
        let hide_eip = |a: IpAddr| info.hide_eip(a);
        match (f, e) {
            (Field::Version, _) => _ = write!(s, "{}", self.version),
            (Field::AccountId, _) => s.push_str(&info.account),
            (Field::InterfaceId, _) => s.push_str(&info.aws_id),
            (Field::VpcId, _) => s.push_str(&info.vpc_id),
            (Field::SubnetId, _) => s.push_str(&info.subnet_id),
            (Field::InstanceId, _) => s.push_str(&info.instance_id),
            (Field::Region, _) => s.push_str(&info.region),
            (Field::AzId, _) => s.push_str(&info.az_id),
            (Field::Start, _) => _ = write!(s, "{}", self.unix_secs(first)),
            (Field::End, _) => _ = write!(s, "{}", self.unix_secs(last)),
            (Field::LogStatus, _) => s.push_str(status),
            (Field::SrcAddr, Some(e)) => {
                let a = if e.key.ingress {
                    hide_eip(e.key.src)
                } else {
                    info.own(e.key.src)
                };
                _ = write!(s, "{a}")
            }
            (Field::DstAddr, Some(e)) => {
                let a = if e.key.ingress {
                    info.own(e.key.dst)
                } else {
                    hide_eip(e.key.dst)
                };
                _ = write!(s, "{a}")
            }
            (Field::SrcPort, Some(e)) => _ = write!(s, "{}", e.key.sport),
            (Field::DstPort, Some(e)) => _ = write!(s, "{}", e.key.dport),
            (Field::Protocol, Some(e)) => _ = write!(s, "{}", e.key.proto),
            (Field::Packets, Some(e)) => _ = write!(s, "{}", e.packets),
            (Field::Bytes, Some(e)) => _ = write!(s, "{}", e.bytes),
            (Field::Action, Some(e)) => s.push_str(if e.key.accept { "ACCEPT" } else { "REJECT" }),
            (Field::TcpFlags, Some(e)) => _ = write!(s, "{}", e.flags),
            (Field::Type, Some(e)) => s.push_str(if e.key.src.is_ipv6() { "IPv6" } else { "IPv4" }),
            (Field::PktSrcAddr, Some(e)) => _ = write!(s, "{}", hide_eip(e.key.pkt_src)),
            (Field::PktDstAddr, Some(e)) => _ = write!(s, "{}", hide_eip(e.key.pkt_dst)),
            (Field::FlowDirection, Some(e)) => {
                s.push_str(if e.key.ingress { "ingress" } else { "egress" })
            }
            (Field::TrafficPath, Some(e)) => match e.traffic_path {
                Some(p) if !e.key.ingress => _ = write!(s, "{p}"),
                _ => dash(s),
            },
            _ => dash(s),
        }
    }
}

/// AWS's `tcp-flags` value of one packet: FIN, SYN and RST as is, SYN-ACK as 18; ACK alone,
/// PSH and URG are not reported.
pub fn aws_tcp_flags(flags: TcpFlags) -> TcpFlags {
    let mut v = TcpFlags::NONE;
    for f in [TcpFlags::FIN, TcpFlags::SYN, TcpFlags::RST] {
        if flags.contains(f) {
            v |= f;
        }
    }
    if flags.contains(TcpFlags::SYN | TcpFlags::ACK) {
        v |= TcpFlags::ACK;
    }
    v
}

/// False for traffic AWS does not log: the VPC resolver, the subnet router, the link-local
/// services (metadata, Time Sync, resolver) and DHCP, in either family.
fn logged(info: &EniInfo, ev: &PacketEvent) -> bool {
    match &ev.header {
        IpHeader::V4(h) => {
            if info.unlogged.contains(&h.src) || info.unlogged.contains(&h.dst) {
                return false;
            }
            let dhcp = |p: u16| p == 67 || p == 68;
            !(h.proto == proto::UDP && dhcp(h.sport) && dhcp(h.dport))
        }
        IpHeader::V6(h) => {
            if info.unlogged6.contains(&h.src) || info.unlogged6.contains(&h.dst) {
                return false;
            }
            let dhcp6 = |p: u16| p == 546 || p == 547;
            !(h.proto == proto::UDP && dhcp6(h.sport) && dhcp6(h.dport))
        }
    }
}

fn eni_info(net: &Network, id: EniId) -> EniInfo {
    let e = net.eni(id);
    let vpc = net.vpc(e.vpc);
    let subnet = net.subnet(e.subnet);
    let instance_id = match e.owner {
        EniOwner::Instance(i) => net.instance(i).aws_id.clone(),
        // A requester-managed ENI, as a NAT gateway's.
        EniOwner::VpcEndpoint(_) => "-".to_string(),
        EniOwner::NatGateway(_) | EniOwner::LoadBalancer(_) => "-".to_string(),
    };
    EniInfo {
        aws_id: e.aws_id.clone(),
        account: vpc.account.clone(),
        private_ip: e.private_ip,
        public_ip: e.public_ip,
        vpc_id: vpc.aws_id.clone(),
        subnet_id: subnet.aws_id.clone(),
        instance_id,
        region: vpc.region.clone(),
        az_id: az_id(&vpc.region, &subnet.az),
        unlogged: [
            vpc.resolver_ip(),
            subnet.router_ip(),
            Ipv4Addr::new(169, 254, 169, 253),
            Ipv4Addr::new(169, 254, 169, 254),
            Ipv4Addr::new(169, 254, 169, 123),
        ],
        ipv6: net.eni_ipv6(id).to_vec(),
        unlogged6: {
            let mut u = vec![RESOLVER6, METADATA6, TIME_SYNC6];
            if let Some(c) = net.subnet_ipv6(e.subnet).cidr {
                u.push(crate::topology::ipv6::offset6(c.network(), 1));
            }
            u
        },
    }
}

/// The VPC resolver's IPv6 address (Nitro instances).
const RESOLVER6: Ipv6Addr = crate::topology::ipv6::RESOLVER6;
/// The instance metadata service over IPv6.
const METADATA6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);
/// The Amazon Time Sync Service over IPv6.
const TIME_SYNC6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0123);

/// A stable AWS-style AZ id: `us-east-1` + `a` → `use1-az1` (AWS's real mapping differs per
/// account; this one is deterministic).
pub fn az_id(region: &str, az: &str) -> String {
    let mut short = String::new();
    for (i, part) in region.split('-').enumerate() {
        if i == 0 || part.chars().all(|c| c.is_ascii_digit()) {
            short.push_str(part);
            continue;
        }
        let p = |w: &str| part.starts_with(w);
        let abbrev = if p("north") && part.len() > 5 {
            format!("n{}", &part[5..6])
        } else if p("south") && part.len() > 5 {
            format!("s{}", &part[5..6])
        } else {
            part.chars().next().map(String::from).unwrap_or_default()
        };
        short.push_str(&abbrev);
    }
    let n = az
        .strip_prefix(region)
        .and_then(|l| l.chars().next())
        .filter(|c| c.is_ascii_lowercase())
        .map(|c| (c as u8 - b'a' + 1) as u32)
        .unwrap_or(1);
    format!("{short}-az{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_flags_as_aws_reports_them() {
        let aws = |b: u8| aws_tcp_flags(TcpFlags::from_bits(b)).bits();
        assert_eq!(aws(0x02), 2); // SYN
        assert_eq!(aws(0x12), 18); // SYN-ACK
        assert_eq!(aws(0x10), 0); // ACK alone
        assert_eq!(aws(0x18), 0); // PSH-ACK
        assert_eq!(aws(0x11), 1); // FIN-ACK
        assert_eq!(aws(0x14), 4); // RST-ACK
    }

    #[test]
    fn az_ids() {
        assert_eq!(az_id("us-east-1", "us-east-1a"), "use1-az1");
        assert_eq!(az_id("eu-central-1", "eu-central-1b"), "euc1-az2");
        assert_eq!(az_id("ap-southeast-2", "ap-southeast-2c"), "apse2-az3");
        assert_eq!(az_id("ap-south-1", "ap-south-1a"), "aps1-az1");
    }
}
