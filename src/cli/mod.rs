//! The command line: clap definitions (the contract in `spec/cli.md`) and one thin file per
//! command that calls the library and formats the result.

pub mod alb_node;
pub mod apply;
pub mod capture;
pub mod common;
pub mod daemon;
mod dispatch;
pub mod dns;
pub mod down;
pub mod exec;
pub mod flows;
pub mod graph;
pub mod import;
pub mod lab;
pub mod lab_live;
pub mod lab_live_dns;
pub mod lab_views;
pub mod probe;
pub mod probe_live;
pub mod probe_live6;
pub mod reach;
pub mod reach_http;
pub mod schema;
pub mod serve;
pub mod show;
pub mod status;
pub mod up;
pub mod validate;

pub use common::{CmdResult, Fail};
pub use dispatch::main;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// vpclab: AWS VPC networking on one Linux machine, offline, with real packets.
#[derive(Parser, Debug)]
#[command(name = "vpclab", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check topology files; errors as FILE:LINE:COL with a hint (exit 0 or 2).
    Validate(ValidateArgs),
    /// The resolved network: VPCs, subnets, tables, NACLs, SGs, instances with ids and addresses.
    Show(ShowArgs),
    /// Print the JSON Schema of the topology format.
    Schema,
    /// Draw the topology as Graphviz dot or Mermaid.
    Graph(GraphArgs),
    /// Reachability Analyzer: can A reach B, hop by hop, and if not, why.
    Reach(ReachArgs),
    /// Send real packets from A to B and report what happened.
    Probe(ProbeArgs),
    /// Build a topology and forward packets (foreground until Ctrl-C, or --detach).
    Up(UpArgs),
    /// Running topologies and their instances.
    Status(StatusArgs),
    /// Tear a running topology down (--force: clean up after a crash).
    Down(DownArgs),
    /// Apply a changed topology to a running one, with AWS's semantics for live flows.
    Apply(ApplyArgs),
    /// Run a command inside an instance (netns backend).
    Exec(ExecArgs),
    /// Live capture as pcap/pcapng from a running topology.
    Capture(CaptureArgs),
    /// Ask the emulated Route 53 resolver from a vantage point, without `up`.
    ///
    /// When the topology has `health_checks`, they are first run as real probes from the
    /// Route 53 checker addresses (15.177.0.0/18) through a virtual engine, for
    /// `interval × failure_threshold` seconds of virtual time, so answers reflect what the
    /// network lets through (an SG that does not allow the checkers makes a target unhealthy).
    #[command(verbatim_doc_comment)]
    Dns(DnsArgs),
    /// Summarise AWS-format flow-log records (top talkers, rejected flows).
    Flows(FlowsArgs),
    /// Build a topology from a real network (`import aws`: describe-* JSON; `import terraform`).
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Guided labs.
    #[command(subcommand)]
    Lab(LabCommand),
    /// Built-in services inside a namespace (used by the netns backend).
    #[command(hide = true)]
    Serve(ServeArgs),
    /// Internal: the engine daemon of a detached topology.
    #[command(hide = true)]
    Daemon(DaemonArgs),
    /// Internal: an ALB node's HTTP proxy inside its namespace (used by the netns backend).
    #[command(hide = true, name = "alb-node")]
    AlbNode(alb_node::AlbNodeArgs),
}

/// `validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Topology files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print findings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Topology file.
    pub file: PathBuf,
    /// One JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Diagram formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz dot.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// `graph`.
#[derive(Args, Debug)]
pub struct GraphArgs {
    /// Topology file.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
}

/// The protocol of reach and probe: an IP protocol number, written `tcp`, `udp`, `icmp`,
/// `icmpv6` (any case) or as a number 0-255.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtoArg(pub u8);

impl ProtoArg {
    /// True for tcp and udp, the protocols `--port` and `--src-port` apply to.
    pub fn has_ports(self) -> bool {
        matches!(
            self.0,
            vpclab::model::proto::TCP | vpclab::model::proto::UDP
        )
    }
    /// `--port` checked against the protocol (an error for protocols without ports), else the
    /// default (tcp 80, udp 53, none for others).
    pub fn port(self, port: Option<u16>, flag: &str) -> Result<u16, String> {
        match port {
            Some(_) if !self.has_ports() => Err(format!(
                "{flag} applies to tcp and udp only, not to protocol {}",
                vpclab::model::protocol_name(self.0)
            )),
            Some(p) => Ok(p),
            None => Ok(vpclab::reach::default_port(self.0)),
        }
    }
}

