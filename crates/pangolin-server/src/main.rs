//! `pangolin`: the Pangolin Iceberg REST catalog server.

use std::process::ExitCode;

use clap::Parser;
use pangolin_server::cli::Cli;

fn main() -> ExitCode {
    match pangolin_server::run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            failure.exit_code()
        }
    }
}
