"""PyIceberg 0.12 against the real server, on the file warehouse and on S3 (moto): namespaces,
a partitioned + sorted table through append/overwrite/delete/schema evolution/time travel,
renames, listing with pagination, purge, and a stale writer's transparent retry."""

import datetime as dt
import logging

import pyarrow as pa
import requests
from pyiceberg.expressions import EqualTo, LessThan
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table.sorting import SortField, SortOrder
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType, TimestampType

from helpers import Warehouse, read, unique

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "ts", TimestampType(), required=False),
    NestedField(3, "category", StringType(), required=False),
)
SPEC = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"))
ORDER = SortOrder(SortField(source_id=1, transform=IdentityTransform()))
ARROW = pa.schema([("id", pa.int64()), ("ts", pa.timestamp("us")), ("category", pa.string())])


def day(d: int) -> dt.datetime:
    return dt.datetime(2024, 5, d, 12, 0)


def rows(*items) -> list[dict]:
    return [dict(id=i, ts=day(d), category=c) for i, d, c in items]


def batch(*items, schema=ARROW) -> pa.Table:
    return pa.Table.from_pylist(rows(*items) if schema is ARROW else list(items), schema=schema)


def test_namespaces_nested_and_listed(warehouse: Warehouse):
    cat = warehouse.catalog()
    top = unique("ns")
    cat.create_namespace(top, {"owner": "e2e"})
    cat.create_namespace((top, "child"))
    assert (top,) in cat.list_namespaces()
    assert cat.list_namespaces(top) == [(top, "child")]
    assert cat.load_namespace_properties(top)["owner"] == "e2e"
    assert cat.list_tables((top, "child")) == []


def test_partitioned_sorted_table_lifecycle(warehouse: Warehouse):
    cat = warehouse.catalog()
    ns = (unique("life"), "nested")
    cat.create_namespace(ns[0])
    cat.create_namespace(ns)
    ident = (*ns, "events")
    tbl = cat.create_table(ident, schema=SCHEMA, partition_spec=SPEC, sort_order=ORDER)
    tbl = cat.load_table(ident)
    assert [(f.name, str(f.transform)) for f in tbl.spec().fields] == [("ts_day", "day")]
    assert [(f.source_id, str(f.transform)) for f in tbl.sort_order().fields] == [(1, "identity")]
    assert read(tbl) == []

    tbl.append(batch((1, 1, "a"), (2, 1, "b"), (3, 2, "b")))
    first = rows((1, 1, "a"), (2, 1, "b"), (3, 2, "b"))
    assert read(tbl) == first
    first_snapshot = tbl.current_snapshot().snapshot_id

    tbl.overwrite(batch((4, 2, "c")), overwrite_filter=EqualTo("category", "b"))
    assert read(tbl) == rows((1, 1, "a"), (4, 2, "c"))
    assert read(cat.load_table(ident)) == rows((1, 1, "a"), (4, 2, "c")), "a fresh load sees the same"

    tbl.delete(delete_filter=LessThan("id", 2))
    assert read(tbl) == rows((4, 2, "c"))

    with tbl.update_schema() as update:
        update.add_column("note", StringType())
        update.rename_column("category", "kind")
    tbl = cat.load_table(ident)
    assert tbl.schema().column_names == ["id", "ts", "kind", "note"]
    assert read(tbl) == [dict(id=4, ts=day(2), kind="c", note=None)]
    evolved = pa.schema([("id", pa.int64()), ("ts", pa.timestamp("us")), ("kind", pa.string()), ("note", pa.string())])
    tbl.append(batch(dict(id=5, ts=day(3), kind="d", note="new"), schema=evolved))
    assert read(cat.load_table(ident)) == [
        dict(id=4, ts=day(2), kind="c", note=None),
        dict(id=5, ts=day(3), kind="d", note="new"),
    ]

    # Time travel reads the snapshot with the schema it was written with.
    assert read(cat.load_table(ident), snapshot_id=first_snapshot) == first
    assert len(cat.load_table(ident).snapshots()) >= 4


def test_rename_within_and_across_namespaces(warehouse: Warehouse):
    cat = warehouse.catalog()
    src, dst = unique("from"), unique("to")
    cat.create_namespace(src)
    cat.create_namespace(dst)
    cat.create_table((src, "t"), schema=SCHEMA).append(batch((1, 1, "a")))

    cat.rename_table((src, "t"), (src, "t2"))
    assert not cat.table_exists((src, "t"))
    assert read(cat.load_table((src, "t2"))) == rows((1, 1, "a"))

    cat.rename_table((src, "t2"), (dst, "moved"))
    assert cat.list_tables(src) == []
    assert cat.list_tables(dst) == [(dst, "moved")]
    moved = cat.load_table((dst, "moved"))
    assert read(moved) == rows((1, 1, "a"))
    moved.append(batch((2, 2, "b")))
    assert read(cat.load_table((dst, "moved"))) == rows((1, 1, "a"), (2, 2, "b"))


