//! Set-based versions of the operations that guard table files: the locations lock, the
//! overlap probe for all of a commit's locations in one statement, and the release of stored
//! metadata that is race-free across branches.

use pangolin_core::{CatalogId, ContentId, Result};
use pangolin_store::locations::{self, Occupant};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::common::decode::{self, DbId};
use crate::common::error::DbResultExt;

/// The advisory lock key of the location check ("pgl_locs"), one per database: schemas of
/// one database share it, which only serializes their creates a little more.
const LOCATIONS_LOCK: i64 = 0x7067_6c5f_6c6f_6373;

/// Held to the end of the transaction. Every taker holds its branch row lock already and
/// takes nothing but metadata rows after it, so no lock cycle can form through it.
pub(super) async fn lock_locations(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCATIONS_LOCK)
        .execute(conn)
        .await
        .db()
        .map(drop)
}

pub(super) async fn occupants(
    conn: &mut PgConnection,
    checks: &[(&str, ContentId)],
) -> Result<Vec<Occupant>> {
    let mut exact: (Vec<&str>, Vec<Uuid>) = Default::default();
    let mut inside: (Vec<String>, Vec<String>, Vec<Uuid>) = Default::default();
    for (location, content_id) in checks {
        for ancestor in locations::ancestors(location) {
            exact.0.push(ancestor);
            exact.1.push(content_id.uuid());
        }
        let (low, high) = locations::inside_bounds(location);
        inside.0.push(low);
        inside.1.push(high);
        inside.2.push(content_id.uuid());
    }
    // Both halves are index probes on `contents_by_location` (COLLATE "C", bytewise).
    let rows = sqlx::query(
        "SELECT c.catalog_id, c.ref_name, c.namespace, c.name, c.content_id, c.location
         FROM unnest($1::text[], $2::uuid[]) AS a(location, content_id)
         JOIN contents c
             ON c.location = a.location COLLATE \"C\" AND c.content_id <> a.content_id
         UNION ALL
         SELECT c.catalog_id, c.ref_name, c.namespace, c.name, c.content_id, c.location
         FROM unnest($3::text[], $4::text[], $5::uuid[]) AS r(low, high, content_id)
         JOIN contents c
             ON c.location > r.low COLLATE \"C\" AND c.location < r.high COLLATE \"C\"
                 AND c.content_id <> r.content_id",
    )
    .bind(&exact.0)
    .bind(&exact.1)
    .bind(&inside.0)
    .bind(&inside.1)
    .bind(&inside.2)
    .fetch_all(conn)
    .await
    .db()?;
    decode::all(&rows, decode::occupant)
}

/// Locks the bodies first (in location order, so two releases cannot deadlock), then checks
/// for pointers in a new statement: its snapshot sees every commit that released the same
/// location before us, so of two branches dropping their last pointers concurrently, the
/// second always deletes the body (a single `DELETE … NOT EXISTS` would see neither drop).
pub(super) async fn release_metadata(
    conn: &mut PgConnection,
    catalog: CatalogId,
    released: &[String],
) -> Result<()> {
    if released.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "SELECT location FROM metadata_blobs WHERE catalog_id = $1 AND location = ANY($2)
         ORDER BY location FOR UPDATE",
    )
    .bind(catalog.uuid())
    .bind(released)
    .execute(&mut *conn)
    .await
    .db()?;
    sqlx::query(
        "DELETE FROM metadata_blobs b WHERE b.catalog_id = $1 AND b.location = ANY($2)
             AND NOT EXISTS (SELECT 1 FROM contents c
                             WHERE c.catalog_id = $1 AND c.metadata_location = b.location)",
    )
    .bind(catalog.uuid())
    .bind(released)
    .execute(conn)
    .await
    .db()
    .map(drop)
}
