//! Warehouse validation and vending through the public `StorageRegistry` API: offline on a
//! file warehouse, and against moto when `PANGOLIN_TEST_S3_ENDPOINT` is set (skipped without
//! it, failing under `CI=true`). The e2e suite (tests/e2e/test_vending.py) drives the same
//! code with IAM enforcement and real clients.

mod common;

use std::collections::BTreeMap;

use pangolin_core::model::{FileProfile, S3Profile, StorageProfile, StsSettings, WarehouseSecret};
use pangolin_storage::{RemoteSignRequest, StorageRegistry, VendMode};

fn names(report: &pangolin_storage::ValidationReport) -> Vec<(&str, bool)> {
    report
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.ok))
        .collect()
}

#[tokio::test]
async fn validating_a_file_warehouse_checks_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let key = common::secret_box();
    let storage = StorageProfile::File(FileProfile {
        root: dir.path().display().to_string(),
    });
    let warehouse = common::warehouse(&key, storage, None);
    let registry = StorageRegistry::new(key);
    let report = registry.validate(&warehouse).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(
        names(&report),
        [
            ("open", true),
            ("write", true),
            ("read", true),
            ("list", true),
            ("delete", true)
        ]
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["checks"][1]["name"], "write");
    let probe_dir = dir.path().join(".pangolin-validation");
    let left: Vec<_> = std::fs::read_dir(&probe_dir)
        .map(|d| d.collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "the probe is cleaned up: {left:?}");
    assert!(
        registry
            .vend(
                &warehouse,
                &format!("file://{}/t", dir.path().display()),
                VendMode::Read
            )
            .await
            .unwrap()
            .is_none(),
        "file warehouses vend nothing"
    );
}

#[tokio::test]
async fn a_broken_warehouse_fails_its_first_check_only() {
    let key = common::secret_box();
    let storage = StorageProfile::File(FileProfile {
        root: "/dev/null/not-a-directory".into(),
    });
    let warehouse = common::warehouse(&key, storage, None);
    let report = StorageRegistry::new(key).validate(&warehouse).await;
    assert!(!report.ok);
    assert_eq!(names(&report), [("open", false)]);
    assert!(!report.checks[0].message.is_empty());
}

struct Moto {
    endpoint: String,
}

fn moto() -> Option<Moto> {
    let Ok(endpoint) = std::env::var("PANGOLIN_TEST_S3_ENDPOINT") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("PANGOLIN_TEST_S3_ENDPOINT must be set in CI");
        }
        eprintln!("SKIPPED: PANGOLIN_TEST_S3_ENDPOINT is not set");
        return None;
    };
    Some(Moto {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
    })
}

/// A bucket on moto, created with an unsigned request (moto without IAM enforcement).
async fn bucket(moto: &Moto) -> String {
    let name = format!("vend-{}", &uuid_hex()[..12]);
    let response = reqwest_put(&format!("{}/{name}", moto.endpoint)).await;
    assert!(response < 300, "create bucket: {response}");
    name
}

fn uuid_hex() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

async fn reqwest_put(url: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "PUT /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(999)
}

fn s3(moto: &Moto, bucket: &str, sts: Option<StsSettings>, allow_static: bool) -> StorageProfile {
    StorageProfile::S3(S3Profile {
        bucket: bucket.into(),
        key_prefix: Some("wh".into()),
        region: "us-east-1".into(),
        endpoint: Some(moto.endpoint.clone()),
        path_style_access: true,
        sts,
        allow_static_credential_vending: allow_static,
    })
}

fn moto_keys() -> Option<WarehouseSecret> {
    Some(WarehouseSecret::S3AccessKey {
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        session_token: None,
    })
}

#[tokio::test]
async fn static_vending_validates_against_moto() {
    let Some(moto) = moto() else { return };
    let bucket = bucket(&moto).await;
    let key = common::secret_box();
    let warehouse = common::warehouse(&key, s3(&moto, &bucket, None, true), moto_keys());
    let registry = StorageRegistry::new(key);
    let report = registry.validate(&warehouse).await;
    assert!(report.ok, "{report:?}");
    let checks = names(&report);
    assert!(
        checks.contains(&("vend", true)) && checks.contains(&("vended-access", true)),
        "{checks:?}"
    );
    let vended = registry
        .vend(&warehouse, &format!("s3://{bucket}/wh/t"), VendMode::Read)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(vended.expires_at, None);
    assert_eq!(vended.config.get("s3.access-key-id"), Some("testing"));
    let outside = registry
        .vend(&warehouse, "s3://other/t", VendMode::Read)
        .await;
    assert!(
        matches!(outside, Err(pangolin_core::Error::Forbidden(_))),
        "{outside:?}"
    );
}

#[tokio::test]
async fn sts_vending_and_remote_signing_against_moto() {
    let Some(moto) = moto() else { return };
    let bucket = bucket(&moto).await;
    let key = common::secret_box();
    let sts = StsSettings {
        role_arn: "arn:aws:iam::123456789012:role/vending".into(),
        external_id: Some("ext".into()),
        sts_endpoint: None,
        session_duration_seconds: 900,
    };
    let warehouse = common::warehouse(&key, s3(&moto, &bucket, Some(sts), false), moto_keys());
    let registry = StorageRegistry::new(key);
    let report = registry.validate(&warehouse).await;
    assert!(report.ok, "{report:?}");
    let location = format!("s3://{bucket}/wh/t");
    let first = registry
        .vend(&warehouse, &location, VendMode::ReadWrite)
        .await
        .unwrap()
        .unwrap();
    let again = registry
        .vend(&warehouse, &location, VendMode::ReadWrite)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.config.get("s3.access-key-id"),
        again.config.get("s3.access-key-id"),
        "cached"
    );
    assert_ne!(first.config.get("s3.access-key-id"), Some("testing"));
    assert!(first.expires_at.is_some());
    let read = registry
        .vend(&warehouse, &location, VendMode::Read)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        read.config.get("s3.access-key-id"),
        first.config.get("s3.access-key-id")
    );

    // A signed PUT then GET inside the table work; the signature is what moto sees.
    let io = registry.io(&warehouse).unwrap();
    io.write(
        &format!("{location}/data/f"),
        bytes::Bytes::from_static(b"signed"),
    )
    .await
    .unwrap();
    let request = RemoteSignRequest {
        region: "us-east-1".into(),
        uri: format!("{}/{bucket}/wh/t/data/f", moto.endpoint),
        method: "GET".into(),
        headers: BTreeMap::new(),
        properties: BTreeMap::new(),
        body: None,
        provider: Some("s3".into()),
    };
    let signed = registry
        .sign(&warehouse, &location, VendMode::Read, &request)
        .unwrap();
    assert!(signed.headers.contains_key("authorization"));
}
