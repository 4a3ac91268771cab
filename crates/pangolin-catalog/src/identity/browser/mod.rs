//! Browser login through an external provider: OAuth2 authorization code with PKCE (S256),
//! for any OpenID Connect provider with browser login enabled and for GitHub.
//!
//! 1. [`begin_browser_login`](Services::begin_browser_login): the UI sends the browser to
//!    the provider with a signed `state` (see [`state`]) naming where it must come back to,
//!    which must be exactly one of the allowed redirect URIs.
//! 2. [`finish_browser_login`](Services::finish_browser_login): the provider sends the
//!    browser back with a code; the state is verified and used up, the code redeemed (PKCE,
//!    and the nonce for OIDC), the account found or provisioned, and the browser sent to the
//!    redirect URI with a one-time exchange code (or an `error`).
//! 3. [`exchange_login_code`](Services::exchange_login_code): the UI trades that code, once,
//!    for an access token. The access token itself never appears in a URL.

mod callback;
mod exchange;
mod state;

use pangolin_auth::oidc::pkce;
use pangolin_core::{Error, Result};

use super::providers::BrowserProvider;
use crate::Services;

/// What kind of provider a browser login goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Oidc,
    Github,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Oidc => "oidc",
            ProviderKind::Github => "github",
        }
    }
}

/// A provider offered for browser login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginProvider {
    /// Addresses the provider in the login routes.
    pub name: String,
    pub kind: ProviderKind,
}

/// What the provider sent the browser back with (the callback's query).
#[derive(Debug, Clone, Default)]
pub struct ProviderCallback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider's refusal (RFC 6749 §4.1.2.1), e.g. `access_denied`.
    pub error: Option<String>,
}

impl Services {
    /// The providers a browser can log in through, in configuration order.
    pub fn login_providers(&self) -> Vec<LoginProvider> {
        self.identity()
            .providers
            .browser()
            .map(|p| LoginProvider {
                name: p.name().to_owned(),
                kind: match p {
                    BrowserProvider::Oidc(_) => ProviderKind::Oidc,
                    BrowserProvider::Github(_) => ProviderKind::Github,
                },
            })
            .collect()
    }

    /// Where to send the browser to log in through `provider`: the provider's authorization
    /// URL, with a fresh state. `callback_uri` is this server's callback for the provider
    /// (registered there); `redirect_uri` must be one of the allowed redirect URIs exactly.
    pub async fn begin_browser_login(
        &self,
        provider: &str,
        redirect_uri: &str,
        callback_uri: &str,
    ) -> Result<String> {
        let p = self.browser_provider(provider)?;
        self.check_redirect(redirect_uri)?;
        let browser = &self.settings().auth.browser;
        let (state, verifier) = state::LoginState::new(
            self.issuer(),
            provider,
            redirect_uri,
            browser.state_ttl,
            self.storage().secrets(),
        )?;
        let token = self.sign_payload(&state)?;
        let challenge = pkce::challenge(&verifier);
        let url = match p {
            BrowserProvider::Oidc(o) => {
                o.verifier
                    .authorize_url(&token, &challenge, &state.nonce, callback_uri)
                    .await?
            }
            BrowserProvider::Github(g) => {
                g.login.authorize_url(&token, &challenge, callback_uri)?
            }
        };
        Ok(url.into())
    }

    fn browser_provider(&self, name: &str) -> Result<BrowserProvider<'_>> {
        self.identity()
            .providers
            .browser_named(name)
            .ok_or_else(|| {
                Error::invalid(format!("no login provider {name:?} offers browser login"))
            })
    }

    /// Redirect URIs are compared exactly: a prefix or pattern match would let a lookalike
    /// URL (another path, a query, a subdomain) receive the login's code.
    fn check_redirect(&self, redirect_uri: &str) -> Result<()> {
        let allowed = &self.settings().auth.browser.redirect_uris;
        if allowed.iter().any(|u| u == redirect_uri) {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "redirect_uri {redirect_uri:?} is not an allowed login redirect URI"
            )))
        }
    }
}
