//! Reading a compact JWS (`header.payload.signature`) before any verification: enough to pick
//! the key and refuse unacceptable algorithms with a clear message. Nothing read here is
//! trusted; it only routes the token to the check that decides.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pangolin_core::{Error, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Tokens longer than this are refused unread. Ours are a few hundred bytes; providers that put
/// many groups into a token reach tens of KiB.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The protected header fields that routing needs.
#[derive(Debug, Deserialize)]
pub(crate) struct RawHeader {
    pub(crate) alg: String,
    #[serde(default)]
    pub(crate) kid: Option<String>,
}

pub(crate) fn malformed() -> Error {
    Error::Unauthenticated("malformed token".into())
}

/// The three parts of a compact JWS, or `Unauthenticated("malformed token")`.
fn parts(token: &str) -> Result<[&str; 3]> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(malformed());
    }
    let mut it = token.split('.');
    match (it.next(), it.next(), it.next(), it.next()) {
        (Some(h), Some(p), Some(s), None) if !h.is_empty() && !p.is_empty() => Ok([h, p, s]),
        _ => Err(malformed()),
    }
}

fn decode_json<T: DeserializeOwned>(part: &str) -> Result<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| malformed())?;
    serde_json::from_slice(&bytes).map_err(|_| malformed())
}

/// The unverified header.
pub(crate) fn header(token: &str) -> Result<RawHeader> {
    decode_json(parts(token)?[0])
}

/// The unverified payload.
pub(crate) fn payload<T: DeserializeOwned>(token: &str) -> Result<T> {
    decode_json(parts(token)?[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn reads_header_and_payload() {
        let token = format!(
            "{}.{}.sig",
            b64(r#"{"alg":"EdDSA","kid":"k1"}"#),
            b64(r#"{"iss":"me"}"#)
        );
        let h = header(&token).unwrap();
        assert_eq!((h.alg.as_str(), h.kid.as_deref()), ("EdDSA", Some("k1")));
        let p: serde_json::Value = payload(&token).unwrap();
        assert_eq!(p["iss"], "me");
    }

    #[test]
    fn garbage_is_malformed_never_a_panic() {
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        for bad in [
            "",
            ".",
            "..",
            "a.b",
            "a.b.c.d",
            "!!!.???.###",
            "eyJ.eyJ.x",
            long.as_str(),
            "\u{0}.\u{0}.\u{0}",
        ] {
            assert!(
                matches!(header(bad), Err(Error::Unauthenticated(_))),
                "{bad:?}"
            );
            assert!(payload::<serde_json::Value>(bad).is_err(), "{bad:?}");
        }
        let no_alg = format!("{}.{}.s", b64(r#"{"kid":"k"}"#), b64("{}"));
        assert!(header(&no_alg).is_err());
    }
}
