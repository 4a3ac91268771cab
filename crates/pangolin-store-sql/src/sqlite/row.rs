//! SQLite storage types: uuids as lowercase hyphenated TEXT, timestamps as INTEGER
//! microseconds since the epoch, JSON as TEXT.

use chrono::DateTime;
use pangolin_core::{Result, Timestamp};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::common::decode::{DbId, RowExt, bad};

/// An id as stored.
pub(super) fn id(id: impl DbId) -> String {
    id.uuid().to_string()
}

pub(super) fn opt_id(id: Option<impl DbId>) -> Option<String> {
    id.map(self::id)
}

/// A timestamp as stored.
pub(super) fn ts(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(col).map_err(|e| bad(col, e))
}

fn parse_uuid(col: &str, s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| bad(col, e))
}

impl RowExt for SqliteRow {
    fn text(&self, col: &str) -> Result<String> {
        get(self, col)
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        get(self, col)
    }

    fn int(&self, col: &str) -> Result<i64> {
        get(self, col)
    }

    fn uuid(&self, col: &str) -> Result<Uuid> {
        parse_uuid(col, &get::<String>(self, col)?)
    }

    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>> {
        get::<Option<String>>(self, col)?
            .map(|s| parse_uuid(col, &s))
            .transpose()
    }

    fn ts(&self, col: &str) -> Result<Timestamp> {
        let micros: i64 = get(self, col)?;
        DateTime::from_timestamp_micros(micros).ok_or_else(|| bad(col, "timestamp out of range"))
    }

    fn opt_json<T: DeserializeOwned>(&self, col: &str) -> Result<Option<T>> {
        get::<Option<String>>(self, col)?
            .map(|s| serde_json::from_str(&s).map_err(|e| bad(col, e)))
            .transpose()
    }
}
