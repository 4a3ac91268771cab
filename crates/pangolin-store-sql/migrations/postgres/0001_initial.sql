-- Pangolin store schema, PostgreSQL dialect. Forward-only: never edit an applied migration,
-- add a new one.
--
-- Conventions: ids are `uuid` (compared bytewise, so UUIDv7 ids sort by creation);
-- timestamps are `timestamptz` (microsecond precision); documents are `json` (kept verbatim;
-- `jsonb` would reject a "\u0000" escape a property value may carry). Every text column that
-- is a list key or part of one is COLLATE "C": lists are ordered and paginated bytewise,
-- exactly like the memory backend, whatever the database's default collation.
-- Foreign keys have no cascades: every delete is explicit, and a constraint refusing a
-- delete is the race backstop of the store's explicit checks.

CREATE TABLE tenants (
    id          uuid        NOT NULL PRIMARY KEY,
    name        text        COLLATE "C" NOT NULL UNIQUE,
    properties  json        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE warehouses (
    id          uuid        NOT NULL PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    name        text        COLLATE "C" NOT NULL,
    storage     json        NOT NULL, -- StorageProfile
    secret      json,                 -- SealedSecret (ciphertext), NULL when none
    properties  json        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, name),
    -- Target of the catalogs' same-tenant foreign key.
    UNIQUE (tenant_id, id)
);

CREATE TABLE catalogs (
    id            uuid        NOT NULL PRIMARY KEY,
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    name          text        COLLATE "C" NOT NULL,
    kind          json        NOT NULL, -- CatalogKind, the source of truth
    -- Copied from `kind` for local catalogs so the database refuses to delete a warehouse in
    -- use, or to point at another tenant's warehouse.
    warehouse_id  uuid,
    properties    json        NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id)
);
CREATE INDEX catalogs_by_warehouse ON catalogs (warehouse_id);

CREATE TABLE namespaces (
    catalog_id   uuid        NOT NULL REFERENCES catalogs (id),
    path         text        COLLATE "C" NOT NULL, -- levels joined by U+001F
    parent_path  text        COLLATE "C",          -- NULL for a top-level namespace
    id           uuid        NOT NULL,
    properties   json        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (catalog_id, path),
    FOREIGN KEY (catalog_id, parent_path) REFERENCES namespaces (catalog_id, path)
);
CREATE INDEX namespaces_by_parent ON namespaces (catalog_id, parent_path, path);

CREATE TABLE commits (
    id            uuid        NOT NULL PRIMARY KEY,
    catalog_id    uuid        NOT NULL REFERENCES catalogs (id),
    parent        uuid        REFERENCES commits (id), -- first parent: the previous head
    merge_parent  uuid        REFERENCES commits (id),
    author        text        NOT NULL,
    message       text        NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX commits_by_catalog ON commits (catalog_id);
-- Foreign-key child indexes, so deleting a catalog's commits does not scan per row.
CREATE INDEX commits_by_parent ON commits (parent);
CREATE INDEX commits_by_merge_parent ON commits (merge_parent);

CREATE TABLE commit_operations (
    commit_id          uuid    NOT NULL REFERENCES commits (id),
    ordinal            integer NOT NULL,
    op                 text    NOT NULL CHECK (op IN ('put', 'delete')),
    namespace          text    COLLATE "C" NOT NULL,
    name               text    COLLATE "C" NOT NULL,
    content_id         uuid    NOT NULL,
    kind               text    NOT NULL CHECK (kind IN ('table', 'view')),
    metadata_location  text,   -- NULL for deletes
    PRIMARY KEY (commit_id, ordinal)
);

CREATE TABLE refs (
    catalog_id  uuid        NOT NULL REFERENCES catalogs (id),
    name        text        COLLATE "C" NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('branch', 'tag')),
    head        uuid        NOT NULL REFERENCES commits (id),
    scope       json,       -- table idents of a partial branch; NULL = everything
    properties  json        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (catalog_id, name)
);

CREATE TABLE contents (
    catalog_id         uuid        NOT NULL,
    ref_name           text        COLLATE "C" NOT NULL,
    namespace          text        COLLATE "C" NOT NULL,
    name               text        COLLATE "C" NOT NULL,
    content_id         uuid        NOT NULL,
    kind               text        NOT NULL CHECK (kind IN ('table', 'view')),
    metadata_location  text        NOT NULL,
    last_commit_id     uuid        NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (catalog_id, ref_name, namespace, name),
    FOREIGN KEY (catalog_id, ref_name) REFERENCES refs (catalog_id, name),
    -- A namespace holding a table or view on any reference cannot be dropped.
    FOREIGN KEY (catalog_id, namespace) REFERENCES namespaces (catalog_id, path)
);
-- Whether a namespace holds anything on any reference (drop_namespace, the foreign key).
CREATE INDEX contents_by_namespace ON contents (catalog_id, namespace);

-- Metadata bodies, kept until the catalog is deleted: a reference can be created at any
-- commit, which makes every location ever committed current again.
CREATE TABLE metadata_blobs (
    catalog_id  uuid NOT NULL REFERENCES catalogs (id),
    location    text NOT NULL,
    metadata    text NOT NULL,
    PRIMARY KEY (catalog_id, location)
);

CREATE TABLE audit_events (
    id           uuid        NOT NULL PRIMARY KEY, -- UUIDv7: sorts by time
    time         timestamptz NOT NULL,
    tenant_id    uuid,       -- no foreign key: the log outlives what it describes
    principal    text        NOT NULL,
    action       text        NOT NULL,
    resource     text        NOT NULL,
    result       text        NOT NULL,
    request_id   text,
    client_addr  text,
    user_agent   text,
    summary      json        NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_events (tenant_id, id);

CREATE TABLE idempotency (
    scope        text        NOT NULL,
    key          text        NOT NULL,
    fingerprint  text        NOT NULL,
    status       integer     NOT NULL,
    body         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_by_expiry ON idempotency (expires_at);
