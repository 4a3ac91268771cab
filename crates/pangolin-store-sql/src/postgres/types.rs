//! How Postgres stores domain values: `uuid`, `timestamptz` (truncated to microseconds, see
//! [`crate::common::micros`]), and `json` documents sent as their text.

use pangolin_core::{Result, Timestamp};
use serde::de::DeserializeOwned;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgArguments, PgRow, PgTypeInfo};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, Row};
use uuid::Uuid;

use crate::common::decode::{DbId, RowExt, bad};
use crate::common::dialect::Stmt;
use crate::common::micros;

/// The built-in type oid of `json`.
const JSON_OID: Oid = Oid(114);

/// A JSON document bound as `json` text, stored verbatim. (sqlx's `Json` binds `jsonb`,
/// which would be parsed on the way and reject a `\u0000` escape.)
pub(super) struct JsonText<'a>(pub(super) &'a str);

impl sqlx::Type<Postgres> for JsonText<'_> {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(JSON_OID)
    }
}

impl sqlx::Encode<'_, Postgres> for JsonText<'_> {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        // The binary format of `json` is its text.
        buf.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
}

pub(crate) struct PgStmt(pub(super) Query<'static, Postgres, PgArguments>);

impl Stmt for PgStmt {
    type Conn = PgConnection;
    type Row = PgRow;

    fn id(self, v: impl DbId) -> Self {
        PgStmt(self.0.bind(v.uuid()))
    }

    fn opt_id(self, v: Option<impl DbId>) -> Self {
        PgStmt(self.0.bind(v.map(DbId::uuid)))
    }

    fn text(self, v: &str) -> Self {
        PgStmt(self.0.bind(v))
    }

    fn opt_text(self, v: Option<&str>) -> Self {
        PgStmt(self.0.bind(v))
    }

    fn int(self, v: i64) -> Self {
        PgStmt(self.0.bind(v))
    }

    fn ts(self, v: Timestamp) -> Self {
        PgStmt(self.0.bind(micros(v)))
    }

    fn opt_ts(self, v: Option<Timestamp>) -> Self {
        PgStmt(self.0.bind(v.map(micros)))
    }

    fn json(self, v: &str) -> Self {
        PgStmt(self.0.bind(JsonText(v)))
    }

    fn opt_json(self, v: Option<&str>) -> Self {
        PgStmt(self.0.bind(v.map(JsonText)))
    }

    fn bool(self, v: bool) -> Self {
        PgStmt(self.0.bind(v))
    }

    fn bytes(self, v: &[u8]) -> Self {
        PgStmt(self.0.bind(v.to_vec()))
    }

    fn texts(self, v: &[String]) -> Self {
        PgStmt(self.0.bind(v.to_vec()))
    }

    async fn execute(self, conn: &mut PgConnection) -> sqlx::Result<u64> {
        self.0.execute(conn).await.map(|r| r.rows_affected())
    }

    async fn fetch_optional(self, conn: &mut PgConnection) -> sqlx::Result<Option<PgRow>> {
        self.0.fetch_optional(conn).await
    }

    async fn fetch_all(self, conn: &mut PgConnection) -> sqlx::Result<Vec<PgRow>> {
        self.0.fetch_all(conn).await
    }

    async fn exists(self, conn: &mut PgConnection) -> sqlx::Result<bool> {
        self.0.fetch_one(conn).await?.try_get(0)
    }
}

fn get<'r, T>(row: &'r PgRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
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

    fn big(&self, col: &str) -> Result<i64> {
        get(self, col)
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

    fn opt_ts(&self, col: &str) -> Result<Option<Timestamp>> {
        get(self, col)
    }

    fn bool(&self, col: &str) -> Result<bool> {
        get(self, col)
    }

    fn bytes(&self, col: &str) -> Result<Vec<u8>> {
        get(self, col)
    }

    fn opt_json<T: DeserializeOwned>(&self, col: &str) -> Result<Option<T>> {
        get::<Option<Json<T>>>(self, col).map(|v| v.map(|j| j.0))
    }
}
