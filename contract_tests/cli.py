"""`contract-tests`: run the contract suite against a server, and review the contract.

`run` only builds pytest's arguments (the same suite `pytest --base-url` runs) and turns pytest's
exit code into ours: 0 the target keeps the contract, 1 it breaks it, 2 usage error or
unreachable target. The token goes to the suite through the environment, never the command line.
`lint`, `fixtures`, `diff` and `compare` review the contract: 0 clean, 1 problems, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import requests

from contract_tests.options import RUN_OPTIONS
from contract_tests.target import TOKEN_VARIABLE

SUITE = Path(__file__).resolve().parent
EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="contract-tests", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="test a server against openapi.yaml")
    for name, settings in RUN_OPTIONS:
        run.add_argument(name, **settings)
    run.add_argument("--junit-xml", help="write a JUnit XML report here")
    run.add_argument("-k", dest="keyword", help="only tests matching this pytest expression")
    lint = commands.add_parser("lint", help="check openapi.yaml: validity and this API's rules")
    lint.add_argument("spec", nargs="?", help="the document (default: the packaged contract)")
    fixtures = commands.add_parser("fixtures", help="check every fixture and scenario against the contract")
    fixtures.add_argument("fixtures", nargs="?", help="the fixtures folder (default: the packaged one)")
    fixtures.add_argument("--spec", help="the contract (default: the packaged one)")
    diff = commands.add_parser("diff", help="changes between two versions of the contract, breaking or not")
    diff.add_argument("base", help="a file, or a git revision (REV or REV:path)")
    diff.add_argument("head", help="a file, or a git revision (REV or REV:path)")
    compare = commands.add_parser("compare", help="send the same requests to two servers, report differences")
    compare.add_argument("--base-url", required=True, help="the first server (say, the mock)")
    compare.add_argument("--against", required=True, help="the second server (say, a real ZITADEL)")
    compare.add_argument("--token", help=f"bearer token for the first; or ${TOKEN_VARIABLE}")
    compare.add_argument("--against-token", help="bearer token for the second (default: the same)")
    compare.add_argument("--org-id", help="organization for Management calls on the first")
    compare.add_argument("--against-org-id", help="organization for Management calls on the second")
    compare.add_argument("--api", choices=["management", "admin", "all"], default="all")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = parser().parse_args(argv)
    except SystemExit as stop:
        return EXIT_OK if stop.code == 0 else EXIT_USAGE
    from contract_tests import review

    commands = {
        "run": run,
        "lint": review.lint,
        "fixtures": review.fixtures,
        "diff": review.diff,
        "compare": review.compare,
    }
    return commands[arguments.command](arguments)


def run(arguments: argparse.Namespace) -> int:
    token = arguments.token or os.environ.get(TOKEN_VARIABLE)
    if arguments.base_url:
        if not token:
            print(f"contract-tests: --base-url needs a token (--token or ${TOKEN_VARIABLE})", file=sys.stderr)
            return EXIT_USAGE
        problem = unreachable(arguments.base_url)
        if problem:
            print(f"contract-tests: cannot reach {arguments.base_url}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if token:
        os.environ[TOKEN_VARIABLE] = token
    code = pytest.main(pytest_arguments(arguments))
    if code == pytest.ExitCode.OK:
        return EXIT_OK
    return EXIT_BROKEN if code == pytest.ExitCode.TESTS_FAILED else EXIT_USAGE


def pytest_arguments(arguments: argparse.Namespace) -> list[str]:
    """The pytest command line for these options (no token in it)."""
    args = [str(SUITE), "-p", "contract_tests.plugin", "-c", str(SUITE / "suite.ini"), "--rootdir", str(SUITE)]
    args += ["-p", "no:cacheprovider", "--max-examples", str(arguments.max_examples), "--seed", str(arguments.seed)]
    args += ["--api", arguments.api, "-rfE", "--tb=short"]
    for option, value in (("--base-url", arguments.base_url), ("--org-id", arguments.org_id), ("--app", arguments.app)):
        if value:
            args += [option, value]
    if arguments.read_only:
        args.append("--read-only")
    if arguments.junit_xml:
        args.append(f"--junitxml={arguments.junit_xml}")
    if arguments.keyword:
        args += ["-k", arguments.keyword]
    return args


def unreachable(base_url: str) -> str | None:
    """Why nothing answers at `base_url` (any HTTP answer will do), or None."""
    try:
        requests.get(base_url, timeout=10)
    except requests.RequestException as error:
        return type(error).__name__
    return None
