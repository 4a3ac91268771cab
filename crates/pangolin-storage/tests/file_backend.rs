//! The file backend against a temporary directory, through the public API.

mod common;

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use pangolin_core::Error;
use pangolin_core::model::{FileProfile, StorageProfile};
use pangolin_storage::{StorageRegistry, WarehouseIo};
use tempfile::TempDir;

/// A warehouse rooted at `<tmp>/wh` (created by the registry) and its IO.
fn setup() -> (TempDir, Arc<WarehouseIo>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("wh");
    let key = common::secret_box();
    let storage = StorageProfile::File(FileProfile {
        root: root.to_str().unwrap().to_owned(),
    });
    let wh = common::warehouse(&key, storage, None);
    let io = StorageRegistry::new(key).io(&wh).unwrap();
    assert!(root.is_dir(), "the registry creates the root");
    (dir, io)
}

fn url(path: &Path) -> String {
    format!("file://{}", path.to_str().unwrap())
}

fn loc(io: &WarehouseIo, key: &str) -> String {
    format!("{}/{key}", io.base_location())
}

#[tokio::test]
async fn write_is_create_only_and_reads_back() {
    let (dir, io) = setup();
    let meta = loc(&io, "ns/tbl/metadata/00000-a.metadata.json");
    assert!(!io.exists(&meta).await.unwrap());
    io.write(&meta, Bytes::from_static(b"{\"v\":1}"))
        .await
        .unwrap();
    assert!(io.exists(&meta).await.unwrap());
    assert_eq!(
        io.read(&meta).await.unwrap(),
        Bytes::from_static(b"{\"v\":1}")
    );

    let again = io.write(&meta, Bytes::from_static(b"{\"v\":2}")).await;
    assert!(
        matches!(again, Err(Error::AlreadyExists { .. })),
        "{again:?}"
    );
    assert_eq!(
        io.read(&meta).await.unwrap(),
        Bytes::from_static(b"{\"v\":1}")
    );

    let on_disk = dir.path().join("wh/ns/tbl/metadata/00000-a.metadata.json");
    assert_eq!(std::fs::read(on_disk).unwrap(), b"{\"v\":1}");
}

/// A unique-name write on a local warehouse lands whole, leaves nothing staged beside it, and
/// is the create-only write elsewhere (`s3_moto`).
#[tokio::test]
async fn unique_writes_land_whole_with_nothing_staged_beside_them() {
    let (dir, io) = setup();
    let body = Bytes::from(vec![b'x'; 256 * 1024]);
    for n in 0..3 {
        let meta = loc(&io, &format!("ns/tbl/metadata/0000{n}-u{n}.metadata.json"));
        io.write_unique(&meta, body.clone()).await.unwrap();
        assert_eq!(io.read(&meta).await.unwrap(), body);
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("wh/ns/tbl/metadata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "00000-u0.metadata.json",
            "00001-u1.metadata.json",
            "00002-u2.metadata.json"
        ]
    );
}

#[tokio::test]
async fn missing_objects() {
    let (_dir, io) = setup();
    let missing = loc(&io, "ns/tbl/metadata/nope.json");
    match io.read(&missing).await {
        Err(Error::NotFound { name, .. }) => assert_eq!(name, missing),
        other => panic!("expected NotFound, got {other:?}"),
    }
    io.delete(&missing).await.unwrap();
    assert!(io.list(&loc(&io, "ns/none")).await.unwrap().is_empty());
    assert_eq!(io.delete_prefix(&loc(&io, "ns/none")).await.unwrap(), 0);
}

