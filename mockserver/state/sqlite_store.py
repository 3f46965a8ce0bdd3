"""The SQLite store: a file shared by the workers on one host, kept across restarts.

Per session, one row holds the state without its world's organizations and one row per
organization holds that organization, each with the version of the write that last stored it. A
write stores the rest and the organizations it changed (not the whole world), in one
`BEGIN IMMEDIATE` transaction. Each process keeps the states it has parsed (the most recently
used `PARSED_STATES`); when another worker has written since, it reads the rest again and only the
organizations written after the version it has (all of them when the set of organizations was
replaced: the `generation` moved).

Writers take turns before they open the transaction: threads on a lock, processes on an `flock`
of `PATH.lock`. Left to SQLite, a writer that finds the file locked sleeps and retries (1 ms,
then longer, up to 100 ms): with two workers, writes waited there for most of their time (p99 of
a quarter second in `python -m bench.run`). A lock wakes the next writer as soon as it is free.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from mockserver.errors import StoreUnavailable
from mockserver.state.parts import (
    Initial,
    Organizations,
    Recent,
    SessionState,
    changed_organizations,
    copy_for_change,
    joined,
    organizations_of,
    split,
)

T = TypeVar("T")
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS states (name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " generation INTEGER NOT NULL, state TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS organizations (session TEXT NOT NULL, id TEXT NOT NULL,"
    " version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (session, id))",
    "CREATE INDEX IF NOT EXISTS organizations_by_version ON organizations (session, version)",
)


@dataclass(frozen=True)
class _Parsed:
    """A state as one connection last read it."""

    version: int
    generation: int
    state: SessionState


class SqliteStore:
    """A SQLite file: the rest of each session's state and its organizations in rows of their own."""

    def __init__(self, path: Path, initial: Initial) -> None:
        self.path = path
        self._initial = initial
        self._local = threading.local()
        self._parsed: Recent[_Parsed] = Recent()
        self._writers = threading.Lock()
        self._lock_file: tuple[int, int] | None = None  # (pid, descriptor): each process opens its own
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA:
                connection.execute(statement)
            _migrate_whole_states(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def read(self, session: str) -> SessionState:
        """The session's state; parsed again only as far as another worker has written since."""
        connection = self._connection()
        row = connection.execute("SELECT version, generation FROM states WHERE name = ?", (session,)).fetchone()
        if row is None:
            return self.update(session, lambda state: state)
        return self._synced(connection, session, row[0], row[1])

    def update(self, session: str, change: Callable[[SessionState], T], *, own_copies: bool = False) -> T:
        with self._turn():
            return self._update(session, change, own_copies)

    def _update(self, session: str, change: Callable[[SessionState], T], own_copies: bool) -> T:
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute("SELECT version, generation FROM states WHERE name = ?", (session,)).fetchone()
            if row is None:
                before, version, generation = None, 0, 0
                working = self._initial()
            else:
                version, generation = row
                before = self._synced(connection, session, version, generation)
                working = copy_for_change(before, own_copies)
            result = change(working)
            written = self._write(connection, session, before, working, version + 1, generation)
            connection.execute("COMMIT")
            self._parsed.put(session, written)
            return result
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def reset(self, session: str | None = None) -> None:
        self._parsed.forget(session)
        with self._turn(), self._connection() as connection:
            if session is None:
                connection.execute("DELETE FROM states")
                connection.execute("DELETE FROM organizations")
            else:
                connection.execute("DELETE FROM states WHERE name = ?", (session,))
                connection.execute("DELETE FROM organizations WHERE session = ?", (session,))
        if session is None:
            self._connection().execute("VACUUM")  # give the file's space back after a reset of everything

    def sessions(self) -> list[str]:
        return [row[0] for row in self._connection().execute("SELECT name FROM states ORDER BY name")]

    def _synced(self, connection: sqlite3.Connection, session: str, version: int, generation: int) -> SessionState:
        cached = self._parsed.get(session)
        if cached is not None and cached.version == version:
            return cached.state
        rest: SessionState = json.loads(
            connection.execute("SELECT state FROM states WHERE name = ?", (session,)).fetchone()[0]
        )
        organizations: Organizations | None = None
        if organizations_of(rest) is not None:
            incremental = cached is not None and cached.generation == generation
            known = organizations_of(cached.state) if cached is not None and incremental else None
            organizations = dict(known) if known is not None else {}
            since = cached.version if cached is not None and known is not None else -1
            query = "SELECT id, data FROM organizations WHERE session = ? AND version > ?"
            for org_id, data in connection.execute(query, (session, since)):
                organizations[org_id] = json.loads(data)
        state = joined(rest, organizations)
        self._parsed.put(session, _Parsed(version, generation, state))
        return state

    def _write(
        self,
        connection: sqlite3.Connection,
        session: str,
        before: SessionState | None,
        after: SessionState,
        version: int,
        generation: int,
    ) -> _Parsed:
        rest, organizations = split(after)
        changed = changed_organizations(organizations_of(before) if before else None, organizations)
        if organizations is not None and changed is None:  # new, or the organizations replaced
            generation += 1
            connection.execute("DELETE FROM organizations WHERE session = ?", (session,))
            changed = organizations
        rows = [(session, org_id, version, json.dumps(value)) for org_id, value in (changed or {}).items()]
        connection.executemany("REPLACE INTO organizations (session, id, version, data) VALUES (?, ?, ?, ?)", rows)
        connection.execute(
            "REPLACE INTO states (name, version, generation, state) VALUES (?, ?, ?, ?)",
            (session, version, generation, json.dumps(rest)),
        )
        return _Parsed(version, generation, after)

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This writer's turn: the other threads of this process, then the other processes, wait."""
        with self._writers:
            descriptor = self._lock_descriptor()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)

    def _lock_descriptor(self) -> int:
        """`PATH.lock`, opened by this process (a descriptor inherited across fork would share its
        lock with the parent, and lock nothing between them)."""
        if self._lock_file is None or self._lock_file[0] != os.getpid():
            try:
                descriptor = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise StoreUnavailable(f"cannot open {self.path}.lock: {error}") from error
            self._lock_file = (os.getpid(), descriptor)
        return self._lock_file[1]

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        if getattr(self._local, "pid", None) != os.getpid():
            try:
                connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as error:
                raise StoreUnavailable(f"cannot open {self.path}: {error}") from error
            self._local.connection, self._local.pid = connection, os.getpid()
        connection_: sqlite3.Connection = self._local.connection
        return connection_


def _migrate_whole_states(connection: sqlite3.Connection) -> None:
    """A file from before the split (`sessions(name, state)`, whole states) keeps what it holds."""
    old = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").fetchone()
    if old is None:
        return
    for name, data in connection.execute("SELECT name, state FROM sessions").fetchall():
        rest, organizations = split(json.loads(data))
        connection.execute("REPLACE INTO states VALUES (?, 1, 1, ?)", (name, json.dumps(rest)))
        rows = [(name, org_id, 1, json.dumps(value)) for org_id, value in (organizations or {}).items()]
        connection.executemany("REPLACE INTO organizations VALUES (?, ?, ?, ?)", rows)
    connection.execute("DROP TABLE sessions")
