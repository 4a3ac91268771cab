use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pangolin_core::model::{SigningKey, Tier, User, Username};
use pangolin_core::secret::SecretBox;
use pangolin_core::{Error, TenantId, Timestamp};
use serde_json::json;

use super::*;

const ISS: &str = "https://pangolin.example";
const HOUR: Duration = Duration::from_secs(3600);

fn secrets() -> SecretBox {
    SecretBox::new([7u8; 32])
}

fn user() -> User {
    User::new(
        Some(TenantId::generate()),
        Username::new("alice").unwrap(),
        Tier::TenantUser,
    )
}

fn claims(purpose: Purpose, now: Timestamp) -> Claims {
    Claims::for_user(ISS, purpose, &user(), now, HOUR)
}

struct Fixture {
    key: SigningKey,
    signer: TokenSigner,
    verifier: TokenVerifier,
    now: Timestamp,
}

fn fixture() -> Fixture {
    let bx = secrets();
    let key = generate_signing_key(&bx).unwrap();
    let now = pangolin_core::now();
    Fixture {
        signer: TokenSigner::new(&key, &bx).unwrap(),
        verifier: TokenVerifier::new(ISS, std::slice::from_ref(&key), now),
        key,
        now,
    }
}

fn refusal(result: pangolin_core::Result<Claims>) -> String {
    match result {
        Err(Error::Unauthenticated(msg)) => msg,
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
}

#[test]
fn round_trip() {
    let f = fixture();
    let mut c = claims(Purpose::Access, f.now);
    c.groups = vec!["analysts".into()];
    let token = f.signer.issue(&c).unwrap();
    assert_eq!(
        f.verifier.verify(&token, Purpose::Access, f.now).unwrap(),
        c
    );

    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), Some(f.key.kid.as_str()));
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(peek_issuer(&token).as_deref(), Some(ISS));
}

#[test]
fn claims_use_short_names_and_skip_empty_fields() {
    let now = pangolin_core::now();
    let root = User::new(None, Username::new("root").unwrap(), Tier::Root);
    let c = Claims::for_user(ISS, Purpose::Exchange, &root, now, HOUR);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["aud"], "pangolin-exchange");
    assert_eq!(v["tier"], "root");
    assert_eq!(v["kind"], "user");
    assert_eq!(
        v["exp"].as_i64().unwrap() - v["iat"].as_i64().unwrap(),
        3600
    );
    for absent in ["tid", "groups", "imp"] {
        assert!(v.get(absent).is_none(), "{absent} should be skipped: {v}");
    }
    assert_ne!(c.jti, claims(Purpose::Exchange, now).jti);
    assert_eq!(c.expires_at().unwrap().timestamp(), c.exp);
}

#[test]
fn tampered_payload_is_refused() {
    let f = fixture();
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["tier"] = json!("tenant-admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    assert!(refusal(f.verifier.verify(&forged, Purpose::Access, f.now)).contains("signature"));
}

#[test]
fn tampered_signature_is_refused() {
    let f = fixture();
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    let (message, sig) = token.rsplit_once('.').unwrap();
    let mut sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    sig[10] ^= 0x01;
    let forged = format!("{message}.{}", URL_SAFE_NO_PAD.encode(sig));
    assert!(refusal(f.verifier.verify(&forged, Purpose::Access, f.now)).contains("signature"));
}

#[test]
fn another_key_under_the_same_kid_is_refused() {
    let f = fixture();
    let mut impostor = generate_signing_key(&secrets()).unwrap();
    impostor.kid = f.key.kid.clone();
    let verifier = TokenVerifier::new(ISS, &[impostor], f.now);
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    assert!(refusal(verifier.verify(&token, Purpose::Access, f.now)).contains("signature"));
}

#[test]
fn unknown_kid_is_refused() {
    let f = fixture();
    let other = generate_signing_key(&secrets()).unwrap();
    let verifier = TokenVerifier::new(ISS, &[other], f.now);
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    assert!(refusal(verifier.verify(&token, Purpose::Access, f.now)).contains("unknown key"));
}

#[test]
fn expiry_honours_a_small_leeway() {
    let f = fixture();
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    let at = |secs: i64| f.now + TimeDelta::seconds(secs);
    assert!(f.verifier.verify(&token, Purpose::Access, at(3600)).is_ok());
    assert!(
        f.verifier
            .verify(&token, Purpose::Access, at(3600 + LEEWAY_SECS - 1))
            .is_ok()
    );
    let msg = refusal(
        f.verifier
            .verify(&token, Purpose::Access, at(3600 + LEEWAY_SECS)),
    );
    assert!(msg.contains("expired"), "{msg}");
}

#[test]
fn wrong_issuer_is_refused() {
    let f = fixture();
    let verifier = TokenVerifier::new(
        "https://elsewhere.example",
        std::slice::from_ref(&f.key),
        f.now,
    );
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    assert!(refusal(verifier.verify(&token, Purpose::Access, f.now)).contains("issuer"));
}

#[test]
fn purposes_are_never_interchangeable() {
    let f = fixture();
    for minted in Purpose::ALL {
        let token = f.signer.issue(&claims(minted, f.now)).unwrap();
        for wanted in Purpose::ALL {
            let result = f.verifier.verify(&token, wanted, f.now);
            if minted == wanted {
                assert!(result.is_ok());
            } else {
                assert!(refusal(result).contains("audience"), "{minted} as {wanted}");
            }
        }
    }
}

#[test]
fn missing_claims_are_refused() {
    let f = fixture();
    let exp = f.now.timestamp() + 60;
    for (payload, missing) in [
        (json!({"iss": ISS, "aud": "pangolin"}), "exp"),
        (json!({"aud": "pangolin", "exp": exp}), "iss"),
        (json!({"iss": ISS, "exp": exp}), "aud"),
    ] {
        let token = f.signer.sign(&payload).unwrap();
        let msg = refusal(f.verifier.verify(&token, Purpose::Access, f.now));
        assert!(msg.contains(missing), "{msg}");
    }
    // Well-formed envelope, but not Claims.
    let token = f
        .signer
        .sign(&json!({"iss": ISS, "aud": "pangolin", "exp": exp}))
        .unwrap();
    assert!(refusal(f.verifier.verify(&token, Purpose::Access, f.now)).contains("malformed"));
}

#[test]
fn custom_payloads_round_trip_with_the_same_checks() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct State {
        iss: String,
        aud: Purpose,
        exp: i64,
        provider: String,
    }
    let f = fixture();
    let state = State {
        iss: ISS.into(),
        aud: Purpose::LoginState,
        exp: f.now.timestamp() + 300,
        provider: "google".into(),
    };
    let token = f.signer.sign(&state).unwrap();
    let back: State = f
        .verifier
        .verify_as(&token, Purpose::LoginState, f.now)
        .unwrap();
    assert_eq!(back, state);
    assert!(
        f.verifier
            .verify_as::<State>(&token, Purpose::Access, f.now)
            .is_err()
    );
}

