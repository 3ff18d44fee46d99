//! The lab format (part of `lab`, rank 8): `labs/NN-slug/lab.yaml` parsed into `Lab` (see
//! `docs/labs.md`). Unknown keys and wrong types are errors that name the lab file, line and
//! column.

use crate::topology::input::{read_bounded_text, InputError};
use crate::topology::strict;
use crate::topology::{Loc, Report, Sp};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use super::intent_spec::{HopSpec, NoPublicIpCheck, PathCheck, RulesWithinCheck, ValueCheck};

/// A guided lab as written in `lab.yaml`, plus the folder it was read from.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    /// The lab's id, equal to its folder name (`01-cidr-subnets`).
    pub id: Sp<String>,
    /// One-line title, shown by `lab list` and `lab start`.
    pub title: String,
    /// The concepts it teaches (shown by `lab list`).
    #[serde(default)]
    pub concepts: Vec<String>,
    /// Estimated minutes to finish; None when not written.
    #[serde(default, deserialize_with = "strict::option")]
    pub minutes: Option<u32>,
    /// Markdown shown by `lab start`, before the first step.
    pub briefing: String,
    /// The starting topology file, relative to the lab folder (default `start.yaml`).
    #[serde(default)]
    pub start: Option<String>,
    /// The steps, in order; progress moves to the next when every check of one passes.
    pub steps: Vec<Step>,
    /// The folder the lab was read from (not in the file).
    #[serde(skip)]
    pub dir: PathBuf,
}

/// One step of a lab.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Short title, shown in progress and check output.
    pub title: String,
    /// Markdown: what the learner should change.
    pub instructions: String,
    /// Progressive hints, vaguest first: each `lab hint` shows one more.
    #[serde(default)]
    pub hints: Vec<String>,
    /// A topology file this step starts from (default: the previous step's solution, or the
    /// lab's start for step 1).
    #[serde(default)]
    pub start: Option<String>,
    /// The solution topology (default `solution-N.yaml`).
    #[serde(default)]
    pub solution: Option<String>,
    /// What `lab solution` says about the change, besides the diff.
    #[serde(default)]
    pub explanation: Option<String>,
    /// The checks; the step passes only when all pass.
    pub checks: Vec<Sp<Check>>,
}

/// A flow as checks name it: from, to, protocol, port.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Source: an instance or internet host name.
    pub from: String,
    /// Destination: an instance or internet host name.
    pub to: String,
    /// `tcp`, `udp` or `icmp` (default `tcp`).
    #[serde(default = "default_proto")]
    pub protocol: String,
    /// Destination port (tcp/udp); None for icmp.
    #[serde(default, deserialize_with = "strict::option")]
    pub port: Option<u16>,
}

fn default_proto() -> String {
    "tcp".into()
}

impl Flow {
    /// `client → web tcp/80` (`client → web icmp` without a port).
    pub fn label(&self) -> String {
        match self.port {
            Some(p) => format!("{} → {} {}/{}", self.from, self.to, self.protocol, p),
            None => format!("{} → {} {}", self.from, self.to, self.protocol),
        }
    }
}

/// What blocks a path, as a check may require it (every field optional).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BlockerSpec {
    /// Component kind (`network_acl`, `security_group`, `route_table`, ...).
    #[serde(default)]
    pub kind: Option<String>,
    /// AWS explanation code (`SUBNET_ACL_RESTRICTION`).
    #[serde(default)]
    pub code: Option<String>,
    /// Component id (`acl-public`), compared case-insensitively.
    #[serde(default)]
    pub component: Option<String>,
}

/// What a `reach` check expects of the analyzer.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReachExpect {
    /// Every source port gets there and back.
    Reachable,
    /// Not reachable (a partial answer counts as not reachable).
    Unreachable,
}

/// What a `probe` check expects of real packets.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeExpect {
    /// The destination's answer gets back to the source.
    Reply,
    /// No answer gets back (dropped on the way there or back).
    NoReply,
}

