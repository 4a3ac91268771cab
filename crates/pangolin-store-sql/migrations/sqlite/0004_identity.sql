-- Identity and access: accounts, API keys, signing keys, revoked tokens, roles, role
-- assignments and grants. Forward-only.
--
-- Every row that belongs to a tenant carries `tenant_id`, and every reference between two
-- such rows is a composite foreign key through (tenant_id, id), so the database itself
-- refuses an assignment, grant or API key that crosses tenants. No cascades (see 0001):
-- a delete names what it takes along, in its transaction.

-- Target of the grants' same-tenant foreign key.
CREATE UNIQUE INDEX catalogs_by_tenant_and_id ON catalogs (tenant_id, id);

CREATE TABLE users (
    id                TEXT    NOT NULL PRIMARY KEY,
    tenant_id         TEXT    REFERENCES tenants (id), -- NULL for root accounts
    name              TEXT    NOT NULL,
    tier              TEXT    NOT NULL CHECK (tier IN ('root', 'tenant-admin', 'tenant-user')),
    email             TEXT,
    display_name      TEXT,
    password_hash     TEXT,   -- argon2id PHC string; NULL for external-only accounts
    external_issuer   TEXT,   -- the external identity, both or neither
    external_subject  TEXT,
    disabled          INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CHECK ((tier = 'root') = (tenant_id IS NULL)),
    CHECK ((external_issuer IS NULL) = (external_subject IS NULL)),
    -- Names per tenant. NULLs are distinct in a unique constraint, so this does not hold
    -- for root accounts: `users_root_names` does.
    UNIQUE (tenant_id, name),
    -- An external identity is one account, store-wide (unlinked accounts are NULL, distinct).
    UNIQUE (external_issuer, external_subject),
    -- Target of the same-tenant foreign keys.
    UNIQUE (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX users_root_names ON users (name) WHERE tenant_id IS NULL;

CREATE TABLE service_users (
    id           TEXT    NOT NULL PRIMARY KEY,
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    name         TEXT    NOT NULL,
    description  TEXT,
    tier         TEXT    NOT NULL CHECK (tier IN ('tenant-admin', 'tenant-user')),
    disabled     INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, id)
) STRICT;

CREATE TABLE api_keys (
    key_id           TEXT    NOT NULL PRIMARY KEY, -- the request path's one indexed lookup
    tenant_id        TEXT    NOT NULL,
    service_user_id  TEXT    NOT NULL,
    name             TEXT,
    secret_sha256    TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER,
    revoked_at       INTEGER,
    FOREIGN KEY (tenant_id, service_user_id) REFERENCES service_users (tenant_id, id)
) STRICT;
-- A service user's keys in key id order (`list_api_keys`, deletes).
CREATE INDEX api_keys_by_service_user ON api_keys (tenant_id, service_user_id, key_id);

CREATE TABLE signing_keys (
    kid          TEXT    NOT NULL PRIMARY KEY,
    algorithm    TEXT    NOT NULL,
    public_key   BLOB    NOT NULL,
    private_key  TEXT    NOT NULL, -- SealedSecret JSON (ciphertext)
    created_at   INTEGER NOT NULL,
    retired_at   INTEGER,
    expires_at   INTEGER
) STRICT;

CREATE TABLE revoked_tokens (
    jti         TEXT    NOT NULL PRIMARY KEY,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX revoked_tokens_by_time ON revoked_tokens (revoked_at, jti);
CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);

CREATE TABLE roles (
    id           TEXT    NOT NULL PRIMARY KEY,
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    name         TEXT    NOT NULL,
    description  TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, id)
) STRICT;

-- Exactly one assignee per row: a user, a service user, or a group named by an identity
-- provider.
CREATE TABLE role_assignments (
    tenant_id        TEXT    NOT NULL,
    role_id          TEXT    NOT NULL,
    user_id          TEXT,
    service_user_id  TEXT,
    group_name       TEXT,
    created_at       INTEGER NOT NULL,
    CHECK ((user_id IS NOT NULL) + (service_user_id IS NOT NULL) + (group_name IS NOT NULL) = 1),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, service_user_id) REFERENCES service_users (tenant_id, id),
    -- One assignment per role and assignee (NULLs are distinct, so each constraint holds
    -- for its kind of assignee only); also the principal's lookups for effective grants.
    UNIQUE (tenant_id, user_id, role_id),
    UNIQUE (tenant_id, service_user_id, role_id),
    UNIQUE (tenant_id, group_name, role_id)
) STRICT;
CREATE INDEX role_assignments_by_role ON role_assignments (role_id);

-- Exactly one grantee per row: a user, a service user or a role.
CREATE TABLE grants (
    id               TEXT    NOT NULL PRIMARY KEY, -- UUIDv7: lists are ordered by it
    tenant_id        TEXT    NOT NULL REFERENCES tenants (id),
    user_id          TEXT,
    service_user_id  TEXT,
    role_id          TEXT,
    action           TEXT    NOT NULL,
    scope            TEXT    NOT NULL, -- Scope JSON, the source of truth
    scope_key        TEXT    NOT NULL, -- Scope::key: uniqueness and "grants on this scope"
    -- From the scope, so that deleting a warehouse or catalog finds the grants on it, and
    -- a grant can name neither another tenant's nor a deleted one.
    warehouse_id     TEXT,
    catalog_id       TEXT,
    granted_by       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    CHECK ((user_id IS NOT NULL) + (service_user_id IS NOT NULL) + (role_id IS NOT NULL) = 1),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, service_user_id) REFERENCES service_users (tenant_id, id),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, catalog_id) REFERENCES catalogs (tenant_id, id),
    -- One grant per grantee, action and scope; also the lookups of effective grants.
    UNIQUE (tenant_id, user_id, action, scope_key),
    UNIQUE (tenant_id, service_user_id, action, scope_key),
    UNIQUE (tenant_id, role_id, action, scope_key)
) STRICT;
CREATE INDEX grants_by_tenant ON grants (tenant_id, id);
CREATE INDEX grants_by_warehouse ON grants (warehouse_id);
CREATE INDEX grants_by_catalog ON grants (catalog_id);
