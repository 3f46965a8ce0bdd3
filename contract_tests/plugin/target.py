"""The server under test, reached the same way whether it is a URL or an in-process WSGI app.

Checks written once run against the mock (in-process, no port), a real ZITADEL, or anything
that claims to keep the contract.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import requests
from werkzeug.test import Client

from contract_tests.plugin.reply import Reply
from contract_tests.plugin.reporting import curl

DEFAULT_APP = "mockserver.server.app:create_app"
TOKEN_VARIABLE = "CONTRACT_TOKEN"


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


def load_app(import_path: str, **arguments: Any) -> Any:
    """`package.module:factory` → the WSGI app the factory returns (given `arguments` it accepts)."""
    module_name, _, attribute = import_path.partition(":")
    factory: Any = getattr(importlib.import_module(module_name), attribute or "app")
    if not callable(factory) or hasattr(factory, "wsgi_app"):
        return factory
    accepted = inspect.signature(factory).parameters
    return factory(**{name: value for name, value in arguments.items() if name in accepted and value is not None})


@dataclass
class Target:
    """Everything the suite needs to know about the server under test."""

    client: HttpClient
    label: str
    url_base: str
    token: str
    org_id: str | None = None
    fallback_org_id: str | None = None  # an organization without a custom policy of its own
    api: str | None = None
    read_only: bool = False
    max_examples: int = 25
    seed: int = 20261128
    app: Any = field(default=None, repr=False)

    @property
    def live(self) -> bool:
        """True for a server at a URL, False for a WSGI app in this process."""
        return self.app is None

    def send(self, method: str, path: str, headers: Mapping[str, str], body: bytes | None = None) -> Reply:
        """One request as given; the reply knows how to repeat it (curl) without the token."""
        headers = dict(headers)
        if body is not None and not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
        reply = self.client.send(method, path, headers, body)
        return replace(reply, curl=curl(method, self.url_base + path, headers, body), request=f"{method} {path}")

    def bearer(self, token: str | None = None) -> dict[str, str]:
        """`Authorization: Bearer <token>` for the target's token or another."""
        return {"Authorization": f"Bearer {token if token is not None else self.token}"}


def unreachable(base_url: str) -> str | None:
    """Why nothing answers at `base_url` (any HTTP answer will do), or None."""
    try:
        requests.get(base_url, timeout=10)
    except requests.RequestException as error:
        return type(error).__name__
    return None
