//! Pangolin's HTTP layer (axum). Handlers are thin: parse the request, call one service of
//! `pangolin-catalog`, map the result. Every error leaves through [`error::ApiError`], so every
//! failure has the Iceberg error envelope.

mod audit_failures;
mod auth;
pub mod authz_table;
mod context;
pub mod error;
mod extract;
mod front;
mod gate;
mod health;
mod iceberg;
mod idempotency;
mod management;
mod request_id;
mod route_service;
mod state;

pub use state::{ApiConfig, AppState};

use axum::Router;

/// The complete HTTP application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(management::routes())
        .merge(auth::routes())
        .merge(iceberg::routes().layer(idempotency::IdempotencyLayer(state.clone())))
        .fallback(error::not_found_fallback)
        .with_state(state.clone())
        // Applied per route after routing (the fallback included), so it sees the matched
        // route; the gate in it passes the fallback through.
        .layer(front::FrontLayer::new(state))
}
