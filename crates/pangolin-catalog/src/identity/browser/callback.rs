//! The provider's callback: verify and use up the state, redeem the code, find or provision
//! the account, and send the browser back to the UI with a one-time exchange code.

use pangolin_auth::jwt::{Claims, Purpose};
use pangolin_auth::oidc::ExternalLogin;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::User;
use pangolin_core::{Error, Result};
use serde_json::json;
use url::Url;

use super::ProviderCallback;
use super::state::LoginState;
use crate::Services;
use crate::identity::login::event;
use crate::identity::once;
use crate::identity::providers::BrowserProvider;

const ACTION: &str = "auth.browser-login";

/// Why a login with a good state failed: sent to the UI as `error` (an RFC 6749 error
/// code) and `error_description`; `reason` goes to the audit log only.
struct Failure {
    error: String,
    description: &'static str,
    reason: String,
    /// Whether it counts against the client address (a provider's refusal does not: the
    /// user said no, nobody guessed anything).
    counts: bool,
}

impl Failure {
    fn new(error: &str, description: &'static str, reason: impl Into<String>) -> Self {
        Failure {
            error: error.to_owned(),
            description,
            reason: reason.into(),
            counts: true,
        }
    }

    /// A failed redemption or account lookup.
    fn from_error(e: Error) -> Self {
        match e {
            Error::Unauthenticated(m) => Failure::new(
                "access_denied",
                "the identity provider did not confirm the login",
                m,
            ),
            Error::Unavailable(m) => Failure::new(
                "temporarily_unavailable",
                "the identity provider cannot be reached; try again later",
                m,
            ),
            other => {
                tracing::warn!(error = %other, "a browser login failed");
                Failure::new(
                    "server_error",
                    "the login could not be completed",
                    other.to_string(),
                )
            }
        }
    }

    /// The provider refused (the user declined, or the provider's own error). Its error code
    /// is passed on when it looks like one; the callback URL is anyone's to craft.
    fn refused(error: &str) -> Self {
        let plain = !error.is_empty()
            && error.len() <= 64
            && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        Failure {
            error: if plain { error } else { "access_denied" }.to_owned(),
            description: "the identity provider refused the login",
            reason: format!("the provider answered error={error:?}"),
            counts: false,
        }
    }
}

impl Services {
    /// Handles the provider's callback for `provider`. `Err` when the state is missing,
    /// forged, expired or not this provider's (then the redirect URI cannot be trusted and
    /// the caller answers 400), or when the client address is rate-limited. Otherwise the
    /// URL to send the browser to: the login's redirect URI with `code` (for
    /// [`exchange_login_code`](Self::exchange_login_code)) or `error`.
    pub async fn finish_browser_login(
        &self,
        ctx: &RequestContext,
        provider: &str,
        callback: ProviderCallback,
        callback_uri: &str,
    ) -> Result<String> {
        self.check_attempts(ctx, None)?;
        let resource = format!("login-provider/{provider}");
        let checked = self
            .checked_state(provider, callback.state.as_deref())
            .await;
        let (p, state) = match checked {
            Ok(found) => found,
            Err(e) => {
                self.note_failure(ctx, None, ACTION, &resource, None)
                    .await?;
                return Err(e);
            }
        };
        match self.complete(p, &state, callback, callback_uri).await {
            Ok((user, login, code)) => {
                let audit = event(
                    ctx,
                    user.tenant_id,
                    &user.id.to_string(),
                    ACTION,
                    &resource,
                    AuditResult::Success,
                )
                .with_summary(json!({
                    "issuer": login.identity.issuer,
                    "subject": login.identity.subject,
                    "groups": login.groups,
                }));
                self.store().append_audit(&[audit]).await?;
                with_query(&state.ruri, &[("code", &code)])
            }
            Err(failure) => {
                self.record_failure(ctx, &resource, &failure).await?;
                with_query(
                    &state.ruri,
                    &[
                        ("error", &failure.error),
                        ("error_description", failure.description),
                    ],
                )
            }
        }
    }

