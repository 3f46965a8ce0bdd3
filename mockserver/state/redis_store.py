"""The Redis store: shared by the workers of several hosts.

Per session: a hash `PREFIX:state:NAME` with the state without its world's organizations
(`state`), the `version` of the last write and the `generation` of its set of organizations; a
hash `PREFIX:orgs:NAME` of the organizations; a sorted set `PREFIX:changed:NAME` of organization
ids by the version that last wrote them. A write is an optimistic WATCH/MULTI transaction on the
session's hash (retried when another writer got there first) that stores the rest and the
organizations it changed. Each process keeps the states it has parsed and, when another has
written since, fetches only the organizations changed after the version it has (the most recently
used `PARSED_STATES` are kept). A session stored
whole by an earlier version of the mock (`PREFIX:session:NAME`) is taken over on its first write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mockserver.errors import StoreUnavailable
from mockserver.state.organization_map import Organizations
from mockserver.state.parts import (
    Initial,
    Recent,
    SessionState,
    caught_up,
    changed_organizations,
    copy_for_change,
    from_json,
    joined,
    organizations_of,
    settled,
    split,
    to_json,
)

T = TypeVar("T")


@dataclass(frozen=True)
class _Parsed:
    """A state as this process last read it."""

    version: int
    generation: int
    state: SessionState


class RedisStore:
    """Redis: the rest of each session's state and its organizations apart, optimistic writes."""

    ATTEMPTS = 100

    def __init__(self, url: str, initial: Initial, prefix: str = "mockserver") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=10)
        self._initial = initial
        self._prefix = prefix
        self._errors = (redis.RedisError,)
        self._watch_error = redis.WatchError
        self._parsed: Recent[str, _Parsed] = Recent()
        self._writers = threading.Lock()

    def read(self, session: str) -> SessionState:
        """The session's state; fetched again only as far as another writer has written since."""
        try:
            head = self._redis.hmget(self._key("state", session), "version", "generation")
            if head[0] is None:
                return self.update(session, lambda state: state)
            return self._synced(self._redis, session, int(head[0]), int(head[1] or 0))
        except self._errors as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def update(self, session: str, change: Callable[[SessionState], T], *, own_copies: bool = False) -> T:
        # The threads of one process take turns: otherwise each write raced seven others of its
        # own process, and most of them redid their work (WATCH); other processes still may race.
        with self._writers:
            return self._update(session, change, own_copies)

    def _update(self, session: str, change: Callable[[SessionState], T], own_copies: bool) -> T:
        head_key, legacy_key = self._key("state", session), self._key("session", session)
        for _ in range(self.ATTEMPTS):
            try:
                with self._redis.pipeline() as pipe:
                    pipe.watch(head_key, legacy_key)  # type: ignore[no-untyped-call]
                    head = pipe.hmget(head_key, "version", "generation")
                    if head[0] is None:
                        before, version, generation = None, 0, 0
                        legacy = pipe.get(legacy_key)
                        working = from_json(legacy) if legacy is not None else self._initial()
                    else:
                        version, generation = int(head[0]), int(head[1] or 0)
                        before = self._synced(pipe, session, version, generation)
                        working = copy_for_change(before, own_copies)
                    result = change(working)
                    pipe.multi()
                    written = self._write(pipe, session, before, working, version + 1, generation)
                    pipe.delete(legacy_key)
                    pipe.execute()
                    self._parsed.put(session, written)
                    return result
            except self._watch_error:
                continue  # another writer got there first: read again and redo
            except self._errors as error:
                raise StoreUnavailable(f"redis: {error}") from error
        raise StoreUnavailable(f"redis: session {session!r} kept changing under {self.ATTEMPTS} attempts")

    def reset(self, session: str | None = None) -> None:
        names = self.sessions() if session is None else [session]
        self._parsed.forget(session)
        if names:
            keys = [self._key(kind, name) for name in names for kind in ("state", "orgs", "changed", "session")]
            self._call(lambda: self._redis.delete(*keys))
            self._call(lambda: self._redis.srem(self._sessions_key, *names))

    def sessions(self) -> list[str]:
        members = self._call(lambda: self._redis.smembers(self._sessions_key))
        return sorted(member.decode() for member in members)

    def _synced(self, client: Any, session: str, version: int, generation: int) -> SessionState:
        cached = self._parsed.get(session)
        if cached is not None and cached.version == version:
            return cached.state
        rest: SessionState = from_json(client.hget(self._key("state", session), "state"))
        organizations: Organizations | None = None
        if organizations_of(rest) is not None:
            known = organizations_of(cached.state) if cached is not None and cached.generation == generation else None
            if known is not None and cached is not None:
                ids = client.zrangebyscore(self._key("changed", session), f"({cached.version}", "+inf")
                values = client.hmget(self._key("orgs", session), ids) if ids else []
                written = {key.decode(): from_json(value) for key, value in zip(ids, values, strict=True)}
                organizations = caught_up(known, written)
            else:
                everything = client.hgetall(self._key("orgs", session))
                organizations = caught_up(None, {key.decode(): from_json(value) for key, value in everything.items()})
        state = joined(rest, organizations)
        self._parsed.put(session, _Parsed(version, generation, state))
        return state

    def _write(
        self, pipe: Any, session: str, before: SessionState | None, after: SessionState, version: int, generation: int
    ) -> _Parsed:
        rest, organizations = split(after)
        orgs_key, changed_key = self._key("orgs", session), self._key("changed", session)
        changed = changed_organizations(organizations_of(before) if before else None, organizations)
        if organizations is not None and changed is None:  # new, or the organizations replaced
            generation += 1
            pipe.delete(orgs_key, changed_key)
            changed = organizations
        if changed:
            pipe.hset(orgs_key, mapping={org_id: to_json(value) for org_id, value in changed.items()})
            pipe.zadd(changed_key, dict.fromkeys(changed, version))
        state = {"version": version, "generation": generation, "state": to_json(rest)}
        pipe.hset(self._key("state", session), mapping=state)
        pipe.sadd(self._sessions_key, session)
        return _Parsed(version, generation, settled(after))

    @property
    def _sessions_key(self) -> str:
        return f"{self._prefix}:sessions"

    def _key(self, kind: str, session: str) -> str:
        return f"{self._prefix}:{kind}:{session}"

    def _call(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except self._errors as error:
            raise StoreUnavailable(f"redis: {error}") from error
