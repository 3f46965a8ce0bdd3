"""The state stores (memory, SQLite, Redis) keep the same promises: sessions apart, atomic
updates, nothing stored by a failing update, reset of one or all."""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.errors import MockServerError
from mockserver.state.stores import MemoryStore, RedisStore, SqliteStore, StateStore, open_store


def _redis_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker takes a database of its own (15, 14, ...): some tests flush
    theirs, which must not pull another worker's state from under it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw0, gw1, ... (gw0 alone without xdist)
    base, _, database = url.rpartition("/")
    return f"{base}/{(int(database or 0) - int(worker.removeprefix('gw'))) % 16}"  # Redis has databases 0-15


REDIS_URL = _redis_of_this_worker(os.environ.get("MOCKSERVER_TEST_REDIS", "redis://127.0.0.1:6379/15"))


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


def test_a_sqlite_file_is_synced_unless_nobody_keeps_it(tmp_path: Path) -> None:
    def synchronous(url: str) -> int:
        store = open_store(url, fresh)
        assert isinstance(store, SqliteStore)
        return int(store._connection().execute("PRAGMA synchronous").fetchone()[0])

    assert synchronous(f"sqlite:///{tmp_path}/kept.sqlite3") == 1  # NORMAL: WAL checkpoints fsync
    assert synchronous(f"sqlite:///{tmp_path}/temporary.sqlite3?sync=off") == 0
    assert not (tmp_path / "temporary.sqlite3?sync=off").exists()
    with pytest.raises(MockServerError, match="the one option is"):
        open_store(f"sqlite:///{tmp_path}/x.sqlite3?sync=maybe", fresh)
    from mockserver.__main__ import _temporary_sqlite

    assert _temporary_sqlite().endswith("/state.sqlite3?sync=off")  # the default with several workers


# A world of many organizations: a change shares the ones it does not touch, and a store writes
# (and another worker reads back) only the ones that changed.


def many_orgs() -> dict[str, Any]:
    organizations = {f"org{n}": {"name": f"org{n}", "items": []} for n in range(50)}
    return {"world": {"instance": {"id": "i"}, "organizations": organizations}, "scenario": None}


def touch(org: str, item: int) -> Any:
    """A change as the engine makes it: the organization copied before it is changed."""

    def change(state: dict[str, Any]) -> None:
        organizations = state["world"]["organizations"]
        organizations[org] = {**organizations[org], "items": [*organizations[org]["items"], item]}

    return change


@pytest.fixture(params=["memory", "sqlite", "redis"])
def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[StateStore, StateStore]]:
    """Two handles on one store, as two worker processes have (memory: one process, one handle)."""
    if request.param == "memory":
        shared = MemoryStore(many_orgs)
        yield shared, shared
    elif request.param == "sqlite":
        yield SqliteStore(tmp_path / "s.sqlite3", many_orgs), SqliteStore(tmp_path / "s.sqlite3", many_orgs)
    else:
        require_redis()
        prefix = f"test-{uuid.uuid4().hex}"
        first, second = RedisStore(REDIS_URL, many_orgs, prefix=prefix), RedisStore(REDIS_URL, many_orgs, prefix=prefix)
        yield first, second
        first.reset()


def test_a_change_to_one_organization_is_seen_by_the_other_worker(two_workers: tuple[StateStore, StateStore]) -> None:
    first, second = two_workers
    before = first.read("s")
    first.update("s", touch("org7", 1), own_copies=True)
    second.update("s", touch("org8", 2), own_copies=True)
    for store in (first, second):
        organizations = store.read("s")["world"]["organizations"]
        assert organizations["org7"]["items"] == [1] and organizations["org8"]["items"] == [2]
        assert organizations["org9"] == {"name": "org9", "items": []} and len(organizations) == 50
    assert before["world"]["organizations"]["org7"]["items"] == []  # the earlier snapshot is untouched