/// A `reach` check: the analyzer's verdict on the current topology.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReachCheck {
    /// Source, as `vpclab reach --from` takes it: an instance or internet host name,
    /// `internet` or an IPv4 address.
    pub from: String,
    /// Destination, as `vpclab reach --to` takes it.
    pub to: String,
    /// `tcp`, `udp` or `icmp` (default `tcp`).
    #[serde(default = "default_proto")]
    pub protocol: String,
    /// Destination port (tcp/udp); None for icmp.
    #[serde(default, deserialize_with = "strict::option")]
    pub port: Option<u16>,
    /// True: ask over IPv6 (`vpclab reach -6`); default IPv4.
    #[serde(default, deserialize_with = "strict::value")]
    pub ipv6: bool,
    /// Expected verdict.
    pub expect: ReachExpect,
    /// For an `unreachable` expectation: the kind, code and component the first blocker must
    /// have (each field that is written, case-insensitive). None accepts any blocker.
    #[serde(default)]
    pub blocker: Option<BlockerSpec>,
}

/// A `probe` check: real packets on the virtual backend.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProbeCheck {
    /// Source: an instance or internet host name.
    pub from: String,
    /// Destination: an instance or internet host name.
    pub to: String,
    /// `tcp`, `udp` or `icmp` (default `tcp`).
    #[serde(default = "default_proto")]
    pub protocol: String,
    /// Destination port (tcp/udp); None for icmp.
    #[serde(default, deserialize_with = "strict::option")]
    pub port: Option<u16>,
    /// Expected outcome.
    pub expect: ProbeExpect,
    /// For a `no-reply` expectation: what the blocker must be (as `ReachCheck::blocker`).
    #[serde(default)]
    pub blocker: Option<BlockerSpec>,
}

/// Expected DNS answer. Values compare lowercase, trailing dots ignored.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DnsExpect {
    /// Response code as dig names it (default `NOERROR`), compared case-insensitively.
    #[serde(default)]
    pub rcode: Option<String>,
    /// Exactly these values, in any order; None does not check the values.
    #[serde(default)]
    pub values: Option<Vec<String>>,
    /// At least one value, and every value from this list; None does not check.
    #[serde(default)]
    pub one_of: Option<Vec<String>>,
}

/// A `dns` check: the emulated resolver's answer from a vantage point.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DnsCheck {
    /// Who asks: an instance (its VPC resolver) or an internet host (public DNS).
    pub from: String,
    /// The query name (absolute; trailing dot optional).
    pub name: String,
    /// Record type (default `A`).
    #[serde(default, rename = "type")]
    pub qtype: Option<String>,
    /// The expected answer.
    pub expect: DnsExpect,
}

/// A `flowlog` check: after a probe, a record or packet with this action exists.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FlowlogCheck {
    /// The probe sent first, whose record or packet is looked for.
    pub after: Flow,
    /// Where to look: `eni-web`, `instance:web`, `subnet:VPC/NAME` or `vpc:NAME`.
    pub resource: String,
    /// `ACCEPT` or `REJECT`: the action the record must have.
    pub action: String,
    /// True (default): such a record must exist; false: none may.
    #[serde(default = "yes", deserialize_with = "strict::value")]
    pub exists: bool,
}

fn yes() -> bool {
    true
}

/// An `exec` check: a command inside an instance (namespace backend only).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExecCheck {
    /// The instance (its namespace) to run the command in.
    pub instance: String,
    /// A shell command line.
    pub command: String,
    /// Expected exit status (default 0).
    #[serde(default, deserialize_with = "strict::value")]
    pub exit: i32,
}

/// The topology validates (no fields; write `- valid: {}`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValidCheck {}

