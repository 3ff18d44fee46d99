//! DNS on a live lab: every `dns` check asks the real resolver inside the running network —
//! `dig` in the asking host's namespace, through `vpclab exec`, to the resolver that host is
//! configured with — instead of the model. The engine's Route 53 answers it with the health
//! its monitor measures by probing through the engine, so a step's checks first wait for those
//! health checks to settle (each check's state agrees with its last probe). Where dig cannot
//! be run, the check keeps the model's answer and says so.

use super::common::load_network_quiet;
use super::lab_live::exec_bounded;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use vpclab::lab::checks::{judge_dns, CheckOutcome, CheckResult};
use vpclab::lab::dig::{dig_command, parse_dig, resolver_of};
use vpclab::lab::format::Check;
use vpclab::model::Network;

/// How often the health of the running topology is read while waiting.
const POLL: Duration = Duration::from_millis(500);

/// True when the `dns: health_checks:` of the file the network runs from (`running`) differ
/// from `new`'s: `apply` keeps the monitor `up` started, so new or changed checks need a
/// rebuild to be probed at all. False when there is no running copy.
pub fn health_checks_changed(running: &Path, new: &Network) -> bool {
    let Ok((old, _)) = load_network_quiet(running) else {
        return false;
    };
    // `HealthCheck` has no equality of its own; its Debug form lists every field.
    let defs = |n: &Network| format!("{:?}", n.route53.health_checks);
    defs(&old) != defs(new)
}

/// The longest wait for `net`'s health checks to settle: the slowest check's
/// `interval × failure_threshold`, one more interval for a probe under way, and 5 s.
fn settle_bound(net: &Network) -> Duration {
    let checks = &net.route53.health_checks;
    let flip = checks
        .iter()
        .map(|c| u64::from(c.interval.max(1)) * u64::from(c.threshold.max(1)))
        .max()
        .unwrap_or(0);
    let interval = checks
        .iter()
        .map(|c| u64::from(c.interval))
        .max()
        .unwrap_or(0);
    Duration::from_secs(flip + interval + 5)
}

