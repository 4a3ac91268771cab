//! `X-Iceberg-Access-Delegation` on the routes: which requests get credentials or signing,
//! where they appear (`storage-credentials`, `config`), and that they never leak into ETags,
//! idempotency replays or responses of callers who did not ask.
//!
//! S3 tables here are put straight into the store (their metadata is stored, so loads need no
//! object IO), on a warehouse that allows vending its static keys: that path needs no network.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{TestApp, assert_error, backend_tests, bodies, table_uri};
use pangolin_core::model::{
    Catalog, CatalogKind, ContentKind, MAIN_BRANCH, S3Profile, StorageProfile, Warehouse,
    WarehouseSecret,
};
use pangolin_core::secret::SecretBox;
use pangolin_core::{CatalogId, CommitId, ContentId, Name, Properties, TableIdent, WarehouseId};
use pangolin_store::{Change, CommitRequest, Expected};
use serde_json::{Value, json};

backend_tests!(
    no_header_means_no_credentials,
    unsupported_mechanisms_are_ignored,
    file_warehouses_vend_nothing,
    static_keys_are_vended_only_when_asked,
    credentials_endpoint_returns_the_table_credential,
    remote_signing_config_and_signing,
    read_only_versions_sign_only_reads,
    idempotent_creates_never_store_credentials,
    hand_outs_are_audited_once_per_credential,
);

