-- PostgreSQL 0007 adds a function that writes a pointer-moving commit in one statement; SQLite
-- serializes its writers in one write transaction and keeps the general path. Kept so both
-- dialects number their migrations alike.
SELECT 1;
