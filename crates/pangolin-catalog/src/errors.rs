//! Maps errors of the `iceberg` crate into the domain error.

use pangolin_core::{Error, Kind};

/// Requirement failures are retryable conflicts (409); invalid updates are bad requests (400).
pub(crate) fn from_iceberg(e: iceberg::Error) -> Error {
    use iceberg::ErrorKind as K;
    let message = e.to_string();
    match e.kind() {
        K::CatalogCommitConflicts => Error::conflict(message, None),
        K::TableNotFound => Error::not_found(Kind::Table, message),
        K::NamespaceNotFound => Error::not_found(Kind::Namespace, message),
        K::TableAlreadyExists | K::NamespaceAlreadyExists => {
            Error::already_exists(Kind::Table, message)
        }
        K::DataInvalid | K::PreconditionFailed | K::FeatureUnsupported => Error::invalid(message),
        _ => Error::internal(message),
    }
}

/// A malformed JSON document from a client or a file.
pub(crate) fn bad_json(what: &str, e: serde_json::Error) -> Error {
    Error::invalid(format!("invalid {what}: {e}"))
}
