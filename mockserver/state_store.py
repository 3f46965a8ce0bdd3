"""Where the mock keeps each session's state, behind one small interface.

A session's state is plain JSON-able data (`{"world": ..., "scenario": ..., "preferences": ...,
"faults": ...}`), so every store can keep it the same way. `update` is atomic: concurrent adds
and removes never lose an update.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
SessionState = dict[str, Any]
DEFAULT_SESSION = "default"


class StateStore(Protocol):
    """Keeps one state per session, created from `initial` on first use."""

    def read(self, session: str) -> SessionState:
        """A copy of the session's state (created if new)."""
        ...

    def update(self, session: str, change: Callable[[SessionState], T]) -> T:
        """Apply `change` to the session's state atomically and return what it returns."""
        ...

    def reset(self, session: str | None = None) -> None:
        """Forget one session's changes, or every session's when `session` is None."""
        ...

    def sessions(self) -> list[str]:
        """The sessions that have state."""
        ...


class MemoryStore:
    """In one process: a dict under a lock. Bounded: the least recently used session goes."""

    def __init__(self, initial: Callable[[], SessionState], max_sessions: int = 1000) -> None:
        self._initial = initial
        self._max_sessions = max_sessions
        self._states: OrderedDict[str, SessionState] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, session: str) -> SessionState:
        with self._lock:
            return copy.deepcopy(self._state(session))

    def update(self, session: str, change: Callable[[SessionState], T]) -> T:
        with self._lock:
            state = self._state(session)
            working = copy.deepcopy(state)
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
