use std::sync::Arc;
use std::time::Duration;

use pangolin_catalog::Services;
use pangolin_core::TenantId;
use pangolin_store::DynStore;

/// Settings the HTTP layer needs, extracted from the server config once at startup.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The tenant unauthenticated requests act in while authentication is off (loopback
    /// development only). `None`: every Iceberg request is refused with 401.
    pub anonymous_tenant: Option<TenantId>,
    /// How long an `Idempotency-Key` response is replayed (advertised in `/v1/config`).
    pub idempotency_lifetime: Duration,
    /// The URL browsers reach this server at (`auth.public_url`): browser-login callbacks
    /// are built on it. `None`: no browser login.
    pub public_url: Option<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            anonymous_tenant: None,
            idempotency_lifetime: Duration::from_secs(30 * 60),
            public_url: None,
        }
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    services: Services,
    config: ApiConfig,
    /// The unchanging part of every `/v1/config` response, rendered once.
    config_tail: bytes::Bytes,
    routes: crate::authz_table::RouteIndex,
}

impl AppState {
    pub fn with_services(services: Services, config: ApiConfig) -> Self {
        AppState {
            inner: Arc::new(Inner {
                config_tail: crate::iceberg::config_tail(config.idempotency_lifetime.as_secs()),
                routes: crate::authz_table::RouteIndex::new(),
                services,
                config,
            }),
        }
    }

    pub fn services(&self) -> &Services {
        &self.inner.services
    }

    pub fn store(&self) -> &DynStore {
        self.inner.services.store()
    }

    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    pub(crate) fn config_tail(&self) -> &bytes::Bytes {
        &self.inner.config_tail
    }

    pub(crate) fn routes(&self) -> &crate::authz_table::RouteIndex {
        &self.inner.routes
    }
}
