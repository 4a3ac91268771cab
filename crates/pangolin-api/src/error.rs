//! The one map from domain errors to HTTP: status + Iceberg error `type`, in the spec's
//! envelope `{"error": {"message", "type", "code"}}`. 5xx responses carry an error id, never
//! internals; the internals are logged with that id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pangolin_core::{Error, Kind};
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError(pub Error);

/// Why a request was refused (403), attached to the response for the denial audit.
#[derive(Debug, Clone)]
pub(crate) struct DenialReason(pub(crate) String);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    message: String,
    #[serde(rename = "type")]
    kind: &'a str,
    code: u16,
}

/// The HTTP status and Iceberg exception type for an error.
pub fn classify(e: &Error) -> (StatusCode, &'static str) {
    match e {
        Error::NotFound { kind, .. } => (StatusCode::NOT_FOUND, not_found_type(*kind)),
        Error::AlreadyExists { .. } => (StatusCode::CONFLICT, "AlreadyExistsException"),
        Error::NotEmpty {
            kind: Kind::Namespace,
            ..
        } => (StatusCode::CONFLICT, "NamespaceNotEmptyException"),
        Error::NotEmpty { .. } => (StatusCode::CONFLICT, "NotEmptyException"),
        Error::Conflict { .. } => (StatusCode::CONFLICT, "CommitFailedException"),
        Error::InvalidInput(_) => (StatusCode::BAD_REQUEST, "BadRequestException"),
        Error::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "NotAuthorizedException"),
        Error::Forbidden(_) => (StatusCode::FORBIDDEN, "ForbiddenException"),
        Error::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsException"),
        Error::NotImplemented(_) => (StatusCode::NOT_IMPLEMENTED, "UnsupportedOperationException"),
        Error::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableException",
        ),
        Error::CommitStateUnknown(_) => (StatusCode::BAD_GATEWAY, "CommitStateUnknownException"),
        Error::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError"),
    }
}

fn not_found_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Table => "NoSuchTableException",
        Kind::View => "NoSuchViewException",
        Kind::Namespace => "NoSuchNamespaceException",
        Kind::Catalog | Kind::Warehouse => "NoSuchWarehouseException",
        Kind::Tenant => "NoSuchTenantException",
        Kind::Reference => "NoSuchReferenceException",
        Kind::Commit => "NoSuchCommitException",
        Kind::Merge => "NoSuchMergeException",
        Kind::IdempotencyKey
        | Kind::User
        | Kind::ServiceUser
        | Kind::ApiKey
        | Kind::Role
        | Kind::Grant
        | Kind::SigningKey => "NotFoundException",
    }
}

/// The client-facing message: internals are replaced by the error id.
fn public_message(e: &Error) -> String {
    match e {
        Error::Internal { id, message } => {
            tracing::error!(error_id = %id, "internal error: {message}");
            format!("internal server error (error id {id})")
        }
        other => other.to_string(),
    }
}

/// The `type` of an error response, kept on the response for the middleware that records
/// failures in the audit log (so it need not parse the body).
#[derive(Debug, Clone)]
pub(crate) struct ErrorType(pub(crate) String);

/// A response in the Iceberg error envelope.
pub fn error_response(status: StatusCode, kind: &str, message: String) -> Response {
    let body = Envelope {
        error: Body {
            message,
            kind,
            code: status.as_u16(),
        },
    };
    let mut response = (status, Json(body)).into_response();
    response.extensions_mut().insert(ErrorType(kind.to_owned()));
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = classify(&self.0);
        let mut response = error_response(status, kind, public_message(&self.0));
        if let Error::Forbidden(reason) = &self.0 {
            response
                .extensions_mut()
                .insert(DenialReason(reason.clone()));
        }
        if let Error::RateLimited { retry_after_secs } = self.0 {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

/// Unknown routes answer in the same envelope as everything else.
pub(crate) async fn not_found_fallback(uri: axum::http::Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "NotFoundException",
        format!("no route for {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internals_never_reach_clients() {
        let e = Error::internal("password=hunter2 at db.example");
        let msg = public_message(&e);
        assert!(!msg.contains("hunter2"));
        assert!(msg.contains("error id"));
        assert_eq!(classify(&e).0, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn kinds_map_to_iceberg_types() {
        let t = classify(&Error::not_found(Kind::Table, "a.b"));
        assert_eq!(t, (StatusCode::NOT_FOUND, "NoSuchTableException"));
        let ns = classify(&Error::not_empty(Kind::Namespace, "a", "tables"));
        assert_eq!(ns, (StatusCode::CONFLICT, "NamespaceNotEmptyException"));
        let c = classify(&Error::conflict("stale", None));
        assert_eq!(c, (StatusCode::CONFLICT, "CommitFailedException"));
        assert_eq!(
            classify(&Error::CommitStateUnknown("x".into())).0.as_u16(),
            502
        );
    }
}
