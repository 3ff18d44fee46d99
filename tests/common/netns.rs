//! Running topologies on the netns backend: unique topology names, a guard that runs
//! `vpclab down --force` on drop, and running code inside a namespace. The tests that use it
//! need root: they check it first with [`super::require::netns`].

use std::path::PathBuf;
use std::process::{Command, Output};

/// The vpclab binary under test.
pub fn vpclab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vpclab"))
}

/// A topology file with a unique name, brought down (forced) when dropped.
pub struct Topo {
    /// Topology name (`{tag}{pid}`).
    pub name: String,
    /// The topology file.
    pub file: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Topo {
    /// Writes `yaml` (its `name:` line replaced) to a temporary file.
    pub fn new(tag: &str, yaml: &str) -> Topo {
        let name = format!("{tag}{}", std::process::id() % 100_000);
        assert!(name.len() <= 12, "topology name too long: {name}");
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join(format!("{name}.yaml"));
        std::fs::write(&file, with_name(yaml, &name)).expect("write topology");
        Topo {
            name,
            file,
            _tmp: tmp,
        }
    }

    /// Rewrites the topology file (for `apply`).
    pub fn rewrite(&self, yaml: &str) -> PathBuf {
        let f = self.file.with_file_name(format!("{}-2.yaml", self.name));
        std::fs::write(&f, with_name(yaml, &self.name)).expect("write topology");
        f
    }

    /// `vpclab up --detach FILE`, asserting success.
    pub fn up(&self) {
        let out = vpclab()
            .args(["up", "--detach"])
            .arg(&self.file)
            .output()
            .expect("run vpclab up");
        assert!(
            out.status.success(),
            "up failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The namespace of a host.
    pub fn ns(&self, host: &str) -> String {
        format!("{}-{host}", self.name)
    }

    /// `vpclab exec --name NAME HOST -- ARGS...`.
    pub fn exec(&self, host: &str, args: &[&str]) -> Output {
        vpclab()
            .args(["exec", "--name", &self.name, host, "--"])
            .args(args)
            .output()
            .expect("run vpclab exec")
    }

    /// The resolved model of the topology.
    pub fn network(&self) -> vpclab::model::Network {
        vpclab::load::load(&self.file)
            .expect("valid topology")
            .network
    }
}

impl Drop for Topo {
    fn drop(&mut self) {
        let _ = vpclab().args(["down", "--force", &self.name]).output();
    }
}

/// Replaces the `name:` line of a topology.
pub fn with_name(yaml: &str, name: &str) -> String {
    yaml.lines()
        .map(|l| {
            if l.starts_with("name:") {
                format!("name: {name}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Runs `f` on a thread inside the namespace `ns` (sockets made there stay there).
pub fn in_ns<T: Send + 'static>(
    ns: &str,
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    vpclab::backend::netns::tap::in_netns(ns, f)
}

/// Namespaces whose name starts with `NAME-`.
pub fn namespaces_of(name: &str) -> Vec<String> {
    let out = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(&format!("{name}-")))
        .map(String::from)
        .collect()
}

/// Text of a command's stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The three-tier example.
pub const THREE_TIER: &str = include_str!("../../topologies/three-tier.yaml");
