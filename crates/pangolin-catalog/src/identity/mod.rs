//! Identity: who a request is (authentication), the tokens this server issues, accounts
//! (users, service users, API keys) and the root account created on first start.
//!
//! The request path is built to cost no store read in the common case: signing keys live in
//! memory, revocations are a set refreshed from the store at most every few seconds, and the
//! account and grants behind a credential are cached for a short time (and forgotten at once
//! when this server changes them). Several servers sharing one store see each other's changes
//! within [`AuthSettings::cache_ttl`].

mod accounts;
mod authenticate;
mod bootstrap;
mod browser;
mod caches;
mod keys;
mod login;
mod oidc;
mod once;
mod providers;
mod revocations;
mod service_users;
mod token_exchange;

use std::time::Duration;

use pangolin_auth::oidc::{GithubConfig, OidcProviderConfig};
use pangolin_auth::rate_limit::{FailureLimiter, LimitConfig};
use pangolin_core::Name;
use pangolin_core::model::Tier;

pub use accounts::{NewUser, UserUpdate};
pub use authenticate::{Authenticated, Credential};
pub use bootstrap::{RootBootstrap, RootOutcome};
pub use browser::{LoginProvider, ProviderCallback, ProviderKind};
pub use login::{PasswordLogin, TokenGrant};
pub use service_users::{MintedApiKey, NewApiKey, NewServiceUser, ServiceUserUpdate};

/// How requests authenticate, from the server configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The `iss` of tokens this server issues.
    pub issuer: String,
    pub access_token_ttl: Duration,
    /// How long an account, API key or grant set read from the store is trusted before it is
    /// read again (changes made through this server apply at once).
    pub cache_ttl: Duration,
    /// Failed logins allowed per account and per client address per window.
    pub login_limit: LimitConfig,
    /// External OpenID Connect issuers whose tokens are accepted (and, where enabled, that
    /// offer browser login).
    pub oidc: Vec<OidcSettings>,
    /// GitHub browser login.
    pub github: Option<GithubSettings>,
    /// Browser login: where it may return to, and how long its one-time values live.
    pub browser: BrowserSettings,
    /// Where a login without a tenant looks after the root accounts (the bootstrap tenant).
    pub default_login_tenant: Option<Name>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            issuer: "pangolin".into(),
            access_token_ttl: Duration::from_secs(3600),
            cache_ttl: Duration::from_secs(10),
            login_limit: LimitConfig {
                max_failures: 10,
                window: Duration::from_secs(60),
                max_keys: 100_000,
            },
            oidc: Vec::new(),
            github: None,
            browser: BrowserSettings::default(),
            default_login_tenant: None,
        }
    }
}

/// An external issuer and where its users land on first use.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub provider: OidcProviderConfig,
    /// The tenant first-time users are provisioned into.
    pub tenant: Name,
    /// Their tier there (never root).
    pub tier: Tier,
    /// Whether the provider is offered for browser login (needs its `client_id`).
    pub browser_login: bool,
}

/// GitHub's OAuth login (browser only: GitHub issues no tokens this server could verify).
#[derive(Debug, Clone)]
pub struct GithubSettings {
    pub config: GithubConfig,
    /// The tenant first-time users are provisioned into.
    pub tenant: Name,
    /// Their tier there (never root).
    pub tier: Tier,
}

/// Browser login (authorization code + PKCE through an external provider).
#[derive(Debug, Clone)]
pub struct BrowserSettings {
    /// The exact URLs a login may send the browser back to (with its one-time code).
    /// Compared as strings: no prefixes, no patterns.
    pub redirect_uris: Vec<String>,
    /// How long a login may take at the provider (the lifetime of its `state`).
    pub state_ttl: Duration,
    /// How long the one-time code handed to the UI may wait for its exchange.
    pub exchange_ttl: Duration,
}

impl Default for BrowserSettings {
    fn default() -> Self {
        BrowserSettings {
            redirect_uris: Vec::new(),
            state_ttl: Duration::from_secs(600),
            exchange_ttl: Duration::from_secs(60),
        }
    }
}

/// The identity part of the service layer's state.
pub(crate) struct IdentityState {
    keys: keys::KeyRing,
    revocations: revocations::Revocations,
    caches: caches::AuthCaches,
    failures_by_account: FailureLimiter,
    failures_by_address: FailureLimiter,
    providers: providers::Providers,
}

impl IdentityState {
    pub(crate) fn new(settings: &AuthSettings) -> pangolin_core::Result<Self> {
        Ok(IdentityState {
            keys: keys::KeyRing::default(),
            revocations: revocations::Revocations::new(settings.cache_ttl),
            caches: caches::AuthCaches::new(settings.cache_ttl),
            failures_by_account: FailureLimiter::new(settings.login_limit),
            failures_by_address: FailureLimiter::new(settings.login_limit),
            providers: providers::Providers::new(settings)?,
        })
    }
}
