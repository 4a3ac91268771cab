//! Configuration loading as the binary does it: defaults, precedence of file, environment and
//! flags, typed values, redaction, and the exposure rule.

// `Jail` closures must return `figment::Result`, whose error type is large; not ours to shrink.
#![allow(clippy::result_large_err)]

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;

use common::jail::{KEY_HEX, cwd, jail, load_env, with_file};
use pangolin_core::model::{FileProfile, StorageProfile, WarehouseSecret};
use pangolin_server::config::{Backend, LogFormat, Sources, load};

#[test]
fn defaults_need_no_configuration() {
    jail(|_| {
        let c = load(&Sources::default()).unwrap();
        assert_eq!(c.data_dir, cwd().join("pangolin-data"));
        assert_eq!(
            c.server.bind,
            "127.0.0.1:8181".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(c.store.backend, Backend::Sqlite);
        assert_eq!(c.sqlite_path(), cwd().join("pangolin-data/pangolin.db"));
        assert_eq!(c.warehouse_root(), cwd().join("pangolin-data/warehouse"));
        assert!(c.bootstrap.enabled);
        for name in [
            &c.bootstrap.tenant,
            &c.bootstrap.warehouse,
            &c.bootstrap.catalog,
        ] {
            assert_eq!(name.as_str(), "default");
        }
        assert_eq!(
            (c.log.level.as_str(), c.log.format),
            ("info", LogFormat::Text)
        );
        assert!(c.encryption.key.is_none() && c.store.url.is_none());
        assert!(c.check_exposure().is_ok());
        Ok(())
    });
}

#[test]
fn environment_overrides_file_and_flags_override_both() {
    jail(|jail| {
        jail.create_file(
            "pangolin.toml",
            r#"
            data_dir = "data"
            [server]
            bind = "127.0.0.1:9000"
            [store]
            max_connections = 3
            path = "db/p.db"
            [log]
            format = "json"
            "#,
        )?;
        jail.set_env("PANGOLIN_SERVER__BIND", "127.0.0.1:9001");
        jail.set_env("PANGOLIN_LOG__FORMAT", "text");
        let c = load(&with_file("pangolin.toml")).unwrap();
        assert_eq!(c.server.bind.port(), 9001, "env beats file");
        assert_eq!(c.log.format, LogFormat::Text);
        assert_eq!(c.store.max_connections, Some(3), "file beats default");
        assert_eq!(c.data_dir, cwd().join("data"));
        assert_eq!(c.sqlite_path(), cwd().join("db/p.db"));
        let flagged = Sources {
            bind: Some("127.0.0.1:9002".parse().unwrap()),
            ..with_file("pangolin.toml")
        };
        assert_eq!(
            load(&flagged).unwrap().server.bind.port(),
            9002,
            "--bind beats env"
        );
        Ok(())
    });
}

#[test]
fn environment_values_keep_their_types_and_aliases_work() {
    jail(|jail| {
        let c = load_env(
            jail,
            &[
                ("PANGOLIN_BOOTSTRAP__TENANT", "123"),
                ("PANGOLIN_BOOTSTRAP__ENABLED", "false"),
                ("PANGOLIN_STORE__MAX_CONNECTIONS", "16"),
                ("PANGOLIN_DATA_DIR", "/srv/pangolin"),
                ("PANGOLIN_LOG", "debug"),
                ("PANGOLIN_ENCRYPTION_KEY", KEY_HEX),
                // Not configuration: other tools' and the test suites' variables.
                ("PANGOLIN_CONFIG", "/nonexistent.toml"),
                ("PANGOLIN_TEST_POSTGRES_URL", "postgres://x@y/z"),
                ("PANGOLIN_TOKEN", "abc"),
            ],
        )
        .unwrap();
        assert_eq!(c.bootstrap.tenant.as_str(), "123");
        assert!(!c.bootstrap.enabled);
        assert_eq!(c.store.max_connections, Some(16));
        assert_eq!(c.data_dir, PathBuf::from("/srv/pangolin"));
        assert_eq!(c.log.level, "debug");
        assert_eq!(c.encryption.key.unwrap().expose(), KEY_HEX);
        Ok(())
    });
}

#[test]
fn postgres_settings_and_secret_files() {
    jail(|jail| {
        jail.create_file("dsn", "postgres://p:pw@db:5432/pangolin\n")?;
        jail.create_file("key", &format!("{KEY_HEX}\n"))?;
        let c = load_env(
            jail,
            &[
                ("PANGOLIN_STORE__BACKEND", "postgres"),
                ("PANGOLIN_STORE__URL_FILE", "dsn"),
                ("PANGOLIN_STORE__SCHEMA", "pangolin_1"),
                ("PANGOLIN_ENCRYPTION__KEY_FILE", "key"),
            ],
        )
        .unwrap();
        assert_eq!(c.store.backend, Backend::Postgres);
        assert_eq!(
            c.store.url.unwrap().expose(),
            "postgres://p:pw@db:5432/pangolin"
        );
        assert_eq!(c.store.schema.as_deref(), Some("pangolin_1"));
        assert_eq!(c.encryption.key.unwrap().expose(), KEY_HEX);
        Ok(())
    });
}

#[test]
fn secrets_and_dsn_passwords_are_redacted() {
    jail(|jail| {
        let c = load_env(
            jail,
            &[
                ("PANGOLIN_STORE__BACKEND", "postgres"),
                (
                    "PANGOLIN_STORE__URL",
                    "postgres://pangolin:hunter2@db:5432/p?sslmode=disable",
                ),
                ("PANGOLIN_ENCRYPTION__KEY", KEY_HEX),
            ],
        )
        .unwrap();
        for shown in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(!shown.contains("hunter2"), "DSN password leaked: {shown}");
            assert!(!shown.contains(KEY_HEX), "key leaked: {shown}");
            assert!(
                shown.contains("<redacted>") && shown.contains("***"),
                "{shown}"
            );
            assert!(
                shown.contains("db:5432"),
                "the rest of the DSN stays visible: {shown}"
            );
        }
        Ok(())
    });
}

