//! Running a step's checks against a topology file: each check gives a `CheckResult` (pass,
//! fail with the reason, not evaluated, or skipped on this backend).

use super::adapters::{self, PathAnswer};
use super::format::{BlockerSpec, Check, DnsExpect, ProbeExpect, ReachExpect};
use crate::model::Network;
use crate::policy::{Decision, ExplanationCode};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// What happened to one check (serialized as `status` and `reason`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The check passed; the note says what was seen (may be empty).
    Pass(String),
    /// The check failed; the reason says what was seen and what the step wants.
    Fail(String),
    /// The module behind this check kind is not available in this build.
    Unavailable(String),
    /// The check does not apply to this backend (e.g. `exec` on the virtual backend).
    Skipped(String),
}

impl CheckOutcome {
    /// True for `Pass` only.
    pub fn passed(&self) -> bool {
        matches!(self, CheckOutcome::Pass(_))
    }
    /// True for `Fail` only (`Unavailable` and `Skipped` are neither).
    pub fn failed(&self) -> bool {
        matches!(self, CheckOutcome::Fail(_))
    }
    /// The note or reason, whatever the outcome.
    pub fn reason(&self) -> &str {
        match self {
            CheckOutcome::Pass(s)
            | CheckOutcome::Fail(s)
            | CheckOutcome::Unavailable(s)
            | CheckOutcome::Skipped(s) => s,
        }
    }
}

/// The blocking component of a failed path, as shown and as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Blocker {
    /// Display id of the blocking component (`acl-public`).
    pub component: String,
    /// Component kind as policy names it (`network_acl`).
    pub kind: String,
    /// `inbound` / `outbound`; None for components without a direction (route tables, gateways).
    pub direction: Option<String>,
    /// The rule (`rule *`, `sg-web rule 2`, `route 0.0.0.0/0`).
    pub rule: String,
    /// AWS explanation code; None when policy gives none.
    pub code: Option<ExplanationCode>,
    /// Policy's one-sentence detail of the decision.
    pub detail: String,
}

impl From<&Decision> for Blocker {
    fn from(d: &Decision) -> Self {
        Blocker {
            component: d.component.clone(),
            kind: d.kind.to_string(),
            direction: d.direction.map(|x| x.to_string()),
            rule: d.rule.to_string(),
            code: d.code,
            detail: d.detail.clone(),
        }
    }
}

impl Blocker {
    /// `acl-public inbound rule * (SUBNET_ACL_RESTRICTION)`.
    pub fn short(&self) -> String {
        let mut s = self.component.clone();
        if let Some(d) = &self.direction {
            s.push(' ');
            s.push_str(d);
        }
        s.push(' ');
        s.push_str(&self.rule);
        if let Some(c) = &self.code {
            s.push_str(&format!(" ({c})"));
        }
        s
    }
}

/// One check's result, as `lab check` prints it and its JSON.
#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    /// `valid`, `reach`, `probe`, `dns`, `flowlog`, `exec`.
    pub kind: &'static str,
    /// Short label (`reach client → web tcp/80`).
    pub label: String,
    /// Outcome with its reason (flattened into the JSON object).
    #[serde(flatten)]
    pub outcome: CheckOutcome,
    /// For a blocked path (`reach` or `probe`): the first blocker; None otherwise.
    pub blocked: Option<Blocker>,
    /// For `reach` and `path` checks: the analyzer's forward path up to its blocker (what
    /// `lab show` draws); empty for the other kinds, and not written then.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<super::intent::HopSeen>,
}

/// Runs `checks` against the topology at `path`. An invalid topology fails every `valid`
/// check with the validation errors and fails the others as "the topology does not validate".
pub fn run_checks(path: &Path, checks: &[Check]) -> Vec<CheckResult> {
    let loaded = crate::load::load(path).map(|l| Arc::new(l.network));
    checks
        .iter()
        .map(|c| {
            let mut blocked = None;
            let mut path = vec![];
            let outcome = match (&loaded, c) {
                (Ok(_), Check::Valid(_)) => CheckOutcome::Pass(String::new()),
                (Err(e), Check::Valid(_)) => CheckOutcome::Fail(e.to_string()),
                (Err(_), _) => {
                    CheckOutcome::Fail("the topology does not validate (see above)".into())
                }
                (Ok(net), c) => run_one(net, c, &mut blocked, &mut path),
            };
            CheckResult {
                kind: c.kind(),
                label: c.label(),
                outcome,
                blocked,
                path,
            }
        })
        .collect()
}

