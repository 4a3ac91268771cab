-- Stored table metadata is JSON of a few KB to a few hundred KB, written once per commit
-- and read on cache misses. PostgreSQL compresses it on the way into TOAST; its default
-- (pglz) costs several times the CPU of lz4 for a similar ratio, and that CPU is spent while
-- the committing branch is locked. New rows use lz4; existing rows stay as they are until
-- rewritten. Forward-only; a metadata-only change (nothing is rewritten).
ALTER TABLE metadata_blobs ALTER COLUMN metadata SET COMPRESSION lz4;
