"""`mockserver` and `python -m mockserver`: serve the mock on 127.0.0.1:8080 by default."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from werkzeug.serving import run_simple

from mockserver.app import create_app
from mockserver.errors import MockServerError
from mockserver.reloader import start_reloader


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
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=arguments.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our access log replaces it
    config = {"SCENARIO": arguments.scenario, "SEED": arguments.seed}
    if arguments.control_token:
        config["CONTROL_TOKEN"] = arguments.control_token
    try:
        app = create_app(arguments.spec, arguments.fixtures, test_config=config)
    except (MockServerError, ValueError) as error:
        print(f"mockserver: cannot start: {error}", file=sys.stderr)
        return 2
    if arguments.host not in ("127.0.0.1", "localhost", "::1") and not arguments.control_token:
        logging.getLogger("mockserver").warning(
            "bound to %s without --control-token: anyone who reaches it can reset its state",
            arguments.host,
        )
    if arguments.reload:
        start_reloader(app)
    logging.getLogger("mockserver").info(
        "serving %s on http://%s:%s (docs: /__mock/docs/)",
        app.extensions["mockserver"].contract.file,
        arguments.host,
        arguments.port,
    )
    run_simple(arguments.host, arguments.port, app, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
