//! The `pangolin` server binary as a library, so tests can load configuration exactly as the
//! binary does. `main.rs` only parses the command line and calls [`run`].

pub mod cli;
pub mod config;
pub mod failure;

mod audit;
mod bootstrap;
mod healthcheck;
mod identity;
mod keys;
mod logging;
mod sealer;
mod serve;
mod store;

use std::time::Duration;

use anyhow::Context;

use crate::cli::{AuditCommand, Cli, Command, HealthcheckArgs};
use crate::config::{Config, ConfigError, Sources};
use crate::failure::Failure;

/// Runs one command to completion.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let mut sources = Sources {
        file: cli.config,
        bind: None,
    };
    let top_bind = cli.serve.bind;
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => {
            sources.bind = args.bind.or(top_bind);
            let config = load(&sources)?;
            block_on(serve::serve(config))
        }
        _ if top_bind.is_some() => {
            Err(ConfigError::new("", "--bind applies to `serve` only").into())
        }
        Command::Migrate => {
            let config = load(&sources)?;
            block_on(migrate(&config))
        }
        Command::Bootstrap => {
            let config = load(&sources)?;
            block_on(bootstrap(&config))
        }
        Command::Healthcheck(args) => healthcheck(&sources, &args),
        Command::Audit(args) => match args.command {
            AuditCommand::Verify(verify) => {
                let config = load(&sources)?;
                block_on(audit::verify(&config, verify.tenant.as_deref()))
            }
        },
    }
}

/// Loads the configuration and starts logging as it says.
fn load(sources: &Sources) -> Result<Config, Failure> {
    let config = config::load(sources)?;
    logging::init(&config.log);
    Ok(config)
}

fn block_on(command: impl Future<Output = Result<(), Failure>>) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(command)
}

async fn migrate(config: &Config) -> Result<(), Failure> {
    let opened = store::open_migrated(config).await?;
    tracing::info!("the {} store is up to date", opened.store.backend());
    opened.close().await;
    Ok(())
}

async fn bootstrap(config: &Config) -> Result<(), Failure> {
    let secrets = keys::load_or_generate(config)?;
    let opened = store::open_migrated(config).await?;
    let result = bootstrap::ensure_defaults(&opened.store, config, &secrets).await;
    opened.close().await;
    result?;
    Ok(())
}

/// Needs no configuration when `--url` is given, so a broken config cannot fail the check of a
/// server that is running fine.
fn healthcheck(sources: &Sources, args: &HealthcheckArgs) -> Result<(), Failure> {
    let url = match &args.url {
        Some(url) => url.clone(),
        None => healthcheck::default_url(config::load(sources)?.server.bind),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(healthcheck::check(&url, Duration::from_secs(args.timeout)))?;
    println!("ready: {url}");
    Ok(())
}