fn forge(header: serde_json::Value, payload: &Claims, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(serde_json::to_string(payload).unwrap()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

#[test]
fn alg_none_and_other_algorithms_are_refused() {
    let f = fixture();
    let c = claims(Purpose::Access, f.now);
    for alg in ["none", "None", "HS256", "RS256", "ES256", "PS256", ""] {
        let token = forge(json!({"alg": alg, "kid": f.key.kid, "typ": "JWT"}), &c, b"");
        let msg = refusal(f.verifier.verify(&token, Purpose::Access, f.now));
        assert!(msg.contains("not accepted"), "{alg}: {msg}");
    }
}

#[test]
fn hs256_forged_with_the_public_key_as_secret_is_refused() {
    let f = fixture();
    let c = claims(Purpose::Access, f.now);
    // The classic key-confusion attack: the public key is known, so an HMAC "signed" with it
    // verifies under a verifier that lets the token pick the algorithm.
    let x = URL_SAFE_NO_PAD.encode(&f.key.public_key);
    for secret in [f.key.public_key.clone(), x.into_bytes()] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(f.key.kid.clone());
        let token =
            jsonwebtoken::encode(&header, &c, &EncodingKey::from_secret(&secret).unwrap()).unwrap();
        let msg = refusal(f.verifier.verify(&token, Purpose::Access, f.now));
        assert!(msg.contains("not accepted"), "{msg}");
        // Same HMAC, but the header lies about the algorithm.
        let (_, rest) = token.split_once('.').unwrap();
        let lying = format!(
            "{}.{rest}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA", "kid": f.key.kid}).to_string())
        );
        assert!(f.verifier.verify(&lying, Purpose::Access, f.now).is_err());
    }
}

#[test]
fn garbage_never_panics() {
    use rand::{Rng, RngCore};
    let f = fixture();
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    let mut inputs: Vec<String> = [
        "",
        ".",
        "..",
        "...",
        "a.b.c",
        "Bearer x",
        "eyJhbGciOiJFZERTQSJ9..",
        "eyJhbGciOiJFZERTQSJ9.e30.",
        "eyJhbGciOiJFZERTQSIsImtpZCI6W119.e30.AA",
    ]
    .map(String::from)
    .to_vec();
    inputs.push(token.replace('.', ""));
    inputs.push(format!("{token}."));
    inputs.push(token[..token.len() / 2].to_owned());
    let mut rng = rand::rng();
    for _ in 0..200 {
        // Random edits of a valid token, and random strings made of JWT characters.
        let mut bytes = token.clone().into_bytes();
        let i = rng.random_range(0..bytes.len());
        bytes[i] = b"AZaz09-_."[rng.random_range(0..9)];
        inputs.push(String::from_utf8(bytes).unwrap());
        let mut raw = vec![0u8; rng.random_range(0..64)];
        rng.fill_bytes(&mut raw);
        inputs.push(String::from_utf8_lossy(&raw).into_owned());
    }
    for input in &inputs {
        match f.verifier.verify(input, Purpose::Access, f.now) {
            Ok(c) => assert_eq!(input, &token, "only the real token verifies: {c:?}"),
            Err(Error::Unauthenticated(_)) => {}
            Err(other) => panic!("{input:?}: {other:?}"),
        }
        let _ = peek_issuer(input);
    }
}

