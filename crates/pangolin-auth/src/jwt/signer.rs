//! Issuing tokens with the active signing key.

use std::fmt;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pangolin_core::model::SigningKey;
use pangolin_core::secret::SecretBox;
use pangolin_core::{Error, Result};
use serde::Serialize;

use super::Claims;
use super::keys::ALGORITHM;

/// Signs tokens with one key. Build it once from the active key (and again after a rotation);
/// it holds the opened private key in memory and never prints it.
#[derive(Clone)]
pub struct TokenSigner {
    kid: String,
    key: EncodingKey,
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// Opens the sealed private key and checks it belongs to the recorded public key, so a
    /// mixed-up key row fails here rather than producing tokens nobody can verify.
    pub fn new(key: &SigningKey, secrets: &SecretBox) -> Result<Self> {
        if key.algorithm != ALGORITHM {
            return Err(Error::internal(format!(
                "signing key {} has algorithm {:?}; only {ALGORITHM} signs",
                key.kid, key.algorithm
            )));
        }
        let der = secrets.open(key.kid.as_bytes(), &key.private_key)?;
        let private =
            <ed25519_dalek::SigningKey as ed25519_dalek::pkcs8::DecodePrivateKey>::from_pkcs8_der(
                &der,
            )
            .map_err(|_| {
                Error::internal(format!("signing key {} is not Ed25519 PKCS#8", key.kid))
            })?;
        if private.verifying_key().as_bytes().as_slice() != key.public_key.as_slice() {
            return Err(Error::internal(format!(
                "signing key {}: the private key does not match the public key",
                key.kid
            )));
        }
        Ok(TokenSigner {
            kid: key.kid.clone(),
            key: EncodingKey::from_ed_der(&der),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs `claims` (header `alg: EdDSA`, `typ: JWT`, `kid`).
    pub fn issue(&self, claims: &Claims) -> Result<String> {
        self.sign(claims)
    }

    /// Signs any payload, for tokens whose content is not [`Claims`] (e.g. a login `state`).
    /// The payload must carry `iss`, `aud` (a [`Purpose`](super::Purpose) audience) and `exp`,
    /// or [`TokenVerifier::verify_as`](super::TokenVerifier::verify_as) refuses it.
    pub fn sign<T: Serialize>(&self, payload: &T) -> Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, payload, &self.key)
            .map_err(|e| Error::internal(format!("signing a token failed: {e}")))
    }
}
