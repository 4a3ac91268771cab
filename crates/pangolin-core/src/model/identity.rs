//! Accounts: users (password or external identity), service users with API keys, and the
//! server's token signing keys. Secrets are only ever kept as hashes or sealed ciphertext.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::secret::SealedSecret;
use crate::{Error, Name, Result, ServiceUserId, TenantId, Timestamp, UserId};

/// How much a principal may do before any grant is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Manages tenants and their admins; no data access (except audited impersonation).
    Root,
    /// Everything inside its tenant.
    TenantAdmin,
    /// Only what grants give.
    TenantUser,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Root => "root",
            Tier::TenantAdmin => "tenant-admin",
            Tier::TenantUser => "tenant-user",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "root" => Some(Tier::Root),
            "tenant-admin" => Some(Tier::TenantAdmin),
            "tenant-user" => Some(Tier::TenantUser),
            _ => None,
        }
    }
}

/// A login name: like [`Name`] but e-mail addresses are fine (`@` is allowed), and it is
/// compared exactly as given.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn new(name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let bad = |why: &str| Err(Error::invalid(format!("invalid user name {name:?}: {why}")));
        if name.is_empty() {
            return bad("must not be empty");
        }
        if name.len() > crate::name::MAX_NAME_BYTES {
            return bad("too long");
        }
        if name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        {
            return bad("must not contain control characters or slashes");
        }
        if name.trim() != name {
            return bad("must not start or end with whitespace");
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for Username {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Username::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A password hash in PHC string form (argon2id). Debug never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// Who vouches for a user that logs in through an external identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExternalIdentity {
    /// The provider's issuer URL (OIDC `iss`) or a fixed name such as `github`.
    pub issuer: String,
    /// The provider's stable subject id for the user (OIDC `sub`, GitHub user id).
    pub subject: String,
}

/// A human account. Root accounts have no tenant; every other account has exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct User {
    pub id: UserId,
    /// `None` exactly when `tier` is [`Tier::Root`].
    pub tenant_id: Option<TenantId>,
    /// Unique per tenant (and among root accounts).
    pub name: Username,
    pub tier: Tier,
    pub email: Option<String>,
    pub display_name: Option<String>,
    /// `None` for accounts that can only log in through an external provider.
    pub password_hash: Option<PasswordHash>,
    /// Unique store-wide when set.
    pub external: Option<ExternalIdentity>,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    pub fn new(tenant_id: Option<TenantId>, name: Username, tier: Tier) -> Self {
        let now = crate::now();
        User {
            id: UserId::generate(),
            tenant_id,
            name,
            tier,
            email: None,
            display_name: None,
            password_hash: None,
            external: None,
            disabled: false,
            created_at: now,
            updated_at: now,
        }
    }

    /// Root accounts live outside tenants; all others inside one.
    pub fn validate(&self) -> Result<()> {
        match (self.tier, self.tenant_id) {
            (Tier::Root, None) | (Tier::TenantAdmin | Tier::TenantUser, Some(_)) => Ok(()),
            (Tier::Root, Some(_)) => Err(Error::invalid("a root account belongs to no tenant")),
            (_, None) => Err(Error::invalid("a tenant account needs a tenant")),
        }
    }
}

/// A non-human account of a tenant; it authenticates with [`ApiKey`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ServiceUser {
    pub id: ServiceUserId,
    pub tenant_id: TenantId,
    /// Unique per tenant.
    pub name: Name,
    pub description: Option<String>,
    /// [`Tier::TenantAdmin`] or [`Tier::TenantUser`]; never root.
    pub tier: Tier,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl ServiceUser {
    pub fn new(tenant_id: TenantId, name: Name, tier: Tier) -> Self {
        let now = crate::now();
        ServiceUser {
            id: ServiceUserId::generate(),
            tenant_id,
            name,
            description: None,
            tier,
            disabled: false,
            created_at: now,
            updated_at: now,
        }
    }
}

/// An API key of a service user. The key itself (`pgl_<key id>_<secret>`) is shown once;
/// only the SHA-256 of the secret is kept (the secret has 256 bits of entropy, so a plain
/// hash is as strong as a slow one and costs nothing on the request path).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ApiKey {
    /// The public part of the key: 16 lowercase hex digits, unique store-wide.
    pub key_id: String,
    pub tenant_id: TenantId,
    pub service_user_id: ServiceUserId,
    pub name: Option<String>,
    /// Hex SHA-256 of the secret part.
    pub secret_sha256: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("key_id", &self.key_id)
            .field("service_user_id", &self.service_user_id)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

impl ApiKey {
    /// Usable at `now`: neither revoked nor expired.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A key the server signs its access tokens with. The private half is sealed with the
/// server's encryption key; the public half is published at the JWKS endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SigningKey {
    /// The JWT `kid`; unique.
    pub kid: String,
    /// The JWS algorithm, e.g. `EdDSA`.
    pub algorithm: String,
    /// The raw public key (32 bytes for Ed25519).
    pub public_key: Vec<u8>,
    /// The private key in PKCS#8 DER, sealed with owner = `kid`.
    pub private_key: SealedSecret,
    pub created_at: Timestamp,
    /// From then on the key no longer signs (a newer key does); it still verifies.
    pub retired_at: Option<Timestamp>,
    /// From then on tokens signed with it are refused and it leaves the JWKS.
    pub expires_at: Option<Timestamp>,
}

/// A token refused before its expiry (logout, revocation), by its `jti`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RevokedToken {
    pub jti: String,
    /// When the token would have expired anyway; the record may be forgotten after that.
    pub expires_at: Timestamp,
    pub revoked_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_accept_email_and_refuse_garbage() {
        assert!(Username::new("alice@example.com").is_ok());
        for bad in ["", " alice", "a\nb", "a/b", &"x".repeat(300)] {
            assert!(Username::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn root_accounts_have_no_tenant() {
        let name = Username::new("root").unwrap();
        let mut user = User::new(None, name, Tier::Root);
        assert!(user.validate().is_ok());
        user.tenant_id = Some(TenantId::generate());
        assert!(user.validate().is_err());
        user.tier = Tier::TenantUser;
        assert!(user.validate().is_ok());
    }

    #[test]
    fn secrets_never_print() {
        let hash = PasswordHash("$argon2id$v=19$secret".into());
        assert!(!format!("{hash:?}").contains("secret"));
        let key = ApiKey {
            key_id: "0123456789abcdef".into(),
            tenant_id: TenantId::generate(),
            service_user_id: ServiceUserId::generate(),
            name: None,
            secret_sha256: "deadbeef".into(),
            created_at: crate::now(),
            expires_at: None,
            revoked_at: None,
        };
        assert!(!format!("{key:?}").contains("deadbeef"));
        assert!(key.is_active(crate::now()));
    }
}
