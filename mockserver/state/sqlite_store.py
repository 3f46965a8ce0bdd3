"""The SQLite store: a file shared by the workers on one host, kept across restarts.

Per session, one row holds the state without its world's organizations and one row per
organization holds that organization, each with the version of the write that last stored it. A
write stores the rest and the organizations it changed (not the whole world), in one statement
(`WRITE`, an insert into a view whose trigger does the rest: SQLite makes a statement atomic).
Each process keeps the states it has parsed (the most recently used `PARSED_STATES`); when
another worker has written since, it reads the rest again and only the organizations written
after the version it has (all of them when the set of organizations was replaced: the
`generation` moved).

Every write moves a count kept in the lock file (`write_counter`): a reader whose parsed state
was current at the count it finds makes no query at all.

Writers take turns to store: threads on a lock, processes on an `flock` of `PATH.lock`. A change
runs before the turn, on the state as its worker knows it, and again in the turn only if another
writer stored something meanwhile (`update`). Left to SQLite, a writer that finds the file locked
sleeps and retries (1 ms, then longer, up to 100 ms): with two workers, writes waited there for
most of their time (p99 of a quarter second in `python -m bench.run`). A lock wakes the next
writer as soon as it is free.

Each process has one connection, used by one thread at a time, so its page cache stays warm
across its threads; the WAL is checkpointed every `CHECKPOINT_EVERY` writes after the writer's
turn, on a connection of its own, instead of inside a commit.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
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
    split,
    to_json,
    written_parts,
)
from mockserver.state.write_counter import WriteCounter

T = TypeVar("T")
HEAD = "SELECT version, generation, state FROM states WHERE name = ?"  # the text too: one query, not two
CHECKPOINT_EVERY = 256  # writes of all workers between two checkpoints of the WAL
SHARED_TEXTS = 1024  # per process: parsed rows shared between sessions that stored the same text
SCHEMA = (  # one B-tree a table (WITHOUT ROWID): a write dirties fewer pages; a file made before keeps its rowids
    "CREATE TABLE IF NOT EXISTS states (name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " generation INTEGER NOT NULL, state TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS organizations (session TEXT NOT NULL, id TEXT NOT NULL,"
    " version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (session, id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS organizations_by_version ON organizations (session, version)",
    # A write is one INSERT into this view: SQLite runs the trigger's statements as one atomic statement.
    "CREATE VIEW IF NOT EXISTS writes AS SELECT name AS session, version, generation, state,"
    " NULL AS organizations, 0 AS replacing FROM states",
    "CREATE TRIGGER IF NOT EXISTS write INSTEAD OF INSERT ON writes BEGIN"
    " DELETE FROM organizations WHERE NEW.replacing AND session = NEW.session;"
    " REPLACE INTO organizations (session, id, version, data)"
    " SELECT NEW.session, key, NEW.version, value FROM json_each(NEW.organizations);"
    " REPLACE INTO states (name, version, generation, state)"
    " VALUES (NEW.session, NEW.version, NEW.generation, NEW.state); END",
)
WRITE = "INSERT INTO writes (session, version, generation, state, organizations, replacing) VALUES (?, ?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class _Parsed:
    """A state as one connection last read it."""

    version: int
    generation: int
    state: SessionState
    checked_at: int  # the store's write count when this process last knew it current


class SqliteStore:
    """A SQLite file: the rest of each session's state and its organizations in rows of their own."""

    def __init__(self, path: Path, initial: Initial, *, durable: bool = True) -> None:
        self.path = path
        self._synchronous = "NORMAL" if durable else "OFF"  # OFF: a checkpoint never waits on the disk
        self._initial = initial
        self._process_connection: tuple[int, sqlite3.Connection] | None = None
        self._parsed: Recent[str, _Parsed] = Recent()
        self._texts: Recent[str, Any] = Recent(SHARED_TEXTS)
        self._one_at_a_time = threading.RLock()  # this process's connection; a writer's turn
        self._checkpointer: tuple[int, sqlite3.Connection] | None = None
        self._checkpointing = threading.Lock()
        self._lock_file: tuple[int, int, WriteCounter] | None = None  # (pid, descriptor, count): per process
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
        """The session's state: as parsed when nothing was written since it was last checked, else
        parsed again only as far as another worker has written since."""
        known = self._current(session)
        return known.state if known is not None else self.update(session, lambda state: state)

    def update(self, session: str, change: Callable[[SessionState], T], *, own_copies: bool = False) -> T:
        """The change runs first on the state as this worker knows it, outside the writers' turn
        (one at a time across every worker: a change held it for most of a write, and two workers
        wrote little faster than one). In the turn, its result is stored if no worker wrote since
        that state was current (the write count has not moved); otherwise the change runs again,
        in the turn, on the state as it now is. A change that raises stores nothing either way."""
        known = self._current(session)
        if known is None:
            with self._turn():
                result, count = self._update(session, change, own_copies)
        else:
            working = copy_for_change(known.state, own_copies)
            result = change(working)
            with self._turn():
                if self._counter().value() == known.checked_at:  # nobody wrote since: `known` is stored
                    count = self._store(session, known, working)
                else:
                    result, count = self._update(session, change, own_copies)
        if count % CHECKPOINT_EVERY == 0:
            self._checkpoint()
        return result

    def _current(self, session: str) -> _Parsed | None:
        """The session's state as parsed, current at the write count it holds; None when the
        session has none stored yet."""
        count = self._counter().value()  # read before the query: a write after it moves the count
        cached = self._parsed.get(session)
        if cached is not None and cached.checked_at == count:
            return cached
        with self._one_at_a_time:
            connection = self._connection()
            row = connection.execute(HEAD, (session,)).fetchone()
            return self._synced(connection, session, row, count) if row is not None else None

    def _update(self, session: str, change: Callable[[SessionState], T], own_copies: bool) -> tuple[T, int]:
        """The change in our turn: no other writer runs, so the state read here stays current
        until it is stored."""
        connection = self._connection()
        count = self._counter().value()  # in our turn: no other writer moves it
        known = self._parsed.get(session)
        if known is None or known.checked_at != count:  # somebody wrote since: ask the file
            row = connection.execute(HEAD, (session,)).fetchone()
            known = self._synced(connection, session, row, count) if row is not None else None
        working = copy_for_change(known.state, own_copies) if known is not None else self._initial()
        result = change(working)
        return result, self._store(session, known, working)

    def _store(self, session: str, known: _Parsed | None, working: SessionState) -> int:
        """`working` stored over `known` (None: the session had nothing stored), in our turn; the
        write count after it."""
        version, generation = (known.version, known.generation) if known is not None else (0, 0)
        before = known.state if known is not None else None
        generation = self._write(self._connection(), session, before, working, version + 1, generation)
        count = self._counter().bump()
        self._parsed.put(session, _Parsed(version + 1, generation, settled(working), count))
        return count

    def reset(self, session: str | None = None) -> None:
        self._parsed.forget(session)
        connection = self._connection()
        with self._turn():
            with connection:
                if session is None:
                    connection.execute("DELETE FROM states")
                    connection.execute("DELETE FROM organizations")
                else:
                    connection.execute("DELETE FROM states WHERE name = ?", (session,))
                    connection.execute("DELETE FROM organizations WHERE session = ?", (session,))
            self._counter().bump()
            if session is None:  # give the file's space back, in our turn: no writer waits on SQLite's busy handler
                connection.execute("VACUUM")

    def sessions(self) -> list[str]:
        with self._one_at_a_time:
            return [row[0] for row in self._connection().execute("SELECT name FROM states ORDER BY name")]

    def _synced(self, connection: sqlite3.Connection, session: str, head: tuple[int, int, str], count: int) -> _Parsed:
        """The state at `head` (version, generation and the rest's text), current at `count`."""
        version, generation, text = head
        cached = self._parsed.get(session)
        if cached is not None and cached.version == version:
            if cached.checked_at != count:
                cached = _Parsed(version, generation, cached.state, count)
                self._parsed.put(session, cached)
            return cached
        rest: SessionState = self._parsed_text(text)
        organizations: Organizations | None = None
        if organizations_of(rest) is not None:
            incremental = cached is not None and cached.generation == generation
            known = organizations_of(cached.state) if cached is not None and incremental else None
            since = cached.version if cached is not None and known is not None else -1
            query = "SELECT id, data FROM organizations WHERE session = ? AND version > ?"
            written = {org_id: self._parsed_text(data) for org_id, data in connection.execute(query, (session, since))}
            organizations = caught_up(known, written)
        parsed = _Parsed(version, generation, joined(rest, organizations), count)
        self._parsed.put(session, parsed)
        return parsed

    def _checkpoint(self) -> None:
        """Copy the WAL back into the file, outside the writers' turn and on a connection of its
        own: SQLite's automatic checkpoint ran inside a commit, and its `fsync` (tens to hundreds
        of milliseconds on a virtual disk) held every other writer up. A passive checkpoint lets
        writers go on; one at a time per process, and none when one is already running."""
        if not self._checkpointing.acquire(blocking=False):
            return
        try:
            if self._checkpointer is None or self._checkpointer[0] != os.getpid():
                self._checkpointer = (os.getpid(), self._open())
            self._checkpointer[1].execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except (sqlite3.Error, StoreUnavailable):
            pass  # the next one copies what this one could not; writes never depend on it
        finally:
            self._checkpointing.release()

    def _parsed_text(self, text: str) -> Any:
        """`text` parsed, shared with every session that stored the same text: sessions that
        have not changed an organization (or anything) hold one copy of it, not one each. Safe
        because nothing changes a stored state in place (a change copies what it touches)."""
        parsed = self._texts.get(text)
        if parsed is None:
            parsed = from_json(text)
            self._texts.put(text, parsed)
        return parsed

    def _write(
        self,
        connection: sqlite3.Connection,
        session: str,
        before: SessionState | None,
        after: SessionState,
        version: int,
        generation: int,
    ) -> int:
        """Store what changed, in one statement (`WRITE`); the generation the state is now in.

        One call into SQLite instead of four (BEGIN, two REPLACEs, COMMIT), and atomic without a
        transaction of ours: a refused change, which raises before this, never opens one."""
        rest, changed, replacing, generation = written_parts(before, after, generation)
        rows = to_json({org_id: to_json(value) for org_id, value in changed.items()})  # each row's text as is
        connection.execute(WRITE, (session, version, generation, to_json(rest), rows, replacing))
        return generation

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This writer's turn: the other threads of this process, then the other processes, wait."""
        with self._one_at_a_time:
            descriptor = self._lock_descriptor()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)

    def _lock_descriptor(self) -> int:
        return self._process_lock()[1]

    def _counter(self) -> WriteCounter:
        return self._process_lock()[2]

    def _process_lock(self) -> tuple[int, int, WriteCounter]:
        """`PATH.lock` and the write count mapped through it, opened by this process (a descriptor
        inherited across fork would share its lock with the parent, and lock nothing between them)."""
        if self._lock_file is None or self._lock_file[0] != os.getpid():
            try:
                descriptor = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise StoreUnavailable(f"cannot open {self.path}.lock: {error}") from error
            self._lock_file = (os.getpid(), descriptor, WriteCounter(descriptor))
        return self._lock_file

    def _connection(self) -> sqlite3.Connection:
        """One connection per process (a forked worker opens its own), used by one thread at a
        time (`_one_at_a_time`). A connection per thread re-read every page another thread's write
        had changed: two connections taking turns wrote at half the speed of one."""
        if self._process_connection is None or self._process_connection[0] != os.getpid():
            self._process_connection = (os.getpid(), self._open())
        return self._process_connection[1]

    def _open(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(f"PRAGMA synchronous={self._synchronous}")
            connection.execute("PRAGMA wal_autocheckpoint=0")  # `_checkpoint`, outside the writers' turn
        except sqlite3.Error as error:
            raise StoreUnavailable(f"cannot open {self.path}: {error}") from error
        return connection


def _migrate_whole_states(connection: sqlite3.Connection) -> None:
    """A file from before the split (`sessions(name, state)`, whole states) keeps what it holds."""
    old = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").fetchone()
    if old is None:
        return
    for name, data in connection.execute("SELECT name, state FROM sessions").fetchall():
        rest, organizations = split(from_json(data))
        connection.execute("REPLACE INTO states VALUES (?, 1, 1, ?)", (name, to_json(rest)))
        rows = [(name, org_id, 1, to_json(value)) for org_id, value in (organizations or {}).items()]
        connection.executemany("REPLACE INTO organizations VALUES (?, ?, ?, ?)", rows)
    connection.execute("DROP TABLE sessions")
