-- Hash chains over the audit log (one per tenant, one for events without a tenant).
-- Forward-only.
--
-- Events are still written unsealed (seq NULL) in their mutation's transaction, so writers
-- never wait for each other on the chain. The sealer links them afterwards, one short
-- transaction per chain holding the chain's `audit_chains` row lock (see
-- `AuditStore::seal_audit`): it sets chain_key, seq, prev_hash and hash, and moves the head.
-- The head is kept apart from the records so a cut-off tail shows. Adding nullable columns
-- without a default rewrites nothing.
ALTER TABLE audit_events
    ADD COLUMN chain_key text,   -- audit_chains.chain_key once sealed
    ADD COLUMN seq       bigint,
    ADD COLUMN prev_hash text,
    ADD COLUMN hash      text;

-- A seq is used once per chain: a second line of defence against forks. Partial, so that
-- writing an (unsealed) event does not touch it.
CREATE UNIQUE INDEX audit_by_chain ON audit_events (chain_key, seq) WHERE seq IS NOT NULL;
-- What the sealer looks for; small, since events leave it within about a second.
CREATE INDEX audit_unsealed ON audit_events (tenant_id, time, id) WHERE seq IS NULL;

CREATE TABLE audit_chains (
    chain_key  text   COLLATE "C" NOT NULL PRIMARY KEY, -- the tenant id; '' without a tenant
    seq        bigint NOT NULL,  -- of the last sealed record; 0 before the first
    hash       text   NOT NULL   -- of the last sealed record
);
