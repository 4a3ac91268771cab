//! The checks every verified token passes, ours and external ones alike: signature (via
//! `jsonwebtoken`), issuer, audience, then time against the caller's clock. Each failure has its
//! own `Unauthenticated` message, so logs say *why* a token was refused.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use pangolin_core::{Error, Result, Timestamp};
use serde_json::{Map, Value};

use crate::compact::malformed;

/// What the caller expects of a token.
pub(crate) struct Expect<'a> {
    pub(crate) alg: Algorithm,
    pub(crate) issuer: &'a str,
    /// The token's `aud` must contain one of these.
    pub(crate) audiences: &'a [&'a str],
    pub(crate) now: Timestamp,
    /// Tolerated clock skew for `exp` and `nbf`, in seconds.
    pub(crate) leeway_secs: i64,
}

/// Verifies `token` with `key` and returns its payload.
pub(crate) fn decode(
    token: &str,
    key: &DecodingKey,
    expect: &Expect<'_>,
) -> Result<Map<String, Value>> {
    let mut v = Validation::new(expect.alg);
    // Time is checked below against the caller's `now`, not the library's system clock.
    v.validate_exp = false;
    v.validate_nbf = false;
    v.leeway = 0;
    v.set_required_spec_claims(&["exp", "iss", "aud"]);
    v.set_issuer(&[expect.issuer]);
    v.set_audience(expect.audiences);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &v).map_err(map_error)?;
    check_times(&data.claims, expect)?;
    Ok(data.claims)
}

fn check_times(claims: &Map<String, Value>, expect: &Expect<'_>) -> Result<()> {
    let now = expect.now.timestamp();
    let exp =
        numeric(claims, "exp")?.ok_or_else(|| unauthenticated("token lacks the exp claim"))?;
    if exp.saturating_add(expect.leeway_secs) <= now {
        return Err(unauthenticated("token expired"));
    }
    if let Some(nbf) = numeric(claims, "nbf")?
        && nbf > now.saturating_add(expect.leeway_secs)
    {
        return Err(unauthenticated("token is not valid yet (nbf)"));
    }
    Ok(())
}

/// A NumericDate claim; fractions are allowed by RFC 7519 and truncated.
fn numeric(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| unauthenticated(format!("token claim {name} is malformed"))),
        Some(_) => Err(unauthenticated(format!("token claim {name} is malformed"))),
    }
}

fn unauthenticated(message: impl Into<String>) -> Error {
    Error::Unauthenticated(message.into())
}

fn map_error(e: jsonwebtoken::errors::Error) -> Error {
    match e.kind() {
        ErrorKind::InvalidSignature => unauthenticated("invalid token signature"),
        ErrorKind::InvalidIssuer => unauthenticated("token issuer is not accepted"),
        ErrorKind::InvalidAudience => {
            unauthenticated("token audience is not accepted here (wrong purpose or client)")
        }
        ErrorKind::MissingRequiredClaim(c) => unauthenticated(format!("token lacks the {c} claim")),
        ErrorKind::InvalidClaimFormat(c) => {
            unauthenticated(format!("token claim {c} is malformed"))
        }
        ErrorKind::InvalidAlgorithm => unauthenticated("token algorithm does not match its key"),
        ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidEddsaKey
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidKeyFormat => unauthenticated("the token's key cannot verify it"),
        _ => malformed(),
    }
}
