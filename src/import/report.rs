//! The import report: every object an importer did not import as it was, and why. Printed on
//! stderr as text ([`Report::to_text`]) and written as JSON with `--report FILE`
//! ([`Report::to_json`]); `--strict` fails when it is not empty. Entries are kept sorted (kind,
//! id, outcome, reason) and de-duplicated, so the same input gives the same report.

use serde::Serialize;
use std::fmt::Write as _;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Left out on purpose (deleted, failed, pending, a duplicate, an empty value).
    Skipped,
    /// Imported as something close that the format can say (an unsupported route target as
    /// `blackhole`, an RDS interface as an instance).
    Approximated,
    /// A value or a link the input did not give, chosen by a rule (plans: an index, an address).
    Guessed,
    /// A kind of object or a value the format cannot say yet (IPv6, endpoints, ...).
    Unsupported,
}

impl Outcome {
    /// The word used in text and JSON.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Skipped => "skipped",
            Outcome::Approximated => "approximated",
            Outcome::Guessed => "guessed",
            Outcome::Unsupported => "unsupported",
        }
    }
}

/// One object not imported as it was.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Entry {
    /// The kind of object as the source names it (`NatGateway`, `Route`, `aws_vpn_gateway`).
    pub kind: String,
    /// Its id or address in the source (`nat-0a1b…`, `rtb-1/0.0.0.0/0`, `aws_eip.nat[0]`).
    pub id: String,
    /// What happened to it.
    pub outcome: Outcome,
    /// Why, in words.
    pub reason: String,
    /// The issue (of this project) that will add what is missing, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<u32>,
}

/// Issue numbers of the features an import reports as not yet supported.
pub mod issue {
    /// Transit gateways, VPN, Direct Connect.
    pub const TRANSIT: u32 = 13;
    /// VPC endpoints and AWS-managed (service) prefix lists.
    pub const ENDPOINTS: u32 = 14;
    /// Load balancers: what is left of them (Classic and Gateway Load Balancers, HTTPS and TLS
    /// listeners, redirects); network and application load balancers are imported.
    pub const LOAD_BALANCERS: u32 = 15;
    /// What is left of IPv6: IPv6 prefix lists (blocks, addresses, routes, rules and
    /// egress-only gateways are imported).
    pub const IPV6: u32 = 16;
}

/// Every entry of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    entries: Vec<Entry>,
}

/// The `--report` JSON document.
#[derive(Serialize)]
struct Json<'a> {
    /// Entries per outcome.
    counts: Counts,
    entries: &'a [Entry],
}

/// Entries per outcome.
#[derive(Serialize, Default)]
struct Counts {
    skipped: usize,
    approximated: usize,
    guessed: usize,
    unsupported: usize,
}

impl Report {
    /// An empty report.
    pub fn new() -> Report {
        Report::default()
    }

    /// Adds an entry without an issue number.
    pub fn add(
        &mut self,
        kind: impl Into<String>,
        id: impl Into<String>,
        outcome: Outcome,
        reason: impl Into<String>,
    ) {
        self.push(Entry {
            kind: kind.into(),
            id: id.into(),
            outcome,
            reason: reason.into(),
            issue: None,
        });
    }

    /// Adds an entry for something a later issue will add (`issue::ENDPOINTS`, ...).
    pub fn later(
        &mut self,
        kind: impl Into<String>,
        id: impl Into<String>,
        outcome: Outcome,
        reason: impl Into<String>,
        issue: u32,
    ) {
        self.push(Entry {
            kind: kind.into(),
            id: id.into(),
            outcome,
            reason: reason.into(),
            issue: Some(issue),
        });
    }

    /// Adds an entry, keeping the list sorted and without duplicates.
    pub fn push(&mut self, e: Entry) {
        if let Err(at) = self.entries.binary_search(&e) {
            self.entries.insert(at, e);
        }
    }

    /// The entries, sorted.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether nothing was left out (what `--strict` asks).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many entries have this outcome.
    pub fn count(&self, o: Outcome) -> usize {
        self.entries.iter().filter(|e| e.outcome == o).count()
    }

    /// One line per entry (`import: skipped NatGateway nat-1: state is deleted`), then a
    /// summary line; empty when there is nothing to say.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            let _ = write!(
                s,
                "import: {} {} {}: {}",
                e.outcome.word(),
                e.kind,
                e.id,
                e.reason
            );
            if let Some(n) = e.issue {
                let _ = write!(s, " (issue {n})");
            }
            s.push('\n');
        }
        if !self.entries.is_empty() {
            let _ = writeln!(
                s,
                "import: {} not imported as they were: {} skipped, {} approximated, {} guessed, {} unsupported",
                self.entries.len(),
                self.count(Outcome::Skipped),
                self.count(Outcome::Approximated),
                self.count(Outcome::Guessed),
                self.count(Outcome::Unsupported),
            );
        }
        s
    }

    /// `{"counts": {"skipped": N, ...}, "entries": [{"kind", "id", "outcome", "reason",
    /// "issue"?}]}`, pretty-printed, newline-terminated.
    pub fn to_json(&self) -> String {
        let counts = Counts {
            skipped: self.count(Outcome::Skipped),
            approximated: self.count(Outcome::Approximated),
            guessed: self.count(Outcome::Guessed),
            unsupported: self.count(Outcome::Unsupported),
        };
        let doc = Json {
            counts,
            entries: &self.entries,
        };
        // Plain structs of strings and numbers: encoding cannot fail.
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_deduplicated_and_printed() {
        let mut r = Report::new();
        r.later(
            "VpcEndpoint",
            "vpce-1",
            Outcome::Unsupported,
            "not yet",
            issue::ENDPOINTS,
        );
        r.add("NatGateway", "nat-1", Outcome::Skipped, "state is deleted");
        r.add("NatGateway", "nat-1", Outcome::Skipped, "state is deleted");
        assert_eq!(r.entries().len(), 2);
        assert_eq!(r.entries()[0].kind, "NatGateway");
        let t = r.to_text();
        assert!(
            t.contains("import: skipped NatGateway nat-1: state is deleted\n"),
            "{t}"
        );
        assert!(t.contains("(issue 14)"), "{t}");
        assert!(t.contains("2 not imported"), "{t}");
        let j: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(j["counts"]["skipped"], 1);
        assert_eq!(j["entries"][1]["issue"], 14);
        assert_eq!(j["entries"][0]["outcome"], "skipped");
        assert!(Report::new().to_text().is_empty());
    }
}
