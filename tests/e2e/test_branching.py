"""Catalog branching with real clients: PyIceberg writes on a branch through the `default@<branch>`
prefix, merges through the management API, conflicts resolved explicitly, tags read as
snapshots, partial branches, and DuckDB reading a branch through ATTACH 'default@<branch>'."""

import duckdb
import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

from helpers import read, unique

SCHEMA = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "v", StringType(), required=False))


def rows(*pairs):
    return pa.table({"id": pa.array([p[0] for p in pairs], pa.int64()), "v": [p[1] for p in pairs]})


class Api:
    """The management API of the `default` catalog."""

    def __init__(self, url: str):
        self.base = f"{url}/api/v1/catalogs/default"

    def post(self, path: str, body=None, expect: int = 200) -> dict:
        r = requests.post(f"{self.base}/{path}", json=body, timeout=30)
        assert r.status_code == expect, f"POST {path}: {r.status_code} {r.text}"
        return r.json() if r.content else {}

    def branch(self, name: str, **extra) -> dict:
        return self.post("branches", {"name": name, **extra}, expect=201)

    def merge(self, source: str, target: str = "main") -> dict:
        return self.post("merges", {"source": source, "target": target})


@pytest.fixture
def api(sqlite_server) -> Api:
    return Api(sqlite_server.url)


@pytest.fixture
def on(sqlite_server):
    """PyIceberg catalogs per version of the `default` catalog: on("main"), on("dev"), ..."""
    return lambda version: load_catalog(f"pangolin-{version}", type="rest", uri=sqlite_server.url,
                                        warehouse=f"default@{version}")


def test_a_branch_isolates_writes_until_merged(api, on):
    ns, dev = unique("br"), unique("dev")
    main = on("main")
    main.create_namespace(ns)
    main.create_table(f"{ns}.t", schema=SCHEMA).append(rows((1, "a")))
    api.branch(dev)
    on(dev).load_table(f"{ns}.t").append(rows((2, "b")))
    assert read(main.load_table(f"{ns}.t")) == [{"id": 1, "v": "a"}], "main unchanged before the merge"
    assert api.merge(dev)["status"] == "merged"
    assert read(on("main").load_table(f"{ns}.t")) == [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]


def test_conflicts_are_resolved_explicitly(api, on):
    ns, dev = unique("br"), unique("dev")
    main = on("main")
    main.create_namespace(ns)
    main.create_table(f"{ns}.t", schema=SCHEMA).append(rows((1, "base")))
    api.branch(dev)
    on(dev).load_table(f"{ns}.t").append(rows((2, "from-dev")))
    main.load_table(f"{ns}.t").append(rows((3, "from-main")))
    reply = api.merge(dev)
    assert reply["status"] == "conflicts", reply
    assert [c["ident"]["name"] for c in reply["conflicts"]] == ["t"]
    merge_id = reply["merge"]["id"]
    resolution = {"table": {"namespace": [ns], "name": "t"}, "resolution": "take-source"}
    api.post(f"merges/{merge_id}/resolve", resolution)
    assert api.post(f"merges/{merge_id}/complete")["merge"]["status"] == "completed"
    final = read(on("main").load_table(f"{ns}.t"))
    assert final == [{"id": 1, "v": "base"}, {"id": 2, "v": "from-dev"}], "the loser's rows are gone from main"


def test_a_tag_reads_the_old_rows(api, on):
    ns, tag = unique("br"), unique("v")
    main = on("main")
    main.create_namespace(ns)
    main.create_table(f"{ns}.t", schema=SCHEMA).append(rows((1, "old")))
    api.post("tags", {"name": tag}, expect=201)
    main.load_table(f"{ns}.t").append(rows((2, "new")))
    assert read(on(tag).load_table(f"{ns}.t")) == [{"id": 1, "v": "old"}]
    assert len(read(on("main").load_table(f"{ns}.t"))) == 2


def test_a_partial_branch_merges_only_its_table(api, on):
    ns, part = unique("br"), unique("part")
    main = on("main")
    main.create_namespace(ns)
    main.create_table(f"{ns}.one", schema=SCHEMA).append(rows((1, "one")))
    main.create_table(f"{ns}.two", schema=SCHEMA).append(rows((1, "two")))
    api.branch(part, tables=[{"namespace": [ns], "name": "one"}])
    assert not on(part).table_exists(f"{ns}.two"), "the partial branch carries only `one`"
    on(part).load_table(f"{ns}.one").append(rows((2, "one-b")))
    main.load_table(f"{ns}.two").append(rows((2, "two-main")))
    reply = api.merge(part)
    assert reply["status"] == "merged", reply
    assert [c["ident"]["name"] for c in reply["changes"]] == ["one"]
    assert len(read(on("main").load_table(f"{ns}.one"))) == 2
    assert read(on("main").load_table(f"{ns}.two")) == [{"id": 1, "v": "two"}, {"id": 2, "v": "two-main"}]


def test_duckdb_reads_a_branch(api, on, sqlite_server, harness):
    ns, dev = unique("br"), unique("dev")
    on("main").create_namespace(ns)
    on("main").create_table(f"{ns}.t", schema=SCHEMA).append(rows((1, "main")))
    api.branch(dev)
    on(dev).load_table(f"{ns}.t").append(rows((2, "dev")))
    con = duckdb.connect(config={"extension_directory": str(harness / "duckdb_ext"),
                                 "autoinstall_known_extensions": "false"})
    con.execute("LOAD httpfs; LOAD avro; LOAD iceberg;")
    con.execute(f"ATTACH 'default@{dev}' AS b (TYPE iceberg, ENDPOINT '{sqlite_server.url}', AUTHORIZATION_TYPE 'none')")
    con.execute(f"ATTACH 'default' AS m (TYPE iceberg, ENDPOINT '{sqlite_server.url}', AUTHORIZATION_TYPE 'none')")
    assert con.execute(f'SELECT id, v FROM b."{ns}".t ORDER BY id').fetchall() == [(1, "main"), (2, "dev")]
    assert con.execute(f'SELECT id, v FROM m."{ns}".t ORDER BY id').fetchall() == [(1, "main")]
    con.close()
