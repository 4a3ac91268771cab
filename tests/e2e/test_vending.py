"""Credential vending and remote signing against emulators, with real clients that hold no
storage keys of their own: S3 on moto with IAM enforcement (STS AssumeRole with a session
policy; PyIceberg, DuckDB, iceberg-rust; remote signing), Azure on Azurite over TLS (SAS,
adlfs), GCS on fake-gcs-server (service-account token, downscoped through a Google STS
stand-in). Warehouse secrets and vended secrets never appear in a server log."""

import os
import re
import subprocess
import time
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog import load_catalog

from conftest import free_port, load_moto_iam, serve
from helpers import read, unavailable, unique
from vending_support import (AZURITE_ACCOUNT, AZURITE_KEY, DEBUG_LOG, GoogleAuthMock, bootstrap_config,
                             expires_in_ms)

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])
DELEGATION = "X-Iceberg-Access-Delegation"
# Secrets seen during the run (warehouse keys and vended ones): none may reach a log line.
SEEN_SECRETS: set[str] = set()
SERVERS = []


def rows(*ids) -> pa.Table:
    return pa.table({"id": list(ids), "name": [f"n{i}" for i in ids]}, schema=SCHEMA)


def load_raw(server, ns, table, mode="vended-credentials", prefix="default") -> dict:
    r = requests.get(f"{server.url}/v1/{prefix}/namespaces/{ns}/tables/{table}", headers={DELEGATION: mode})
    assert r.status_code == 200, r.text
    body = r.json()
    for cred in body.get("storage-credentials", []):
        SEEN_SECRETS.update(v for k, v in cred["config"].items()
                            if k.endswith(("secret-access-key", "session-token", "oauth2.token")) or ".sas-token." in k)
    return body


def only_credential(body: dict) -> dict:
    creds = body["storage-credentials"]
    assert len(creds) == 1, creds
    assert creds[0]["prefix"] == body["metadata"]["location"].rstrip("/")
    for key, value in creds[0]["config"].items():
        assert body["config"][key] == value, f"config repeats {key}"
    return creds[0]["config"]


# --- S3 on moto with IAM enforcement -----------------------------------------------------------

@dataclass
class VendMoto:
    endpoint: str
    bucket: str
    key: str
    secret: str
    role: str
    moto_iam: object


@pytest.fixture(scope="module")
def vend_moto(harness, run_id, tmp_path_factory):
    """A moto of this module's own (IAM enforcement on would break every other suite's
    'testing' keys, and moto's data.json, where the session policies are read, breaks once
    multipart uploads happened): an IAM user (the catalog's identity) allowed to assume a role
    with s3:* on the bucket, then enforcement on."""
    exe = harness / "venv" / "bin" / "moto_server"
    if not exe.exists():
        unavailable(f"no moto_server at {exe} (bash tests/harness/install.sh)")
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.2)
    moto_iam = load_moto_iam()
    bucket = f"vend-{run_id}"
    key, secret, role = moto_iam.vending_setup("catalog", "vending", bucket, endpoint)
    SEEN_SECRETS.add(secret)
    moto_iam.set_enforcement(True, endpoint)
    yield VendMoto(endpoint, bucket, key, secret, role, moto_iam)
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="module")
def sts_server(tmp_path_factory, vend_moto, run_id):
    storage = {"type": "s3", "bucket": vend_moto.bucket, "key-prefix": f"vend-{run_id}", "region": "us-east-1",
               "endpoint": vend_moto.endpoint, "path-style-access": True,
               "sts": {"role-arn": vend_moto.role, "session-duration-seconds": 900}}
    secret = {"type": "s3-access-key", "access-key-id": vend_moto.key, "secret-access-key": vend_moto.secret}
    for server in serve(tmp_path_factory, "s3-sts", bootstrap_config(storage, secret), DEBUG_LOG):
        SERVERS.append(server)
        yield server


