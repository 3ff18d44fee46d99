//! Reading a topology file (part of `topology`, rank 0; the first step of `load::load`): YAML
//! → `spec::Topology`, with positions. Unknown keys, duplicate keys and wrong types are errors
//! at `file:line:col`. Nothing is validated here beyond the YAML's shape.

use super::diag::Report;
use super::explain;
use super::input::{read_bounded, InputError};
use super::span::Loc;
use super::spec::Topology;
use std::path::Path;

/// Largest topology file accepted, in bytes (16 MiB); a larger text is an error before parsing.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Parses YAML text. `file` is only used to name the file in diagnostics.
pub fn parse_str(file: &str, text: &str) -> Result<Topology, Report> {
    let mut report = Report::new(file);
    if text.len() > MAX_FILE_BYTES {
        report.error(
            Loc::default(),
            format!(
                "the file is {} bytes, more than the {MAX_FILE_BYTES} accepted",
                text.len()
            ),
            "split the topology or remove generated bulk",
        );
        return Err(report);
    }
    if text.trim().is_empty() {
        report.error(
            Loc { line: 1, col: 1 },
            "the file is empty",
            "a topology needs at least `name:`; see `vpclab schema` or topologies/minimal.yaml",
        );
        return Err(report);
    }
    // The YAML layer can in theory panic on pathological input it did not foresee; never let
    // that take the process down.
    let res = std::panic::catch_unwind(|| {
        serde_saphyr::from_str_with_options::<Topology>(text, yaml_options())
    });
    match res {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => {
            let loc = e
                .location()
                .map(Loc::from)
                .unwrap_or(Loc { line: 1, col: 1 });
            let e = explain::yaml_error(text, &yaml_message(&e.to_string()), loc);
            report.error(e.loc, e.message, e.hint);
            Err(report)
        }
        Err(_) => {
            report.error(
                Loc { line: 1, col: 1 },
                "the YAML parser could not read this file",
                "check the file's YAML syntax (indentation, quotes, colons)",
            );
            Err(report)
        }
    }
}

/// Reads and parses a topology file, through the bounded reader: a file over
/// [`MAX_FILE_BYTES`] or not regular (a FIFO, a device) is an error before it is read; one that
/// is not UTF-8 is an error at 1:1; parse errors are as `parse_str` reports them. Every error is
/// a one-item `Report`.
pub fn load(path: &Path) -> Result<Topology, Report> {
    let file = path.display().to_string();
    let err = |loc: Loc, message: String, hint: &str| {
        let mut r = Report::new(&file);
        r.error(loc, message, hint);
        r
    };
    match read_bounded(path, MAX_FILE_BYTES as u64) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse_str(&file, &text),
            Err(_) => Err(err(
                Loc { line: 1, col: 1 },
                "the file is not UTF-8 text".into(),
                "save it as UTF-8",
            )),
        },
        Err(e @ InputError::TooLarge(..)) => Err(err(
            Loc::default(),
            e.reason(),
            "split the topology or remove generated bulk",
        )),
        Err(e @ InputError::NotRegular(..)) => Err(err(
            Loc::default(),
            e.reason(),
            "give the path of a topology file (YAML)",
        )),
        Err(e) => Err(err(
            Loc::default(),
            e.reason(),
            "check the path and its permissions",
        )),
    }
}

/// YAML 1.2 as the spec reads it: only `true`/`false` are booleans (not `yes`, `on`, `n`),
/// and a non-finite float reaches the field's reader, which says what it expected.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
    }
}

/// The YAML library's message on one line, without its own position (we print ours).
fn yaml_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    // serde-saphyr appends " at line X, column Y"; we print our own position.
    let mut msg = match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    };
    // Newer serde-saphyr prefixes "error: line X column Y: "; drop that too.
    if let Some(rest) = msg.strip_prefix("error: ") {
        msg = rest.to_string();
    }
    if msg.starts_with("line ") {
        if let Some(i) = msg.find(": ") {
            msg = msg[i + 2..].to_string();
        }
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_positions_of_names_and_values() {
        let t = parse_str(
            "t.yaml",
            "name: demo\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n",
        )
        .unwrap();
        let (k, v) = t.vpcs.iter().next().unwrap();
        assert_eq!(k.value, "main");
        assert_eq!((k.loc.line, k.loc.col), (3, 3));
        assert_eq!(v.cidr.loc.line, 4);
        let (sk, s) = v.subnets.iter().next().unwrap();
        assert_eq!(sk.value, "a");
        assert_eq!(s.cidr.loc.line, 6);
    }

    #[test]
    fn unknown_key_is_error_with_line() {
        let e = parse_str(
            "t.yaml",
            "name: demo\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    cdir: x\n",
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("t.yaml:5:"), "{s}");
        assert!(s.contains("error:"), "{s}");
        assert!(s.contains("hint:"), "{s}");
    }

    #[test]
    fn duplicate_key_is_error() {
        let e = parse_str(
            "t.yaml",
            "name: demo\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n  main:\n    cidr: 10.1.0.0/16\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("t.yaml:5:"), "{e}");
    }
}
