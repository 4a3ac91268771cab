//! `pangolin`: the Pangolin Iceberg REST catalog server.

use std::process::ExitCode;

use clap::Parser;
use pangolin_server::cli::Cli;

/// mimalloc returns freed memory to the OS promptly and fragments less than glibc's malloc
/// under many threads, which keeps the server's resident memory close to what it really uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match pangolin_server::run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            failure.exit_code()
        }
    }
}
