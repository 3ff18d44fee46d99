//! The walk's driver: [`walk`], the [`Walker`] that carries its trace (hops, observations,
//! blockers, loop budget) through the stages, and the first stage that picks where to start.

use super::builtin::{builtin, reject};
use super::WalkState;
use super::{is_private, resolver_target, Hop, Observation, Options, Origin, Outcome, Walk};
use crate::model::{EniId, Network, VpcId};
use crate::policy::compiled::Compiled;
use crate::policy::{
    ComponentKind, Decision, Direction, ExplanationCode, Header, TrafficPath, Verdict,
};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// A stage's result: Err is the decision that stops the walk.
pub(super) type Step<T> = Result<T, Decision>;

/// How many ENI arrivals, departures and internet crossings one walk may make before it is
/// called a routing loop.
const BUDGET: u32 = 24;

/// Walks one packet `h` sent from `origin`.
pub fn walk(
    net: &Network,
    state: &mut dyn WalkState,
    origin: Origin,
    h: Header,
    opts: Options,
) -> Walk {
    let mut w = Walker::new(net, state, opts, h);
    let outcome = match w.start(origin, h) {
        Ok(o) => o,
        Err(d) => Outcome::Dropped(d),
    };
    w.finish(outcome)
}

/// [`walk`] of a packet carrying an HTTP request `req`, which an ALB's listener rules match.
pub fn walk_http(
    net: &Network,
    state: &mut dyn WalkState,
    origin: Origin,
    h: Header,
    opts: Options,
    req: super::HttpRequest,
) -> Walk {
    let mut w = Walker::new(net, state, opts, h);
    w.http = Some(req);
    let outcome = match w.start(origin, h) {
        Ok(o) => o,
        Err(d) => Outcome::Dropped(d),
    };
    w.finish(outcome)
}

/// [`walk`] deciding SGs and NACLs by the network's compiled rules (`compiled` must have been
/// built from `net`), for the engine: the same outcome and observations, shared decisions,
/// and hops only when `trace` is true.
pub fn walk_compiled(
    net: &Network,
    compiled: &Compiled,
    state: &mut dyn WalkState,
    origin: Origin,
    h: Header,
    opts: Options,
    trace: bool,
) -> Walk {
    let mut w = Walker::new(net, state, opts, h);
    w.compiled = Some(compiled);
    w.trace = trace;
    let outcome = match w.start(origin, h) {
        Ok(o) => o,
        Err(d) => Outcome::Dropped(d),
    };
    w.finish(outcome)
}

/// One walk in progress: the network and state it reads, and the trace it builds.
pub(super) struct Walker<'a> {
    /// The network walked.
    pub(super) net: &'a Network,
    /// Tracked flows and NAT mappings.
    pub(super) state: &'a mut dyn WalkState,
    /// The caller's options.
    pub(super) opts: Options,
    /// Hops so far.
    pub(super) hops: Vec<Hop>,
    /// Observations so far (stages patch the source ENI's egress one by index).
    pub(super) obs: Vec<Observation>,
    /// Rejections met and passed over ([`Options::collect_all`]).
    pub(super) blockers: Vec<Decision>,
    /// Steps left before the walk is a routing loop.
    pub(super) budget: u32,
    /// AWS `pkt-srcaddr` for the next observations (changes at a NAT gateway).
    pub(super) pkt_src: Ipv4Addr,
    /// AWS `pkt-dstaddr` for the next observations (changes at an IGW or a NAT gateway).
    pub(super) pkt_dst: Ipv4Addr,
    /// A peering the walk leaves the network through ([`Outcome::Exited`]) once it crosses it:
    /// the return leg of a flow that entered over that peering (`reach --from pcx-…`).
    pub(super) exit_at: Option<crate::model::PeeringId>,
    /// The HTTP request an ALB's rules match (None: `/` on the load balancer's DNS name).
    pub(super) http: Option<super::HttpRequest>,
    /// The load balancer the packet crossed, if any.
    pub(super) lb: Option<super::LbCrossing>,
    /// The network's rules compiled ([`walk_compiled`]); None: plain evaluation.
    pub(super) compiled: Option<&'a Compiled>,
    /// False when the caller wants no hops (the engine's walks): hop texts are not built.
    pub(super) trace: bool,
}

impl<'a> Walker<'a> {
    /// A walk of `h` not started yet.
    pub(super) fn new(
        net: &'a Network,
        state: &'a mut dyn WalkState,
        opts: Options,
        h: Header,
    ) -> Self {
        Walker {
            net,
            state,
            opts,
            hops: Vec::new(),
            obs: Vec::new(),
            blockers: Vec::new(),
            budget: BUDGET,
            pkt_src: h.src,
            pkt_dst: h.dst,
            exit_at: None,
            http: None,
            lb: None,
            compiled: None,
            trace: true,
        }
    }
    /// Turns the last stage's outcome into the [`Walk`]: a collected blocker makes a delivered
    /// packet dropped, and the deciding drop is always among the blockers.
    pub(super) fn finish(mut self, outcome: Outcome) -> Walk {
        let exit = match &outcome {
            Outcome::Exited { gateway, header } => Some((gateway.clone(), *header)),
            _ => None,
        };
        let outcome = match (outcome, self.blockers.first()) {
            (Outcome::Dropped(d), _) => Outcome::Dropped(d),
            (_, Some(b)) => Outcome::Dropped(b.clone()),
            (o, None) => o,
        };
        if let Outcome::Dropped(d) = &outcome {
            if self.blockers.last() != Some(d) && !self.blockers.contains(d) {
                self.blockers.push(d.clone());
            }
        }
        Walk {
            hops: self.hops,
            outcome,
            observations: self.obs,
            blockers: self.blockers,
            exit,
            lb: self.lb,
        }
    }

