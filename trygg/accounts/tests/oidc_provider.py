"""A small OpenID Connect provider on loopback, for testing the staff login against a real HTTP exchange."""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse
from wsgiref.simple_server import WSGIRequestHandler, make_server


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_hs256(payload: dict[str, Any], secret: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(payload).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class LocalProvider:
    client_id: str
    client_secret: str
    base_url: str = ""
    # What the next login will say about the person: their e-mail and the factors used (amr).
    email: str = ""
    amr: list[str] = field(default_factory=lambda: ["pwd", "mfa"])
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/authorize":
            return self._authorize(environ, start_response)
        if path == "/token":
            return self._token(environ, start_response)
        if path == "/userinfo":
            return self._userinfo(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _authorize(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        query = {key: values[0] for key, values in parse_qs(environ["QUERY_STRING"]).items()}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "email": self.email, "amr": list(self.amr)}
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        start_response("302 Found", [("Location", location)])
        return [b""]

    def _token(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {
            key: values[0] for key, values in parse_qs(environ["wsgi.input"].read(length).decode()).items()
        }
        grant = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        if (
            grant is None
            or form.get("client_secret") != self.client_secret
            or challenge != grant["code_challenge"]
        ):
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"error": "invalid_grant"}']
        now = int(time.time())
        claims = {"sub": grant["email"], "email": grant["email"]}
        id_token = sign_hs256(
            {
                **claims,
                "iss": self.base_url,
                "aud": self.client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                "amr": grant["amr"],
            },
            self.client_secret,
        )
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = claims
        start_response("200 OK", [("Content-Type", "application/json")])
        body = {"id_token": id_token, "access_token": access_token, "token_type": "Bearer", "expires_in": 300}
        return [json.dumps(body).encode()]

    def _userinfo(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        claims = self.tokens.get(token)
        if claims is None:
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b"{}"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(claims).encode()]

    def settings(self) -> dict[str, Any]:
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_RP_SIGN_ALGO": "HS256",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base_url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base_url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base_url}/userinfo",
        }


@contextmanager
def running_provider() -> Iterator[LocalProvider]:
    provider = LocalProvider(client_id="trygg-test", client_secret=secrets.token_urlsafe(32))
    server = make_server("127.0.0.1", 0, provider, handler_class=_QuietHandler)
    provider.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def follow_to_provider(location: str) -> str:
    """Do what the browser does at the provider: follow the authorize redirect, return the callback URL."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(location)
    except urllib.error.HTTPError as redirect:
        callback = redirect.headers["Location"]
        parsed = urlparse(callback)
        return f"{parsed.path}?{parsed.query}"
    raise AssertionError("the provider did not redirect back")
