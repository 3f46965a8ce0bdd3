"""Serve the app with gunicorn: one or several worker processes, threads, keep-alive.

The app is built once in the master (`preload_app`) so a bad spec or fixture stops start-up
before any worker runs; each forked worker then serves the same app. What the app holds then
(the contract, its compiled schemas, openapi-core's objects: some 68,000) lives as long as the
server, so it is moved out of the garbage collector's sight (`gc.freeze`) before the fork: a full
collection walked all of it, 17 ms with the GIL held, and every request waiting on it made the
tail (p99) of `python -m bench.run`. Workers also keep those pages shared with the master.

What a worker keeps later (parsed states, remembered answers: hundreds of thousands of objects
with 10,000 live sessions) cannot be frozen, so full collections are made a hundred times rarer
(after `FULL_COLLECTION_AFTER` middle-generation ones instead of Python's 10): one took 120 ms
at 10,000 sessions, and the p99 of the scale run's 10,000-session step went from 79 ms to 9 ms.
Young collections, which find the short-lived cycles a request leaves, run as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication

FULL_COLLECTION_AFTER = 1000  # collections of the middle generation between two full ones (Python: 10)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]  # the mock's Flask app, or the proxy


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: WsgiApp, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        return self.application


def serve(
    app: WsgiApp,
    host: str,
    port: int,
    *,
    workers: int = 1,
    threads: int = 8,
    on_worker_start: Callable[[], None] | None = None,
) -> None:
    """Serve until stopped (SIGTERM or Ctrl-C)."""

    def post_worker_init(worker: Any) -> None:
        if on_worker_start is not None:
            on_worker_start()

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 5,
        "preload_app": True,
        "accesslog": None,  # the mock writes its own one-line log, without tokens
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 120,
        "graceful_timeout": 5,
        "limit_request_field_size": 16384,
        "post_worker_init": post_worker_init,
    }
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)
    _Gunicorn(app, options).run()
