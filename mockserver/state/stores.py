"""Where the mock keeps each session's state, behind one small interface.

A session's state is plain JSON-able data (`{"world": ..., "scenario": ..., "preferences": ...,
"faults": ...}`), so every store keeps it the same way:

- `memory`: in this process (the default with one worker);
- `sqlite:///path/state.sqlite3`: a file shared by workers on one host, kept across restarts;
- `redis://host:port/db`: shared by workers on several hosts.

`update` is atomic in all three: concurrent adds and removes never lose an update. `read` returns
a snapshot the caller must not change.
"""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from mockserver.errors import MockServerError, StoreUnavailable

T = TypeVar("T")
SessionState = dict[str, Any]
Initial = Callable[[], SessionState]
DEFAULT_SESSION = "default"


class StateStore(Protocol):
    """Keeps one state per session, created from the initial state on first use."""

    def read(self, session: str) -> SessionState:
        """The session's state (created if new); a snapshot: do not change it."""
        ...

    def update(self, session: str, change: Callable[[SessionState], T]) -> T:
        """Apply `change` to the session's state atomically and return what it returns.

        If `change` raises, nothing is stored."""
        ...

    def reset(self, session: str | None = None) -> None:
        """Forget one session's changes, or every session's when `session` is None."""
        ...

    def sessions(self) -> list[str]:
        """The sessions that have state."""
        ...


def open_store(url: str, initial: Initial, max_sessions: int = 1000) -> StateStore:
    """`memory`, `sqlite:///path` or `redis://...` → the store."""
    if url == "memory":
        return MemoryStore(initial, max_sessions)
    if url.startswith("sqlite:///"):
        return SqliteStore(Path(url.removeprefix("sqlite:///")), initial)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url, initial)
    raise MockServerError(f"unknown state store {url!r}: use memory, sqlite:///PATH or redis://HOST:PORT/DB")


class MemoryStore:
    """In one process: copy-on-write snapshots under a lock. The least recently used session goes."""

    def __init__(self, initial: Initial, max_sessions: int = 1000) -> None:
        self._initial = initial
        self._max_sessions = max_sessions
        self._states: OrderedDict[str, SessionState] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, session: str) -> SessionState:
        with self._lock:
            return self._state(session)  # never changed in place: updates replace it

    def update(self, session: str, change: Callable[[SessionState], T]) -> T:
        with self._lock:
            working = copy.deepcopy(self._state(session))
            result = change(working)  # an exception leaves the stored state untouched
            self._states[session] = working
            return result

    def reset(self, session: str | None = None) -> None:
        with self._lock:
            if session is None:
                self._states.clear()
            else:
                self._states.pop(session, None)

    def sessions(self) -> list[str]:
        with self._lock:
            return list(self._states)

    def _state(self, session: str) -> SessionState:
        state = self._states.get(session)
        if state is None:
            state = self._initial()
            self._states[session] = state
            while len(self._states) > self._max_sessions:
                oldest = next(key for key in self._states if key != DEFAULT_SESSION)
                del self._states[oldest]
        self._states.move_to_end(session)
        return state


class SqliteStore:
    """A SQLite file: one row per session, updates in `BEGIN IMMEDIATE` transactions."""

    def __init__(self, path: Path, initial: Initial) -> None:
        self.path = path
        self._initial = initial
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS sessions (name TEXT PRIMARY KEY, state TEXT NOT NULL)")

    def read(self, session: str) -> SessionState:
        """The session's state; parsed again only when some connection has committed since."""
        connection = self._connection()
        version = connection.execute("PRAGMA data_version").fetchone()[0]
        cache: dict[str, tuple[int, SessionState]] = self._local.cache
        cached = cache.get(session)
        if cached is not None and cached[0] == version:
            return cached[1]
        row = connection.execute("SELECT state FROM sessions WHERE name = ?", (session,)).fetchone()
        if row is None:
            return self.update(session, lambda state: state)
        loaded: SessionState = json.loads(row[0])
        cache[session] = (version, loaded)
        return loaded

    def update(self, session: str, change: Callable[[SessionState], T]) -> T:
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute("SELECT state FROM sessions WHERE name = ?", (session,)).fetchone()
            state = json.loads(row[0]) if row else self._initial()
            result = change(state)
            connection.execute("REPLACE INTO sessions (name, state) VALUES (?, ?)", (session, json.dumps(state)))
            connection.execute("COMMIT")
            self._local.cache.pop(session, None)  # our own commits do not move data_version
            return result
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def reset(self, session: str | None = None) -> None:
        self._local.cache = {}
        with self._connection() as connection:
            if session is None:
                connection.execute("DELETE FROM sessions")
            else:
                connection.execute("DELETE FROM sessions WHERE name = ?", (session,))

    def sessions(self) -> list[str]:
        return [row[0] for row in self._connection().execute("SELECT name FROM sessions ORDER BY name")]

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        if getattr(self._local, "pid", None) != os.getpid():
            try:
                connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            except sqlite3.Error as error:
                raise StoreUnavailable(f"cannot open {self.path}: {error}") from error
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection, self._local.pid, self._local.cache = connection, os.getpid(), {}
        connection_: sqlite3.Connection = self._local.connection
        return connection_


class RedisStore:
    """Redis: one key per session, updates as optimistic WATCH/MULTI transactions, retried."""

    ATTEMPTS = 100

    def __init__(self, url: str, initial: Initial, prefix: str = "mockserver") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=10)
        self._initial = initial
        self._prefix = prefix
        self._errors = (redis.RedisError,)
        self._watch_error = redis.WatchError

    def read(self, session: str) -> SessionState:
        raw = self._call(lambda: self._redis.get(self._key(session)))
        if raw is None:
            return self.update(session, lambda state: state)
        loaded: SessionState = json.loads(raw)
        return loaded

    def update(self, session: str, change: Callable[[SessionState], T]) -> T:
        key = self._key(session)
        for _ in range(self.ATTEMPTS):
            try:
                with self._redis.pipeline() as pipe:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    raw = pipe.get(key)
                    state = json.loads(raw) if raw is not None else self._initial()
                    result = change(state)
                    pipe.multi()
                    pipe.set(key, json.dumps(state))
                    pipe.sadd(self._sessions_key, session)
                    pipe.execute()
                    return result
            except self._watch_error:
                continue  # another writer got there first: read again and redo
            except self._errors as error:
                raise StoreUnavailable(f"redis: {error}") from error
        raise StoreUnavailable(f"redis: session {session!r} kept changing under {self.ATTEMPTS} attempts")

    def reset(self, session: str | None = None) -> None:
        names = self.sessions() if session is None else [session]
        if names:
            self._call(lambda: self._redis.delete(*(self._key(name) for name in names)))
            self._call(lambda: self._redis.srem(self._sessions_key, *names))

    def sessions(self) -> list[str]:
        members = self._call(lambda: self._redis.smembers(self._sessions_key))
        return sorted(member.decode() for member in members)

    @property
    def _sessions_key(self) -> str:
        return f"{self._prefix}:sessions"

    def _key(self, session: str) -> str:
        return f"{self._prefix}:session:{session}"

    def _call(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except self._errors as error:
            raise StoreUnavailable(f"redis: {error}") from error
