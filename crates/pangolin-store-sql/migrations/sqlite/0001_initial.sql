-- Pangolin store schema, SQLite dialect. Forward-only: never edit an applied migration,
-- add a new one.
--
-- Conventions: ids are lowercase hyphenated UUID text; timestamps are INTEGER microseconds
-- since the Unix epoch (UTC), so they compare and round-trip exactly; JSON is TEXT. The
-- default BINARY collation compares bytewise, the order every list is paginated in.
-- Foreign keys have no cascades: every delete is explicit, so nothing vanishes implicitly,
-- and a constraint refusing a delete is the backstop of the store's explicit checks.

CREATE TABLE tenants (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    properties  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE warehouses (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    name        TEXT    NOT NULL,
    storage     TEXT    NOT NULL, -- StorageProfile JSON
    secret      TEXT,             -- SealedSecret JSON (ciphertext), NULL when none
    properties  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, name),
    -- Target of the catalogs' same-tenant foreign key.
    UNIQUE (tenant_id, id)
) STRICT;

CREATE TABLE catalogs (
    id            TEXT    NOT NULL PRIMARY KEY,
    tenant_id     TEXT    NOT NULL REFERENCES tenants (id),
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL, -- CatalogKind JSON, the source of truth
    -- Copied from `kind` for local catalogs so the database refuses to delete a warehouse in
    -- use, or to point at another tenant's warehouse.
    warehouse_id  TEXT,
    properties    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id)
) STRICT;
CREATE INDEX catalogs_by_warehouse ON catalogs (warehouse_id);

CREATE TABLE namespaces (
    catalog_id   TEXT    NOT NULL REFERENCES catalogs (id),
    path         TEXT    NOT NULL, -- levels joined by U+001F (NamespaceIdent::encoded)
    parent_path  TEXT,             -- NULL for a top-level namespace
    id           TEXT    NOT NULL,
    properties   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (catalog_id, path),
    FOREIGN KEY (catalog_id, parent_path) REFERENCES namespaces (catalog_id, path)
) STRICT;
CREATE INDEX namespaces_by_parent ON namespaces (catalog_id, parent_path, path);

CREATE TABLE commits (
    id            TEXT    NOT NULL PRIMARY KEY,
    catalog_id    TEXT    NOT NULL REFERENCES catalogs (id),
    parent        TEXT    REFERENCES commits (id), -- first parent: the branch's previous head
    merge_parent  TEXT    REFERENCES commits (id),
    author        TEXT    NOT NULL,
    message       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX commits_by_catalog ON commits (catalog_id);
-- Foreign-key child indexes, so deleting a catalog's commits does not scan the table per row.
CREATE INDEX commits_by_parent ON commits (parent);
CREATE INDEX commits_by_merge_parent ON commits (merge_parent);

CREATE TABLE commit_operations (
    commit_id          TEXT    NOT NULL REFERENCES commits (id),
    ordinal            INTEGER NOT NULL,
    op                 TEXT    NOT NULL CHECK (op IN ('put', 'delete')),
    namespace          TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    content_id         TEXT    NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('table', 'view')),
    metadata_location  TEXT,   -- NULL for deletes
    PRIMARY KEY (commit_id, ordinal)
) STRICT;

CREATE TABLE refs (
    catalog_id  TEXT    NOT NULL REFERENCES catalogs (id),
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('branch', 'tag')),
    head        TEXT    NOT NULL REFERENCES commits (id),
    scope       TEXT,   -- JSON array of table idents of a partial branch; NULL = everything
    properties  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (catalog_id, name)
) STRICT;

CREATE TABLE contents (
    catalog_id         TEXT    NOT NULL,
    ref_name           TEXT    NOT NULL,
    namespace          TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    content_id         TEXT    NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('table', 'view')),
    metadata_location  TEXT    NOT NULL,
    last_commit_id     TEXT    NOT NULL,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (catalog_id, ref_name, namespace, name),
    FOREIGN KEY (catalog_id, ref_name) REFERENCES refs (catalog_id, name),
    -- A namespace holding a table or view on any reference cannot be dropped.
    FOREIGN KEY (catalog_id, namespace) REFERENCES namespaces (catalog_id, path)
) STRICT;
-- Whether a namespace holds anything on any reference (drop_namespace, the foreign key).
CREATE INDEX contents_by_namespace ON contents (catalog_id, namespace);

-- Metadata bodies, kept until the catalog is deleted: a reference can be created at any
-- commit, which makes every location ever committed current again.
CREATE TABLE metadata_blobs (
    catalog_id  TEXT NOT NULL REFERENCES catalogs (id),
    location    TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    PRIMARY KEY (catalog_id, location)
) STRICT;

CREATE TABLE audit_events (
    id           TEXT    NOT NULL PRIMARY KEY, -- UUIDv7: sorts by time
    time         INTEGER NOT NULL,
    tenant_id    TEXT,   -- no foreign key: the log outlives what it describes
    principal    TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    resource     TEXT    NOT NULL,
    result       TEXT    NOT NULL,
    request_id   TEXT,
    client_addr  TEXT,
    user_agent   TEXT,
    summary      TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_by_tenant ON audit_events (tenant_id, id);

CREATE TABLE idempotency (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX idempotency_by_expiry ON idempotency (expires_at);
