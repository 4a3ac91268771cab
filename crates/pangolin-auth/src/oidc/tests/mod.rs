//! Verification against a mock provider: keys, claims, rotation and refresh limits.

mod login;
mod mock;
mod rsa_key;

use std::time::Duration;

use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pangolin_core::{Error, Timestamp};
use serde_json::{Value, json};

use super::*;
use mock::{CLIENT_ID, Mock, TestKey};

const AUDIENCE: &str = "pangolin-api";

fn options() -> OidcOptions {
    OidcOptions {
        http_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        min_refresh_interval: Duration::from_secs(10),
        keys_max_age: Duration::from_secs(3600),
    }
}

fn config(mock: &Mock) -> OidcProviderConfig {
    let mut c = OidcProviderConfig::new("mock", mock.base.clone());
    c.audiences = vec![AUDIENCE.into(), "other-api".into()];
    c
}

fn verifier(mock: &Mock) -> OidcVerifier {
    OidcVerifier::new(config(mock), options()).unwrap()
}

fn claims(mock: &Mock, now: Timestamp) -> Value {
    json!({
        "iss": mock.base,
        "aud": AUDIENCE,
        "sub": "user-123",
        "preferred_username": "alice",
        "email": "alice@example.com",
        "groups": ["analysts", "admins"],
        "iat": now.timestamp(),
        "exp": now.timestamp() + 300,
    })
}

fn with(mut base: Value, patch: Value) -> Value {
    if let Value::Object(p) = patch {
        for (k, v) in p {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(&k);
            } else {
                base[k] = v;
            }
        }
    }
    base
}

