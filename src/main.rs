//! The `vpclab` binary: a thin shell over the library. The command line (`cli`) lives here,
//! not in the library, so no library module can reach up into it.

mod cli;

fn main() {
    // Behave like a Unix tool when stdout is closed early (`vpclab show --json | head`):
    // end quietly on SIGPIPE instead of panicking on a failed write.
    // SAFETY: setting a signal disposition to the default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(cli::main());
}
