//! Pangolin's HTTP layer (axum). Handlers are thin: parse the request, call one service of
//! `pangolin-catalog`, map the result. Every error leaves through [`error::ApiError`], so every
//! failure has the Iceberg error envelope.

mod audit_failures;
mod auth;
pub mod authz_table;
mod context;
pub mod error;
mod extract;
mod gate;
mod health;
mod iceberg;
mod idempotency;
mod management;
mod request_id;
mod state;

pub use state::{ApiConfig, AppState};

use axum::{Router, middleware};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

const REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-request-id");

/// The complete HTTP application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(management::routes())
        .merge(auth::routes())
        .merge(iceberg::routes().layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::guard,
        )))
        .route_layer(middleware::from_fn_with_state(state.clone(), gate::gate))
        .fallback(error::not_found_fallback)
        .with_state(state.clone())
        // Inside the request id layers (it records the id) and around every route (it
        // needs the matched route).
        .layer(middleware::from_fn_with_state(
            state,
            audit_failures::record,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(
            REQUEST_ID,
            request_id::CountingRequestId::new(),
        ))
}