const DELEGATION: &str = "x-iceberg-access-delegation";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A catalog `lake` on an S3 warehouse (moto-style endpoint, never contacted) whose static
/// keys may be vended, with table `db.t` at `s3://bucket/wh/db/t`.
async fn s3_catalog(app: &TestApp) -> Value {
    app.create_namespace(&["db"]).await;
    let template = app.create_table(&["db"], "template").await;
    let key = SecretBox::from_encoded(&app.encryption_key).unwrap();
    let now = pangolin_core::now();
    let mut warehouse = Warehouse {
        id: WarehouseId::generate(),
        tenant_id: app.tenant.id,
        name: Name::new("s3").unwrap(),
        storage: StorageProfile::S3(S3Profile {
            bucket: "bucket".into(),
            key_prefix: Some("wh".into()),
            region: "us-east-1".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            path_style_access: true,
            sts: None,
            allow_static_credential_vending: true,
        }),
        secret: None,
        properties: Properties::new(),
        created_at: now,
        updated_at: now,
    };
    let secret = WarehouseSecret::S3AccessKey {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: SECRET_KEY.into(),
        session_token: None,
    };
    warehouse.secret = Some(secret.seal(&key, warehouse.id).unwrap());
    app.store.create_warehouse(&warehouse, &[]).await.unwrap();
    let catalog = Catalog {
        id: CatalogId::generate(),
        tenant_id: app.tenant.id,
        name: Name::new("lake").unwrap(),
        kind: CatalogKind::Local {
            warehouse_id: warehouse.id,
        },
        properties: Properties::new(),
        created_at: now,
        updated_at: now,
    };
    app.store.create_catalog(&catalog, &[]).await.unwrap();
    let (status, _, body) = app
        .post(
            "/v1/lake/namespaces",
            Some(json!({"namespace": ["db"]})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut metadata = template["metadata"].clone();
    metadata["location"] = json!("s3://bucket/wh/db/t");
    let request = CommitRequest {
        catalog_id: catalog.id,
        branch: Name::new(MAIN_BRANCH).unwrap(),
        commit_id: CommitId::generate(),
        expected_head: None,
        merge_parent: None,
        completes_merge: None,
        author: "test".into(),
        message: "put db.t".into(),
        created_at: now,
        changes: vec![Change::Put {
            ident: TableIdent::from_strs(&["db"], "t").unwrap(),
            kind: ContentKind::Table,
            content_id: ContentId::generate(),
            expected: Expected::Absent,
            location: "s3://bucket/wh/db/t".into(),
            metadata_location: "s3://bucket/wh/db/t/metadata/00000-a.metadata.json".into(),
            metadata: Some(Arc::from(metadata.to_string().as_str())),
        }],
        audit: vec![],
    };
    app.store.commit(&request).await.unwrap();
    metadata
}

const S3_TABLE: &str = "/v1/lake/namespaces/db/tables/t";

async fn no_header_means_no_credentials(app: TestApp) {
    s3_catalog(&app).await;
    let (status, headers, body) = app.get(S3_TABLE, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("storage-credentials").is_none(), "{body}");
    assert!(
        body["config"].get("s3.secret-access-key").is_none(),
        "{body}"
    );
    assert_eq!(body["config"]["s3.endpoint"], "http://127.0.0.1:9");
    assert!(headers.get("cache-control").is_none());
}

async fn unsupported_mechanisms_are_ignored(app: TestApp) {
    s3_catalog(&app).await;
    for header in ["bogus", "", "vended-credentialz, other"] {
        let (status, _, body) = app.get(S3_TABLE, None, &[(DELEGATION, header)]).await;
        assert_eq!(status, StatusCode::OK, "{header}: {body}");
        assert!(body.get("storage-credentials").is_none(), "{body}");
        assert!(!body.to_string().contains(SECRET_KEY));
    }
}

async fn file_warehouses_vend_nothing(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let uri = table_uri(&["db"], "t");
    let (status, _, body) = app
        .get(
            &uri,
            None,
            &[(DELEGATION, "vended-credentials,remote-signing")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("storage-credentials").is_none(), "{body}");
    assert!(body.get("remote-signing-config").is_none(), "{body}");
    let (status, _, body) = app.get(&format!("{uri}/credentials"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"storage-credentials": []}));
    let sign = json!({"region": "us-east-1", "uri": "file:///x", "method": "GET", "headers": {}});
    let reply = app.post(&format!("{uri}/sign"), Some(sign), &[]).await;
    assert_error(
        &reply,
        StatusCode::NOT_IMPLEMENTED,
        "UnsupportedOperationException",
    );
}

async fn static_keys_are_vended_only_when_asked(app: TestApp) {
    s3_catalog(&app).await;
    let (_, plain_headers, plain) = app.get(S3_TABLE, None, &[]).await;
    let (status, headers, body) = app
        .get(S3_TABLE, None, &[(DELEGATION, "vended-credentials")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let creds = body["storage-credentials"].as_array().expect("credentials");
    assert_eq!(creds.len(), 1, "{body}");
    assert_eq!(creds[0]["prefix"], "s3://bucket/wh/db/t");
    let config = &creds[0]["config"];
    assert_eq!(config["s3.access-key-id"], "AKIDEXAMPLE");
    assert_eq!(config["s3.secret-access-key"], SECRET_KEY);
    assert_eq!(config["pangolin.static-credentials"], "true");
    assert_eq!(config["client.refresh-credentials-enabled"], "false");
    assert!(
        config.get("s3.session-token-expires-at-ms").is_none(),
        "no expiry for static keys"
    );
    assert!(config.get("client.refresh-credentials-endpoint").is_none());
    for (k, v) in config.as_object().unwrap() {
        assert_eq!(&body["config"][k], v, "config repeats {k}");
    }
    assert_eq!(
        headers["etag"], plain_headers["etag"],
        "credentials never change the ETag"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["metadata"], plain["metadata"]);
    // If-None-Match still answers 304: the client keeps what it has.
    let tag = headers["etag"].to_str().unwrap();
    let (status, _, _) = app
        .get(
            S3_TABLE,
            None,
            &[(DELEGATION, "vended-credentials"), ("if-none-match", tag)],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

async fn credentials_endpoint_returns_the_table_credential(app: TestApp) {
    s3_catalog(&app).await;
    let (status, headers, body) = app.get(&format!("{S3_TABLE}/credentials"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    let creds = body["storage-credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0]["prefix"], "s3://bucket/wh/db/t");
    assert_eq!(creds[0]["config"]["s3.access-key-id"], "AKIDEXAMPLE");
    let missing = app
        .get("/v1/lake/namespaces/db/tables/nope/credentials", None, &[])
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "NoSuchTableException");
}

fn sign_request(method: &str, uri: &str) -> Value {
    json!({
        "region": "us-east-1",
        "uri": uri,
        "method": method,
        "headers": {"User-Agent": ["test"], "x-amz-content-sha256": ["UNSIGNED-PAYLOAD"]}
    })
}

async fn remote_signing_config_and_signing(app: TestApp) {
    s3_catalog(&app).await;
    let (status, _, body) = app
        .get(S3_TABLE, None, &[(DELEGATION, "remote-signing")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("storage-credentials").is_none(), "{body}");
    assert_eq!(body["remote-signing-config"], json!({}));
    let config = &body["config"];
    assert_eq!(config["s3.remote-signing-enabled"], "true");
    assert_eq!(
        config["s3.signer.endpoint"],
        "v1/lake/namespaces/db/tables/t/sign"
    );
    assert!(config.get("s3.secret-access-key").is_none(), "{body}");

    let sign = format!("{S3_TABLE}/sign");
    let inside = "http://127.0.0.1:9/bucket/wh/db/t/data/f.parquet";
    for method in ["GET", "PUT", "DELETE"] {
        let (status, headers, signed) = app
            .post(&sign, Some(sign_request(method, inside)), &[])
            .await;
        assert_eq!(status, StatusCode::OK, "{method}: {signed}");
        assert_eq!(headers["cache-control"], "no-cache");
        assert_eq!(signed["uri"], inside);
        let auth = signed["headers"]["authorization"][0].as_str().unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
            "{auth}"
        );
        assert!(!signed.to_string().contains(SECRET_KEY));
    }
    for uri in [
        "http://127.0.0.1:9/bucket/wh/db/t2/data/f.parquet",
        "http://127.0.0.1:9/bucket/wh/db/template/metadata/x.json",
        "http://127.0.0.1:9/other/wh/db/t/f",
        "http://127.0.0.1:9/bucket?list-type=2&prefix=wh/db/",
    ] {
        let reply = app.post(&sign, Some(sign_request("GET", uri)), &[]).await;
        assert_error(&reply, StatusCode::FORBIDDEN, "ForbiddenException");
    }
    let missing = "/v1/lake/namespaces/db/tables/nope/sign";
    let reply = app
        .post(missing, Some(sign_request("GET", inside)), &[])
        .await;
    assert_error(&reply, StatusCode::FORBIDDEN, "ForbiddenException");
    let list = "http://127.0.0.1:9/bucket?list-type=2&prefix=wh%2Fdb%2Ft%2F";
    let (status, _, _) = app.post(&sign, Some(sign_request("GET", list)), &[]).await;
    assert_eq!(status, StatusCode::OK);
}

async fn read_only_versions_sign_only_reads(app: TestApp) {
    s3_catalog(&app).await;
    // A tag of `lake` is read-only: GET is signed, PUT is not.
    let main = app
        .store
        .get_catalog_by_name(app.tenant.id, &Name::new("lake").unwrap())
        .await
        .unwrap();
    let head = app
        .store
        .get_ref(main.id, &Name::new(MAIN_BRANCH).unwrap())
        .await
        .unwrap()
        .head;
    let tag = pangolin_store::NewRef {
        catalog_id: main.id,
        name: Name::new("v1").unwrap(),
        kind: pangolin_core::model::RefKind::Tag,
        from: head,
        scope: None,
        properties: Properties::new(),
        created_at: pangolin_core::now(),
    };
    app.store.create_ref(&tag, &[]).await.unwrap();
    let sign = "/v1/lake@v1/namespaces/db/tables/t/sign";
    let object = "http://127.0.0.1:9/bucket/wh/db/t/data/f.parquet";
    let (status, _, body) = app.post(sign, Some(sign_request("GET", object)), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reply = app.post(sign, Some(sign_request("PUT", object)), &[]).await;
    assert_error(&reply, StatusCode::FORBIDDEN, "ForbiddenException");
    let (_, _, body) = app
        .get(
            "/v1/lake@v1/namespaces/db/tables/t",
            None,
            &[(DELEGATION, "remote-signing")],
        )
        .await;
    assert_eq!(
        body["config"]["s3.signer.endpoint"],
        "v1/lake@v1/namespaces/db/tables/t/sign"
    );
}

/// A (staged, so no object IO) create with an Idempotency-Key on a vending warehouse: the
/// first answer carries credentials, the stored replay does not.
async fn idempotent_creates_never_store_credentials(app: TestApp) {
    s3_catalog(&app).await;
    let key = "0190f5b0-0000-7000-8000-000000000001";
    let uri = "/v1/lake/namespaces/db/tables";
    let headers = [(DELEGATION, "vended-credentials"), ("idempotency-key", key)];
    let mut body = bodies::create_table("staged");
    body["stage-create"] = json!(true);
    let (status, _, first) = app.post(uri, Some(body.clone()), &headers).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let creds = first["storage-credentials"]
        .as_array()
        .expect("credentials");
    let prefix = creds[0]["prefix"].as_str().unwrap();
    assert!(prefix.starts_with("s3://bucket/wh/"), "{prefix}");
    assert_eq!(first["config"]["s3.secret-access-key"], SECRET_KEY);
    let (status, _, replay) = app.post(uri, Some(body), &headers).await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(
        first["metadata"], replay["metadata"],
        "a replay, not a second create"
    );
    assert!(replay.get("storage-credentials").is_none(), "{replay}");
    assert!(!replay.to_string().contains(SECRET_KEY), "{replay}");
}

/// The `table.vend` records: who got which access to which table.
async fn vend_events(app: &TestApp) -> Vec<pangolin_core::audit::AuditEvent> {
    let filter = pangolin_store::AuditFilter {
        action: Some("table.vend".into()),
        ..Default::default()
    };
    let page = pangolin_core::PageRequest::all();
    let mut events = app.store.list_audit(&filter, &page).await.unwrap().items;
    events.reverse();
    events
}

async fn hand_outs_are_audited_once_per_credential(app: TestApp) {
    s3_catalog(&app).await;
    let vended = [(DELEGATION, "vended-credentials")];
    for _ in 0..3 {
        let (status, _, body) = app.get(S3_TABLE, None, &vended).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _, _) = app.get(&format!("{S3_TABLE}/credentials"), None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    // The same credential handed to the same principal again: one record.
    let events = vend_events(&app).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e.resource, "catalog/lake@main/table/db.t");
    assert_eq!(e.principal, "anonymous");
    assert_eq!(e.summary["mechanism"], "vended-credentials");
    assert_eq!(e.summary["mode"], "read-write");
    assert_eq!(e.summary["location"], "s3://bucket/wh/db/t");
    assert!(!e.summary.to_string().contains(SECRET_KEY));
    // Remote signing: the configuration and the signing requests that follow, once.
    let (status, _, _) = app
        .get(S3_TABLE, None, &[(DELEGATION, "remote-signing")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let inside = "http://127.0.0.1:9/bucket/wh/db/t/data/f.parquet";
    for _ in 0..3 {
        let sign = format!("{S3_TABLE}/sign");
        let (status, _, _) = app
            .post(&sign, Some(sign_request("GET", inside)), &[])
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let events = vend_events(&app).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1].summary["mechanism"], "remote-signing");
    // A read-only version is another hand-out.
    let (status, _, tag) = app
        .post(
            "/api/v1/catalogs/lake/tags",
            Some(json!({ "name": "v1" })),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{tag}");
    let (status, _, _) = app
        .get("/v1/lake@v1/namespaces/db/tables/t", None, &vended)
        .await;
    assert_eq!(status, StatusCode::OK);
    let events = vend_events(&app).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[2].summary["mode"], "read");
}
