//! The audit API (`/api/v1/audit`, `/count`, `/verify`) and the records of failures and
//! denials, through the real router. (Tampering with the file: `audit_sqlite.rs`.)

mod audit_log;
mod common;

use audit_log::*;
use axum::http::{Method, StatusCode};
use common::{TestApp, assert_error, backend_tests, namespaces_uri};
use pangolin_api::{ApiConfig, AppState};
use pangolin_core::audit::AuditResult;
use serde_json::{Value, json};

backend_tests!(
    filters_select_and_count_matches,
    pages_walk_the_log_newest_first_once,
    bad_filters_are_400,
    only_root_chooses_the_tenant_and_refusals_are_recorded,
    a_failed_mutation_leaves_one_failure_and_a_successful_one_one_success,
    unauthenticated_requests_are_recorded_as_denied,
    verification_passes_on_an_untouched_log,
    request_ids_are_echoed_kept_from_the_client_and_recorded,
);

async fn create_namespace(app: &TestApp, name: &str) -> common::Reply {
    let body = json!({ "namespace": [name] });
    app.post(&namespaces_uri(), Some(body), &[]).await
}

/// Namespaces `a`, `b`, `c` created, and `a` again (409): three successes, one failure.
async fn some_history(app: &TestApp) {
    for name in ["a", "b", "c"] {
        assert_eq!(create_namespace(app, name).await.0, StatusCode::OK);
    }
    assert_eq!(create_namespace(app, "a").await.0, StatusCode::CONFLICT);
}

