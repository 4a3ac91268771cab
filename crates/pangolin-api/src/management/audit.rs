//! The audit log: `GET /api/v1/audit` (filtered, newest first, always paginated),
//! `GET /api/v1/audit/count` and `POST /api/v1/audit/verify`. Who may read what is decided
//! by the service layer (`pangolin_catalog::audit`).

use axum::Json;
use axum::extract::State;
use pangolin_catalog::audit::{AuditQuery, AuditReport};
use pangolin_core::audit::AuditResult;
use pangolin_core::{Error, Name, PageRequest, PageToken, Result, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::page_body;
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::QueryParams;

/// Events per page when the client does not choose; the log only grows, so a list is
/// never unbounded.
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 1000;

/// The query parameters of the audit routes; unknown ones are a 400 (a misspelt filter must
/// not silently widen the answer).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditParams {
    since: Option<String>,
    until: Option<String>,
    principal: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    result: Option<String>,
    /// A tenant's name; root only.
    tenant: Option<String>,
    #[serde(rename = "pageToken")]
    page_token: Option<String>,
    #[serde(rename = "pageSize")]
    page_size: Option<String>,
}

impl AuditParams {
    fn query(&self) -> Result<AuditQuery> {
        let result = match self.result.as_deref() {
            None => None,
            Some(r) => Some(AuditResult::parse(r).ok_or_else(|| {
                Error::invalid(format!(
                    "result must be success, failure or denied, not {r:?}"
                ))
            })?),
        };
        Ok(AuditQuery {
            tenant: self.tenant.as_deref().map(Name::new).transpose()?,
            principal: self.principal.clone(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            result,
            since: time("since", self.since.as_deref())?,
            until: time("until", self.until.as_deref())?,
        })
    }

    fn page(&self) -> Result<PageRequest> {
        let size = match &self.page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(s) => s.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                Error::invalid(format!("pageSize must be a positive integer, not {s:?}"))
            })?,
        };
        let limit = Some(size.min(MAX_PAGE_SIZE));
        match self.page_token.as_deref() {
            None | Some("") => Ok(PageRequest { token: None, limit }),
            Some(token) => Ok(PageRequest::after(PageToken::parse(token)?, limit)),
        }
    }
}

/// An RFC 3339 time, e.g. `2025-06-01T12:00:00Z`.
fn time(name: &str, value: Option<&str>) -> Result<Option<Timestamp>> {
    value
        .map(|v| {
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|e| {
                    Error::invalid(format!("{name} must be an RFC 3339 time ({e}): {v:?}"))
                })
        })
        .transpose()
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(params): QueryParams<AuditParams>,
) -> Result<Json<Value>, ApiError> {
    let (query, page) = (params.query()?, params.page()?);
    let events = state.services().list_audit(&ctx, &query, &page).await?;
    Ok(Json(page_body("events", events)))
}

pub(crate) async fn count(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(params): QueryParams<AuditParams>,
) -> Result<Json<Value>, ApiError> {
    if params.page_token.is_some() || params.page_size.is_some() {
        return Err(Error::invalid("a count is not paginated: drop pageToken and pageSize").into());
    }
    let count = state.services().count_audit(&ctx, &params.query()?).await?;
    Ok(Json(json!({ "count": count })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyParams {
    /// A tenant's name; root only (root verifies every chain without it).
    tenant: Option<String>,
}

pub(crate) async fn verify(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(params): QueryParams<VerifyParams>,
) -> Result<Json<AuditReport>, ApiError> {
    let tenant = params.tenant.map(Name::new).transpose()?;
    let report = state.services().verify_audit(&ctx, tenant.as_ref()).await?;
    Ok(Json(report))
}
