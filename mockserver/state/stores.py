"""Where the mock keeps each session's state, behind one small interface.

A session's state is plain JSON-able data (`{"world": ..., "scenario": ..., "preferences": ...,
"faults": ...}`), so every store keeps it the same way:

- `memory`: in this process (the default with one worker);
- `sqlite:///path/state.sqlite3`: a file shared by workers on one host, kept across restarts
  (`?sync=off`: never `fsync`, for a file nobody keeps: the default temporary one);
- `redis://host:port/db`: shared by workers on several hosts.

`update` is atomic in all three: concurrent adds and removes never lose an update. `read` returns
a snapshot the caller must not change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from mockserver.errors import MockServerError
from mockserver.state.parts import Initial, SessionState, copy_for_change, settled
from mockserver.state.redis_store import RedisStore
from mockserver.state.sqlite_store import SqliteStore

T = TypeVar("T")
DEFAULT_SESSION = "default"
__all__ = ["DEFAULT_SESSION", "MemoryStore", "RedisStore", "SessionState", "SqliteStore", "StateStore", "open_store"]


class StateStore(Protocol):
    """Keeps one state per session, created from the initial state on first use."""

    def read(self, session: str) -> SessionState:
        """The session's state (created if new); a snapshot: do not change it."""
        ...

    def update(self, session: str, change: Callable[[SessionState], T], *, own_copies: bool = False) -> T:
        """Apply `change` to the session's state atomically and return what it returns.

        If `change` raises, nothing is stored. `change` may run more than once (a shared store
        runs it again when another worker wrote meanwhile), so it must depend on nothing but the
        state it is given. With `own_copies`, the change promises to copy an
        organization of the world before it changes it (the engine does), so the store can share
        the others with the stored state instead of copying them all."""
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
        path, _, options = url.removeprefix("sqlite:///").partition("?")
        if options not in ("", "sync=off"):
            raise MockServerError(f"unknown option {options!r} in {url!r}: the one option is ?sync=off")
        return SqliteStore(Path(path), initial, durable=options != "sync=off")
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

    def update(self, session: str, change: Callable[[SessionState], T], *, own_copies: bool = False) -> T:
        with self._lock:
            working = copy_for_change(self._state(session), own_copies)
            result = change(working)  # an exception leaves the stored state untouched
            self._states[session] = settled(working)
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
            state = settled(self._initial())
            self._states[session] = state
            while len(self._states) > self._max_sessions:
                oldest = next(key for key in self._states if key != DEFAULT_SESSION)
                del self._states[oldest]
        self._states.move_to_end(session)
        return state
