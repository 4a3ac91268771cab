-- Table/view locations (no two tables may share files) and "referenced only" retention of
-- stored metadata. Forward-only.
--
-- `location` is a table's or view's base location, normalized by the catalog (no trailing
-- '/'). Rows written before this migration get '' and take part in no overlap check until
-- their next commit records their location; commit operations keep '' for deletes.
ALTER TABLE contents ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE commit_operations ADD COLUMN location TEXT NOT NULL DEFAULT '';

-- The overlap check probes exact locations ("an existing location contains L": L and its
-- ancestors, `IN`) and a bytewise range ("an existing location lies inside L":
-- location > L || '/' AND location < L || '0'); BINARY collation compares bytewise.
CREATE INDEX contents_by_location ON contents (location);
-- Whether a metadata location is still pointed at (retention, `metadata_in_use`).
CREATE INDEX contents_by_metadata_location ON contents (catalog_id, metadata_location);
-- Which references hold a table (`refs_holding`, before purging its files).
CREATE INDEX contents_by_content_id ON contents (catalog_id, content_id);

-- Bodies were kept for every location ever committed; keep only those still pointed at.
DELETE FROM metadata_blobs
WHERE NOT EXISTS (
    SELECT 1 FROM contents c
    WHERE c.catalog_id = metadata_blobs.catalog_id
        AND c.metadata_location = metadata_blobs.location
);
