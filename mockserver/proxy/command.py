"""`mockserver proxy`: its options, and the proxy they describe.

The command line itself (the port check, serving) is `mockserver/__main__.py`'s; a mistake in
the options raises ProxyError, which it prints as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from mockserver.contract.spec import load_spec
from mockserver.errors import ProxyError
from mockserver.fixtures.loader import default_fixtures_dir
from mockserver.proxy.app import ProxyApp, ProxySettings
from mockserver.proxy.forwarding import Forwarder, Target
from mockserver.proxy.inspection import Inspector
from mockserver.proxy.recording import Recorder

DEFAULT_PORT = 8081
DEFAULT_SCENARIO = "recorded"


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is a ProxyError (one line), not usage text and SystemExit."""

    def error(self, message: str) -> NoReturn:
        raise ProxyError(message)


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(
        prog="mockserver proxy",
        description="Forward every request to a real server, judge requests and answers against the contract.",
    )
    parser.add_argument("--target", required=True, help="the server to forward to, e.g. https://my.zitadel.cloud")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--spec", help="the contract (default: $MOCKSERVER_SPEC, else the packaged openapi.yaml)")
    parser.add_argument("--fixtures", help="fixtures whose world and behaviours a new record folder starts from")
    parser.add_argument(
        "--strict", action="store_true", help="answer 502 instead of an answer that breaks the contract"
    )
    parser.add_argument("--record", metavar="DIR", help="write what is seen as a scenario of the fixtures folder DIR")
    parser.add_argument(
        "--record-name", default=DEFAULT_SCENARIO, help=f"the scenario's name (default {DEFAULT_SCENARIO})"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the target (default 30)")
    parser.add_argument("--ca-file", help="PEM certificates to verify the target with (default: the system's)")
    parser.add_argument("--insecure", action="store_true", help="do not verify the target's TLS certificate")
    parser.add_argument("--threads", type=int, default=8, help="threads (default 8)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def build_proxy(arguments: argparse.Namespace) -> ProxyApp:
    """The proxy the options describe: the contract loaded, the record folder ready."""
    target = Target.parse(arguments.target)
    if arguments.timeout <= 0 or arguments.threads < 1:
        raise ProxyError("--timeout must be above 0 and --threads at least 1")
    if arguments.ca_file:
        try:
            ssl.create_default_context(cafile=arguments.ca_file)
        except (OSError, ssl.SSLError) as error:
            raise ProxyError(f"--ca-file {arguments.ca_file}: {getattr(error, 'strerror', None) or error}") from None
    contract = load_spec(arguments.spec)
    recorder = None
    if arguments.record:
        fixtures = Path(arguments.fixtures) if arguments.fixtures else default_fixtures_dir()
        recorder = Recorder(Path(arguments.record), arguments.record_name, contract, fixtures, target.url)
        recorder.prepare()
    forwarder = Forwarder(
        target,
        timeout=arguments.timeout,
        verify=not arguments.insecure,
        ca_file=arguments.ca_file,
        connections=arguments.threads,
    )
    return ProxyApp(Inspector(contract), forwarder, ProxySettings(strict=arguments.strict), recorder=recorder)
