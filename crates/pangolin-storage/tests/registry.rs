//! Registry caching and configuration errors.

mod common;

use std::sync::Arc;

use pangolin_core::Error;
use pangolin_core::model::{FileProfile, S3Profile, StorageProfile, WarehouseSecret};
use pangolin_storage::StorageRegistry;

fn file_profile(dir: &tempfile::TempDir) -> StorageProfile {
    StorageProfile::File(FileProfile {
        root: dir.path().join("wh").to_str().unwrap().to_owned(),
    })
}

fn s3_profile(prefix: Option<&str>) -> StorageProfile {
    StorageProfile::S3(S3Profile {
        bucket: "bucket".into(),
        key_prefix: prefix.map(Into::into),
        region: "us-east-1".into(),
        endpoint: Some("http://127.0.0.1:1".into()),
        path_style_access: true,
        sts: None,
        allow_static_credential_vending: false,
    })
}

fn s3_keys() -> WarehouseSecret {
    WarehouseSecret::S3AccessKey {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "very-secret-key".into(),
        session_token: None,
    }
}

#[test]
fn same_warehouse_same_io_until_updated() {
    let dir = tempfile::tempdir().unwrap();
    let key = common::secret_box();
    let registry = StorageRegistry::new(key.clone());
    let mut wh = common::warehouse(&key, file_profile(&dir), None);

    let first = registry.io(&wh).unwrap();
    assert!(Arc::ptr_eq(&first, &registry.io(&wh).unwrap()));
    assert!(Arc::ptr_eq(&first, &registry.io(&wh.clone()).unwrap()));

    wh.updated_at += chrono::Duration::seconds(1);
    let second = registry.io(&wh).unwrap();
    assert!(!Arc::ptr_eq(&first, &second));
    assert!(Arc::ptr_eq(&second, &registry.io(&wh).unwrap()));

    let other = common::warehouse(&key, file_profile(&dir), None);
    assert!(!Arc::ptr_eq(&second, &registry.io(&other).unwrap()));

    registry.evict(wh.id);
    assert!(!Arc::ptr_eq(&second, &registry.io(&wh).unwrap()));
}

#[test]
fn s3_io_is_built_from_profile_and_secret() {
    let key = common::secret_box();
    let registry = StorageRegistry::new(key.clone());
    let wh = common::warehouse(&key, s3_profile(Some("/wh/")), Some(s3_keys()));
    let io = registry.io(&wh).unwrap();
    assert_eq!(io.base_location(), "s3://bucket/wh");
    assert!(io.contains("s3a://bucket/wh/ns/t/metadata/x.json"));
    assert!(!io.contains("s3://bucket/wh-other/x"));
    assert!(!io.contains("s3://bucket/x"));
    assert!(!format!("{io:?} {registry:?}").contains("very-secret-key"));
}

#[test]
fn gcs_and_azure_ios_build() {
    let key = common::secret_box();
    let registry = StorageRegistry::new(key.clone());
    let gcs: StorageProfile = serde_json::from_str(
        r#"{"type":"gcs","bucket":"b","key-prefix":"p","endpoint":"http://127.0.0.1:4443"}"#,
    )
    .unwrap();
    let io = registry.io(&common::warehouse(&key, gcs, None)).unwrap();
    assert_eq!(io.base_location(), "gs://b/p");

    let azure: StorageProfile = serde_json::from_str(
        r#"{"type":"azure","account-name":"devstoreaccount1","container":"c",
            "endpoint":"http://127.0.0.1:10000/devstoreaccount1"}"#,
    )
    .unwrap();
    let shared_key = WarehouseSecret::AzureSharedKey {
        account_key: "a2V5a2V5a2V5a2V5".into(),
    };
    let io = registry
        .io(&common::warehouse(&key, azure, Some(shared_key)))
        .unwrap();
    assert_eq!(
        io.base_location(),
        "abfss://c@devstoreaccount1.dfs.core.windows.net"
    );
    assert!(io.contains("wasbs://c@devstoreaccount1.blob.core.windows.net/ns/t"));
}

#[tokio::test]
async fn unreachable_storage_is_unavailable_without_secrets() {
    let key = common::secret_box();
    let registry = StorageRegistry::new(key.clone());
    let wh = common::warehouse(&key, s3_profile(Some("wh")), Some(s3_keys()));
    let io = registry.io(&wh).unwrap();
    let started = std::time::Instant::now();
    let err = io.read("s3://bucket/wh/x.json").await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(!format!("{err:?}").contains("very-secret-key"));
    assert!(started.elapsed().as_secs() < 20, "retries are bounded");
}

#[test]
fn bad_configurations_are_invalid_input_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let key = common::secret_box();
    let registry = StorageRegistry::new(key.clone());

    let file_with_keys = common::warehouse(&key, file_profile(&dir), Some(s3_keys()));
    let err = registry.io(&file_with_keys).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(!err.to_string().contains("very-secret-key"));

    let azure_key = WarehouseSecret::AzureSharedKey {
        account_key: "not base64 !!".into(),
    };
    let s3_with_azure = common::warehouse(&key, s3_profile(None), Some(azure_key));
    assert!(matches!(
        registry.io(&s3_with_azure),
        Err(Error::InvalidInput(_))
    ));

    let relative = StorageProfile::File(FileProfile {
        root: "rel/dir".into(),
    });
    let err = registry
        .io(&common::warehouse(&key, relative, None))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    // A secret sealed under another key cannot be opened.
    let other_key = common::secret_box();
    let foreign = common::warehouse(&other_key, s3_profile(None), Some(s3_keys()));
    assert!(matches!(registry.io(&foreign), Err(Error::Internal { .. })));
}
