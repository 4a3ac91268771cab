//! `pangolin-bench-ceiling BIND [BODY_FILE]`: the machine's HTTP ceiling for `bench/run.sh`.
//!
//! Serves `GET /v1/config` with a fixed JSON body (the real server's `/v1/config` response when
//! `BODY_FILE` is given) and nothing else, on the same runtime and `axum::serve` setup as
//! `pangolin serve`: a default multi-threaded tokio runtime and a router with connect info. The
//! benchmark measures it with the same load generator, so the catalog's numbers read as a
//! fraction of what this machine's HTTP stack can do at all. Not part of the product: nothing
//! depends on this crate.

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;

/// About the size and shape of the real `/v1/config` answer (1280 bytes when measured).
const DEFAULT_BODY: &str = r#"{"defaults":{},"overrides":{"prefix":"default"},"endpoints":["GET /v1/{prefix}/namespaces","POST /v1/{prefix}/namespaces","GET /v1/{prefix}/namespaces/{namespace}","HEAD /v1/{prefix}/namespaces/{namespace}","DELETE /v1/{prefix}/namespaces/{namespace}","POST /v1/{prefix}/namespaces/{namespace}/properties","GET /v1/{prefix}/namespaces/{namespace}/tables","POST /v1/{prefix}/namespaces/{namespace}/tables","GET /v1/{prefix}/namespaces/{namespace}/tables/{table}","HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}","POST /v1/{prefix}/namespaces/{namespace}/tables/{table}","DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}","POST /v1/{prefix}/namespaces/{namespace}/register","POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics","POST /v1/{prefix}/tables/rename","POST /v1/{prefix}/transactions/commit","GET /v1/{prefix}/namespaces/{namespace}/views","POST /v1/{prefix}/namespaces/{namespace}/views","GET /v1/{prefix}/namespaces/{namespace}/views/{view}","HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}","POST /v1/{prefix}/namespaces/{namespace}/views/{view}","DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}","POST /v1/{prefix}/namespaces/{namespace}/register-view","POST /v1/{prefix}/views/rename"],"idempotency-key-lifetime":"PT1800S"}"#;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pangolin-bench-ceiling: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let bind: SocketAddr = args
        .next()
        .ok_or("usage: pangolin-bench-ceiling BIND [BODY_FILE]")?
        .parse()
        .map_err(|e| format!("BIND: {e}"))?;
    let body = match args.next() {
        Some(path) => Bytes::from(std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?),
        None => Bytes::from_static(DEFAULT_BODY.as_bytes()),
    };
    let app = Router::new().route(
        "/v1/config",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    // The same runtime `pangolin serve` builds.
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| format!("binding {bind}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on http://{addr}");
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .map_err(|e| format!("serving: {e}"))
    })
}
