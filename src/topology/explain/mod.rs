//! Turning the YAML layer's error into a specific diagnostic: what is wrong in vpclab's words,
//! at the place to fix (the unclosed quote, not the line where the parser gave up), and how
//! to fix it. The YAML layer's messages (`expected mapping start`, `multiple YAML documents
//! detected; use from_str_multiple…`) name its own API; `source` reads the text around the
//! position to say which key wanted what and what the file holds there.

pub mod source;

use super::span::Loc;
use source::{describe, key_at, line, token};

/// A message and hint for a YAML error, and the position they belong to.
pub struct Explained {
    /// Where the user should look.
    pub loc: Loc,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Explained {
    fn new(loc: Loc, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Explained {
            loc,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Explains the YAML layer's error `raw` (its first line, positions stripped) reported at
/// `loc` in `text`.
pub fn yaml_error(text: &str, raw: &str, loc: Loc) -> Explained {
    let lower = raw.to_lowercase();
    if source::only_comments(text) {
        return Explained::new(
            Loc { line: 1, col: 1 },
            "the file holds only comments, no topology",
            "a topology needs at least `name:`; see `vpclab schema` or topologies/minimal.yaml",
        );
    }
    if lower.contains("multiple yaml documents") {
        let at = source::second_document(text, loc.line).unwrap_or(loc);
        return Explained::new(
            at,
            "a second YAML document starts here; a topology file holds one document",
            "remove this `---` and what follows it, or put the second topology in a file of its own",
        );
    }
    if lower.contains("quoted scalar") {
        if let Some((q @ ('"' | '\''), at)) = source::open_at(text, loc) {
            return Explained::new(
                at,
                format!("the string quoted with {q} here is never closed"),
                format!("add the closing {q} at the end of the value"),
            );
        }
    }
    if lower.contains("flow mapping") || lower.contains("flow sequence") {
        if let Some((b @ ('{' | '['), at)) = source::open_at(text, loc) {
            let close = if b == '{' { '}' } else { ']' };
            return Explained::new(
                at,
                format!("this `{b}` is never closed"),
                format!("add the closing `{close}` at the end of the line"),
            );
        }
    }
    if lower.contains("tab") {
        if let Some(at) = source::tab_from(text, loc.line) {
            return Explained::new(
                at,
                format!(
                    "line {} is indented with a tab; YAML indents with spaces only",
                    at.line
                ),
                "replace the tab with spaces",
            );
        }
    }
    if lower.contains("unknown anchor") {
        let name = source::alias_name(token(text, loc));
        return Explained::new(
            loc,
            format!("`*{name}` refers to the anchor `&{name}`, which is not defined before it"),
            format!("define `&{name}` on an earlier value, or write the value out here"),
        );
    }
    if lower.starts_with("unexpected character") {
        // The parser may report the start of the scalar that holds the character.
        let found = line(text, loc.line)
            .chars()
            .enumerate()
            .skip((loc.col.max(1) - 1) as usize)
            .find(|(_, c)| c.is_control() && *c != '\t');
        if let Some((i, ch)) = found {
            return Explained::new(
                Loc {
                    line: loc.line,
                    col: i as u32 + 1,
                },
                format!("the file contains the control character U+{:04X}, which YAML does not allow", ch as u32),
                "remove it; a control character (such as a NUL) usually means the file is binary or not UTF-8 text",
            );
        }
    }
    if lower.contains("mapping values are not allowed") {
        if let Some((above, ind, key, at)) = source::over_indented(text, loc.line) {
            return Explained::new(
                at,
                format!("`{key}` is indented deeper than `{above}:` above it, so YAML reads this line as part of `{above}`'s value"),
                format!("indent `{key}:` by {ind} spaces, like `{above}:`"),
            );
        }
        return Explained::new(
            loc,
            "a second `: ` inside a plain value",
            "quote the value (\"…\") if it contains `: `, or put each key on its own line",
        );
    }
    for (needle, shape) in [
        ("expected mapping start", Shape::Mapping),
        ("expected sequence start", Shape::List),
        ("expected string scalar", Shape::Scalar),
    ] {
        if lower.contains(needle) {
            return shape_error(text, loc, shape);
        }
    }
    if let Some(e) = strict_scalar(text, raw, loc) {
        return e;
    }
    if lower.contains("unknown field") && source::token(text, loc).ends_with(':') {
        let l = line(text, loc.line);
        if let Some(anchor) = l.split_whitespace().find(|w| w.starts_with('&')) {
            let name = anchor.trim_start_matches('&');
            return Explained::new(
                loc,
                fallback(raw, loc).message,
                format!("a key that only holds the anchor `&{name}` is not part of the format: put `&{name}` on the first value that uses it and `*{name}` (or `<<: *{name}`) on the others"),
            );
        }
    }
    fallback(raw, loc)
}

/// What the YAML layer expected at a position.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Mapping,
    List,
    Scalar,
}

/// What a key's mapping holds, for the messages (`None`: say only "a mapping").
fn mapping_of(key: &str, entry: bool) -> Option<&'static str> {
    Some(match (key, entry) {
        ("vpcs", false) => "a mapping of VPC names to VPCs",
        ("subnets", false) => "a mapping of subnet names to subnets",
        ("route_tables", false) => "a mapping of route table names to tables",
        ("network_acls", false) => "a mapping of NACL names to NACLs",
        ("security_groups", false) => "a mapping of security group names to groups",
        ("nat_gateways", false) => "a mapping of NAT gateway names to gateways",
        ("instances", false) => "a mapping of instance names to instances",
        ("peerings", false) => "a mapping of peering names to peerings",
        ("hosts", false) => "a mapping of host names to hosts",
        ("health_checks", false) => "a mapping of health check names to checks",
        ("internet", false) => "a mapping with `hosts:`",
        ("dns", false) => "a mapping with `zones:` and `health_checks:`",
        ("engine", false) => "a mapping with `conntrack_max:`",
        ("zones", true) => "a hosted zone (`{ name: example.com, records: [...] }`)",
        ("records", true) => "a record (`{ name: www, type: A, values: [...] }`)",
        ("flow_logs", true) => "a flow log (`{ resource: vpc:NAME, path: FILE }`)",
        ("routes", true) => "a route (`{ destination: 0.0.0.0/0, target: igw }`)",
        ("inbound" | "outbound", true) => "a rule (`{ protocol: tcp, ports: 80, … }`)",
        _ => return None,
    })
}

/// A value of the wrong shape: a list where a mapping belongs, a scalar for a list, nothing.
fn shape_error(text: &str, loc: Loc, shape: Shape) -> Explained {
    let what = describe(text, loc);
    let key = key_at(text, loc);
    let l = line(text, loc.line);
    // `name relbad`: a key and value without the colon between them.
    if shape == Shape::Mapping {
        let here = l
            .chars()
            .skip((loc.col.max(1) - 1) as usize)
            .collect::<String>();
        let mut words = here.split_whitespace();
        if let (Some(k), Some(_)) = (words.next(), words.next()) {
            if !here.contains(':')
                && !here.starts_with(char::is_whitespace)
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                let rest = here[k.len()..].split(" #").next().unwrap_or("").trim();
                return Explained::new(
                    Loc {
                        line: loc.line,
                        col: loc.col + k.chars().count() as u32,
                    },
                    format!(
                        "`{k}` has no colon after it: a key and its value are written `KEY: VALUE`"
                    ),
                    format!("write `{k}: {rest}`"),
                );
            }
        }
    }
    let Some((key, entry)) = key else {
        if shape == Shape::Mapping && l.len() == l.trim_start().len() {
            let hint = if what == "a list" {
                "remove the `- ` in front of the top-level keys so that each starts in column 1"
            } else {
                "start the file with `name: NAME`; see topologies/minimal.yaml or `vpclab schema`"
            };
            return Explained::new(
                loc,
                format!("a topology file is a mapping of keys such as `name:` and `vpcs:`, found {what}"),
                hint,
            );
        }
        let want = match shape {
            Shape::Mapping => "a mapping (`KEY: VALUE` lines)",
            Shape::List => "a list",
            Shape::Scalar => "a single value",
        };
        return Explained::new(
            loc,
            format!("expected {want} here, found {what}"),
            "docs/topology.md shows the shape of each key",
        );
    };
    let wanted = match shape {
        Shape::Mapping => mapping_of(&key, entry).unwrap_or("a mapping"),
        Shape::List => "a list",
        Shape::Scalar => "a single value (text)",
    };
    if what.starts_with("nothing") {
        let col = source_key_col(l, &key).unwrap_or(loc.col);
        let none = if shape == Shape::List { "[]" } else { "{}" };
        return Explained::new(
            Loc {
                line: loc.line,
                col,
            },
            format!("`{key}` is empty; it takes {wanted}"),
            format!("write `{key}: {none}` for none, or indent its entries under `{key}:`"),
        );
    }
    let message = if entry {
        format!("each entry of `{key}` must be {wanted}, found {what}")
    } else {
        format!("`{key}` takes {wanted}, found {what}")
    };
    let hint = match shape {
        Shape::List => match what.strip_prefix("the value ") {
            Some(v) => format!("write `{key}: [{}]`", v.trim_matches('`')),
            None => format!("write `{key}: [A, B]`, or one `- ENTRY` line per entry"),
        },
        _ if what.contains("alias") => {
            "an alias repeats the whole node it names; write the value out here instead".into()
        }
        Shape::Mapping if entry => format!(
            "write each entry of `{key}` as a mapping of its keys; docs/topology.md shows them"
        ),
        Shape::Mapping => format!(
            "write the entries of `{key}` as `KEY: VALUE` lines indented under it; docs/topology.md shows them"
        ),
        Shape::Scalar => format!("write one value for `{key}`; docs/topology.md shows its shape"),
    };
    Explained::new(loc, message, hint)
}

/// The column of `key:` on a line.
fn source_key_col(l: &str, key: &str) -> Option<u32> {
    let i = l.find(&format!("{key}:"))?;
    Some(l[..i].chars().count() as u32 + 1)
}

/// The range a numeric key takes, for hints.
fn range_of(key: &str) -> Option<&'static str> {
    Some(match key {
        "rule" => "1..32766",
        "conntrack_max" => "1..100000000 (default 65536)",
        "weight" => "0..255",
        "bias" => "-99..99",
        "ttl" => "0..2147483647",
        "failure_threshold" => "1..10",
        "interval" => "10 or 30",
        "aggregation_interval" => "60 or 600",
        "port" => "1..65535",
        "type" | "code" => "-1..255",
        "lat" => "-90..90",
        "lon" => "-180..180",
        _ => return None,
    })
}