#[tokio::test]
async fn list_and_delete() {
    let (_dir, io) = setup();
    for key in ["ns/tbl/a.json", "ns/tbl/metadata/b.json", "ns/tbl-2/c.json"] {
        io.write(&loc(&io, key), Bytes::from_static(b"xyz"))
            .await
            .unwrap();
    }
    let mut listed = io.list(&loc(&io, "ns/tbl")).await.unwrap();
    listed.sort_by(|a, b| a.location.cmp(&b.location));
    let locations: Vec<_> = listed.iter().map(|o| o.location.as_str()).collect();
    assert_eq!(
        locations,
        [
            loc(&io, "ns/tbl/a.json"),
            loc(&io, "ns/tbl/metadata/b.json")
        ]
    );
    assert!(listed.iter().all(|o| o.size == 3));
    assert_eq!(io.list(io.base_location()).await.unwrap().len(), 3);

    io.delete(&loc(&io, "ns/tbl/a.json")).await.unwrap();
    assert!(!io.exists(&loc(&io, "ns/tbl/a.json")).await.unwrap());
    assert_eq!(io.list(&loc(&io, "ns/tbl/")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn delete_prefix_spares_siblings() {
    let (dir, io) = setup();
    for key in [
        "ns/tbl/m/1.json",
        "ns/tbl/d/x.parquet",
        "ns/tbl-2/m/1.json",
        "ns/tbl.json",
    ] {
        io.write(&loc(&io, key), Bytes::from_static(b"x"))
            .await
            .unwrap();
    }
    assert_eq!(io.delete_prefix(&loc(&io, "ns/tbl")).await.unwrap(), 2);
    assert!(io.exists(&loc(&io, "ns/tbl-2/m/1.json")).await.unwrap());
    assert!(io.exists(&loc(&io, "ns/tbl.json")).await.unwrap());
    assert!(
        !dir.path().join("wh/ns/tbl").exists(),
        "empty dirs are cleaned up"
    );
    assert!(dir.path().join("wh").is_dir(), "the root stays");

    let root = io.delete_prefix(io.base_location()).await;
    assert!(matches!(root, Err(Error::InvalidInput(_))), "{root:?}");
}

#[tokio::test]
async fn outside_the_warehouse_is_forbidden_without_touching_disk() {
    let (dir, io) = setup();
    let sibling = dir.path().join("wh-other");
    std::fs::create_dir_all(&sibling).unwrap();
    std::fs::write(sibling.join("secret.txt"), b"s").unwrap();
    let secret = url(&sibling.join("secret.txt"));
    let fresh = url(&sibling.join("new.txt"));

    let forbidden = |r: &Result<_, Error>| matches!(r, Err(Error::Forbidden(_)));
    assert!(forbidden(&io.read(&secret).await.map(drop)));
    assert!(forbidden(&io.exists(&secret).await.map(drop)));
    assert!(forbidden(&io.delete(&secret).await));
    assert!(forbidden(&io.delete_prefix(&url(&sibling)).await.map(drop)));
    assert!(forbidden(&io.list(&url(&sibling)).await.map(drop)));
    assert!(forbidden(&io.write(&fresh, Bytes::from_static(b"x")).await));
    assert!(forbidden(&io.read("s3://bucket/wh/x").await.map(drop)));
    assert!(!io.contains(&secret));

    // Traversal and encoding tricks are rejected as malformed before any IO.
    let tricks = [
        format!("{}/../wh-other/new.txt", io.base_location()),
        format!("{}/%2e%2e/wh-other/new.txt", io.base_location()),
        format!("{}//new.txt", io.base_location()),
        format!("{}/./new.txt", io.base_location()),
    ];
    for trick in &tricks {
        let r = io.write(trick, Bytes::from_static(b"x")).await;
        assert!(matches!(r, Err(Error::InvalidInput(_))), "{trick}: {r:?}");
        assert!(!io.contains(trick), "{trick}");
    }
    let entries: Vec<_> = std::fs::read_dir(&sibling).unwrap().collect();
    assert_eq!(
        entries.len(),
        1,
        "nothing was written next to the warehouse"
    );
    assert!(sibling.join("secret.txt").exists());
}

#[tokio::test]
async fn the_root_itself_is_not_an_object() {
    let (_dir, io) = setup();
    let r = io.write(io.base_location(), Bytes::from_static(b"x")).await;
    assert!(matches!(r, Err(Error::InvalidInput(_))), "{r:?}");
    assert!(io.contains(io.base_location()));
    assert!(io.contains(&format!("{}/", io.base_location())));
}
