//! The `vpclab` binary: a thin shell over the library (see `vpclab::cli`).

fn main() {
    // Behave like a Unix tool when stdout is closed early (`vpclab show --json | head`):
    // end quietly on SIGPIPE instead of panicking on a failed write.
    // SAFETY: setting a signal disposition to the default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(vpclab::cli::main());
}
