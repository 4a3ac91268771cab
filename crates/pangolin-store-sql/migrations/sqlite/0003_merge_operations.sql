-- Merge operations: a merge between two references of a catalog, kept with its conflicts
-- while they are resolved. Forward-only.
--
-- The commit ids are not foreign keys: an operation records the heads it was computed from
-- as facts, and the store checks nothing about them (as in every backend). The catalog is:
-- deleting a catalog deletes its operations first.
CREATE TABLE merge_operations (
    id             TEXT    NOT NULL PRIMARY KEY, -- UUIDv7: sorts by creation
    catalog_id     TEXT    NOT NULL REFERENCES catalogs (id),
    source_ref     TEXT    NOT NULL,
    target_ref     TEXT    NOT NULL,
    source_head    TEXT    NOT NULL,
    target_head    TEXT    NOT NULL,
    base           TEXT,             -- NULL when the histories share no commit
    status         TEXT    NOT NULL CHECK (status IN ('open', 'completed', 'aborted')),
    conflicts      TEXT    NOT NULL, -- JSON array of MergeConflict
    author         TEXT    NOT NULL,
    message        TEXT    NOT NULL,
    result_commit  TEXT,             -- the merge commit, once completed
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
-- A catalog's operations newest first, all or in one status (`list_merges`).
CREATE INDEX merge_operations_by_catalog ON merge_operations (catalog_id, id);
CREATE INDEX merge_operations_by_status ON merge_operations (catalog_id, status, id);
