"""Answers to reads, remembered for the same request against the same state.

A read's answer is a function of the request and of the session's state: its behaviour reads the
world and renders a template, or the operation's first named example answers, with no clock in
its body and no randomness (faults, delays, `Prefer` answers and scenarios' canned answers are
never remembered). So a request that comes again, byte for byte and header for header, against
the very state object it was answered from gets the same bytes again, without ZITADEL's checks,
the behaviour, the JSON encoding or the answer's validation; the one header that holds the time
(`Expires`, which ZITADEL's no-cache interceptor sets to now) is stamped again. A store hands out
a new state object after every change (and after parsing one again), so nothing stale is served;
only answers that keep the contract are remembered, so a broken answer is reported (or refused)
every time.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.server.reply import Reply
from mockserver.state.parts import Recent
from mockserver.state.stores import SessionState
from mockserver.zitadel import wire

REMEMBERED_READS = 16_384  # per worker; each holds its answer's bytes and a reference to a state

# session, method, path, query, body, headers
ReadKey = tuple[str, str, str, bytes, bytes, frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class RememberedAnswer:
    """What was sent, and the state it was answered from."""

    state: SessionState
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    answered_by: str
    request_problems: tuple[str, ...]  # the request's own, told again with the answer

    def reply(self) -> Reply:
        """The answer again, its `Expires` now, as a fresh answer's would be."""
        headers = [(name, wire.http_date() if name == "Expires" else value) for name, value in self.headers]
        return Reply(self.status, self.body, headers)


class RememberedReads:
    """The most recently used answers to reads (`REMEMBERED_READS` of them)."""

    def __init__(self, size: int = REMEMBERED_READS) -> None:
        self._recent: Recent[ReadKey, RememberedAnswer] = Recent(size)

    def get(self, key: ReadKey, state: SessionState) -> RememberedAnswer | None:
        found = self._recent.get(key)
        return found if found is not None and found.state is state else None

    def put(
        self, key: ReadKey, state: SessionState, reply: Reply, answered_by: str, request_problems: list[str]
    ) -> None:
        answer = RememberedAnswer(
            state, reply.status_code, reply.body, tuple(reply.headers), answered_by, tuple(request_problems)
        )
        self._recent.put(key, answer)
