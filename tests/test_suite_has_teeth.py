"""The contract suite fails every deliberately broken server, by the check meant for its bug,
and passes the mock. Each run is a separate pytest process over the in-process broken server."""

from __future__ import annotations

import subprocess
import sys

import pytest

from contract_tests.cli import parser, pytest_arguments
from tests.conftest import REPO_ROOT

# (broken server, tests to run, text the failure must contain: the check or test meant for it)
CASES = [
    ("total_as_number", "conformance", "Response violates schema"),
    ("proto_field_names", "conformance", "Response violates schema"),
    ("empty_list_as_array", "test_an_empty_set_is_left_out_of_the_answer", "an empty set must be left out"),
    ("timestamps_with_offset", "conformance", "Response violates schema"),
    ("total_counts_everything", "conformance", "zitadel_list_is_consistent"),
    ("problem_json_errors", "conformance", "zitadel_error_body"),
    ("no_www_authenticate", "conformance", "Missing required response headers"),
    ("owner_is_instance", "conformance", "zitadel_change_names_its_owner"),
    ("conflict_as_400", "second_add_conflicts", "expected: 409 "),
    ("wrong_method_is_404", "conformance", "zitadel_method_not_allowed"),
    ("remove_absent_is_200", "second_remove_is_not_found", "expected: 404 "),
    ("valid_calls_404", "conformance", "Schema-valid request rejected"),
    ("accept_any_token", "conformance", "API accepts requests without authentication"),
    ("ignore_org_header", "OrganisationNotFound", "expected: 403 "),
    ("list_reads_body", "body_the_gateway_ignores", "the body is never read"),
    ("accept_unspecified", "Unspecified", "expected: 400 "),
    ("names_only", "conformance", "Schema-valid request rejected"),
    ("stateless", "second_add_conflicts", "shows"),
    ("sequence_constant", "test_sequences_only_grow", "the remove's sequence above the add's"),
    ("crash_on_non_ascii", "conformance", "Server error"),
]


def run_suite(app: str, selection: str) -> subprocess.CompletedProcess[str]:
    """The suite as `contract-tests run --app APP -k SELECTION` runs it, in its own process."""
    arguments = parser().parse_args(["run", "--app", app, "--max-examples", "15", "-k", selection])
    command = [sys.executable, "-m", "pytest", *pytest_arguments(arguments), "-q"]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("server", "selection", "expected"), CASES, ids=[case[0] for case in CASES])
def test_suite_catches_the_broken_server(server: str, selection: str, expected: str) -> None:
    result = run_suite(f"tests.broken_servers:{server}", selection)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert expected in result.stdout, result.stdout[-5000:]


def test_suite_passes_the_mock_through_the_same_door() -> None:
    result = run_suite("mockserver.server.app:create_app", "conformance or second_add_conflicts or test_sequences")
    assert result.returncode == 0, result.stdout[-5000:]