def test_replacing_the_organizations_reaches_the_other_worker(two_workers: tuple[StateStore, StateStore]) -> None:
    first, second = two_workers
    second.read("s")  # the second worker knows the old organizations
    first.update("s", lambda state: state["world"].update(organizations={"only": {"name": "only", "items": []}}))
    assert second.read("s")["world"]["organizations"] == {"only": {"name": "only", "items": []}}
    first.update("s", touch("only", 3), own_copies=True)
    assert second.read("s")["world"]["organizations"] == {"only": {"name": "only", "items": [3]}}


def test_a_failing_change_to_a_shared_world_stores_nothing(two_workers: tuple[StateStore, StateStore]) -> None:
    first, second = two_workers

    def half_done(state: dict[str, Any]) -> None:
        touch("org1", 1)(state)
        raise ValueError("business rule")

    with pytest.raises(ValueError):
        first.update("s", half_done, own_copies=True)
    assert second.read("s")["world"]["organizations"]["org1"]["items"] == []


def test_a_sqlite_file_of_whole_states_is_taken_over(tmp_path: Path) -> None:
    import json

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE sessions (name TEXT PRIMARY KEY, state TEXT NOT NULL)")
        kept = many_orgs()
        kept["world"]["organizations"]["org3"]["items"] = [42]
        old.execute("INSERT INTO sessions VALUES (?, ?)", ("kept", json.dumps(kept)))
    store = SqliteStore(path, many_orgs)
    assert store.read("kept") == kept
    assert store.sessions() == ["kept"]


def test_a_redis_session_stored_whole_is_taken_over() -> None:
    import json

    import redis

    require_redis()
    prefix = f"test-{uuid.uuid4().hex}"
    kept = many_orgs()
    kept["world"]["organizations"]["org3"]["items"] = [42]
    client = redis.Redis.from_url(REDIS_URL)
    client.set(f"{prefix}:session:kept", json.dumps(kept))
    store = RedisStore(REDIS_URL, many_orgs, prefix=prefix)
    try:
        assert store.read("kept") == kept
        assert client.get(f"{prefix}:session:kept") is None  # taken over on its first write
    finally:
        store.reset()


def test_the_parsed_states_a_store_keeps_are_bounded(tmp_path: Path) -> None:
    from mockserver.state.parts import Recent

    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # used: b is now the oldest
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)
    store = SqliteStore(tmp_path / "s.sqlite3", fresh)
    store._parsed = Recent(3)  # as a worker with many sessions: only the most recent stay parsed
    for number in range(10):
        store.update(f"s{number}", lambda state: state["world"].update(count=1))
    assert [store.read(f"s{number}")["world"]["count"] for number in range(10)] == [1] * 10
    assert sum(store._parsed.get(f"s{number}") is not None for number in range(10)) == 3


def test_sqlite_writers_of_other_processes_take_turns_on_the_lock_file(tmp_path: Path) -> None:
    """A writer waits for another process's turn on `PATH.lock` and goes on as soon as it ends,
    instead of sleeping in SQLite's busy handler (up to 100 ms a retry)."""
    import subprocess
    import sys
    import time

    path = tmp_path / "s.sqlite3"
    store = SqliteStore(path, fresh)
    store.update("a", lambda state: state["world"].update(count=1))
    command = [sys.executable, "-c", HOLD_THE_LOCK, f"{path}.lock"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.PIPE) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        try:
            assert holder.stdout.readline() == b"held\n"
            done = threading.Event()

            def write() -> None:
                store.update("a", lambda state: state["world"].update(count=2))
                done.set()

            writer = threading.Thread(target=write)
            writer.start()
            assert not done.wait(0.3), "the write went on while another process held the lock"
            released = time.monotonic()
            holder.stdin.write(b"go\n")
            holder.stdin.flush()
            assert done.wait(10)
            assert time.monotonic() - released < 0.08
            writer.join(10)
        finally:
            holder.kill()
    assert store.read("a")["world"]["count"] == 2


HOLD_THE_LOCK = """
import fcntl, os, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.readline()
"""


def _queries(store: SqliteStore) -> list[str]:
    """The statements this thread's connection of `store` runs from now on."""
    statements: list[str] = []
    store._connection().set_trace_callback(statements.append)
    return statements


