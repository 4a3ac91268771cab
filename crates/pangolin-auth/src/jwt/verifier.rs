//! Verifying the server's own tokens.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey};
use pangolin_core::model::SigningKey;
use pangolin_core::{Error, Result, Timestamp};
use serde::de::DeserializeOwned;

use super::keys::{ALGORITHM, usable};
use super::{Claims, Purpose};
use crate::compact;
use crate::validate::{self, Expect};

/// Tolerated clock skew for `exp`: small, because the server checks its own tokens.
pub const LEEWAY_SECS: i64 = 30;

struct VerifyingKey {
    key: DecodingKey,
    expires_at: Option<Timestamp>,
}

/// Verifies tokens against the public halves of a set of signing keys. Rebuild it when the key
/// set changes (a rotation); keys that expire while it is alive stop verifying on time.
pub struct TokenVerifier {
    issuer: String,
    keys: HashMap<String, VerifyingKey>,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kids: Vec<&String> = self.keys.keys().collect();
        kids.sort();
        f.debug_struct("TokenVerifier")
            .field("issuer", &self.issuer)
            .field("kids", &kids)
            .finish()
    }
}

impl TokenVerifier {
    /// A verifier for tokens issued by `issuer`, from `keys` (keys already expired at `now`, and
    /// keys that are not Ed25519, are left out).
    pub fn new(issuer: impl Into<String>, keys: &[SigningKey], now: Timestamp) -> Self {
        let keys = keys
            .iter()
            .filter(|k| usable(k, now))
            .map(|k| {
                let vk = VerifyingKey {
                    key: DecodingKey::from_ed_der(&k.public_key),
                    expires_at: k.expires_at,
                };
                (k.kid.clone(), vk)
            })
            .collect();
        TokenVerifier {
            issuer: issuer.into(),
            keys,
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Verifies a token made from [`Claims`] for `purpose`: algorithm EdDSA, a known and
    /// unexpired `kid`, the signature, `iss`, `aud` = the purpose, and `exp` (with
    /// [`LEEWAY_SECS`]). Every failure is `Unauthenticated` with a message saying which check
    /// failed; no input makes it panic.
    pub fn verify(&self, token: &str, purpose: Purpose, now: Timestamp) -> Result<Claims> {
        self.verify_as(token, purpose, now)
    }

    /// [`verify`](Self::verify) for tokens whose payload is another type (see
    /// [`TokenSigner::sign`](super::TokenSigner::sign)).
    pub fn verify_as<T: DeserializeOwned>(
        &self,
        token: &str,
        purpose: Purpose,
        now: Timestamp,
    ) -> Result<T> {
        let header = compact::header(token)?;
        if header.alg != ALGORITHM {
            return Err(Error::Unauthenticated(format!(
                "token algorithm {:?} is not accepted (only {ALGORITHM})",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| Error::Unauthenticated("token has no key id (kid)".into()))?;
        let key = self
            .keys
            .get(&kid)
            .ok_or_else(|| Error::Unauthenticated("token is signed by an unknown key".into()))?;
        if key.expires_at.is_some_and(|e| e <= now) {
            return Err(Error::Unauthenticated(
                "token is signed by a key that has expired".into(),
            ));
        }
        let expect = Expect {
            alg: Algorithm::EdDSA,
            issuer: &self.issuer,
            audiences: &[purpose.audience()],
            now,
            leeway_secs: LEEWAY_SECS,
        };
        let claims = validate::decode(token, &key.key, &expect)?;
        serde_json::from_value(serde_json::Value::Object(claims))
            .map_err(|e| Error::Unauthenticated(format!("token claims are malformed: {e}")))
    }
}
