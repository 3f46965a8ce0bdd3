"""The server under test, reached the same way whether it is a URL or an in-process WSGI app.

Checks written once run against the mock (in-process, no port), a real ZITADEL, or anything
that claims to keep the contract.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import requests
from werkzeug.test import Client

from contract_tests.reporting import curl

DEFAULT_APP = "mockserver.app:create_app"
TOKEN_VARIABLE = "CONTRACT_TOKEN"


@dataclass(frozen=True)
class Reply:
    """What came back: status, headers (lower-case names) and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    curl: str = ""
    request: str = ""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class HttpClient(Protocol):
    """Sends one request to the target."""

    def send(self, method: str, path: str, headers: Mapping[str, str], body: bytes | None) -> Reply: ...


class LiveClient:
    """A server at a base URL (a real ZITADEL, the running mock, a proxy)."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()

    def send(self, method: str, path: str, headers: Mapping[str, str], body: bytes | None) -> Reply:
        response = self._session.request(
            method, self.base_url + path, headers=dict(headers), data=body, timeout=self.timeout
        )
        lowered = {name.lower(): value for name, value in response.headers.items()}
        return Reply(response.status_code, lowered, response.content)


class WsgiClient:
    """A WSGI app in this process (the mock by default): no port, no network."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._client = Client(app)

    def send(self, method: str, path: str, headers: Mapping[str, str], body: bytes | None) -> Reply:
        response = self._client.open(path, method=method, headers=dict(headers), data=body)
        lowered = {name.lower(): value for name, value in response.headers.items()}
        return Reply(response.status_code, lowered, response.get_data())


def load_app(import_path: str) -> Any:
    """`package.module:factory` → the WSGI app the factory returns."""
    module_name, _, attribute = import_path.partition(":")
    factory: Callable[[], Any] = getattr(importlib.import_module(module_name), attribute or "app")
    return factory() if callable(factory) and not hasattr(factory, "wsgi_app") else factory


@dataclass
class Target:
    """Everything the suite needs to know about the server under test."""

    client: HttpClient
    label: str
    url_base: str
    token: str
    org_id: str | None = None
    apis: tuple[str, ...] = ("management", "admin")
    read_only: bool = False
    max_examples: int = 25
    seed: int = 20261128
    app: Any = field(default=None, repr=False)

    def headers(self, api: str, *, token: str | None = "", extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Headers for a call: the token (or `token=None` for none), the org for Management."""
        headers: dict[str, str] = {}
        chosen = self.token if token == "" else token
        if chosen is not None:
            headers["Authorization"] = f"Bearer {chosen}"
        if api == "management" and self.org_id:
            headers["x-zitadel-orgid"] = self.org_id
        headers.update(extra or {})
        return headers

    def call(
        self,
        method: str,
        path: str,
        api: str,
        *,
        json_body: Any = None,
        raw_body: bytes | None = None,
        token: str | None = "",
        extra_headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """One request with the target's credentials."""
        headers = self.headers(api, token=token, extra=extra_headers)
        body = raw_body
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        reply = self.client.send(method, path, headers, body)
        return replace(reply, curl=curl(method, self.url_base + path, headers, body), request=f"{method} {path}")
