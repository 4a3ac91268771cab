//! The HTTP client of the token services (STS, Entra ID, Google OAuth2) and how their
//! failures map to domain errors: unreachable → `Unavailable`; refused → `Internal` (a
//! misconfigured warehouse is the server's problem, not the client's), logged with the
//! service's error code but never with a request body (it carries secrets).

use std::time::Duration;

use pangolin_core::{Error, Result};

/// Bounded so that a hanging token service fails a request in seconds.
const TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest error body quoted in a log line.
const MAX_LOGGED_BODY: usize = 512;

#[derive(Debug, Clone)]
pub(crate) struct Client {
    inner: reqwest::Client,
}

impl Client {
    pub(crate) fn new() -> Self {
        let inner = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .unwrap_or_default();
        Client { inner }
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner
    }

    /// Sends `request` to `service` and returns the body of a 2xx answer.
    pub(crate) async fn send(
        &self,
        service: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<String> {
        let response = request.send().await.map_err(|e| unreachable(service, &e))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| unreachable(service, &e))?;
        if status.is_success() {
            return Ok(body);
        }
        Err(refused(service, status.as_u16(), &body))
    }
}

fn unreachable(service: &str, err: &reqwest::Error) -> Error {
    // reqwest errors name the URL (no query secrets are ever put in URLs here), not bodies.
    tracing::warn!(service, error = %err, "token service unreachable");
    Error::Unavailable(format!("{service} is unreachable; retry later"))
}

/// A refusal: the service's own error text is logged (it names codes such as
/// `AccessDenied`, never the caller's secrets) and summarized for the client.
pub(crate) fn refused(service: &str, status: u16, body: &str) -> Error {
    let quoted: String = body.chars().take(MAX_LOGGED_BODY).collect();
    tracing::warn!(service, status, body = %quoted, "token service refused the request");
    Error::internal(format!(
        "{service} refused the request with status {status}; check the warehouse's credential and vending settings"
    ))
}

/// A response that does not parse as expected.
pub(crate) fn malformed(service: &str, what: impl std::fmt::Display) -> Error {
    Error::internal(format!("{service} sent an unexpected response: {what}"))
}
