//! Browser login with the authorization code flow and PKCE (S256).
//!
//! The caller keeps `state`, the PKCE verifier and the nonce between the two calls (e.g. in a
//! signed login-state token, [`Purpose::LoginState`](crate::jwt::Purpose::LoginState)) and
//! checks the returned `state` itself before calling [`OidcVerifier::exchange_code`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pangolin_core::{Error, Result, Timestamp};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::config::check_url;
use super::http::{self, unavailable};
use super::{ExternalLogin, OidcVerifier};

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

impl OidcVerifier {
    fn client_id(&self) -> Result<&str> {
        self.config.client_id.as_deref().ok_or_else(|| {
            Error::invalid(format!(
                "OIDC provider {:?} has no client_id: browser login is not configured",
                self.config.name
            ))
        })
    }

    /// Where to send the browser: the provider's authorization endpoint with
    /// `response_type=code`, the client id, `redirect_uri`, the configured scopes, `state`,
    /// `nonce` and the S256 `code_challenge`.
    pub async fn authorize_url(
        &self,
        state: &str,
        code_challenge: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> Result<Url> {
        let client_id = self.client_id()?;
        let discovery = self.discovery(pangolin_core::now()).await?;
        let endpoint = discovery.authorization_endpoint.as_deref().ok_or_else(|| {
            unavailable(&self.config.name, "discovery", "no authorization_endpoint")
        })?;
        let mut url = check_url(endpoint).map_err(|why| {
            unavailable(
                &self.config.name,
                "discovery",
                format!("authorization_endpoint {why}"),
            )
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &self.config.scopes.join(" "))
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url)
    }

    /// Redeems an authorization `code` at the token endpoint (with the PKCE `code_verifier`
    /// and client authentication) and verifies the returned ID token like [`verify`](Self::verify),
    /// except that its audience must be the client id and its `nonce` must be
    /// `expected_nonce`. A refused code is `Unauthenticated`.
    pub async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
        expected_nonce: &str,
        now: Timestamp,
    ) -> Result<ExternalLogin> {
        let client_id = self.client_id()?;
        let id_token = self
            .redeem(client_id, code, code_verifier, redirect_uri, now)
            .await?;
        let claims = self.verified_claims(&id_token, &[client_id], now).await?;
        if claims.get("nonce").and_then(Value::as_str) != Some(expected_nonce) {
            return Err(Error::Unauthenticated(
                "ID token nonce does not match this login".into(),
            ));
        }
        // OIDC Core §3.1.3.7: an authorized party, when present, must be this client.
        if let Some(azp) = claims.get("azp")
            && azp.as_str() != Some(client_id)
        {
            return Err(Error::Unauthenticated(
                "ID token was issued to another client (azp)".into(),
            ));
        }
        self.login_from(&claims)
    }

    /// POSTs the code to the token endpoint and returns the ID token.
    async fn redeem(
        &self,
        client_id: &str,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
        now: Timestamp,
    ) -> Result<String> {
        let name = &self.config.name;
        let what = "redeeming the authorization code";
        let discovery = self.discovery(now).await?;
        let endpoint = discovery
            .token_endpoint
            .as_deref()
            .ok_or_else(|| unavailable(name, "discovery", "no token_endpoint"))?;
        check_url(endpoint)
            .map_err(|why| unavailable(name, "discovery", format!("token_endpoint {why}")))?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ];
        let mut request = self
            .http
            .post(endpoint)
            .header("accept", "application/json");
        match &self.config.client_secret {
            None => form.push(("client_id", client_id)),
            Some(secret)
                if self
                    .secret_in_body(discovery.token_endpoint_auth_methods_supported.as_deref()) =>
            {
                form.push(("client_id", client_id));
                form.push(("client_secret", secret.expose()));
            }
            Some(secret) => {
                request = request.header("authorization", basic_auth(client_id, secret.expose()));
            }
        }
        let (status, body) = http::send(request.form(&form), name, what).await?;
        let response = serde_json::from_slice::<TokenResponse>(&body).ok();
        if let Some(error) = response.as_ref().and_then(|r| r.error.as_deref()) {
            // RFC 6749 §5.2: invalid_grant etc. are the user's (or an attacker's) bad code.
            return Err(Error::Unauthenticated(format!(
                "identity provider {name:?} refused the login: {error}"
            )));
        }
        if !status.is_success() {
            return Err(unavailable(name, what, format!("HTTP {status}")));
        }
        response
            .and_then(|r| r.id_token)
            .ok_or_else(|| unavailable(name, what, "the response has no id_token"))
    }

    /// `client_secret_post` only when the provider supports it and not `client_secret_basic`
    /// (the default of RFC 6749 and OIDC).
    fn secret_in_body(&self, supported: Option<&[String]>) -> bool {
        supported.is_some_and(|methods| {
            methods.iter().any(|m| m == "client_secret_post")
                && !methods.iter().any(|m| m == "client_secret_basic")
        })
    }
}

/// RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined and base64-encoded.
fn basic_auth(client_id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(client_id), enc(secret)))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_encodes_both_parts() {
        // "a:b" must not be read as user "a", password "b:..."
        let header = basic_auth("a:b", "p w&");
        let decoded = STANDARD
            .decode(header.strip_prefix("Basic ").unwrap())
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "a%3Ab:p+w%26");
    }
}
