"""Fixtures for the end-to-end suites: real `pangolin` servers (SQLite, PostgreSQL, S3 on moto)
and the harness (tests/harness, installed in $HARNESS). Servers are session-scoped; tests keep
apart by using unique namespace names.

A prerequisite that is missing (PostgreSQL, moto, the OIDC provider, the iceberg-rust probe)
skips its tests locally and fails them when CI=true."""

import importlib.util
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from helpers import Warehouse, local_files, s3_client_props, s3_files, unavailable
from servers import ROOT, STARTED, Server

HARNESS = Path(os.environ.get("HARNESS") or ROOT / ".harness").resolve()
KIT = ROOT / "tests" / "harness"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test shows where each server's log is, and its last lines."""
    report = yield
    if report.failed:
        for server in STARTED:
            report.sections.append((f"pangolin {server.name} log: {server.log_path}", server.tail(40)))
    return report


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


def serve(tmp_path_factory, name: str, config: str | None = None, env: dict | None = None):
    server = Server(name, tmp_path_factory.mktemp(name), config, env).start()
    yield server
    code = server.stop()
    assert code == 0, f"pangolin ({name}) exited {code} after SIGTERM; log {server.log_path}:\n{server.tail()}"


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory):
    """Default configuration: SQLite store, file warehouse under the data dir. Logs every
    request (tower_http at debug), so tests can tell which routes a client used."""
    yield from serve(tmp_path_factory, "sqlite", env={"PANGOLIN_LOG": "info,tower_http=debug"})


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory, run_id):
    """PostgreSQL store (PANGOLIN_TEST_POSTGRES_URL) in a fresh schema, dropped afterwards."""
    url = os.environ.get("PANGOLIN_TEST_POSTGRES_URL")
    if not url:
        unavailable("PANGOLIN_TEST_POSTGRES_URL is not set (no PostgreSQL for the e2e suites)")
    schema = f"e2e_{run_id}"
    env = {"PANGOLIN_STORE__BACKEND": "postgres", "PANGOLIN_STORE__URL": url, "PANGOLIN_STORE__SCHEMA": schema}
    yield from serve(tmp_path_factory, "postgres", env=env)
    if shutil.which("psql"):
        subprocess.run(["psql", url, "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)


def harness_env() -> dict:
    return {**os.environ, "HARNESS": str(HARNESS)}


def load_moto_iam():
    spec = importlib.util.spec_from_file_location("moto_iam", KIT / "clients" / "moto_iam.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Moto:
    endpoint: str
    bucket: str
    s3: object  # a boto3 S3 client with the moto keys


@pytest.fixture(scope="session")
def moto(run_id):
    """moto (PANGOLIN_TEST_S3_ENDPOINT, or started through services.sh and stopped afterwards)
    with a bucket for this run."""
    endpoint = os.environ.get("PANGOLIN_TEST_S3_ENDPOINT")
    started = False
    if not endpoint:
        endpoint = f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '9000')}"
        services = [str(KIT / "services.sh")]
        if subprocess.run(services + ["status", "moto"], env=harness_env(), capture_output=True).returncode:
            start = subprocess.run(services + ["start", "moto"], env=harness_env(), capture_output=True, text=True)
            if start.returncode:
                unavailable(f"moto could not be started (install the harness: bash tests/harness/install.sh):\n"
                            f"{start.stdout}{start.stderr}")
            started = True
    moto_iam = load_moto_iam()
    bucket = f"pangolin-e2e-{run_id}"
    moto_iam.create_bucket(bucket, endpoint)
    yield Moto(endpoint, bucket, moto_iam.client("s3", endpoint))
    if started:
        subprocess.run([str(KIT / "services.sh"), "stop", "moto"], env=harness_env(), capture_output=True)


@dataclass
class OidcProvider:
    """The harness's `oidc-cc` provider (client_credentials grant, RS256 tokens with
    `aud: iceberg-catalog`, `sub: service-account`), or why it is missing."""

    issuer: str | None
    missing: str = ""

    def require(self) -> str:
        if self.issuer is None:
            unavailable(self.missing)
        return self.issuer

    def token(self, client_id: str = "cli", client_secret: str = "secret") -> str:
        """An access token of the provider, for the client the harness configures by default."""
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        r = requests.post(f"{self.require()}/token", data=form, timeout=10)
        r.raise_for_status()
        return r.json()["access_token"]


def discovered_issuer(url: str) -> str | None:
    """The issuer a provider at `url` names in its discovery document, if it answers."""
    try:
        r = requests.get(f"{url}/.well-known/openid-configuration", timeout=5)
        return r.json()["issuer"] if r.ok else None
    except (requests.RequestException, ValueError, KeyError):
        return None


def token_endpoint_ready(url: str, timeout: float = 15) -> bool:
    """The harness mock listens before it can issue tokens (its /token answers 500 for a
    moment after start): wait until it answers a token request with a verdict."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = requests.post(f"{url}/token", data={"grant_type": "client_credentials", "client_id": "cli",
                                                    "client_secret": "secret"}, timeout=5)
            if r.status_code in (200, 401):
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


@pytest.fixture(scope="session")
def oidc_cc():
    """The OIDC provider: PANGOLIN_TEST_OIDC_ISSUER, or `oidc-cc` from the harness (already
    running, or started through services.sh and stopped afterwards). Never skips by itself:
    servers configure it either way, and tests that need tokens call `require()`."""
    url = os.environ.get("PANGOLIN_TEST_OIDC_ISSUER")
    started = False
    if not url:
        url = f"http://127.0.0.1:{os.environ.get('OIDC_CC_PORT', '28201')}"
        if discovered_issuer(url) is None:
            start = subprocess.run([str(KIT / "services.sh"), "start", "oidc-cc"], env=harness_env(),
                                   capture_output=True, text=True)
            if start.returncode:
                yield OidcProvider(None, f"the OIDC provider oidc-cc could not be started (install the harness: "
                                         f"bash tests/harness/install.sh):\n{start.stdout}{start.stderr}")
                return
            started = True
    issuer = discovered_issuer(url)
    if issuer and not token_endpoint_ready(url):
        issuer = None
    yield OidcProvider(issuer, "" if issuer else f"no OIDC provider answers at {url}")
    if started:
        subprocess.run([str(KIT / "services.sh"), "stop", "oidc-cc"], env=harness_env(), capture_output=True)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory, moto, run_id):
    """The default warehouse is s3://<bucket>/run-<id> on moto, with moto's keys as its credential."""
    config = f"""
[bootstrap]
storage = {{ type = "s3", bucket = "{moto.bucket}", key-prefix = "run-{run_id}", region = "us-east-1", endpoint = "{moto.endpoint}", path-style-access = true }}
storage_secret = {{ type = "s3-access-key", access-key-id = "testing", secret-access-key = "testing" }}
"""
    yield from serve(tmp_path_factory, "s3", config=config)


@pytest.fixture
def file_warehouse(sqlite_server) -> Warehouse:
    return Warehouse("file", sqlite_server.url, {}, local_files)


@pytest.fixture
def s3_warehouse(s3_server, moto) -> Warehouse:
    return Warehouse("s3", s3_server.url, s3_client_props(moto.endpoint), s3_files(moto.s3))


@pytest.fixture(params=["file", "s3"])
def warehouse(request) -> Warehouse:
    """Each test using this runs on the file warehouse (SQLite server) and the S3 one (moto)."""
    return request.getfixturevalue(f"{request.param}_warehouse")


@pytest.fixture(scope="session")
def harness() -> Path:
    return HARNESS
