"""A long fuzz run over HTTP against the production server (2 workers, SQLite): 20,000 generated
valid and invalid requests, no 5xx, no crash. Bounded (examples and a deadline) and seeded."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests as http
from hypothesis import HealthCheck, given, seed, settings

from tests.processes import free_port, running
from tests.test_robustness import check_answer, parts, requests

EXAMPLES = 20_000
_session = http.Session()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    command = [sys.executable, "-m", "mockserver", "--port", str(port), "--workers", "2", "--log-level", "WARNING"]
    with running(command, port, folder / "mock.log", timeout=60):
        yield f"http://127.0.0.1:{port}"


def test_tens_of_thousands_of_requests_get_no_5xx(server: str) -> None:
    deadline = time.monotonic() + 600
    sent = 0

    @seed(20261128)
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(request=requests)
    def fuzz(request: dict[str, Any]) -> None:
        nonlocal sent
        assert time.monotonic() < deadline, "the fuzz run overran its 10 minutes"
        method, path, headers = parts(request)
        headers = {name: value.lstrip() for name, value in headers.items()}  # requests refuses leading spaces
        reply = _session.request(
            method, server + path, headers=headers, params=request["query"], data=request["body"], timeout=30
        )
        sent += 1
        check_answer(request, method, reply.status_code, reply.headers, reply.content)

    fuzz()
    assert sent >= EXAMPLES * 0.9
    health = _session.get(f"{server}/__mock/health", timeout=30)
    assert health.status_code == 200  # still alive
