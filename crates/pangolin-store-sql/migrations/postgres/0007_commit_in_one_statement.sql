-- A commit that only moves pointers of existing tables (the hot write path) in one statement:
-- the server reads the keys' current pointers without any lock, decides the commit, and then
-- calls this function, which locks the branch, checks that those pointers are still what the
-- decision was based on, and writes the commit on top of whatever the head is by then. The
-- branch stays locked only for this function and the commit's WAL flush, never across a
-- client round trip; writers of different tables on one branch no longer queue behind each
-- other's round trips.
--
-- The caller writes the audit rows in the same statement, before the call (see pointers.rs).
--
-- Each statement of a PL/pgSQL function takes a new snapshot under READ COMMITTED, so the
-- pointer check below sees every commit that held the branch lock before us.
--
-- Raises SQLSTATE ZP001 when a checked pointer moved since the server read it (the server
-- reads again and decides again), ZP002 when the reference is missing or not a branch (the
-- server takes the general path, which reports it). Forward-only.
CREATE FUNCTION pangolin_commit_pointers(
    p_catalog uuid, p_branch text, p_commit uuid, p_at timestamptz,
    p_author text, p_message text,
    -- the pointers the decision read (content id and metadata location per key)
    p_seen_namespace text[], p_seen_name text[], p_seen_content_id uuid[],
    p_seen_location text[],
    p_blob_location text[], p_blob_metadata text[],
    p_put_namespace text[], p_put_name text[], p_put_content_id uuid[], p_put_kind text[],
    p_put_metadata_location text[], p_put_location text[],
    p_op text[], p_op_namespace text[], p_op_name text[], p_op_content_id uuid[],
    p_op_kind text[], p_op_metadata_location text[], p_op_location text[]
) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    v_kind text;
    v_head uuid;
BEGIN
    -- Before the lock: the bodies depend on nothing the lock protects (a location is new
    -- with its commit), and a refused commit rolls them back with everything else.
    INSERT INTO metadata_blobs (catalog_id, location, metadata)
    SELECT p_catalog, b.location, b.metadata
    FROM unnest(p_blob_location, p_blob_metadata) AS b(location, metadata)
    ON CONFLICT (catalog_id, location) DO UPDATE SET metadata = excluded.metadata;

    SELECT kind, head INTO v_kind, v_head FROM refs
    WHERE catalog_id = p_catalog AND name = p_branch
    FOR UPDATE;
    IF NOT FOUND OR v_kind <> 'branch' THEN
        RAISE EXCEPTION 'reference % is not a branch', p_branch USING ERRCODE = 'ZP002';
    END IF;
    IF EXISTS (
        SELECT 1
        FROM unnest(p_seen_namespace, p_seen_name, p_seen_content_id, p_seen_location)
            AS k(namespace, name, content_id, location)
        LEFT JOIN contents c ON c.catalog_id = p_catalog AND c.ref_name = p_branch
            AND c.namespace = k.namespace AND c.name = k.name
        WHERE (c.content_id, c.metadata_location) IS DISTINCT FROM (k.content_id, k.location)
    ) THEN
        RAISE EXCEPTION 'a pointer moved' USING ERRCODE = 'ZP001';
    END IF;

    -- The commit first: the operations reference it.
    INSERT INTO commits (id, catalog_id, parent, merge_parent, author, message, created_at)
    VALUES (p_commit, p_catalog, v_head, NULL, p_author, p_message, p_at);

    INSERT INTO commit_operations (commit_id, ordinal, op, namespace, name, content_id,
                                   kind, metadata_location, location)
    SELECT p_commit, o.ordinal - 1, o.op, o.namespace, o.name, o.content_id, o.kind,
           o.metadata_location, o.location
    FROM unnest(p_op, p_op_namespace, p_op_name, p_op_content_id, p_op_kind,
                p_op_metadata_location, p_op_location)
        WITH ORDINALITY
        AS o(op, namespace, name, content_id, kind, metadata_location, location, ordinal);

    INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
                          metadata_location, last_commit_id, updated_at, location)
    SELECT p_catalog, p_branch, u.namespace, u.name, u.content_id, u.kind,
           u.metadata_location, p_commit, p_at, u.location
    FROM unnest(p_put_namespace, p_put_name, p_put_content_id, p_put_kind,
                p_put_metadata_location, p_put_location)
        AS u(namespace, name, content_id, kind, metadata_location, location)
    ON CONFLICT (catalog_id, ref_name, namespace, name) DO UPDATE SET
        content_id = excluded.content_id, kind = excluded.kind,
        metadata_location = excluded.metadata_location,
        last_commit_id = excluded.last_commit_id, updated_at = excluded.updated_at,
        location = excluded.location;

    UPDATE refs SET head = p_commit, updated_at = p_at
    WHERE catalog_id = p_catalog AND name = p_branch;
    RETURN v_head;
END
$$;
