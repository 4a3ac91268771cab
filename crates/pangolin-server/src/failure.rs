//! How a command fails, and the exit code each failure maps to: 2 for anything the operator must
//! fix in the configuration (like a usage error), 1 for everything else (including an audit log
//! that does not verify).

use std::fmt;
use std::process::ExitCode;

use crate::config::{ConfigError, ConfigErrors};

#[derive(Debug)]
pub enum Failure {
    /// Invalid configuration, or a configuration the server refuses to run with.
    Config(ConfigErrors),
    /// The store, the filesystem or the network failed.
    Runtime(anyhow::Error),
    /// `audit verify` found this many chains that do not verify.
    Tampered(usize),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Config(_) => ExitCode::from(2),
            Failure::Runtime(_) | Failure::Tampered(_) => ExitCode::from(1),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Config(e) => e.fmt(f),
            // `{:#}` prints the whole context chain on one line.
            Failure::Runtime(e) => write!(f, "error: {e:#}"),
            Failure::Tampered(n) => write!(
                f,
                "audit verification failed: {n} chain(s) do not verify (edited or deleted records)"
            ),
        }
    }
}

impl From<ConfigErrors> for Failure {
    fn from(e: ConfigErrors) -> Self {
        Failure::Config(e)
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Config(e.into())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Runtime(e)
    }
}
