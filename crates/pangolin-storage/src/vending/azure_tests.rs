use super::*;

/// Azurite's well-known development account key.
const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn fields(permissions: &'static str, https_only: bool, version: &'static str) -> SasFields {
    SasFields {
        permissions,
        expiry: "2030-01-02T03:04:05Z".into(),
        scope: Scope {
            container: "warehouse".into(),
            directory: None,
        },
        https_only,
        version,
    }
}

/// Vectors produced by azure-storage-blob's `generate_container_sas` (the service SAS
/// string-to-sign is the same for every version since 2020-12-06).
#[test]
fn container_sas_matches_the_azure_sdk() {
    let rw = fields("racwdl", true, "2026-10-06");
    let token = rw
        .sign_with_account_key("devstoreaccount1", DEV_KEY)
        .unwrap();
    assert!(
        token.ends_with("sig=IFJD1tp7NJ0WrE3YMxOjRIoVMfk0X6im4Y%2BXbDSiYLw%3D"),
        "{token}"
    );
    let ro = fields("rl", false, "2026-10-06");
    let token = ro
        .sign_with_account_key("devstoreaccount1", DEV_KEY)
        .unwrap();
    assert!(
        token.ends_with("sig=rqd0f9rI1dqHy6cbt4VFSQJBk75vxE5GG8VesTPP6Pc%3D"),
        "{token}"
    );
    assert!(!token.contains("spr="), "{token}");
}

#[test]
fn directory_scope_names_the_directory_and_its_depth() {
    let mut f = fields("rl", true, SAS_VERSION);
    f.scope.directory = Some("wh/ns/t".into());
    let s = f.account_key_string("acct");
    let lines: Vec<&str> = s.split('\n').collect();
    assert_eq!(lines.len(), 16);
    assert_eq!(lines[3], "/blob/acct/warehouse/wh/ns/t");
    assert_eq!(lines[8], "d");
    let token = f.sign_with_account_key("acct", DEV_KEY).unwrap();
    assert!(token.contains("sr=d&sdd=3&sp=rl"), "{token}");
}

#[test]
fn delegation_string_has_the_key_fields_in_order() {
    let key = UserDelegationKey {
        signed_oid: "oid".into(),
        signed_tid: "tid".into(),
        signed_start: "2030-01-01T00:00:00Z".into(),
        signed_expiry: "2030-01-03T00:00:00Z".into(),
        signed_service: "b".into(),
        signed_version: "2022-11-02".into(),
        value: DEV_KEY.into(),
    };
    let f = fields("racwdl", true, SAS_VERSION);
    let s = f.delegation_string("acct", &key);
    let lines: Vec<&str> = s.split('\n').collect();
    assert_eq!(lines.len(), 24);
    assert_eq!(
        &lines[..10],
        &[
            "racwdl",
            "",
            "2030-01-02T03:04:05Z",
            "/blob/acct/warehouse",
            "oid",
            "tid",
            "2030-01-01T00:00:00Z",
            "2030-01-03T00:00:00Z",
            "b",
            "2022-11-02"
        ]
    );
    assert_eq!(&lines[14..17], &["https", SAS_VERSION, "c"]);
    let token = f.sign_with_delegation_key("acct", &key).unwrap();
    assert!(
        token.contains("skoid=oid&sktid=tid&skt=2030-01-01T00%3A00%3A00Z"),
        "{token}"
    );
}

#[test]
fn every_client_spelling_is_emitted() {
    let profile = AzureProfile {
        account_name: "acct".into(),
        container: "c".into(),
        key_prefix: None,
        endpoint: Some("https://127.0.0.1:10001/acct/".into()),
        hierarchical_namespace: false,
        authority_host: None,
        sas_duration_seconds: None,
    };
    let at = Utc::now();
    let config = client_config(&profile, "sv=x&sig=y", at);
    for key in [
        "adls.sas-token.acct.dfs.core.windows.net",
        "adls.sas-token.acct.blob.core.windows.net",
        "adls.sas-token.acct",
    ] {
        assert_eq!(config.get(key), Some("sv=x&sig=y"), "{key}");
    }
    let ms = at.timestamp_millis().to_string();
    assert_eq!(
        config.get("adls.sas-token-expires-at-ms.acct.dfs.core.windows.net"),
        Some(ms.as_str())
    );
    assert_eq!(
        config.get("adls.account-host"),
        Some("127.0.0.1:10001/acct")
    );
    assert!(!format!("{config:?}").contains("sig=y"));
}
