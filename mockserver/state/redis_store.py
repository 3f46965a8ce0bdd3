"""The Redis store: shared by the workers of several hosts.

Per session: a hash `PREFIX:state:NAME` with the state without its world's organizations
(`state`), the `version` of the last write and the `generation` of its set of organizations; a
hash `PREFIX:orgs:NAME` of the organizations; a sorted set `PREFIX:changed:NAME` of organization
ids by the version that last wrote them. Each process keeps the states it has parsed (the most
recently used `PARSED_STATES`).

Redis is across a network, so each step is one round trip, a Lua script Redis runs atomically:

- a read asks for the stored version alone (most reads find nothing written since: a plain
  `HGET` is a quarter cheaper than running a script); when another writer has written, a script
  (`READ`) sends back the rest and only the organizations written after the version this process
  has (all of them when the set of organizations was replaced: the `generation` moved);
- a write (`WRITE`) is a compare-and-set: it stores the rest and the organizations the change
  set only if the version is still the one the change started from; otherwise the store reads
  again and runs the change again.

This used to take a round trip per command (head, rest, changed ids, organizations, then WATCH,
a read and MULTI/EXEC): about seven for a write after another worker's, now three. A session
stored whole by an earlier version of the mock (`PREFIX:session:NAME`) is taken over on its first
write.
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
    copy_for_change,
    from_json,
    joined,
    organizations_of,
    settled,
    to_json,
    written_parts,
)

T = TypeVar("T")
# KEYS: state, orgs, changed. ARGV: the version and generation the caller has (-1: none).
READ = """
local head = redis.call('HMGET', KEYS[1], 'version', 'generation', 'state')
if not head[1] then return {} end
local version, generation = tonumber(head[1]), tonumber(head[2] or '0')
if version == tonumber(ARGV[1]) then return {version, generation} end
if generation == tonumber(ARGV[2]) then
  local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[1], '+inf')
  local values = {}
  for index, id in ipairs(ids) do values[index] = redis.call('HGET', KEYS[2], id) end
  return {version, generation, head[3], ids, values}
end
return {version, generation, head[3], redis.call('HGETALL', KEYS[2])}
"""
# KEYS: state, orgs, changed, sessions, the session stored whole. ARGV: the version the change
# started from (0: none), the new version, generation, the rest, 1 to replace every organization,
# the session's name, then id and text of each organization to store. 1 if stored, 0 if not.
WRITE = """
local current = redis.call('HGET', KEYS[1], 'version')
if tonumber(current or '0') ~= tonumber(ARGV[1]) then return 0 end
if ARGV[5] == '1' then redis.call('DEL', KEYS[2], KEYS[3]) end
for index = 7, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[index], ARGV[index + 1])
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[index])
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'generation', ARGV[3], 'state', ARGV[4])
redis.call('SADD', KEYS[4], ARGV[6])
redis.call('DEL', KEYS[5])
return 1
"""


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
        self._read_script = self._redis.register_script(READ)
        self._write_script = self._redis.register_script(WRITE)
        self._parsed: Recent[str, _Parsed] = Recent()
        self._writers = threading.Lock()

    def read(self, session: str) -> SessionState:
        """The session's state; fetched again only as far as another writer has written since."""
        known = self._call(self._fetched, session)
        return known.state if known is not None else self.update(session, lambda state: state)

    def update(self, session: str, change: Callable[[SessionState], T], *, own_copies: bool = False) -> T:
        """The change runs on the state as this process knows it (a request reads it just before)
        and is stored if no other writer stored since; otherwise it runs again on the state read
        anew. The threads of one process take turns: otherwise each write raced seven others of
        its own process, and most of them ran their change again; other processes still may race."""
        with self._writers:
            known = self._parsed.get(session)
            for _ in range(self.ATTEMPTS):
                if known is None:
                    known = self._call(self._fetched, session)
                if known is None:  # nothing stored: the session stored whole by an earlier mock, or a new one
                    legacy = self._call(lambda: self._redis.get(self._key("session", session)))
                    working = from_json(legacy) if legacy is not None else self._initial()
                else:
                    working = copy_for_change(known.state, own_copies)
                result = change(working)
                written = self._call(self._written, session, known, working)
                if written is not None:
                    self._parsed.put(session, written)
                    return result
                known = None  # another writer got there first: read again and run the change again
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

    def _fetched(self, session: str) -> _Parsed | None:
        """The session's state as stored now (None: nothing stored): one round trip when this
        process has it current, else one more that brings only what was written since."""
        cached = self._parsed.get(session)
        if cached is not None:  # most reads: nothing written since, which the head alone tells
            stored = self._redis.hget(self._key("state", session), "version")
            if stored is not None and int(stored) == cached.version:
                return cached
        known_organizations = organizations_of(cached.state) if cached is not None else None
        known_version = cached.version if cached is not None else -1
        known_generation = cached.generation if cached is not None and known_organizations is not None else -1
        reply = self._read_script(keys=self._keys(session)[:3], args=[known_version, known_generation])
        if not reply:
            return None
        version, generation = int(reply[0]), int(reply[1])
        if len(reply) == 2 and cached is not None:  # still the version this process has
            return cached
        rest: SessionState = from_json(reply[2])
        organizations: Organizations | None = None
        if organizations_of(rest) is not None:
            if len(reply) == 5:  # the organizations written since
                written = {
                    key.decode(): from_json(value) for key, value in zip(reply[3], reply[4], strict=True) if value
                }
                organizations = caught_up(known_organizations, written)
            else:
                pairs = reply[3]
                organizations = caught_up(
                    None, {pairs[i].decode(): from_json(pairs[i + 1]) for i in range(0, len(pairs), 2)}
                )
        parsed = _Parsed(version, generation, joined(rest, organizations))
        self._parsed.put(session, parsed)
        return parsed

    def _written(self, session: str, known: _Parsed | None, after: SessionState) -> _Parsed | None:
        """`after` stored over `known` (None: nothing was stored) if no other writer stored since;
        the state as stored, or None when another writer got there first."""
        version, generation = (known.version, known.generation) if known is not None else (0, 0)
        rest, changed, replacing, generation = written_parts(known.state if known else None, after, generation)
        rows = [part for org_id, value in changed.items() for part in (org_id, to_json(value))]
        arguments: list[str | int] = [version, version + 1, generation, to_json(rest), int(replacing), session, *rows]
        if not self._write_script(keys=[*self._keys(session), self._key("session", session)], args=arguments):
            return None
        return _Parsed(version + 1, generation, settled(after))

    def _keys(self, session: str) -> list[str]:
        """The session's state, organizations and changed ids, and the set of sessions."""
        return [
            self._key("state", session),
            self._key("orgs", session),
            self._key("changed", session),
            self._sessions_key,
        ]

    @property
    def _sessions_key(self) -> str:
        return f"{self._prefix}:sessions"

    def _key(self, kind: str, session: str) -> str:
        return f"{self._prefix}:{kind}:{session}"

    def _call(self, action: Callable[..., Any], *arguments: Any) -> Any:
        try:
            return action(*arguments)
        except self._errors as error:
            raise StoreUnavailable(f"redis: {error}") from error
