//! Postgres storage types: `uuid`, `timestamptz`, `json` (bound as text and cast with
//! `::json` in the statement, so values are stored verbatim).

use pangolin_core::{Result, Timestamp};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use uuid::Uuid;

use crate::common::decode::{DbId, RowExt, bad};

/// An id as stored.
pub(super) fn id(id: impl DbId) -> Uuid {
    id.uuid()
}

pub(super) fn opt_id(id: Option<impl DbId>) -> Option<Uuid> {
    id.map(DbId::uuid)
}

/// A timestamp as stored (see [`crate::common::micros`]).
pub(super) fn ts(t: Timestamp) -> Timestamp {
    crate::common::micros(t)
}

fn get<'r, T>(row: &'r PgRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(col).map_err(|e| bad(col, e))
}

impl RowExt for PgRow {
    fn text(&self, col: &str) -> Result<String> {
        get(self, col)
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        get(self, col)
    }

    fn int(&self, col: &str) -> Result<i64> {
        get::<i32>(self, col).map(i64::from)
    }

    fn uuid(&self, col: &str) -> Result<Uuid> {
        get(self, col)
    }

    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>> {
        get(self, col)
    }

    fn ts(&self, col: &str) -> Result<Timestamp> {
        get(self, col)
    }

    fn opt_json<T: DeserializeOwned>(&self, col: &str) -> Result<Option<T>> {
        get::<Option<Json<T>>>(self, col).map(|v| v.map(|j| j.0))
    }
}
