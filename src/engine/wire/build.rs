//! Frames the engine and the virtual hosts originate (ARP replies and requests, DNS answers,
//! RSTs, the hosts' own traffic): built whole into a fresh buffer with every checksum set.

use super::{ETH_LEN, IP_LEN};
use crate::model::proto;
use crate::model::Mac;
use crate::policy::Header;
use smoltcp::wire::{
    ArpOperation, ArpPacket, EthernetAddress, EthernetFrame, EthernetProtocol, Icmpv4Packet,
    IpAddress, IpProtocol, Ipv4Packet, TcpPacket, UdpPacket,
};
use std::net::Ipv4Addr;

use super::ArpRequest;

/// An ARP reply to `req` saying `ip` is at `mac`.
#[must_use]
pub fn arp_reply(req: &ArpRequest, mac: Mac) -> Vec<u8> {
    let mut v = vec![0u8; ETH_LEN + 28];
    {
        let mut eth = EthernetFrame::new_unchecked(&mut v[..]);
        eth.set_src_addr(EthernetAddress(mac));
        eth.set_dst_addr(EthernetAddress(req.sender_mac));
        eth.set_ethertype(EthernetProtocol::Arp);
    }
    let mut a = ArpPacket::new_unchecked(&mut v[ETH_LEN..]);
    a.set_hardware_type(smoltcp::wire::ArpHardware::Ethernet);
    a.set_protocol_type(EthernetProtocol::Ipv4);
    a.set_hardware_len(6);
    a.set_protocol_len(4);
    a.set_operation(ArpOperation::Reply);
    a.set_source_hardware_addr(&mac);
    a.set_source_protocol_addr(&req.target_ip.octets());
    a.set_target_hardware_addr(&req.sender_mac);
    a.set_target_protocol_addr(&req.sender_ip.octets());
    v
}

/// An ARP request (for tests and hosts).
#[must_use]
pub fn arp_request(sender_mac: Mac, sender_ip: Ipv4Addr, target_ip: Ipv4Addr) -> Vec<u8> {
    let mut v = arp_reply(
        &ArpRequest {
            sender_mac: [0xff; 6],
            sender_ip: target_ip,
            target_ip: sender_ip,
        },
        sender_mac,
    );
    let mut a = ArpPacket::new_unchecked(&mut v[ETH_LEN..]);
    a.set_operation(ArpOperation::Request);
    a.set_target_hardware_addr(&[0; 6]);
    v
}

/// TCP segment fields for [`build`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tcp {
    /// Flags (FIN=1, SYN=2, RST=4, PSH=8, ACK=16).
    pub flags: u8,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
}

/// Builds a complete Ethernet/IPv4 frame for `h` with this L4 payload (TCP: `tcp` fields;
/// ICMP: `h`'s type/code/id, `icmp_seq` and `payload`; an ICMP error carries `payload` as the
/// embedded original datagram).
#[must_use]
pub fn build(
    src_mac: Mac,
    dst_mac: Mac,
    h: &Header,
    tcp: Tcp,
    icmp_seq: u16,
    payload: &[u8],
) -> Vec<u8> {
    let l4_len = match h.proto {
        proto::TCP => 20 + payload.len(),
        proto::UDP => 8 + payload.len(),
        proto::ICMP => 8 + payload.len(),
        _ => payload.len(),
    };
    let total = IP_LEN + l4_len;
    let mut v = vec![0u8; ETH_LEN + total];
    {
        let mut eth = EthernetFrame::new_unchecked(&mut v[..]);
        eth.set_src_addr(EthernetAddress(src_mac));
        eth.set_dst_addr(EthernetAddress(dst_mac));
        eth.set_ethertype(EthernetProtocol::Ipv4);
    }
    {
        let mut ip = Ipv4Packet::new_unchecked(&mut v[ETH_LEN..]);
        ip.set_version(4);
        ip.set_header_len(IP_LEN as u8);
        ip.set_total_len(total as u16);
        ip.set_hop_limit(64);
        ip.set_dont_frag(true);
        ip.set_next_header(IpProtocol::from(h.proto));
        ip.set_src_addr(h.src);
        ip.set_dst_addr(h.dst);
        ip.fill_checksum();
    }
    let (sa, da) = (IpAddress::Ipv4(h.src), IpAddress::Ipv4(h.dst));
    let l4 = &mut v[ETH_LEN + IP_LEN..];
    match h.proto {
        proto::TCP => {
            l4[20..].copy_from_slice(payload);
            let mut t = TcpPacket::new_unchecked(&mut l4[..]);
            t.set_src_port(h.sport);
            t.set_dst_port(h.dport);
            t.set_seq_number(smoltcp::wire::TcpSeqNumber(tcp.seq as i32));
            t.set_ack_number(smoltcp::wire::TcpSeqNumber(tcp.ack as i32));
            t.set_header_len(20);
            t.set_window_len(65535);
            l4[13] = tcp.flags;
            let mut t = TcpPacket::new_unchecked(&mut l4[..]);
            t.fill_checksum(&sa, &da);
        }
        proto::UDP => {
            l4[8..].copy_from_slice(payload);
            let mut u = UdpPacket::new_unchecked(&mut l4[..]);
            u.set_src_port(h.sport);
            u.set_dst_port(h.dport);
            u.set_len(l4_len as u16);
            u.fill_checksum(&sa, &da);
        }
        proto::ICMP => {
            l4[0] = h.icmp_type();
            l4[1] = h.icmp_code();
            if matches!(h.icmp_type(), 0 | 8) {
                l4[4..6].copy_from_slice(&h.sport.to_be_bytes());
                l4[6..8].copy_from_slice(&icmp_seq.to_be_bytes());
            }
            l4[8..].copy_from_slice(payload);
            let mut c = Icmpv4Packet::new_unchecked(&mut l4[..]);
            c.fill_checksum();
        }
        _ => l4.copy_from_slice(payload),
    }
    v
}
