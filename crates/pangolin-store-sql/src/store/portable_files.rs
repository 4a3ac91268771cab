//! The portable implementations of the dialect operations that guard table files: the
//! location overlap probe and the release of stored metadata. One statement per probe;
//! Postgres overrides both with set-based statements.

use pangolin_core::{CatalogId, ContentId, Result};
use pangolin_store::locations::{self, Occupant};

use crate::common::decode;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;

/// The columns an [`Occupant`] is decoded from.
macro_rules! occupant_query {
    ($condition:literal) => {
        concat!(
            "SELECT catalog_id, ref_name, namespace, name, content_id, location FROM contents
             WHERE ",
            $condition
        )
    };
}

pub(crate) async fn occupants<DB: Dialect>(
    conn: &mut DB::Connection,
    checks: &[(&str, ContentId)],
) -> Result<Vec<Occupant>> {
    let mut rows = Vec::new();
    for (location, content_id) in checks {
        // Locations containing it: it or one of its ancestors, exactly (index probes).
        for ancestor in locations::ancestors(location) {
            let found = DB::stmt(occupant_query!("location = $1 AND content_id <> $2"))
                .text(ancestor)
                .id(*content_id)
                .fetch_all(&mut *conn)
                .await
                .db()?;
            rows.extend(found);
        }
        // Locations inside it: one index range.
        let (low, high) = locations::inside_bounds(location);
        let inside = DB::stmt(occupant_query!(
            "location > $1 AND location < $2 AND content_id <> $3"
        ))
        .text(&low)
        .text(&high)
        .id(*content_id)
        .fetch_all(&mut *conn)
        .await
        .db()?;
        rows.extend(inside);
    }
    decode::all(&rows, decode::occupant)
}

pub(crate) async fn release_metadata<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    released: &[String],
) -> Result<()> {
    for location in released {
        DB::stmt(
            "DELETE FROM metadata_blobs WHERE catalog_id = $1 AND location = $2
                 AND NOT EXISTS (SELECT 1 FROM contents
                                 WHERE catalog_id = $1 AND metadata_location = $2)",
        )
        .id(catalog)
        .text(location)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}
