//! The `vpclab` binary: a thin shell over the library (see `vpclab::cli`).

fn main() {
    std::process::exit(vpclab::cli::main());
}
