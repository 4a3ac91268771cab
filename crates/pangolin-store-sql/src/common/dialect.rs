//! What a SQL backend supplies to the shared store ([`crate::SqlStore`]): how it binds and
//! runs one statement ([`Stmt`]), and the few operations whose SQL differs between dialects.
//! Every operation has a portable default written with one statement per row; Postgres
//! overrides the hot ones with set-based statements (`unnest`) to save round trips.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Commit, Content};
use pangolin_core::{
    CatalogId, CommitId, ContentId, NamespaceIdent, Result, TableIdent, Timestamp,
};
use pangolin_store::CommitRequest;
use pangolin_store::locations::Occupant;

use crate::common::AuditSeal;
use crate::common::decode::{DbId, RowExt};
use crate::common::plan::Plan;
use crate::store::{portable, portable_files};

/// One statement with its parameters (`$1`, `$2`, … in order of the calls), in a dialect's
/// storage types. Values are encoded when bound, so nothing is borrowed.
pub(crate) trait Stmt: Send + Sized {
    type Conn: Send;
    type Row: RowExt + Send;

    fn id(self, v: impl DbId) -> Self;
    fn opt_id(self, v: Option<impl DbId>) -> Self;
    fn text(self, v: &str) -> Self;
    fn opt_text(self, v: Option<&str>) -> Self;
    fn int(self, v: i64) -> Self;
    fn ts(self, v: Timestamp) -> Self;
    fn opt_ts(self, v: Option<Timestamp>) -> Self;
    /// A JSON document, given as its text.
    fn json(self, v: &str) -> Self;
    fn opt_json(self, v: Option<&str>) -> Self;
    fn bool(self, v: bool) -> Self;
    fn bytes(self, v: &[u8]) -> Self;
    /// A list of strings, for `IN` tests: a Postgres `text[]` (`= ANY($n)`), SQLite JSON
    /// array text (`IN (SELECT value FROM json_each($n))`); see [`Dialect::TEXT_ARRAYS`].
    fn texts(self, v: &[String]) -> Self;

    /// Runs the statement; the number of rows it changed.
    fn execute(self, conn: &mut Self::Conn) -> impl Future<Output = sqlx::Result<u64>> + Send;
    fn fetch_optional(
        self,
        conn: &mut Self::Conn,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Row>>> + Send;
    fn fetch_all(
        self,
        conn: &mut Self::Conn,
    ) -> impl Future<Output = sqlx::Result<Vec<Self::Row>>> + Send;
    /// Runs a `SELECT EXISTS (…)`.
    fn exists(self, conn: &mut Self::Conn) -> impl Future<Output = sqlx::Result<bool>> + Send;
}

/// A SQL dialect: implemented by `sqlx::Sqlite` and `sqlx::Postgres`.
pub(crate) trait Dialect: sqlx::Database<Row: RowExt> + Sized {
    type Stmt: Stmt<Conn = Self::Connection, Row = Self::Row>;

    /// Short backend name for logs and metrics.
    const BACKEND: &'static str;
    /// Starts a write transaction.
    const BEGIN_WRITE: &'static str;
    /// Whether `SELECT … FOR UPDATE` exists. Without it (SQLite) a write transaction
    /// already excludes every other writer.
    const ROW_LOCKS: bool;
    /// Whether lists of strings bind as arrays (`= ANY($n)`); otherwise they bind as JSON
    /// array text, read with `IN (SELECT value FROM json_each($n))`.
    const TEXT_ARRAYS: bool;
    /// Whether a commit releases the stored metadata it unpointed in a second, short
    /// transaction right after it commits, instead of inside it. PostgreSQL does: the release
    /// takes two statements, and inside the commit they would keep the branch locked (every
    /// writer of the branch waits for them); SQLite's writers are serialized anyway, and a
    /// second write transaction would cost a second sync.
    const RELEASE_AFTER_COMMIT: bool;
    /// Whether [`Dialect::commit_pointers`] exists: a commit that only moves pointers of
    /// existing keys can then be decided on an unlocked read and written in one statement
    /// that locks the branch only while it runs (see `store::commit`).
    const POINTER_COMMITS: bool;

