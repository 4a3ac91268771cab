-- PostgreSQL's 0006 switches stored metadata to lz4 TOAST compression; SQLite stores it
-- uncompressed and has nothing to change. Kept so both dialects number their migrations alike.
SELECT 1;
