"""How many writes a SQLite store has taken, kept in the first 8 bytes of its lock file and read
through a shared memory map.

A reader that finds the count where it was when it last checked a session knows that no worker
has written since, and answers from the state it has parsed without a query. Under load a query
cost more than its own time: each one gives up the GIL twice, and every hand-over of the GIL
between a worker's threads was a context switch. Only a writer holding the store's turn (the
`flock` of the lock file) moves the count, after its transaction has committed.
"""

from __future__ import annotations

import mmap
import os
import struct

_COUNT = struct.Struct("<Q")


class WriteCounter:
    """The count of one store, mapped by one process (a map inherited across fork still works,
    but each process opens its own descriptor for its lock, and maps through it)."""

    def __init__(self, descriptor: int) -> None:
        if os.fstat(descriptor).st_size < _COUNT.size:
            os.ftruncate(descriptor, _COUNT.size)  # a size already reached keeps its bytes
        self._map = mmap.mmap(descriptor, _COUNT.size)

    def value(self) -> int:
        return int(_COUNT.unpack_from(self._map, 0)[0])

    def bump(self) -> int:
        """One more write; only while holding the store's turn, so no two writers race."""
        moved = self.value() + 1
        _COUNT.pack_into(self._map, 0, moved)
        return moved
