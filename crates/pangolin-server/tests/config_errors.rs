//! Invalid configuration: every bad value is reported under its key, with where it came from.

// `Jail` closures must return `figment::Result`, whose error type is large; not ours to shrink.
#![allow(clippy::result_large_err)]

mod common;

use common::jail::{KEY_HEX, jail, load_env, with_file};
use pangolin_server::config::load;

/// Environment variables to set, the key the error must name, a fragment of its message.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

/// Each bad value is reported under its key, with the variable that set it.
#[test]
fn bad_environment_values_name_their_key() {
    let cases: &[Case] = &[
        (
            &[("PANGOLIN_STORE__BACKEND", "mysql")],
            "store.backend",
            r#"unknown variant "mysql", expected one of "sqlite", "postgres", "memory""#,
        ),
        (
            &[("PANGOLIN_SERVER__BIND", "localhost")],
            "server.bind",
            "invalid socket address",
        ),
        (
            &[("PANGOLIN_SERVER__BIND", "127.0.0.1:99999")],
            "server.bind",
            "invalid socket address",
        ),
        (
            &[("PANGOLIN_STORE__BACKEND", "postgres")],
            "store.url",
            "required",
        ),
        (
            &[("PANGOLIN_STORE__URL", "mysql://db/x")],
            "store.url",
            "postgres://",
        ),
        (
            &[("PANGOLIN_STORE__MAX_CONNECTIONS", "many")],
            "store.max_connections",
            "invalid type",
        ),
        (
            &[("PANGOLIN_STORE__MAX_CONNECTIONS", "0")],
            "store.max_connections",
            "at least 1",
        ),
        (
            &[("PANGOLIN_STORE__SCHEMA", "Bad-Name")],
            "store.schema",
            "identifier",
        ),
        (
            &[("PANGOLIN_SERVER__PORT", "1")],
            "server.port",
            "unknown key",
        ),
        (
            &[("PANGOLIN_LOG__FORMAT", "xml")],
            "log.format",
            "unknown variant",
        ),
        (&[("PANGOLIN_LOG", "a=b=c")], "log.level", "filter"),
        (
            &[("PANGOLIN_BOOTSTRAP__TENANT", "a/b")],
            "bootstrap.tenant",
            "invalid name",
        ),
        (
            &[("PANGOLIN_BOOTSTRAP__ENABLED", "maybe")],
            "bootstrap.enabled",
            "invalid type",
        ),
        (
            &[("PANGOLIN_ENCRYPTION__KEY", "abcd")],
            "encryption.key",
            "32 bytes",
        ),
        (
            &[("PANGOLIN_ENCRYPTION__KEY_FILE", "/nonexistent/key")],
            "encryption.key_file",
            "cannot read",
        ),
        (
            &[
                ("PANGOLIN_ENCRYPTION__KEY", KEY_HEX),
                ("PANGOLIN_ENCRYPTION__KEY_FILE", "k"),
            ],
            "encryption.key",
            "not both",
        ),
    ];
    for (vars, key, fragment) in cases {
        jail(|jail| {
            let err = load_env(jail, vars).expect_err(key);
            let text = err.to_string();
            assert!(
                err.names(key),
                "{vars:?}: expected an error naming {key}, got: {text}"
            );
            assert!(text.contains(fragment), "{vars:?}: {text}");
            assert!(text.starts_with("invalid configuration: "), "{text}");
            Ok(())
        });
    }
}

#[test]
fn errors_say_which_variable_or_file_set_the_value() {
    jail(|jail| {
        let err = load_env(jail, &[("PANGOLIN_STORE__BACKEND", "mysql")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("environment variable PANGOLIN_STORE__BACKEND"),
            "{err}"
        );
        jail.clear_env();
        let err = load_env(jail, &[("PANGOLIN_LOG", "a=b=c")]).unwrap_err();
        assert!(err.names("log.level"), "{err}");
        jail.clear_env();
        jail.create_file("bad.toml", "[store]\nbackend = \"mysql\"\n")?;
        let err = load(&with_file("bad.toml")).unwrap_err();
        assert!(
            err.names("store.backend") && err.to_string().contains("bad.toml"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
fn bad_files_name_their_key() {
    let cases = [
        ("colour = \"blue\"\n", "colour", "unknown key"),
        ("[store]\nbackend = 5\n", "store.backend", "invalid type"),
        ("[store]\ncolour = 1\n", "store.colour", "unknown key"),
        ("[server]\nbind = 8181\n", "server.bind", "invalid type"),
        (
            "[bootstrap]\nenabled = \"maybe\"\n",
            "bootstrap.enabled",
            "invalid type",
        ),
        ("server = 1\n", "server", "invalid type"),
    ];
    for (toml, key, fragment) in cases {
        jail(|jail| {
            jail.create_file("pangolin.toml", toml)?;
            let err = load(&with_file("pangolin.toml")).expect_err(key);
            assert!(err.names(key), "{toml:?}: {err}");
            assert!(err.to_string().contains(fragment), "{toml:?}: {err}");
            Ok(())
        });
    }
}

#[test]
fn missing_and_malformed_files_are_errors() {
    jail(|jail| {
        let err = load(&with_file("absent.toml")).unwrap_err();
        assert!(
            err.to_string().contains("absent.toml") && err.to_string().contains("does not exist")
        );
        jail.create_file("broken.toml", "[store\nbackend=")?;
        let err = load(&with_file("broken.toml")).unwrap_err();
        assert!(err.to_string().contains("broken.toml"), "{err}");
        Ok(())
    });
}

#[test]
fn invalid_bootstrap_storage_names_its_key() {
    let s3 = r#"type = "s3", bucket = "lake", region = "us-east-1""#;
    let keys = r#"type = "s3-access-key", access-key-id = "a", secret-access-key = "b""#;
    let cases = [
        (
            r#"storage = { type = "s3", bucket = "no such bucket!", region = "us-east-1" }"#
                .to_owned(),
            "bootstrap.storage",
            "storage.bucket",
        ),
        (
            r#"storage = { type = "s3", bucket = "b", region = "" }"#.to_owned(),
            "bootstrap.storage",
            "storage.region",
        ),
        (
            r#"storage = { type = "tape", bucket = "b" }"#.to_owned(),
            "bootstrap.storage.type",
            "unknown variant",
        ),
        (
            format!("storage = {{ {s3} }}\nwarehouse_root = \"/x\""),
            "bootstrap.warehouse_root",
            "not both",
        ),
        (
            format!("storage_secret = {{ {keys} }}"),
            "bootstrap.storage_secret",
            "does not fit the default warehouse's file storage",
        ),
        (
            format!(
                "storage = {{ {s3} }}\nstorage_secret = {{ type = \"azure-shared-key\", account-key = \"k\" }}"
            ),
            "bootstrap.storage_secret",
            "does not fit",
        ),
    ];
    for (toml, key, fragment) in cases {
        jail(|jail| {
            jail.create_file("pangolin.toml", &format!("[bootstrap]\n{toml}\n"))?;
            let err = load(&with_file("pangolin.toml")).expect_err(key);
            assert!(err.names(key), "{toml}: {err}");
            assert!(err.to_string().contains(fragment), "{toml}: {err}");
            Ok(())
        });
    }
}
