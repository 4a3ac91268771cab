"""Authentication against the real binary with `auth.enabled = true` (one server for the module):
PyIceberg with OAuth2 client credentials (`credential=<key id>:<secret>` of a service user made
through the API) and with a bearer token; DuckDB with an OAuth2 secret against /v1/oauth/tokens;
PyIceberg and DuckDB with a token of the harness OIDC provider (`oidc-cc`), verified through its
JWKS, whose subject is provisioned on first use; browser login through that provider's
authorization code + PKCE flow; 401 without credentials and after revocation."""

from urllib.parse import parse_qs, urlsplit

import duckdb
import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import OAuthError, UnauthorizedError

from conftest import free_port, serve
from helpers import read, unique

ROOT_PASSWORD = "e2e-root-password-1"
ADMIN_PASSWORD = "e2e-admin-password-1"
SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])


UI = "http://127.0.0.1:9/login/done"  # never contacted: the test reads the redirect to it


@pytest.fixture(scope="module")
def server(tmp_path_factory, oidc_cc):
    """Authentication on; the root password from the environment; the harness OIDC issuer
    trusted (when it runs), its users provisioned as administrators of the `default` tenant, and
    offered for browser login. The port is chosen first: browser-login callbacks are built on
    `auth.public_url`. The harness provider's tokens (ID tokens too) carry
    `aud: iceberg-catalog`, so that is the client id."""
    port = free_port()
    config = f'[auth]\nenabled = true\npublic_url = "http://127.0.0.1:{port}"\nlogin_redirect_uris = ["{UI}"]\n'
    if oidc_cc.issuer:
        config += f"""
[[auth.oidc]]
name = "harness"
issuer = "{oidc_cc.issuer}"
client_id = "iceberg-catalog"
tenant = "default"
tier = "tenant-admin"
browser_login = true
"""
    env = {"PANGOLIN_ROOT_PASSWORD": ROOT_PASSWORD, "PANGOLIN_SERVER__BIND": f"127.0.0.1:{port}"}
    yield from serve(tmp_path_factory, "auth", config=config, env=env)


def api(server, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, f"{server.url}{path}", headers=headers, timeout=30, **kwargs)


def login(server, username: str, password: str, tenant: str | None = None) -> str:
    body = {"username": username, "password": password} | ({"tenant": tenant} if tenant else {})
    r = api(server, "POST", "/api/v1/users/login", json=body)
    assert r.status_code == 200, r.text
    return r.json()["access-token"]


@pytest.fixture(scope="module")
def root_token(server) -> str:
    return login(server, "root", ROOT_PASSWORD)


@pytest.fixture
def service_key(server, root_token) -> tuple[str, str]:
    """A tenant-admin service user of `default`, created by root: (client id, whole API key)."""
    r = api(server, "POST", "/api/v1/service-users", root_token, headers={"X-Pangolin-Tenant": "default"},
            json={"name": unique("etl"), "tier": "tenant-admin"})
    assert r.status_code == 201, r.text
    key = r.json()["api-key"]
    assert key["key"].startswith("pgl_")
    return key["client-id"], key["key"]


