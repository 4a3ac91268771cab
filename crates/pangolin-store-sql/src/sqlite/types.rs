//! How SQLite stores domain values: uuids as lowercase hyphenated TEXT, timestamps as
//! INTEGER microseconds since the epoch (so they compare and round-trip exactly), JSON as
//! TEXT.

use chrono::DateTime;
use pangolin_core::{Result, Timestamp};
use serde::de::DeserializeOwned;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::common::decode::{DbId, RowExt, bad};
use crate::common::dialect::Stmt;

pub(crate) struct SqliteStmt(pub(super) Query<'static, Sqlite, SqliteArguments>);

fn id_text(id: impl DbId) -> String {
    id.uuid().to_string()
}

impl Stmt for SqliteStmt {
    type Conn = SqliteConnection;
    type Row = SqliteRow;

    fn id(self, v: impl DbId) -> Self {
        SqliteStmt(self.0.bind(id_text(v)))
    }

    fn opt_id(self, v: Option<impl DbId>) -> Self {
        SqliteStmt(self.0.bind(v.map(id_text)))
    }

    fn text(self, v: &str) -> Self {
        SqliteStmt(self.0.bind(v))
    }

    fn opt_text(self, v: Option<&str>) -> Self {
        SqliteStmt(self.0.bind(v))
    }

    fn int(self, v: i64) -> Self {
        SqliteStmt(self.0.bind(v))
    }

    fn ts(self, v: Timestamp) -> Self {
        SqliteStmt(self.0.bind(v.timestamp_micros()))
    }

    fn opt_ts(self, v: Option<Timestamp>) -> Self {
        SqliteStmt(self.0.bind(v.map(|t| t.timestamp_micros())))
    }

    fn json(self, v: &str) -> Self {
        self.text(v)
    }

    fn opt_json(self, v: Option<&str>) -> Self {
        self.opt_text(v)
    }

    fn bool(self, v: bool) -> Self {
        SqliteStmt(self.0.bind(v))
    }

    fn bytes(self, v: &[u8]) -> Self {
        SqliteStmt(self.0.bind(v.to_vec()))
    }

    fn texts(self, v: &[String]) -> Self {
        let array = v.iter().cloned().map(serde_json::Value::String).collect();
        SqliteStmt(self.0.bind(serde_json::Value::Array(array).to_string()))
    }

    async fn execute(self, conn: &mut SqliteConnection) -> sqlx::Result<u64> {
        self.0.execute(conn).await.map(|r| r.rows_affected())
    }

    async fn fetch_optional(self, conn: &mut SqliteConnection) -> sqlx::Result<Option<SqliteRow>> {
        self.0.fetch_optional(conn).await
    }

    async fn fetch_all(self, conn: &mut SqliteConnection) -> sqlx::Result<Vec<SqliteRow>> {
        self.0.fetch_all(conn).await
    }

    async fn exists(self, conn: &mut SqliteConnection) -> sqlx::Result<bool> {
        self.0.fetch_one(conn).await?.try_get(0)
    }
}

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(col).map_err(|e| bad(col, e))
}

fn from_micros(col: &str, micros: i64) -> Result<Timestamp> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| bad(col, "timestamp out of range"))
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

    fn big(&self, col: &str) -> Result<i64> {
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
        from_micros(col, get(self, col)?)
    }

    fn opt_ts(&self, col: &str) -> Result<Option<Timestamp>> {
        get::<Option<i64>>(self, col)?
            .map(|m| from_micros(col, m))
            .transpose()
    }

    fn bool(&self, col: &str) -> Result<bool> {
        get(self, col)
    }

    fn bytes(&self, col: &str) -> Result<Vec<u8>> {
        get(self, col)
    }

    fn opt_json<T: DeserializeOwned>(&self, col: &str) -> Result<Option<T>> {
        get::<Option<String>>(self, col)?
            .map(|s| serde_json::from_str(&s).map_err(|e| bad(col, e)))
            .transpose()
    }
}
