"""The review commands behind `contract-tests lint|fixtures|diff|compare`: print, then exit
0 (clean), 1 (problems found) or 2 (usage error)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from contract_tests.plugin.calls import Calls
from contract_tests.plugin.model import SuiteModel
from contract_tests.plugin.target import TOKEN_VARIABLE, LiveClient, Target, unreachable
from contract_tests.review import compare as comparing
from contract_tests.review.diff import Change, Side, diff_documents, load_side
from contract_tests.review.lint import lint_file
from contract_tests.review.report import FORMATS, Item, Report, render
from mockserver.contract.spec import default_spec_path, load_spec
from mockserver.errors import Place
from mockserver.fixtures.loader import check_fixtures, default_fixtures_dir, load_fixtures

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_review_commands(subcommands: Any) -> None:
    """The `lint`, `fixtures`, `diff` and `compare` subcommands and their options."""
    lint_command = subcommands.add_parser("lint", help="check the contract: validity and this API's rules")
    lint_command.add_argument("spec", nargs="*", help="the documents (default: the packaged contract)")
    fixtures_command = subcommands.add_parser("fixtures", help="check every fixture file against the contract")
    fixtures_command.add_argument("fixtures", nargs="?", help="the fixtures folder (default: the packaged one)")
    fixtures_command.add_argument("--spec", help="the contract (default: the packaged one)")
    diff_command = subcommands.add_parser("diff", help="changes between two versions of the contract, breaking or not")
    diff_command.add_argument("base", help="a file, or a git revision (REV or REV:path)")
    diff_command.add_argument("head", help="a file, or a git revision (REV or REV:path)")
    diff_command.add_argument(
        "--fail-on", choices=("breaking", "warning"), default="breaking", help="the level that makes the exit code 1"
    )
    for command, default in ((lint_command, "text"), (fixtures_command, "text"), (diff_command, "markdown")):
        command.add_argument("--format", choices=FORMATS, default=default, help=f"how to print (default: {default})")
    compare_command = subcommands.add_parser(
        "compare", help="send the same requests to two servers, report differences"
    )
    compare_command.add_argument("--base-url", required=True, help="the first server (say, the mock)")
    compare_command.add_argument("--against", required=True, help="the second server (say, a real ZITADEL)")
    compare_command.add_argument("--token", help=f"bearer token for the first; or ${TOKEN_VARIABLE}")
    compare_command.add_argument("--against-token", help="bearer token for the second (default: the same)")
    compare_command.add_argument("--org-id", help="organization for calls that take x-zitadel-orgid, on the first")
    compare_command.add_argument("--against-org-id", help="the same on the second (default: --org-id)")
    compare_command.add_argument("--api", help="only operations whose path starts with /API/")
    compare_command.add_argument("--spec", help="the contract (default: the packaged one)")
    compare_command.add_argument("--fixtures", help="the fixtures with the behaviours (default: the packaged ones)")


def run_review_command(arguments: argparse.Namespace) -> int:
    commands = {"lint": lint, "fixtures": fixtures, "diff": diff, "compare": compare}
    return commands[arguments.command](arguments)


def lint(arguments: argparse.Namespace) -> int:
    specs = [Path(spec) for spec in arguments.spec] or [default_spec_path()]
    items = []
    for spec in specs:
        for finding in lint_file(spec):
            items.append(
                Item(finding.severity, finding.rule, Place(spec, finding.pointer, finding.line), finding.message)
            )
    errors = sum(item.level == "error" for item in items)
    names = ", ".join(map(str, specs))
    print(
        render(
            Report(f"Lint: {names}", items, f"{names}: {errors} errors, {len(items) - errors} warnings"),
            arguments.format,
        )
    )
    return EXIT_PROBLEMS if errors else EXIT_OK


def fixtures(arguments: argparse.Namespace) -> int:
    folder = Path(arguments.fixtures) if arguments.fixtures else default_fixtures_dir()
    contract = load_spec(arguments.spec)
    problems = check_fixtures(folder, contract)
    items = [Item("error", "fixtures", problem.place, problem.reason) for problem in problems]
    summary = f"{folder}: {len(problems)} problems" if problems else f"{folder}: every fixture keeps the contract"
    print(render(Report(f"Fixtures: {folder}", items, summary), arguments.format))
    return EXIT_PROBLEMS if problems else EXIT_OK


def diff(arguments: argparse.Namespace) -> int:
    base, head = load_side(arguments.base), load_side(arguments.head)
    changes = diff_documents(base.document, head.document)
    items = [_diff_item(change, base, head) for change in changes]
    title = f"Contract changes: `{arguments.base}` → `{arguments.head}`"
    print(render(Report(title, items, _diff_summary(changes)), arguments.format))
    failing = ("breaking",) if arguments.fail_on == "breaking" else ("breaking", "warning")
    return EXIT_PROBLEMS if any(change.level in failing for change in changes) else EXIT_OK


def _diff_item(change: Change, base: Side, head: Side) -> Item:
    side = head if change.side == "head" else base
    place = side.source.place(change.pointer)
    message = f"{change.where}: {change.message}" if change.where else change.message
    return Item(
        change.level, change.rule, Place(Path(side.name), change.pointer, place.line), message, change.operation
    )


def _diff_summary(changes: list[Change]) -> str:
    if not changes:
        return "No changes to operations, security, parameters, bodies or responses."
    counts = {level: sum(change.level == level for change in changes) for level in ("breaking", "warning", "info")}
    return f"**{counts['breaking']} breaking**, {counts['warning']} warnings, {counts['info']} info."


def compare(arguments: argparse.Namespace) -> int:
    token = arguments.token or os.environ.get(TOKEN_VARIABLE)
    if not token:
        print(f"contract-tests: compare needs a token (--token or ${TOKEN_VARIABLE})", file=sys.stderr)
        return EXIT_USAGE
    for url in (arguments.base_url, arguments.against):
        problem = unreachable(url)
        if problem:
            print(f"contract-tests: cannot reach {url}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    contract = load_spec(arguments.spec)
    folder = Path(arguments.fixtures) if arguments.fixtures else default_fixtures_dir()
    model = SuiteModel(contract, load_fixtures(folder, contract).behaviours)
    left = Calls(_target(arguments.base_url, token, arguments.org_id), model)
    right_org = arguments.against_org_id or arguments.org_id
    right = Calls(_target(arguments.against, arguments.against_token or token, right_org), model)
    probes = list(comparing.probes(model, arguments.api))
    differences = comparing.compare(left, right, probes)
    print(comparing.render(differences, arguments.base_url, arguments.against, len(probes)))
    return EXIT_PROBLEMS if differences else EXIT_OK


def _target(url: str, token: str, org_id: str | None) -> Target:
    return Target(LiveClient(url, timeout=10), url, url.rstrip("/"), token, org_id)
