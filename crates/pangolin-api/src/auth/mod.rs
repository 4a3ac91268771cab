//! Authentication routes: login and logout, browser login through external providers,
//! token revocation, the OAuth2 token endpoint Iceberg clients use, the public keys,
//! signing-key rotation, and account management (users, service users, API keys).

mod accounts;
mod browser;
mod oauth;
mod service_users;
mod tokens;
mod wire;

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;
use crate::authz_table::listed;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(listed("/api/v1/users/login"), post(tokens::login))
        .route(listed("/api/v1/users/logout"), post(tokens::logout))
        .route(listed("/api/v1/tokens/revoke"), post(tokens::revoke))
        .route(listed("/api/v1/keys/rotate"), post(tokens::rotate_keys))
        .route(listed("/.well-known/jwks.json"), get(tokens::jwks))
        .route(listed("/v1/oauth/tokens"), post(oauth::token))
        .route(listed("/api/v1/auth/providers"), get(browser::providers))
        .route(
            listed("/api/v1/auth/{provider}/authorize"),
            get(browser::authorize),
        )
        .route(
            listed("/api/v1/auth/{provider}/callback"),
            get(browser::callback),
        )
        .route(listed("/api/v1/auth/exchange"), post(browser::exchange))
        .route(
            listed("/v1/{prefix}/oauth/tokens"),
            post(oauth::token_with_prefix),
        )
        .route(listed("/api/v1/oauth/tokens"), post(oauth::token))
        .route(
            listed("/api/v1/users"),
            get(accounts::list).post(accounts::create),
        )
        .route(listed("/api/v1/users/me"), get(accounts::me))
        .route(
            listed("/api/v1/users/me/password"),
            put(accounts::change_password),
        )
        .route(
            listed("/api/v1/users/{id}"),
            get(accounts::get)
                .patch(accounts::update)
                .delete(accounts::delete),
        )
        .route(
            listed("/api/v1/service-users"),
            get(service_users::list).post(service_users::create),
        )
        .route(
            listed("/api/v1/service-users/{id}"),
            get(service_users::get)
                .patch(service_users::update)
                .delete(service_users::delete),
        )
        .route(
            listed("/api/v1/service-users/{id}/api-keys"),
            get(service_users::list_keys).post(service_users::create_key),
        )
        .route(
            listed("/api/v1/service-users/{id}/api-keys/{key_id}"),
            axum::routing::delete(service_users::revoke_key),
        )
        .route(
            listed("/api/v1/service-users/{id}/api-keys/{key_id}/rotate"),
            post(service_users::rotate_key),
        )
}