async fn get_events(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, _, reply) = app.get(&format!("/api/v1/audit{query}"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{query}: {reply}");
    let count_query = query.replace("pageSize=1000&", "");
    let (status, _, count) = app
        .get(&format!("/api/v1/audit/count{count_query}"), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{count_query}: {count}");
    let events = reply["events"].as_array().unwrap().clone();
    assert_eq!(count["count"], events.len(), "{query}: count matches list");
    events
}

fn actions(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

async fn filters_select_and_count_matches(app: TestApp) {
    some_history(&app).await;
    let all = get_events(&app, "?pageSize=1000&").await;
    assert_eq!(
        actions(&all),
        [
            "POST /v1/{prefix}/namespaces",
            "namespace.create",
            "namespace.create",
            "namespace.create"
        ]
    );
    assert_eq!(all[0]["result"], "failure");
    assert_eq!(all[0]["tenant-id"], app.tenant.id.to_string());
    assert_eq!(
        all[1]["resource"], "catalog/default@main/namespace/c",
        "{}",
        all[1]
    );

    let created = get_events(&app, "?pageSize=1000&action=namespace.create").await;
    assert_eq!(created.len(), 3);
    assert_eq!(
        get_events(&app, "?pageSize=1000&result=failure")
            .await
            .len(),
        1
    );
    assert_eq!(
        get_events(&app, "?pageSize=1000&result=denied").await.len(),
        0
    );
    let by_anonymous = get_events(&app, "?pageSize=1000&principal=anonymous").await;
    assert_eq!(by_anonymous.len(), 4);
    assert!(
        get_events(&app, "?pageSize=1000&principal=bob")
            .await
            .is_empty()
    );
    let on_b = get_events(
        &app,
        "?pageSize=1000&resource=catalog/default%40main/namespace/b",
    )
    .await;
    assert_eq!(on_b.len(), 1);

    // `since` is inclusive, `until` exclusive.
    let second = all[2]["time"].as_str().unwrap().replace('+', "%2B");
    let since = get_events(&app, &format!("?pageSize=1000&since={second}")).await;
    assert_eq!(since.len(), 3, "{since:?}");
    let until = get_events(&app, &format!("?pageSize=1000&until={second}")).await;
    assert_eq!(until.len(), 1, "{until:?}");
    let both = format!("?pageSize=1000&since={second}&until={second}");
    assert!(get_events(&app, &both).await.is_empty());
    let combined = "?pageSize=1000&action=namespace.create&principal=anonymous&result=success";
    assert_eq!(get_events(&app, combined).await.len(), 3);
}

async fn pages_walk_the_log_newest_first_once(app: TestApp) {
    some_history(&app).await;
    let all = get_events(&app, "?pageSize=1000&").await;
    let mut walked = Vec::new();
    let mut token = String::new();
    loop {
        let uri = format!("/api/v1/audit?pageSize=1&pageToken={token}");
        let (status, _, page) = app.get(&uri, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        walked.extend(page["events"].as_array().unwrap().iter().cloned());
        match page["next-page-token"].as_str() {
            Some(next) => token = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(walked, all);
    // Without a page size, a page is 100 events at most; the token continues it.
    let (_, _, first) = app.get("/api/v1/audit", None, &[]).await;
    assert_eq!(first["events"].as_array().unwrap().len(), 4);
    assert!(first.get("next-page-token").is_none(), "{first}");
}

async fn bad_filters_are_400(app: TestApp) {
    for query in [
        "?since=yesterday",
        "?until=2025-13-01T00:00:00Z",
        "?since=2025-06-01",
        "?result=maybe",
        "?pageSize=0",
        "?pageSize=many",
        "?pageToken=not-a-token",
        "?tenant=a%2Fb",
        "?actor=alice",
    ] {
        let reply = app.get(&format!("/api/v1/audit{query}"), None, &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let reply = app
            .get(&format!("/api/v1/audit/count{query}"), None, &[])
            .await;
        if !query.starts_with("?page") {
            assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        }
    }
    let reply = app.get("/api/v1/audit/count?pageSize=5", None, &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let reply = app.post("/api/v1/audit/verify?chain=x", None, &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    // A failed POST is a failure record; the GETs are not recorded.
    let events = all_events(&app).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].action, "POST /api/v1/audit/verify");
    assert_eq!(events[0].result, AuditResult::Failure);
}

async fn only_root_chooses_the_tenant_and_refusals_are_recorded(app: TestApp) {
    let (_, headers, _) = app.get("/api/v1/audit?tenant=acme", None, &[]).await;
    let reply = app.get("/api/v1/audit?tenant=acme", None, &[]).await;
    assert_error(&reply, StatusCode::FORBIDDEN, "ForbiddenException");
    let reply = app
        .post("/api/v1/audit/verify?tenant=acme", None, &[])
        .await;
    assert_error(&reply, StatusCode::FORBIDDEN, "ForbiddenException");

    let denied = events_of(&app, &request_id(&headers)).await;
    assert_eq!(denied.len(), 1, "{denied:?}");
    let e = &denied[0];
    assert_eq!(e.result, AuditResult::Denied);
    assert_eq!(e.action, "GET /api/v1/audit");
    assert_eq!(e.resource, "/api/v1/audit");
    assert_eq!(e.principal, "anonymous");
    assert_eq!(e.tenant_id, Some(app.tenant.id));
    assert_eq!(
        e.summary,
        json!({
            "status": 403,
            "error": "ForbiddenException",
            "reason": "only root may choose the tenant of the audit log to read"
        })
    );
    let all = all_events(&app).await;
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all.iter().all(|e| e.result == AuditResult::Denied));
}

async fn a_failed_mutation_leaves_one_failure_and_a_successful_one_one_success(app: TestApp) {
    let (status, ok_headers, _) = create_namespace(&app, "db").await;
    assert_eq!(status, StatusCode::OK);
    let (status, failed_headers, _) = app
        .send(
            Method::POST,
            &namespaces_uri(),
            Some(json!({ "namespace": ["db"] })),
            &[("user-agent", "PyIceberg/0.9.1")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let success = events_of(&app, &request_id(&ok_headers)).await;
    assert_eq!(success.len(), 1, "{success:?}");
    assert_eq!(success[0].result, AuditResult::Success);
    assert_eq!(success[0].action, "namespace.create");
    let failure = events_of(&app, &request_id(&failed_headers)).await;
    assert_eq!(failure.len(), 1, "{failure:?}");
    let f = &failure[0];
    assert_eq!(f.result, AuditResult::Failure);
    assert_eq!(f.action, "POST /v1/{prefix}/namespaces");
    assert_eq!(f.resource, "/v1/default/namespaces");
    assert_eq!(f.principal, "anonymous");
    assert_eq!(f.tenant_id, Some(app.tenant.id));
    assert_eq!(f.user_agent.as_deref(), Some("PyIceberg/0.9.1"));
    assert_eq!(
        f.summary,
        json!({ "status": 409, "error": "AlreadyExistsException" })
    );
    assert_eq!(all_events(&app).await.len(), 2);

    let chained = verify_ok(&app).await;
    assert_eq!(chained[..2], [success[0].id, f.id]);
}

async fn unauthenticated_requests_are_recorded_as_denied(app: TestApp) {
    // Authentication on and no credentials: every request is refused.
    let locked = pangolin_api::router(AppState::with_services(
        app.state.services().clone(),
        ApiConfig::default(),
    ));
    let app = TestApp {
        router: locked,
        ..app
    };
    let reply = app.get(&namespaces_uri(), None, &[]).await;
    assert_error(&reply, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    let reply = create_namespace(&app, "db").await;
    assert_error(&reply, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    let events = all_events(&app).await;
    let seen: Vec<_> = events
        .iter()
        .map(|e| (e.action.as_str(), e.result))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST /v1/{prefix}/namespaces", AuditResult::Denied),
            ("GET /v1/{prefix}/namespaces", AuditResult::Denied),
        ]
    );
    for e in &events {
        // Nobody known: the chain of events outside any tenant.
        assert_eq!((e.principal.as_str(), e.tenant_id), ("anonymous", None));
        assert_eq!(e.summary["status"], 401);
    }
    app.store.seal_audit(10).await.unwrap();
    let chain = app.store.audit_chain(None, None, 10).await.unwrap();
    let denials = chain
        .iter()
        .filter(|e| e.event.action != audit_log::STARTUP_EVENT)
        .count();
    assert_eq!(denials, 2);
}

async fn verification_passes_on_an_untouched_log(app: TestApp) {
    some_history(&app).await;
    let (status, _, report) = app.post("/api/v1/audit/verify", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let chain = &report["chains"][0];
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(chain["chain"], app.tenant.id.to_string());
    assert_eq!(chain["tenant"], "acme");
    assert_eq!(chain["checked"], 4);
    assert_eq!(chain["head-seq"], 4);
    assert_eq!(chain["head-hash"].as_str().unwrap().len(), 64);
    assert_eq!(chain["problems"], json!([]));
    // The verification is on record, and chained by the next one.
    let verified = get_events(&app, "?pageSize=1000&action=audit.verify").await;
    assert_eq!(
        verified[0]["summary"],
        json!({ "ok": true, "chains": 1, "problems": 0 })
    );
    let (_, _, again) = app.post("/api/v1/audit/verify", None, &[]).await;
    assert_eq!(again["chains"][0]["checked"], 5, "{again}");
}

async fn request_ids_are_echoed_kept_from_the_client_and_recorded(app: TestApp) {
    // Made by the server: distinct per request, on every answer, the fallback's included.
    let (status, first, _) = app.get("/v1/config?warehouse=default", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, nowhere, _) = app.get("/no/such/route", None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (first, nowhere) = (request_id(&first), request_id(&nowhere));
    assert_ne!(first, nowhere);
    assert_eq!(first.len(), 21, "{first}");
    // The client's own id is kept, echoed, and names the request in the log.
    let theirs = [("x-request-id", "client-chosen-42")];
    let body = json!({ "namespace": ["db"] });
    let (status, _, _) = app.post(&namespaces_uri(), Some(body.clone()), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, _) = app.post(&namespaces_uri(), Some(body), &theirs).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(request_id(&headers), "client-chosen-42");
    let failure = events_of(&app, "client-chosen-42").await;
    assert_eq!(failure.len(), 1, "{failure:?}");
    assert_eq!(failure[0].result, AuditResult::Failure);
}
