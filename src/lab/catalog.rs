//! Where labs live (part of `lab`, rank 8): `VPCLAB_LABS_DIR`, else `labs/` in the source tree
//! the binary was built from.

use super::format::{load_lab, Lab};
use crate::topology::Report;
use std::path::PathBuf;

/// The labs folder: `VPCLAB_LABS_DIR` when set and non-empty, else `labs/` under the crate's
/// source folder (fixed at build time).
pub fn labs_dir() -> PathBuf {
    match std::env::var_os("VPCLAB_LABS_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("labs"),
    }
}

/// Every lab, sorted by id. A lab that does not parse is an error naming its file and line.
pub fn list_labs() -> Result<Vec<Lab>, Report> {
    let dir = labs_dir();
    let rd = std::fs::read_dir(&dir).map_err(|e| {
        let mut r = Report::new(dir.display().to_string());
        r.error(
            Default::default(),
            format!("cannot read the labs folder: {e}"),
            "set VPCLAB_LABS_DIR to the `labs/` folder of the vpclab sources",
        );
        r
    })?;
    let mut dirs: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("lab.yaml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load_lab(d)).collect()
}

/// The lab with this id, or with this number (`1`, `01`), or whose id starts with `query`.
pub fn find_lab(labs: &[Lab], query: &str) -> Option<usize> {
    let q = query.trim();
    if let Some(i) = labs.iter().position(|l| l.id.value == q) {
        return Some(i);
    }
    if let Ok(n) = q.parse::<u32>() {
        return labs.iter().position(|l| l.number() == Some(n));
    }
    let hits: Vec<usize> = (0..labs.len())
        .filter(|&i| labs[i].id.value.starts_with(q))
        .collect();
    (hits.len() == 1).then(|| hits[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::format::parse_lab;

    fn lab(id: &str) -> Lab {
        let text = format!(
            "id: {id}\ntitle: t\nbriefing: b\nsteps:\n  - title: s\n    instructions: i\n    checks:\n      - valid: {{}}\n"
        );
        parse_lab("lab.yaml", &text).unwrap()
    }

    #[test]
    fn finds_by_id_number_and_unique_prefix() {
        let labs = vec![
            lab("01-cidr-subnets"),
            lab("02-public-subnet"),
            lab("12-capstone"),
        ];
        assert_eq!(find_lab(&labs, "02-public-subnet"), Some(1));
        assert_eq!(find_lab(&labs, "2"), Some(1));
        assert_eq!(find_lab(&labs, "02"), Some(1));
        assert_eq!(find_lab(&labs, "12"), Some(2));
        assert_eq!(find_lab(&labs, "12-cap"), Some(2));
        assert_eq!(find_lab(&labs, "0"), None);
        assert_eq!(find_lab(&labs, "7"), None);
        assert_eq!(find_lab(&labs, "nope"), None);
    }
}
