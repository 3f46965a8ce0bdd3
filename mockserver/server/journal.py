"""A bounded journal of recent requests: what came in, how it was answered and validated.

Bearer tokens and cookies never enter it: credentials are redacted before an entry is made.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

REDACTED = "<redacted>"
_SECRET_HEADERS = {"authorization", "cookie", "x-mock-control-token"}
SHOWN_NAMES_KEPT = 256
_SHOWN_NAMES: dict[str, str] = {}


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with credentials replaced; the scheme of Authorization is kept."""
    redacted = {}
    for name, value in headers:
        if name.lower() == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            redacted[name] = f"{scheme} {REDACTED}".strip()
        elif name.lower() in _SECRET_HEADERS:
            redacted[name] = REDACTED
        else:
            redacted[name] = value
    return redacted


@dataclass(frozen=True)
class JournalEntry:
    """One request and its answer."""

    time: str
    session: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    operation_id: str | None
    answered_by: str
    status: int
    duration_ms: float
    request_problems: list[str] = field(default_factory=list)
    response_problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def redact_lowered(headers: dict[str, str]) -> dict[str, str]:
    """`redact_headers` for headers already keyed by lower-case name (the mock's hot path has
    them): the names come out as the WSGI server gives them (`X-Zitadel-Orgid`)."""
    redacted = {}
    for name, value in headers.items():
        shown = _SHOWN_NAMES.get(name) or _shown_name(name)
        if name == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            redacted[shown] = f"{scheme} {REDACTED}".strip()
        else:
            redacted[shown] = REDACTED if name in _SECRET_HEADERS else value
    return redacted


def _shown_name(name: str) -> str:
    """`x-zitadel-orgid` as the WSGI server gives it, `X-Zitadel-Orgid`; kept for the next request
    (the same few names come every time; at most `SHOWN_NAMES_KEPT` of them)."""
    shown = "-".join(part.capitalize() for part in name.split("-"))
    if len(_SHOWN_NAMES) < SHOWN_NAMES_KEPT:
        _SHOWN_NAMES[name] = shown
    return shown


Later = Callable[[], JournalEntry]


class Journal:
    """The last `size` entries, newest first on reading. An entry may be given as a function that
    makes it, called only when the journal is read (most entries never are)."""

    def __init__(self, size: int = 500) -> None:
        self._entries: deque[tuple[str, JournalEntry | Later]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append((entry.session, entry))

    def add_later(self, session: str, make: Later) -> None:
        with self._lock:
            self._entries.append((session, make))

    def entries(self, session: str | None = None, limit: int = 100) -> list[JournalEntry]:
        with self._lock:
            chosen = [entry for owner, entry in reversed(self._entries) if session is None or owner == session]
        return [entry if isinstance(entry, JournalEntry) else entry() for entry in chosen[:limit]]

    def clear(self, session: str | None = None) -> None:
        with self._lock:
            kept = [e for e in self._entries if session is not None and e[0] != session]
            self._entries.clear()
            self._entries.extend(kept)