    /// The provider and the verified state, or `InvalidInput` (the 400 of a bad callback).
    async fn checked_state(
        &self,
        provider: &str,
        state: Option<&str>,
    ) -> Result<(BrowserProvider<'_>, LoginState)> {
        let bad = || Error::invalid("invalid or expired login state; start the login again");
        let token = state.ok_or_else(bad)?;
        let state: LoginState = match self.verify_own_as(token, Purpose::LoginState).await {
            Ok(state) => state,
            Err(Error::Unauthenticated(_)) => return Err(bad()),
            Err(e) => return Err(e),
        };
        if state.prv != provider {
            return Err(bad());
        }
        // The allow-list may have shrunk since the login started.
        self.check_redirect(&state.ruri)?;
        Ok((self.browser_provider(provider)?, state))
    }

    /// Everything after a good state; every failure goes back to the UI.
    async fn complete(
        &self,
        p: BrowserProvider<'_>,
        state: &LoginState,
        callback: ProviderCallback,
        callback_uri: &str,
    ) -> Result<(User, ExternalLogin, String), Failure> {
        let first = self
            .first_use(once::LOGIN_STATE, &state.nonce, state.marker_expiry())
            .await
            .map_err(Failure::from_error)?;
        if !first {
            return Err(Failure::new(
                "invalid_request",
                "this login has been used already; start the login again",
                "replayed login state",
            ));
        }
        if let Some(error) = &callback.error {
            return Err(Failure::refused(error));
        }
        let code = callback.code.as_deref().ok_or_else(|| {
            Failure::new(
                "invalid_request",
                "the identity provider sent no code",
                "callback without code",
            )
        })?;
        let login = self
            .redeem(p, state, code, callback_uri)
            .await
            .map_err(Failure::from_error)?;
        let user = self
            .external_account(p.landing(), &login)
            .await
            .map_err(Failure::from_error)?;
        if user.disabled {
            return Err(Failure::new(
                "access_denied",
                "the account is disabled",
                format!("account {} is disabled", user.id),
            ));
        }
        let mut claims = Claims::for_user(
            self.issuer(),
            Purpose::Exchange,
            &user,
            pangolin_core::now(),
            self.settings().auth.browser.exchange_ttl,
        );
        claims.groups = login.groups.clone();
        let code = self.sign(&claims).map_err(Failure::from_error)?;
        Ok((User::clone(&user), login, code))
    }

    /// Redeems the provider's code with the state's PKCE verifier (and nonce, for OIDC).
    async fn redeem(
        &self,
        p: BrowserProvider<'_>,
        state: &LoginState,
        code: &str,
        callback_uri: &str,
    ) -> Result<ExternalLogin> {
        let verifier = state.verifier(self.storage().secrets())?;
        match p {
            BrowserProvider::Oidc(o) => {
                let now = pangolin_core::now();
                o.verifier
                    .exchange_code(code, &verifier, callback_uri, &state.nonce, now)
                    .await
            }
            BrowserProvider::Github(g) => {
                g.login.exchange_code(code, &verifier, callback_uri).await
            }
        }
    }

    async fn record_failure(
        &self,
        ctx: &RequestContext,
        resource: &str,
        failure: &Failure,
    ) -> Result<()> {
        if failure.counts
            && let Some(addr) = &ctx.client_addr
        {
            let _ = self.identity().failures_by_address.record_failure(addr);
        }
        let audit = event(
            ctx,
            None,
            "anonymous",
            ACTION,
            resource,
            AuditResult::Failure,
        )
        .with_summary(json!({ "error": failure.error, "reason": failure.reason }));
        self.store().append_audit(&[audit]).await
    }
}

/// `base` with `pairs` added to its query (a redirect URI may carry a query of its own).
fn with_query(base: &str, pairs: &[(&str, &str)]) -> Result<String> {
    let mut url = Url::parse(base)
        .map_err(|e| Error::invalid(format!("redirect URI {base:?} is not a URL: {e}")))?;
    url.query_pairs_mut().extend_pairs(pairs);
    Ok(url.into())
}