/// The errors of [`super::strict`]: a string, list or mapping where a boolean or number
/// belongs, or a number out of range. The hint names the key and the value to write.
fn strict_scalar(text: &str, raw: &str, loc: Loc) -> Option<Explained> {
    let key = key_at(text, loc).map(|(k, _)| k);
    let k = key.as_deref().unwrap_or("KEY");
    let invalid = match &key {
        Some(k) => format!("invalid `{k}`: {raw}"),
        None => format!("invalid value: {raw}"),
    };
    let found_string = raw
        .split_once("found the string ")
        .map(|(_, s)| s.trim_matches('"').to_string());
    if raw.starts_with("expected true or false") {
        let hint = match found_string
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("yes" | "y" | "on" | "true") => format!("write `{k}: true` (without quotes)"),
            Some("no" | "n" | "off" | "false") => format!("write `{k}: false` (without quotes)"),
            _ => format!("write `{k}: true` or `{k}: false`"),
        };
        return Some(Explained::new(loc, invalid, hint));
    }
    if raw.starts_with("expected a whole number")
        || raw.starts_with("expected a number")
        || raw.starts_with("expected a finite number")
    {
        let hint = match found_string.as_deref().map(str::trim) {
            Some(s) if s.parse::<f64>().is_ok() => format!("write `{k}: {s}` (without quotes)"),
            _ => match range_of(k) {
                Some(r) => format!("`{k}` takes a number in {r}"),
                None => format!("write a number for `{k}`"),
            },
        };
        return Some(Explained::new(loc, invalid, hint));
    }
    if let Some(rest) = raw.strip_prefix("the number ") {
        // A number beyond 64 bits: say it as written.
        let number = match rest.strip_prefix("is ") {
            Some(r) => format!("the number {} is {r}", token(text, loc)),
            None => raw.to_string(),
        };
        let message = match &key {
            Some(k) => format!("invalid `{k}`: {number}"),
            None => format!("invalid value: {number}"),
        };
        let hint = match range_of(k) {
            Some(r) => format!("`{k}` takes a number in {r}"),
            None => format!("write a smaller number for `{k}`"),
        };
        return Some(Explained::new(loc, message, hint));
    }
    None
}

/// The YAML layer's message as it is, with a hint by kind.
fn fallback(raw: &str, loc: Loc) -> Explained {
    let msg = raw.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    let lower = msg.to_lowercase();
    let hint = if lower.contains("unknown field") {
        "remove or rename this key; `vpclab schema` lists every key the format accepts"
    } else if lower.contains("duplicate") {
        "each key may appear once in a mapping; remove or rename the repeated one"
    } else if lower.contains("missing field") {
        "add the required key; docs/topology.md lists the required keys of each object"
    } else if lower.contains("invalid") {
        "this value has the wrong type; docs/topology.md shows the expected shape"
    } else {
        "check the YAML syntax here (indentation, colons, quotes)"
    };
    Explained::new(loc, msg, hint)
}
