//! The server's own tokens: Ed25519-signed JWTs (`alg: EdDSA`).
//!
//! One signing key is active at a time ([`TokenSigner`]); every unexpired key verifies
//! ([`TokenVerifier`]), so keys rotate without logging anyone out, and [`jwks`] publishes the
//! public halves. The audience says what a token is for ([`Purpose`]): an access token, a login
//! `state` and a one-time exchange code are never accepted in each other's place.
//!
//! Revocation is the caller's: after [`TokenVerifier::verify`] it looks the `jti` up among the
//! revoked tokens.

mod claims;
mod keys;
mod signer;
mod verifier;

#[cfg(test)]
mod tests;

pub use claims::{Claims, Purpose, SubjectKind};
pub use keys::{ALGORITHM, generate_signing_key, jwks};
pub use signer::TokenSigner;
pub use verifier::{LEEWAY_SECS, TokenVerifier};

/// The `iss` of a token, read without verifying anything: lets the caller route a bearer token
/// to the verifier that can judge it (ours, or an external OIDC issuer's). `None` for anything
/// that is not a JWT with a string `iss`.
pub fn peek_issuer(token: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Iss {
        iss: String,
    }
    crate::compact::payload::<Iss>(token).ok().map(|p| p.iss)
}
