"""DuckDB 1.5.5 (iceberg extension, offline from $HARNESS/duckdb_ext) against the real server with
its default ATTACH options: tables are stage-created and every write goes through
POST /v1/{prefix}/transactions/commit. Tables written by DuckDB and by PyIceberg read the same
from both."""

import duckdb
import pyarrow as pa
import pytest

from helpers import Warehouse, read, unique


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@pytest.fixture
def duck(sqlite_server, harness):
    """A DuckDB connection with the server's `default` catalog attached as `cat`, connected
    exactly as tests/harness/README.md says."""
    ext = harness / "duckdb_ext"
    if not ext.is_dir():
        pytest.fail(f"no DuckDB extensions in {ext}: run bash tests/harness/install.sh")
    con = duckdb.connect(config={"extension_directory": str(ext), "autoinstall_known_extensions": "false"})
    con.execute("LOAD httpfs; LOAD avro; LOAD iceberg;")
    con.execute(f"ATTACH 'default' AS cat (TYPE iceberg, ENDPOINT {q(sqlite_server.url)}, AUTHORIZATION_TYPE 'none')")
    yield con
    con.close()


@pytest.fixture
def pyiceberg(sqlite_server):
    return Warehouse("file", sqlite_server.url).catalog()


COMMIT = ("POST", "/v1/default/transactions/commit")


def test_duckdb_writes_and_reads_back(duck, pyiceberg, sqlite_server):
    ns = unique("duck")
    duck.execute(f"CREATE SCHEMA cat.{ns}")
    duck.execute(f"CREATE TABLE cat.{ns}.people (id BIGINT, name VARCHAR)")
    # Stage-created (POST .../tables), then created by committing to the table.
    created = ("POST", f"/v1/default/namespaces/{ns}/tables/people")
    assert sqlite_server.await_requests(*created, 1), "the staged create was committed"
    assert duck.sql(f"SELECT count(*) FROM cat.{ns}.people").fetchall() == [(0,)]
    commits = sqlite_server.requests_served(*COMMIT)
    duck.execute(f"INSERT INTO cat.{ns}.people VALUES (1, 'ann'), (2, 'bob')")
    duck.execute(f"INSERT INTO cat.{ns}.people VALUES (3, 'cy')")
    assert sqlite_server.await_requests(*COMMIT, commits + 2), "each INSERT commits through /transactions/commit"
    assert duck.sql(f"SELECT id, name FROM cat.{ns}.people ORDER BY id").fetchall() == [
        (1, "ann"), (2, "bob"), (3, "cy")]
    assert (ns, "people") in [(r[1], r[2]) for r in duck.sql("SHOW ALL TABLES").fetchall()]

    # PyIceberg reads what DuckDB wrote: the same rows, one snapshot per INSERT.
    table = pyiceberg.load_table((ns, "people"))
    assert read(table) == [dict(id=1, name="ann"), dict(id=2, name="bob"), dict(id=3, name="cy")]
    assert len(table.snapshots()) == 2


def test_duckdb_reads_a_table_pyiceberg_wrote(pyiceberg, duck):
    ns = unique("frompy")
    pyiceberg.create_namespace(ns)
    schema = pa.schema([("id", pa.int64()), ("city", pa.string()), ("score", pa.float64())])
    table = pyiceberg.create_table((ns, "scores"), schema=schema)
    table.append(pa.table({"id": [1, 2], "city": ["Oslo", "Lima"], "score": [1.5, 2.5]}, schema=schema))
    table.append(pa.table({"id": [3], "city": ["Pune"], "score": [None]}, schema=schema))

    assert duck.sql(f"SELECT id, city, score FROM cat.{ns}.scores ORDER BY id").fetchall() == [
        (1, "Oslo", 1.5), (2, "Lima", 2.5), (3, "Pune", None)]
    # ... and appends to it, which PyIceberg then sees.
    duck.execute(f"INSERT INTO cat.{ns}.scores VALUES (4, 'Kyiv', 4.0)")
    assert [r["id"] for r in read(pyiceberg.load_table((ns, "scores")))] == [1, 2, 3, 4]