/// The running topology's health checks as `status --json` reports them; None when it does
/// not answer.
fn health_of(name: &str) -> Option<Vec<serde_json::Value>> {
    let exe = std::env::current_exe().ok()?;
    let o = Command::new(exe)
        .args(["status", name, "--json"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
    v["topologies"][0]["health"]["checks"].as_array().cloned()
}

/// True when every check of `net` is monitored and its state agrees with its last probe
/// (it has been probed, and no run of disagreeing results is under way).
fn settled(net: &Network, checks: &[serde_json::Value]) -> bool {
    net.route53.health_checks.iter().all(|want| {
        checks.iter().any(|c| {
            c["name"] == want.name.as_str()
                && !c["last_result"].is_null()
                && c["streak"].as_u64() == Some(0)
        })
    })
}

/// Before a step's checks on the live network `live`: waits, bounded by [`settle_bound`],
/// until the Route 53 health checks of the learner's file have settled, so that DNS answers
/// (a `dns` check, or `dig` in an `exec` check) see the health the monitor measured rather
/// than the healthy state every check starts in. Only when the step asks DNS or runs `exec`
/// checks and the topology has health checks; progress goes to stderr.
pub fn settle_health(live: &Result<String, String>, work: &Path, checks: &[Check]) {
    let Ok(name) = live else { return };
    if !checks
        .iter()
        .any(|c| matches!(c, Check::Dns(_) | Check::Exec(_)))
    {
        return;
    }
    let Ok((net, _)) = load_network_quiet(work) else {
        return;
    };
    if net.route53.health_checks.is_empty() {
        return;
    }
    let bound = settle_bound(&net);
    let start = Instant::now();
    let mut said = false;
    loop {
        if health_of(name).is_some_and(|h| settled(&net, &h)) {
            return;
        }
        if start.elapsed() >= bound {
            eprintln!(
                "live: the health checks of {name} have not settled after {}s; DNS answers may still change",
                bound.as_secs()
            );
            return;
        }
        if !said {
            eprintln!(
                "live: waiting for the Route 53 health checks of {name} to settle (up to {}s)",
                bound.as_secs()
            );
            said = true;
        }
        std::thread::sleep(POLL);
    }
}

/// Asks the live resolver one `dns` check's question from `from`: `dig` inside it. Ok with
/// the outcome judged; Err(why) when dig could not give an answer to judge.
fn ask_live(
    name: &str,
    net: &Network,
    d: &vpclab::lab::format::DnsCheck,
) -> Result<CheckOutcome, String> {
    let server = resolver_of(net, &d.from).ok_or_else(|| format!("no host `{}`", d.from))?;
    let qtype = d.qtype.as_deref().unwrap_or("A");
    let argv = dig_command(server, &d.name, qtype);
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    let o = exec_bounded(name, &d.from, &args).map_err(|o| o.reason().to_string())?;
    let code = o.status.code().unwrap_or(-1);
    if code == 127 {
        return Err("dig is not installed".into());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let answer = parse_dig(&text, code)?;
    let via = format!("live: dig @{server} inside {}", d.from);
    Ok(match judge_dns(answer, &d.expect) {
        CheckOutcome::Pass(r) => CheckOutcome::Pass(format!("{r} ({via})")),
        CheckOutcome::Fail(r) => CheckOutcome::Fail(format!("{r} ({via})")),
        other => other,
    })
}

/// Replaces the model's answer of every `dns` check with the live resolver's when `live`
/// names the running topology. A check whose host is unknown keeps its failure; one whose
/// question dig could not put keeps the model's outcome, with the reason appended.
pub fn run_dns_checks(
    live: &Result<String, String>,
    work: &Path,
    checks: &[Check],
    results: &mut [CheckResult],
) {
    let Ok(name) = live else { return };
    let Ok((net, _)) = load_network_quiet(work) else {
        return;
    };
    for (c, r) in checks.iter().zip(results.iter_mut()) {
        let Check::Dns(d) = c else { continue };
        if net.endpoint_by_name(&d.from).is_none() {
            continue;
        }
        r.outcome = match ask_live(name, &net, d) {
            Ok(o) => o,
            Err(why) => {
                let note = format!(" (the model's answer: the live resolver was not asked, {why})");
                match &r.outcome {
                    CheckOutcome::Pass(s) => CheckOutcome::Pass(format!("{s}{note}")),
                    CheckOutcome::Fail(s) => CheckOutcome::Fail(format!("{s}{note}")),
                    other => other.clone(),
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(yaml: &str) -> Network {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.yaml");
        std::fs::write(&p, yaml).unwrap();
        load_network_quiet(&p).unwrap().0
    }

    const TOPO: &str = "\
name: hc
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, az: us-east-1a }
    instances:
      web: { subnet: a, ip: 10.0.0.10, elastic_ip: 203.0.113.10, services: [http:80] }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
dns:
  health_checks:
    web: { target: 203.0.113.10, protocol: http, port: 80, interval: 10, failure_threshold: 3 }
";

    #[test]
    fn settled_wants_every_check_probed_and_agreeing() {
        let n = net(TOPO);
        let ok = serde_json::json!({"name": "web", "last_result": false, "streak": 0});
        let building = serde_json::json!({"name": "web", "last_result": false, "streak": 2});
        let unprobed = serde_json::json!({"name": "web", "last_result": null, "streak": 0});
        let other = serde_json::json!({"name": "db", "last_result": true, "streak": 0});
        assert!(settled(&n, &[ok]));
        assert!(!settled(&n, &[building]));
        assert!(!settled(&n, &[unprobed]));
        assert!(!settled(&n, &[other]));
        assert_eq!(settle_bound(&n), Duration::from_secs(30 + 10 + 5));
    }

    #[test]
    fn a_changed_check_is_seen_and_an_unchanged_one_is_not() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("live.yaml");
        std::fs::write(&p, TOPO).unwrap();
        assert!(!health_checks_changed(&p, &net(TOPO)));
        let moved = TOPO.replace("port: 80, interval", "port: 8080, interval");
        assert!(health_checks_changed(&p, &net(&moved)));
        assert!(!health_checks_changed(
            &d.path().join("none.yaml"),
            &net(&moved)
        ));
    }
}
