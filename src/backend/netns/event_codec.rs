//! Turns an `EventRecord` from the control socket back into a `PacketEvent`, so clients of a
//! running topology (`capture`, `probe`) can use the flow-log writers and the same decision
//! types as the virtual backend. Serde has already read the record's typed fields off the JSON
//! line; what is left to check is that the ENI exists in the client's network.

use super::control::EventRecord;
use crate::engine::PacketEvent;
use crate::model::{EniId, Network};
#[cfg(test)]
use crate::policy::Header;
use crate::policy::IpHeader;

impl EventRecord {
    /// The engine event this record describes; None when it names an ENI the network does
    /// not have, or mixes address families (an IPv4 source with an IPv6 destination).
    pub fn to_event(&self, net: &Network) -> Option<PacketEvent> {
        let eni = EniId(self.eni_index);
        net.enis.get(eni.idx())?;
        let header = IpHeader::from_parts(self.src, self.dst, self.proto, self.sport, self.dport)?;
        if self.pkt_src.is_ipv6() != header.is_ipv6() || self.pkt_dst.is_ipv6() != header.is_ipv6()
        {
            return None;
        }
        Some(PacketEvent {
            time: self.time,
            eni,
            direction: self.direction,
            header,
            pkt_src: self.pkt_src,
            pkt_dst: self.pkt_dst,
            bytes: self.bytes,
            packets: self.packets,
            tcp_flags: self.tcp_flags,
            verdict: self.verdict,
            decision: self.decision.clone().into(),
            traffic_path: self.traffic_path,
            frame: self.frame(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TcpFlags;
    use crate::policy::{
        ComponentKind, Decision, Direction, ExplanationCode, RuleId, TrafficPath, Verdict,
    };

    const NET: &str = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n    instances:\n      web: { subnet: a }\n";

    fn net() -> Network {
        let t = crate::topology::parse_str("t.yaml", NET).expect("parses");
        crate::model::build(&t, "t.yaml").expect("builds")
    }

    fn event(decision: Decision) -> PacketEvent {
        let h = Header::l4(
            "10.0.0.4".parse().unwrap(),
            "10.0.0.5".parse().unwrap(),
            6,
            40000,
            80,
        );
        PacketEvent {
            time: 7,
            eni: EniId(0),
            direction: Direction::Outbound,
            header: h.into(),
            pkt_src: h.src.into(),
            pkt_dst: h.dst.into(),
            bytes: 60,
            packets: 1,
            tcp_flags: TcpFlags::SYN | TcpFlags::ACK,
            verdict: decision.verdict,
            decision: decision.into(),
            traffic_path: Some(TrafficPath::IntraRegionPeering),
            frame: None,
        }
    }

    /// The event as the client gets it: encoded by the daemon, one JSON line, decoded.
    fn over_the_socket(n: &Network, ev: &PacketEvent) -> PacketEvent {
        let line = serde_json::to_string(&EventRecord::from_event(n, ev)).unwrap();
        let r: EventRecord = serde_json::from_str(&line).unwrap();
        r.to_event(n).expect("a well-formed record")
    }

    #[test]
    fn decisions_flags_and_paths_survive_the_socket() {
        let n = net();
        let base = Decision {
            verdict: Verdict::Reject,
            component: "acl-data".into(),
            kind: ComponentKind::NetworkAcl,
            direction: Some(Direction::Inbound),
            rule: RuleId::Star,
            code: Some(ExplanationCode::SubnetAclRestriction),
            detail: "x".into(),
        };
        let mut decisions: Vec<Decision> = ExplanationCode::ALL
            .iter()
            .map(|&c| Decision {
                code: Some(c),
                ..base.clone()
            })
            .collect();
        for r in [
            RuleId::Number(100),
            RuleId::SgRule {
                group: "sg-web".into(),
                index: 2,
            },
            RuleId::Route("10.0.0.0/16".parse().unwrap()),
            RuleId::Tracked,
            RuleId::NoMatch,
            RuleId::Builtin,
        ] {
            decisions.push(Decision {
                rule: r,
                verdict: Verdict::Accept,
                kind: ComponentKind::SecurityGroup,
                direction: None,
                code: None,
                ..base.clone()
            });
        }
        for d in decisions {
            let ev = event(d.clone());
            let back = over_the_socket(&n, &ev);
            assert_eq!(*back.decision, d);
            assert_eq!(back.verdict, d.verdict);
            assert_eq!(back.tcp_flags, ev.tcp_flags);
            assert_eq!(back.traffic_path, ev.traffic_path);
            assert_eq!(back.header, ev.header);
        }
    }

    #[test]
    fn the_line_writes_names_and_numbers() {
        let n = net();
        let ev = event(Decision {
            verdict: Verdict::Reject,
            component: "sg-web".into(),
            kind: ComponentKind::SecurityGroup,
            direction: Some(Direction::Outbound),
            rule: RuleId::NoMatch,
            code: Some(ExplanationCode::EniSgRulesMismatch),
            detail: String::new(),
        });
        let v = serde_json::to_value(EventRecord::from_event(&n, &ev)).unwrap();
        assert_eq!(v["direction"], "outbound");
        assert_eq!(v["src"], "10.0.0.4");
        assert_eq!(v["tcp_flags"], 18);
        assert_eq!(v["traffic_path"], 4);
        assert_eq!(v["verdict"], "REJECT");
        assert_eq!(v["decision"]["code"], "ENI_SG_RULES_MISMATCH");
        assert_eq!(v["summary"], "REJECT sg-web outbound no matching rule");
    }

    /// An IPv6 event crosses the socket as IPv6 text and comes back the same; a record that
    /// mixes families does not decode.
    #[test]
    fn ipv6_events_survive_the_socket() {
        let n = net();
        let mut ev = event(Decision {
            verdict: Verdict::Accept,
            component: "sg-web".into(),
            kind: ComponentKind::SecurityGroup,
            direction: Some(Direction::Inbound),
            rule: RuleId::Tracked,
            code: None,
            detail: String::new(),
        });
        let h6 = crate::policy::Header6::icmp(
            "2001:db8::10".parse().unwrap(),
            "2600:1f18:4000::4".parse().unwrap(),
            crate::policy::ICMPV6_ECHO_REQUEST,
            0,
            7,
        );
        ev.header = h6.into();
        ev.pkt_src = h6.src.into();
        ev.pkt_dst = h6.dst.into();
        let back = over_the_socket(&n, &ev);
        assert_eq!(back.header, ev.header);
        assert_eq!((back.pkt_src, back.pkt_dst), (ev.pkt_src, ev.pkt_dst));
        let mut r = EventRecord::from_event(&n, &ev);
        assert_eq!(serde_json::to_value(&r).unwrap()["src"], "2001:db8::10");
        r.dst = "10.0.0.5".parse().unwrap();
        assert!(r.to_event(&n).is_none(), "mixed families");
    }

    #[test]
    fn a_record_with_a_malformed_decision_does_not_decode() {
        let n = net();
        let ev = event(Decision {
            verdict: Verdict::Accept,
            component: "sg-web".into(),
            kind: ComponentKind::SecurityGroup,
            direction: None,
            rule: RuleId::Tracked,
            code: None,
            detail: String::new(),
        });
        let mut v = serde_json::to_value(EventRecord::from_event(&n, &ev)).unwrap();
        v["decision"]["code"] = serde_json::json!("NOT_A_CODE");
        assert!(serde_json::from_value::<EventRecord>(v.clone()).is_err());
        v["decision"]["code"] = serde_json::Value::Null;
        v["decision"]["verdict"] = serde_json::json!("MAYBE");
        assert!(serde_json::from_value::<EventRecord>(v).is_err());
    }
}
