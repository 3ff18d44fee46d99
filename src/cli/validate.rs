//! `vpclab validate`.

use super::{common, CmdResult, ValidateArgs};

/// Validates each file; prints diagnostics; exit 2 when any file has errors.
pub fn run(a: &ValidateArgs) -> CmdResult {
    let mut worst = common::EXIT_OK;
    for f in &a.files {
        match common::load_network_quiet(f) {
            Ok((_, warnings)) => {
                if !warnings.items.is_empty() {
                    eprintln!("{warnings}");
                }
                println!("{}: ok", f.display());
            }
            Err(e) => {
                eprintln!("{}", e.msg);
                worst = worst.max(e.code);
            }
        }
    }
    Ok(worst)
}
