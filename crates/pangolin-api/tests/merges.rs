//! Merges, conflicts and their resolution, and rebase, through the real router.

mod branching;
mod common;

use axum::http::StatusCode;
use branching::*;
use common::{TestApp, assert_error, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    a_clean_merge_brings_branch_changes_to_main,
    changes_on_both_sides_conflict_until_resolved,
    a_dry_run_reports_without_writing,
    strategies_settle_conflicts_at_merge_time,
    aborted_merges_change_nothing,
    completion_is_refused_after_the_target_moved,
    partial_branches_merge_only_their_tables,
    rebase_brings_a_branch_up_to_its_base,
    merging_nothing_new_is_up_to_date,
);

fn dev_into_main() -> Value {
    json!({ "source": "dev", "target": "main" })
}

async fn a_clean_merge_brings_branch_changes_to_main(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    let on_dev = set_prop(&app, "default@dev", "t1", "k", "dev").await;
    let main_t2 = set_prop(&app, "default", "t2", "other", "main").await;
    let reply = merge(&app, dev_into_main()).await;
    assert_eq!(reply["status"], "merged", "{reply}");
    assert_eq!(
        reply["commit"]["parents"].as_array().unwrap().len(),
        2,
        "a merge commit has two parents"
    );
    assert_eq!(location(&load(&app, "default", "t1").await), on_dev);
    assert_eq!(
        location(&load(&app, "default", "t2").await),
        main_t2,
        "main's own change survives"
    );
    let (_, _, log) = app.get(&api("refs/main/commits"), None, &[]).await;
    assert_eq!(log["commits"][0]["message"], "merge dev into main");
}

