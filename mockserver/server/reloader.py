"""Reload the mock when the contract or a fixture changes (opt-in), without a restart.

A background thread polls the files' modification times. A change builds a new service; if the
new files are broken, the error is logged with its place and the running mock keeps serving.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask

from mockserver.errors import MockServerError
from mockserver.server.app import build_service, watched_files

log = logging.getLogger("mockserver.reload")


def _stamps(files: list[Path]) -> dict[Path, float]:
    stamps = {}
    for file in files:
        try:
            stamps[file] = file.stat().st_mtime
        except OSError:
            stamps[file] = -1.0
    return stamps


def reload_once(app: Flask, seen: dict[Path, float]) -> dict[Path, float]:
    """Rebuild the service if a watched file changed; return the stamps now seen."""
    folders = {file.parent for file in seen} | {file.parent.parent for file in seen}
    scenario_files = {f for folder in folders for f in folder.glob("scenarios/*.yaml")}
    current = _stamps(sorted(set(seen) | scenario_files))
    if current == seen:
        return seen
    old = app.extensions["mockserver"]
    try:
        app.extensions["mockserver"] = build_service(app.config, journal=old.journal)
    except MockServerError as error:
        log.error("not reloaded, the mock keeps its previous files: %s", error)
        return current
    log.warning("reloaded: the contract or a fixture changed; every session starts over")
    return _stamps(watched_files(app))


def start_reloader(app: Flask, interval: float = 1.0) -> threading.Event:
    """Watch in a daemon thread until the returned event is set."""
    stop = threading.Event()
    seen = _stamps(watched_files(app))

    def watch() -> None:
        nonlocal seen
        while not stop.wait(interval):
            seen = reload_once(app, seen)

    threading.Thread(target=watch, name="mockserver-reload", daemon=True).start()
    return stop
