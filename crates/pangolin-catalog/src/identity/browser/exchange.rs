//! The last step of a browser login: the UI trades the one-time code from the redirect for
//! an access token. A code works once and for about a minute.

use pangolin_auth::jwt::{Claims, Purpose, SubjectKind};
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::User;
use pangolin_core::{Error, Result, UserId};
use serde_json::json;

use super::state::marker_expiry;
use crate::Services;
use crate::identity::TokenGrant;
use crate::identity::login::event;
use crate::identity::once;

const RESOURCE: &str = "login-code";

impl Services {
    /// An access token for the account a browser login's exchange code names, with the
    /// groups the provider asserted. Bad, expired and reused codes are `Unauthenticated`
    /// and count against the client address.
    pub async fn exchange_login_code(
        &self,
        ctx: &RequestContext,
        code: &str,
    ) -> Result<TokenGrant> {
        self.check_attempts(ctx, None)?;
        let (exchange, user) = match self.redeem_login_code(code).await {
            Ok(found) => found,
            Err(Error::Unauthenticated(m)) => {
                self.note_failure(ctx, None, "auth.token", RESOURCE, None)
                    .await?;
                return Err(Error::Unauthenticated(m));
            }
            Err(e) => return Err(e),
        };
        let mut claims = Claims::for_user(
            self.issuer(),
            Purpose::Access,
            &user,
            pangolin_core::now(),
            self.token_ttl(),
        );
        claims.groups = exchange.groups;
        let grant = self.grant(&claims)?;
        let audit = event(
            ctx,
            user.tenant_id,
            &user.id.to_string(),
            "auth.token",
            RESOURCE,
            AuditResult::Success,
        )
        .with_summary(json!({ "grant-type": "browser-login", "jti": claims.jti }));
        self.store().append_audit(&[audit]).await?;
        Ok(grant)
    }

    /// The code's claims and its account as it is now, using the code up.
    async fn redeem_login_code(&self, code: &str) -> Result<(Claims, User)> {
        let claims = self.verify_own(code, Purpose::Exchange).await?;
        if claims.kind != SubjectKind::User {
            return Err(Error::Unauthenticated("malformed login code".into()));
        }
        let first = self
            .first_use(once::EXCHANGE_CODE, &claims.jti, marker_expiry(claims.exp))
            .await?;
        if !first {
            return Err(Error::Unauthenticated(
                "the login code has been used already".into(),
            ));
        }
        let id: UserId = claims
            .sub
            .parse()
            .map_err(|_| Error::Unauthenticated("malformed login code".into()))?;
        let user = self.cached_user(claims.tid, id).await?;
        if user.disabled {
            return Err(Error::Unauthenticated("the account is disabled".into()));
        }
        Ok((claims, User::clone(&user)))
    }
}
