//! HTTPS trust for a running topology with AWS services (docs/topology.md, "HTTPS and the topology's CA"): at `up`
//! a fresh CA (`services::tls`) is written to the state directory (`tls-ca.pem`, and its key
//! `tls-ca.key`, 0600, never through a symbolic link: `files::Writer::private`), with one leaf
//! per service host (`tls-HOST.pem`, `tls-HOST.key`) that its `vpclab serve` loads.
//!
//! Every namespace trusts the CA the way `ip netns exec` gives each namespace its own
//! `resolv.conf`: `/etc/netns/NS/ssl/` is bind-mounted over `/etc/ssl` by `ip netns exec` (and
//! so by `vpclab exec`), and holds `certs/ca-certificates.crt` = the machine's bundle followed
//! by the topology's CA, plus a copy of `openssl.cnf`. Tools that read the system store
//! (curl, OpenSSL, Python's `ssl`) then trust the services with no `-k`.

use super::state::StateDir;
use crate::files::Writer;
use crate::model::Network;
use crate::services::tls::{service_names, Authority};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The machine's CA bundle (Debian's `ca-certificates`), copied into each namespace's bundle.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The OpenSSL configuration kept beside it (the bind mount hides `/etc/ssl`).
const SYSTEM_OPENSSL_CNF: &str = "/etc/ssl/openssl.cnf";

/// The state-directory files of the TLS identity of service host `host`: (chain, key).
pub fn leaf_files(dir: &StateDir, host: &str) -> (PathBuf, PathBuf) {
    (
        dir.file(&format!("tls-{host}.pem")),
        dir.file(&format!("tls-{host}.key")),
    )
}

/// The state-directory files of the leaf an ALB's HTTPS listeners serve: (chain, key).
pub fn alb_leaf_files(dir: &StateDir, lb: &str) -> (PathBuf, PathBuf) {
    leaf_files(dir, &format!("alb-{lb}"))
}

/// The application load balancers with an HTTPS listener.
fn https_albs(net: &Network) -> impl Iterator<Item = &crate::model::load_balancer::LoadBalancer> {
    net.load_balancers.iter().filter(|l| {
        l.listeners
            .iter()
            .any(|x| x.protocol == crate::model::load_balancer::LbProtocol::Https)
    })
}

/// Makes the CA, the service hosts' leaves and the HTTPS load balancers' leaves (for their
/// DNS names) in `dir` (nothing when `net` has neither); returns the CA certificate (PEM)
/// when made.
pub fn prepare(dir: &StateDir, net: &Network) -> io::Result<Option<String>> {
    if net.aws_services.is_empty() && https_albs(net).next().is_none() {
        return Ok(None);
    }
    let tls = |e: crate::services::tls::TlsError| io::Error::other(e.to_string());
    let ca = Authority::generate(&net.name).map_err(tls)?;
    dir.write("tls-ca.key", &ca.key_pem)?;
    dir.write("tls-ca.pem", &ca.cert_pem)?;
    for s in &net.aws_services {
        let host = &net.internet_host(s.host).name;
        let leaf = ca.issue(&net.name, &service_names(host)).map_err(tls)?;
        let (chain, key) = leaf_files(dir, host);
        Writer::private().write(&key, &leaf.key_pem)?;
        Writer::private().write(&chain, &leaf.chain_pem)?;
    }
    for l in https_albs(net) {
        let leaf = ca
            .issue(&net.name, std::slice::from_ref(&l.dns_name))
            .map_err(tls)?;
        let (chain, key) = alb_leaf_files(dir, &l.name);
        Writer::private().write(&key, &leaf.key_pem)?;
        Writer::private().write(&chain, &leaf.chain_pem)?;
    }
    Ok(Some(ca.cert_pem))
}

/// Writes `/etc/netns/NS/ssl/` for namespace `ns`: the bundle that trusts `ca_pem` besides the
/// machine's CAs (0644, folders 0755, so every user inside reads it) and `openssl.cnf`.
pub fn install(ns: &str, ca_pem: &str) -> io::Result<()> {
    install_under(&Path::new("/etc/netns").join(ns), ca_pem)
}

/// [`install`] into the folder `etc` (the namespace's `/etc/netns/NS`).
fn install_under(etc: &Path, ca_pem: &str) -> io::Result<()> {
    let certs = etc.join("ssl").join("certs");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(&certs)?;
    let mut bundle = std::fs::read(SYSTEM_BUNDLE).unwrap_or_default();
    if !bundle.is_empty() && !bundle.ends_with(b"\n") {
        bundle.push(b'\n');
    }
    bundle.extend_from_slice(b"# vpclab: the CA of this running topology\n");
    bundle.extend_from_slice(ca_pem.as_bytes());
    public_file(&certs.join("ca-certificates.crt"), &bundle)?;
    if let Ok(cnf) = std::fs::read(SYSTEM_OPENSSL_CNF) {
        public_file(&etc.join("ssl").join("openssl.cnf"), &cnf)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` by the private rule (no link followed, a fresh or own file), then
/// opens it to everyone for reading (0644), as a trust store is.
fn public_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = Writer::private().create(path)?;
    f.write_all(bytes)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_trusts_the_ca_and_refuses_a_link() {
        let d = tempfile::tempdir().unwrap();
        let etc = d.path().join("ns");
        install_under(
            &etc,
            "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let b = etc.join("ssl/certs/ca-certificates.crt");
        let text = std::fs::read_to_string(&b).unwrap();
        assert!(text.ends_with("-----END CERTIFICATE-----\n"), "{text}");
        let mode = std::fs::metadata(&b).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        // A symbolic link planted where the bundle goes is refused, its target untouched.
        let target = d.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        std::fs::remove_file(&b).unwrap();
        std::os::unix::fs::symlink(&target, &b).unwrap();
        assert!(install_under(&etc, "CA").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }
}
