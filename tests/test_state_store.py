"""The in-memory state store: sessions, atomic updates, bounded size."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from mockserver.state_store import MemoryStore


def fresh() -> dict[str, Any]:
    return {"world": {"count": 0, "items": []}}


def test_sessions_start_from_the_initial_state_and_stay_apart() -> None:
    store = MemoryStore(fresh)
    store.update("a", lambda state: state["world"]["items"].append(1))
    assert store.read("a")["world"]["items"] == [1]
    assert store.read("b")["world"]["items"] == []


def test_read_returns_a_copy() -> None:
    store = MemoryStore(fresh)
    store.read("a")["world"]["items"].append(1)
    assert store.read("a")["world"]["items"] == []


def test_a_failing_update_changes_nothing() -> None:
    store = MemoryStore(fresh)

    def half_done(state: dict[str, Any]) -> None:
        state["world"]["count"] = 99
        raise ValueError("business rule")

    with pytest.raises(ValueError):
        store.update("a", half_done)
    assert store.read("a")["world"]["count"] == 0


def test_concurrent_updates_lose_nothing() -> None:
    store = MemoryStore(fresh)

    def bump() -> None:
        for _ in range(200):
            store.update("a", lambda state: state["world"].update(count=state["world"]["count"] + 1))

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert store.read("a")["world"]["count"] == 1600


def test_reset_one_or_all() -> None:
    store = MemoryStore(fresh)
    for session in ("a", "b"):
        store.update(session, lambda state: state["world"].update(count=1))
    store.reset("a")
    assert [store.read(s)["world"]["count"] for s in ("a", "b")] == [0, 1]
    store.reset()
    assert store.read("b")["world"]["count"] == 0


def test_least_recently_used_session_goes_but_never_the_default() -> None:
    store = MemoryStore(fresh, max_sessions=3)
    store.update("default", lambda state: state["world"].update(count=5))
    for session in ("s1", "s2", "s3"):
        store.read(session)
    assert set(store.sessions()) == {"default", "s2", "s3"}
    assert store.read("default")["world"]["count"] == 5
