//! SQL backends of the Pangolin store contract: [`SqliteStore`] (embedded default, one file)
//! and [`PostgresStore`] (production, a connection pool), both on sqlx with runtime-checked
//! queries and embedded, forward-only migrations (`migrations/sqlite`, `migrations/postgres`).
//!
//! The two backends share everything that is not SQL: row decoding ([`common::decode`]), the
//! commit checks ([`common::plan`]) and the error mapping by driver error code
//! ([`common::error`]). Each backend module holds only its dialect's statements and
//! transaction handling, so the semantics stay those of `pangolin_store::memory`.

mod common;
mod options;
mod postgres;
mod sqlite;

pub use options::{PostgresOptions, SqliteOptions};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
