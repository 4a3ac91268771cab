//! Passwords of human accounts: argon2id into a PHC string.
//!
//! Hashing and verifying deliberately cost ~19 MiB and tens of milliseconds of one core each.
//! Callers on an async runtime run [`hash_password`], [`verify_password`] and
//! [`dummy_verify`] inside `tokio::task::spawn_blocking`, or they stall the executor thread.

use std::sync::LazyLock;

use argon2::password_hash::phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pangolin_core::model::PasswordHash;
use pangolin_core::{Error, Result};
use rand::RngCore;

use crate::Secret;

/// Shortest accepted password, in characters (NIST SP 800-63B's minimum).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password, in bytes; bounds the work an attacker can ask for.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1. Spelled out rather than taken
/// from the library's defaults so that an upgrade cannot silently weaken new hashes; existing
/// hashes keep verifying because the PHC string records its own parameters.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
        .map_err(|e| Error::internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Refuses passwords that are too short or too long, with a message the user can act on.
pub fn check_password_policy(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid(format!(
            "the password must have at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Checks the policy, then hashes with a fresh random salt. Blocking: see the module docs.
pub fn hash_password(password: &str) -> Result<PasswordHash> {
    check_password_policy(password)?;
    let hash = hasher()?
        .hash_password(password.as_bytes())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))?;
    Ok(PasswordHash(hash.to_string()))
}

/// Whether `password` matches `stored`. A stored hash that does not parse is an internal error
/// (corrupt data), never a silent "no". Blocking: see the module docs.
pub fn verify_password(password: &str, stored: &PasswordHash) -> Result<bool> {
    let parsed = phc::PasswordHash::new(&stored.0)
        .map_err(|e| Error::internal(format!("a stored password hash does not parse: {e}")))?;
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    // The parameters come from the stored hash, so older hashes keep verifying.
    Ok(hasher()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// Spends the time of one verification against a fixed hash. Login calls it when the account
/// does not exist (or has no password), so response times do not reveal which names exist.
pub fn dummy_verify(password: &str) {
    static DUMMY: LazyLock<Option<PasswordHash>> =
        LazyLock::new(|| hash_password("pangolin-dummy-password").ok());
    if let Some(hash) = DUMMY.as_ref() {
        // The answer is irrelevant; only the time spent matters.
        let _ = verify_password(password, hash);
    }
}

/// A random password for first-start root bootstrap: 24 URL-safe characters (144 bits).
pub fn generate_password() -> Secret {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    Secret::new(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(
            hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.0
        );
        assert!(verify_password("correct horse", &hash).unwrap());
        assert!(!verify_password("correct horsE", &hash).unwrap());
        assert!(!verify_password("", &hash).unwrap());
    }

    #[test]
    fn salts_differ() {
        let a = hash_password("same password").unwrap();
        let b = hash_password("same password").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn policy_bounds_length() {
        for bad in ["", "1234567", "äöüäöüä"] {
            assert!(
                matches!(hash_password(bad), Err(Error::InvalidInput(_))),
                "{bad:?}"
            );
        }
        // Characters, not bytes: eight umlauts are a valid password.
        assert!(check_password_policy("äöüäöüäö").is_ok());
        assert!(check_password_policy(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        assert!(matches!(
            check_password_policy(&"x".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(Error::InvalidInput(_))
        ));
    }

    #[test]
    fn corrupt_hashes_are_errors_not_mismatches() {
        let corrupt = PasswordHash("not a phc string".into());
        assert!(matches!(
            verify_password("whatever1", &corrupt),
            Err(Error::Internal { .. })
        ));
    }

    #[test]
    fn older_parameters_still_verify() {
        // A hash made with other (cheaper) parameters is verified with its own parameters.
        let params = Params::new(8 * 1024, 1, 1, None).unwrap();
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"legacy password")
            .unwrap()
            .to_string();
        assert!(verify_password("legacy password", &PasswordHash(old)).unwrap());
    }

    #[test]
    fn generated_passwords_are_long_url_safe_and_fresh() {
        let a = generate_password();
        let b = generate_password();
        assert_ne!(a, b);
        assert!(a.expose().len() >= 20);
        assert!(
            a.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert!(check_password_policy(a.expose()).is_ok());
    }

    #[test]
    fn dummy_verify_takes_time_without_panicking() {
        let start = std::time::Instant::now();
        dummy_verify("anything");
        dummy_verify("anything");
        // The second call cannot be free: it runs a full argon2id verification.
        assert!(start.elapsed() > std::time::Duration::from_millis(1));
    }
}
