"""Nothing lost under concurrency, restarts or bad input: real server processes on 127.0.0.1,
bounded loops, stopped by PID."""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import A
from tests.processes import free_port, running
from tests.test_state_store import REDIS_URL, require_redis

HEADERS = {"Authorization": "Bearer iam-owner"}
FACTORS = ["SECOND_FACTOR_TYPE_OTP_EMAIL", "SECOND_FACTOR_TYPE_OTP_SMS", "SECOND_FACTOR_TYPE_RECOVERY_CODES"]


@contextmanager
def mockserver(tmp_path: Path, *options: str) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "mockserver", "--port", str(port), "--log-level", "WARNING", *options]
    with running(command, port, tmp_path / f"mock-{port}.log", timeout=60):
        yield f"http://127.0.0.1:{port}"


def hammer(url: str, session: str, clients: int = 6, calls: int = 40) -> list[tuple[int, str, str]]:
    """Concurrent adds and removes; returns (sequence, action, factor) of every success."""
    successes: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(number)
        http = requests.Session()
        headers = {**HEADERS, "X-Mock-Session": session}
        for _ in range(calls):
            factor = rng.choice(FACTORS)
            if rng.random() < 0.5:
                reply = http.post(f"{url}{A}/second_factors", json={"type": factor}, headers=headers, timeout=30)
                action = "add"
            else:
                reply = http.delete(f"{url}{A}/second_factors/{factor}", headers=headers, timeout=30)
                action = "remove"
            assert reply.status_code in (200, 404, 409), reply.text
            if reply.status_code == 200:
                with lock:
                    successes.append((int(reply.json()["details"]["sequence"]), action, factor))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return successes


def assert_state_follows_the_successes(url: str, session: str, successes: list[tuple[int, str, str]]) -> None:
    sequences = [sequence for sequence, _, _ in successes]
    assert len(set(sequences)) == len(sequences), "two changes got the same sequence: an update was lost"
    present = {"SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"}
    for _, action, factor in sorted(successes):
        assert (factor in present) == (action == "remove"), f"{action} {factor} succeeded against the state"
        present = present - {factor} if action == "remove" else present | {factor}
    listed = requests.post(
        f"{url}{A}/second_factors/_search", headers={**HEADERS, "X-Mock-Session": session}, timeout=30
    )
    assert set(listed.json()["result"]) == present
    assert len(listed.json()["result"]) == len(present)
    policy = requests.get(f"{url}/admin/v1/policies/login", headers={**HEADERS, "X-Mock-Session": session}, timeout=30)
    assert int(policy.json()["policy"]["details"]["sequence"]) == max(sequences)
    assert sorted(sequences) == list(range(13, 13 + len(sequences))), "sequences must grow one by one"


def test_concurrent_changes_across_workers_with_sqlite(tmp_path: Path) -> None:
    with mockserver(tmp_path, "--workers", "2", "--state", f"sqlite:///{tmp_path}/state.sqlite3") as url:
        successes = hammer(url, "concurrency")
        assert len(successes) > 20
        assert_state_follows_the_successes(url, "concurrency", successes)


def test_concurrent_changes_across_workers_with_redis(tmp_path: Path) -> None:
    require_redis()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with mockserver(tmp_path, "--workers", "2", "--state", REDIS_URL) as url:
        successes = hammer(url, "concurrency-redis")
        assert len(successes) > 20
        assert_state_follows_the_successes(url, "concurrency-redis", successes)
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_two_servers_share_one_redis_like_two_hosts(tmp_path: Path) -> None:
    require_redis()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with mockserver(tmp_path, "--state", REDIS_URL) as first, mockserver(tmp_path, "--state", REDIS_URL) as second:
        headers = {**HEADERS, "X-Mock-Session": "hosts"}
        added = requests.post(f"{first}{A}/multi_factors", json={"type": 1}, headers=headers, timeout=30)
        assert added.status_code == 409  # the demo instance has the passkey already
        removed = requests.delete(f"{second}{A}/multi_factors/1", headers=headers, timeout=30)
        assert removed.status_code == 200
        listed = requests.post(f"{first}{A}/multi_factors/_search", headers=headers, timeout=30).json()
        assert "result" not in listed
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_restart_with_a_persistent_store_loses_nothing(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path}/kept.sqlite3"
    headers = {**HEADERS, "X-Mock-Session": "kept"}
    with mockserver(tmp_path, "--state", state) as url:
        added = requests.post(
            f"{url}{A}/second_factors", json={"type": "SECOND_FACTOR_TYPE_OTP_SMS"}, headers=headers, timeout=30
        )
        assert added.status_code == 200
    with mockserver(tmp_path, "--state", state) as url:
        listed = requests.post(f"{url}{A}/second_factors/_search", headers=headers, timeout=30).json()
        assert "SECOND_FACTOR_TYPE_OTP_SMS" in listed["result"]
        again = requests.post(
            f"{url}{A}/second_factors", json={"type": "SECOND_FACTOR_TYPE_OTP_SMS"}, headers=headers, timeout=30
        )
        assert again.status_code == 409
        assert again.json()["details"][0]["id"] == "INSTANCE-2B0ps"


def test_memory_store_refuses_several_workers(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--workers", "2", "--state", "memory", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "keeps state per worker" in result.stderr


def test_oversized_bodies_are_413_over_http(tmp_path: Path) -> None:
    with mockserver(tmp_path) as url:
        reply = requests.post(f"{url}{A}/second_factors", data=b"x" * (3 << 20), headers=HEADERS, timeout=30)
        assert reply.status_code == 413 and reply.json()["code"] == 8


def test_control_api_can_require_a_token(tmp_path: Path) -> None:
    with mockserver(tmp_path, "--control-token", "s3cret") as url:
        assert requests.post(f"{url}/__mock/reset", timeout=30).status_code == 401
        assert (
            requests.post(f"{url}/__mock/reset", headers={"X-Mock-Control-Token": "s3cret"}, timeout=30).status_code
            == 200
        )
