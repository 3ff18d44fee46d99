//! `vpclab import aws PATH…`: a topology from the JSON of `aws ec2 describe-*` (and the
//! `elbv2`/`directconnect` calls whose objects are reported until their issues add them), in
//! any layout, Batfish's `aws_configs/[accounts/ACCOUNT/]REGION/*.json` included. Files are
//! found ([`files`]), recognised by their top-level keys and merged ([`snapshot`]), then mapped
//! step by step ([`build`]: VPCs and subnets, prefix lists, peerings, groups, NAT gateways and
//! instances, rules, NACLs, route tables). The mapping table is in `docs/import.md`.

pub mod acls;
pub mod addr;
pub mod build;
pub mod endpoints;
pub mod enis;
pub mod files;
pub mod hosts;
pub mod hybrid;
pub mod hybrid_dx;
pub mod ipv6;
pub mod json;
pub mod json_elb;
pub mod json_endpoints;
pub mod json_hosts;
pub mod json_ipv6;
pub mod json_transit;
pub mod later;
pub mod load_balancers;
pub mod peerings;
pub mod prefix;
pub mod proto;
pub mod routes;
pub mod sgs;
pub mod snapshot;
pub mod transit;
pub mod vpcs;

use super::names::{slug, topology_name, MAX_TOPOLOGY_NAME};
use super::{parse_json, read_input, ImportError, Imported};
use snapshot::{Contents, Snapshot};
use std::path::PathBuf;

/// Imports the describe-* files under `paths`; the topology is named `name`, else after the
/// first path. Err only when input cannot be read or is not JSON of the expected shape.
pub fn import(paths: &[PathBuf], name: Option<&str>) -> Result<Imported, ImportError> {
    let mut pre = super::report::Report::new();
    let sources = files::collect(paths, &mut pre)?;
    let mut snap = Snapshot::default();
    for s in &sources {
        let text = read_input(&s.path)?;
        let c: Contents = parse_json(&s.path, &text)?;
        snap.add(
            c,
            s.account.clone(),
            s.region.clone(),
            &s.path.display().to_string(),
        );
    }
    let name = match name {
        Some(n) => n.to_string(),
        None => topology_name(paths.first().map(PathBuf::as_path).unwrap_or(".".as_ref())),
    };
    let mut imported = from_snapshot(&snap, name);
    for e in pre.entries() {
        imported.report.push(e.clone());
    }
    Ok(imported)
}

/// Imports files already read: (path as it names the account and region, text). What the
/// fuzz target and tests call.
pub fn import_texts(files: &[(PathBuf, String)], name: &str) -> Result<Imported, ImportError> {
    let mut snap = Snapshot::default();
    for (path, text) in files {
        let c: Contents = parse_json(path, text)?;
        let (account, region) = files::context(path);
        snap.add(c, account, region, &path.display().to_string());
    }
    Ok(from_snapshot(&snap, name.to_string()))
}

/// The document of a merged snapshot; a `name` that is not a valid topology name is slugged.
pub fn from_snapshot(snap: &Snapshot, name: String) -> Imported {
    let mut name = slug(&name, MAX_TOPOLOGY_NAME);
    if name.is_empty() {
        name = "import".into();
    }
    let (doc, report) = build::build(snap, name);
    Imported { doc, report }
}
