//! Fuzzes `vpclab::import::aws::import_texts`: any bytes, split into up to four files on a
//! marker byte and named after the describe-* keys (with account and region folders), must
//! import or fail with an error, never panic; an import that succeeds must write YAML. Seeds:
//! the JSON files of `../shared/corpus/batfish-aws/*/aws_configs` (`cargo fuzz run import_aws
//! SEEDS_DIR`). Run: `cd fuzz && cargo fuzz run import_aws`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

/// File names the parts get, so the path rules (accounts, regions) run too.
const NAMES: [&str; 4] = [
    "aws_configs/accounts/111/us-east-1/a.json",
    "aws_configs/us-west-2/b.json",
    "c.json",
    "aws_configs/accounts/123456789012/eu-west-1/d.json",
];

fuzz_target!(|data: &[u8]| {
    let files: Vec<(PathBuf, String)> = data
        .split(|b| *b == 0xA5)
        .take(4)
        .zip(NAMES)
        .map(|(part, name)| (PathBuf::from(name), String::from_utf8_lossy(part).into_owned()))
        .collect();
    if let Ok(i) = vpclab::import::aws::import_texts(&files, "fuzz") {
        vpclab::import::yaml::to_yaml(&i.doc, "fuzz").expect("an import always writes YAML");
        let _ = i.report.to_json();
    }
});