def walk(url: str, params: dict) -> list[dict]:
    """Every page of a REST listing with pageSize=1, from an empty pageToken (which starts
    pagination, per the spec) along next-page-token to the end."""
    pages, token = [], ""
    while True:
        query = {**params, "pageSize": "1", "pageToken": token}
        reply = requests.get(url, params=query, timeout=30)
        assert reply.status_code == 200, reply.text
        pages.append(reply.json())
        token = pages[-1].get("next-page-token")
        if not token:
            return pages
        assert len(pages) < 20, "pagination does not end"


def test_listing_paginates(warehouse: Warehouse):
    cat = warehouse.catalog()
    ns = unique("pages")
    cat.create_namespace(ns)
    names = ["a", "b", "c"]
    for name in names:
        cat.create_namespace((ns, name))
        cat.create_table((ns, name), schema=SCHEMA)
    expected = [(ns, n) for n in names]
    assert sorted(cat.list_tables(ns)) == expected
    # PyIceberg 0.12 sends pageSize but never the empty pageToken that starts pagination, so
    # the server answers in one page; the walks below paginate for real.
    paged = warehouse.catalog(**{"rest-page-size": "1"})
    assert sorted(paged.list_tables(ns)) == expected
    assert sorted(paged.list_namespaces(ns)) == expected

    base = f"{warehouse.url}/v1/default/namespaces"
    everything = requests.get(f"{base}/{ns}/tables", timeout=30).json()
    assert "next-page-token" not in everything or everything["next-page-token"] is None
    assert sorted(i["name"] for i in everything["identifiers"]) == names, "no pageToken returns everything"

    pages = walk(f"{base}/{ns}/tables", {})
    assert len(pages) >= 3 and all(len(p["identifiers"]) <= 1 for p in pages), pages
    assert sorted(i["name"] for p in pages for i in p["identifiers"]) == names, pages
    pages = walk(base, {"parent": ns})
    assert sorted(tuple(n) for p in pages for n in p["namespaces"]) == expected, pages


def test_purge_removes_every_file(warehouse: Warehouse):
    cat = warehouse.catalog()
    ns = unique("purge")
    cat.create_namespace(ns)
    tbl = cat.create_table((ns, "doomed"), schema=SCHEMA, partition_spec=SPEC)
    tbl.append(batch((1, 1, "a")))
    tbl.append(batch((2, 2, "b")))
    location = cat.load_table((ns, "doomed")).location()
    before = warehouse.list_files(location)
    assert any("/data/" in f for f in before) and any("/metadata/" in f for f in before), before

    cat.purge_table((ns, "doomed"))
    assert not cat.table_exists((ns, "doomed"))
    assert warehouse.list_files(location) == []


def test_stale_writer_is_retried_and_both_changes_land(warehouse: Warehouse, caplog):
    cat = warehouse.catalog()
    ns = unique("stale")
    cat.create_namespace(ns)
    cat.create_table((ns, "t"), schema=SCHEMA)
    first, stale = cat.load_table((ns, "t")), cat.load_table((ns, "t"))
    first.append(batch((1, 1, "a")))
    with caplog.at_level(logging.WARNING, logger="pyiceberg"):
        stale.append(batch((2, 2, "b")))
    assert any("concurrent update, retrying" in r.getMessage() for r in caplog.records), \
        "the stale commit should have been refused (409) and retried"
    final = cat.load_table((ns, "t"))
    assert read(final) == rows((1, 1, "a"), (2, 2, "b"))
    # The metadata's snapshot list has no defined order; sequence numbers do.
    older, newer = sorted(final.snapshots(), key=lambda s: s.sequence_number)
    assert newer.parent_snapshot_id == older.snapshot_id, "the retry was rebased on the other writer's snapshot"
    assert final.current_snapshot().snapshot_id == newer.snapshot_id


def test_basic_flow_on_postgres(pg_server):
    cat = Warehouse("file", pg_server.url).catalog()
    ns = unique("pg")
    cat.create_namespace(ns)
    tbl = cat.create_table((ns, "t"), schema=SCHEMA)
    tbl.append(batch((1, 1, "a"), (2, 2, "b")))
    assert read(cat.load_table((ns, "t"))) == rows((1, 1, "a"), (2, 2, "b"))
    assert cat.list_tables(ns) == [(ns, "t")]
