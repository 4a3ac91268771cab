use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::Catalog;
use pangolin_core::{CatalogId, Error, Kind, Name, Page, PageRequest, Result, TenantId};
use pangolin_store::CatalogStore;

use super::refs::insert_ref;
use super::tenants::tenant_exists;
use super::{Access, SqlStore};
use crate::common::decode::RowExt;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::{DbResultExt, Violation};
use crate::common::state::initial_history;
use crate::common::{after_key, decode, row_limit, to_json};

/// A local catalog's warehouse must exist in the catalog's tenant.
async fn check_warehouse<DB: Dialect>(conn: &mut DB::Connection, c: &Catalog) -> Result<()> {
    let Some(wid) = c.kind.warehouse_id() else {
        return Ok(());
    };
    let found =
        DB::stmt("SELECT EXISTS (SELECT 1 FROM warehouses WHERE id = $1 AND tenant_id = $2)")
            .id(wid)
            .id(c.tenant_id)
            .exists(conn)
            .await
            .db()?;
    if found {
        Ok(())
    } else {
        Err(Error::not_found(Kind::Warehouse, wid))
    }
}

/// What a constraint violation on a catalog write means (the references were checked first,
/// so a violation is a race with a delete).
fn catalog_violation(c: &Catalog, v: Violation) -> Error {
    match (v, c.kind.warehouse_id()) {
        (Violation::Unique, _) => Error::already_exists(Kind::Catalog, &c.name),
        (Violation::ForeignKey, Some(wid)) => Error::not_found(Kind::Warehouse, wid),
        (Violation::ForeignKey, None) => Error::not_found(Kind::Tenant, c.tenant_id),
    }
}

#[async_trait]
impl<DB: Dialect> CatalogStore for SqlStore<DB> {
    async fn create_catalog(&self, c: &Catalog, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        if !tenant_exists::<DB>(&mut tx, c.tenant_id).await? {
            return Err(Error::not_found(Kind::Tenant, c.tenant_id));
        }
        check_warehouse::<DB>(&mut tx, c).await?;
        DB::stmt(
            "INSERT INTO catalogs
                 (id, tenant_id, name, kind, warehouse_id, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .id(c.id)
        .id(c.tenant_id)
        .text(c.name.as_str())
        .json(&to_json(&c.kind)?)
        .opt_id(c.kind.warehouse_id())
        .json(&to_json(&c.properties)?)
        .ts(c.created_at)
        .ts(c.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| catalog_violation(c, v))?;
        let (root, main) = initial_history(c)?;
        DB::insert_commit(&mut tx, &root).await?;
        insert_ref::<DB>(&mut tx, &main).await?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_catalog(&self, tenant: TenantId, cid: CatalogId) -> Result<Catalog> {
        let row = DB::stmt("SELECT * FROM catalogs WHERE id = $1 AND tenant_id = $2")
            .id(cid)
            .id(tenant)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Catalog, cid))?;
        decode::catalog(&row)
    }

    async fn get_catalog_by_name(&self, tenant: TenantId, name: &Name) -> Result<Catalog> {
        let row = DB::stmt("SELECT * FROM catalogs WHERE tenant_id = $1 AND name = $2")
            .id(tenant)
            .text(name.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Catalog, name))?;
        decode::catalog(&row)
    }

    async fn list_catalogs(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Catalog>> {
        let rows = DB::stmt(
            "SELECT * FROM catalogs WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .id(tenant)
        .text(&after_key(page))
        .int(row_limit(page))
        .fetch_all(&mut *self.conn().await?)
        .await
        .db()?;
        let catalogs = decode::all(&rows, decode::catalog)?;
        Ok(Page::from_rows(catalogs, page, |c| c.name.to_string()))
    }

    async fn update_catalog(&self, c: &Catalog, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let found =
            DB::stmt("SELECT EXISTS (SELECT 1 FROM catalogs WHERE id = $1 AND tenant_id = $2)")
                .id(c.id)
                .id(c.tenant_id)
                .exists(&mut tx)
                .await
                .db()?;
        if !found {
            return Err(Error::not_found(Kind::Catalog, c.id));
        }
        check_warehouse::<DB>(&mut tx, c).await?;
        let changed = DB::stmt(
            "UPDATE catalogs SET name = $2, kind = $3, warehouse_id = $4, properties = $5,
                 updated_at = $6
             WHERE id = $1",
        )
        .id(c.id)
        .text(c.name.as_str())
        .json(&to_json(&c.kind)?)
        .opt_id(c.kind.warehouse_id())
        .json(&to_json(&c.properties)?)
        .ts(c.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| catalog_violation(c, v))?;
        // Gone since the check: a concurrent delete won.
        if changed == 0 {
            return Err(Error::not_found(Kind::Catalog, c.id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_catalog(
        &self,
        tenant: TenantId,
        cid: CatalogId,
        cascade: bool,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let row = DB::stmt("SELECT name FROM catalogs WHERE id = $1 AND tenant_id = $2")
            .id(cid)
            .id(tenant)
            .fetch_optional(&mut tx)
            .await
            .db()?;
        let name = row
            .ok_or_else(|| Error::not_found(Kind::Catalog, cid))?
            .name("name")?;
        let busy = || Error::not_empty(Kind::Catalog, &name, "it still has namespaces");
        let has_namespaces =
            DB::stmt("SELECT EXISTS (SELECT 1 FROM namespaces WHERE catalog_id = $1)")
                .id(cid)
                .exists(&mut tx)
                .await
                .db()?;
        if has_namespaces && !cascade {
            return Err(busy());
        }
        // Children first: contents point at namespaces and refs, refs at commits. (Without
        // `cascade` there are no namespaces, so no contents either.) One statement deletes
        // a whole namespace tree: the parent key is checked at its end.
        let mut deleted = 0;
        for sql in [
            "DELETE FROM grants WHERE catalog_id = $1",
            "DELETE FROM contents WHERE catalog_id = $1",
            "DELETE FROM namespaces WHERE catalog_id = $1",
            "DELETE FROM merge_operations WHERE catalog_id = $1",
            "DELETE FROM metadata_blobs WHERE catalog_id = $1",
            "DELETE FROM refs WHERE catalog_id = $1",
            "DELETE FROM commit_operations
             WHERE commit_id IN (SELECT id FROM commits WHERE catalog_id = $1)",
            "DELETE FROM commits WHERE catalog_id = $1",
            "DELETE FROM catalogs WHERE id = $1",
        ] {
            deleted = DB::stmt(sql)
                .id(cid)
                .execute(&mut tx)
                .await
                .on_violation(|_| busy())?;
        }
        // The last statement deleted the catalog row, unless a concurrent delete won.
        if deleted == 0 {
            return Err(Error::not_found(Kind::Catalog, cid));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}
