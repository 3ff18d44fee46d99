//! Turns an `EventRecord` from the control socket back into a `PacketEvent`, so clients of a
//! running topology (`capture`, `probe`) can use the flow-log writers and the same decision
//! types as the virtual backend. The record's decision, flags and traffic path arrive typed
//! (serde reads them off the JSON line); only the header's text fields are parsed here.

use super::control::EventRecord;
use crate::engine::PacketEvent;
use crate::model::{EniId, Network};
use crate::policy::{Direction, Header, Verdict};

fn verdict(s: &str) -> Option<Verdict> {
    match s {
        "ACCEPT" => Some(Verdict::Accept),
        "REJECT" => Some(Verdict::Reject),
        _ => None,
    }
}

impl EventRecord {
    /// The engine event this record describes; None when it is malformed or names an ENI the
    /// network does not have.
    pub fn to_event(&self, net: &Network) -> Option<PacketEvent> {
        let eni = EniId(self.eni_index);
        net.enis.get(eni.idx())?;
        let dir = match self.direction.as_str() {
            "inbound" | "ingress" => Direction::Inbound,
            "outbound" | "egress" => Direction::Outbound,
            _ => return None,
        };
        Some(PacketEvent {
            time: self.time,
            eni,
            direction: dir,
            header: Header {
                src: self.src.parse().ok()?,
                dst: self.dst.parse().ok()?,
                proto: self.proto,
                sport: self.sport,
                dport: self.dport,
            },
            pkt_src: self.pkt_src.parse().ok()?,
            pkt_dst: self.pkt_dst.parse().ok()?,
            bytes: self.bytes,
            tcp_flags: self.tcp_flags,
            verdict: verdict(&self.verdict)?,
            decision: self.decision.clone(),
            traffic_path: self.traffic_path,
            frame: self.frame(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TcpFlags;
    use crate::policy::{ComponentKind, Decision, ExplanationCode, RuleId, TrafficPath};

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
            header: h,
            pkt_src: h.src,
            pkt_dst: h.dst,
            bytes: 60,
            tcp_flags: TcpFlags::SYN | TcpFlags::ACK,
            verdict: decision.verdict,
            decision,
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
            assert_eq!(back.decision, d);
            assert_eq!(back.verdict, d.verdict);
            assert_eq!(back.tcp_flags, ev.tcp_flags);
            assert_eq!(back.traffic_path, ev.traffic_path);
            assert_eq!(back.header, ev.header);
        }
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
