//! Logins through external identity providers.
//!
//! - [`OidcVerifier`]: one OpenID Connect provider (Google, Microsoft Entra ID, Okta, Keycloak,
//!   ...): verifies its bearer tokens and runs its browser login (authorization code + PKCE).
//! - [`GithubLogin`]: GitHub's OAuth2 login, which is not OpenID Connect.
//! - [`pkce`]: code verifiers, S256 challenges and nonces.
//!
//! Both produce an [`ExternalLogin`]; mapping it to an account (by
//! [`ExternalIdentity`], never by name or e-mail) is the caller's.

mod config;
mod github;
mod http;
mod keys;
mod login;
pub mod pkce;
mod provider;
mod verify;

#[cfg(test)]
mod tests;

use pangolin_core::model::ExternalIdentity;

pub use config::{OidcOptions, OidcProviderConfig, check_url};
pub use github::{GithubConfig, GithubLogin};
pub use provider::OidcVerifier;
pub use verify::LEEWAY_SECS;

/// Who an external provider vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLogin {
    /// Stable across renames: the key to find the account by.
    pub identity: ExternalIdentity,
    /// The name claim, else the e-mail, else the subject.
    pub name: String,
    pub email: Option<String>,
    /// Group names, sorted and deduplicated (for role assignments to groups).
    pub groups: Vec<String>,
}
