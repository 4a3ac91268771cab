//! OAuth2 token exchange (RFC 8693) at the token endpoint: one of this server's access
//! tokens for a fresh one of the same account.

use pangolin_auth::jwt::{self, Claims, Purpose};
use pangolin_core::audit::AuditResult;
use pangolin_core::context::{PrincipalKind, RequestContext};
use pangolin_core::{Error, Result};
use serde_json::json;

use super::authenticate::Authenticated;
use super::login::{TokenGrant, event};
use crate::Services;

impl Services {
    /// OAuth2 token exchange: a valid token of this server for a fresh one of the same
    /// account (clients refresh this way before their token expires). Refused subject
    /// tokens are audited and count against the client address.
    pub async fn exchange_token(&self, ctx: &RequestContext, token: &str) -> Result<TokenGrant> {
        self.check_attempts(ctx, None)?;
        let who = match self.subject_of(token).await {
            Ok(who) => who,
            Err(Error::Unauthenticated(m)) => {
                self.note_failure(ctx, None, "auth.token", "token/exchange", None)
                    .await?;
                return Err(Error::Unauthenticated(m));
            }
            Err(e) => return Err(e),
        };
        let now = pangolin_core::now();
        let claims = match who.principal.kind {
            PrincipalKind::ServiceUser => {
                let tenant = who
                    .tenant
                    .ok_or_else(|| Error::internal("service user without tenant"))?;
                let account = self
                    .store()
                    .get_service_user(tenant, who.principal.id.parse()?)
                    .await?;
                Claims::for_service_user(
                    self.issuer(),
                    Purpose::Access,
                    &account,
                    now,
                    self.token_ttl(),
                )
            }
            _ => {
                let user = self
                    .cached_user(who.tenant, who.principal.id.parse()?)
                    .await?;
                let mut claims =
                    Claims::for_user(self.issuer(), Purpose::Access, &user, now, self.token_ttl());
                claims.groups = who.groups.to_vec();
                claims
            }
        };
        let grant = self.grant(&claims)?;
        let audit = event(
            ctx,
            who.tenant,
            &who.principal.id,
            "auth.token",
            "token/exchange",
            AuditResult::Success,
        )
        .with_summary(json!({ "grant-type": "token-exchange", "jti": claims.jti }));
        self.store().append_audit(&[audit]).await?;
        Ok(grant)
    }

    /// The account a subject token names; only this server's (valid, unrevoked) tokens.
    async fn subject_of(&self, token: &str) -> Result<Authenticated> {
        if jwt::peek_issuer(token).as_deref() != Some(self.issuer()) {
            return Err(Error::Unauthenticated(
                "only this server's tokens can be exchanged".into(),
            ));
        }
        self.authenticate(super::Credential::Bearer(token))
            .await?
            .ok_or_else(|| Error::Unauthenticated("a subject token is required".into()))
    }
}