#[test]
fn rotation_keeps_old_tokens_until_their_key_expires() {
    let bx = secrets();
    let now = pangolin_core::now();
    let mut old = generate_signing_key(&bx).unwrap();
    let new = generate_signing_key(&bx).unwrap();
    old.retired_at = Some(now);
    old.expires_at = Some(now + TimeDelta::hours(2));
    let old_token = TokenSigner::new(&old, &bx)
        .unwrap()
        .issue(&claims(Purpose::Access, now))
        .unwrap();
    let new_token = TokenSigner::new(&new, &bx)
        .unwrap()
        .issue(&claims(Purpose::Access, now))
        .unwrap();
    let keys = [old.clone(), new.clone()];

    let verifier = TokenVerifier::new(ISS, &keys, now);
    assert!(verifier.verify(&old_token, Purpose::Access, now).is_ok());
    assert!(verifier.verify(&new_token, Purpose::Access, now).is_ok());
    assert_eq!(jwks(&keys, now)["keys"].as_array().unwrap().len(), 2);

    // The old key expires (while its token would still be valid): it stops verifying at once,
    // even in a verifier built before, and leaves the JWKS.
    let later = now + TimeDelta::minutes(150);
    let long_lived = Claims::for_user(ISS, Purpose::Access, &user(), now, 4 * HOUR);
    let old_long = TokenSigner::new(&old, &bx)
        .unwrap()
        .issue(&long_lived)
        .unwrap();
    let msg = refusal(verifier.verify(&old_long, Purpose::Access, later));
    assert!(msg.contains("expired"), "{msg}");
    let rebuilt = TokenVerifier::new(ISS, &keys, later);
    assert!(refusal(rebuilt.verify(&old_long, Purpose::Access, later)).contains("unknown key"));
    let published = jwks(&keys, later);
    let published = published["keys"].as_array().unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["kid"], new.kid);
}

#[test]
fn jwks_publishes_okp_public_keys() {
    let f = fixture();
    let set = jwks(std::slice::from_ref(&f.key), f.now);
    let jwk = &set["keys"][0];
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(jwk["alg"], "EdDSA");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["kid"], f.key.kid.as_str());
    let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
    assert_eq!(x, f.key.public_key);
    // What we publish is what an external verifier (jsonwebtoken's JWK path) accepts.
    let parsed: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&parsed).unwrap();
    let token = f.signer.issue(&claims(Purpose::Access, f.now)).unwrap();
    let mut v = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    v.set_audience(&["pangolin"]);
    assert!(jsonwebtoken::decode::<Claims>(&token, &key, &v).is_ok());
}

#[test]
fn generated_keys_are_sealed_to_their_kid() {
    let bx = secrets();
    let key = generate_signing_key(&bx).unwrap();
    assert_eq!(key.kid.len(), 16);
    assert!(key.kid.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(key.public_key.len(), 32);
    assert_eq!(key.algorithm, ALGORITHM);
    assert_ne!(generate_signing_key(&bx).unwrap().kid, key.kid);
    // The sealed PKCS#8 opens only for its own kid and only with the right box.
    assert!(bx.open(key.kid.as_bytes(), &key.private_key).is_ok());
    let mut moved = key.clone();
    moved.kid = "0000000000000000".into();
    assert!(TokenSigner::new(&moved, &bx).is_err());
    assert!(TokenSigner::new(&key, &SecretBox::new([8u8; 32])).is_err());
    // A row whose public key is not the private key's is refused, not silently used.
    let mut mixed = key.clone();
    mixed.public_key = generate_signing_key(&bx).unwrap().public_key;
    assert!(matches!(
        TokenSigner::new(&mixed, &bx),
        Err(Error::Internal { .. })
    ));
    let signer = TokenSigner::new(&key, &bx).unwrap();
    assert_eq!(signer.kid(), key.kid);
    assert!(!format!("{signer:?}").contains("key:"));
}

#[test]
fn peek_issuer_is_none_for_non_jwts() {
    assert_eq!(peek_issuer("pgl_0123456789abcdef_00"), None);
    assert_eq!(peek_issuer(""), None);
    let no_iss = format!(
        "{}.{}.x",
        URL_SAFE_NO_PAD.encode("{}"),
        URL_SAFE_NO_PAD.encode(r#"{"iss": 5}"#)
    );
    assert_eq!(peek_issuer(&no_iss), None);
}