def session_policy(vend_moto, access_key_id) -> dict:
    return vend_moto.moto_iam.session_policies(access_key_id, vend_moto.endpoint)[access_key_id]


def keyless_catalog(server, warehouse="default", **props):
    """A PyIceberg catalog with no storage keys: everything comes from the server."""
    return load_catalog(unique("c"), type="rest", uri=server.url, warehouse=warehouse, **props)


def test_session_policies_name_exactly_the_table_prefix(sts_server, vend_moto):
    """First in this moto's life: its data.json (the stored session policies) breaks once
    multipart uploads happened, so no data is written before this reads it."""
    cat = keyless_catalog(sts_server)
    ns = unique("pol")
    cat.create_namespace(ns)
    cat.create_table((ns, "t"), schema=SCHEMA)
    body = load_raw(sts_server, ns, "t")
    config = only_credential(body)
    assert config["s3.access-key-id"] != vend_moto.key, "temporary keys, not the warehouse's"
    assert 0 < expires_in_ms(config["s3.session-token-expires-at-ms"]) <= 900
    assert config["client.refresh-credentials-endpoint"] == f"v1/default/namespaces/{ns}/tables/t/credentials"
    assert config["client.refresh-credentials-enabled"] == "true"
    assert vend_moto.secret not in str(body)
    key = body["metadata"]["location"].split(f"s3://{vend_moto.bucket}/", 1)[1].rstrip("/")
    statements = {s["Sid"]: s for s in session_policy(vend_moto, config["s3.access-key-id"])["Statement"]}
    assert statements["TableObjects"]["Resource"] == [f"arn:aws:s3:::{vend_moto.bucket}/{key}/*"]
    assert statements["TableListing"]["Condition"]["StringLike"]["s3:prefix"] == [f"{key}/", f"{key}/*"]
    assert "s3:PutObject" in statements["TableObjects"]["Action"]
    # The refresh endpoint answers the same (cached) credential.
    refreshed = requests.get(f"{sts_server.url}/{config['client.refresh-credentials-endpoint']}").json()
    assert refreshed["storage-credentials"][0]["config"]["s3.access-key-id"] == config["s3.access-key-id"]

    # A tag is read-only: its session has no write action.
    tag = unique("tag")
    r = requests.post(f"{sts_server.url}/api/v1/catalogs/default/tags", json={"name": tag})
    assert r.status_code in (200, 201), r.text
    ro = only_credential(load_raw(sts_server, ns, "t", prefix=f"default@{tag}"))
    assert ro["s3.access-key-id"] != config["s3.access-key-id"]
    actions = [a for s in session_policy(vend_moto, ro["s3.access-key-id"])["Statement"] for a in s["Action"]]
    assert actions and all(a.startswith("s3:Get") or a == "s3:ListBucket" for a in actions), actions


def test_pyiceberg_writes_and_reads_with_vended_sts_credentials(sts_server):
    cat = keyless_catalog(sts_server)
    ns = unique("vend")
    cat.create_namespace(ns)
    table = cat.create_table((ns, "t"), schema=SCHEMA)
    table.append(rows(1, 2))
    assert read(cat.load_table((ns, "t"))) == rows(1, 2).to_pylist()
    tag = unique("tag")
    assert requests.post(f"{sts_server.url}/api/v1/catalogs/default/tags", json={"name": tag}).ok
    tagged = keyless_catalog(sts_server, warehouse=f"default@{tag}").load_table((ns, "t"))
    assert read(tagged) == rows(1, 2).to_pylist()


def test_bad_static_keys_are_refused_by_moto(sts_server, vend_moto):
    """Negative control: IAM enforcement is really on, so the vended keys are what works."""
    cat = keyless_catalog(sts_server)
    ns = unique("neg")
    cat.create_namespace(ns)
    cat.create_table((ns, "t"), schema=SCHEMA).append(rows(1))
    bad = keyless_catalog(sts_server, **{f"header.{DELEGATION}": "none", "s3.endpoint": vend_moto.endpoint,
                                         "s3.access-key-id": "AKIABADBADBADBAD", "s3.secret-access-key": "bad",
                                         "s3.region": "us-east-1", "s3.path-style-access": "true"})
    with pytest.raises(Exception):
        read(bad.load_table((ns, "t")))


