use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Namespace, PropertiesUpdate};
use pangolin_core::{
    CatalogId, Error, Kind, NamespaceIdent, Page, PageRequest, Properties, Result,
};
use pangolin_store::NamespaceStore;

use super::{Access, SqlStore};
use crate::common::decode::RowExt;
use crate::common::dialect::{Dialect, Stmt, for_update};
use crate::common::error::{DbResultExt, Violation};
use crate::common::state::{apply_properties, check_disjoint};
use crate::common::{after_key, decode, row_limit, to_json};

pub(super) async fn namespace_exists<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    ns: &NamespaceIdent,
) -> Result<bool> {
    DB::stmt("SELECT EXISTS (SELECT 1 FROM namespaces WHERE catalog_id = $1 AND path = $2)")
        .id(catalog)
        .text(&ns.encoded())
        .exists(conn)
        .await
        .db()
}

pub(super) async fn catalog_exists<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
) -> Result<bool> {
    DB::stmt("SELECT EXISTS (SELECT 1 FROM catalogs WHERE id = $1)")
        .id(catalog)
        .exists(conn)
        .await
        .db()
}

/// `NotEmpty` while the namespace has children or content on any reference.
async fn check_droppable<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    ident: &NamespaceIdent,
) -> Result<()> {
    let encoded = ident.encoded();
    let has_children = DB::stmt(
        "SELECT EXISTS (SELECT 1 FROM namespaces WHERE catalog_id = $1 AND parent_path = $2)",
    )
    .id(catalog)
    .text(&encoded)
    .exists(conn)
    .await
    .db()?;
    if has_children {
        return Err(Error::not_empty(
            Kind::Namespace,
            ident,
            "it has child namespaces",
        ));
    }
    let has_contents =
        DB::stmt("SELECT EXISTS (SELECT 1 FROM contents WHERE catalog_id = $1 AND namespace = $2)")
            .id(catalog)
            .text(&encoded)
            .exists(conn)
            .await
            .db()?;
    if has_contents {
        return Err(Error::not_empty(
            Kind::Namespace,
            ident,
            "it has tables or views",
        ));
    }
    Ok(())
}

#[async_trait]
impl<DB: Dialect> NamespaceStore for SqlStore<DB> {
    async fn create_namespace(&self, ns: &Namespace, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let cid = ns.catalog_id;
        if !catalog_exists::<DB>(&mut tx, cid).await? {
            return Err(Error::not_found(Kind::Catalog, cid));
        }
        let parent = ns.ident.parent();
        if let Some(p) = &parent
            && !namespace_exists::<DB>(&mut tx, cid, p).await?
        {
            return Err(Error::not_found(Kind::Namespace, p));
        }
        DB::stmt(
            "INSERT INTO namespaces
                 (catalog_id, path, parent_path, id, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .id(cid)
        .text(&ns.ident.encoded())
        .opt_text(parent.as_ref().map(NamespaceIdent::encoded).as_deref())
        .id(ns.id)
        .json(&to_json(&ns.properties)?)
        .ts(ns.created_at)
        .ts(ns.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| match (v, &parent) {
            (Violation::Unique, _) => Error::already_exists(Kind::Namespace, &ns.ident),
            (Violation::ForeignKey, Some(p)) => Error::not_found(Kind::Namespace, p),
            (Violation::ForeignKey, None) => Error::not_found(Kind::Catalog, cid),
        })?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_namespace(&self, catalog: CatalogId, ident: &NamespaceIdent) -> Result<Namespace> {
        let row = DB::stmt("SELECT * FROM namespaces WHERE catalog_id = $1 AND path = $2")
            .id(catalog)
            .text(&ident.encoded())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Namespace, ident))?;
        decode::namespace(&row)
    }

    async fn list_namespaces(
        &self,
        catalog: CatalogId,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<Namespace>> {
        let mut conn = self.conn().await?;
        if let Some(p) = parent
            && !namespace_exists::<DB>(&mut conn, catalog, p).await?
        {
            return Err(Error::not_found(Kind::Namespace, p));
        }
        // Two statements rather than a NULL-matching comparison, so each is an index range.
        let stmt = match parent {
            None => DB::stmt(
                "SELECT * FROM namespaces WHERE catalog_id = $1 AND path > $2
                     AND parent_path IS NULL
                 ORDER BY path LIMIT $3",
            ),
            Some(_) => DB::stmt(
                "SELECT * FROM namespaces WHERE catalog_id = $1 AND path > $2
                     AND parent_path = $4
                 ORDER BY path LIMIT $3",
            ),
        };
        let stmt = stmt.id(catalog).text(&after_key(page)).int(row_limit(page));
        let stmt = match parent {
            Some(p) => stmt.text(&p.encoded()),
            None => stmt,
        };
        let rows = stmt.fetch_all(&mut conn).await.db()?;
        let namespaces = decode::all(&rows, decode::namespace)?;
        Ok(Page::from_rows(namespaces, page, |ns| ns.ident.encoded()))
    }

    async fn update_namespace_properties(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        updates: &Properties,
        removals: &[String],
        audit: &[AuditEvent],
    ) -> Result<PropertiesUpdate> {
        check_disjoint(updates, removals)?;
        let mut tx = self.write().await?;
        // Locked, so concurrent updates apply one after the other instead of losing one.
        let row = DB::stmt(for_update!(
            DB,
            "SELECT properties FROM namespaces WHERE catalog_id = $1 AND path = $2"
        ))
        .id(catalog)
        .text(&ident.encoded())
        .fetch_optional(&mut tx)
        .await
        .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Namespace, ident))?;
        let mut properties: Properties = row.json("properties")?;
        let result = apply_properties(&mut properties, updates, removals);
        DB::stmt(
            "UPDATE namespaces SET properties = $3, updated_at = $4
             WHERE catalog_id = $1 AND path = $2",
        )
        .id(catalog)
        .text(&ident.encoded())
        .json(&to_json(&properties)?)
        .ts(pangolin_core::now())
        .execute(&mut tx)
        .await
        .db()?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()?;
        Ok(result)
    }

    async fn drop_namespace(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        if !namespace_exists::<DB>(&mut tx, catalog, ident).await? {
            return Err(Error::not_found(Kind::Namespace, ident));
        }
        check_droppable::<DB>(&mut tx, catalog, ident).await?;
        // The foreign keys refuse the delete if a child or content was added since the check.
        let deleted = DB::stmt("DELETE FROM namespaces WHERE catalog_id = $1 AND path = $2")
            .id(catalog)
            .text(&ident.encoded())
            .execute(&mut tx)
            .await
            .on_violation(|_| {
                Error::not_empty(
                    Kind::Namespace,
                    ident,
                    "it has child namespaces, tables or views",
                )
            })?;
        // Gone since the check: a concurrent drop won.
        if deleted == 0 {
            return Err(Error::not_found(Kind::Namespace, ident));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}
