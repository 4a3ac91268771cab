//! What both SQL dialects share: the dialect interface, row decoding, commit planning, error
//! mapping, and value encoding helpers.

pub(crate) mod decode;
pub(crate) mod dialect;
pub(crate) mod error;
pub(crate) mod plan;

use chrono::SubsecRound;
use pangolin_core::model::{ContentKind, Operation};
use pangolin_core::{Error, PageRequest, Result, Timestamp};
use serde::Serialize;

/// JSON text for a JSON column (SQLite `TEXT`, Postgres `json`).
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("cannot encode JSON: {e}")))
}

/// Like [`to_json`] for a nullable column.
pub(crate) fn to_opt_json<T: Serialize>(value: Option<&T>) -> Result<Option<String>> {
    value.map(to_json).transpose()
}

/// Timestamps are kept with microsecond precision; truncating (rather than letting Postgres
/// round) makes both backends store the same instant for a finer input.
pub(crate) fn micros(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(6)
}

/// How an operation is stored: its `op` tag, its kind, and its location (puts only).
pub(crate) fn operation_columns(op: &Operation) -> (&'static str, ContentKind, Option<&str>) {
    match op {
        Operation::Put {
            kind,
            metadata_location,
            ..
        } => ("put", *kind, Some(metadata_location.as_str())),
        Operation::Delete { kind, .. } => ("delete", *kind, None),
    }
}

/// The key a page continues after. Every list key is a non-empty string, so "after the empty
/// string" means "from the start" and the SQL needs no NULL case.
pub(crate) fn after_key(page: &PageRequest) -> String {
    page.after_key().unwrap_or_default()
}

/// `fetch_limit` as a `LIMIT` value both dialects accept (no limit = the largest integer).
pub(crate) fn row_limit(page: &PageRequest) -> i64 {
    page.fetch_limit()
        .map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX))
}
