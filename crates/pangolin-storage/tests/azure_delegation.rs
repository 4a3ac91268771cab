//! Azure user delegation: a warehouse with client credentials gets an Entra ID token, asks the
//! blob service for a user delegation key and signs the SAS with it. Both services are played
//! by a local axum server that checks what they receive.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::post;
use pangolin_core::model::{AzureProfile, StorageProfile, WarehouseSecret};
use pangolin_storage::{StorageRegistry, VendMode};
use parking_lot::Mutex;

#[derive(Default)]
struct Seen {
    token_form: String,
    key_request: Option<(String, String, String)>,
}

type Shared = Arc<Mutex<Seen>>;

async fn token(State(seen): State<Shared>, body: String) -> axum::Json<serde_json::Value> {
    seen.lock().token_form = body;
    axum::Json(
        serde_json::json!({"access_token": "entra-token", "expires_in": 3600, "token_type": "Bearer"}),
    )
}

async fn delegation_key(
    State(seen): State<Shared>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> String {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let comp = query.get("comp").cloned().unwrap_or_default();
    seen.lock().key_request = Some((
        header("authorization"),
        header("x-ms-version"),
        format!("{comp} {body}"),
    ));
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><UserDelegationKey><SignedOid>oid-1</SignedOid>\
     <SignedTid>tid-1</SignedTid><SignedStart>2030-01-01T00:00:00Z</SignedStart>\
     <SignedExpiry>2030-01-02T00:00:00Z</SignedExpiry><SignedService>b</SignedService>\
     <SignedVersion>2022-11-02</SignedVersion><Value>a2V5LWJ5dGVz</Value></UserDelegationKey>"
        .into()
}

#[tokio::test]
async fn client_credentials_sign_with_a_user_delegation_key() {
    let seen = Shared::default();
    let app = Router::new()
        .route("/tenant-1/oauth2/v2.0/token", post(token))
        .route("/acct/", post(delegation_key))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let key = common::secret_box();
    let storage = StorageProfile::Azure(AzureProfile {
        account_name: "acct".into(),
        container: "lake".into(),
        key_prefix: None,
        endpoint: Some(format!("{base}/acct")),
        hierarchical_namespace: true,
        authority_host: Some(base.clone()),
        sas_duration_seconds: None,
    });
    let secret = WarehouseSecret::AzureClientCredentials {
        tenant_id: "tenant-1".into(),
        client_id: "app-1".into(),
        client_secret: "s3cret-value".into(),
    };
    let warehouse = common::warehouse(&key, storage, Some(secret));
    let registry = StorageRegistry::new(key);
    let location = "abfss://lake@acct.dfs.core.windows.net/ns/t";
    let vended = registry
        .vend(&warehouse, location, VendMode::Read)
        .await
        .unwrap()
        .expect("a SAS");

    let seen = seen.lock();
    assert!(
        seen.token_form.contains("grant_type=client_credentials"),
        "{}",
        seen.token_form
    );
    assert!(seen.token_form.contains("client_secret=s3cret-value"));
    assert!(
        seen.token_form
            .contains("scope=https%3A%2F%2Fstorage.azure.com%2F.default")
    );
    let (auth, version, body) = seen.key_request.clone().expect("a delegation key request");
    assert_eq!(auth, "Bearer entra-token");
    assert_eq!(version, "2022-11-02");
    assert!(
        body.starts_with("userdelegationkey <?xml") && body.contains("<Expiry>"),
        "{body}"
    );

    let token = vended
        .config
        .get("adls.sas-token.acct.dfs.core.windows.net")
        .unwrap();
    for part in [
        "sr=d",
        "sdd=2",
        "sp=rl",
        "skoid=oid-1",
        "sktid=tid-1",
        "sks=b",
        "skv=2022-11-02",
        "sig=",
    ] {
        assert!(token.contains(part), "{part} missing from {token}");
    }
    assert_eq!(vended.prefix, location);
    assert!(vended.expires_at.is_some());
    assert!(!format!("{vended:?}").contains("sig="), "Debug redacts");
}
