//! The authorization table and the router agree: every route in the table is served with
//! exactly the table's methods, and (checked when the router is built) every served path is in
//! the table.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use common::TestApp;
use pangolin_api::authz_table::{ROUTES, find};

/// A concrete URI for a path template: every `{param}` becomes `x`.
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push('x');
            }
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn the_router_serves_exactly_the_tables_methods_on_each_path() {
    let app = TestApp::memory().await;
    let mut table: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for route in ROUTES {
        table
            .entry(route.path)
            .or_default()
            .insert(route.method.to_owned());
    }
    for (path, mut methods) in table {
        // `GET` routes answer `HEAD` too (axum), with the `GET` handler and requirement.
        if methods.contains("GET") {
            methods.insert("HEAD".to_owned());
        }
        let uri = concrete(path);
        let (status, headers, _) = app.send_bytes(Method::TRACE, &uri, Vec::new(), &[]).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{path} is not routed"
        );
        let allowed: BTreeSet<String> = headers["allow"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_owned())
            .collect();
        assert_eq!(
            allowed, methods,
            "{path}: the router and the table disagree"
        );
    }
}

#[test]
fn implicit_head_requests_need_what_get_needs() {
    let head = find("HEAD", "/api/v1/users/me").expect("HEAD falls back to GET");
    assert_eq!(head.method, "GET");
    let explicit = find("HEAD", "/v1/{prefix}/namespaces/{namespace}").unwrap();
    assert_eq!(explicit.method, "HEAD");
    assert!(find("TRACE", "/api/v1/users/me").is_none());
}
