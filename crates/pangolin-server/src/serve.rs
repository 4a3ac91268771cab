//! `pangolin serve`: start-up in phases (refuse unsafe exposure → key → store → migrate →
//! bootstrap → bind), then serve until Ctrl-C or SIGTERM, draining requests in flight; the
//! audit sealer runs alongside and seals the last events at shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use pangolin_api::{ApiConfig, AppState};
use pangolin_catalog::{Services, Settings};
use pangolin_core::TenantId;
use pangolin_core::secret::SecretBox;
use pangolin_storage::StorageRegistry;
use pangolin_store::{DynStore, StoreChange};
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::oneshot;

use crate::config::Config;
use crate::failure::Failure;
use crate::sealer::Sealer;
use crate::store::OpenStore;
use crate::{bootstrap, identity, keys, store};

/// How long requests in flight may take to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long closing the store's connections may take at exit.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything a running server is made of, built once at start-up.
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) services: Services,
    store: OpenStore,
    /// The tenant unauthenticated (loopback-only) requests act in.
    pub(crate) anonymous_tenant: Option<TenantId>,
}

impl App {
    pub(crate) async fn start(config: Config) -> Result<App, Failure> {
        let secrets = keys::load_or_generate(&config)?;
        let opened = store::open_migrated(&config).await?;
        let default_tenant = default_tenant(&opened.store, &config, &secrets).await?;
        // Without authentication, requests act in the default tenant. `check_exposure` made
        // sure such a server is only reachable from this machine.
        let anonymous_tenant = default_tenant.filter(|_| !config.auth_configured());
        let storage = Arc::new(StorageRegistry::new(secrets));
        let services = Services::new(opened.store.clone(), storage, settings(&config)?)
            .context("configuring the service layer")?;
        identity::start(&services, &config).await?;
        forward_store_changes(&opened.store, &services);
        Ok(App {
            config,
            services,
            store: opened,
            anonymous_tenant,
        })
    }

    fn router(&self) -> axum::Router {
        let api = ApiConfig {
            anonymous_tenant: self.anonymous_tenant,
            public_url: self.config.auth.public_url.clone(),
            ..ApiConfig::default()
        };
        pangolin_api::router(AppState::with_services(self.services.clone(), api))
    }
}

fn settings(config: &Config) -> anyhow::Result<Settings> {
    let data_dir = std::path::absolute(&config.data_dir).context("resolving data_dir")?;
    let roots = if config.server.file_warehouse_roots.is_empty() {
        vec![data_dir]
    } else {
        config.server.file_warehouse_roots.clone()
    };
    Ok(Settings {
        auth: identity::auth_settings(config)?,
        file_warehouse_roots: roots,
        ..Settings::default()
    })
}

/// Other servers sharing the store announce their changes; drop what we cached about them.
fn forward_store_changes(store: &DynStore, services: &Services) {
    let Some(mut feed) = store.change_feed() else {
        return;
    };
    let services = services.clone();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match feed.recv().await {
                Ok(change) => services.apply_store_change(change),
                Err(RecvError::Lagged(_)) => services.apply_store_change(StoreChange::Everything),
                Err(RecvError::Closed) => break,
            }
        }
    });
}

async fn default_tenant(
    store: &DynStore,
    config: &Config,
    secrets: &SecretBox,
) -> anyhow::Result<Option<TenantId>> {
    if config.bootstrap.enabled {
        bootstrap::ensure_defaults(store, config, secrets)
            .await
            .map(Some)
    } else {
        bootstrap::find_default_tenant(store, config).await
    }
}

pub(crate) async fn serve(config: Config) -> Result<(), Failure> {
    config.check_exposure()?;
    tracing::info!(config = %config, "starting pangolin {}", env!("CARGO_PKG_VERSION"));
    let app = App::start(config).await?;
    let bind = app.config.server.bind;
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let signals = ShutdownSignals::install()?;
    let backend = app.services.store().backend();
    let sealer = Sealer::start(app.services.store().clone());
    tracing::info!(store = backend, "listening on http://{addr}");
    let served = run_until_signal(listener, app.router(), signals).await;
    sealer.stop().await;
    if tokio::time::timeout(CLOSE_TIMEOUT, app.store.close())
        .await
        .is_err()
    {
        tracing::warn!("the store did not close within {CLOSE_TIMEOUT:?}");
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

async fn run_until_signal(
    listener: TcpListener,
    router: axum::Router,
    mut signals: ShutdownSignals,
) -> anyhow::Result<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    let mut server = tokio::spawn(async move {
        axum::serve(
            listener,
            // Connection info lets the API record client addresses in audit events.
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await
    });
    tokio::select! {
        result = &mut server => return result.context("server task")?.context("serving"),
        signal = signals.recv() => tracing::info!("received {signal}; shutting down"),
    }
    let _ = stop.send(());
    match tokio::time::timeout(DRAIN_TIMEOUT, server).await {
        Ok(result) => result.context("server task")?.context("serving"),
        Err(_) => {
            tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; exiting anyway");
            Ok(())
        }
    }
}

/// SIGINT (Ctrl-C) and SIGTERM, caught from the moment this exists: created before the
/// listening line is logged, so a signal sent right after it cannot kill the process.
struct ShutdownSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl ShutdownSignals {
    fn install() -> anyhow::Result<Self> {
        Ok(ShutdownSignals {
            interrupt: signal(SignalKind::interrupt()).context("installing the SIGINT handler")?,
            terminate: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
        })
    }

    /// Resolves on the first signal, naming it.
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}