/// Fails unless every name is an instance or internet host, or something else the analyzer
/// resolves (`internet`, a gateway or load balancer by name, an address: see
/// `adapters::resolves`).
fn known(net: &Network, names: &[&str]) -> Result<(), CheckOutcome> {
    for n in names {
        if net.endpoint_by_name(n).is_none() && !adapters::resolves(net, n) {
            return Err(CheckOutcome::Fail(format!(
                "there is no instance or internet host named `{n}` in your topology (the lab needs it)"
            )));
        }
    }
    Ok(())
}

fn blocker_mismatch(want: &Option<BlockerSpec>, got: &Option<Decision>) -> Option<String> {
    let want = want.as_ref()?;
    let Some(d) = got else {
        return Some("blocked, but the component that blocks it is unknown".into());
    };
    let b = Blocker::from(d);
    let bad = |w: &Option<String>, g: &str| w.as_ref().is_some_and(|w| !w.eq_ignore_ascii_case(g));
    if bad(&want.kind, &b.kind)
        || bad(&want.component, &b.component)
        || bad(&want.code, b.code.map_or("", ExplanationCode::as_str))
    {
        let mut w = vec![];
        if let Some(k) = &want.kind {
            w.push(k.clone());
        }
        if let Some(k) = &want.component {
            w.push(k.clone());
        }
        if let Some(k) = &want.code {
            w.push(k.clone());
        }
        return Some(format!(
            "blocked by {} ({}), but this step wants it blocked by {}",
            b.short(),
            b.kind,
            w.join(" ")
        ));
    }
    None
}

fn judge_path(
    ans: Result<PathAnswer, String>,
    want_ok: bool,
    blocker: &Option<BlockerSpec>,
    yes: &str,
    no: &str,
    blocked: &mut Option<Blocker>,
) -> CheckOutcome {
    let a = match ans {
        Ok(a) => a,
        Err(e) => return CheckOutcome::Unavailable(e),
    };
    *blocked = a.blocked.as_ref().map(Blocker::from);
    match (a.ok, want_ok) {
        (true, true) => CheckOutcome::Pass(a.summary),
        (false, false) => match blocker_mismatch(blocker, &a.blocked) {
            None => CheckOutcome::Pass(match &a.blocked {
                Some(d) => format!("{no}: blocked by {}, as intended", Blocker::from(d).short()),
                None => format!("{no}, as intended"),
            }),
            Some(m) => CheckOutcome::Fail(m),
        },
        (false, true) => CheckOutcome::Fail(match &a.blocked {
            Some(d) => format!("blocked by {}", Blocker::from(d).short()),
            None => format!("{no}: {}", a.summary),
        }),
        (true, false) if a.summary.is_empty() => {
            CheckOutcome::Fail(format!("{yes}, but this step expects it to be blocked"))
        }
        (true, false) => CheckOutcome::Fail(format!(
            "{yes} ({}), but this step expects it to be blocked",
            a.summary
        )),
    }
}

/// Judges a DNS answer (the emulated resolver's, or the live one's read from `dig`) against
/// what a `dns` check expects: the rcode, then the values as a set (or each one from `one_of`).
pub fn judge_dns(ans: adapters::DnsAnswer, want: &DnsExpect) -> CheckOutcome {
    let rcode = want.rcode.as_deref().unwrap_or("NOERROR");
    let got = format!("{} [{}]", ans.rcode, ans.values.join(", "));
    if !ans.rcode.eq_ignore_ascii_case(rcode) {
        return CheckOutcome::Fail(format!("got {got}, expected {rcode}"));
    }
    let norm = |v: &str| v.trim_end_matches('.').to_ascii_lowercase();
    let mut have: Vec<String> = ans.values.iter().map(|v| norm(v)).collect();
    have.sort();
    if let Some(vals) = &want.values {
        let mut w: Vec<String> = vals.iter().map(|v| norm(v)).collect();
        w.sort();
        if w != have {
            return CheckOutcome::Fail(format!("got {got}, expected [{}]", vals.join(", ")));
        }
    }
    if let Some(set) = &want.one_of {
        let w: Vec<String> = set.iter().map(|v| norm(v)).collect();
        if have.is_empty() || have.iter().any(|h| !w.contains(h)) {
            return CheckOutcome::Fail(format!(
                "got {got}, expected values from [{}]",
                set.join(", ")
            ));
        }
    }
    CheckOutcome::Pass(format!("answered {got}"))
}

