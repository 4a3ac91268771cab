"""Schemathesis (the harness's pinned 4.32.5) fuzzes a fresh server against the official Iceberg
REST spec: no 5xx, only documented statuses, responses that match their schemas. Runs the
command line of tests/harness/README.md with tests/harness/schemathesis.toml ({prefix} = default),
on the spec as corrected by spec_errata.py, over every operation /v1/config advertises.

SCHEMATHESIS_SEED (default fixed, for a reproducible CI run) and SCHEMATHESIS_MAX_EXAMPLES
(default 50) tune the run; any seed must pass."""

import os
import subprocess

import pytest
import requests
import yaml

from conftest import KIT, serve
from servers import ROOT
from spec_errata import corrected

SPEC = ROOT / "tests" / "spec" / "iceberg-rest-catalog-open-api.yaml"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
SEED = os.environ.get("SCHEMATHESIS_SEED", "20251124")
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "50")

# Spec operations the server deliberately does not serve (and so does not advertise in
# /v1/config `endpoints`); they answer 404 and are not fuzzed.
NOT_IMPLEMENTED = {
    "getToken": "OAuth2 token endpoint (deprecated by the spec): tokens come from the identity provider",
    "listFunctions": "catalog functions are not implemented",
    "loadFunction": "catalog functions are not implemented",
    "planTableScan": "server-side scan planning is not implemented: clients plan their own scans",
    "fetchPlanningResult": "server-side scan planning is not implemented",
    "cancelPlanning": "server-side scan planning is not implemented",
    "fetchScanTasks": "server-side scan planning is not implemented",
    "unregisterTable": "unregister (drop without touching files) is not implemented",
}
# The discovery endpoint itself, never listed in `endpoints`.
ALWAYS_SERVED = {"GET /v1/config"}


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    """A server of its own: fuzzing creates and drops arbitrary namespaces and tables."""
    yield from serve(tmp_path_factory, "schemathesis")


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                yield f"{method.upper()} {path}", op["operationId"]


def test_spec_conformance(fresh_server, harness, tmp_path):
    spec = yaml.safe_load(SPEC.read_text())
    advertised = set(requests.get(f"{fresh_server.url}/v1/config", timeout=30).json()["endpoints"])
    ops = dict(operations(spec))
    assert advertised <= set(ops), f"advertised but not in the spec: {advertised - set(ops)}"
    excluded = {op_id for route, op_id in ops.items() if route not in advertised | ALWAYS_SERVED}
    assert excluded == set(NOT_IMPLEMENTED), (
        "the spec operations the server does not advertise changed; update NOT_IMPLEMENTED: "
        f"now unadvertised {sorted(excluded)}")

    spec_file = tmp_path / "iceberg-rest-catalog-open-api.yaml"
    spec_file.write_text(yaml.safe_dump(corrected(spec), sort_keys=False))
    exe = harness / "venv" / "bin" / "schemathesis"
    assert exe.exists(), f"no schemathesis in {exe}: run bash tests/harness/install.sh"
    command = [
        str(exe), "--config-file", "schemathesis.toml", "run", str(spec_file), "--url", fresh_server.url,
        "--max-examples", MAX_EXAMPLES, "--seed", SEED, "--phases", "examples,fuzzing,stateful",
        "--checks", CHECKS,
        # One worker: schemathesis' coverage of lambda sources is not thread-safe on Python 3.11.
        "--workers", "1",
        # A generator-side limit (a schema whose examples it mostly discards), not a server finding.
        "--suppress-health-check", "filter_too_much",
    ]
    for op_id in sorted(NOT_IMPLEMENTED):
        command += ["--exclude-operation-id", op_id]
    env = {**os.environ, "ICEBERG_PREFIX": "default", "HYPOTHESIS_STORAGE_DIRECTORY": str(harness / "hypothesis")}
    run = subprocess.run(command, cwd=KIT, env=env, capture_output=True, text=True, timeout=600)
    report = f"{' '.join(command)}\n\n{run.stdout}\n{run.stderr}"
    print(report)
    assert run.returncode == 0, f"schemathesis found problems (seed {SEED}):\n{report}"
