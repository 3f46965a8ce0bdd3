"""The state stores (memory, SQLite, Redis) keep the same promises: sessions apart, atomic
updates, nothing stored by a failing update, reset of one or all."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.errors import MockServerError
from mockserver.state.stores import MemoryStore, RedisStore, SqliteStore, StateStore, open_store

REDIS_URL = os.environ.get("MOCKSERVER_TEST_REDIS", "redis://127.0.0.1:6379/15")


def fresh() -> dict[str, Any]:
    return {"world": {"count": 0, "items": []}}


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def require_redis() -> None:
    """Redis tests fail in CI without Redis (.ci/run starts one) and are skipped elsewhere."""
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {REDIS_URL}: .ci/run must start one")
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if request.param == "memory":
        yield MemoryStore(fresh)
    elif request.param == "sqlite":
        yield SqliteStore(tmp_path / "state.sqlite3", fresh)
    else:
        require_redis()
        redis_store = RedisStore(REDIS_URL, fresh, prefix=f"test-{uuid.uuid4().hex}")
        yield redis_store
        redis_store.reset()


def test_sessions_start_from_the_initial_state_and_stay_apart(store: StateStore) -> None:
    store.update("a", lambda state: state["world"]["items"].append(1))
    assert store.read("a")["world"]["items"] == [1]
    assert store.read("b")["world"]["items"] == []
    assert set(store.sessions()) == {"a", "b"}


def test_updates_do_not_change_earlier_snapshots(store: StateStore) -> None:
    before = store.read("a")
    store.update("a", lambda state: state["world"]["items"].append(1))
    assert before["world"]["items"] == []


def test_a_failing_update_changes_nothing(store: StateStore) -> None:
    def half_done(state: dict[str, Any]) -> None:
        state["world"]["count"] = 99
        raise ValueError("business rule")

    with pytest.raises(ValueError):
        store.update("a", half_done)
    assert store.read("a")["world"]["count"] == 0


def test_concurrent_updates_lose_nothing(store: StateStore) -> None:
    def bump() -> None:
        for _ in range(50):
            store.update("a", lambda state: state["world"].update(count=state["world"]["count"] + 1))

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert store.read("a")["world"]["count"] == 300


def test_reset_one_or_all(store: StateStore) -> None:
    for session in ("a", "b"):
        store.update(session, lambda state: state["world"].update(count=1))
    store.reset("a")
    assert [store.read(s)["world"]["count"] for s in ("a", "b")] == [0, 1]
    store.reset()
    assert store.read("b")["world"]["count"] == 0


def test_memory_store_drops_the_least_recently_used_session_but_never_the_default() -> None:
    store = MemoryStore(fresh, max_sessions=3)
    store.update("default", lambda state: state["world"].update(count=5))
    for session in ("s1", "s2", "s3"):
        store.read(session)
    assert set(store.sessions()) == {"default", "s2", "s3"}
    assert store.read("default")["world"]["count"] == 5


def test_sqlite_store_keeps_state_across_instances(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "s.sqlite3", fresh).update("a", lambda state: state["world"].update(count=7))
    assert SqliteStore(tmp_path / "s.sqlite3", fresh).read("a")["world"]["count"] == 7


def test_open_store_understands_urls(tmp_path: Path) -> None:
    assert isinstance(open_store("memory", fresh), MemoryStore)
    assert isinstance(open_store(f"sqlite:///{tmp_path}/x.sqlite3", fresh), SqliteStore)
    with pytest.raises(MockServerError, match="unknown state store"):
        open_store("postgres://x", fresh)
