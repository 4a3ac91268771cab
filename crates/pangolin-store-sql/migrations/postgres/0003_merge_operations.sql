-- Merge operations: a merge between two references of a catalog, kept with its conflicts
-- while they are resolved. Forward-only.
--
-- The commit ids are not foreign keys: an operation records the heads it was computed from
-- as facts, and the store checks nothing about them (as in every backend). The catalog is:
-- deleting a catalog deletes its operations first.
CREATE TABLE merge_operations (
    id             uuid        NOT NULL PRIMARY KEY, -- UUIDv7: sorts by creation
    catalog_id     uuid        NOT NULL REFERENCES catalogs (id),
    source_ref     text        NOT NULL,
    target_ref     text        NOT NULL,
    source_head    uuid        NOT NULL,
    target_head    uuid        NOT NULL,
    base           uuid,                 -- NULL when the histories share no commit
    status         text        NOT NULL CHECK (status IN ('open', 'completed', 'aborted')),
    conflicts      json        NOT NULL, -- array of MergeConflict
    author         text        NOT NULL,
    message        text        NOT NULL,
    result_commit  uuid,                 -- the merge commit, once completed
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
-- A catalog's operations newest first, all or in one status (`list_merges`).
CREATE INDEX merge_operations_by_catalog ON merge_operations (catalog_id, id);
CREATE INDEX merge_operations_by_status ON merge_operations (catalog_id, status, id);
