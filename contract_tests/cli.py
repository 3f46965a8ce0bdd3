"""`contract-tests`: run the contract suite against a server, and review the contract.

`run` only builds pytest's arguments (the same suite `pytest contract_tests --base-url` runs) and
turns pytest's exit code into ours: 0 the target keeps the contract, 1 it breaks it, 2 usage error
or unreachable target. The token goes to the suite through the environment, never the command
line. `lint`, `fixtures`, `diff` and `compare` review the contract: 0 clean, 1 problems, 2 usage
error. No command prints a traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from contract_tests.plugin.options import RUN_OPTIONS
from contract_tests.plugin.target import TOKEN_VARIABLE, unreachable
from contract_tests.review import commands
from mockserver.errors import MockServerError

SUITE = Path(__file__).resolve().parent / "suite"
EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="contract-tests", description=__doc__.splitlines()[0])
    subcommands = root.add_subparsers(dest="command", required=True)
    run_command = subcommands.add_parser("run", help="test a server against the contract")
    for name, settings in RUN_OPTIONS:
        aliases = ("--fixtures",) if name == "--fixtures-dir" else ()
        run_command.add_argument(name, *aliases, **settings)
    run_command.add_argument("--junit-xml", help="write a JUnit XML report here")
    run_command.add_argument("-k", dest="keyword", help="only tests matching this pytest expression")
    commands.add_review_commands(subcommands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = parser().parse_args(argv)
    except SystemExit as stop:
        return EXIT_OK if stop.code == 0 else EXIT_USAGE
    try:
        if arguments.command == "run":
            return run(arguments)
        return commands.run_review_command(arguments)
    except MockServerError as error:
        print(f"contract-tests: {error}", file=sys.stderr)
        return EXIT_USAGE


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
    """The pytest command line for these options (no token in it). The suite's settings are all
    here: no ini file is read (`-c` names an empty one), wherever the suite is installed."""
    args = [str(SUITE), "-c", os.devnull, "--rootdir", str(SUITE), "-p", "no:cacheprovider", "--strict-markers"]
    args += ["--max-examples", str(arguments.max_examples), "--seed", str(arguments.seed), "-rfE", "--tb=short"]
    for option in ("base_url", "org_id", "fallback_org_id", "app", "spec", "fixtures_dir", "api", "identities"):
        value = getattr(arguments, option)
        if value:
            args += [f"--{option.replace('_', '-')}", value]
    if arguments.read_only:
        args.append("--read-only")
    if arguments.junit_xml:
        args.append(f"--junitxml={arguments.junit_xml}")
    if arguments.keyword:
        args += ["-k", arguments.keyword]
    return args
