//! The server's token signing keys: kept in the store (private halves sealed), held in
//! memory for signing and verifying, rotated by root. A key another server created (after a
//! rotation there) is picked up the first time a token names it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pangolin_auth::jwt::{self, Claims, Purpose, TokenSigner, TokenVerifier};
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::SigningKey;
use pangolin_core::{Error, Result, Timestamp};
use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Services, guard};

/// At most one reload of the keys from the store per this interval, however many tokens
/// name an unknown key.
const RELOAD_INTERVAL: Duration = Duration::from_secs(5);

/// Signer and verifier over the keys last read from the store.
struct Tokens {
    signer: TokenSigner,
    verifier: TokenVerifier,
    keys: Vec<SigningKey>,
}

#[derive(Default)]
pub(crate) struct KeyRing {
    current: RwLock<Option<Arc<Tokens>>>,
    last_reload: Mutex<Option<Instant>>,
}

impl KeyRing {
    fn tokens(&self) -> Result<Arc<Tokens>> {
        self.current
            .read()
            .clone()
            .ok_or_else(|| Error::Unavailable("token signing keys are not loaded yet".into()))
    }

    /// Whether a reload may happen now (and records that it does).
    fn may_reload(&self) -> bool {
        let mut last = self.last_reload.lock();
        if last.is_some_and(|at| at.elapsed() < RELOAD_INTERVAL) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }
}

impl Services {
    /// Loads the signing keys, creating the first one on a fresh store. Call once at start-up
    /// (the server and test harnesses do) before serving requests that use tokens.
    pub async fn start_identity(&self) -> Result<()> {
        let now = pangolin_core::now();
        let keys = self.store().list_signing_keys().await?;
        if keys.iter().any(|k| is_signing(k, now)) {
            return self.install_keys(keys, now);
        }
        let key = jwt::generate_signing_key(self.storage().secrets())?;
        let audit = RequestContext::system_wide().audit(
            "auth.signing-key.create",
            format!("signing-key/{}", key.kid),
            AuditResult::Success,
        );
        self.store().create_signing_key(&key, &[audit]).await?;
        let keys = self.store().list_signing_keys().await?;
        self.install_keys(keys, now)
    }

    /// Signs `claims` with the current key.
    pub(crate) fn sign(&self, claims: &Claims) -> Result<String> {
        self.sign_payload(claims)
    }

    /// Signs a payload that is not [`Claims`] (a browser login's state); it must carry
    /// `iss`, `aud` (a [`Purpose`] audience) and `exp`.
    pub(crate) fn sign_payload<T: Serialize>(&self, payload: &T) -> Result<String> {
        self.identity().keys.tokens()?.signer.sign(payload)
    }

    /// Verifies one of this server's tokens for `purpose`. An unknown key makes one reload
    /// from the store (rate-limited) before the token is refused.
    pub(crate) async fn verify_own(&self, token: &str, purpose: Purpose) -> Result<Claims> {
        self.verify_own_as(token, purpose).await
    }

    /// [`verify_own`](Self::verify_own) for tokens whose payload is another type.
    pub(crate) async fn verify_own_as<T: DeserializeOwned>(
        &self,
        token: &str,
        purpose: Purpose,
    ) -> Result<T> {
        let now = pangolin_core::now();
        let ring = &self.identity().keys;
        let first = ring.tokens()?.verifier.verify_as(token, purpose, now);
        match first {
            Err(Error::Unauthenticated(_)) if ring.may_reload() => {
                let keys = self.store().list_signing_keys().await?;
                self.install_keys(keys, now)?;
                ring.tokens()?.verifier.verify_as(token, purpose, now)
            }
            other => other,
        }
    }

    /// The public keys, as `/.well-known/jwks.json` serves them.
    pub fn jwks(&self) -> Result<Value> {
        let tokens = self.identity().keys.tokens()?;
        Ok(jwt::jwks(&tokens.keys, pangolin_core::now()))
    }

    /// Makes a new key the signing key. Older keys stop signing now and stop verifying once
    /// every token they signed has expired; keys already past that are deleted.
    pub async fn rotate_signing_key(&self, ctx: &RequestContext) -> Result<String> {
        guard::require_root(ctx)?;
        let now = pangolin_core::now();
        let key = jwt::generate_signing_key(self.storage().secrets())?;
        let audit = ctx.audit(
            "auth.signing-key.rotate",
            format!("signing-key/{}", key.kid),
            AuditResult::Success,
        );
        self.store().create_signing_key(&key, &[audit]).await?;
        let retire_until = now + chrono_ttl(self.settings().auth.access_token_ttl);
        for mut old in self.store().list_signing_keys().await? {
            if old.kid == key.kid {
                continue;
            }
            if old.expires_at.is_some_and(|e| e <= now) {
                self.store().delete_signing_key(&old.kid, &[]).await?;
                continue;
            }
            if old.retired_at.is_none() {
                old.retired_at = Some(now);
                old.expires_at = Some(retire_until);
                self.store().update_signing_key(&old, &[]).await?;
            }
        }
        let keys = self.store().list_signing_keys().await?;
        self.install_keys(keys, now)?;
        Ok(key.kid)
    }

    /// Builds signer and verifier: the newest key that still signs, all that still verify.
    fn install_keys(&self, keys: Vec<SigningKey>, now: Timestamp) -> Result<()> {
        let signing = keys
            .iter()
            .rev()
            .find(|k| is_signing(k, now))
            .ok_or_else(|| Error::internal("no usable token signing key in the store"))?;
        let signer = TokenSigner::new(signing, self.storage().secrets())?;
        let verifier = TokenVerifier::new(self.settings().auth.issuer.clone(), &keys, now);
        *self.identity().keys.current.write() = Some(Arc::new(Tokens {
            signer,
            verifier,
            keys,
        }));
        Ok(())
    }
}

fn is_signing(key: &SigningKey, now: Timestamp) -> bool {
    key.retired_at.is_none() && key.expires_at.is_none_or(|e| e > now)
}

fn chrono_ttl(ttl: Duration) -> chrono::Duration {
    // A minute beyond the longest token lifetime covers clock skew and the verifier's leeway.
    chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(1))
        + chrono::Duration::minutes(1)
}
