//! `GET /v1/config`: which catalog (and reference) a client's `warehouse` names.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use pangolin_catalog::Prefix;
use pangolin_core::{Error, Name};
use serde::Deserialize;

use super::ENDPOINTS;
use super::wire::CatalogConfig;
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::QueryParams;

/// The catalog a client without a `warehouse` setting gets, when it exists.
const DEFAULT_CATALOG: &str = "default";

#[derive(Debug, Deserialize)]
pub(crate) struct ConfigQuery {
    warehouse: Option<String>,
}

pub(crate) async fn get_config(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(query): QueryParams<ConfigQuery>,
) -> Result<Json<CatalogConfig>, ApiError> {
    let prefix = match query.warehouse.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => Some(Prefix::parse(w)?),
        None => default_prefix(&state, &ctx).await?,
    };
    let mut overrides = BTreeMap::new();
    if let Some(prefix) = prefix {
        state.services().resolve(&ctx, &prefix).await?;
        overrides.insert("prefix".to_owned(), prefix.to_string());
    }
    Ok(Json(CatalogConfig {
        defaults: BTreeMap::new(),
        overrides,
        endpoints: ENDPOINTS.to_vec(),
        idempotency_key_lifetime: format!("PT{}S", state.config().idempotency_lifetime.as_secs()),
    }))
}

/// `default` when the tenant has such a catalog, so `uri=...` alone works for newcomers.
async fn default_prefix(
    state: &AppState,
    ctx: &pangolin_catalog::RequestContext,
) -> Result<Option<Prefix>, Error> {
    let name = Name::new(DEFAULT_CATALOG)?;
    match state
        .store()
        .get_catalog_by_name(ctx.tenant_id, &name)
        .await
    {
        Ok(_) => Ok(Some(Prefix::parse(DEFAULT_CATALOG)?)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
