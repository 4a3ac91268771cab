//! The command line. Configuration proper lives in the config file and `PANGOLIN_*` variables;
//! flags only pick the file and override what is handy per invocation.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "pangolin",
    version,
    about = "Pangolin: a multi-tenant Apache Iceberg REST catalog"
)]
pub struct Cli {
    /// TOML configuration file (optional; `PANGOLIN_*` variables override it).
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "PANGOLIN_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// `serve`'s options, also accepted before or without the subcommand (`pangolin --bind ...`).
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the store, create the default tenant/warehouse/catalog, and serve HTTP.
    Serve(ServeArgs),
    /// Bring the store's schema up to date, then exit.
    Migrate,
    /// Migrate, create the default tenant/warehouse/catalog, then exit.
    Bootstrap,
    /// Exit 0 when the server answers `GET /health/ready` with 200, 1 otherwise.
    Healthcheck(HealthcheckArgs),
    /// The tamper-evident audit log.
    Audit(AuditArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Seal pending events, then verify every chain (or one tenant's). Exit 0 when all
    /// verify, 1 when tampering is found, 2 for bad configuration.
    Verify(VerifyArgs),
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Verify only this tenant's chain (by name).
    #[arg(long, value_name = "NAME")]
    pub tenant: Option<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on; overrides `server.bind`.
    #[arg(long, value_name = "IP:PORT")]
    pub bind: Option<SocketAddr>,
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// Base URL of the server; defaults to `http://<server.bind>` (loopback for 0.0.0.0 / ::).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Seconds to wait for the answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub timeout: u64,
}