def client_credentials(server, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    r = api(server, "POST", "/v1/oauth/tokens", data=form)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def write_and_scan(catalog) -> None:
    """Namespace, table, two appends, a scan."""
    ns = unique("auth")
    catalog.create_namespace(ns)
    table = catalog.create_table((ns, "people"), schema=SCHEMA)
    table.append(pa.table({"id": [1, 2], "name": ["ann", "bob"]}, schema=SCHEMA))
    table.append(pa.table({"id": [3], "name": ["cy"]}, schema=SCHEMA))
    assert read(catalog.load_table((ns, "people"))) == [
        dict(id=1, name="ann"), dict(id=2, name="bob"), dict(id=3, name="cy")]


def duck(harness, server, secret_sql: str):
    """DuckDB (extensions offline from the harness) with `default` attached as `cat` through
    the secret `secret_sql` creates (named `auth`)."""
    ext = harness / "duckdb_ext"
    if not ext.is_dir():
        pytest.fail(f"no DuckDB extensions in {ext}: run bash tests/harness/install.sh")
    con = duckdb.connect(config={"extension_directory": str(ext), "autoinstall_known_extensions": "false"})
    con.execute("LOAD httpfs; LOAD avro; LOAD iceberg;")
    con.execute(secret_sql)
    con.execute(f"ATTACH 'default' AS cat (TYPE iceberg, ENDPOINT '{server.url}', SECRET auth)")
    return con


def duck_round_trip(con) -> None:
    ns = unique("duckauth")
    con.execute(f"CREATE SCHEMA cat.{ns}")
    con.execute(f"CREATE TABLE cat.{ns}.t (id BIGINT, name VARCHAR)")
    con.execute(f"INSERT INTO cat.{ns}.t VALUES (1, 'ann'), (2, 'bob')")
    assert con.sql(f"SELECT id, name FROM cat.{ns}.t ORDER BY id").fetchall() == [(1, "ann"), (2, "bob")]


def test_requests_without_credentials_are_refused(server):
    for method, path in [("GET", "/v1/default/namespaces"), ("GET", "/api/v1/catalogs"),
                         ("POST", "/v1/default/namespaces")]:
        r = api(server, method, path)
        assert r.status_code == 401, (path, r.text)
        assert r.json()["error"]["type"] == "NotAuthorizedException"
    # Discovery and the token endpoint stay open: clients need them to authenticate.
    assert api(server, "GET", "/v1/config?warehouse=default").status_code == 200
    r = api(server, "POST", "/v1/oauth/tokens",
            data={"grant_type": "client_credentials", "client_id": "0123456789abcdef", "client_secret": "nope"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client", r.text
    with pytest.raises(UnauthorizedError):
        load_catalog("anon", type="rest", uri=server.url, warehouse="default").list_namespaces()


def credential_catalog(server, credential: str):
    # PyIceberg's fallback to <uri>/v1/oauth/tokens is deprecated: name the endpoint.
    return load_catalog("cc", type="rest", uri=server.url, warehouse="default", credential=credential,
                        **{"oauth2-server-uri": f"{server.url}/v1/oauth/tokens"})


def test_pyiceberg_with_client_credentials(server, service_key):
    client_id, key = service_key
    write_and_scan(credential_catalog(server, f"{client_id}:{key}"))
    # The server issued the token PyIceberg used: a wrong secret gets none.
    with pytest.raises(OAuthError, match="invalid_client"):
        credential_catalog(server, f"{client_id}:pgl_{client_id}_{'0' * 64}")


def test_pyiceberg_with_a_bearer_token(server, root_token):
    name = unique("admin")
    r = api(server, "POST", "/api/v1/users", root_token, headers={"X-Pangolin-Tenant": "default"},
            json={"name": name, "tier": "tenant-admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 201, r.text
    token = login(server, name, ADMIN_PASSWORD, tenant="default")
    write_and_scan(load_catalog("bearer", type="rest", uri=server.url, warehouse="default", token=token))


def test_duckdb_with_an_oauth2_secret(server, service_key, harness):
    client_id, key = service_key
    con = duck(harness, server, f"CREATE SECRET auth (TYPE iceberg, CLIENT_ID '{client_id}', "
                                f"CLIENT_SECRET '{key}', OAUTH2_SERVER_URI '{server.url}/v1/oauth/tokens')")
    try:
        duck_round_trip(con)
    finally:
        con.close()


def test_oidc_provider_tokens_with_pyiceberg_and_duckdb(server, oidc_cc, harness):
    token = oidc_cc.token()
    catalog = load_catalog("oidc", type="rest", uri=server.url, warehouse="default", token=token)
    write_and_scan(catalog)
    # First use provisioned the provider's subject as an administrator of `default`.
    me = api(server, "GET", "/api/v1/users/me", token).json()
    assert (me["name"], me["tier"], me["external-issuer"]) == ("service-account", "tenant-admin", oidc_cc.issuer)

    con = duck(harness, server, f"CREATE SECRET auth (TYPE iceberg, TOKEN '{token}')")
    try:
        duck_round_trip(con)
    finally:
        con.close()
    # A token of the provider for another audience, or tampered with, is refused.
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert api(server, "GET", "/v1/default/namespaces", tampered).status_code == 401


def redirect(r: requests.Response) -> str:
    assert r.status_code in (302, 307), (r.status_code, r.text)
    return r.headers["Location"]


def test_browser_login_through_the_oidc_provider(server, oidc_cc):
    oidc_cc.require()
    assert api(server, "GET", "/api/v1/auth/providers").json() == {"providers": [{"name": "harness", "kind": "oidc"}]}
    # The browser: to the provider (which logs the user in at once), back to the server's
    # callback, then to the UI with a one-time code.
    at_provider = redirect(api(server, "GET", "/api/v1/auth/harness/authorize", params={"redirect_uri": UI},
                               allow_redirects=False))
    assert at_provider.startswith(f"{oidc_cc.issuer}/authorize?")
    callback = redirect(requests.get(at_provider, allow_redirects=False, timeout=10))
    assert callback.startswith(f"{server.url}/api/v1/auth/harness/callback?")
    at_ui = redirect(requests.get(callback, allow_redirects=False, timeout=30))
    assert at_ui.startswith(f"{UI}?code="), at_ui
    code = parse_qs(urlsplit(at_ui).query)["code"][0]

    r = api(server, "POST", "/api/v1/auth/exchange", json={"code": code})
    assert r.status_code == 200, r.text
    token = r.json()["access-token"]
    me = api(server, "GET", "/api/v1/users/me", token).json()
    assert (me["tier"], me["external-issuer"]) == ("tenant-admin", oidc_cc.issuer)
    catalog = load_catalog("browser", type="rest", uri=server.url, warehouse="default", token=token)
    assert isinstance(catalog.list_namespaces(), list)

    # The code and the provider's callback work once.
    assert api(server, "POST", "/api/v1/auth/exchange", json={"code": code}).status_code == 401
    replay = redirect(requests.get(callback, allow_redirects=False, timeout=30))
    assert parse_qs(urlsplit(replay).query)["error"] == ["invalid_request"], replay


def test_revoked_tokens_are_refused(server, service_key):
    token = client_credentials(server, *service_key)
    assert api(server, "GET", "/v1/default/namespaces", token).status_code == 200
    catalog = load_catalog("rev", type="rest", uri=server.url, warehouse="default", token=token)
    assert api(server, "POST", "/api/v1/tokens/revoke", token, json={"token": token}).status_code == 204
    r = api(server, "GET", "/v1/default/namespaces", token)
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"], r.text
    with pytest.raises(UnauthorizedError):
        catalog.list_namespaces()