def test_duckdb_default_attach_uses_vended_credentials(sts_server, harness):
    ext = harness / "duckdb_ext"
    con = duckdb.connect(config={"extension_directory": str(ext), "autoinstall_known_extensions": "false"})
    con.execute("LOAD httpfs; LOAD avro; LOAD iceberg;")
    con.execute(f"ATTACH 'default' AS cat (TYPE iceberg, ENDPOINT '{sts_server.url}', AUTHORIZATION_TYPE 'none')")
    ns = unique("duck")
    con.execute(f"CREATE SCHEMA cat.{ns}")
    con.execute(f"CREATE TABLE cat.{ns}.people (id BIGINT, name VARCHAR)")
    con.execute(f"INSERT INTO cat.{ns}.people VALUES (1, 'ann'), (2, 'bob')")
    assert con.sql(f"SELECT id, name FROM cat.{ns}.people ORDER BY id").fetchall() == [(1, "ann"), (2, "bob")]
    con.close()
    assert read(keyless_catalog(sts_server).load_table((ns, "people"))) == [
        dict(id=1, name="ann"), dict(id=2, name="bob")]


def test_iceberg_rust_scans_with_vended_credentials(sts_server, harness):
    probe = harness / "bin" / "iceberg-rust-probe"
    if not probe.exists():
        pytest.skip(f"no iceberg-rust probe at {probe}") if os.environ.get("CI") != "true" else pytest.fail("no probe")
    cat = keyless_catalog(sts_server)
    ns = unique("rust")
    cat.create_namespace(ns)
    cat.create_table((ns, "t"), schema=SCHEMA).append(rows(1, 2, 3))
    env = {"ICEBERG_PROPS": f"warehouse=default,header.{DELEGATION}=vended-credentials", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([str(probe), sts_server.url, ns, "t"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"probe failed:\n{out.stdout}\n{out.stderr}"
    assert re.search(r"^rows read via arrow: 3$", out.stdout, re.M), out.stdout


def test_remote_signing_reads_from_moto(sts_server, vend_moto):
    cat = keyless_catalog(sts_server)
    ns = unique("sign")
    cat.create_namespace(ns)
    cat.create_table((ns, "t"), schema=SCHEMA).append(rows(7, 8))
    body = load_raw(sts_server, ns, "t", mode="remote-signing")
    assert "storage-credentials" not in body and body["config"]["s3.remote-signing-enabled"] == "true"
    signing = keyless_catalog(sts_server, **{f"header.{DELEGATION}": "remote-signing",
                                             "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
    assert read(signing.load_table((ns, "t"))) == rows(7, 8).to_pylist()

    location = body["metadata"]["location"].rstrip("/")
    key = location.split(f"s3://{vend_moto.bucket}/", 1)[1]
    sign = f"{sts_server.url}/v1/default/namespaces/{ns}/tables/t/sign"
    base = f"{vend_moto.endpoint}/{vend_moto.bucket}"
    for uri in [f"{base}/{key}-other/data/x.parquet", f"{base}/{key.rsplit('/', 1)[0]}/secret.parquet",
                f"{base}?list-type=2&prefix="]:
        r = requests.post(sign, json={"region": "us-east-1", "uri": uri, "method": "GET", "headers": {}})
        assert r.status_code == 403 and r.json()["error"]["type"] == "ForbiddenException", (uri, r.text)


# --- Azure on Azurite (TLS) ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def azure_server(tmp_path_factory, azurite_tls, run_id):
    from azure.storage.blob import BlobServiceClient
    container = f"vend-{run_id}"
    svc = BlobServiceClient(account_url=azurite_tls.endpoint, retry_total=0,
                            credential={"account_name": AZURITE_ACCOUNT, "account_key": AZURITE_KEY})
    if not svc.get_container_client(container).exists():
        svc.create_container(container)
    SEEN_SECRETS.add(AZURITE_KEY)
    storage = {"type": "azure", "account-name": AZURITE_ACCOUNT, "container": container,
               "endpoint": azurite_tls.endpoint}
    secret = {"type": "azure-shared-key", "account-key": AZURITE_KEY}
    env = {**DEBUG_LOG, "SSL_CERT_FILE": azurite_tls.ca}
    for server in serve(tmp_path_factory, "azure", bootstrap_config(storage, secret), env):
        SERVERS.append(server)
        yield server


def test_pyiceberg_adlfs_with_vended_sas(azure_server):
    cat = keyless_catalog(azure_server, **{"py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
    ns = unique("az")
    cat.create_namespace(ns)
    table = cat.create_table((ns, "t"), schema=SCHEMA)
    assert table.metadata.location.startswith("abfss://")
    table.append(rows(1, 2))
    assert read(cat.load_table((ns, "t"))) == rows(1, 2).to_pylist()
    config = only_credential(load_raw(azure_server, ns, "t"))
    token = config[f"adls.sas-token.{AZURITE_ACCOUNT}.dfs.core.windows.net"]
    for suffix in [f"{AZURITE_ACCOUNT}.blob.core.windows.net", AZURITE_ACCOUNT]:
        assert config[f"adls.sas-token.{suffix}"] == token
        assert 0 < expires_in_ms(config[f"adls.sas-token-expires-at-ms.{suffix}"]) <= 3600
    assert "sp=racwdl" in token and "sr=c" in token
    assert config["adls.account-host"] == azure_server_host(azure_server)
    assert AZURITE_KEY not in str(config)


def azure_server_host(server) -> str:
    return re.search(r"https://([^\"' ]+devstoreaccount1)", server.config).group(1)


def test_read_only_sas_cannot_write(azure_server):
    cat = keyless_catalog(azure_server, **{"py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
    ns = unique("azro")
    cat.create_namespace(ns)
    cat.create_table((ns, "t"), schema=SCHEMA).append(rows(1))
    tag = unique("tag")
    assert requests.post(f"{azure_server.url}/api/v1/catalogs/default/tags", json={"name": tag}).ok
    tagged = keyless_catalog(azure_server, warehouse=f"default@{tag}",
                             **{"py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"}).load_table((ns, "t"))
    assert read(tagged) == rows(1).to_pylist()
    config = only_credential(load_raw(azure_server, ns, "t", prefix=f"default@{tag}"))
    assert "sp=rl" in config[f"adls.sas-token.{AZURITE_ACCOUNT}.dfs.core.windows.net"]
    with pytest.raises(Exception, match="AuthorizationPermissionMismatch"):
        with tagged.io.new_output(f"{tagged.metadata.location}/data/forbidden.bin").create(overwrite=True) as f:
            f.write(b"nope")


@pytest.fixture(scope="module")
def short_sas_server(tmp_path_factory, azurite_tls, azure_server, run_id):
    """The same container, vending SAS tokens that live two seconds."""
    storage = {"type": "azure", "account-name": AZURITE_ACCOUNT, "container": f"vend-{run_id}",
               "endpoint": azurite_tls.endpoint, "sas-duration-seconds": 2}
    secret = {"type": "azure-shared-key", "account-key": AZURITE_KEY}
    env = {**DEBUG_LOG, "SSL_CERT_FILE": azurite_tls.ca}
    for server in serve(tmp_path_factory, "azure-short", bootstrap_config(storage, secret), env):
        SERVERS.append(server)
        yield server


def test_expired_sas_is_refused(short_sas_server):
    cat = keyless_catalog(short_sas_server, **{"py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
    ns = unique("azexp")
    cat.create_namespace(ns)
    table = cat.create_table((ns, "t"), schema=SCHEMA)
    target = f"{table.metadata.location}/data/probe.bin"
    with table.io.new_output(target).create(overwrite=True) as f:
        f.write(b"while the token is valid")
    time.sleep(3)
    with pytest.raises(Exception, match="AuthenticationFailed|403|expired|Server failed to authenticate"):
        with table.io.new_input(target).open() as f:
            f.read()


# --- GCS on fake-gcs-server ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def google():
    mock = GoogleAuthMock()
    SEEN_SECRETS.add(mock.private_pem.splitlines()[1])
    yield mock
    mock.close()


@pytest.fixture(scope="module")
def gcs_server(tmp_path_factory, fake_gcs, google, run_id):
    bucket = f"vend-{run_id}"
    r = requests.post(f"{fake_gcs}/storage/v1/b?project=test", json={"name": bucket})
    assert r.status_code in (200, 409), r.text
    storage = {"type": "gcs", "bucket": bucket, "endpoint": fake_gcs, "downscope": True,
               "sts-endpoint": f"{google.url}/sts"}
    secret = {"type": "gcs-service-account", "key-json": google.key_json()}
    for server in serve(tmp_path_factory, "gcs", bootstrap_config(storage, secret), DEBUG_LOG):
        SERVERS.append(server)
        yield server


def test_pyarrow_file_io_with_vended_gcs_token(gcs_server, google, fake_gcs):
    """fake-gcs-server 1.54 answers object_store's XML-API uploads with 400 (the server's own
    metadata writes), so the table is stage-created (no server write) and PyIceberg's
    PyArrowFileIO writes and reads under its location with exactly the vended keys."""
    ns = unique("gcs")
    assert requests.post(f"{gcs_server.url}/v1/default/namespaces", json={"namespace": [ns]}).ok
    create = {"name": "t", "stage-create": True,
              "schema": {"type": "struct", "schema-id": 0,
                         "fields": [{"id": 1, "name": "id", "required": False, "type": "long"}]}}
    r = requests.post(f"{gcs_server.url}/v1/default/namespaces/{ns}/tables", json=create,
                      headers={DELEGATION: "vended-credentials"})
    assert r.status_code == 200, r.text
    body = r.json()
    config = only_credential(body)
    SEEN_SECRETS.update(google.issued + google.downscoped)
    assert config["gcs.oauth2.token"] in google.downscoped, "the downscoped token, not the service account's"
    assert google.scopes[-1].endswith("devstorage.read_write")
    assert 0 < expires_in_ms(config["gcs.oauth2.token-expires-at"]) <= 1800
    assert config["gcs.service.host"] == fake_gcs
    location = body["metadata"]["location"].rstrip("/")
    prefix = location.split("/", 3)[3]
    rules = [r for b in google.boundaries for r in b["accessBoundary"]["accessBoundaryRules"]]
    assert any(f"objects/{prefix}/'" in r["availabilityCondition"]["expression"] for r in rules), rules

    from pyiceberg.io.pyarrow import PyArrowFileIO
    io = PyArrowFileIO(body["config"])
    with io.new_output(f"{location}/data/probe.bin").create(overwrite=True) as f:
        f.write(b"written with the vended token")
    with io.new_input(f"{location}/data/probe.bin").open() as f:
        assert f.read() == b"written with the vended token"


# --- Last: nothing secret was logged -------------------------------------------------------------

def test_no_secret_in_any_server_log():
    assert SERVERS, "the vending servers ran"
    time.sleep(0.5)  # the log copier may trail the last response
    for server in SERVERS:
        log = server.log_path.read_text()
        assert "vended a storage credential" in log or server.name != "s3-sts", server.name
        leaked = [s[:12] + "…" for s in SEEN_SECRETS if s and s in log]
        assert not leaked, f"{server.name} logged secrets: {leaked}"
