//! A `dns` check on a live lab asks the real resolver inside the network: `dig` runs in the
//! asking host's namespace (through `vpclab exec`) against the address that host is configured
//! with, and its output is read back into the `DnsAnswer` the check compares. This file holds
//! the pure part: the resolver to ask, the command line, and reading dig's output.

use super::adapters::DnsAnswer;
use crate::model::{Endpoint, Network, PUBLIC_RESOLVER};
use std::net::IpAddr;

/// Seconds dig waits for an answer (`+time`), per try.
pub const DIG_TIME: u32 = 2;
/// Tries dig makes (`+tries`): a resolver that does not answer costs `DIG_TIME × DIG_TRIES`.
pub const DIG_TRIES: u32 = 2;
/// dig's exit status when no server answered (`connection timed out`).
pub const DIG_TIMED_OUT: i32 = 9;
/// Most characters of dig's output read (a DNS message is at most 64 KiB on the wire).
const MAX_OUTPUT: usize = 256 * 1024;

/// The resolver `from` asks, as its namespace's `resolv.conf` names it: an internet host the
/// emulated public resolver, an instance its VPC's resolver (base + 2), or `fd00:ec2::253` in
/// an IPv6-only subnet. Named even when the VPC has `enableDnsSupport` off (its instances then
/// have no `resolv.conf`, and AWS's resolver does not answer them), so dig never falls back
/// to the machine's own resolver. None when `from` is no instance or internet host.
pub fn resolver_of(net: &Network, from: &str) -> Option<IpAddr> {
    match net.endpoint_by_name(from)? {
        Endpoint::Internet(_) => Some(IpAddr::V4(PUBLIC_RESOLVER)),
        Endpoint::Instance(i) => {
            let inst = net.instance(i);
            let subnet = net.eni(inst.eni).subnet;
            if net.subnet_ipv6(subnet).ipv6_only {
                Some(IpAddr::V6(crate::topology::ipv6::RESOLVER6))
            } else {
                Some(IpAddr::V4(net.vpc(inst.vpc).resolver_ip()))
            }
        }
    }
}

/// The command line run inside the host: `dig @SERVER +time=2 +tries=2 NAME TYPE`.
pub fn dig_command(server: IpAddr, name: &str, qtype: &str) -> Vec<String> {
    vec![
        "dig".into(),
        format!("@{server}"),
        format!("+time={DIG_TIME}"),
        format!("+tries={DIG_TRIES}"),
        name.into(),
        qtype.into(),
    ]
}

/// Reads dig's output (exit status `exit`): the header's `status:` and the answer section's
/// values (the record data of each line, CNAMEs included, as the emulated resolver lists
/// them). `TIMEOUT` when no server answered; Err when dig failed otherwise or printed no
/// header.
pub fn parse_dig(output: &str, exit: i32) -> Result<DnsAnswer, String> {
    let output = match output.char_indices().nth(MAX_OUTPUT) {
        Some((cut, _)) => &output[..cut],
        None => output,
    };
    if exit == DIG_TIMED_OUT {
        return Ok(DnsAnswer {
            rcode: "TIMEOUT".into(),
            values: vec![],
        });
    }
    let last = || {
        output
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string()
    };
    if exit != 0 {
        return Err(format!("dig exited {exit}: {}", last()));
    }
    let rcode = output
        .lines()
        .find(|l| l.starts_with(";; ->>HEADER<<-"))
        .and_then(|l| l.split("status:").nth(1))
        .and_then(|s| s.split(',').next())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("dig printed no answer header: {}", last()))?;
    let mut values = Vec::new();
    let mut in_answer = false;
    for l in output.lines() {
        if l.starts_with(";; ANSWER SECTION:") {
            in_answer = true;
            continue;
        }
        if !in_answer {
            continue;
        }
        if l.trim().is_empty() || l.starts_with(';') {
            break;
        }
        // NAME TTL CLASS TYPE DATA...
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() >= 5 {
            values.push(f[4..].join(" "));
        }
    }
    Ok(DnsAnswer { rcode, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOERROR: &str = "\
; <<>> DiG 9.18.33-1~deb12u2-Debian <<>> @198.18.0.53 +time=2 +tries=2 many.example.com A
; (1 server found)
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242
;; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1

;; QUESTION SECTION:
;many.example.com.\t\tIN\tA

;; ANSWER SECTION:
many.example.com.\t60\tIN\tA\t203.0.113.12
many.example.com.\t60\tIN\tA\t203.0.113.11

;; Query time: 0 msec
";

    #[test]
    fn reads_status_and_every_answer() {
        let a = parse_dig(NOERROR, 0).unwrap();
        assert_eq!(a.rcode, "NOERROR");
        assert_eq!(a.values, ["203.0.113.12", "203.0.113.11"]);
    }

    #[test]
    fn nxdomain_has_no_values_and_authority_is_not_an_answer() {
        let out = "\
;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 7
;; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 0

;; AUTHORITY SECTION:
example.com.\t900\tIN\tSOA\tns-1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400
";
        let a = parse_dig(out, 0).unwrap();
        assert_eq!(a.rcode, "NXDOMAIN");
        assert!(a.values.is_empty());
    }

    #[test]
    fn a_timeout_is_timeout_and_other_failures_are_errors() {
        let out =
            ";; communications error to 10.0.0.2#53: timed out\n;; no servers could be reached\n";
        assert_eq!(parse_dig(out, DIG_TIMED_OUT).unwrap().rcode, "TIMEOUT");
        let e = parse_dig("sh: 1: dig: not found\n", 127).unwrap_err();
        assert!(e.contains("127") && e.contains("not found"), "{e}");
        assert!(parse_dig("garbage\n", 0).is_err());
    }

    #[test]
    fn the_command_names_the_server_and_bounds_the_wait() {
        let c = dig_command(IpAddr::V4(PUBLIC_RESOLVER), "geo.example.com", "A");
        assert_eq!(
            c,
            [
                "dig",
                "@198.18.0.53",
                "+time=2",
                "+tries=2",
                "geo.example.com",
                "A"
            ]
        );
    }
}
