"""Shared fixtures: the loaded contract, a clean environment and tiny inline specs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver import Contract, load_spec

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings from the developer's shell must not leak into tests."""
    for name in list(os.environ):
        if name.startswith(("MOCKSERVER_", "CONTRACT_")):
            monkeypatch.delenv(name)
    yield


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_spec(REPO_ROOT / "openapi.yaml")


def minimal_document(paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """The smallest valid OpenAPI 3.1 document, with `paths` if given."""
    default_paths = {
        "/x": {
            "post": {
                "operationId": "X_Do",
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "tiny", "version": "1"},
        "paths": default_paths if paths is None else paths,
    }


@pytest.fixture
def spec_factory(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny spec (a dict, or raw YAML text) to a file and return its path."""

    def write(document: dict[str, Any] | str | None = None, name: str = "spec.yaml") -> Path:
        file = tmp_path / name
        if document is None:
            document = minimal_document()
        text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
        file.write_text(text, encoding="utf-8")
        return file

    return write


@pytest.fixture(scope="session")
def shared_app() -> Any:
    from mockserver.server.app import create_app

    return create_app(test_config={"TESTING": True, "SEED": 7})


@pytest.fixture
def app(shared_app: Any) -> Any:
    """The mock with the shipped contract and fixtures, strict about its own answers, reset."""
    service = shared_app.extensions["mockserver"]
    service.store.reset()
    service.journal.clear()
    return shared_app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def bearer(token: str, **headers: str) -> dict[str, str]:
    """Request headers with `Authorization: Bearer <token>` and any others."""
    return {"Authorization": f"Bearer {token}", **headers}


ACME = "251000000000000001"
GLOBEX = "251000000000000002"
INSTANCE = "250000000000000000"
M = "/management/v1/policies/login"
A = "/admin/v1/policies/login"
