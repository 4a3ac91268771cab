//! The S3 backend against moto (or any S3-compatible endpoint).
//!
//! Set `PANGOLIN_TEST_S3_ENDPOINT` (e.g. `http://127.0.0.1:9000`); without it the test is
//! skipped, except under `CI=true`, where it fails. Optional: `PANGOLIN_TEST_S3_BUCKET`
//! (default `pangolin-test`), `PANGOLIN_TEST_S3_ACCESS_KEY` / `PANGOLIN_TEST_S3_SECRET_KEY`
//! (default `testing` / `testing`, moto's keys).
//!
//! The bucket is created with an unsigned `PUT /bucket`, which moto accepts; against a store
//! that requires signed requests, create it beforehand
//! (`$HARNESS/venv/bin/python ../shared/harness/clients/moto_iam.py bucket pangolin-test`).
//! Each run writes under a fresh key prefix, so runs never see each other's objects.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use pangolin_core::Error;
use pangolin_core::model::{S3Profile, StorageProfile, WarehouseSecret};
use pangolin_storage::{S3_CONDITIONAL_PUT_PROPERTY, StorageRegistry, WarehouseIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Env {
    endpoint: String,
    bucket: String,
    access_key: String,
    secret_key: String,
}

fn env() -> Option<Env> {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let Ok(endpoint) = std::env::var("PANGOLIN_TEST_S3_ENDPOINT") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("PANGOLIN_TEST_S3_ENDPOINT must be set in CI");
        }
        eprintln!("SKIPPED: PANGOLIN_TEST_S3_ENDPOINT is not set");
        return None;
    };
    Some(Env {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
        bucket: var("PANGOLIN_TEST_S3_BUCKET", "pangolin-test"),
        access_key: var("PANGOLIN_TEST_S3_ACCESS_KEY", "testing"),
        secret_key: var("PANGOLIN_TEST_S3_SECRET_KEY", "testing"),
    })
}

/// `PUT /{bucket}` without a signature (moto does not check auth by default). Failures are
/// only reported: the bucket may already exist or have been created out of band.
async fn create_bucket(env: &Env) {
    let hostport = env.endpoint.trim_start_matches("http://");
    let request = format!(
        "PUT /{} HTTP/1.1\r\nHost: {hostport}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        env.bucket
    );
    let result = async {
        let mut stream = tokio::net::TcpStream::connect(hostport).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        std::io::Result::Ok(response.lines().next().unwrap_or_default().to_owned())
    }
    .await;
    eprintln!("create bucket {}: {result:?}", env.bucket);
}

fn io_for(env: &Env, prefix: &str, conditional_put: bool) -> Arc<WarehouseIo> {
    let key = common::secret_box();
    let storage = StorageProfile::S3(S3Profile {
        bucket: env.bucket.clone(),
        key_prefix: Some(prefix.to_owned()),
        region: "us-east-1".into(),
        endpoint: Some(env.endpoint.clone()),
        path_style_access: true,
        sts: None,
        allow_static_credential_vending: false,
    });
    let secret = WarehouseSecret::S3AccessKey {
        access_key_id: env.access_key.clone(),
        secret_access_key: env.secret_key.clone(),
        session_token: None,
    };
    let mut wh = common::warehouse(&key, storage, Some(secret));
    if !conditional_put {
        wh.properties
            .insert(S3_CONDITIONAL_PUT_PROPERTY.into(), "disabled".into());
    }
    StorageRegistry::new(key).io(&wh).unwrap()
}

fn loc(io: &WarehouseIo, key: &str) -> String {
    format!("{}/{key}", io.base_location())
}

