//! Parses the command line and runs the command; maps results to exit codes.

use super::*;

/// Runs the program; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { common::EXIT_INPUT } else { common::EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let res = run(cli.command);
    match res {
        Ok(code) => code,
        Err(f) => {
            if !f.msg.is_empty() {
                eprintln!("{}", f.msg);
            }
            f.code
        }
    }
}

fn not_yet(what: &str) -> CmdResult {
    Err(Fail::other(format!("`vpclab {what}` is not available in this build")))
}

fn run(c: Command) -> CmdResult {
    match c {
        Command::Validate(a) => crate::cli::validate::run(&a),
        Command::Show(a) => crate::cli::show::run(&a),
        Command::Schema => crate::cli::schema::run(),
        Command::Graph(a) => crate::cli::graph::run(&a),
        Command::Reach(a) => crate::cli::reach::run(&a),
        Command::Probe(a) => crate::cli::probe::run(&a),
        Command::Up(_) => not_yet("up"),
        Command::Status(_) => not_yet("status"),
        Command::Down(_) => not_yet("down"),
        Command::Apply(_) => not_yet("apply"),
        Command::Exec(_) => not_yet("exec"),
        Command::Capture(_) => not_yet("capture"),
        Command::Dns(_) => not_yet("dns"),
        Command::Flows(_) => not_yet("flows"),
        Command::Lab(_) => not_yet("lab"),
        Command::Serve(_) => not_yet("serve"),
        Command::Daemon(_) => not_yet("daemon"),
    }
}
