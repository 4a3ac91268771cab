//! Wire types of the authentication and account routes. Passwords and keys go in; only a
//! freshly minted API key ever comes out (once).

use pangolin_catalog::identity::{MintedApiKey, TokenGrant};
use pangolin_core::model::{ApiKey, ServiceUser, Tier, User, Username};
use pangolin_core::{Name, ServiceUserId, TenantId, Timestamp, UserId};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct LoginBody {
    pub(crate) tenant: Option<Name>,
    pub(crate) username: Username,
    pub(crate) password: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct TokenView {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    expires_at: Timestamp,
}

impl From<TokenGrant> for TokenView {
    fn from(g: TokenGrant) -> Self {
        TokenView {
            access_token: g.access_token,
            token_type: "bearer",
            expires_in: g.expires_in,
            expires_at: g.expires_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct RevokeBody {
    pub(crate) token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateUser {
    pub(crate) name: Username,
    #[serde(default = "tenant_user")]
    pub(crate) tier: Tier,
    pub(crate) password: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) display_name: Option<String>,
}

fn tenant_user() -> Tier {
    Tier::TenantUser
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct UpdateUser {
    #[serde(default, deserialize_with = "present")]
    pub(crate) email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) display_name: Option<Option<String>>,
    pub(crate) tier: Option<Tier>,
    pub(crate) disabled: Option<bool>,
    pub(crate) password: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct ChangePassword {
    pub(crate) current_password: String,
    pub(crate) new_password: String,
}

/// Distinguishes `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct UserView {
    id: UserId,
    tenant_id: Option<TenantId>,
    name: Username,
    tier: Tier,
    email: Option<String>,
    display_name: Option<String>,
    /// Whether the account can log in with a password (the hash itself never leaves).
    has_password: bool,
    /// The external identity provider's issuer, for accounts that log in through one.
    external_issuer: Option<String>,
    disabled: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            tenant_id: u.tenant_id,
            name: u.name,
            tier: u.tier,
            email: u.email,
            display_name: u.display_name,
            has_password: u.password_hash.is_some(),
            external_issuer: u.external.map(|e| e.issuer),
            disabled: u.disabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateServiceUser {
    pub(crate) name: Name,
    pub(crate) description: Option<String>,
    #[serde(default = "tenant_user")]
    pub(crate) tier: Tier,
    /// Mint a first API key right away (default true), with this expiry if given.
    #[serde(default = "yes")]
    pub(crate) create_api_key: bool,
    pub(crate) expires_at: Option<Timestamp>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct UpdateServiceUser {
    #[serde(default, deserialize_with = "present")]
    pub(crate) description: Option<Option<String>>,
    pub(crate) tier: Option<Tier>,
    pub(crate) disabled: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateApiKey {
    pub(crate) name: Option<String>,
    pub(crate) expires_at: Option<Timestamp>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ServiceUserView {
    id: ServiceUserId,
    tenant_id: TenantId,
    name: Name,
    description: Option<String>,
    tier: Tier,
    disabled: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
    /// Only in the response that created the service user with a first key.
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<MintedKeyView>,
}

impl From<ServiceUser> for ServiceUserView {
    fn from(s: ServiceUser) -> Self {
        ServiceUserView {
            id: s.id,
            tenant_id: s.tenant_id,
            name: s.name,
            description: s.description,
            tier: s.tier,
            disabled: s.disabled,
            created_at: s.created_at,
            updated_at: s.updated_at,
            api_key: None,
        }
    }
}

impl ServiceUserView {
    pub(crate) fn with_key(mut self, key: MintedApiKey) -> Self {
        self.api_key = Some(key.into());
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ApiKeyView {
    key_id: String,
    service_user_id: ServiceUserId,
    name: Option<String>,
    created_at: Timestamp,
    expires_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        ApiKeyView {
            key_id: k.key_id,
            service_user_id: k.service_user_id,
            name: k.name,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A key as minted: the whole key, shown this once, plus its record.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct MintedKeyView {
    key: String,
    /// Use as OAuth2 `client_id` (with the key's secret part, or the whole key, as
    /// `client_secret`).
    client_id: String,
    #[serde(flatten)]
    record: ApiKeyView,
}

impl From<MintedApiKey> for MintedKeyView {
    fn from(m: MintedApiKey) -> Self {
        MintedKeyView {
            key: m.key.expose().to_owned(),
            client_id: m.record.key_id.clone(),
            record: m.record.into(),
        }
    }
}
