//! SQL backends of the Pangolin store contract: [`SqliteStore`] (embedded default, one file)
//! and [`PostgresStore`] (production, a connection pool), on sqlx with runtime-bound queries
//! and embedded, forward-only migrations (`migrations/sqlite`, `migrations/postgres`).
//!
//! Both are one generic [`SqlStore`]: the store contract is implemented once in portable SQL
//! (`store`), over a small crate-private dialect interface (`common::dialect`) through which
//! each database binds values in its own storage types and, where its SQL differs, supplies
//! its own statements (Postgres row locks and set-based writes; SQLite's `BEGIN IMMEDIATE`).
//! Row decoding, the commit checks and the error mapping are shared too (`common`), so the
//! semantics are those of `pangolin_store::memory` on both.

mod common;
mod options;
mod postgres;
mod sqlite;
mod store;

pub use options::{PostgresOptions, SqliteOptions};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use store::SqlStore;
