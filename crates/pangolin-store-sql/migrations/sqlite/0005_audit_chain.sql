-- Hash chains over the audit log (one per tenant, one for events without a tenant).
-- Forward-only.
--
-- Events are still written unsealed (seq NULL) in their mutation's transaction, so writers
-- never wait for each other on the chain. The sealer links them afterwards, one short
-- transaction per chain (see `AuditStore::seal_audit`): it sets chain_key, seq, prev_hash
-- and hash, and moves the chain's head in `audit_chains`. The head is kept apart from the
-- records so a cut-off tail shows.
ALTER TABLE audit_events ADD COLUMN chain_key TEXT;  -- audit_chains.chain_key once sealed
ALTER TABLE audit_events ADD COLUMN seq       INTEGER;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash      TEXT;

-- A seq is used once per chain: a second line of defence against forks. Partial, so that
-- writing an (unsealed) event does not touch it.
CREATE UNIQUE INDEX audit_by_chain ON audit_events (chain_key, seq) WHERE seq IS NOT NULL;
-- What the sealer looks for; small, since events leave it within about a second.
CREATE INDEX audit_unsealed ON audit_events (tenant_id, time, id) WHERE seq IS NULL;

CREATE TABLE audit_chains (
    chain_key  TEXT    NOT NULL PRIMARY KEY, -- the tenant id; '' for events without a tenant
    seq        INTEGER NOT NULL,             -- of the last sealed record; 0 before the first
    hash       TEXT    NOT NULL              -- of the last sealed record
) STRICT;