#[tokio::test]
async fn s3_round_trip_against_moto() {
    let Some(env) = env() else { return };
    create_bucket(&env).await;
    let prefix = format!("run-{}/wh", uuid::Uuid::now_v7());
    let io = io_for(&env, &prefix, true);
    assert_eq!(io.base_location(), format!("s3://{}/{prefix}", env.bucket));

    exercise_writes(&io).await;
    exercise_purge(&io).await;
    exercise_boundaries(&io, &env, &prefix).await;

    // The HEAD + put fallback for stores without conditional puts behaves the same.
    let fallback = io_for(&env, &format!("{prefix}-fallback"), false);
    exercise_writes(&fallback).await;
    assert_eq!(
        fallback.delete_prefix(&loc(&fallback, "ns")).await.unwrap(),
        1
    );
}

async fn exercise_writes(io: &WarehouseIo) {
    let meta = loc(io, "ns/tbl/metadata/00000-a.metadata.json");
    assert!(!io.exists(&meta).await.unwrap());
    assert!(matches!(io.read(&meta).await, Err(Error::NotFound { .. })));
    io.write(&meta, Bytes::from_static(b"{}")).await.unwrap();
    assert_eq!(io.read(&meta).await.unwrap(), Bytes::from_static(b"{}"));
    let again = io.write(&meta, Bytes::from_static(b"[]")).await;
    assert!(
        matches!(again, Err(Error::AlreadyExists { .. })),
        "{again:?}"
    );
    assert_eq!(io.read(&meta).await.unwrap(), Bytes::from_static(b"{}"));
    io.delete(&meta).await.unwrap();
    io.delete(&meta).await.unwrap();
    assert!(!io.exists(&meta).await.unwrap());
    io.write(&meta, Bytes::from_static(b"{}")).await.unwrap();
    // On object storage a unique-name write is create-only too.
    let unique = io.write_unique(&meta, Bytes::from_static(b"[]")).await;
    assert!(
        matches!(unique, Err(Error::AlreadyExists { .. })),
        "{unique:?}"
    );
}

async fn exercise_purge(io: &WarehouseIo) {
    for key in [
        "ns/tbl/data/a.parquet",
        "ns/tbl-2/metadata/b.json",
        "ns/tbl.json",
    ] {
        io.write(&loc(io, key), Bytes::from_static(b"abc"))
            .await
            .unwrap();
    }
    let listed = io.list(&loc(io, "ns/tbl")).await.unwrap();
    let mut names: Vec<_> = listed.iter().map(|o| o.location.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            loc(io, "ns/tbl/data/a.parquet"),
            loc(io, "ns/tbl/metadata/00000-a.metadata.json")
        ]
    );
    assert_eq!(io.list(io.base_location()).await.unwrap().len(), 4);
    assert_eq!(io.delete_prefix(&loc(io, "ns/tbl")).await.unwrap(), 2);
    assert!(
        io.exists(&loc(io, "ns/tbl-2/metadata/b.json"))
            .await
            .unwrap()
    );
    assert!(io.exists(&loc(io, "ns/tbl.json")).await.unwrap());
    assert!(io.list(&loc(io, "ns/tbl")).await.unwrap().is_empty());
}

async fn exercise_boundaries(io: &WarehouseIo, env: &Env, prefix: &str) {
    let sibling = format!("s3://{}/{prefix}-other/x.json", env.bucket);
    let forbidden = io.write(&sibling, Bytes::from_static(b"x")).await;
    assert!(
        matches!(forbidden, Err(Error::Forbidden(_))),
        "{forbidden:?}"
    );
    let other_bucket = format!("s3://{}-2/{prefix}/x.json", env.bucket);
    assert!(matches!(
        io.read(&other_bucket).await,
        Err(Error::Forbidden(_))
    ));
    let s3a = format!("s3a://{}/{prefix}/ns/tbl.json", env.bucket);
    assert_eq!(io.read(&s3a).await.unwrap(), Bytes::from_static(b"abc"));

    // Nothing leaked next to the warehouse.
    let neighbour = io_for(env, &format!("{prefix}-other"), true);
    assert!(
        neighbour
            .list(neighbour.base_location())
            .await
            .unwrap()
            .is_empty()
    );
}