def test_a_sqlite_read_with_nothing_written_since_makes_no_query(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3", fresh)
    store.update("a", lambda state: state["world"].update(count=1))
    queries = _queries(store)
    assert [store.read("a")["world"]["count"] for _ in range(3)] == [1, 1, 1]
    assert queries == []
    other_worker = SqliteStore(tmp_path / "s.sqlite3", fresh)  # its own lock file descriptor and map
    other_worker.update("b", lambda state: state["world"].update(count=2))
    assert store.read("a")["world"]["count"] == 1
    assert len(queries) == 1, "a write anywhere makes the next read check its session's version"


def test_a_sqlite_read_sees_what_another_worker_wrote_or_reset(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3", fresh)
    other_worker = SqliteStore(tmp_path / "s.sqlite3", fresh)
    store.update("a", lambda state: state["world"].update(count=1))
    assert other_worker.read("a")["world"]["count"] == 1
    other_worker.update("a", lambda state: state["world"].update(count=2))
    assert store.read("a")["world"]["count"] == 2
    other_worker.reset("a")
    assert store.read("a")["world"]["count"] == 0
    store.update("a", lambda state: state["world"].update(count=3))
    other_worker.reset()
    assert store.read("a")["world"]["count"] == 0


def test_the_write_count_lives_in_the_lock_file_and_survives_a_restart(tmp_path: Path) -> None:
    from mockserver.state.write_counter import WriteCounter

    store = SqliteStore(tmp_path / "s.sqlite3", fresh)
    for count in range(3):

        def set_count(state: dict[str, Any], count: int = count) -> None:
            state["world"]["count"] = count

        store.update("a", set_count)
    descriptor = os.open(tmp_path / "s.sqlite3.lock", os.O_RDWR)
    try:
        assert WriteCounter(descriptor).value() == 3
    finally:
        os.close(descriptor)
    restarted = SqliteStore(tmp_path / "s.sqlite3", fresh)
    assert restarted.read("a")["world"]["count"] == 2


def test_sessions_that_stored_the_same_text_share_one_parsed_copy_and_stay_apart(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "s.sqlite3", many_orgs).update("a", lambda state: None)
    SqliteStore(tmp_path / "s.sqlite3", many_orgs).update("b", lambda state: None)
    worker = SqliteStore(tmp_path / "s.sqlite3", many_orgs)  # parses both from the file
    a, b = worker.read("a"), worker.read("b")
    assert a["world"]["organizations"]["org1"] is b["world"]["organizations"]["org1"]
    worker.update("a", touch("org1", 5), own_copies=True)
    worker.update("b", lambda state: state["world"]["organizations"]["org2"]["items"].append(6))
    assert worker.read("a")["world"]["organizations"]["org1"]["items"] == [5]
    assert worker.read("b")["world"]["organizations"]["org1"]["items"] == []
    assert worker.read("a")["world"]["organizations"]["org2"]["items"] == []
    assert worker.read("b")["world"]["organizations"]["org2"]["items"] == [6]


def test_the_sqlite_wal_is_checkpointed_and_stays_bounded(tmp_path: Path) -> None:
    """Checkpoints run outside the writers' turn (SQLite's own, inside a commit, are off): the
    write-ahead log must still be copied back, or it grows by every write."""
    from mockserver.state.sqlite_store import CHECKPOINT_EVERY

    store = SqliteStore(tmp_path / "s.sqlite3", many_orgs)
    writes = CHECKPOINT_EVERY * 5
    for number in range(writes):
        store.update("a", touch(f"org{number % 50}", number), own_copies=True)
    grown_by_every_write = writes * 3 * 4096  # at least three pages a write when never copied back
    assert (tmp_path / "s.sqlite3-wal").stat().st_size < grown_by_every_write / 2
    items = SqliteStore(tmp_path / "s.sqlite3", many_orgs).read("a")["world"]["organizations"]["org0"]["items"]
    assert items == list(range(0, writes, 50))


def test_a_sqlite_change_the_state_refuses_opens_no_transaction(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3", fresh)
    store.update("a", lambda state: state["world"].update(count=1))
    queries = _queries(store)

    def refused(state: dict[str, Any]) -> None:
        state["world"]["count"] = 99
        raise ValueError("409: already there")

    with pytest.raises(ValueError):
        store.update("a", refused)
    assert not [query for query in queries if query.startswith("BEGIN")]
    assert store.read("a")["world"]["count"] == 1
    assert SqliteStore(tmp_path / "s.sqlite3", fresh).read("a")["world"]["count"] == 1


def test_a_sqlite_write_is_one_statement_and_all_or_nothing(tmp_path: Path) -> None:
    """A write is one call into SQLite (one statement, not BEGIN, two REPLACEs and COMMIT), and
    SQLite makes a statement atomic: if storing the rest fails, the organizations stay as they were."""
    store = SqliteStore(tmp_path / "s.sqlite3", many_orgs)
    store.update("a", touch("org1", 1), own_copies=True)
    queries = _queries(store)
    store.update("a", touch("org2", 2), own_copies=True)
    assert {query.split(" (")[0] for query in queries} == {"INSERT INTO writes"}  # its trigger's steps traced too
    with sqlite3.connect(tmp_path / "s.sqlite3") as saboteur:
        saboteur.execute("CREATE TRIGGER refuse BEFORE INSERT ON states BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(sqlite3.IntegrityError):
        store.update("a", touch("org3", 3), own_copies=True)
    reopened = SqliteStore(tmp_path / "s.sqlite3", many_orgs).read("a")["world"]["organizations"]
    assert [reopened[org]["items"] for org in ("org1", "org2", "org3")] == [[1], [2], []]


def test_a_sqlite_change_runs_outside_the_writers_turn_and_again_if_another_worker_wrote_meanwhile(
    tmp_path: Path,
) -> None:
    """The writers' turn is one at a time across every worker, and a change held it for most of a
    write: so a change runs on the state as its worker knows it, before the turn, and is run again
    (in the turn) when another worker wrote meanwhile; nothing either of them wrote is lost."""
    path = tmp_path / "s.sqlite3"
    first, second = SqliteStore(path, many_orgs), SqliteStore(path, many_orgs)
    first.read("s")
    runs: list[int] = []

    def change(state: dict[str, Any]) -> None:
        runs.append(1)
        if len(runs) == 1:  # the other worker writes while this change runs
            writer = threading.Thread(target=second.update, args=("s", touch("org2", 2)), kwargs={"own_copies": True})
            writer.start()
            writer.join(timeout=5)
            assert not writer.is_alive(), "the other worker waited for this change to end"
        touch("org1", 1)(state)

    first.update("s", change, own_copies=True)
    assert len(runs) == 2
    for store in (first, second, SqliteStore(path, many_orgs)):
        organizations = store.read("s")["world"]["organizations"]
        assert (organizations["org1"]["items"], organizations["org2"]["items"]) == ([1], [2])


def test_a_sqlite_write_after_another_workers_stores_only_the_organization_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    first, second = SqliteStore(path, many_orgs), SqliteStore(path, many_orgs)
    first.update("s", touch("org1", 1), own_copies=True)  # every organization stored (new session)
    second.update("s", touch("org2", 2), own_copies=True)  # the first worker does not know this one
    first.update("s", touch("org3", 3), own_copies=True)
    with sqlite3.connect(path) as file:
        versions = dict(file.execute("SELECT id, version FROM organizations WHERE session = 's'").fetchall())
    assert (versions["org1"], versions["org2"], versions["org3"], versions["org9"]) == (1, 2, 3, 1)
    organizations = SqliteStore(path, many_orgs).read("s")["world"]["organizations"]
    assert [organizations[f"org{n}"]["items"] for n in (1, 2, 3, 9)] == [[1], [2], [3], []]


# A world of 10,000 organizations: a write, and a worker catching up with another's write, must
# cost what the organizations it changed cost, not what the world does (the scale run's
# 10,000-organization step). Measured in bytes allocated, which a copy of the map cannot hide.


def ten_thousand_orgs() -> dict[str, Any]:
    organizations = {f"org{n}": {"name": f"org{n}", "items": []} for n in range(10_000)}
    return {"world": {"instance": {"id": "i"}, "organizations": organizations}, "scenario": None}


def _allocated_at_peak(action: Any) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        action()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


@pytest.fixture(params=["memory", "sqlite", "redis"])
def two_workers_of_a_big_world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[StateStore, StateStore]]:
    if request.param == "memory":
        shared = MemoryStore(ten_thousand_orgs)
        yield shared, shared
    elif request.param == "sqlite":
        path = tmp_path / "s.sqlite3"
        yield SqliteStore(path, ten_thousand_orgs, durable=False), SqliteStore(path, ten_thousand_orgs, durable=False)
    else:
        require_redis()
        prefix = f"test-{uuid.uuid4().hex}"
        first = RedisStore(REDIS_URL, ten_thousand_orgs, prefix=prefix)
        yield first, RedisStore(REDIS_URL, ten_thousand_orgs, prefix=prefix)
        first.reset()


def test_a_write_to_one_organization_of_a_big_world_copies_none_of_the_others(
    two_workers_of_a_big_world: tuple[StateStore, StateStore],
) -> None:
    first, second = two_workers_of_a_big_world
    first.read("s"), second.read("s")
    world = ten_thousand_orgs()["world"]
    a_copy_of_the_map = _allocated_at_peak(lambda: dict(world["organizations"]))
    for number in range(100):  # every write, not on average
        before = second.read("s")
        first.update("s", touch(f"org{number}", number), own_copies=True)
        caught_up = _allocated_at_peak(lambda: second.read("s"))
        written = _allocated_at_peak(lambda n=number: second.update("s", touch(f"org{n + 5000}", n), own_copies=True))
        assert max(caught_up, written) < a_copy_of_the_map / 4, (number, caught_up, written, a_copy_of_the_map)
        assert before["world"]["organizations"][f"org{number}"]["items"] == []  # earlier snapshots stay as they were
    organizations = first.read("s")["world"]["organizations"]
    assert len(organizations) == 10_000
    assert [organizations[f"org{n}"]["items"] for n in (0, 99, 100, 5000, 5099, 9999)] == [[0], [99], [], [0], [99], []]


def test_a_redis_write_takes_one_round_trip_and_a_catch_up_with_another_workers_write_two(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Redis is across a network: a round trip each for the state's head, the rest, the changed
    ids and their organizations, then WATCH, a read and MULTI/EXEC made a write cost about seven.
    A catch-up is the head and one script, a write one compare-and-set script."""
    import redis

    require_redis()
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = RedisStore(REDIS_URL, many_orgs, prefix=prefix), RedisStore(REDIS_URL, many_orgs, prefix=prefix)
    try:
        first.update("s", touch("org1", 1), own_copies=True)
        second.read("s")
        first.update("s", touch("org2", 2), own_copies=True)
        answers: list[int] = []
        read_response = redis.connection.Connection.read_response

        def counted(self: Any, *arguments: Any, **keywords: Any) -> Any:
            answers.append(1)
            return read_response(self, *arguments, **keywords)

        monkeypatch.setattr(redis.connection.Connection, "read_response", counted)
        organizations = second.read("s")["world"]["organizations"]  # catches up with the first worker's write
        assert (organizations["org1"]["items"], organizations["org2"]["items"]) == ([1], [2])
        assert len(answers) == 2
        answers.clear()
        second.update("s", touch("org3", 3), own_copies=True)  # the state it just read is current
        assert len(answers) == 1
        answers.clear()
        assert second.read("s")["world"]["organizations"]["org3"]["items"] == [3]
        assert len(answers) == 1  # only the head: nothing changed since
        monkeypatch.undo()
        organizations = first.read("s")["world"]["organizations"]
        assert [organizations[f"org{n}"]["items"] for n in (1, 2, 3, 4)] == [[1], [2], [3], []]
    finally:
        first.reset()
