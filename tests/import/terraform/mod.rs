//! `vpclab import terraform`: every plan of the shared corpus imports into a topology that
//! validates, with every network resource imported or reported (`corpus`); five hand-checked
//! plans against golden files (`golden`); states and raw tfstate files with known ids, written
//! here, for what the corpus plans never hold (`state`); the command line (`cli`).

mod cli;
mod corpus;
mod endpoints;
mod golden;
mod load_balancers;
mod state;
mod transit;

use std::path::PathBuf;
use vpclab::import::Imported;

/// The shared corpus's `terraform/` folder, found as the AWS corpus is (`support::batfish`).
pub fn plans_dir() -> PathBuf {
    let d = super::support::batfish()
        .parent()
        .expect("the corpus folder has a parent")
        .join("terraform");
    assert!(
        d.is_dir(),
        "{} is missing from the shared corpus",
        d.display()
    );
    d
}

/// Every `*.json` under the Terraform corpus, sorted.
pub fn plans() -> Vec<PathBuf> {
    fn walk(d: &std::path::Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).expect("readable corpus folder") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let mut v = vec![];
    walk(&plans_dir(), &mut v);
    v.sort();
    v
}

/// Imports inline Terraform JSON.
pub fn import(v: &serde_json::Value) -> Imported {
    vpclab::import::terraform::import_text(
        std::path::Path::new("t.json"),
        &v.to_string(),
        Some("tf"),
    )
    .expect("imports")
}
