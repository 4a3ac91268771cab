//! API keys of service users: `pgl_<key id>_<secret>`.
//!
//! The key id (16 lowercase hex digits, 64 random bits) is public and indexes the stored
//! [`ApiKey`](pangolin_core::model::ApiKey); the secret (64 lowercase hex digits, 256 random
//! bits) is shown once at minting and only its SHA-256 is kept. With that much entropy a fast
//! hash is as strong as a slow one, so checking a key costs microseconds on the request path.
//!
//! OAuth2 client credentials carry the same key split in two: see [`from_client_credentials`].

use pangolin_core::{Error, Result};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Secret;

/// Every key starts with this, so leaked keys are easy to recognise (and to scan for).
pub const PREFIX: &str = "pgl_";
const KEY_ID_HEX: usize = 16;
const SECRET_HEX: usize = 64;

/// A freshly minted key: store `key_id` and `secret_sha256`, show `key` to the caller once.
#[derive(Debug, Clone)]
pub struct MintedKey {
    pub key_id: String,
    /// The whole `pgl_<key id>_<secret>` string.
    pub key: Secret,
    /// Lowercase hex SHA-256 of the secret part; what [`verify`] compares against.
    pub secret_sha256: String,
}

/// A presented key, split: look up `key_id`, then [`verify`] `secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParts {
    pub key_id: String,
    pub secret: Secret,
}

/// Mints a new key from the operating system's randomness.
pub fn mint() -> MintedKey {
    let mut rng = rand::rng();
    let mut id = [0u8; KEY_ID_HEX / 2];
    let mut secret = [0u8; SECRET_HEX / 2];
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut secret);
    let (key_id, secret) = (hex::encode(id), hex::encode(secret));
    MintedKey {
        key: Secret::new(format!("{PREFIX}{key_id}_{secret}")),
        secret_sha256: sha256_hex(&secret),
        key_id,
    }
}

/// Splits a presented key. Anything that is not exactly `pgl_<16 hex>_<64 hex>` (lowercase) is
/// `Unauthenticated`; the message never repeats the input.
pub fn parse(key: &str) -> Result<KeyParts> {
    let malformed = || {
        Error::Unauthenticated(format!(
            "malformed API key: expected {PREFIX}<{KEY_ID_HEX} hex digits>_<{SECRET_HEX} hex digits>"
        ))
    };
    let rest = key.strip_prefix(PREFIX).ok_or_else(malformed)?;
    let (key_id, secret) = rest.split_once('_').ok_or_else(malformed)?;
    if !is_lower_hex(key_id, KEY_ID_HEX) || !is_lower_hex(secret, SECRET_HEX) {
        return Err(malformed());
    }
    Ok(KeyParts {
        key_id: key_id.to_owned(),
        secret: Secret::new(secret),
    })
}

/// Whether `secret` hashes to `stored_sha256_hex`, compared in constant time. A stored value
/// that is not 64 hex digits never matches.
pub fn verify(secret: &str, stored_sha256_hex: &str) -> bool {
    let Ok(stored) = hex::decode(stored_sha256_hex) else {
        return false;
    };
    let actual = Sha256::digest(secret.as_bytes());
    stored.len() == actual.len() && bool::from(actual.as_slice().ct_eq(&stored))
}

/// Turns OAuth2 client credentials into key parts. `client_id` is the key id, with or without
/// the `pgl_` prefix; `client_secret` is either the secret part or the whole key, in which case
/// its key id must be the same as `client_id`'s.
pub fn from_client_credentials(client_id: &str, client_secret: &str) -> Result<KeyParts> {
    let key_id = client_id.strip_prefix(PREFIX).unwrap_or(client_id);
    if !is_lower_hex(key_id, KEY_ID_HEX) {
        return Err(Error::Unauthenticated(format!(
            "malformed client_id: expected an API key id ({KEY_ID_HEX} hex digits, optionally prefixed {PREFIX})"
        )));
    }
    if client_secret.starts_with(PREFIX) {
        let whole = parse(client_secret)?;
        if whole.key_id != key_id {
            return Err(Error::Unauthenticated(
                "client_secret is an API key whose id is not client_id".into(),
            ));
        }
        return Ok(whole);
    }
    if !is_lower_hex(client_secret, SECRET_HEX) {
        return Err(Error::Unauthenticated(format!(
            "malformed client_secret: expected the API key's secret ({SECRET_HEX} hex digits) or the whole key"
        )));
    }
    Ok(KeyParts {
        key_id: key_id.to_owned(),
        secret: Secret::new(client_secret),
    })
}

fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_keys_parse_and_verify() {
        let m = mint();
        let k = m.key.expose();
        assert!(k.starts_with(PREFIX));
        assert_eq!(k.len(), PREFIX.len() + KEY_ID_HEX + 1 + SECRET_HEX);
        let parts = parse(k).unwrap();
        assert_eq!(parts.key_id, m.key_id);
        assert!(verify(parts.secret.expose(), &m.secret_sha256));
        assert_ne!(mint().key_id, m.key_id);
        // Only the hash is stored, never the secret.
        assert!(!m.secret_sha256.contains(parts.secret.expose()));
        assert!(!format!("{m:?}").contains(parts.secret.expose()));
    }

    #[test]
    fn wrong_secrets_do_not_verify() {
        let m = mint();
        let other = parse(mint().key.expose()).unwrap();
        assert!(!verify(other.secret.expose(), &m.secret_sha256));
        let secret = parse(m.key.expose()).unwrap().secret;
        assert!(!verify(secret.expose(), "not hex"));
        assert!(!verify(secret.expose(), &m.secret_sha256[..32]));
        assert!(!verify(secret.expose(), ""));
    }

    #[test]
    fn malformed_keys_are_unauthenticated() {
        let id = "0123456789abcdef";
        let secret = "a".repeat(64);
        assert!(parse(&format!("pgl_{id}_{secret}")).is_ok());
        for bad in [
            String::new(),
            "pgl_".into(),
            format!("{id}_{secret}"),
            format!("pgk_{id}_{secret}"),
            format!("pgl_{id}{secret}"),
            format!("pgl_{}_{secret}", &id[1..]),
            format!("pgl_{id}_{}", &secret[1..]),
            format!("pgl_{id}_{secret}a"),
            format!("pgl_{}_{secret}", id.to_uppercase()),
            format!("pgl_{id}_{}", "g".repeat(64)),
            format!("pgl_{id}_{secret}_x"),
            format!("pgl_{id}_ü{}", &secret[2..]),
        ] {
            match parse(&bad) {
                Err(Error::Unauthenticated(msg)) => assert!(msg.contains("malformed")),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn client_credentials_accept_both_splits() {
        let m = mint();
        let parts = parse(m.key.expose()).unwrap();
        let with_prefix = format!("{PREFIX}{}", m.key_id);
        for (id, secret) in [
            (m.key_id.as_str(), parts.secret.expose()),
            (with_prefix.as_str(), parts.secret.expose()),
            (m.key_id.as_str(), m.key.expose()),
            (with_prefix.as_str(), m.key.expose()),
        ] {
            assert_eq!(from_client_credentials(id, secret).unwrap(), parts);
        }
    }

    #[test]
    fn client_credentials_refuse_mismatches_and_garbage() {
        let m = mint();
        let other = mint();
        let secret = parse(m.key.expose()).unwrap().secret;
        for (id, sec) in [
            (other.key_id.as_str(), m.key.expose()),
            ("nope", secret.expose()),
            (m.key_id.as_str(), "short"),
            (m.key_id.as_str(), "pgl_garbage"),
            ("", ""),
        ] {
            assert!(
                matches!(
                    from_client_credentials(id, sec),
                    Err(Error::Unauthenticated(_))
                ),
                "{id:?}"
            );
        }
    }
}