fn refusal(result: pangolin_core::Result<ExternalLogin>) -> String {
    match result {
        Err(Error::Unauthenticated(msg)) => msg,
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
}

#[tokio::test]
async fn valid_tokens_of_every_key_type_verify() {
    let mock = Mock::start().await;
    let keys = [
        TestKey::es256("ec-1"),
        TestKey::ed25519("ed-1"),
        TestKey::rs256("rsa-1"),
    ];
    mock.publish(&keys.iter().collect::<Vec<_>>());
    let v = verifier(&mock);
    let now = pangolin_core::now();
    for key in &keys {
        let login = v.verify(&key.sign(&claims(&mock, now)), now).await.unwrap();
        assert_eq!(login.identity.issuer, mock.base);
        assert_eq!(login.identity.subject, "user-123");
        assert_eq!(login.name, "alice");
        assert_eq!(login.email.as_deref(), Some("alice@example.com"));
        assert_eq!(login.groups, ["admins", "analysts"]);
    }
    // One discovery and one key fetch served all of them.
    assert_eq!((mock.discovery_fetches(), mock.jwks_fetches()), (1, 1));
}

#[tokio::test]
async fn claims_map_through_the_configuration() {
    let mock = Mock::start().await;
    let key = TestKey::es256("k");
    mock.publish(&[&key]);
    let v = verifier(&mock);
    let now = pangolin_core::now();
    let base = claims(&mock, now);
    let login = |patch: Value| {
        let token = key.sign(&with(base.clone(), patch));
        let v = &v;
        async move { v.verify(&token, now).await }
    };

    let single = login(json!({"groups": "admins"})).await.unwrap();
    assert_eq!(single.groups, ["admins"]);
    let none = login(json!({"groups": null})).await.unwrap();
    assert!(none.groups.is_empty());
    let by_email = login(json!({"preferred_username": null})).await.unwrap();
    assert_eq!(by_email.name, "alice@example.com");
    let by_sub = login(json!({"preferred_username": null, "email": null}))
        .await
        .unwrap();
    assert_eq!((by_sub.name.as_str(), by_sub.email), ("user-123", None));
    let numeric = login(json!({"sub": 4242})).await.unwrap();
    assert_eq!(numeric.identity.subject, "4242");
    let msg = refusal(login(json!({"sub": null})).await);
    assert!(msg.contains("subject"), "{msg}");

    // Custom claim names.
    let mut c = config(&mock);
    c.subject_claim = "oid".into();
    c.name_claim = "upn".into();
    c.groups_claim = "roles".into();
    let custom = OidcVerifier::new(c, options()).unwrap();
    let token = key.sign(&with(
        base.clone(),
        json!({"oid": "object-1", "upn": "alice@corp", "roles": ["r1"]}),
    ));
    let login = custom.verify(&token, now).await.unwrap();
    assert_eq!(login.identity.subject, "object-1");
    assert_eq!(login.name, "alice@corp");
    assert_eq!(login.groups, ["r1"]);
}

#[tokio::test]
async fn audience_issuer_and_times_are_checked() {
    let mock = Mock::start().await;
    let key = TestKey::es256("k");
    mock.publish(&[&key]);
    let v = verifier(&mock);
    let now = pangolin_core::now();
    let base = claims(&mock, now);
    let sign = |patch: Value| key.sign(&with(base.clone(), patch));

    // Any one configured audience is enough, also inside an array.
    assert!(
        v.verify(&sign(json!({"aud": "other-api"})), now)
            .await
            .is_ok()
    );
    assert!(
        v.verify(&sign(json!({"aud": ["x", AUDIENCE]})), now)
            .await
            .is_ok()
    );
    for (patch, expected) in [
        (json!({"aud": "someone-else"}), "audience"),
        (json!({"aud": ["x", "y"]}), "audience"),
        (json!({"aud": null}), "aud"),
        (json!({"iss": "https://evil.example"}), "issuer"),
        (json!({"iss": format!("{}/", mock.base)}), "issuer"),
        (json!({"iss": null}), "iss"),
        (json!({"exp": null}), "exp"),
        (json!({"exp": "tomorrow"}), "exp"),
    ] {
        let msg = refusal(v.verify(&sign(patch.clone()), now).await);
        assert!(msg.contains(expected), "{patch}: {msg}");
    }

    // exp and nbf with a leeway of LEEWAY_SECS.
    let token = sign(json!({}));
    let after_exp = |s: i64| now + TimeDelta::seconds(300 + s);
    assert!(v.verify(&token, after_exp(LEEWAY_SECS - 1)).await.is_ok());
    let msg = refusal(v.verify(&token, after_exp(LEEWAY_SECS)).await);
    assert!(msg.contains("expired"), "{msg}");
    let early = sign(json!({"nbf": now.timestamp() + 120}));
    let msg = refusal(v.verify(&early, now).await);
    assert!(msg.contains("not valid yet"), "{msg}");
    let skewed = sign(json!({"nbf": now.timestamp() + LEEWAY_SECS}));
    assert!(v.verify(&skewed, now).await.is_ok());
}

#[tokio::test]
async fn symmetric_none_and_mismatched_algorithms_are_refused() {
    let mock = Mock::start().await;
    let key = TestKey::es256("k");
    let rsa = TestKey::rs256("r");
    mock.publish(&[&key, &rsa]);
    let v = verifier(&mock);
    let now = pangolin_core::now();
    let c = claims(&mock, now);

    // HS256 with the public key material as the secret (key confusion).
    for secret in [key.jwk["x"].as_str().unwrap(), rsa_key::N] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k".into());
        let token = jsonwebtoken::encode(
            &header,
            &c,
            &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
        )
        .unwrap();
        assert!(refusal(v.verify(&token, now).await).contains("not accepted"));
    }
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let none = format!("{}.{}.", b64(&json!({"alg": "none", "kid": "k"})), b64(&c));
    assert!(refusal(v.verify(&none, now).await).contains("not accepted"));
    // The key says ES256; a token naming ES384 for it is refused before any signature check.
    let es384_header = format!(
        "{}.{}.AAAA",
        b64(&json!({"alg": "ES384", "kid": "k"})),
        b64(&c)
    );
    assert!(refusal(v.verify(&es384_header, now).await).contains("does not match"));
    // An RSA key used with an EC algorithm.
    let mut wrong_family = Header::new(Algorithm::ES256);
    wrong_family.kid = Some("r".into());
    let forged = format!(
        "{}.{}.AAAA",
        b64(&serde_json::to_value(&wrong_family).unwrap()),
        b64(&c)
    );
    assert!(v.verify(&forged, now).await.is_err());
    // A signature by another key under a known kid.
    let impostor = TestKey::es256("k");
    let msg = refusal(v.verify(&impostor.sign(&c), now).await);
    assert!(msg.contains("signature"), "{msg}");
}

