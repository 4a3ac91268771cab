//! Grants on SQL, for `AccessStore` (see `access.rs`): the checks before one is stored, the
//! filtered list, and the one-statement effective grants of a principal.

use pangolin_core::model::{Assignee, Grant, Grantee, Scope};
use pangolin_core::{Error, Kind, Page, PageRequest, Result, TenantId};
use pangolin_store::GrantFilter;
use pangolin_store::identity_rules::{Principal, grants_after};

use crate::common::decode::all;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;
use crate::common::identity::{self, GranteeColumns, scope_owners};
use crate::common::row_limit;

/// `NotFound(User|ServiceUser|Role)` unless `who` is an account or role of `tenant`.
pub(super) async fn check_grantee<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    who: &Grantee,
) -> Result<()> {
    let (stmt, missing) = match who {
        Grantee::User(id) => (
            DB::stmt("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND tenant_id = $2)")
                .id(*id),
            Error::not_found(Kind::User, id),
        ),
        Grantee::ServiceUser(id) => (
            DB::stmt(
                "SELECT EXISTS (SELECT 1 FROM service_users WHERE id = $1 AND tenant_id = $2)",
            )
            .id(*id),
            Error::not_found(Kind::ServiceUser, id),
        ),
        Grantee::Role(id) => (
            DB::stmt("SELECT EXISTS (SELECT 1 FROM roles WHERE id = $1 AND tenant_id = $2)")
                .id(*id),
            Error::not_found(Kind::Role, id),
        ),
    };
    if stmt.id(tenant).exists(conn).await.db()? {
        Ok(())
    } else {
        Err(missing)
    }
}

/// `NotFound(User|ServiceUser)` unless an account assignee is an account of `tenant`.
pub(super) async fn check_assignee<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    assignee: &Assignee,
) -> Result<()> {
    match assignee {
        Assignee::User(id) => check_grantee::<DB>(conn, tenant, &Grantee::User(*id)).await,
        Assignee::ServiceUser(id) => {
            check_grantee::<DB>(conn, tenant, &Grantee::ServiceUser(*id)).await
        }
        Assignee::Group(_) => Ok(()),
    }
}

/// `NotFound(Warehouse|Catalog)` when the scope names one that is not of `tenant`.
pub(super) async fn check_scope<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    scope: &Scope,
) -> Result<()> {
    let (warehouse, catalog) = scope_owners(scope);
    if let Some(wid) = warehouse {
        let sql = "SELECT EXISTS (SELECT 1 FROM warehouses WHERE id = $1 AND tenant_id = $2)";
        if !DB::stmt(sql)
            .id(wid)
            .id(tenant)
            .exists(&mut *conn)
            .await
            .db()?
        {
            return Err(Error::not_found(Kind::Warehouse, wid));
        }
    }
    if let Some(cid) = catalog {
        let sql = "SELECT EXISTS (SELECT 1 FROM catalogs WHERE id = $1 AND tenant_id = $2)";
        if !DB::stmt(sql).id(cid).id(tenant).exists(conn).await.db()? {
            return Err(Error::not_found(Kind::Catalog, cid));
        }
    }
    Ok(())
}

