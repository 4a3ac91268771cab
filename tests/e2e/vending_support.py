"""Support for the credential-vending suite: server configs for typed warehouses, a Google
OAuth2/STS stand-in (fake-gcs-server has no token service), and what must never be logged."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Azurite's well-known development account (tests/harness/README.md).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value))


def bootstrap_config(storage: dict, secret: dict) -> str:
    """A server config whose default warehouse is `storage` with credential `secret`."""
    return f"[bootstrap]\nstorage = {toml_value(storage)}\nstorage_secret = {toml_value(secret)}\n"


DEBUG_LOG = {"PANGOLIN_LOG": "info,pangolin_storage=debug,pangolin_catalog=debug,pangolin_api=debug"}


class GoogleAuthMock:
    """Google's token endpoint (JWT bearer grant, assertion verified against the service
    account's public key) and STS (token exchange with a Credential Access Boundary), on an
    ephemeral loopback port. Every token it issues and every boundary it saw is recorded."""

    def __init__(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()).decode()
        self.public_key = key.public_key()
        self.issued: list[str] = []
        self.downscoped: list[str] = []
        self.boundaries: list[dict] = []
        self.scopes: list[str] = []
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_POST(self):
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                status, body = mock.answer(self.path, form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str, form: dict):
        if path == "/token":
            try:
                claims = jwt.decode(form.get("assertion", ""), self.public_key, algorithms=["RS256"],
                                    audience=f"{self.url}/token")
            except jwt.PyJWTError as e:
                return 400, {"error": "invalid_grant", "error_description": str(e)}
            self.scopes.append(claims["scope"])
            token = f"ya29.mock-{uuid.uuid4().hex}"
            self.issued.append(token)
            return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        if path == "/sts":
            if form.get("subject_token") not in self.issued:
                return 400, {"error": "invalid_grant"}
            self.boundaries.append(json.loads(form["options"]))
            token = f"ya29.down-{uuid.uuid4().hex}"
            self.downscoped.append(token)
            return 200, {"access_token": token, "issued_token_type": form["requested_token_type"],
                         "token_type": "Bearer", "expires_in": 1800}
        return 404, {"error": "not_found"}

    def key_json(self) -> str:
        return json.dumps({"type": "service_account", "project_id": "test", "private_key_id": "k1",
                           "private_key": self.private_pem, "client_email": "vendor@test.iam.gserviceaccount.com",
                           "token_uri": f"{self.url}/token"})

    def close(self):
        self.server.shutdown()


def expires_in_ms(value: str) -> float:
    """Seconds from now until an epoch-milliseconds expiry."""
    return int(value) / 1000 - time.time()
