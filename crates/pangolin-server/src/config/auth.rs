//! The `[auth]` section: whether requests must authenticate, the tokens this server issues,
//! the root account created on first start, and login protection.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;

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
        }
    }
}