/// One check of a step, written as a one-key map (`- reach: {...}`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// `valid`: the topology validates (errors fail it; warnings do not).
    Valid(ValidCheck),
    /// `reach`: the analyzer's verdict.
    Reach(ReachCheck),
    /// `probe`: real packets through the engine.
    Probe(ProbeCheck),
    /// `dns`: an answer of the emulated resolver.
    Dns(DnsCheck),
    /// `flowlog`: a flow-log record after a probe.
    Flowlog(FlowlogCheck),
    /// `exec`: a command inside an instance (namespace backend only).
    Exec(ExecCheck),
    /// `path`: the analyzer's path goes through (or avoids) given components.
    Path(PathCheck),
    /// `no_public_ip`: an instance has no public address.
    #[serde(rename = "no_public_ip")]
    NoPublicIp(NoPublicIpCheck),
    /// `value`: one attribute of the topology equals a value exactly.
    Value(ValueCheck),
    /// `rules_within`: no rule broader than the step needs.
    #[serde(rename = "rules_within")]
    RulesWithin(RulesWithinCheck),
}

impl Check {
    /// The kind's name as written (`reach`, `probe`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Valid(_) => "valid",
            Check::Reach(_) => "reach",
            Check::Probe(_) => "probe",
            Check::Dns(_) => "dns",
            Check::Flowlog(_) => "flowlog",
            Check::Exec(_) => "exec",
            Check::Path(_) => "path",
            Check::NoPublicIp(_) => "no_public_ip",
            Check::Value(_) => "value",
            Check::RulesWithin(_) => "rules_within",
        }
    }
    /// A short label: `client → web tcp/80`, `dns www.example.com A from client`.
    pub fn label(&self) -> String {
        let flow = |from: &str, to: &str, p: &str, port: Option<u16>| {
            Flow {
                from: from.into(),
                to: to.into(),
                protocol: p.into(),
                port,
            }
            .label()
        };
        match self {
            Check::Valid(_) => "the topology validates".into(),
            Check::Reach(c) => format!(
                "reach {}{}",
                flow(&c.from, &c.to, &c.protocol, c.port),
                if c.ipv6 { " (IPv6)" } else { "" }
            ),
            Check::Probe(c) => format!("probe {}", flow(&c.from, &c.to, &c.protocol, c.port)),
            Check::Dns(c) => format!(
                "dns {} {} from {}",
                c.name,
                c.qtype.as_deref().unwrap_or("A"),
                c.from
            ),
            Check::Flowlog(c) => format!(
                "flow log {} has {} after {}",
                c.resource,
                c.action,
                c.after.label()
            ),
            Check::Exec(c) => format!("exec on {}: {}", c.instance, c.command),
            Check::Path(c) => {
                let mut s = format!("path {}", flow(&c.from, &c.to, &c.protocol, c.port));
                if c.ipv6 {
                    s.push_str(" (IPv6)");
                }
                let list = |v: &[HopSpec]| {
                    v.iter()
                        .map(|h| h.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if !c.through.is_empty() {
                    s.push_str(&format!(" through {}", list(&c.through)));
                }
                if !c.avoids.is_empty() {
                    s.push_str(&format!(" avoiding {}", list(&c.avoids)));
                }
                s
            }
            Check::NoPublicIp(c) => format!("{} has no public IP", c.instance),
            Check::Value(c) => format!("{} {} is {}", c.resource, c.field.as_str(), c.equals),
            Check::RulesWithin(c) => format!(
                "no {} rule of {} broader than {}",
                c.direction,
                c.subject().unwrap_or_else(|_| "?".into()),
                if c.allow.is_empty() {
                    "none (no rule at all)".to_string()
                } else {
                    c.allow
                        .iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        }
    }
}

impl Lab {
    /// The file a step's checks start from, before the learner's edit.
    pub fn step_start_file(&self, step: usize) -> PathBuf {
        let s = &self.steps[step - 1];
        if let Some(f) = &s.start {
            return self.dir.join(f);
        }
        if step == 1 {
            return self.start_file();
        }
        self.solution_file(step - 1)
    }
    /// The lab's starting topology.
    pub fn start_file(&self) -> PathBuf {
        self.dir.join(self.start.as_deref().unwrap_or("start.yaml"))
    }
    /// The solution topology of step `step` (1-based).
    pub fn solution_file(&self, step: usize) -> PathBuf {
        match self.steps.get(step - 1).and_then(|s| s.solution.clone()) {
            Some(f) => self.dir.join(f),
            None => self.dir.join(format!("solution-{step}.yaml")),
        }
    }
    /// The lab's number (`01-cidr-subnets` → 1); None when the id does not start with one.
    pub fn number(&self) -> Option<u32> {
        self.id.value.split('-').next().and_then(|n| n.parse().ok())
    }
}

/// YAML 1.2 as topologies read it (`topology::load`): only `true`/`false` are booleans, so
/// `exists: no` is an error instead of false; typed fields (`port`, `exit`, `minutes`,
/// `exists`) also refuse quoted values (`"80"`) through `topology::strict`.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
    }
}

/// Parses a `lab.yaml` text; `file` names it in errors. Checks the structure too: at least one
/// step, at least one check per step, a title and instructions on each.
pub fn parse_lab(file: &str, text: &str) -> Result<Lab, Report> {
    let mut report = Report::new(file);
    let res = std::panic::catch_unwind(|| {
        serde_saphyr::from_str_with_options::<Lab>(text, yaml_options())
    });
    let lab = match res {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => {
            let loc = e
                .location()
                .map(Loc::from)
                .unwrap_or(Loc { line: 1, col: 1 });
            let raw = e.to_string();
            let first = raw.lines().next().unwrap_or(&raw).trim();
            let mut msg = match first.find(" at line ") {
                Some(i) => &first[..i],
                None => first,
            };
            msg = msg.strip_prefix("error: ").unwrap_or(msg);
            if msg.starts_with("line ") {
                if let Some(i) = msg.find(": ") {
                    msg = &msg[i + 2..];
                }
            }
            report.error(
                loc,
                msg.to_string(),
                "docs/labs.md describes every key of lab.yaml",
            );
            return Err(report);
        }
        Err(_) => {
            report.error(
                Loc { line: 1, col: 1 },
                "the YAML parser could not read this file",
                "check the YAML syntax",
            );
            return Err(report);
        }
    };
    if lab.steps.is_empty() {
        report.error(
            Loc { line: 1, col: 1 },
            "the lab has no steps",
            "add at least one entry under `steps:`",
        );
    }
    for (i, s) in lab.steps.iter().enumerate() {
        if s.checks.is_empty() {
            report.error(
                lab.id.loc,
                format!("step {} (`{}`) has no checks", i + 1, s.title),
                "add at least one check under the step's `checks:`",
            );
        }
        for (k, c) in s.checks.iter().enumerate() {
            if s.checks[..k].iter().any(|d| d.value == c.value) {
                report.error(
                    c.loc,
                    format!("step {} has this check twice", i + 1),
                    "delete one of them",
                );
            }
            let bad = match &c.value {
                Check::Value(v) => v.typed().err(),
                Check::RulesWithin(r) => r.validate().err(),
                Check::Path(p) if p.through.is_empty() && p.avoids.is_empty() => {
                    Some("a `path` check needs `through` or `avoids`".into())
                }
                _ => None,
            };
            if let Some(e) = bad {
                report.error(c.loc, e, "docs/labs.md describes every check kind");
            }
        }
    }
    if report.has_errors() {
        return Err(report);
    }
    Ok(lab)
}

/// Reads `DIR/lab.yaml`; checks that `id` equals the folder's name.
pub fn load_lab(dir: &Path) -> Result<Lab, Report> {
    let path = dir.join("lab.yaml");
    let file = path.display().to_string();
    let cap = crate::topology::load::MAX_FILE_BYTES as u64;
    let text = read_bounded_text(&path, cap).map_err(|e| {
        let message = match e {
            InputError::Io(_, e) => format!("cannot read the lab: {e}"),
            e => format!("cannot read the lab: {}", e.reason()),
        };
        let mut r = Report::new(&file);
        r.error(Loc::default(), message, "check the labs folder");
        r
    })?;
    let mut lab = parse_lab(&file, &text)?;
    let folder = dir
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    if lab.id.value != folder {
        let mut r = Report::new(&file);
        r.error(
            lab.id.loc,
            format!(
                "the lab's id `{}` differs from its folder `{folder}`",
                lab.id.value
            ),
            "make `id:` equal to the folder's name",
        );
        return Err(r);
    }
    lab.dir = dir.to_path_buf();
    Ok(lab)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = "id: 01-x\ntitle: X\nbriefing: hi\nsteps:\n  - title: a\n    instructions: do\n    checks:\n      - valid: {}\n      - reach: { from: a, to: b, port: 80, expect: reachable }\n      - probe: { from: a, to: b, protocol: icmp, expect: no-reply }\n";

    #[test]
    fn parses_minimal_lab() {
        let l = parse_lab("lab.yaml", MINI).unwrap();
        assert_eq!(l.steps[0].checks.len(), 3);
        assert_eq!(l.steps[0].checks[1].kind(), "reach");
        assert_eq!(l.steps[0].checks[1].loc.line, 9);
        assert_eq!(l.number(), Some(1));
        match &l.steps[0].checks[2].value {
            Check::Probe(p) => assert_eq!(p.expect, ProbeExpect::NoReply),
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn a_lab_file_that_is_a_fifo_is_refused_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("lab.yaml");
        let c = std::ffi::CString::new(p.display().to_string()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = load_lab(d.path()).unwrap_err().to_string();
        assert!(e.contains("a FIFO, not a regular file"), "{e}");
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let bad = MINI.replace("expect: reachable", "expect: reachable, prot: tcp");
        let e = parse_lab("labs/01-x/lab.yaml", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("labs/01-x/lab.yaml:9:"), "{e}");
    }

    #[test]
    fn intent_checks_parse_and_bad_ones_name_their_line() {
        let ok = MINI.replace(
            "      - valid: {}\n",
            "      - valid: {}\n      - path: { from: a, to: b, port: 443, through: [{ kind: nat_gateway }] }\n      - no_public_ip: { instance: a }\n      - value: { resource: instance:b, field: private_ip, equals: 10.0.2.14 }\n      - rules_within: { security_group: b, allow: [{ protocol: tcp, ports: 80, peer: sg:a }] }\n",
        );
        let l = parse_lab("lab.yaml", &ok).unwrap();
        let kinds: Vec<&str> = l.steps[0].checks.iter().map(|c| c.kind()).collect();
        assert_eq!(
            kinds,
            [
                "valid",
                "path",
                "no_public_ip",
                "value",
                "rules_within",
                "reach",
                "probe"
            ]
        );
        for (bad, want) in [
            ("equals: 10.0.2.14", "equals: 10.0.2.300"),
            ("kind: nat_gateway", "kind: nat"),
            ("security_group: b,", "security_group: b, network_acl: x,"),
            ("through: [{ kind: nat_gateway }]", "through: []"),
        ] {
            let text = ok.replace(bad, want);
            let e = parse_lab("lab.yaml", &text).unwrap_err().to_string();
            assert!(e.starts_with("lab.yaml:"), "{e}");
            assert!(!e.starts_with("lab.yaml:1:1"), "{want}: {e}");
        }
    }

    #[test]
    fn a_check_written_twice_is_an_error() {
        let bad = MINI.replace(
            "      - valid: {}\n",
            "      - valid: {}\n      - valid: {}\n",
        );
        let e = parse_lab("lab.yaml", &bad).unwrap_err().to_string();
        assert!(e.starts_with("lab.yaml:9:") && e.contains("twice"), "{e}");
    }

    #[test]
    fn step_without_checks_is_error() {
        let bad = "id: 01-x\ntitle: X\nbriefing: hi\nsteps:\n  - title: a\n    instructions: do\n    checks: []\n";
        let e = parse_lab("lab.yaml", bad).unwrap_err().to_string();
        assert!(e.contains("has no checks"), "{e}");
    }
}
