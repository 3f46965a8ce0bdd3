"""`mockserver` and `python -m mockserver`: serve the mock on 127.0.0.1:8080 by default."""

from __future__ import annotations

import argparse
import atexit
import logging
import shutil
import sys
import tempfile
from collections.abc import Sequence

from mockserver.app import create_app
from mockserver.errors import MockServerError
from mockserver.reloader import start_reloader
from mockserver.serving import serve


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="A stateful mock of ZITADEL's login-policy MFA API, served from openapi.yaml.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--spec", help="the contract (default: the packaged openapi.yaml)")
    parser.add_argument("--fixtures", help="the fixtures folder (default: the packaged fixtures/)")
    parser.add_argument("--scenario", help="start every session in this scenario")
    parser.add_argument("--seed", type=int, help="seed for faults and dynamic answers")
    parser.add_argument("--control-token", help="require X-Mock-Control-Token on /__mock/")
    parser.add_argument("--reload", action="store_true", help="reload when the spec or a fixture changes")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    parser.add_argument(
        "--state",
        help="memory (default with one worker), sqlite:///PATH (default with more: a temporary file), redis://HOST:PORT/DB",
    )
    parser.add_argument("--no-validation", action="store_true", help=argparse.SUPPRESS)  # benchmark only
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=arguments.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our access log replaces it
    state = arguments.state or ("memory" if arguments.workers == 1 else _temporary_sqlite())
    if state == "memory" and arguments.workers > 1:
        print("mockserver: --state memory keeps state per worker; use sqlite:///PATH or redis://", file=sys.stderr)
        return 2
    config = {"SCENARIO": arguments.scenario, "SEED": arguments.seed, "STATE": state}
    if arguments.no_validation:
        config["VALIDATE"] = False
    if arguments.control_token:
        config["CONTROL_TOKEN"] = arguments.control_token
    try:
        app = create_app(arguments.spec, arguments.fixtures, test_config=config)
    except (MockServerError, ValueError, RuntimeError) as error:
        print(f"mockserver: cannot start: {error}", file=sys.stderr)
        return 2
    if arguments.host not in ("127.0.0.1", "localhost", "::1") and not arguments.control_token:
        logging.getLogger("mockserver").warning(
            "bound to %s without --control-token: anyone who reaches it can reset its state",
            arguments.host,
        )
    logging.getLogger("mockserver").info(
        "serving %s on http://%s:%s with %d worker(s), state %s (docs: /__mock/docs/)",
        app.extensions["mockserver"].contract.file,
        arguments.host,
        arguments.port,
        arguments.workers,
        state,
    )

    def watch_files() -> None:  # in each worker: threads do not survive the fork
        start_reloader(app)

    reload = watch_files if arguments.reload else None
    serve(
        app,
        arguments.host,
        arguments.port,
        workers=arguments.workers,
        threads=arguments.threads,
        on_worker_start=reload,
    )
    return 0


def _temporary_sqlite() -> str:
    """A SQLite file the workers share, removed when the server stops."""
    folder = tempfile.mkdtemp(prefix="mockserver-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return f"sqlite:///{folder}/state.sqlite3"


if __name__ == "__main__":
    sys.exit(main())
