//! Multi-table commits and renames.

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::tables::TableChange;
use pangolin_core::Error;

use super::paths;
use super::wire::{CommitTransactionRequest, RenameRequest};
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams};

pub(crate) async fn commit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(prefix): PathParams<String>,
    JsonBody(body): JsonBody<CommitTransactionRequest>,
) -> Result<StatusCode, ApiError> {
    let prefix = paths::prefix(&prefix)?;
    let mut changes = Vec::with_capacity(body.table_changes.len());
    for change in body.table_changes {
        let named = change.identifier.as_ref().ok_or_else(|| {
            Error::invalid("every table change of a transaction needs an identifier")
        })?;
        changes.push(TableChange {
            ident: paths::table_from_iceberg(named)?,
            requirements: change.requirements,
            updates: change.updates,
        });
    }
    state
        .services()
        .commit_transaction(&ctx, &prefix, changes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn rename_table(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(prefix): PathParams<String>,
    JsonBody(body): JsonBody<RenameRequest>,
) -> Result<StatusCode, ApiError> {
    let prefix = paths::prefix(&prefix)?;
    state
        .services()
        .rename_table(&ctx, &prefix, &body.source, &body.destination)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
