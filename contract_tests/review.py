"""The review commands behind `contract-tests lint|fixtures|diff|compare`: print, then exit
0 (clean), 1 (problems found) or 2 (usage error)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from contract_tests import compare as comparing
from contract_tests.factor_calls import FactorCalls
from contract_tests.lint import lint_file
from contract_tests.spec_diff import DiffSourceError, diff_documents, load_document, render_markdown
from contract_tests.target import TOKEN_VARIABLE, LiveClient, Target
from mockserver.errors import SpecError
from mockserver.fixtures import check_fixtures, default_fixtures_dir
from mockserver.spec import default_spec_path, load_spec

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def lint(arguments: argparse.Namespace) -> int:
    spec = Path(arguments.spec) if arguments.spec else default_spec_path()
    findings = lint_file(spec)
    for finding in findings:
        print(finding.render(spec))
    errors = sum(finding.severity == "error" for finding in findings)
    print(f"{spec}: {errors} errors, {len(findings) - errors} warnings")
    return EXIT_PROBLEMS if errors else EXIT_OK


def fixtures(arguments: argparse.Namespace) -> int:
    folder = Path(arguments.fixtures) if arguments.fixtures else default_fixtures_dir()
    try:
        contract = load_spec(arguments.spec)
    except SpecError as error:
        print(f"contract-tests: the contract is broken: {error}", file=sys.stderr)
        return EXIT_USAGE
    problems = check_fixtures(folder, contract)
    for problem in problems:
        print(f"{problem.place}: {problem.reason}")
    print(f"{folder}: {len(problems)} problems" if problems else f"{folder}: every fixture keeps the contract")
    return EXIT_PROBLEMS if problems else EXIT_OK


def diff(arguments: argparse.Namespace) -> int:
    try:
        base, head = load_document(arguments.base), load_document(arguments.head)
    except DiffSourceError as error:
        print(f"contract-tests: {error}", file=sys.stderr)
        return EXIT_USAGE
    changes = diff_documents(base, head)
    print(render_markdown(changes, arguments.base, arguments.head))
    return EXIT_PROBLEMS if any(change.breaking for change in changes) else EXIT_OK


def compare(arguments: argparse.Namespace) -> int:
    from contract_tests.cli import unreachable

    token = arguments.token or os.environ.get(TOKEN_VARIABLE)
    if not token:
        print(f"contract-tests: compare needs a token (--token or ${TOKEN_VARIABLE})", file=sys.stderr)
        return EXIT_USAGE
    for url in (arguments.base_url, arguments.against):
        problem = unreachable(url)
        if problem:
            print(f"contract-tests: cannot reach {url}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    apis = ("management", "admin") if arguments.api == "all" else (arguments.api,)
    contract = load_spec()
    left = FactorCalls(_target(arguments.base_url, token, arguments.org_id, apis), contract)
    right_token = arguments.against_token or token
    right = FactorCalls(
        _target(arguments.against, right_token, arguments.against_org_id or arguments.org_id, apis), contract
    )
    differences = comparing.compare(left, right, apis)
    count = len(list(comparing.probes(left, apis)))
    print(comparing.render(differences, arguments.base_url, arguments.against, count))
    return EXIT_PROBLEMS if differences else EXIT_OK


def _target(url: str, token: str, org_id: str | None, apis: tuple[str, ...]) -> Target:
    return Target(LiveClient(url, timeout=10), url, url.rstrip("/"), token, org_id, apis=apis)