#[tokio::test]
async fn unknown_kid_refreshes_once_then_succeeds_after_rotation() {
    let mock = Mock::start().await;
    let old = TestKey::es256("old");
    let new = TestKey::ed25519("new");
    mock.publish(&[&old]);
    let v = verifier(&mock);
    let t0 = pangolin_core::now();
    let at = |s: i64| t0 + TimeDelta::seconds(s);

    v.verify(&old.sign(&claims(&mock, t0)), t0).await.unwrap();
    assert_eq!(mock.jwks_fetches(), 1);

    // The provider rotates; a token of the new key arrives after the interval: one refresh.
    mock.publish(&[&new]);
    v.verify(&new.sign(&claims(&mock, t0)), at(11))
        .await
        .unwrap();
    assert_eq!(mock.jwks_fetches(), 2);
    // Known keys cost nothing.
    v.verify(&new.sign(&claims(&mock, t0)), at(12))
        .await
        .unwrap();
    assert_eq!(mock.jwks_fetches(), 2);

    // More unknown kids within the interval: refused without fetching again.
    for (i, kid) in ["made-up-1", "made-up-2", "old"].into_iter().enumerate() {
        let stranger = TestKey::es256(kid);
        let msg = refusal(
            v.verify(&stranger.sign(&claims(&mock, t0)), at(13 + i as i64))
                .await,
        );
        assert!(msg.contains("unknown key"), "{msg}");
    }
    assert_eq!(mock.jwks_fetches(), 2);
    // After the interval, one more refresh is allowed (and still finds nothing).
    let stranger = TestKey::es256("made-up-3");
    assert!(
        v.verify(&stranger.sign(&claims(&mock, t0)), at(22))
            .await
            .is_err()
    );
    assert_eq!(mock.jwks_fetches(), 3);
    assert_eq!(mock.discovery_fetches(), 1);
}

#[tokio::test]
async fn concurrent_unknown_kids_share_one_fetch() {
    let mock = Mock::start().await;
    let key = TestKey::es256("k");
    mock.publish(&[&key]);
    let v = std::sync::Arc::new(verifier(&mock));
    let now = pangolin_core::now();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let v = v.clone();
        let token = TestKey::es256(&format!("garbage-{i}")).sign(&claims(&mock, now));
        tasks.push(tokio::spawn(async move { v.verify(&token, now).await }));
    }
    for t in tasks {
        assert!(t.await.unwrap().is_err());
    }
    assert_eq!(mock.jwks_fetches(), 1);
}

#[tokio::test]
async fn old_keys_are_refetched_and_withdrawn_keys_stop_verifying() {
    let mock = Mock::start().await;
    let key = TestKey::es256("k");
    mock.publish(&[&key]);
    let mut opts = options();
    opts.keys_max_age = Duration::from_secs(60);
    let v = OidcVerifier::new(config(&mock), opts).unwrap();
    let t0 = pangolin_core::now();
    let token = key.sign(&with(
        claims(&mock, t0),
        json!({"exp": t0.timestamp() + 3600}),
    ));
    v.verify(&token, t0).await.unwrap();
    mock.publish(&[]);
    // Young keys are trusted without asking.
    v.verify(&token, t0 + TimeDelta::seconds(30)).await.unwrap();
    assert_eq!(mock.jwks_fetches(), 1);
    // Old keys are fetched again; an empty set is a provider fault, so the old keys stay.
    v.verify(&token, t0 + TimeDelta::seconds(61)).await.unwrap();
    assert_eq!(mock.jwks_fetches(), 2);
    // The provider withdraws the key (publishing another): the token stops verifying.
    let other = TestKey::es256("other");
    mock.publish(&[&other]);
    let msg = refusal(v.verify(&token, t0 + TimeDelta::seconds(200)).await);
    assert!(msg.contains("unknown key"), "{msg}");
}

