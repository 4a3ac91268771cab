//! The HTTP side of talking to identity providers: one client with timeouts, JSON reads, and
//! the mapping of failures to `Unavailable` (the provider is down or misbehaving: retry later)
//! as opposed to `Unauthenticated` (the user's credentials are bad).

use pangolin_core::{Error, Result};
use serde::de::DeserializeOwned;

use super::OidcOptions;

/// Provider responses larger than this are refused (a JWKS or discovery document is a few KiB).
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(super) fn client(options: &OidcOptions) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(options.http_timeout)
        .connect_timeout(options.connect_timeout)
        .user_agent(concat!("pangolin/", env!("CARGO_PKG_VERSION")))
        // A provider redirecting its keys elsewhere is a misconfiguration, not something to follow.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::internal(format!("building the HTTP client: {e}")))
}

pub(super) fn unavailable(provider: &str, what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Unavailable(format!(
        "identity provider {provider:?}: {what} failed: {detail}"
    ))
}

/// Sends `request` and reads a JSON body of a 2xx response.
pub(super) async fn json<T: DeserializeOwned>(
    request: reqwest::RequestBuilder,
    provider: &str,
    what: &str,
) -> Result<T> {
    let (status, body) = send(request, provider, what).await?;
    if !status.is_success() {
        return Err(unavailable(provider, what, format!("HTTP {status}")));
    }
    parse(&body, provider, what)
}

/// Sends `request` and returns the status and (bounded) body, whatever the status.
pub(super) async fn send(
    request: reqwest::RequestBuilder,
    provider: &str,
    what: &str,
) -> Result<(reqwest::StatusCode, Vec<u8>)> {
    let mut response = request
        .send()
        .await
        .map_err(|e| unavailable(provider, what, e))?;
    let status = response.status();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unavailable(provider, what, e))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(unavailable(provider, what, "response too large"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}

pub(super) fn parse<T: DeserializeOwned>(body: &[u8], provider: &str, what: &str) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| unavailable(provider, what, format!("bad JSON: {e}")))
}
