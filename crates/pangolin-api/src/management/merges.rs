//! Merge, rebase and merge-operation routes.

use axum::Json;
use axum::extract::State;
use pangolin_catalog::branches::{MergeOutcome, MergeRequest, Strategy};
use pangolin_core::model::{MergeOperation, MergeStatus, Resolution};
use pangolin_core::{Error, MergeId, Name, TableIdent};
use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{MergeBody, RebaseBody, page_body};
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::iceberg::wire::PageParams;

type Reply<T> = Result<T, ApiError>;

pub(crate) async fn merge(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(catalog): PathParams<Name>,
    JsonBody(body): JsonBody<MergeBody>,
) -> Reply<Json<Value>> {
    let strategy = Strategy {
        default: body.strategy,
        tables: body
            .table_strategies
            .into_iter()
            .map(|t| (t.table, t.strategy))
            .collect(),
    };
    let request = MergeRequest {
        source: body.source,
        target: body.target,
        dry_run: body.dry_run,
        strategy,
        message: body.message,
    };
    let outcome = state.services().merge(&ctx, &catalog, request).await?;
    Ok(Json(outcome_body(outcome)))
}

pub(crate) async fn rebase(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, branch)): PathParams<(Name, Name)>,
    body: axum::body::Bytes,
) -> Reply<Json<Value>> {
    // The body is optional: an empty one means the default strategy.
    let body: RebaseBody = match body.is_empty() {
        true => RebaseBody::default(),
        false => crate::extract::parse_json(&body)?,
    };
    let strategy = Strategy {
        default: body.strategy,
        tables: Default::default(),
    };
    let outcome = state
        .services()
        .rebase(&ctx, &catalog, &branch, strategy)
        .await?;
    Ok(Json(outcome_body(outcome)))
}

/// `status` says what happened: `merged`, `conflicts`, `up-to-date` or `dry-run`.
fn outcome_body(outcome: MergeOutcome) -> Value {
    let changed = |changes: &[pangolin_catalog::branches::PlannedChange]| {
        changes
            .iter()
            .map(|c| json!({ "ident": c.ident, "to": c.source, "from": c.target }))
            .collect::<Vec<_>>()
    };
    match outcome {
        MergeOutcome::UpToDate => json!({ "status": "up-to-date" }),
        MergeOutcome::DryRun { changes, conflicts } => {
            json!({ "status": "dry-run", "changes": changed(&changes), "conflicts": conflicts })
        }
        MergeOutcome::Merged { commit, changes } => {
            json!({ "status": "merged", "commit": commit, "changes": changed(&changes) })
        }
        MergeOutcome::Conflicts { operation } => {
            json!({ "status": "conflicts", "conflicts": operation.conflicts, "merge": operation })
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    status: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(catalog): PathParams<Name>,
    QueryParams(query): QueryParams<ListQuery>,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => Some(
            MergeStatus::parse(s)
                .ok_or_else(|| Error::invalid(format!("unknown merge status {s:?}")))?,
        ),
    };
    let page = state
        .services()
        .list_merges(&ctx, &catalog, status, &page.to_request()?)
        .await?;
    Ok(Json(page_body("merges", page)))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, id)): PathParams<(Name, MergeId)>,
) -> Reply<Json<MergeOperation>> {
    Ok(Json(state.services().get_merge(&ctx, &catalog, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct ResolveBody {
    table: TableIdent,
    resolution: Resolution,
}

pub(crate) async fn resolve(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, id)): PathParams<(Name, MergeId)>,
    JsonBody(body): JsonBody<ResolveBody>,
) -> Reply<Json<MergeOperation>> {
    let op = state
        .services()
        .resolve_conflict(&ctx, &catalog, id, &body.table, body.resolution)
        .await?;
    Ok(Json(op))
}

pub(crate) async fn complete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, id)): PathParams<(Name, MergeId)>,
) -> Reply<Json<Value>> {
    let (op, commit) = state.services().complete_merge(&ctx, &catalog, id).await?;
    Ok(Json(
        json!({ "status": "merged", "merge": op, "commit": commit }),
    ))
}

pub(crate) async fn abort(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, id)): PathParams<(Name, MergeId)>,
) -> Reply<Json<MergeOperation>> {
    Ok(Json(
        state.services().abort_merge(&ctx, &catalog, id).await?,
    ))
}
