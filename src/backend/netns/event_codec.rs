//! Turns an `EventRecord` from the control socket back into a `PacketEvent`, so clients of a
//! running topology (`capture`, `probe`) can use the flow-log writers and the same decision
//! types as the virtual backend.

use super::control::EventRecord;
use crate::engine::PacketEvent;
use crate::model::{EniId, Network};
use crate::policy::{ComponentKind, Decision, Direction, Header, RuleId, Verdict};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Mutex;

/// Interns an explanation code: `Decision::code` is `&'static str`, and the set of codes is
/// small and fixed, so each distinct code is leaked once.
fn intern(code: &str) -> &'static str {
    static CODES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let Ok(mut g) = CODES.lock() else {
        return "UNKNOWN";
    };
    let set = g.get_or_insert_with(HashSet::new);
    if let Some(c) = set.get(code) {
        return c;
    }
    // A bounded leak: codes come from the engine's fixed list; stop interning past 256.
    if set.len() >= 256 {
        return "UNKNOWN";
    }
    let c: &'static str = Box::leak(code.to_string().into_boxed_str());
    set.insert(c);
    c
}

fn kind(v: &Value) -> Option<ComponentKind> {
    use ComponentKind::*;
    Some(match v.as_str()? {
        "security_group" => SecurityGroup,
        "network_acl" => NetworkAcl,
        "route_table" => RouteTable,
        "internet_gateway" => InternetGateway,
        "nat_gateway" => NatGateway,
        "peering" => Peering,
        "eni" => Eni,
        "instance" => Instance,
        "subnet" => Subnet,
        "vpc" => Vpc,
        "internet" => Internet,
        "engine" => Engine,
        _ => return None,
    })
}

fn direction(v: &Value) -> Option<Direction> {
    match v.as_str()? {
        "inbound" => Some(Direction::Inbound),
        "outbound" => Some(Direction::Outbound),
        _ => None,
    }
}

fn verdict(v: &Value) -> Option<Verdict> {
    match v.as_str()? {
        "ACCEPT" => Some(Verdict::Accept),
        "REJECT" => Some(Verdict::Reject),
        _ => None,
    }
}

fn rule(v: &Value) -> RuleId {
    match v {
        Value::String(s) => match s.as_str() {
            "star" => RuleId::Star,
            "tracked" => RuleId::Tracked,
            "no_match" => RuleId::NoMatch,
            _ => RuleId::Builtin,
        },
        Value::Object(m) => {
            if let Some(n) = m.get("number").and_then(Value::as_u64) {
                return RuleId::Number(n.min(u16::MAX as u64) as u16);
            }
            if let Some(r) = m.get("sg_rule") {
                return RuleId::SgRule {
                    group: r["group"].as_str().unwrap_or_default().to_string(),
                    index: r["index"].as_u64().unwrap_or(0) as usize,
                };
            }
            if let Some(net) = m
                .get("route")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
            {
                return RuleId::Route(net);
            }
            RuleId::Builtin
        }
        _ => RuleId::Builtin,
    }
}

/// The decision of a record (`EventRecord::decision` is `Decision` serialized).
pub fn decision(v: &Value) -> Option<Decision> {
    Some(Decision {
        verdict: verdict(&v["verdict"])?,
        component: v["component"].as_str()?.to_string(),
        kind: kind(&v["kind"])?,
        direction: direction(&v["direction"]),
        rule: rule(&v["rule"]),
        code: v["code"].as_str().map(intern),
        detail: v["detail"].as_str().unwrap_or_default().to_string(),
    })
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
            verdict: verdict(&Value::String(self.verdict.clone()))?,
            decision: decision(&self.decision)?,
            traffic_path: self.traffic_path,
            frame: self.frame(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(d: Decision) {
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(decision(&v), Some(d));
    }

    #[test]
    fn decisions_roundtrip() {
        let base = Decision {
            verdict: Verdict::Reject,
            component: "acl-data".into(),
            kind: ComponentKind::NetworkAcl,
            direction: Some(Direction::Inbound),
            rule: RuleId::Star,
            code: Some("SUBNET_ACL_RESTRICTION"),
            detail: "x".into(),
        };
        roundtrip(base.clone());
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
            roundtrip(Decision {
                rule: r,
                verdict: Verdict::Accept,
                kind: ComponentKind::SecurityGroup,
                direction: None,
                code: None,
                ..base.clone()
            });
        }
    }

    #[test]
    fn malformed_decision_is_none() {
        assert_eq!(decision(&serde_json::json!({"verdict": "MAYBE"})), None);
        assert_eq!(decision(&Value::Null), None);
    }
}