async fn changes_on_both_sides_conflict_until_resolved(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    let on_dev = set_prop(&app, "default@dev", "t1", "side", "dev").await;
    set_prop(&app, "default", "t1", "side", "main").await;
    let reply = merge(&app, dev_into_main()).await;
    assert_eq!(reply["status"], "conflicts", "{reply}");
    assert_eq!(reply["conflicts"][0]["ident"], table_ref("t1"));
    let id = reply["merge"]["id"].as_str().unwrap().to_owned();
    let (_, _, open) = app.get(&api("merges?status=open"), None, &[]).await;
    assert_eq!(open["merges"][0]["id"], id.as_str());
    let reply = app
        .post(&api(&format!("merges/{id}/complete")), None, &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    assert_eq!(
        prop(&load(&app, "default", "t1").await, "side"),
        Some("main"),
        "nothing applied yet"
    );
    let resolve = json!({ "table": table_ref("t1"), "resolution": "take-source" });
    let (status, _, op) = app
        .post(&api(&format!("merges/{id}/resolve")), Some(resolve), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{op}");
    assert_eq!(op["conflicts"][0]["resolution"], "take-source");
    let (status, _, done) = app
        .post(&api(&format!("merges/{id}/complete")), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["merge"]["status"], "completed");
    assert_eq!(done["merge"]["result-commit"], done["commit"]["id"]);
    let t1 = load(&app, "default", "t1").await;
    assert_eq!(location(&t1), on_dev);
    assert_eq!(
        prop(&t1, "side"),
        Some("dev"),
        "the loser's change is not on main"
    );
}

async fn a_dry_run_reports_without_writing(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    set_prop(&app, "default@dev", "t1", "k", "dev").await;
    set_prop(&app, "default@dev", "t2", "k", "dev").await;
    set_prop(&app, "default", "t2", "k", "main").await;
    let before = location(&load(&app, "default", "t1").await).to_owned();
    let reply = merge(
        &app,
        json!({ "source": "dev", "target": "main", "dry-run": true }),
    )
    .await;
    assert_eq!(reply["status"], "dry-run");
    assert_eq!(reply["changes"].as_array().unwrap().len(), 1, "{reply}");
    assert_eq!(reply["changes"][0]["ident"], table_ref("t1"));
    assert_eq!(reply["conflicts"][0]["ident"], table_ref("t2"));
    assert_eq!(location(&load(&app, "default", "t1").await), before);
    let (_, _, merges) = app.get(&api("merges"), None, &[]).await;
    assert_eq!(merges["merges"], json!([]), "a dry run records nothing");
}

async fn strategies_settle_conflicts_at_merge_time(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    let dev_t1 = set_prop(&app, "default@dev", "t1", "side", "dev").await;
    set_prop(&app, "default@dev", "t2", "side", "dev").await;
    set_prop(&app, "default", "t1", "side", "main").await;
    let main_t2 = set_prop(&app, "default", "t2", "side", "main").await;
    let body = json!({
        "source": "dev", "target": "main", "strategy": "take-target",
        "table-strategies": [{ "table": table_ref("t1"), "strategy": "take-source" }]
    });
    let reply = merge(&app, body).await;
    assert_eq!(reply["status"], "merged", "{reply}");
    assert_eq!(location(&load(&app, "default", "t1").await), dev_t1);
    assert_eq!(location(&load(&app, "default", "t2").await), main_t2);
}

async fn aborted_merges_change_nothing(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    set_prop(&app, "default@dev", "t1", "side", "dev").await;
    let main_t1 = set_prop(&app, "default", "t1", "side", "main").await;
    let id = merge(&app, dev_into_main()).await["merge"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, op) = app
        .post(&api(&format!("merges/{id}/abort")), None, &[])
        .await;
    assert_eq!(
        (status, op["status"].as_str()),
        (StatusCode::OK, Some("aborted"))
    );
    let reply = app
        .post(&api(&format!("merges/{id}/complete")), None, &[])
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    assert_eq!(location(&load(&app, "default", "t1").await), main_t1);
    let reply = app
        .get(
            &api("merges/0190a0b0-0000-7000-8000-000000000000"),
            None,
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchMergeException");
}

async fn completion_is_refused_after_the_target_moved(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    set_prop(&app, "default@dev", "t1", "side", "dev").await;
    set_prop(&app, "default", "t1", "side", "main").await;
    let id = merge(&app, dev_into_main()).await["merge"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resolve = json!({ "table": table_ref("t1"), "resolution": "take-source" });
    app.post(&api(&format!("merges/{id}/resolve")), Some(resolve), &[])
        .await;
    let moved = set_prop(&app, "default", "t2", "late", "main").await;
    let reply = app
        .post(&api(&format!("merges/{id}/complete")), None, &[])
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    assert!(
        reply.2["error"]["message"]
            .as_str()
            .unwrap()
            .contains("moved"),
        "{}",
        reply.2
    );
    assert_eq!(location(&load(&app, "default", "t2").await), moved);
}

async fn partial_branches_merge_only_their_tables(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "p", "tables": [table_ref("t1")] })).await;
    let p_t1 = set_prop(&app, "default@p", "t1", "k", "p").await;
    let main_t2 = set_prop(&app, "default", "t2", "k", "main").await;
    let reply = merge(&app, json!({ "source": "p", "target": "main" })).await;
    assert_eq!(reply["status"], "merged", "{reply}");
    assert_eq!(
        reply["changes"].as_array().unwrap().len(),
        1,
        "only t1: {reply}"
    );
    assert_eq!(location(&load(&app, "default", "t1").await), p_t1);
    assert_eq!(
        location(&load(&app, "default", "t2").await),
        main_t2,
        "t2 untouched, not deleted"
    );
}

async fn rebase_brings_a_branch_up_to_its_base(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    let dev_t1 = set_prop(&app, "default@dev", "t1", "k", "dev").await;
    let main_t2 = set_prop(&app, "default", "t2", "k", "main").await;
    let (status, _, reply) = app.post(&api("branches/dev/rebase"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["status"], "merged");
    assert_eq!(location(&load(&app, "default@dev", "t2").await), main_t2);
    assert_eq!(location(&load(&app, "default@dev", "t1").await), dev_t1);
    assert_eq!(
        merge(&app, dev_into_main()).await["status"],
        "merged",
        "then dev merges cleanly"
    );
    assert_eq!(location(&load(&app, "default", "t1").await), dev_t1);
}

async fn merging_nothing_new_is_up_to_date(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    assert_eq!(merge(&app, dev_into_main()).await["status"], "up-to-date");
    create_tag(&app, "v1").await;
    let reply = app
        .post(
            &api("merges"),
            Some(json!({ "source": "dev", "target": "v1" })),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let reply = app
        .post(&api("merges"), Some(json!({ "source": "dev" })), &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}
