"""iceberg-rust 0.10 (the harness's probe, $HARNESS/bin/iceberg-rust-probe) reads a table PyIceberg
wrote, on the file warehouse and on S3 (moto): it loads the table through the REST catalog,
plans its files and reads every row through Arrow."""

import re
import subprocess

import pyarrow as pa
import pytest

from helpers import Warehouse, unavailable, unique


@pytest.fixture(scope="session")
def probe(harness):
    exe = harness / "bin" / "iceberg-rust-probe"
    if not exe.exists():
        unavailable(f"no iceberg-rust probe at {exe} (bash tests/harness/install.sh --with-rust-client)")
    return exe


def test_iceberg_rust_reads_what_pyiceberg_wrote(warehouse: Warehouse, probe):
    cat = warehouse.catalog()
    ns = unique("rust")
    cat.create_namespace(ns)
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    table = cat.create_table((ns, "people"), schema=schema)
    table.append(pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}, schema=schema))
    table.append(pa.table({"id": [4, 5], "name": ["d", "e"]}, schema=schema))

    props = {"warehouse": "default", **warehouse.client_props}
    env = {"ICEBERG_PROPS": ",".join(f"{k}={v}" for k, v in props.items()), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([str(probe), warehouse.url, ns, "people"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, f"probe failed:\n{out.stdout}\n{out.stderr}"
    assert re.search(r"^rows read via arrow: 5$", out.stdout, re.M), out.stdout
    assert re.search(r"^data files: 2$", out.stdout, re.M), out.stdout
    snapshot = table.refresh().current_snapshot().snapshot_id
    assert f"snapshot: Some({snapshot})" in out.stdout, out.stdout