    /// Appends a hop to the trace.
    pub(super) fn hop(
        &mut self,
        component: &str,
        kind: ComponentKind,
        detail: String,
        decision: Option<Decision>,
    ) {
        if !self.trace {
            return;
        }
        self.hops.push(Hop {
            component: component.to_string(),
            kind,
            detail,
            decision,
        });
    }

    /// Records a decision; a rejection either stops the walk or (collect_all) is noted.
    pub(super) fn check(&mut self, d: Decision) -> Step<()> {
        if self.trace {
            let detail = d.to_string();
            self.hop(&d.component.clone(), d.kind, detail, Some(d.clone()));
        }
        if d.accepted() {
            return Ok(());
        }
        if self.opts.collect_all {
            self.blockers.push(d);
            Ok(())
        } else {
            Err(d)
        }
    }

    /// A hard stop (no way to continue even when collecting).
    pub(super) fn stop(&mut self, d: Decision) -> Decision {
        if self.trace {
            let detail = d.to_string();
            self.hop(&d.component.clone(), d.kind, detail, Some(d.clone()));
        }
        d
    }

    /// Records the packet `h` at `eni` (with the current pkt-src/dst) and returns its index.
    pub(super) fn observe(
        &mut self,
        eni: EniId,
        direction: Direction,
        h: &Header,
        decision: Decision,
        track: bool,
    ) -> usize {
        self.observe_shared(eni, direction, h, Arc::new(decision), track)
    }

    /// [`Walker::observe`] with a shared decision (a compiled rule's, not copied).
    pub(super) fn observe_shared(
        &mut self,
        eni: EniId,
        direction: Direction,
        h: &Header,
        decision: Arc<Decision>,
        track: bool,
    ) -> usize {
        self.obs.push(Observation {
            eni,
            direction,
            header: *h,
            pkt_src: self.pkt_src,
            pkt_dst: self.pkt_dst,
            verdict: decision.verdict,
            decision,
            traffic_path: None,
            track,
        });
        self.obs.len() - 1
    }

    /// Marks the source ENI's egress observation as rejected by `d` (NACL out).
    pub(super) fn reject_obs(&mut self, obs: Option<usize>, d: &Arc<Decision>) {
        if let Some(i) = obs {
            let o = &mut self.obs[i];
            if o.verdict == Verdict::Accept {
                o.verdict = Verdict::Reject;
                o.decision = d.clone();
                o.track = false;
            }
        }
    }

    /// Sets the traffic-path of the source ENI's egress observation, if there is one.
    pub(super) fn set_path(&mut self, obs: Option<usize>, p: TrafficPath) {
        if let Some(i) = obs {
            self.obs[i].traffic_path = Some(p);
        }
    }

    /// Spends one step of the loop budget; Err (a routing loop) when none is left.
    pub(super) fn spend(&mut self) -> Step<()> {
        if self.budget == 0 {
            return Err(builtin(
                Verdict::Reject,
                "vpc".into(),
                ComponentKind::Vpc,
                Some(ExplanationCode::RoutingLoop),
                "the packet loops between route targets".into(),
            ));
        }
        self.budget -= 1;
        Ok(())
    }

    /// The first stage: a resolver query is answered at once; otherwise the packet leaves its
    /// ENI, or (from the internet) must carry the sender's public address.
    pub(super) fn start(&mut self, origin: Origin, h: Header) -> Step<Outcome> {
        if let Some(vpc) = resolver_target(self.net, origin, &h) {
            return Ok(self.resolver(vpc, &h));
        }
        match origin {
            Origin::Eni(e) => self.leave_eni(e, h),
            Origin::Internet(src)
                if h.src == src && self.net.hybrid.on_premises_of(src).is_some() =>
            {
                let op = self.net.hybrid.on_premises_of(src).unwrap_or_default();
                self.from_on_premises(op, h)
            }
            Origin::Internet(src) => {
                if h.src != src || is_private(src) {
                    return Err(self.stop(reject("internet".into(), ComponentKind::Internet, ExplanationCode::IgwExpectsPublicAddress, format!("internet packets must come from a public address; {} is not the sender's", h.src))));
                }
                self.internet(h)
            }
        }
    }

    /// A DNS query answered by the resolver of `vpc` (None: the public resolver).
    fn resolver(&mut self, vpc: Option<VpcId>, h: &Header) -> Outcome {
        let name = vpc
            .map(|v| self.net.vpc(v).aws_id.clone())
            .unwrap_or_else(|| "internet".into());
        let kind = if vpc.is_some() {
            ComponentKind::Vpc
        } else {
            ComponentKind::Internet
        };
        self.hop(
            &name,
            kind,
            format!(
                "DNS query to the resolver at {} (not filtered by SGs or NACLs)",
                h.dst
            ),
            None,
        );
        Outcome::Resolver { vpc }
    }
}
