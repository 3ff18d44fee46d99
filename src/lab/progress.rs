//! The learner's progress (part of `lab`, rank 8), in `$VPCLAB_STATE_DIR/labs.json`, else
//! `$XDG_STATE_HOME/vpclab/labs.json`, else `~/.local/state/vpclab/labs.json` (an empty variable
//! counts as unset).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Progress in one lab, as stored in `labs.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct LabProgress {
    /// The current step (1-based); `steps + 1` once completed.
    pub step: usize,
    /// How many hints of the current step `lab hint` has shown (0 when absent).
    #[serde(default)]
    pub hints_shown: usize,
    /// True once every step passed (false when absent).
    #[serde(default)]
    pub completed: bool,
    /// The learner's working topology file, which `lab check` checks.
    pub workfile: PathBuf,
}

/// Progress in every lab: the whole of `labs.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Progress {
    /// Id of the lab `status`, `check`, `hint` act on; None before the first `lab start`.
    #[serde(default)]
    pub current: Option<String>,
    /// Progress per lab, by lab id (sorted).
    #[serde(default)]
    pub labs: BTreeMap<String, LabProgress>,
}

/// The folder holding `labs.json`: `$VPCLAB_STATE_DIR`, else `$XDG_STATE_HOME/vpclab`, else
/// `$HOME/.local/state/vpclab` (`./.local/state/vpclab` without `HOME`).
pub fn state_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = env("VPCLAB_STATE_DIR") {
        return d;
    }
    if let Some(d) = env("XDG_STATE_HOME") {
        return d.join("vpclab");
    }
    let home = env("HOME").unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/state/vpclab")
}

impl Progress {
    /// The file progress is kept in: `labs.json` in `state_dir()`.
    pub fn path() -> PathBuf {
        state_dir().join("labs.json")
    }
    /// Reads progress; a missing file is empty progress, a corrupt one an error.
    pub fn load() -> Result<Progress, String> {
        Self::load_from(&Self::path())
    }
    /// Reads progress from `p`: a missing file is empty progress; a corrupt or unreadable one an
    /// error naming the file (with a hint for a corrupt one).
    pub fn load_from(p: &Path) -> Result<Progress, String> {
        match std::fs::read_to_string(p) {
            Ok(s) => serde_json::from_str(&s).map_err(|e| {
                format!("{}: cannot read lab progress: {e}\n  hint: fix or delete the file (you lose your progress)", p.display())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(format!("{}: cannot read lab progress: {e}", p.display())),
        }
    }
    /// Writes progress (atomically: a temp file then a rename), making its folders, by the
    /// rule of `files` (root may write it for its user).
    pub fn save(&self) -> Result<(), String> {
        let p = Self::path();
        let tmp = p.with_extension("json.tmp");
        let s = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        crate::files::Writer::for_requester()
            .with_parents()
            .write(&tmp, s)
            .map_err(|e| format!("{}: cannot write: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &p).map_err(|e| format!("{}: cannot write: {e}", p.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("labs.json");
        let mut p = Progress {
            current: Some("01-x".into()),
            ..Default::default()
        };
        p.labs.insert(
            "01-x".into(),
            LabProgress {
                step: 2,
                hints_shown: 1,
                completed: false,
                workfile: "/w/t.yaml".into(),
            },
        );
        std::fs::write(&f, serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(Progress::load_from(&f).unwrap(), p);
        assert_eq!(
            Progress::load_from(&d.path().join("none.json")).unwrap(),
            Progress::default()
        );
        std::fs::write(&f, "{").unwrap();
        assert!(Progress::load_from(&f).is_err());
    }
}
