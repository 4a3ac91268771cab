//! Login with GitHub, which speaks OAuth2 but not OpenID Connect: no ID token, no JWKS. The
//! user is read from the REST API with the access token instead. The identity is
//! `{ issuer: <web URL, https://github.com>, subject: <numeric user id> }`: the id survives
//! renames of the login, the login does not.

use pangolin_core::model::ExternalIdentity;
use pangolin_core::{Error, Result};
use serde::{Deserialize, Serialize};
use url::Url;

use super::config::check_url;
use super::http::{self, unavailable};
use super::{ExternalLogin, OidcOptions};
use crate::Secret;

/// A GitHub OAuth app. The URLs default to github.com and can point at GitHub Enterprise
/// Server (`https://HOST` and `https://HOST/api/v3`) or a test double.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    #[serde(default = "defaults::name")]
    pub name: String,
    pub client_id: String,
    pub client_secret: Secret,
    #[serde(default = "defaults::scopes")]
    pub scopes: Vec<String>,
    /// Serves `/login/oauth/authorize` and `/login/oauth/access_token`; also the issuer string.
    #[serde(default = "defaults::web_url")]
    pub web_url: String,
    /// Serves `/user` and `/user/emails`.
    #[serde(default = "defaults::api_url")]
    pub api_url: String,
}

mod defaults {
    pub(super) fn name() -> String {
        "github".into()
    }
    pub(super) fn scopes() -> Vec<String> {
        vec!["read:user".into(), "user:email".into()]
    }
    pub(super) fn web_url() -> String {
        "https://github.com".into()
    }
    pub(super) fn api_url() -> String {
        "https://api.github.com".into()
    }
}

impl GithubConfig {
    pub fn new(client_id: impl Into<String>, client_secret: Secret) -> Self {
        GithubConfig {
            name: defaults::name(),
            client_id: client_id.into(),
            client_secret,
            scopes: defaults::scopes(),
            web_url: defaults::web_url(),
            api_url: defaults::api_url(),
        }
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| Error::invalid(format!("GitHub login {:?}: {why}", self.name));
        if self.client_id.is_empty() {
            return Err(bad("client_id must not be empty".into()));
        }
        check_url(&self.web_url).map_err(|why| bad(format!("web_url {why}")))?;
        check_url(&self.api_url).map_err(|why| bad(format!("api_url {why}")))?;
        Ok(())
    }

    /// The issuer recorded in [`ExternalIdentity`]: `https://github.com` by default.
    pub fn issuer(&self) -> &str {
        self.web_url.trim_end_matches('/')
    }

    fn web(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    fn api(&self, path: &str) -> String {
        format!("{}{path}", self.api_url.trim_end_matches('/'))
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct GithubUser {
    id: u64,
    login: String,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct GithubEmail {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

/// The GitHub login flow of one OAuth app.
#[derive(Debug)]
pub struct GithubLogin {
    config: GithubConfig,
    http: reqwest::Client,
}

impl GithubLogin {
    pub fn new(config: GithubConfig, options: OidcOptions) -> Result<Self> {
        config.validate()?;
        Ok(GithubLogin {
            http: http::client(&options)?,
            config,
        })
    }

    pub fn config(&self) -> &GithubConfig {
        &self.config
    }

    /// Where to send the browser. The PKCE challenge is sent too (GitHub verifies it where
    /// supported); `state` protects the round trip either way.
    pub fn authorize_url(
        &self,
        state: &str,
        code_challenge: &str,
        redirect_uri: &str,
    ) -> Result<Url> {
        let mut url = Url::parse(&self.config.web("/login/oauth/authorize"))
            .map_err(|e| Error::invalid(format!("GitHub web_url: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &self.config.scopes.join(" "))
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url)
    }

    /// Redeems the code for an access token and reads the user (and, when the profile has no
    /// public e-mail, the primary verified address).
    pub async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<ExternalLogin> {
        let token = self.redeem(code, code_verifier, redirect_uri).await?;
        let user: GithubUser = http::json(
            self.api_get("/user", &token),
            &self.config.name,
            "reading the user",
        )
        .await?;
        let email = match user.email.filter(|e| !e.is_empty()) {
            Some(email) => Some(email),
            None => self.primary_email(&token).await,
        };
        Ok(ExternalLogin {
            identity: ExternalIdentity {
                issuer: self.config.issuer().to_owned(),
                subject: user.id.to_string(),
            },
            name: user.login,
            email,
            groups: Vec::new(),
        })
    }

    async fn redeem(&self, code: &str, code_verifier: &str, redirect_uri: &str) -> Result<String> {
        let name = &self.config.name;
        let what = "redeeming the authorization code";
        let form = [
            ("client_id", self.config.client_id.as_str()),
            ("client_secret", self.config.client_secret.expose()),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ];
        let request = self
            .http
            .post(self.config.web("/login/oauth/access_token"))
            .header("accept", "application/json")
            .form(&form);
        // GitHub answers a bad code with 200 and an `error` field.
        let response: TokenResponse = http::json(request, name, what).await?;
        if let Some(error) = response.error {
            return Err(Error::Unauthenticated(format!(
                "GitHub refused the login: {error}"
            )));
        }
        response
            .access_token
            .ok_or_else(|| unavailable(name, what, "the response has no access_token"))
    }

    fn api_get(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .get(self.config.api(path))
            .header("accept", "application/vnd.github+json")
            .bearer_auth(token)
    }

    /// The primary verified address, if the token may read addresses; nothing otherwise.
    async fn primary_email(&self, token: &str) -> Option<String> {
        let emails: Vec<GithubEmail> = http::json(
            self.api_get("/user/emails", token),
            &self.config.name,
            "reading e-mails",
        )
        .await
        .ok()?;
        emails
            .into_iter()
            .find(|e| e.primary && e.verified)
            .map(|e| e.email)
    }
}
