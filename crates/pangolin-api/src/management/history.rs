//! Commit log, single commits and diffs.

use axum::Json;
use axum::extract::State;
use pangolin_catalog::branches::{Source, TableDiff};
use pangolin_core::model::Commit;
use pangolin_core::{CommitId, Error, Name, Result, TableIdent};
use serde::Deserialize;
use serde_json::Value;

use super::wire::page_body;
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{PathParams, QueryParams};
use crate::iceberg::wire::PageParams;

#[derive(Debug, Deserialize)]
pub(crate) struct LogQuery {
    /// With `table`: only commits touching that table. Levels separated by 0x1F.
    namespace: Option<String>,
    table: Option<String>,
}

impl LogQuery {
    fn table(&self) -> Result<Option<TableIdent>> {
        match (&self.namespace, &self.table) {
            (None, None) => Ok(None),
            (Some(ns), Some(t)) => {
                let levels: Vec<&str> = ns.split(pangolin_core::name::UNIT_SEPARATOR).collect();
                TableIdent::from_strs(&levels, t).map(Some)
            }
            _ => Err(Error::invalid(
                "filter by table with both namespace and table",
            )),
        }
    }
}

pub(crate) async fn log(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, reference)): PathParams<(Name, Name)>,
    QueryParams(query): QueryParams<LogQuery>,
    QueryParams(page): PageParams,
) -> Result<Json<Value>, ApiError> {
    let table = query.table()?;
    let page = state
        .services()
        .commit_log(
            &ctx,
            &catalog,
            &reference,
            table.as_ref(),
            &page.to_request()?,
        )
        .await?;
    Ok(Json(page_body("commits", page)))
}

pub(crate) async fn commit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, id)): PathParams<(Name, CommitId)>,
) -> Result<Json<Commit>, ApiError> {
    Ok(Json(state.services().get_commit(&ctx, &catalog, id).await?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DiffQuery {
    from: String,
    to: String,
}

/// `from`/`to` name a branch or tag, or a commit id.
fn source(s: &str) -> Result<Source> {
    match s.parse::<CommitId>() {
        Ok(c) => Ok(Source::Commit(c)),
        Err(_) => Name::new(s).map(Source::Ref),
    }
}

pub(crate) async fn diff(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(catalog): PathParams<Name>,
    QueryParams(query): QueryParams<DiffQuery>,
) -> Result<Json<Value>, ApiError> {
    let (from, to) = (source(&query.from)?, source(&query.to)?);
    let diffs: Vec<TableDiff> = state.services().diff(&ctx, &catalog, &from, &to).await?;
    Ok(Json(
        serde_json::json!({ "from": query.from, "to": query.to, "tables": diffs }),
    ))
}
