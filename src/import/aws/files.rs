//! Finding the input files: each PATH is a file or a folder searched recursively, bounded
//! (depth, file count; each file's size is bounded when read). Inside folders only `*.json`
//! regular files are taken and symbolic links are never followed (a link is reported); a PATH
//! named on the command line is taken as named. Each file gets the account and region its
//! path says (`accounts/ACCOUNT/`, a folder named like a region), Batfish's layout.

use super::super::report::{Outcome, Report};
use super::super::ImportError;
use std::path::{Component, Path, PathBuf};

/// Deepest folder level searched below a PATH.
pub const MAX_DEPTH: usize = 12;

/// Most files taken from all PATHs together.
pub const MAX_FILES: usize = 10_000;

/// One input file and what its path says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// The folder after `accounts/`, when the path has one.
    pub account: Option<String>,
    /// The last folder named like a region (`us-west-2`).
    pub region: Option<String>,
}

/// Whether `s` is shaped like a region name (`us-east-1`, `us-gov-west-1`, `ap-southeast-2`).
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.len() <= 4
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1]
            .parse::<u8>()
            .is_ok_and(|n| n > 0 && !parts[parts.len() - 1].starts_with('0'))
}

/// The account and region a path names.
pub fn context(path: &Path) -> (Option<String>, Option<String>) {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let folders = &parts[..parts.len().saturating_sub(1)];
    let account = folders
        .windows(2)
        .rev()
        .find(|w| w[0] == "accounts")
        .map(|w| w[1].clone());
    let region = folders.iter().rev().find(|p| is_region(p)).cloned();
    (account, region)
}

/// Every input file under `paths`, in a stable order (each folder's entries by name).
pub fn collect(paths: &[PathBuf], report: &mut Report) -> Result<Vec<Source>, ImportError> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| ImportError::Input(format!("{}: cannot read: {e}", p.display())))?;
        if meta.is_dir() {
            walk(p, 0, &mut files, report)?;
        } else {
            push(p.clone(), &mut files)?;
        }
    }
    if files.is_empty() {
        return Err(ImportError::Input(format!(
            "no .json file found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(files)
}

fn push(path: PathBuf, files: &mut Vec<Source>) -> Result<(), ImportError> {
    if files.len() >= MAX_FILES {
        return Err(ImportError::Input(format!(
            "more than {MAX_FILES} input files; name fewer folders"
        )));
    }
    let (account, region) = context(&path);
    files.push(Source {
        path,
        account,
        region,
    });
    Ok(())
}

fn walk(
    dir: &Path,
    depth: usize,
    files: &mut Vec<Source>,
    report: &mut Report,
) -> Result<(), ImportError> {
    if depth > MAX_DEPTH {
        report.add(
            "Folder",
            dir.display().to_string(),
            Outcome::Skipped,
            format!("deeper than {MAX_DEPTH} folders below the path given"),
        );
        return Ok(());
    }
    let rd = std::fs::read_dir(dir).map_err(|e| {
        ImportError::Input(format!("{}: cannot read the folder: {e}", dir.display()))
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        let ft = meta.file_type();
        if ft.is_symlink() {
            report.add(
                "File",
                p.display().to_string(),
                Outcome::Skipped,
                "a symbolic link inside a folder is not followed (name its target)",
            );
        } else if ft.is_dir() {
            walk(&p, depth + 1, files, report)?;
        } else if ft.is_file() && p.extension().is_some_and(|e| e == "json") {
            push(p, files)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_accounts_come_from_folders() {
        assert!(is_region("us-east-1") && is_region("us-gov-west-1"));
        assert!(!is_region("aws_configs") && !is_region("us-east-01") && !is_region("accounts"));
        let (a, r) = context(Path::new("x/aws_configs/accounts/111/us-west-1/Vpcs.json"));
        assert_eq!(a.as_deref(), Some("111"));
        assert_eq!(r.as_deref(), Some("us-west-1"));
        assert_eq!(context(Path::new("us-east-1.json")), (None, None));
    }

    #[test]
    fn walks_sorted_json_only_without_following_links() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("us-east-1")).unwrap();
        std::fs::write(d.path().join("us-east-1/b.json"), "{}").unwrap();
        std::fs::write(d.path().join("us-east-1/a.json"), "{}").unwrap();
        std::fs::write(d.path().join("notes.txt"), "x").unwrap();
        std::os::unix::fs::symlink("/etc", d.path().join("etc")).unwrap();
        let mut r = Report::new();
        let f = collect(&[d.path().to_path_buf()], &mut r).unwrap();
        let names: Vec<_> = f
            .iter()
            .map(|s| s.path.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["a.json", "b.json"]);
        assert_eq!(f[0].region.as_deref(), Some("us-east-1"));
        assert_eq!(r.entries().len(), 1, "{r:?}");
        let e = collect(&[d.path().join("none")], &mut r).unwrap_err();
        assert!(e.to_string().contains("cannot read"), "{e}");
    }
}
