//! A provider's published keys (its JWK Set), parsed once per fetch.

use std::collections::HashMap;
use std::str::FromStr;

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use pangolin_core::Timestamp;
use serde_json::Value;

/// The signature algorithms accepted from external providers: asymmetric only. `none` and the
/// HMAC family are never accepted (a provider's "key" for those would be a shared secret).
pub(super) const ACCEPTED: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Parses a token header's `alg` if it is one of [`ACCEPTED`].
pub(super) fn accepted(alg: &str) -> Option<Algorithm> {
    Algorithm::from_str(alg)
        .ok()
        .filter(|a| ACCEPTED.contains(a))
}

pub(super) struct ProviderKey {
    pub(super) key: DecodingKey,
    /// The key's own `alg`, when the provider states it; a token must then use exactly it.
    pub(super) alg: Option<Algorithm>,
}

impl ProviderKey {
    fn fits(&self, alg: Algorithm) -> bool {
        self.key.family() == alg.family() && self.alg.is_none_or(|a| a == alg)
    }
}

pub(super) struct KeySet {
    by_kid: HashMap<String, ProviderKey>,
    unnamed: Vec<ProviderKey>,
    pub(super) fetched_at: Timestamp,
}

impl KeySet {
    /// Keeps the usable signature keys of a JWK Set and skips the rest (encryption keys,
    /// symmetric keys, kinds this crate does not know), so one odd key does not break login.
    pub(super) fn parse(jwks: &Value, fetched_at: Timestamp) -> KeySet {
        let mut set = KeySet {
            by_kid: HashMap::new(),
            unnamed: Vec::new(),
            fetched_at,
        };
        let keys = jwks.get("keys").and_then(Value::as_array);
        for raw in keys.into_iter().flatten() {
            let Some((kid, key)) = parse_key(raw) else {
                continue;
            };
            match kid {
                Some(kid) => {
                    set.by_kid.insert(kid, key);
                }
                None => set.unnamed.push(key),
            }
        }
        set
    }

    /// The key for a token with `kid` and `alg`. Without a `kid`, the only key fitting `alg`.
    pub(super) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&ProviderKey> {
        match kid {
            Some(kid) => self.by_kid.get(kid),
            None => {
                let mut fitting = self
                    .by_kid
                    .values()
                    .chain(&self.unnamed)
                    .filter(|k| k.fits(alg));
                match (fitting.next(), fitting.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.by_kid.is_empty() && self.unnamed.is_empty()
    }
}

fn parse_key(raw: &Value) -> Option<(Option<String>, ProviderKey)> {
    let jwk: Jwk = serde_json::from_value(raw.clone()).ok()?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption))
        || matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_))
    {
        return None;
    }
    let alg = match jwk.common.key_algorithm {
        None => None,
        // A key for an algorithm we do not accept (or cannot name) is of no use.
        Some(a) => Some(
            Algorithm::try_from(a)
                .ok()
                .filter(|a| ACCEPTED.contains(a))?,
        ),
    };
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    if key.family() == AlgorithmFamily::Hmac {
        return None;
    }
    Some((jwk.common.key_id.clone(), ProviderKey { key, alg }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ed(kid: Option<&str>) -> Value {
        let mut k = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        if let Some(kid) = kid {
            k["kid"] = json!(kid);
        }
        k
    }

    #[test]
    fn keeps_signature_keys_and_skips_the_rest() {
        let mut enc = ed(Some("enc"));
        enc["use"] = json!("enc");
        let mut hs = ed(Some("wrong-alg"));
        hs["alg"] = json!("HS256");
        let set = KeySet::parse(
            &json!({"keys": [
                ed(Some("a")),
                enc,
                hs,
                {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
                {"kty": "weird", "kid": "w"},
                "not an object",
            ]}),
            pangolin_core::now(),
        );
        assert!(set.find(Some("a"), Algorithm::EdDSA).is_some());
        for skipped in ["enc", "wrong-alg", "hmac", "w", "missing"] {
            assert!(
                set.find(Some(skipped), Algorithm::EdDSA).is_none(),
                "{skipped}"
            );
        }
        assert!(KeySet::parse(&json!({"nokeys": 1}), pangolin_core::now()).is_empty());
    }

    #[test]
    fn without_kid_only_an_unambiguous_key_is_used() {
        let one = KeySet::parse(&json!({"keys": [ed(None)]}), pangolin_core::now());
        assert!(one.find(None, Algorithm::EdDSA).is_some());
        assert!(
            one.find(None, Algorithm::RS256).is_none(),
            "family must fit"
        );
        let two = KeySet::parse(
            &json!({"keys": [ed(None), ed(Some("b"))]}),
            pangolin_core::now(),
        );
        assert!(two.find(None, Algorithm::EdDSA).is_none());
    }

    #[test]
    fn only_asymmetric_algorithms_are_accepted() {
        for ok in ["RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"] {
            assert!(accepted(ok).is_some(), "{ok}");
        }
        for bad in ["none", "HS256", "HS384", "HS512", "", "PS999"] {
            assert!(accepted(bad).is_none(), "{bad}");
        }
    }
}