    fn stmt(sql: &'static str) -> Self::Stmt;

    /// Brings the schema up to date (and creates `schema` first, where it applies).
    fn migrate(
        pool: &sqlx::Pool<Self>,
        schema: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Writes audit events (unsealed) inside the caller's transaction; an id written twice
    /// keeps the last version while unsealed, and a sealed event is never changed, as the
    /// memory backend does.
    fn insert_audit(
        conn: &mut Self::Connection,
        events: &[AuditEvent],
    ) -> impl Future<Output = Result<()>> + Send {
        portable::insert_audit::<Self>(conn, events)
    }

    /// Writes the seals onto their events (of chain `chain_key`), each only while unsealed;
    /// `Conflict` (nothing written) when one was sealed meanwhile. The caller holds the
    /// chain's lock, so that means a sealer that ignored it.
    fn seal_audit(
        conn: &mut Self::Connection,
        chain_key: &str,
        seals: &[AuditSeal],
    ) -> impl Future<Output = Result<()>> + Send {
        portable::seal_audit::<Self>(conn, chain_key, seals)
    }

    /// Which of `namespaces` exist in the catalog.
    fn existing_namespaces(
        conn: &mut Self::Connection,
        catalog: CatalogId,
        namespaces: &[NamespaceIdent],
    ) -> impl Future<Output = Result<HashSet<NamespaceIdent>>> + Send {
        portable::existing_namespaces::<Self>(conn, catalog, namespaces)
    }

    /// The current content of a commit's keys on its branch.
    fn current_contents(
        conn: &mut Self::Connection,
        req: &CommitRequest,
    ) -> impl Future<Output = Result<HashMap<TableIdent, Content>>> + Send {
        portable::current_contents::<Self>(conn, req)
    }

    /// Serializes the commits that check locations, from here to the end of the transaction,
    /// so two racing creates on different branches cannot both pass the check. A no-op where
    /// a write transaction already excludes every other writer (SQLite).
    fn lock_locations(conn: &mut Self::Connection) -> impl Future<Output = Result<()>> + Send {
        let _ = conn;
        std::future::ready(Ok(()))
    }

    /// The content rows, in any catalog, whose location overlaps one of `checks`' locations
    /// under another content id than the one given with it.
    fn occupants(
        conn: &mut Self::Connection,
        checks: &[(&str, ContentId)],
    ) -> impl Future<Output = Result<Vec<Occupant>>> + Send {
        portable_files::occupants::<Self>(conn, checks)
    }

    /// Deletes the stored bodies of `locations` (sorted) that no content row of the catalog
    /// points at any more.
    fn release_metadata(
        conn: &mut Self::Connection,
        catalog: CatalogId,
        locations: &[String],
    ) -> impl Future<Output = Result<()>> + Send {
        portable_files::release_metadata::<Self>(conn, catalog, locations)
    }

    /// Writes an accepted commit: metadata bodies, content pointers, the commit with its
    /// operations, and the branch head.
    fn apply_commit(
        conn: &mut Self::Connection,
        req: &CommitRequest,
        plan: &Plan,
    ) -> impl Future<Output = Result<()>> + Send {
        portable::apply_commit::<Self>(conn, req, plan)
    }

    /// Writes a commit that only moves pointers of existing keys (with the request's audit
    /// events), decided on the unlocked read `seen`, on top of the branch's head as it is
    /// when the write locks it; nothing is written unless every pointer in `seen` is still
    /// where it was. Only called where [`Dialect::POINTER_COMMITS`].
    fn commit_pointers(
        conn: &mut Self::Connection,
        req: &CommitRequest,
        seen: &HashMap<TableIdent, Content>,
        plan: &Plan,
    ) -> impl Future<Output = Result<PointerCommit>> + Send {
        let _ = (conn, req, seen, plan);
        std::future::ready(Err(pangolin_core::Error::internal(format!(
            "{} has no one-statement commits",
            Self::BACKEND
        ))))
    }

    /// Records a commit with its operations (the root commit of a catalog).
    fn insert_commit(
        conn: &mut Self::Connection,
        commit: &Commit,
    ) -> impl Future<Output = Result<()>> + Send {
        portable::insert_commit::<Self>(conn, commit)
    }

    /// Points reference `ref_name` at `contents` (a new reference's starting state).
    fn copy_contents(
        conn: &mut Self::Connection,
        catalog: CatalogId,
        ref_name: &str,
        contents: &[Content],
    ) -> impl Future<Output = Result<()>> + Send {
        portable::copy_contents::<Self>(conn, catalog, ref_name, contents)
    }

    /// Fills in the operations of commits read without them.
    fn load_operations(
        conn: &mut Self::Connection,
        commits: Vec<Commit>,
    ) -> impl Future<Output = Result<Vec<Commit>>> + Send {
        portable::load_operations::<Self>(conn, commits)
    }
}

/// What [`Dialect::commit_pointers`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PointerCommit {
    /// Written, on top of `parent` (the branch's head when the write locked it).
    Landed { parent: CommitId },
    /// Nothing written: a pointer moved since it was read (read and decide again).
    Moved,
    /// Nothing written: the reference is gone or is not a branch (the general path says so).
    NotABranch,
}

/// `$sql`, row-locked (`FOR UPDATE`) where the dialect has row locks.
macro_rules! for_update {
    ($d:ty, $sql:literal) => {
        if <$d as $crate::common::dialect::Dialect>::ROW_LOCKS {
            concat!($sql, " FOR UPDATE")
        } else {
            $sql
        }
    };
}
pub(crate) use for_update;