fn run_one(
    net: &Arc<Network>,
    c: &Check,
    blocked: &mut Option<Blocker>,
    path: &mut Vec<super::intent::HopSeen>,
) -> CheckOutcome {
    match c {
        Check::Valid(_) => CheckOutcome::Pass(String::new()),
        Check::Reach(r) => {
            if let Err(o) = known(net, &[&r.from, &r.to]) {
                return o;
            }
            let ans = adapters::check_reach(net, &r.from, &r.to, &r.protocol, r.port, r.ipv6);
            if let Ok(a) = &ans {
                path.clone_from(&a.hops);
            }
            judge_path(
                ans,
                r.expect == ReachExpect::Reachable,
                &r.blocker,
                "reachable",
                "not reachable",
                blocked,
            )
        }
        Check::Probe(p) => {
            if let Err(o) = known(net, &[&p.from, &p.to]) {
                return o;
            }
            let ans = adapters::check_probe(net, &p.from, &p.to, &p.protocol, p.port);
            judge_path(
                ans,
                p.expect == ProbeExpect::Reply,
                &p.blocker,
                "a reply came back",
                "no reply",
                blocked,
            )
        }
        Check::Dns(d) => {
            if let Err(o) = known(net, &[&d.from]) {
                return o;
            }
            match adapters::check_dns(net, &d.from, &d.name, d.qtype.as_deref().unwrap_or("A")) {
                Ok(a) => judge_dns(a, &d.expect),
                Err(e) => CheckOutcome::Unavailable(e),
            }
        }
        Check::Flowlog(f) => {
            if let Err(o) = known(net, &[&f.after.from, &f.after.to]) {
                return o;
            }
            let flow = (
                f.after.from.as_str(),
                f.after.to.as_str(),
                f.after.protocol.as_str(),
                f.after.port,
            );
            match adapters::check_flowlog(net, flow, &f.resource, &f.action) {
                Ok(found) if found == f.exists => CheckOutcome::Pass(format!(
                    "{} record with action {} on {}",
                    if found { "found a" } else { "no" },
                    f.action,
                    f.resource
                )),
                Ok(found) => CheckOutcome::Fail(format!(
                    "{} flow-log record with action {} on {} after {}",
                    if found { "there is a" } else { "there is no" },
                    f.action,
                    f.resource,
                    f.after.label()
                )),
                Err(e) => CheckOutcome::Unavailable(e),
            }
        }
        Check::Exec(e) => {
            if let Err(o) = known(net, &[&e.instance]) {
                return o;
            }
            CheckOutcome::Skipped(
                "runs only on the netns backend (root); not checked on the virtual backend".into(),
            )
        }
        Check::Path(c) => {
            if let Err(o) = known(net, &[&c.from, &c.to]) {
                return o;
            }
            let (o, ans) = super::intent::run_path(net, c);
            if let Some(a) = &ans {
                path.clone_from(&a.hops);
            }
            *blocked = ans.and_then(|a| a.blocked.as_ref().map(Blocker::from));
            o
        }
        Check::NoPublicIp(c) => super::intent::run_no_public_ip(net, c),
        Check::Value(c) => super::intent::run_value(net, c),
        Check::RulesWithin(c) => super::intent::run_rules_within(net, c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_values_compare_as_sets() {
        let a = adapters::DnsAnswer {
            rcode: "NOERROR".into(),
            values: vec!["b.".into(), "a".into()],
        };
        let want = DnsExpect {
            values: Some(vec!["a".into(), "b".into()]),
            ..Default::default()
        };
        assert!(judge_dns(a.clone(), &want).passed());
        let want = DnsExpect {
            one_of: Some(vec!["a".into()]),
            ..Default::default()
        };
        assert!(judge_dns(a.clone(), &want).failed());
        let want = DnsExpect {
            rcode: Some("NXDOMAIN".into()),
            ..Default::default()
        };
        assert!(judge_dns(a, &want).failed());
    }

    #[test]
    fn unreachable_with_wrong_blocker_fails() {
        use crate::policy::{ComponentKind, Direction, RuleId, Verdict};
        let d = Decision {
            verdict: Verdict::Reject,
            component: "acl-public".into(),
            kind: ComponentKind::NetworkAcl,
            direction: Some(Direction::Inbound),
            rule: RuleId::Star,
            code: Some(ExplanationCode::SubnetAclRestriction),
            detail: String::new(),
        };
        let ans = || {
            Ok(PathAnswer {
                ok: false,
                blocked: Some(d.clone()),
                summary: String::new(),
                hops: vec![],
            })
        };
        let mut b = None;
        let want = Some(BlockerSpec {
            kind: Some("security_group".into()),
            ..Default::default()
        });
        assert!(judge_path(ans(), false, &want, "y", "n", &mut b).failed());
        let want = Some(BlockerSpec {
            kind: Some("network_acl".into()),
            ..Default::default()
        });
        assert!(judge_path(ans(), false, &want, "y", "n", &mut b).passed());
        let o = judge_path(ans(), true, &None, "y", "n", &mut b);
        assert_eq!(
            o,
            CheckOutcome::Fail(
                "blocked by acl-public inbound rule * (SUBNET_ACL_RESTRICTION)".into()
            )
        );
        assert_eq!(b.unwrap().kind, "network_acl");
    }
}
