//! The `state` of a browser login: a token of this server ([`Purpose::LoginState`]) that
//! travels to the provider and back through the browser. It names the provider, where the
//! browser returns to, the OIDC nonce, and the PKCE verifier — sealed, because the whole
//! point of PKCE is that the verifier never passes through the browser in clear.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pangolin_auth::jwt::Purpose;
use pangolin_auth::oidc::pkce;
use pangolin_core::secret::{SealedSecret, SecretBox};
use pangolin_core::{Error, Result, Timestamp};
use serde::{Deserialize, Serialize};

const SEALED_KIND: &str = "pkce-verifier";

#[derive(Serialize, Deserialize)]
pub(super) struct LoginState {
    iss: String,
    aud: Purpose,
    iat: i64,
    exp: i64,
    /// The provider the login started with: a state is good only at that provider's callback.
    pub(super) prv: String,
    /// Where the browser goes back to (one of the allowed redirect URIs).
    pub(super) ruri: String,
    /// 256 random bits: the OIDC nonce, and the key of the state's used-once marker.
    pub(super) nonce: String,
    /// The PKCE verifier, sealed with the server key (bound to the nonce), base64url.
    pkce: String,
}

impl LoginState {
    /// A fresh state for a login through `provider`, with its PKCE verifier (returned in
    /// clear for the challenge).
    pub(super) fn new(
        issuer: &str,
        provider: &str,
        redirect_uri: &str,
        ttl: Duration,
        secrets: &SecretBox,
    ) -> Result<(LoginState, String)> {
        let verifier = pkce::verifier();
        let nonce = pkce::random_token();
        let sealed = secrets.seal(SEALED_KIND, nonce.as_bytes(), verifier.as_bytes())?;
        let iat = pangolin_core::now().timestamp();
        let state = LoginState {
            iss: issuer.to_owned(),
            aud: Purpose::LoginState,
            iat,
            exp: iat.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)),
            prv: provider.to_owned(),
            ruri: redirect_uri.to_owned(),
            nonce,
            pkce: URL_SAFE_NO_PAD.encode(&sealed.ciphertext),
        };
        Ok((state, verifier))
    }

    /// The PKCE verifier, opened with the server key.
    pub(super) fn verifier(&self, secrets: &SecretBox) -> Result<String> {
        let ciphertext = URL_SAFE_NO_PAD
            .decode(&self.pkce)
            .map_err(|_| Error::invalid("the login state's verifier is malformed"))?;
        let sealed = SealedSecret {
            kind: SEALED_KIND.into(),
            ciphertext,
        };
        let clear = secrets.open(self.nonce.as_bytes(), &sealed)?;
        String::from_utf8(clear)
            .ok()
            .filter(|v| pkce::is_valid_verifier(v))
            .ok_or_else(|| Error::invalid("the login state's verifier is malformed"))
    }

    /// Until when the state's used-once marker must be kept: past its expiry and the
    /// verifier's clock leeway, when the state itself is refused anyway.
    pub(super) fn marker_expiry(&self) -> Timestamp {
        marker_expiry(self.exp)
    }
}

/// A minute beyond `exp`, which is more than the verifier's leeway
/// ([`pangolin_auth::jwt::LEEWAY_SECS`]).
pub(super) fn marker_expiry(exp: i64) -> Timestamp {
    Timestamp::from_timestamp(exp.saturating_add(60), 0).unwrap_or(Timestamp::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_is_sealed_and_bound_to_the_nonce() {
        let secrets = SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap();
        let (state, verifier) = LoginState::new(
            "pangolin",
            "corp",
            "https://ui/cb",
            Duration::from_secs(600),
            &secrets,
        )
        .unwrap();
        let json = serde_json::to_string(&state).unwrap();
        assert!(
            !json.contains(&verifier),
            "the verifier travels sealed: {json}"
        );
        assert_eq!(state.verifier(&secrets).unwrap(), verifier);
        assert_eq!(state.exp - state.iat, 600);

        // Moved onto another state (another nonce), it does not open.
        let (mut other, _) = LoginState::new(
            "pangolin",
            "corp",
            "https://ui/cb",
            Duration::from_secs(600),
            &secrets,
        )
        .unwrap();
        other.pkce = state.pkce.clone();
        assert!(other.verifier(&secrets).is_err());
        // Nor with another server's key.
        let foreign = SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap();
        assert!(state.verifier(&foreign).is_err());
    }

    #[test]
    fn markers_outlive_the_state() {
        let exp = pangolin_core::now().timestamp();
        assert!(marker_expiry(exp).timestamp() > exp + pangolin_auth::jwt::LEEWAY_SECS);
    }
}