#[test]
fn only_loopback_runs_without_authentication() {
    for (bind, ok) in [
        ("127.0.0.1:8181", true),
        ("127.0.0.2:1", true),
        ("[::1]:8181", true),
        ("0.0.0.0:8181", false),
        ("[::]:8181", false),
        ("192.168.1.10:8181", false),
    ] {
        jail(|jail| {
            let c = load_env(jail, &[("PANGOLIN_SERVER__BIND", bind)]).unwrap();
            match c.check_exposure() {
                Ok(()) => assert!(ok, "{bind} must be refused"),
                Err(e) => {
                    assert!(!ok, "{bind} must be allowed: {e}");
                    assert_eq!(e.key, "server.bind");
                    assert!(e.message.contains("Enable authentication"), "{e}");
                }
            }
            // With authentication on, any address may be bound.
            let secured = load_env(
                jail,
                &[
                    ("PANGOLIN_SERVER__BIND", bind),
                    ("PANGOLIN_AUTH__ENABLED", "true"),
                ],
            )
            .unwrap();
            assert!(secured.check_exposure().is_ok(), "{bind} with auth");
            Ok(())
        });
    }
}

#[test]
fn root_account_settings_come_from_the_short_variables() {
    jail(|jail| {
        jail.create_file("pw", "from-a-file-123\n")?;
        let c = load_env(
            jail,
            &[
                ("PANGOLIN_ROOT_USER", "admin"),
                ("PANGOLIN_ROOT_PASSWORD_FILE", "pw"),
            ],
        )
        .unwrap();
        assert_eq!(c.auth.root_user, "admin");
        assert_eq!(c.auth.root_password.unwrap().expose(), "from-a-file-123");
        let both = load_env(
            jail,
            &[
                ("PANGOLIN_ROOT_PASSWORD", "x"),
                ("PANGOLIN_ROOT_PASSWORD_FILE", "pw"),
            ],
        )
        .unwrap_err();
        assert!(both.to_string().contains("auth.root_password"), "{both}");
        let bad = load_env(jail, &[("PANGOLIN_AUTH__ACCESS_TOKEN_TTL_SECONDS", "5")]).unwrap_err();
        assert!(
            bad.to_string().contains("auth.access_token_ttl_seconds"),
            "{bad}"
        );
        Ok(())
    });
}

/// A default warehouse on S3 (e.g. moto), with the keys it uses.
const S3_BOOTSTRAP: &str = r#"
[bootstrap]
storage = { type = "s3", bucket = "lake", key-prefix = "e2e", region = "us-east-1", endpoint = "http://127.0.0.1:9000", path-style-access = true }
storage_secret = { type = "s3-access-key", access-key-id = "AKIDEXAMPLE", secret-access-key = "wJalrXUtnFEMI" }
"#;

#[test]
fn bootstrap_storage_takes_any_profile_and_its_secret_never_prints() {
    jail(|jail| {
        jail.create_file("pangolin.toml", S3_BOOTSTRAP)?;
        let c = load(&with_file("pangolin.toml")).unwrap();
        let StorageProfile::S3(s3) = c.bootstrap_storage() else {
            panic!("expected an S3 profile: {:?}", c.bootstrap.storage);
        };
        assert_eq!(
            (
                s3.bucket.as_str(),
                s3.key_prefix.as_deref(),
                s3.region.as_str()
            ),
            ("lake", Some("e2e"), "us-east-1")
        );
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(s3.path_style_access && !s3.allow_static_credential_vending);
        let secret = c.bootstrap.storage_secret.as_ref().expect("storage_secret");
        let WarehouseSecret::S3AccessKey {
            access_key_id,
            secret_access_key,
            session_token,
        } = secret.expose()
        else {
            panic!("expected S3 keys");
        };
        assert_eq!(
            (access_key_id.as_str(), secret_access_key.as_str()),
            ("AKIDEXAMPLE", "wJalrXUtnFEMI")
        );
        assert!(session_token.is_none());
        for shown in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            for leaked in ["AKIDEXAMPLE", "wJalrXUtnFEMI"] {
                assert!(!shown.contains(leaked), "{leaked} leaked: {shown}");
            }
            assert!(shown.contains("<redacted>"), "{shown}");
            assert!(shown.contains("lake"), "the profile stays visible: {shown}");
        }
        Ok(())
    });
}

#[test]
fn bootstrap_storage_defaults_to_a_file_warehouse_at_warehouse_root() {
    jail(|jail| {
        let c = load_env(jail, &[("PANGOLIN_BOOTSTRAP__WAREHOUSE_ROOT", "wh")]).unwrap();
        assert_eq!(
            c.bootstrap_storage(),
            StorageProfile::File(FileProfile {
                root: cwd().join("wh").to_string_lossy().into_owned()
            })
        );
        jail.clear_env();
        jail.create_file(
            "file.toml",
            "[bootstrap]\nstorage = { type = \"file\", root = \"rel/wh\" }\n",
        )?;
        let c = load(&with_file("file.toml")).unwrap();
        let StorageProfile::File(file) = c.bootstrap_storage() else {
            panic!("expected a file profile");
        };
        assert_eq!(
            PathBuf::from(file.root),
            cwd().join("rel/wh"),
            "made absolute"
        );
        Ok(())
    });
}