/// Parses `--protocol`: `tcp`, `udp`, `icmp`, `icmpv6` in any case, or 0-255.
fn parse_proto(s: &str) -> Result<ProtoArg, String> {
    use vpclab::model::proto;
    match s.to_ascii_lowercase().as_str() {
        "tcp" => Ok(ProtoArg(proto::TCP)),
        "udp" => Ok(ProtoArg(proto::UDP)),
        "icmp" => Ok(ProtoArg(proto::ICMP)),
        "icmpv6" => Ok(ProtoArg(58)),
        other => other
            .parse::<u8>()
            .map(ProtoArg)
            .map_err(|_| format!("`{s}` is not tcp, udp, icmp, icmpv6 or a protocol number 0-255")),
    }
}

/// `reach`.
#[derive(Args, Debug)]
pub struct ReachArgs {
    /// Topology file.
    pub file: PathBuf,
    /// Source: instance or ENI (name, display id or AWS id), subnet (`subnet-app`,
    /// `subnet:VPC/NAME`), internet gateway (`igw-…`), internet host, `internet`, or an IP.
    #[arg(long, required_unless_present = "matrix")]
    pub from: Option<String>,
    /// Destination: instance or ENI, internet host, `internet`, a NAT gateway (its own
    /// address), or any IP address (one nobody owns is answered too).
    #[arg(long, required_unless_present = "matrix")]
    pub to: Option<String>,
    /// Protocol: tcp, udp, icmp, icmpv6 (any case) or a number 0-255 (default tcp); without FILE
    /// tcp, udp or icmp (sent with nc and ping).
    #[arg(long, default_value = "tcp", value_parser = parse_proto)]
    pub protocol: ProtoArg,
    /// Destination port (tcp/udp only; default 80 for tcp, 53 for udp).
    #[arg(long)]
    pub port: Option<u16>,
    /// Source address (IPv4, or IPv6, which implies -6): for a subnet (default its first free
    /// address), `internet` or an internet or egress-only gateway; on an instance, a spoofed
    /// source (dropped where AWS drops it).
    #[arg(long, conflicts_with = "matrix")]
    pub src_ip: Option<std::net::IpAddr>,
    /// Source port (tcp/udp only; default: every class of the client's ephemeral range).
    #[arg(long, conflicts_with = "matrix")]
    pub src_port: Option<u16>,
    /// Every instance (and `internet`) to every instance.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub matrix: bool,
    /// One JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// IPv4 (the default when a name has both families).
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6: the instances' IPv6 addresses, `internet` in 2001:db8::/32, DNS64 + NAT64 for an
    /// IPv4-only destination from a subnet with `dns64` (icmp means ICMPv6 echo here;
    /// `--protocol icmpv6`, an IPv6 address or an egress-only gateway imply -6).
    #[arg(short = '6', conflicts_with = "matrix")]
    pub ipv6: bool,
    /// The request path an application load balancer's listener rules match (with --to a
    /// load balancer; default `/`).
    #[arg(long, value_name = "PATH", conflicts_with = "matrix")]
    pub http_path: Option<String>,
    /// The `Host` header an application load balancer's listener rules match (with --to a
    /// load balancer; default its DNS name).
    #[arg(long, value_name = "HOST", conflicts_with = "matrix")]
    pub http_host: Option<String>,
}

/// `probe`.
#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// Topology file (omit to probe the running topology).
    pub file: Option<PathBuf>,
    /// Source: instance or ENI (name, display id or AWS id), internet host; with FILE also a
    /// subnet, an internet gateway or `internet` (with --src-ip).
    #[arg(long)]
    pub from: String,
    /// Destination: instance, internet host, NAT gateway, or any IP address.
    #[arg(long)]
    pub to: String,
    /// Protocol: tcp, udp, icmp, icmpv6 (any case) or a number 0-255 (default tcp); without FILE
    /// tcp, udp or icmp (sent with nc and ping).
    #[arg(long, default_value = "tcp", value_parser = parse_proto)]
    pub protocol: ProtoArg,
    /// Destination port (tcp/udp only; default 80 for tcp, 53 for udp).
    #[arg(long)]
    pub port: Option<u16>,
    /// Source address (see `reach --help`; IPv6 implies -6); without FILE only the source's
    /// own address (the live probe sends no spoofed packets).
    #[arg(long)]
    pub src_ip: Option<std::net::IpAddr>,
    /// Source port (tcp/udp only; default: the client's first ephemeral port).
    #[arg(long)]
    pub src_port: Option<u16>,
    /// The request path sent to an application load balancer's listener (with FILE and --to a
    /// load balancer; default `/`), as `reach --http-path`.
    #[arg(long, value_name = "PATH")]
    pub http_path: Option<String>,
    /// The `Host` header sent to an application load balancer's listener (with FILE and --to
    /// a load balancer; default its DNS name), as `reach --http-host`.
    #[arg(long, value_name = "HOST")]
    pub http_host: Option<String>,
    /// Name of the running topology (when FILE is omitted and several run).
    #[arg(long)]
    pub name: Option<String>,
    /// One JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// IPv4 (the default when a name has both families).
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 (with FILE), as `reach -6`: the same sources and destinations.
    #[arg(short = '6')]
    pub ipv6: bool,
}

