//! What the server's tokens say.

use std::fmt;
use std::time::Duration;

use pangolin_core::model::{ServiceUser, Tier, User};
use pangolin_core::{TenantId, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a token is for, carried as its audience (`aud`). A verifier is always told which
/// purpose it expects, so a token minted for one purpose is refused for every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// An access token for the API (`pangolin`).
    Access,
    /// The `state` of a browser login round trip (`pangolin-login-state`).
    LoginState,
    /// A one-time code handed to a client after a browser login, exchanged for an access
    /// token (`pangolin-exchange`).
    Exchange,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Access, Purpose::LoginState, Purpose::Exchange];

    /// The audience string.
    pub fn audience(self) -> &'static str {
        match self {
            Purpose::Access => "pangolin",
            Purpose::LoginState => "pangolin-login-state",
            Purpose::Exchange => "pangolin-exchange",
        }
    }

    pub fn from_audience(aud: &str) -> Option<Self> {
        Purpose::ALL.into_iter().find(|p| p.audience() == aud)
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.audience())
    }
}

impl Serialize for Purpose {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.audience())
    }
}

impl<'de> Deserialize<'de> for Purpose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let aud = String::deserialize(d)?;
        Purpose::from_audience(&aud)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown audience {aud:?}")))
    }
}

/// Which kind of account `sub` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    User,
    ServiceUser,
}

/// The payload of the server's tokens. Short names as JWTs customarily use; times are
/// NumericDate (seconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: Purpose,
    /// The account id (a `UserId` or `ServiceUserId`, as `kind` says).
    pub sub: String,
    /// The account's tenant; `None` for root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<TenantId>,
    pub tier: Tier,
    pub kind: SubjectKind,
    /// The account name at issue time (for logs and audit; authorization uses `sub`).
    pub name: String,
    /// Unique per token; revocation is by `jti`.
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    /// External identity provider groups at login time (role assignments to groups use them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The tenant a root account is impersonating (audited by the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imp: Option<TenantId>,
}

impl Claims {
    /// Claims for a human account, valid for `ttl` from `now`, with a fresh `jti`.
    pub fn for_user(
        issuer: &str,
        purpose: Purpose,
        user: &User,
        now: Timestamp,
        ttl: Duration,
    ) -> Self {
        let mut c = Claims::stamped(issuer, purpose, now, ttl);
        c.sub = user.id.to_string();
        c.tid = user.tenant_id;
        c.tier = user.tier;
        c.name = user.name.to_string();
        c
    }

    /// Claims for a service user, valid for `ttl` from `now`, with a fresh `jti`.
    pub fn for_service_user(
        issuer: &str,
        purpose: Purpose,
        account: &ServiceUser,
        now: Timestamp,
        ttl: Duration,
    ) -> Self {
        let mut c = Claims::stamped(issuer, purpose, now, ttl);
        c.sub = account.id.to_string();
        c.tid = Some(account.tenant_id);
        c.tier = account.tier;
        c.kind = SubjectKind::ServiceUser;
        c.name = account.name.to_string();
        c
    }

    fn stamped(issuer: &str, purpose: Purpose, now: Timestamp, ttl: Duration) -> Self {
        let iat = now.timestamp();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        Claims {
            iss: issuer.to_owned(),
            aud: purpose,
            sub: String::new(),
            tid: None,
            tier: Tier::TenantUser,
            kind: SubjectKind::User,
            name: String::new(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iat,
            exp: iat.saturating_add(ttl),
            groups: Vec::new(),
            imp: None,
        }
    }

    /// When the token stops being valid (revocation records may be forgotten after it).
    pub fn expires_at(&self) -> Option<Timestamp> {
        Timestamp::from_timestamp(self.exp, 0)
    }
}
