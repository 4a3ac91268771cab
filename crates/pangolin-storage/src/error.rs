//! object_store errors → the domain [`Error`].
//!
//! Messages name the location and the operation, never credentials: object_store errors do
//! not carry them, and permission errors are reported without the backend's response body.

use std::error::Error as StdError;

use object_store::client::{HttpError, HttpErrorKind};
use pangolin_core::{Error, Kind};

/// Maps a failed `operation` on `location` (a full URL, for messages).
pub(crate) fn map(err: object_store::Error, operation: &str, location: &str) -> Error {
    use object_store::Error as OsError;
    match err {
        OsError::NotFound { .. } => Error::not_found(Kind::Table, location),
        OsError::AlreadyExists { .. } => Error::already_exists(Kind::Table, location),
        OsError::InvalidPath { .. } => {
            Error::invalid(format!("location '{location}' is not a valid object key"))
        }
        OsError::PermissionDenied { .. } | OsError::Unauthenticated { .. } => {
            Error::Forbidden(format!(
                "object storage denied {operation} of '{location}' with the warehouse credentials"
            ))
        }
        other if is_unavailable(&other) => {
            tracing::warn!(error = %other, operation, location, "object storage unavailable");
            Error::Unavailable(format!(
                "object storage is unreachable ({operation} of '{location}'); retry later"
            ))
        }
        other => Error::internal(format_args!("{operation} of '{location}' failed: {other}")),
    }
}

/// Connection failures and timeouts anywhere in the error's source chain.
fn is_unavailable(err: &object_store::Error) -> bool {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(http) = current.downcast_ref::<HttpError>() {
            return matches!(
                http.kind(),
                HttpErrorKind::Connect
                    | HttpErrorKind::Timeout
                    | HttpErrorKind::Interrupted
                    | HttpErrorKind::Request
            );
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
            );
        }
        source = current.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(msg: &str) -> Box<dyn StdError + Send + Sync> {
        msg.to_owned().into()
    }

    #[test]
    fn maps_each_kind() {
        let loc = "s3://b/k";
        let nf = object_store::Error::NotFound {
            path: "k".into(),
            source: boxed("x"),
        };
        assert!(
            matches!(map(nf, "read", loc), Error::NotFound { kind: Kind::Table, name } if name == loc)
        );
        let ae = object_store::Error::AlreadyExists {
            path: "k".into(),
            source: boxed("x"),
        };
        assert!(matches!(map(ae, "write", loc), Error::AlreadyExists { .. }));
        let denied = object_store::Error::PermissionDenied {
            path: "k".into(),
            source: boxed("AccessDenied for key AKIA-SECRET"),
        };
        let Error::Forbidden(msg) = map(denied, "read", loc) else {
            panic!("not forbidden")
        };
        assert!(!msg.contains("AKIA-SECRET"), "{msg}");
        let timeout = object_store::Error::Generic {
            store: "S3",
            source: Box::new(HttpError::new(
                HttpErrorKind::Timeout,
                std::io::Error::other("t"),
            )),
        };
        assert!(matches!(map(timeout, "read", loc), Error::Unavailable(_)));
        let other = object_store::Error::Generic {
            store: "S3",
            source: boxed("boom"),
        };
        assert!(matches!(map(other, "read", loc), Error::Internal { .. }));
    }
}
