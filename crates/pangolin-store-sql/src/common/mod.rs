//! What both SQL dialects share: the dialect interface, row decoding, commit planning, error
//! mapping, and value encoding helpers.

pub(crate) mod decode;
pub(crate) mod dialect;
pub(crate) mod error;
pub(crate) mod identity;
pub(crate) mod plan;
pub(crate) mod state;

use chrono::SubsecRound;
use pangolin_core::model::{ContentKind, Operation};
use pangolin_core::{AuditId, Error, PageRequest, Result, Timestamp};
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

/// What the sealer writes onto one audit event (see `AuditStore::seal_audit`).
pub(crate) struct AuditSeal {
    pub id: AuditId,
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// How an operation is stored, as its columns.
pub(crate) struct OpColumns<'a> {
    pub tag: &'static str,
    pub kind: ContentKind,
    /// The table location of a put; '' for a delete.
    pub location: &'a str,
    /// The metadata location of a put; NULL for a delete.
    pub metadata_location: Option<&'a str>,
}

pub(crate) fn operation_columns(op: &Operation) -> OpColumns<'_> {
    match op {
        Operation::Put {
            kind,
            location,
            metadata_location,
            ..
        } => OpColumns {
            tag: "put",
            kind: *kind,
            location,
            metadata_location: Some(metadata_location),
        },
        Operation::Delete { kind, .. } => OpColumns {
            tag: "delete",
            kind: *kind,
            location: "",
            metadata_location: None,
        },
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
