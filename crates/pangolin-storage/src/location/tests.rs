use pangolin_core::Error;

use super::*;

fn rejected(location: &str) -> bool {
    matches!(normalize(location), Err(Error::InvalidInput(_)))
}

#[test]
fn normalize_canonicalizes() {
    let cases = [
        ("s3://b/p/", "s3://b/p"),
        ("s3a://b/p///", "s3://b/p"),
        ("S3N://b/p/x.json", "s3://b/p/x.json"),
        ("s3://b/", "s3://b"),
        ("file:///data/wh/", "file:///data/wh"),
        ("file:/data/wh", "file:///data/wh"),
        ("file://localhost/data/wh", "file:///data/wh"),
        ("gs://bucket/k", "gs://bucket/k"),
        (
            "abfss://c@Acct.DFS.core.windows.net/k",
            "abfss://c@acct.dfs.core.windows.net/k",
        ),
        ("s3://b/a%2Fb/c d", "s3://b/a%2Fb/c d"),
    ];
    for (input, expected) in cases {
        assert_eq!(normalize(input).unwrap(), expected, "{input}");
    }
}

#[test]
fn normalize_rejects_bad_locations() {
    let bad = [
        "",
        "  ",
        "relative/path",
        "/abs/without/scheme",
        "s3://",
        "s3:///key",
        "s3://b/a/../c",
        "s3://b/a/./c",
        "s3://b/..",
        "s3://b/a//c",
        "s3://b/a/%2e%2e/c",
        "s3://b/a/%2E./c",
        "s3://b/a/%252e%252e/c",
        "s3://b/a\n/c",
        "s3://b/a\0",
        "s3://user@b/k",
        "s3://b:9000/k",
        "file:///",
        "file://",
        "file://host/data",
        "file:relative",
        "http://example.com/x",
        "hdfs://nn/x",
        "abfss://account.dfs.core.windows.net/k",
    ];
    for location in bad {
        assert!(rejected(location), "{location:?} was accepted");
    }
}

#[test]
fn is_within_is_segment_aware() {
    let base = "s3://bucket/prefix";
    assert!(is_within(base, "s3://bucket/prefix"));
    assert!(is_within(base, "s3://bucket/prefix/"));
    assert!(is_within(base, "s3://bucket/prefix/a/b.json"));
    assert!(is_within(base, "s3a://bucket/prefix/a"));
    assert!(!is_within(base, "s3://bucket/prefix-other"));
    assert!(!is_within(base, "s3://bucket/prefix-other/a"));
    assert!(!is_within(base, "s3://bucket/prefixa"));
    assert!(!is_within(base, "s3://bucket"));
    assert!(!is_within(base, "s3://bucket-2/prefix/a"));
    assert!(!is_within(base, "gs://bucket/prefix/a"));
    assert!(is_within("s3://bucket", "s3://bucket/anything"));
}

#[test]
fn is_within_is_not_fooled_by_tricks() {
    let base = "file:///data/wh";
    assert!(is_within(base, "file:///data/wh/t/x"));
    assert!(!is_within(base, "file:///data/wh/../etc/passwd"));
    assert!(!is_within(base, "file:///data/wh/%2e%2e/etc"));
    assert!(!is_within(base, "file:///data/wh//etc"));
    assert!(!is_within(base, "file:///data//wh/x"));
    assert!(!is_within(base, "file:///data/wh%2Fx"));
    assert!(!is_within(base, "file:///data/wh-2/x"));
    assert!(!is_within(base, "file://evil/data/wh/x"));
    assert!(!is_within(base, "s3://data/wh/x"));
    assert!(!is_within("s3://b/p", "s3://b/p/../q"));
    assert!(!is_within("s3://b/p", "s3://b//p/x"));
    assert!(!is_within("not a url", "not a url/x"));
}

#[test]
fn azure_schemes_share_a_family() {
    let base = "abfss://c@acct.dfs.core.windows.net/wh";
    assert!(is_within(base, "wasbs://c@acct.blob.core.windows.net/wh/t"));
    assert!(is_within(base, "abfs://c@ACCT.dfs.core.windows.net/wh/t"));
    assert!(!is_within(base, "abfss://d@acct.dfs.core.windows.net/wh/t"));
    assert!(!is_within(
        base,
        "abfss://c@other.dfs.core.windows.net/wh/t"
    ));
    assert!(!is_within(
        base,
        "abfss://c@acct.dfs.core.chinacloudapi.cn/wh/t"
    ));
}

#[test]
fn overlaps_is_symmetric() {
    assert!(overlaps("s3://b/a", "s3://b/a/t"));
    assert!(overlaps("s3://b/a/t", "s3://b/a"));
    assert!(overlaps("s3://b/a", "s3://b/a/"));
    assert!(!overlaps("s3://b/a", "s3://b/ab"));
    assert!(!overlaps("s3://b/a/t1", "s3://b/a/t2"));
}

#[test]
fn join_puts_exactly_one_slash() {
    assert_eq!(join("s3://b/p", "t"), "s3://b/p/t");
    assert_eq!(join("s3://b/p/", "/t/m.json"), "s3://b/p/t/m.json");
    assert_eq!(join("file:///wh", "ns/t"), "file:///wh/ns/t");
    assert_eq!(join("s3://b/p/", ""), "s3://b/p");
}
