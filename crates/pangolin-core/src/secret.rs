//! Secrets at rest: AES-256-GCM with a random 96-bit nonce per seal, bound to the owning
//! object's id as associated data so that a ciphertext copied onto another row fails to open.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

const NONCE_LEN: usize = 12;
const VERSION: u8 = 1;

/// An encrypted credential as stored. `kind` says what it is (e.g. `s3-access-key`) so
/// responses can show which credential is set without opening it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SealedSecret {
    pub kind: String,
    #[serde(with = "b64")]
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SealedSecret({}, <{} bytes>)",
            self.kind,
            self.ciphertext.len()
        )
    }
}

mod b64 {
    use super::*;

    pub(super) fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s).map_err(serde::de::Error::custom)
    }
}

/// The server's data-encryption key. Debug never prints it.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBox(<redacted>)")
    }
}

impl SecretBox {
    pub fn new(key: [u8; 32]) -> Self {
        SecretBox {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    /// Parses a key given as 64 hex digits or base64 of 32 bytes.
    pub fn from_encoded(encoded: &str) -> Result<Self> {
        let encoded = encoded.trim();
        let bytes = hex::decode(encoded)
            .ok()
            .or_else(|| STANDARD.decode(encoded).ok())
            .ok_or_else(|| Error::invalid("the encryption key must be 64 hex digits or base64"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::invalid("the encryption key must be exactly 32 bytes"))?;
        Ok(SecretBox::new(key))
    }

    /// A fresh random key, hex-encoded (for first-start key generation).
    pub fn generate_encoded() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        hex::encode(key)
    }

    pub fn seal(&self, kind: &str, owner: &[u8], plaintext: &[u8]) -> Result<SealedSecret> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: owner,
                },
            )
            .map_err(|_| Error::internal("encryption failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(SealedSecret {
            kind: kind.to_owned(),
            ciphertext: out,
        })
    }

    pub fn open(&self, owner: &[u8], sealed: &SealedSecret) -> Result<Vec<u8>> {
        let data = &sealed.ciphertext;
        if data.len() < 1 + NONCE_LEN || data[0] != VERSION {
            return Err(Error::internal("sealed secret has an unknown format"));
        }
        let (nonce, ct) = data[1..].split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: owner,
                },
            )
            .map_err(|_| {
                Error::internal(
                    "a stored secret cannot be decrypted: wrong encryption key or tampered data",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_bound_to_owner() {
        let bx = SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap();
        let sealed = bx.seal("s3-access-key", b"owner-1", b"hunter2").unwrap();
        assert!(!sealed.ciphertext.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(bx.open(b"owner-1", &sealed).unwrap(), b"hunter2");
        assert!(
            bx.open(b"owner-2", &sealed).is_err(),
            "ciphertext moved to another owner"
        );
        let other = SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap();
        assert!(other.open(b"owner-1", &sealed).is_err(), "wrong key");
        assert!(!format!("{sealed:?}").contains("hunter2"));
    }

    #[test]
    fn keys_must_be_32_bytes() {
        assert!(SecretBox::from_encoded("abcd").is_err());
        assert!(SecretBox::from_encoded("zz").is_err());
        assert!(SecretBox::from_encoded(&STANDARD.encode([7u8; 32])).is_ok());
    }
}
