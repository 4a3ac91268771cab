//! The `[auth]` section: whether requests must authenticate, the tokens this server issues,
//! the root account created on first start, login protection, and external identity
//! providers (bearer tokens and browser login).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;
use super::login::{GithubLoginConfig, OidcConfig, string_or_list};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Every request must authenticate (except health, metrics, config discovery, the token
    /// endpoints and login). Required for binding a non-loopback address. When off, requests
    /// without credentials act as an administrator of the bootstrap tenant (loopback only);
    /// requests with credentials are still authenticated.
    pub enabled: bool,
    /// The `iss` claim of the tokens this server issues.
    pub issuer: String,
    /// Lifetime of access tokens (login, client credentials, browser login).
    pub access_token_ttl_seconds: u64,
    /// The root account created on first start when the store has none
    /// (`PANGOLIN_ROOT_USER`).
    pub root_user: String,
    /// Its password (`PANGOLIN_ROOT_PASSWORD`); generated and printed once when unset.
    pub root_password: Option<Secret>,
    /// A file holding the password (`PANGOLIN_ROOT_PASSWORD_FILE`); exclusive with the above.
    pub root_password_file: Option<PathBuf>,
    /// Failed logins / token requests allowed per account and per client address per minute
    /// before answering 429.
    pub login_attempts_per_minute: u32,
    /// The URL browsers reach this server at (behind a proxy: the proxy's), e.g.
    /// `https://catalog.example.com`. Browser-login callbacks
    /// (`<public_url>/api/v1/auth/<provider>/callback`) are built on it; required for
    /// browser login.
    pub public_url: Option<String>,
    /// Where a browser login may send the browser back to, compared exactly (no prefixes).
    /// In the environment: separated by commas.
    #[serde(deserialize_with = "string_or_list")]
    pub login_redirect_uris: Vec<String>,
    /// External OpenID Connect providers (`[[auth.oidc]]`; configuration file only).
    pub oidc: Vec<OidcConfig>,
    /// GitHub browser login.
    pub github: Option<GithubLoginConfig>,
}

impl AuthConfig {
    /// Whether some provider offers browser login.
    pub fn browser_login(&self) -> bool {
        self.github.is_some() || self.oidc.iter().any(|o| o.browser_login)
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            enabled: false,
            issuer: "pangolin".into(),
            access_token_ttl_seconds: 3600,
            root_user: "root".into(),
            root_password: None,
            root_password_file: None,
            login_attempts_per_minute: 10,
            public_url: None,
            login_redirect_uris: Vec::new(),
            oidc: Vec::new(),
            github: None,
        }
    }
}
