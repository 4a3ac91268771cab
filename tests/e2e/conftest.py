"""Fixtures for the end-to-end suites: real `pangolin` servers (SQLite, PostgreSQL, S3 on moto)
and the harness (tests/harness, installed in $HARNESS). Servers are session-scoped; tests keep
apart by using unique namespace names.

A prerequisite that is missing (PostgreSQL, moto, the OIDC provider, the iceberg-rust probe)
skips its tests locally and fails them when CI=true."""

import atexit
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from helpers import Warehouse, local_files, s3_client_props, s3_files, unavailable
from servers import ROOT, STARTED, Server
from tls_support import write_ca_and_leaf

HARNESS = Path(os.environ.get("HARNESS") or ROOT / ".harness").resolve()
KIT = ROOT / "tests" / "harness"

# Emulators over TLS serve certificates from this session's throw-away CA. Python clients read
# the trust file when their HTTP stacks are imported (aiohttp, via s3fs or adlfs, possibly by
# an earlier test), so it is trusted from the start. Every e2e request goes to loopback only.
_TLS_DIR = Path(tempfile.mkdtemp(prefix="pangolin-e2e-tls-"))
atexit.register(shutil.rmtree, _TLS_DIR, True)
TLS_CA, TLS_CERT, TLS_KEY = write_ca_and_leaf(_TLS_DIR)
TRUSTED_CA = os.environ.get("PANGOLIN_TEST_AZURITE_CA") or str(TLS_CA)
os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = TRUSTED_CA


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
    request (pangolin_api::front at debug), so tests can tell which routes a client used."""
    yield from serve(tmp_path_factory, "sqlite", env={"PANGOLIN_LOG": "info,pangolin_api::front=debug"})


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


def emulator(service: str, env_var: str, port_var: str, default_port: int, path: str = "", scheme: str = "http"):
    """An emulator's endpoint: `env_var` when set; else the harness's running service (on the
    port it was started with), or one started through services.sh on $`port_var` and stopped
    afterwards."""
    endpoint = os.environ.get(env_var)
    if endpoint:
        yield endpoint
        return
    port = os.environ.get(port_var, str(default_port))
    services = [str(KIT / "services.sh")]
    started = False
    running = HARNESS / "run" / f"{service}.port"
    if not subprocess.run(services + ["status", service], env=harness_env(), capture_output=True).returncode:
        port = running.read_text().strip() if running.exists() else port
    else:
        start = subprocess.run(services + ["start", service], env=harness_env(), capture_output=True, text=True)
        if start.returncode:
            unavailable(f"{service} could not be started (set {env_var} or install the harness: "
                        f"bash tests/harness/install.sh):\n{start.stdout}{start.stderr}")
        started = True
    yield f"{scheme}://127.0.0.1:{port}{path}"
    if started:
        subprocess.run(services + ["stop", service], env=harness_env(), capture_output=True)


@dataclass
class AzuriteTls:
    endpoint: str  # the blob endpoint with the account path
    ca: str  # the CA that signed Azurite's certificate: trust it (SSL_CERT_FILE, REQUESTS_CA_BUNDLE)


@pytest.fixture(scope="session")
def azurite_tls(tmp_path_factory):
    """Azurite over https: PANGOLIN_TEST_AZURITE_TLS_ENDPOINT (its certificate's CA in
    PANGOLIN_TEST_AZURITE_CA), else one of this session's own with a certificate from the
    session's CA. Not the harness's `azurite-tls`: it serves a self-signed CA certificate as
    its end-entity certificate, which rustls (the server's TLS) rightly refuses."""
    if os.environ.get("PANGOLIN_TEST_AZURITE_TLS_ENDPOINT"):
        yield AzuriteTls(os.environ["PANGOLIN_TEST_AZURITE_TLS_ENDPOINT"], TRUSTED_CA)
        return
    exe = HARNESS / "node" / "node_modules" / ".bin" / "azurite-blob"
    if not exe.exists():
        unavailable(f"no Azurite at {exe} (bash tests/harness/install.sh)")
    workdir = tmp_path_factory.mktemp("azurite")
    port = free_port()
    log = open(workdir / "azurite.log", "w")
    proc = subprocess.Popen([str(exe), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
                             "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--cert", str(TLS_CERT),
                             "--key", str(TLS_KEY)],
                            cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    if not wait_port(port, 30):
        proc.kill()
        pytest.fail(f"Azurite did not start: {(workdir / 'azurite.log').read_text()[-2000:]}")
    yield AzuriteTls(f"https://127.0.0.1:{port}/devstoreaccount1", str(TLS_CA))
    proc.terminate()
    proc.wait(10)
    log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="session")
def fake_gcs():
    """fake-gcs-server (PANGOLIN_TEST_GCS_ENDPOINT, else `fake-gcs` on $FAKE_GCS_PORT)."""
    yield from emulator("fake-gcs", "PANGOLIN_TEST_GCS_ENDPOINT", "FAKE_GCS_PORT", 4443)


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
