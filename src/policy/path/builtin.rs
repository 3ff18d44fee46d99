//! Constructors for the decisions of fixed AWS behaviour (rule [`RuleId::Builtin`]) and of a
//! route table that cannot deliver; no direction applies to any of them.

use crate::policy::{ComponentKind, Decision, ExplanationCode, RuleId, Verdict};
use ipnet::Ipv4Net;

/// A built-in decision (no user rule decided) of `component`.
pub(super) fn builtin(
    verdict: Verdict,
    component: String,
    kind: ComponentKind,
    code: Option<ExplanationCode>,
    detail: String,
) -> Decision {
    Decision {
        verdict,
        component,
        kind,
        direction: None,
        rule: RuleId::Builtin,
        code,
        detail,
    }
}

/// A built-in rejection with its explanation code.
pub(super) fn reject(
    component: String,
    kind: ComponentKind,
    code: ExplanationCode,
    detail: String,
) -> Decision {
    builtin(Verdict::Reject, component, kind, Some(code), detail)
}

/// Route table `rtb` has no route to `dst`.
pub(super) fn no_route(rtb: &str, dst: std::net::Ipv4Addr) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        component: rtb.to_string(),
        kind: ComponentKind::RouteTable,
        direction: None,
        rule: RuleId::NoMatch,
        code: Some(ExplanationCode::NoRouteToDestination),
        detail: format!("{rtb} has no route to {dst}"),
    }
}

/// Route `dest` of table `rtb` matched but its target cannot take the packet (`why`); `name`
/// is the route as the detail names it (`dest`, with its prefix list if any).
pub(super) fn blackhole(rtb: &str, dest: Ipv4Net, name: &str, why: String) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        component: rtb.to_string(),
        kind: ComponentKind::RouteTable,
        direction: None,
        rule: RuleId::Route(dest),
        code: Some(ExplanationCode::BadStateRoute),
        detail: format!("route {name} is a blackhole: {why}"),
    }
}
