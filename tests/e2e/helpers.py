"""What the suites share: the warehouse under test, client catalogs, unique names, exact reads."""

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlparse

import pytest
from pyiceberg.catalog import Catalog, load_catalog

# moto's fixed credentials (tests/harness/README.md).
MOTO_KEY = MOTO_SECRET = "testing"
MOTO_REGION = "us-east-1"


def s3_client_props(endpoint: str) -> dict:
    """Client-side S3 settings for moto (the server vends no credentials to these clients)."""
    return {"s3.endpoint": endpoint, "s3.access-key-id": MOTO_KEY, "s3.secret-access-key": MOTO_SECRET,
            "s3.region": MOTO_REGION, "s3.path-style-access": "true"}


@dataclass
class Warehouse:
    """The default catalog of one running server, as clients reach it."""

    kind: str  # "file" | "s3"
    url: str
    client_props: dict = field(default_factory=dict)
    # Every object/file under a location URL (file:// or s3://).
    list_files: Callable[[str], list[str]] = None

    def catalog(self, **props) -> Catalog:
        return load_catalog(f"pangolin-{self.kind}", type="rest", uri=self.url, warehouse="default",
                            **self.client_props, **props)


def local_files(location: str) -> list[str]:
    root = Path(unquote(urlparse(location).path))
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def s3_files(s3) -> Callable[[str], list[str]]:
    def list_files(location: str) -> list[str]:
        u = urlparse(location)
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=u.netloc, Prefix=u.path.lstrip("/") + "/")
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))
    return list_files


def unavailable(why: str):
    """A prerequisite is missing: skip the requesting test locally, fail it when CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {why}", pytrace=False)
    pytest.skip(why)


def unique(prefix: str) -> str:
    """A name no other test (or earlier run on a shared server) uses."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def read(table, **scan) -> list[dict]:
    """Every row of a scan, ordered by `id`, as plain dicts."""
    return table.scan(**scan).to_arrow().sort_by("id").to_pylist()
