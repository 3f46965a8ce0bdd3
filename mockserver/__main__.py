"""`mockserver` and `python -m mockserver`: serve the mock on 127.0.0.1:8080 by default;
`mockserver proxy --target URL`: the validating proxy in front of a real server (127.0.0.1:8081).

Settings come from the command line, else from `MOCKSERVER_*` environment variables, else the
defaults. A mistake (a bad spec or fixture, a busy port, a bad option) ends with exit code 2 and
one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import errno
import logging
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.errors import MockServerError
from mockserver.server.app import create_app
from mockserver.server.logs import access_log
from mockserver.server.reloader import start_reloader
from mockserver.server.serving import serve

EXIT_USAGE = 2


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="A stateful mock of ZITADEL's login-policy API, served from openapi.yaml.",
        epilog="`mockserver proxy --target URL` runs the validating proxy instead (see `mockserver proxy --help`).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--spec", help="the contract (default: $MOCKSERVER_SPEC, else the packaged openapi.yaml)")
    parser.add_argument("--fixtures", help="the fixtures folder (default: $MOCKSERVER_FIXTURES, else the packaged one)")
    parser.add_argument("--scenario", help="start every session in this scenario ($MOCKSERVER_SCENARIO)")
    parser.add_argument("--seed", type=int, help="seed for faults and dynamic answers ($MOCKSERVER_SEED)")
    parser.add_argument("--control-token", help="require X-Mock-Control-Token on /__mock/ ($MOCKSERVER_CONTROL_TOKEN)")
    parser.add_argument("--reload", action="store_true", help="reload when the spec or a fixture changes")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    parser.add_argument(
        "--state",
        help="memory (default with one worker), sqlite:///PATH (default with more: a temporary file), "
        "redis://HOST:PORT/DB ($MOCKSERVER_STATE)",
    )
    parser.add_argument("--no-validation", action="store_true", help=argparse.SUPPRESS)  # benchmark only
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def settings_from(arguments: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    """The app settings the command line gives; what it leaves out stays to `MOCKSERVER_*`."""
    given = {
        "SPEC": arguments.spec,
        "FIXTURES": arguments.fixtures,
        "SCENARIO": arguments.scenario,
        "SEED": arguments.seed,
        "STATE": arguments.state,
        "CONTROL_TOKEN": arguments.control_token,
    }
    settings = {key: value for key, value in given.items() if value is not None}
    if "STATE" not in settings and "MOCKSERVER_STATE" not in environ:
        settings["STATE"] = "memory" if arguments.workers == 1 else _temporary_sqlite()
    if arguments.no_validation:
        settings["VALIDATE"] = False
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["proxy"]:
        return proxy_main(given[1:])
    arguments = parse_arguments(given)
    logging.basicConfig(level=arguments.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our access log replaces it
    settings = settings_from(arguments, os.environ)
    busy = port_in_use(arguments.host, arguments.port)
    if busy:
        print(f"mockserver: cannot start: {busy}", file=sys.stderr)
        return EXIT_USAGE
    try:
        app = create_app(test_config=settings)
    except MockServerError as error:
        print(f"mockserver: cannot start: {error}", file=sys.stderr)
        return EXIT_USAGE
    state = str(app.config["STATE"])
    if state == "memory" and arguments.workers > 1:
        print("mockserver: --state memory keeps state per worker; use sqlite:///PATH or redis://", file=sys.stderr)
        return EXIT_USAGE
    log = logging.getLogger("mockserver")
    if arguments.host not in ("127.0.0.1", "localhost", "::1") and not app.config.get("CONTROL_TOKEN"):
        log.warning("bound to %s without --control-token: anyone who reaches it can reset its state", arguments.host)
    log.info(
        "serving %s on http://%s:%s with %d worker(s), state %s (docs: /__mock/docs/)",
        app.extensions["mockserver"].contract.file,
        arguments.host,
        arguments.port,
        arguments.workers,
        state,
    )

    def in_each_worker() -> None:  # threads do not survive the fork: started in each worker
        access_log.start()
        atexit.register(access_log.flush)
        if arguments.reload:
            start_reloader(app)

    serve(
        app,
        arguments.host,
        arguments.port,
        workers=arguments.workers,
        threads=arguments.threads,
        on_worker_start=in_each_worker,
    )
    return 0


def proxy_main(argv: Sequence[str]) -> int:
    """`mockserver proxy`: one worker (the journal and the recording live in it), threads."""
    from mockserver.proxy.command import build_proxy  # the mock itself starts without the proxy's imports
    from mockserver.proxy.command import parse_arguments as parse_proxy_arguments

    try:
        arguments = parse_proxy_arguments(argv)
    except MockServerError as error:
        print(f"mockserver proxy: {error}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=arguments.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    busy = port_in_use(arguments.host, arguments.port)
    if busy:
        print(f"mockserver proxy: cannot start: {busy}", file=sys.stderr)
        return EXIT_USAGE
    try:
        app = build_proxy(arguments)
    except MockServerError as error:
        print(f"mockserver proxy: cannot start: {error}", file=sys.stderr)
        return EXIT_USAGE
    log = logging.getLogger("mockserver.proxy")
    if arguments.insecure:
        log.warning("the target's TLS certificate is not verified (--insecure)")
    if arguments.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("bound to %s: anyone who reaches it can use the target through it", arguments.host)
    recording = f", recording to {app.recorder.file}" if app.recorder else ""
    log.info(
        "proxying http://%s:%s to %s%s%s",
        arguments.host,
        arguments.port,
        app.forwarder.target.url,
        " (strict)" if arguments.strict else "",
        recording,
    )
    serve(app, arguments.host, arguments.port, workers=1, threads=arguments.threads)
    return 0


def port_in_use(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, or None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} is in use on {host}"
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def _temporary_sqlite() -> str:
    """A SQLite file the workers share, removed when the server stops: nothing in it outlives
    the server, so it is never `fsync`ed (a checkpoint's `fsync` stalled writers on a slow disk)."""
    folder = tempfile.mkdtemp(prefix="mockserver-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return f"sqlite:///{folder}/state.sqlite3?sync=off"


if __name__ == "__main__":
    sys.exit(main())
