//! Verifying a provider's tokens and reading who they name.

use pangolin_core::model::{ExternalIdentity, check_group};
use pangolin_core::{Error, Result, Timestamp};
use serde_json::{Map, Value};

use super::keys::accepted;
use super::{ExternalLogin, OidcVerifier};
use crate::compact;
use crate::validate::{self, Expect};

/// Tolerated clock skew against an external provider's clock.
pub const LEEWAY_SECS: i64 = 60;

impl OidcVerifier {
    /// Verifies a bearer token of this provider: an accepted asymmetric algorithm (RS256/384/512,
    /// ES256/384, EdDSA), a key of the provider (an unknown `kid` refreshes the keys, at most
    /// once per interval), the signature, `iss` equal to the configured issuer, `aud` containing
    /// an accepted audience, `exp` and `nbf` (with [`LEEWAY_SECS`]). Bad tokens are
    /// `Unauthenticated`; an unreachable provider is `Unavailable`.
    pub async fn verify(&self, token: &str, now: Timestamp) -> Result<ExternalLogin> {
        let audiences = self.config.accepted_audiences();
        let claims = self.verified_claims(token, &audiences, now).await?;
        self.login_from(&claims)
    }

    pub(super) async fn verified_claims(
        &self,
        token: &str,
        audiences: &[&str],
        now: Timestamp,
    ) -> Result<Map<String, Value>> {
        let header = compact::header(token)?;
        let alg = accepted(&header.alg).ok_or_else(|| {
            Error::Unauthenticated(format!(
                "token algorithm {:?} is not accepted from identity providers",
                header.alg
            ))
        })?;
        let kid = header.kid.as_deref();
        let keys = self.keys(now, |k| k.find(kid, alg).is_some()).await?;
        let key = keys
            .find(kid, alg)
            .ok_or_else(|| Error::Unauthenticated("token is signed by an unknown key".into()))?;
        if key.alg.is_some_and(|a| a != alg) {
            return Err(Error::Unauthenticated(
                "token algorithm does not match its key".into(),
            ));
        }
        let expect = Expect {
            alg,
            issuer: &self.config.issuer,
            audiences,
            now,
            leeway_secs: LEEWAY_SECS,
        };
        validate::decode(token, &key.key, &expect)
    }

    /// Who the verified `claims` name, read through the configured claim names.
    pub(super) fn login_from(&self, claims: &Map<String, Value>) -> Result<ExternalLogin> {
        let c = &self.config;
        let subject = scalar(claims.get(&c.subject_claim)).ok_or_else(|| {
            Error::Unauthenticated(format!(
                "token lacks the subject claim {:?}",
                c.subject_claim
            ))
        })?;
        let email = scalar(claims.get(&c.email_claim));
        let name = scalar(claims.get(&c.name_claim))
            .or_else(|| email.clone())
            .unwrap_or_else(|| subject.clone());
        Ok(ExternalLogin {
            identity: ExternalIdentity {
                issuer: c.issuer.clone(),
                subject,
            },
            name,
            email,
            groups: groups(claims.get(&c.groups_claim)),
        })
    }
}

/// A claim as a non-empty string; numbers (some providers' numeric ids) become their text.
fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Groups from an array of strings or a single string. Values that cannot be group names (not
/// strings, empty, control characters) are dropped rather than failing the login.
fn groups(value: Option<&Value>) -> Vec<String> {
    let candidates: Vec<&str> = match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = candidates
        .into_iter()
        .filter(|g| check_group(g).is_ok())
        .map(String::from)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_accept_arrays_and_single_strings() {
        assert_eq!(groups(Some(&json!(["b", "a", "b"]))), ["a", "b"]);
        assert_eq!(groups(Some(&json!("admins"))), ["admins"]);
        assert_eq!(groups(Some(&json!(["ok", 5, "", "bad\n", null]))), ["ok"]);
        assert!(groups(Some(&json!(42))).is_empty());
        assert!(groups(None).is_empty());
    }

    #[test]
    fn scalars_take_strings_and_numbers() {
        assert_eq!(scalar(Some(&json!("x"))).as_deref(), Some("x"));
        assert_eq!(scalar(Some(&json!(12345))).as_deref(), Some("12345"));
        assert_eq!(scalar(Some(&json!(""))), None);
        assert_eq!(scalar(Some(&json!(["x"]))), None);
        assert_eq!(scalar(None), None);
    }
}
