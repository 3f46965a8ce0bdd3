"""The access log: one line per request, cheap enough for every request.

Through Python's logging a line cost a third of a request's time (a record, a formatter, a lock
and a write each time). In a served worker, `AccessLog.start` makes lines go to a buffer instead,
written to stderr by one thread every fifth of a second, in logging's format
(`2026-11-29 05:33:24,123 INFO mockserver.access ...`). Elsewhere (tests, the app built in
process) each line goes through the `mockserver.access` logger as before.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

INTERVAL_SECONDS = 0.2
MAX_BUFFERED = 10_000  # lines beyond this between two writes are counted, not kept


class AccessLog:
    """Where the mock's access lines go: the logger, or a buffer written by a thread of its own."""

    def __init__(self, name: str = "mockserver.access") -> None:
        self.logger = logging.getLogger(name)
        self._lines: list[tuple[float, str]] = []
        self._dropped = 0
        self._lock = threading.Lock()
        self._stream: TextIO | None = None

    def line(self, text: str) -> None:
        """One line (it must hold no credential)."""
        if self._stream is None:
            self.logger.info("%s", text)
            return
        with self._lock:
            if len(self._lines) < MAX_BUFFERED:
                self._lines.append((time.time(), text))
            else:
                self._dropped += 1

    def start(self, stream: TextIO | None = None) -> None:
        """Buffer lines from now on, in this process, if the logger writes INFO at all."""
        if self._stream is not None or not self.logger.isEnabledFor(logging.INFO):
            return
        self._stream = stream or sys.stderr
        threading.Thread(target=self._write_forever, name="access-log", daemon=True).start()

    def flush(self) -> None:
        """Write what is buffered now."""
        with self._lock:
            lines, dropped, self._lines, self._dropped = self._lines, self._dropped, [], 0
        if self._stream is None or not (lines or dropped):
            return
        text = "".join(f"{_asctime(moment)} INFO {self.logger.name} {line}\n" for moment, line in lines)
        if dropped:
            text += f"{_asctime(time.time())} WARNING {self.logger.name} {dropped} lines not written (too many)\n"
        self._stream.write(text)
        self._stream.flush()

    def _write_forever(self) -> None:
        while True:  # a daemon thread: it ends with the process (atexit writes the rest)
            time.sleep(INTERVAL_SECONDS)
            self.flush()


def _asctime(moment: float) -> str:
    """logging's default `asctime`: `2026-11-29 05:33:24,123`."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment)) + f",{int(moment * 1000) % 1000:03d}"


access_log = AccessLog()
