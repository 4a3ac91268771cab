//! Signing keys: generation (private half sealed at rest) and the published JWK Set.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use pangolin_core::model::SigningKey;
use pangolin_core::secret::SecretBox;
use pangolin_core::{Error, Result, Timestamp};
use rand::RngCore;
use serde_json::{Value, json};

/// The only JWS algorithm of the server's own tokens.
pub const ALGORITHM: &str = "EdDSA";
/// The `kind` of the sealed private key.
pub(super) const SEALED_KIND: &str = "ed25519-pkcs8";

/// A new Ed25519 key with a random 16-hex-digit `kid`. The private key (PKCS#8 DER) is sealed
/// with `secrets`, bound to the `kid`, so a ciphertext moved onto another key row fails to open.
/// The caller stores it and decides when it becomes the active signer.
pub fn generate_signing_key(secrets: &SecretBox) -> Result<SigningKey> {
    let mut rng = rand::rng();
    let mut kid = [0u8; 8];
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut kid);
    rng.fill_bytes(&mut seed);
    let kid = hex::encode(kid);
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let der = key
        .to_pkcs8_der()
        .map_err(|e| Error::internal(format!("encoding an Ed25519 key as PKCS#8: {e}")))?;
    Ok(SigningKey {
        private_key: secrets.seal(SEALED_KIND, kid.as_bytes(), der.as_bytes())?,
        public_key: key.verifying_key().to_bytes().to_vec(),
        algorithm: ALGORITHM.to_owned(),
        kid,
        created_at: pangolin_core::now(),
        retired_at: None,
        expires_at: None,
    })
}

/// Whether `key` may verify tokens at `now`: an Ed25519 key not yet expired.
pub(super) fn usable(key: &SigningKey, now: Timestamp) -> bool {
    key.algorithm == ALGORITHM
        && key.public_key.len() == 32
        && key.expires_at.is_none_or(|e| e > now)
}

/// The JWK Set (RFC 7517, OKP keys per RFC 8037) of the keys that verify at `now`, for the
/// JWKS endpoint. Expired keys leave it; retired ones stay until they expire.
pub fn jwks(keys: &[SigningKey], now: Timestamp) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .filter(|k| usable(k, now))
        .map(|k| {
            json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(&k.public_key),
                "kid": k.kid,
                "alg": ALGORITHM,
                "use": "sig",
            })
        })
        .collect();
    json!({ "keys": keys })
}
