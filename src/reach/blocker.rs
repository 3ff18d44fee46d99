//! A blocker of an analysed path (part of `reach`, rank 4): the rejecting `Decision` itself,
//! kept typed, with what the analyzer adds (the header it rejected, the leg, the fix). JSON is
//! produced only when the analysis is serialised (`reach --json`), in the field order of
//! `spec/cli.md`.

use crate::policy::{ComponentKind, Decision, Direction, ExplanationCode, IpHeader, RuleId};
use serde::{Serialize, Serializer};

/// Which leg of a flow a blocker is on. Written `forward` / `return`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathLeg {
    /// The packet from the client to the destination.
    Forward,
    /// The reply, from the destination back to the client (source and destination swapped).
    Return,
}

impl PathLeg {
    /// `forward` or `return`, as the JSON and the text report write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            PathLeg::Forward => "forward",
            PathLeg::Return => "return",
        }
    }
}

impl std::fmt::Display for PathLeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One component that rejected the packet, on one leg.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocker {
    /// The rejection: component, kind, direction, rule, code and detail, as policy decided it.
    pub decision: Decision,
    /// The change to make in the topology file, as YAML text (see `fix::suggest`).
    pub fix: String,
    /// The leg whose walk met it.
    pub path: PathLeg,
    /// The header the component rejected (after any translation upstream), of either family.
    pub header: IpHeader,
}

impl Blocker {
    /// The explanation code shown for it: the decision's, or `NO_PATH` when it has none.
    pub fn code(&self) -> ExplanationCode {
        self.decision.code.unwrap_or(ExplanationCode::NoPath)
    }
}

/// How a blocker is written in JSON (`spec/cli.md`; the field order is part of the output).
#[derive(Serialize)]
struct BlockerJson<'a> {
    component: &'a str,
    kind: ComponentKind,
    direction: Option<Direction>,
    rule: serde_json::Value,
    code: ExplanationCode,
    fix: &'a str,
    path: PathLeg,
    detail: &'a str,
    header: String,
}

impl Serialize for Blocker {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = &self.decision;
        BlockerJson {
            component: &d.component,
            kind: d.kind,
            direction: d.direction,
            rule: rule_json(&d.rule),
            code: self.code(),
            fix: &self.fix,
            path: self.path,
            detail: &d.detail,
            header: self.header.to_string(),
        }
        .serialize(s)
    }
}

/// A rule as people read it in the analyzer's output: a NACL number, `*`, a text for SG rules
/// and routes; None when no rule matched or the behaviour is built in.
pub fn rule_text(r: &RuleId) -> Option<String> {
    match r {
        RuleId::Number(n) => Some(n.to_string()),
        RuleId::Star => Some("*".into()),
        RuleId::NoMatch | RuleId::Builtin => None,
        other => Some(other.to_string()),
    }
}

/// A rule as JSON: a NACL number, `"*"`, a text for SG rules and routes, null when no rule matched.
pub fn rule_json(r: &RuleId) -> serde_json::Value {
    match r {
        RuleId::Number(n) => serde_json::json!(n),
        other => rule_text(other).map_or(serde_json::Value::Null, serde_json::Value::String),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Verdict;

    #[test]
    fn json_keeps_the_documented_fields_in_order() {
        let b = Blocker {
            decision: Decision {
                verdict: Verdict::Reject,
                component: "acl-data".into(),
                kind: ComponentKind::NetworkAcl,
                direction: Some(Direction::Inbound),
                rule: RuleId::Number(100),
                code: None,
                detail: "denied".into(),
            },
            fix: "allow it".into(),
            path: PathLeg::Forward,
            header: IpHeader::V4(crate::policy::Header::l4(
                "10.0.0.4".parse().unwrap(),
                "10.0.1.5".parse().unwrap(),
                6,
                40000,
                5432,
            )),
        };
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"component":"acl-data","kind":"network_acl","direction":"inbound","rule":100,"code":"NO_PATH","fix":"allow it","path":"forward","detail":"denied","header":"tcp 10.0.0.4:40000 → 10.0.1.5:5432"}"#
        );
    }

    #[test]
    fn rules_as_text_and_json() {
        assert_eq!(rule_json(&RuleId::Star), serde_json::json!("*"));
        assert_eq!(rule_json(&RuleId::NoMatch), serde_json::Value::Null);
        let sg = RuleId::SgRule {
            group: "sg-web".into(),
            index: 2,
        };
        assert_eq!(rule_json(&sg), serde_json::json!("sg-web rule 2"));
        assert_eq!(rule_text(&RuleId::Number(7)).as_deref(), Some("7"));
        assert_eq!(rule_text(&RuleId::Builtin), None);
    }
}
