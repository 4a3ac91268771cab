-- Identity and access: accounts, API keys, signing keys, revoked tokens, roles, role
-- assignments and grants. Forward-only.
--
-- Every row that belongs to a tenant carries `tenant_id`, and every reference between two
-- such rows is a composite foreign key through (tenant_id, id), so the database itself
-- refuses an assignment, grant or API key that crosses tenants. No cascades (see 0001):
-- a delete names what it takes along, in its transaction. Text that orders a list or
-- breaks a tie in one is COLLATE "C" (bytewise, like the memory backend).

-- Target of the grants' same-tenant foreign key.
CREATE UNIQUE INDEX catalogs_by_tenant_and_id ON catalogs (tenant_id, id);

CREATE TABLE users (
    id                uuid        NOT NULL PRIMARY KEY,
    tenant_id         uuid        REFERENCES tenants (id), -- NULL for root accounts
    name              text        COLLATE "C" NOT NULL,
    tier              text        NOT NULL CHECK (tier IN ('root', 'tenant-admin', 'tenant-user')),
    email             text,
    display_name      text,
    password_hash     text,       -- argon2id PHC string; NULL for external-only accounts
    external_issuer   text,       -- the external identity, both or neither
    external_subject  text,
    disabled          boolean     NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK ((tier = 'root') = (tenant_id IS NULL)),
    CHECK ((external_issuer IS NULL) = (external_subject IS NULL)),
    -- Names per tenant. NULLs are distinct in a unique constraint, so this does not hold
    -- for root accounts: `users_root_names` does.
    UNIQUE (tenant_id, name),
    -- An external identity is one account, store-wide (unlinked accounts are NULL, distinct).
    UNIQUE (external_issuer, external_subject),
    -- Target of the same-tenant foreign keys.
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX users_root_names ON users (name) WHERE tenant_id IS NULL;

CREATE TABLE service_users (
    id           uuid        NOT NULL PRIMARY KEY,
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    name         text        COLLATE "C" NOT NULL,
    description  text,
    tier         text        NOT NULL CHECK (tier IN ('tenant-admin', 'tenant-user')),
    disabled     boolean     NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, id)
);

CREATE TABLE api_keys (
    key_id           text        COLLATE "C" NOT NULL PRIMARY KEY, -- the request path's lookup
    tenant_id        uuid        NOT NULL,
    service_user_id  uuid        NOT NULL,
    name             text,
    secret_sha256    text        NOT NULL,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz,
    revoked_at       timestamptz,
    FOREIGN KEY (tenant_id, service_user_id) REFERENCES service_users (tenant_id, id)
);
-- A service user's keys in key id order (`list_api_keys`, deletes).
CREATE INDEX api_keys_by_service_user ON api_keys (tenant_id, service_user_id, key_id);

CREATE TABLE signing_keys (
    kid          text        COLLATE "C" NOT NULL PRIMARY KEY,
    algorithm    text        NOT NULL,
    public_key   bytea       NOT NULL,
    private_key  json        NOT NULL, -- SealedSecret (ciphertext)
    created_at   timestamptz NOT NULL,
    retired_at   timestamptz,
    expires_at   timestamptz
);

CREATE TABLE revoked_tokens (
    jti         text        COLLATE "C" NOT NULL PRIMARY KEY,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_by_time ON revoked_tokens (revoked_at, jti);
CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);

CREATE TABLE roles (
    id           uuid        NOT NULL PRIMARY KEY,
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    name         text        COLLATE "C" NOT NULL,
    description  text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, id)
);

-- Exactly one assignee per row: a user, a service user, or a group named by an identity
-- provider.
CREATE TABLE role_assignments (
    tenant_id        uuid        NOT NULL,
    role_id          uuid        NOT NULL,
    user_id          uuid,
    service_user_id  uuid,
    group_name       text        COLLATE "C",
    created_at       timestamptz NOT NULL,
    CHECK (num_nonnulls(user_id, service_user_id, group_name) = 1),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, service_user_id) REFERENCES service_users (tenant_id, id),
    -- One assignment per role and assignee (NULLs are distinct, so each constraint holds
    -- for its kind of assignee only); also the principal's lookups for effective grants.
    UNIQUE (tenant_id, user_id, role_id),
    UNIQUE (tenant_id, service_user_id, role_id),
    UNIQUE (tenant_id, group_name, role_id)
);
CREATE INDEX role_assignments_by_role ON role_assignments (role_id);

-- Exactly one grantee per row: a user, a service user or a role.
CREATE TABLE grants (
    id               uuid        NOT NULL PRIMARY KEY, -- UUIDv7: lists are ordered by it
    tenant_id        uuid        NOT NULL REFERENCES tenants (id),
    user_id          uuid,
    service_user_id  uuid,
    role_id          uuid,
    action           text        NOT NULL,
    scope            json        NOT NULL, -- Scope, the source of truth
    scope_key        text        COLLATE "C" NOT NULL, -- Scope::key: uniqueness, filters
    -- From the scope, so that deleting a warehouse or catalog finds the grants on it, and
    -- a grant can name neither another tenant's nor a deleted one.
    warehouse_id     uuid,
    catalog_id       uuid,
    granted_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    CHECK (num_nonnulls(user_id, service_user_id, role_id) = 1),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, service_user_id) REFERENCES service_users (tenant_id, id),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, catalog_id) REFERENCES catalogs (tenant_id, id),
    -- One grant per grantee, action and scope; also the lookups of effective grants.
    UNIQUE (tenant_id, user_id, action, scope_key),
    UNIQUE (tenant_id, service_user_id, action, scope_key),
    UNIQUE (tenant_id, role_id, action, scope_key)
);
CREATE INDEX grants_by_tenant ON grants (tenant_id, id);
CREATE INDEX grants_by_warehouse ON grants (warehouse_id);
CREATE INDEX grants_by_catalog ON grants (catalog_id);