#[tokio::test]
async fn provider_faults_are_unavailable() {
    // Nothing listens on this port any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let mut c = OidcProviderConfig::new("down", closed);
    c.audiences = vec![AUDIENCE.into()];
    let v = OidcVerifier::new(c, options()).unwrap();
    let key = TestKey::es256("k");
    let now = pangolin_core::now();
    let token = key.sign(&json!({"iss": "x", "aud": AUDIENCE, "exp": now.timestamp() + 60}));
    for _ in 0..2 {
        match v.verify(&token, now).await {
            Err(Error::Unavailable(msg)) => assert!(msg.contains("down"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }

    // An https provider that does not speak TLS: the TLS path fails cleanly, too.
    let not_tls = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let https = format!("https://{}", not_tls.local_addr().unwrap());
    let garbage_server = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut socket, _)) = not_tls.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot tls").await;
        }
    });
    let mut c = OidcProviderConfig::new("plain", https);
    c.audiences = vec![AUDIENCE.into()];
    let v = OidcVerifier::new(c, options()).unwrap();
    match v.verify(&token, now).await {
        Err(Error::Unavailable(msg)) => assert!(msg.contains("plain"), "{msg}"),
        other => panic!("{other:?}"),
    }
    garbage_server.abort();

    // A discovery document naming another issuer is refused.
    let mock = Mock::start().await;
    mock.publish(&[&key]);
    mock.patch_discovery(json!({"issuer": "https://impostor.example"}));
    let v = verifier(&mock);
    match v.verify(&key.sign(&claims(&mock, now)), now).await {
        Err(Error::Unavailable(msg)) => assert!(msg.contains("impostor"), "{msg}"),
        other => panic!("{other:?}"),
    }
    // An explicit jwks_uri needs no discovery at all.
    let mut c = config(&mock);
    c.jwks_uri = Some(format!("{}/jwks", mock.base));
    let direct = OidcVerifier::new(c, options()).unwrap();
    let fetched = mock.discovery_fetches();
    direct
        .verify(&key.sign(&claims(&mock, now)), now)
        .await
        .unwrap();
    assert_eq!(mock.discovery_fetches(), fetched);
}

#[tokio::test]
async fn garbage_tokens_are_refused_without_hammering_the_provider() {
    let mock = Mock::start().await;
    let key = TestKey::es256("k");
    mock.publish(&[&key]);
    let v = verifier(&mock);
    let now = pangolin_core::now();
    let valid = key.sign(&claims(&mock, now));
    let mut inputs = vec![
        String::new(),
        "x".into(),
        "a.b.c".into(),
        "..".into(),
        valid.replace('.', ""),
        format!("{valid}.x"),
    ];
    for i in 0..valid.len() {
        let mut b = valid.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        inputs.push(String::from_utf8(b).unwrap());
    }
    for input in &inputs {
        match v.verify(input, now).await {
            Ok(_) => assert_eq!(input, &valid),
            Err(Error::Unauthenticated(_)) => {}
            Err(other) => panic!("{input:?}: {other:?}"),
        }
    }
    assert!(mock.jwks_fetches() <= 1);
}

#[test]
fn configuration_is_validated_on_construction() {
    let c = OidcProviderConfig::new("x", "http://idp.example");
    assert!(matches!(
        OidcVerifier::new(c, OidcOptions::default()),
        Err(Error::InvalidInput(_))
    ));
    let mut c = OidcProviderConfig::new("x", "https://idp.example");
    c.client_id = Some(CLIENT_ID.into());
    assert!(OidcVerifier::new(c, OidcOptions::default()).is_ok());
}
