//! The real binary: `serve` on the embedded defaults, shutdown, refusals, `migrate`, `healthcheck`.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{Server, data_dir, get, pangolin, run, stderr, workdir};

#[test]
fn serve_with_no_configuration_uses_sqlite_under_pangolin_data() {
    let dir = workdir();
    let server = Server::start(dir.path(), &[]);
    assert_eq!(get(server.addr, "/health/live").0, 200);
    let (status, body) = get(server.addr, "/health/ready");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("sqlite"), "{body}");

    let data = data_dir(dir.path());
    assert!(data.join("pangolin.db").is_file());
    assert!(data.join("warehouse").is_dir());
    let key = data.join("encryption.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the generated key must be private");
    assert!(server.log().contains("generated a new encryption key"));

    let (status, log) = server.stop("TERM");
    assert!(
        status.success(),
        "SIGTERM must exit 0, got {status}:\n{log}"
    );
    assert!(log.contains("received SIGTERM"), "{log}");
}

#[test]
fn a_second_start_keeps_the_defaults_and_the_key() {
    let dir = workdir();
    let first = Server::start(dir.path(), &[]);
    let first_log = first.stop("TERM").1;
    assert_eq!(
        first_log.matches("bootstrap created").count(),
        3,
        "{first_log}"
    );
    let key_path = data_dir(dir.path()).join("encryption.key");
    let key = std::fs::read_to_string(&key_path).unwrap();

    let second = Server::start(dir.path(), &[]);
    assert_eq!(get(second.addr, "/health/ready").0, 200);
    let (status, log) = second.stop("INT");
    assert!(status.success(), "SIGINT must exit 0, got {status}:\n{log}");
    assert!(
        !log.contains("bootstrap created"),
        "bootstrap must be idempotent:\n{log}"
    );
    assert!(log.contains("defaults ready"), "{log}");
    assert_eq!(
        std::fs::read_to_string(&key_path).unwrap(),
        key,
        "key must be reused"
    );
}

#[test]
fn bad_configuration_exits_2_naming_the_key() {
    let dir = workdir();
    let out = run(pangolin(dir.path()).env("PANGOLIN_STORE__BACKEND", "mysql"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("invalid configuration: store.backend"),
        "{err}"
    );
    assert!(err.contains("PANGOLIN_STORE__BACKEND"), "{err}");

    std::fs::write(dir.path().join("p.toml"), "[server]\nbind = \"nowhere\"\n").unwrap();
    let out = run(pangolin(dir.path()).args(["--config", "p.toml", "serve"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("server.bind"), "{}", stderr(&out));

    // A bad identity provider stops the start the same way, and no secret is echoed.
    let oidc = "[[auth.oidc]]\nname = \"corp\"\nissuer = \"http://idp.example\"\n\
                client_id = \"ui\"\nclient_secret = \"corp-s3cret\"\ntenant = \"default\"\n";
    std::fs::write(dir.path().join("oidc.toml"), oidc).unwrap();
    let out = run(pangolin(dir.path()).args(["--config", "oidc.toml", "serve"]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("auth.oidc.0.issuer") && err.contains("https"),
        "{err}"
    );
    assert!(!err.contains("corp-s3cret"), "{err}");

    let out = run(pangolin(dir.path()).env("PANGOLIN_CONFIG", "absent.toml"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    assert!(
        !data_dir(dir.path()).exists(),
        "nothing may be created on bad config"
    );
}

#[test]
fn non_loopback_bind_without_authentication_is_refused() {
    let dir = workdir();
    let by_flag = run(pangolin(dir.path()).args(["serve", "--bind", "0.0.0.0:0"]));
    let by_env = run(pangolin(dir.path()).env("PANGOLIN_SERVER__BIND", "0.0.0.0:0"));
    for out in [by_flag, by_env] {
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("server.bind"), "{err}");
        assert!(
            err.contains("Enable authentication (auth.enabled = true"),
            "{err}"
        );
    }
    assert!(
        !data_dir(dir.path()).exists(),
        "refused before touching any data"
    );
}

#[test]
fn migrate_is_idempotent() {
    let dir = workdir();
    for _ in 0..2 {
        let out = run(pangolin(dir.path()).arg("migrate"));
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert!(data_dir(dir.path()).join("pangolin.db").is_file());
}

#[test]
fn healthcheck_reports_the_server_state() {
    let dir = workdir();
    let server = Server::start(dir.path(), &[("PANGOLIN_STORE__BACKEND", "memory")]);
    let by_url = run(pangolin(dir.path()).args(["healthcheck", "--url", &server.url()]));
    assert!(by_url.status.success(), "{}", stderr(&by_url));
    let bind = server.addr.to_string();
    let by_config = run(pangolin(dir.path())
        .arg("healthcheck")
        .env("PANGOLIN_SERVER__BIND", &bind));
    assert!(by_config.status.success(), "{}", stderr(&by_config));
    server.stop("TERM");

    let closed =
        run(pangolin(dir.path()).args(["healthcheck", "--url", &format!("http://{bind}")]));
    assert_eq!(closed.status.code(), Some(1), "{}", stderr(&closed));
}
