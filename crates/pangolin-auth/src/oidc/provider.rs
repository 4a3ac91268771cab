//! One external provider: its configuration, and the discovery document and keys fetched from
//! it, cached. Fetches are serialized and rate limited: at most one per
//! [`OidcOptions::min_refresh_interval`], whatever tokens arrive.

use std::sync::Arc;

use chrono::TimeDelta;
use pangolin_core::{Result, Timestamp};
use parking_lot::RwLock;
use serde::Deserialize;

use super::config::check_url;
use super::http::{self, unavailable};
use super::keys::KeySet;
use super::{OidcOptions, OidcProviderConfig};

/// The parts of the discovery document (OpenID Connect Discovery 1.0) that are used.
#[derive(Debug, Deserialize)]
pub(super) struct Discovery {
    issuer: String,
    jwks_uri: String,
    #[serde(default)]
    pub(super) authorization_endpoint: Option<String>,
    #[serde(default)]
    pub(super) token_endpoint: Option<String>,
    /// Absent means `client_secret_basic` (the spec's default).
    #[serde(default)]
    pub(super) token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// When fetches were last tried (successful or not).
#[derive(Default)]
struct Attempts {
    discovery: Option<Timestamp>,
    keys: Option<Timestamp>,
}

/// Verifies tokens of one external OpenID Connect provider and runs its browser login.
/// Build one per configured provider at startup and share it; it caches the discovery
/// document and the keys.
pub struct OidcVerifier {
    pub(super) config: OidcProviderConfig,
    options: OidcOptions,
    pub(super) http: reqwest::Client,
    discovery: RwLock<Option<Arc<Discovery>>>,
    keys: RwLock<Option<Arc<KeySet>>>,
    /// Held across a fetch, so concurrent requests wait for one fetch instead of each starting
    /// their own.
    attempts: tokio::sync::Mutex<Attempts>,
}

impl std::fmt::Debug for OidcVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcVerifier")
            .field("config", &self.config)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl OidcVerifier {
    /// Validates `config`; nothing is fetched until the first use.
    pub fn new(config: OidcProviderConfig, options: OidcOptions) -> Result<Self> {
        config.validate()?;
        Ok(OidcVerifier {
            http: http::client(&options)?,
            config,
            options,
            discovery: RwLock::new(None),
            keys: RwLock::new(None),
            attempts: tokio::sync::Mutex::new(Attempts::default()),
        })
    }

    pub fn config(&self) -> &OidcProviderConfig {
        &self.config
    }

    fn name(&self) -> &str {
        &self.config.name
    }

    fn recently(&self, last: Option<Timestamp>, now: Timestamp) -> bool {
        let interval =
            TimeDelta::from_std(self.options.min_refresh_interval).unwrap_or(TimeDelta::MAX);
        last.is_some_and(|t| now < t + interval)
    }

    /// The discovery document, fetched once.
    pub(super) async fn discovery(&self, now: Timestamp) -> Result<Arc<Discovery>> {
        if let Some(d) = self.discovery.read().clone() {
            return Ok(d);
        }
        let mut attempts = self.attempts.lock().await;
        self.discovery_locked(&mut attempts, now).await
    }

    async fn discovery_locked(
        &self,
        attempts: &mut Attempts,
        now: Timestamp,
    ) -> Result<Arc<Discovery>> {
        if let Some(d) = self.discovery.read().clone() {
            return Ok(d);
        }
        if self.recently(attempts.discovery, now) {
            return Err(unavailable(
                self.name(),
                "discovery",
                "failed moments ago; retrying later",
            ));
        }
        attempts.discovery = Some(now);
        let what = "discovery";
        let d: Discovery = http::json(
            self.http.get(self.config.discovery_url()),
            self.name(),
            what,
        )
        .await?;
        // OpenID Connect Discovery §4.3: the document must name exactly the configured issuer.
        if d.issuer != self.config.issuer {
            return Err(unavailable(
                self.name(),
                what,
                format!(
                    "the document names issuer {:?}, configured is {:?}",
                    d.issuer, self.config.issuer
                ),
            ));
        }
        check_url(&d.jwks_uri)
            .map_err(|why| unavailable(self.name(), what, format!("jwks_uri {why}")))?;
        let d = Arc::new(d);
        *self.discovery.write() = Some(d.clone());
        Ok(d)
    }

    /// The cached keys if they are younger than `keys_max_age`.
    fn fresh_keys(&self, now: Timestamp) -> Option<Arc<KeySet>> {
        let max_age = TimeDelta::from_std(self.options.keys_max_age).unwrap_or(TimeDelta::MAX);
        self.keys
            .read()
            .clone()
            .filter(|k| now < k.fetched_at + max_age)
    }

    /// Keys in which `found` succeeds, refreshing at most once per interval. When no refresh is
    /// allowed (or it fails), the current keys are returned and the caller's lookup decides.
    pub(super) async fn keys(
        &self,
        now: Timestamp,
        found: impl Fn(&KeySet) -> bool,
    ) -> Result<Arc<KeySet>> {
        if let Some(keys) = self.fresh_keys(now).filter(|k| found(k)) {
            return Ok(keys);
        }
        let mut attempts = self.attempts.lock().await;
        // Someone else may have refreshed while this request waited for the lock.
        if let Some(keys) = self.fresh_keys(now).filter(|k| found(k)) {
            return Ok(keys);
        }
        let current = self.keys.read().clone();
        if self.recently(attempts.keys, now) {
            return current.ok_or_else(|| {
                unavailable(
                    self.name(),
                    "fetching keys",
                    "failed moments ago; retrying later",
                )
            });
        }
        attempts.keys = Some(now);
        match self.fetch_keys(&mut attempts, now).await {
            Ok(keys) => {
                *self.keys.write() = Some(keys.clone());
                Ok(keys)
            }
            // Keys that are merely old keep working while the provider is unreachable.
            Err(e) => current.ok_or(e),
        }
    }

    async fn fetch_keys(&self, attempts: &mut Attempts, now: Timestamp) -> Result<Arc<KeySet>> {
        let uri = match &self.config.jwks_uri {
            Some(uri) => uri.clone(),
            None => self.discovery_locked(attempts, now).await?.jwks_uri.clone(),
        };
        let jwks: serde_json::Value =
            http::json(self.http.get(uri), self.name(), "fetching keys").await?;
        let keys = KeySet::parse(&jwks, now);
        if keys.is_empty() {
            return Err(unavailable(
                self.name(),
                "fetching keys",
                "the JWK Set has no usable signing key",
            ));
        }
        Ok(Arc::new(keys))
    }
}
