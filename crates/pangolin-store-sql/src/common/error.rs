//! Driver errors → domain errors, decided by the driver's error code (Postgres SQLSTATE,
//! SQLite extended result code), never by message text. Call sites say what a constraint
//! violation means for them; everything else is mapped the same way everywhere.

use pangolin_core::{Error, Result};
use sqlx::migrate::MigrateError;
use sqlx::postgres::PgDatabaseError;

/// What went wrong, in the terms the store cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// A unique or primary-key constraint rejected the write.
    Unique,
    /// A foreign-key constraint rejected the write (missing parent, or a row still in use).
    ForeignKey,
    /// The statement certainly did not apply and may succeed later: no pooled connection,
    /// database locked or overloaded, deadlock or serialization failure.
    Unavailable,
    /// The connection broke: whatever was in flight may or may not have been applied.
    ConnectionLost,
    /// Text the database cannot store (Postgres rejects NUL characters).
    BadText,
    Other,
}

/// Constraint violations a call site gives a meaning to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Violation {
    Unique,
    ForeignKey,
}

pub(crate) fn classify(e: &sqlx::Error) -> Fault {
    match e {
        sqlx::Error::Database(db) => match db.try_downcast_ref::<PgDatabaseError>() {
            Some(pg) => postgres_fault(pg.code()),
            None => sqlite_fault(db.code().and_then(|c| c.parse().ok())),
        },
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => Fault::Unavailable,
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => Fault::ConnectionLost,
        _ => Fault::Other,
    }
}

/// SQLSTATE classes and codes: 23 integrity, 40 transaction rollback, 08 connection,
/// 57P0x shutdown, 53 insufficient resources, 55P03 lock not available, 22 data exception.
fn postgres_fault(code: &str) -> Fault {
    match code {
        "23505" => Fault::Unique,
        "23503" => Fault::ForeignKey,
        "40001" | "40P01" | "55P03" | "57P03" | "53300" => Fault::Unavailable,
        "57P01" | "57P02" => Fault::ConnectionLost,
        "22021" | "22P05" => Fault::BadText,
        c if c.starts_with("08") => Fault::ConnectionLost,
        c if c.starts_with("53") => Fault::Unavailable,
        _ => Fault::Other,
    }
}

/// SQLite extended result codes: 2067 UNIQUE, 1555 PRIMARYKEY, 787 FOREIGNKEY; primary codes
/// 5 BUSY and 6 LOCKED (the low byte of any extended code) mean "locked, retry later".
fn sqlite_fault(code: Option<i32>) -> Fault {
    match code {
        Some(2067 | 1555) => Fault::Unique,
        Some(787) => Fault::ForeignKey,
        Some(c) if matches!(c & 0xff, 5 | 6) => Fault::Unavailable,
        _ => Fault::Other,
    }
}

/// The domain error for a driver error nobody gave a special meaning to.
pub(crate) fn db_error(e: sqlx::Error) -> Error {
    match classify(&e) {
        Fault::Unavailable | Fault::ConnectionLost => {
            // The detail goes to the log only: it may name hosts or files.
            tracing::warn!(error = %e, "database unavailable");
            Error::Unavailable("the database is unavailable; retry later".into())
        }
        Fault::BadText => Error::invalid("text values must not contain NUL characters"),
        Fault::Unique | Fault::ForeignKey | Fault::Other => {
            Error::internal(format!("database error: {e}"))
        }
    }
}

/// The domain error for a failed transaction commit of a catalog commit: a broken connection
/// leaves the outcome unknown, which clients must not treat as a failure.
pub(crate) fn commit_error(e: sqlx::Error) -> Error {
    match classify(&e) {
        Fault::ConnectionLost => {
            tracing::warn!(error = %e, "connection lost while committing");
            Error::CommitStateUnknown(
                "the database connection failed while committing; the commit may have been applied"
                    .into(),
            )
        }
        _ => db_error(e),
    }
}

pub(crate) fn migrate_error(e: MigrateError) -> Error {
    match e {
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => db_error(e),
        other => Error::internal(format!("migration failed: {other}")),
    }
}

pub(crate) trait DbResultExt<T> {
    /// Maps any failure by its [`Fault`] alone.
    fn db(self) -> Result<T>;
    /// Like [`DbResultExt::db`], but a constraint violation means what `meaning` says.
    fn on_violation(self, meaning: impl FnOnce(Violation) -> Error) -> Result<T>;
}

impl<T> DbResultExt<T> for std::result::Result<T, sqlx::Error> {
    fn db(self) -> Result<T> {
        self.map_err(db_error)
    }

    fn on_violation(self, meaning: impl FnOnce(Violation) -> Error) -> Result<T> {
        self.map_err(|e| match classify(&e) {
            Fault::Unique => meaning(Violation::Unique),
            Fault::ForeignKey => meaning(Violation::ForeignKey),
            _ => db_error(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_decide_the_fault() {
        assert_eq!(postgres_fault("23505"), Fault::Unique);
        assert_eq!(postgres_fault("23503"), Fault::ForeignKey);
        assert_eq!(postgres_fault("08006"), Fault::ConnectionLost);
        assert_eq!(postgres_fault("40P01"), Fault::Unavailable);
        assert_eq!(postgres_fault("22021"), Fault::BadText);
        assert_eq!(postgres_fault("42P01"), Fault::Other);
        assert_eq!(sqlite_fault(Some(2067)), Fault::Unique);
        assert_eq!(sqlite_fault(Some(1555)), Fault::Unique);
        assert_eq!(sqlite_fault(Some(787)), Fault::ForeignKey);
        assert_eq!(sqlite_fault(Some(5)), Fault::Unavailable);
        assert_eq!(sqlite_fault(Some(517)), Fault::Unavailable);
        assert_eq!(sqlite_fault(Some(1)), Fault::Other);
        assert_eq!(sqlite_fault(None), Fault::Other);
    }

    #[test]
    fn pool_and_connection_failures_are_unavailable_or_unknown() {
        assert!(matches!(
            db_error(sqlx::Error::PoolTimedOut),
            Error::Unavailable(_)
        ));
        let io = || sqlx::Error::Io(std::io::Error::other("reset"));
        assert!(matches!(db_error(io()), Error::Unavailable(_)));
        assert!(matches!(commit_error(io()), Error::CommitStateUnknown(_)));
        assert!(matches!(
            commit_error(sqlx::Error::PoolTimedOut),
            Error::Unavailable(_)
        ));
    }
}
