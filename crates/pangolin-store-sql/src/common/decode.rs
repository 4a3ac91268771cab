//! Row → domain decoding, written once for both backends over [`RowExt`]. A row that does not
//! decode is `Error::internal` (the database holds something this code never wrote), never a
//! panic.

use std::collections::HashMap;

use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::model::{
    Catalog, Commit, Content, ContentKind, MergeOperation, MergeStatus, Namespace, Operation,
    RefKind, Reference, Tenant, Warehouse,
};
use pangolin_core::{
    AuditId, CatalogId, CommitId, ContentId, Error, GrantId, MergeId, Name, NamespaceId,
    NamespaceIdent, Result, RoleId, ServiceUserId, TableIdent, TenantId, Timestamp, UserId,
    WarehouseId,
};
use pangolin_store::IdempotencyRecord;
use pangolin_store::locations::Occupant;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Typed column access; each backend maps its storage types (TEXT uuids and integer
/// microseconds in SQLite, `uuid` and `timestamptz` in Postgres) to these.
pub(crate) trait RowExt {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    /// An `integer` column (32 bits in Postgres).
    fn int(&self, col: &str) -> Result<i64>;
    /// A `bigint` column or a `COUNT(*)` (64 bits everywhere).
    fn big(&self, col: &str) -> Result<i64>;
    fn uuid(&self, col: &str) -> Result<Uuid>;
    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>>;
    fn ts(&self, col: &str) -> Result<Timestamp>;
    fn opt_ts(&self, col: &str) -> Result<Option<Timestamp>>;
    fn bool(&self, col: &str) -> Result<bool>;
    fn bytes(&self, col: &str) -> Result<Vec<u8>>;
    /// A JSON column, `None` when SQL NULL.
    fn opt_json<T: DeserializeOwned>(&self, col: &str) -> Result<Option<T>>;

    fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T> {
        self.opt_json(col)?
            .ok_or_else(|| bad(col, "unexpected NULL"))
    }

    fn id<I: DbId>(&self, col: &str) -> Result<I> {
        self.uuid(col).map(I::from_uuid)
    }

    fn name(&self, col: &str) -> Result<Name> {
        Name::new(self.text(col)?).map_err(|e| bad(col, e))
    }

    fn namespace(&self, col: &str) -> Result<NamespaceIdent> {
        NamespaceIdent::from_encoded(&self.text(col)?).map_err(|e| bad(col, e))
    }
}

/// The error for a stored value this code cannot read back.
pub(crate) fn bad(col: &str, why: impl std::fmt::Display) -> Error {
    Error::internal(format!("stored column '{col}' cannot be decoded: {why}"))
}

/// The id newtypes, as the uuids the database stores.
pub(crate) trait DbId: Copy {
    fn from_uuid(u: Uuid) -> Self;
    fn uuid(self) -> Uuid;
}

macro_rules! db_id {
    ($($t:ty),*) => {$(
        impl DbId for $t {
            fn from_uuid(u: Uuid) -> Self {
                <$t>::from_uuid(u)
            }
            fn uuid(self) -> Uuid {
                self.as_uuid()
            }
        }
    )*};
}
db_id!(
    TenantId,
    WarehouseId,
    CatalogId,
    NamespaceId,
    ContentId,
    CommitId,
    AuditId,
    MergeId,
    UserId,
    ServiceUserId,
    RoleId,
    GrantId
);

pub(crate) fn parse_enum<T>(col: &str, s: String, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(&s).ok_or_else(|| bad(col, format!("unknown value {s:?}")))
}

pub(crate) fn content_kind(r: &impl RowExt, col: &str) -> Result<ContentKind> {
    parse_enum(col, r.text(col)?, ContentKind::parse)
}

pub(crate) fn tenant(r: &impl RowExt) -> Result<Tenant> {
    Ok(Tenant {
        id: r.id("id")?,
        name: r.name("name")?,
        properties: r.json("properties")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn warehouse(r: &impl RowExt) -> Result<Warehouse> {
    Ok(Warehouse {
        id: r.id("id")?,
        tenant_id: r.id("tenant_id")?,
        name: r.name("name")?,
        storage: r.json("storage")?,
        secret: r.opt_json("secret")?,
        properties: r.json("properties")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn catalog(r: &impl RowExt) -> Result<Catalog> {
    Ok(Catalog {
        id: r.id("id")?,
        tenant_id: r.id("tenant_id")?,
        name: r.name("name")?,
        kind: r.json("kind")?,
        properties: r.json("properties")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn namespace(r: &impl RowExt) -> Result<Namespace> {
    Ok(Namespace {
        id: r.id("id")?,
        catalog_id: r.id("catalog_id")?,
        ident: r.namespace("path")?,
        properties: r.json("properties")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn reference(r: &impl RowExt) -> Result<Reference> {
    Ok(Reference {
        catalog_id: r.id("catalog_id")?,
        name: r.name("name")?,
        kind: parse_enum("kind", r.text("kind")?, RefKind::parse)?,
        head: r.id("head")?,
        scope: r.opt_json("scope")?,
        properties: r.json("properties")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// A reference's `kind` and `head`, as the commit path reads them.
pub(crate) fn branch(r: &impl RowExt) -> Result<crate::common::plan::Branch> {
    Ok(crate::common::plan::Branch {
        kind: parse_enum("kind", r.text("kind")?, RefKind::parse)?,
        head: r.id("head")?,
    })
}

/// A content row whose key the caller already knows.
pub(crate) fn content(r: &impl RowExt, ident: TableIdent) -> Result<Content> {
    Ok(Content {
        content_id: r.id("content_id")?,
        kind: content_kind(r, "kind")?,
        ident,
        location: r.text("location")?,
        metadata_location: r.text("metadata_location")?,
        last_commit_id: r.id("last_commit_id")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// A content row found by the location check (`catalog_id`, `ref_name`, key, `content_id`,
/// `location`).
pub(crate) fn occupant(r: &impl RowExt) -> Result<Occupant> {
    Ok(Occupant {
        catalog_id: r.id("catalog_id")?,
        reference: r.text("ref_name")?,
        ident: TableIdent::new(r.namespace("namespace")?, r.name("name")?),
        content_id: r.id("content_id")?,
        location: r.text("location")?,
    })
}

/// A content row with its key in the `namespace` and `name` columns.
pub(crate) fn keyed_content(r: &impl RowExt) -> Result<Content> {
    let ident = TableIdent::new(r.namespace("namespace")?, r.name("name")?);
    content(r, ident)
}

/// A reference's contents read through an outer join from the reference: a row without a
/// key stands for a reference without contents.
pub(crate) fn outer_joined_contents<R: RowExt>(rows: &[R]) -> Result<Vec<Content>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if row.opt_text("namespace")?.is_some() {
            out.push(keyed_content(row)?);
        }
    }
    Ok(out)
}

/// A row of "the newest operation on a key" (`op` plus content columns): the content when
/// that operation is a put, `None` when it is a delete.
pub(crate) fn put_content(r: &impl RowExt, ident: &TableIdent) -> Result<Option<Content>> {
    if r.text("op")? != "put" {
        return Ok(None);
    }
    content(r, ident.clone()).map(Some)
}

/// A commit row without its operations (see [`attach_operations`]).
pub(crate) fn commit_header(r: &impl RowExt) -> Result<Commit> {
    let parents = [r.opt_uuid("parent")?, r.opt_uuid("merge_parent")?];
    Ok(Commit {
        id: r.id("id")?,
        catalog_id: r.id("catalog_id")?,
        parents: parents
            .into_iter()
            .flatten()
            .map(CommitId::from_uuid)
            .collect(),
        author: r.text("author")?,
        message: r.text("message")?,
        created_at: r.ts("created_at")?,
        operations: Vec::new(),
    })
}

pub(crate) fn operation(r: &impl RowExt) -> Result<Operation> {
    let ident = TableIdent::new(r.namespace("namespace")?, r.name("name")?);
    let content_id = r.id("content_id")?;
    let kind = content_kind(r, "kind")?;
    match r.text("op")?.as_str() {
        "put" => Ok(Operation::Put {
            ident,
            content_id,
            kind,
            location: r.text("location")?,
            metadata_location: r
                .opt_text("metadata_location")?
                .ok_or_else(|| bad("metadata_location", "NULL on a put"))?,
        }),
        "delete" => Ok(Operation::Delete {
            ident,
            content_id,
            kind,
        }),
        other => Err(bad("op", format!("unknown operation {other:?}"))),
    }
}

/// Distributes operation rows (ordered by commit, ordinal; with a `commit_id` column) onto
/// their commits.
pub(crate) fn attach_operations<R: RowExt>(commits: &mut [Commit], ops: &[R]) -> Result<()> {
    let index: HashMap<CommitId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    for row in ops {
        let id: CommitId = row.id("commit_id")?;
        let i = *index
            .get(&id)
            .ok_or_else(|| bad("commit_id", "operation of a commit that was not loaded"))?;
        commits[i].operations.push(operation(row)?);
    }
    Ok(())
}

pub(crate) fn merge_status(r: &impl RowExt) -> Result<MergeStatus> {
    parse_enum("status", r.text("status")?, MergeStatus::parse)
}

pub(crate) fn merge_operation(r: &impl RowExt) -> Result<MergeOperation> {
    let commit = |col| Ok::<_, Error>(r.opt_uuid(col)?.map(CommitId::from_uuid));
    Ok(MergeOperation {
        id: r.id("id")?,
        catalog_id: r.id("catalog_id")?,
        source: r.name("source_ref")?,
        target: r.name("target_ref")?,
        source_head: r.id("source_head")?,
        target_head: r.id("target_head")?,
        base: commit("base")?,
        status: merge_status(r)?,
        conflicts: r.json("conflicts")?,
        author: r.text("author")?,
        message: r.text("message")?,
        result_commit: commit("result_commit")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn audit_event(r: &impl RowExt) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: r.id("id")?,
        time: r.ts("time")?,
        tenant_id: r.opt_uuid("tenant_id")?.map(TenantId::from_uuid),
        principal: r.text("principal")?,
        action: r.text("action")?,
        resource: r.text("resource")?,
        result: parse_enum("result", r.text("result")?, AuditResult::parse)?,
        request_id: r.opt_text("request_id")?,
        client_addr: r.opt_text("client_addr")?,
        user_agent: r.opt_text("user_agent")?,
        summary: r.json("summary")?,
    })
}

pub(crate) fn idempotency(r: &impl RowExt) -> Result<IdempotencyRecord> {
    let status = r.int("status")?;
    Ok(IdempotencyRecord {
        scope: r.text("scope")?,
        key: r.text("key")?,
        fingerprint: r.text("fingerprint")?,
        status: u16::try_from(status).map_err(|e| bad("status", e))?,
        body: r.text("body")?,
        created_at: r.ts("created_at")?,
        expires_at: r.ts("expires_at")?,
    })
}

/// Decodes every row with `f`.
pub(crate) fn all<R, T>(rows: &[R], f: impl Fn(&R) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(f).collect()
}