/// Writes a checked grant: `Unique` when the id, or the grantee's action on the scope, is
/// taken; `ForeignKey` when a grantee, warehouse or catalog was deleted since the checks.
pub(super) async fn insert<DB: Dialect>(
    conn: &mut DB::Connection,
    g: &Grant,
) -> Result<sqlx::Result<u64>> {
    let who = GranteeColumns::of(&g.grantee);
    let (warehouse, catalog) = scope_owners(&g.scope);
    Ok(DB::stmt(
        "INSERT INTO grants (id, tenant_id, user_id, service_user_id, role_id, action, scope,
             scope_key, warehouse_id, catalog_id, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .id(g.id)
    .id(g.tenant_id)
    .opt_id(who.user)
    .opt_id(who.service_user)
    .opt_id(who.role)
    .text(g.action.as_str())
    .json(&crate::common::to_json(&g.scope)?)
    .text(&g.scope.key())
    .opt_id(warehouse)
    .opt_id(catalog)
    .text(&g.granted_by)
    .ts(g.created_at)
    .execute(conn)
    .await)
}

/// The list query with the page cursor condition spliced in (`$7` is the cursor). A filter
/// that is not set is bound as NULL and matches everything.
macro_rules! grants_query {
    ($cursor:literal) => {
        concat!(
            "SELECT * FROM grants
             WHERE tenant_id = $1 AND ($2 IS NULL OR user_id = $2)
                 AND ($3 IS NULL OR service_user_id = $3) AND ($4 IS NULL OR role_id = $4)
                 AND ($5 IS NULL OR scope_key = $5) ",
            $cursor,
            " ORDER BY id LIMIT $6"
        )
    };
}

pub(super) async fn list<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    filter: &GrantFilter,
    page: &PageRequest,
) -> Result<Page<Grant>> {
    // Ids are UUIDv7 and compare like their string forms in both dialects.
    let after = grants_after(page)?;
    let who = filter
        .grantee
        .as_ref()
        .map(GranteeColumns::of)
        .unwrap_or_default();
    let stmt = DB::stmt(match after {
        None => grants_query!(""),
        Some(_) => grants_query!("AND id > $7"),
    })
    .id(tenant)
    .opt_id(who.user)
    .opt_id(who.service_user)
    .opt_id(who.role)
    .opt_text(filter.scope.as_ref().map(Scope::key).as_deref())
    .int(row_limit(page));
    let stmt = match after {
        Some(after) => stmt.id(after),
        None => stmt,
    };
    let rows = stmt.fetch_all(conn).await.db()?;
    let grants = all(&rows, identity::grant)?;
    Ok(Page::from_rows(grants, page, |g| g.id.to_string()))
}

/// The effective grants of a principal whose id is in column `$principal` (of `grants` and
/// of `role_assignments`), its groups matched by `$in_groups`: the grant ids given to it
/// directly, through roles assigned to it and through roles assigned to its groups, each
/// branch one index lookup; `id IN (…)` makes every grant appear once.
macro_rules! effective_grants_query {
    ($principal:literal, $in_groups:literal) => {
        concat!(
            "SELECT * FROM grants WHERE id IN (
                 SELECT id FROM grants WHERE tenant_id = $1 AND ",
            $principal,
            " = $2
                 UNION ALL
                 SELECT g.id FROM role_assignments a
                     JOIN grants g ON g.tenant_id = a.tenant_id AND g.role_id = a.role_id
                     WHERE a.tenant_id = $1 AND a.",
            $principal,
            " = $2
                 UNION ALL
                 SELECT g.id FROM role_assignments a
                     JOIN grants g ON g.tenant_id = a.tenant_id AND g.role_id = a.role_id
                     WHERE a.tenant_id = $1 AND a.group_name ",
            $in_groups,
            ")
             ORDER BY id"
        )
    };
}

/// The statement [`effective`] runs, per dialect and kind of principal.
pub(crate) fn effective_grants_sql<DB: Dialect>(principal: Principal) -> &'static str {
    match (principal, DB::TEXT_ARRAYS) {
        (Principal::User(_), true) => effective_grants_query!("user_id", "= ANY($3)"),
        (Principal::User(_), false) => {
            effective_grants_query!("user_id", "IN (SELECT value FROM json_each($3))")
        }
        (Principal::ServiceUser(_), true) => {
            effective_grants_query!("service_user_id", "= ANY($3)")
        }
        (Principal::ServiceUser(_), false) => {
            effective_grants_query!("service_user_id", "IN (SELECT value FROM json_each($3))")
        }
    }
}

pub(super) async fn effective<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    principal: &Grantee,
    groups: &[String],
) -> Result<Vec<Grant>> {
    let principal = Principal::of(principal)?;
    let stmt = DB::stmt(effective_grants_sql::<DB>(principal)).id(tenant);
    let stmt = match principal {
        Principal::User(id) => stmt.id(id),
        Principal::ServiceUser(id) => stmt.id(id),
    };
    let rows = stmt.texts(groups).fetch_all(conn).await.db()?;
    all(&rows, identity::grant)
}
