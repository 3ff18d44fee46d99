//! Parses the command line and runs the command; maps results to exit codes.

use super::*;

/// Runs the program; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                common::EXIT_INPUT
            } else {
                common::EXIT_OK
            };
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

fn run(c: Command) -> CmdResult {
    match c {
        Command::Validate(a) => crate::cli::validate::run(&a),
        Command::Show(a) => crate::cli::show::run(&a),
        Command::Schema => crate::cli::schema::run(),
        Command::Graph(a) => crate::cli::graph::run(&a),
        Command::Reach(a) => crate::cli::reach::run(&a),
        Command::Probe(a) => crate::cli::probe::run(&a),
        Command::Up(a) => crate::cli::up::run(&a),
        Command::Status(a) => crate::cli::status::run(&a),
        Command::Down(a) => crate::cli::down::run(&a),
        Command::Apply(a) => crate::cli::apply::run(&a),
        Command::Exec(a) => crate::cli::exec::run(&a),
        Command::Capture(a) => crate::cli::capture::run(&a),
        Command::Dns(a) => crate::cli::dns::run(&a),
        Command::Flows(a) => crate::cli::flows::run(&a),
        Command::Import(a) => crate::cli::import::run(&a),
        Command::Lab(a) => crate::cli::lab::run(&a),
        Command::Serve(a) => crate::cli::serve::run(&a),
        Command::Daemon(a) => crate::cli::daemon::run(&a),
        Command::AlbNode(a) => crate::cli::alb_node::run(&a),
    }
}