/// Backends.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendArg {
    /// Linux network namespaces and TAP devices (needs CAP_NET_ADMIN).
    Netns,
    /// In-process virtual hosts (no privilege).
    Virtual,
}

/// `up`.
#[derive(Args, Debug)]
pub struct UpArgs {
    /// Topology file.
    pub file: PathBuf,
    /// Backend (default: netns when privileged, else virtual).
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,
    /// Run as a daemon with a control socket under /run/vpclab/NAME/.
    #[arg(long)]
    pub detach: bool,
}

/// `status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Topology name (default: all running).
    pub name: Option<String>,
    /// One JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `down`.
#[derive(Args, Debug)]
pub struct DownArgs {
    /// Topology name (default: the only running one).
    pub name: Option<String>,
    /// Remove everything a crashed run of that name left behind.
    #[arg(long)]
    pub force: bool,
}

/// `apply`.
#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// The changed topology file (same `name:` as the running one).
    pub file: PathBuf,
}

/// `exec`.
#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Instance or internet host name.
    pub instance: String,
    /// Name of the running topology (when several run).
    #[arg(long)]
    pub name: Option<String>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// Capture formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Classic pcap.
    Pcap,
    /// pcapng with one interface per ENI and a verdict comment per packet.
    Pcapng,
}

/// `capture`.
#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// An instance, `subnet:VPC/NAME` or `vpc:NAME`.
    pub target: String,
    /// Output file, `-` for stdout (default: TARGET.pcapng).
    #[arg(short = 'w', long = "write")]
    pub write: Option<String>,
    /// Format (default pcapng).
    #[arg(long, value_enum, default_value = "pcapng")]
    pub format: CaptureFormat,
    /// Name of the running topology (when several run).
    #[arg(long)]
    pub name: Option<String>,
    /// Stop after this many packets.
    #[arg(short = 'c', long)]
    pub count: Option<u64>,
}

/// `dns`.
#[derive(Args, Debug)]
pub struct DnsArgs {
    /// Topology file.
    pub file: PathBuf,
    /// Vantage point: instance or internet host.
    #[arg(long)]
    pub from: String,
    /// Name to resolve.
    pub query: String,
    /// Record type (default A).
    #[arg(long = "type", default_value = "A")]
    pub qtype: String,
    /// Seed for weighted and multivalue choices.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// One JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `flows`.
#[derive(Args, Debug)]
pub struct FlowsArgs {
    /// A file of AWS-format flow-log records.
    pub file: PathBuf,
    /// Only records with this action.
    #[arg(long)]
    pub action: Option<String>,
    /// Only records of this ENI (`eni-web` or `web`).
    #[arg(long)]
    pub eni: Option<String>,
    /// One JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `lab ...`.
#[derive(Subcommand, Debug)]
pub enum LabCommand {
    /// Every lab, with your progress.
    List {
        /// One JSON document on stdout (fields in docs/labs.md).
        #[arg(long)]
        json: bool,
    },
    /// Start a lab: copy its topology into a working folder and print the briefing.
    #[command(
        after_help = "Examples:\n  vpclab lab start 01             the first lab, by number\n  vpclab lab start 05-nacls        a lab by its full id\n  vpclab lab list                  every lab id, with your progress"
    )]
    Start {
        /// Lab id (`01-cidr-subnets`) or number (`1`, `01`).
        id: String,
    },
    /// The current lab and step.
    Status {
        /// One JSON document on stdout (fields in docs/labs.md).
        #[arg(long)]
        json: bool,
    },
    /// Check the current step against your edited topology.
    Check {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The next hint for the current step.
    Hint,
    /// Show the solution of the current step.
    Solution,
    /// Start the current lab over (your file is kept as a backup, named in the output).
    Reset,
    /// Tear down the current lab's live network (namespaces).
    Stop,
    /// A picture of your topology with the path of the current step's first failing check
    /// (else its last path check) drawn and its blocker marked.
    Show {
        /// Also write the picture as SVG to this file.
        #[arg(long, value_name = "FILE")]
        svg: Option<std::path::PathBuf>,
    },
}

/// `serve` (hidden).
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Name to answer HTTP with.
    #[arg(long)]
    pub name: String,
    /// Services: http:80, tcp:5432, udp:9000.
    pub services: Vec<String>,
    /// An AWS service's host: the certificate chain (PEM) its `http:443` serves over TLS.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

/// `daemon` (hidden).
#[derive(Args, Debug)]
pub struct DaemonArgs {
    /// Topology file.
    pub file: PathBuf,
    /// Backend.
    #[arg(long, value_enum)]
    pub backend: BackendArg,
}
