"""Which session a request belongs to: `X-Mock-Session` header, `mock_session` cookie, or none.

Sessions keep parallel end-to-end tests and developers apart on one mock; without one, a
request uses the shared default state.
"""

from __future__ import annotations

import re
from typing import Protocol

from mockserver.state.stores import DEFAULT_SESSION
from mockserver.zitadel.errors import ZitadelError

SESSION_HEADER = "X-Mock-Session"
SESSION_COOKIE = "mock_session"
_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class _Lookup(Protocol):
    def get(self, key: str) -> str | None: ...


def session_of(headers: _Lookup, cookies: _Lookup) -> str:
    """The session named by the request, or the default; a malformed name is a 400.

    `headers` answers lower-case names (a plain dict of them, or werkzeug's headers)."""
    name = headers.get(SESSION_HEADER.lower()) or cookies.get(SESSION_COOKIE) or DEFAULT_SESSION
    return checked_session(name)


def checked_session(name: str) -> str:
    if not _VALID.fullmatch(name):
        raise ZitadelError(3, f"mock: session names are 1 to 64 of A-Z a-z 0-9 . _ -, not {name[:80]!r}")
    return name
