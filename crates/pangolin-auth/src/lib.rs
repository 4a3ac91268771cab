//! Authentication primitives and the authorization engine.
//!
//! - [`password`]: argon2id hashing for human accounts.
//! - [`api_key`]: `pgl_<key id>_<secret>` keys for service users (and the OAuth2
//!   client-credentials split of them).
//! - [`jwt`]: the server's own Ed25519-signed tokens (access tokens, login state, exchange codes),
//!   key generation and the JWK Set.
//! - [`authz`]: the pure decision over a principal's grants and a resource.
//! - [`rate_limit`]: a bounded in-memory limiter of failed logins.
//!
//! The crate depends on `pangolin-core` only: it never touches the store, the catalog or axum.
//! Callers load what a decision needs (users, keys, grants) and hand it in.

pub mod api_key;
pub mod authz;
mod compact;
pub mod jwt;
pub mod oidc;
pub mod password;
pub mod rate_limit;
mod secret;
mod validate;

pub use secret::Secret;
