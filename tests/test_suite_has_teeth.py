"""The contract suite fails every deliberately broken server, by the check meant for its bug,
and passes the mock. Each run is a separate pytest process over the in-process broken server."""

from __future__ import annotations

import subprocess
import sys

import pytest

from contract_tests.cli import SUITE
from tests.conftest import REPO_ROOT

# (broken server, tests to run, text the failure must contain: the check or test meant for it)
CASES = [
    ("total_as_number", "conformance", "Response violates schema"),
    ("proto_field_names", "conformance", "Response violates schema"),
    ("empty_list_as_array", "test_empty_list_has_no_result_and_no_total", "no result, no totalResult"),
    ("timestamps_with_offset", "conformance", "Response violates schema"),
    ("total_counts_everything", "conformance", "zitadel_list_is_consistent"),
    ("problem_json_errors", "conformance", "zitadel_error_body"),
    ("no_www_authenticate", "conformance", "Missing required response headers"),
    ("owner_is_instance", "conformance", "zitadel_change_names_its_owner"),
    ("conflict_as_400", "test_second_add_is_409", "409 with gRPC code 6"),
    ("wrong_method_is_404", "conformance", "zitadel_method_not_allowed"),
    ("remove_absent_is_200", "test_removing_an_absent_factor_is_404", "404 with gRPC code 5"),
    ("accept_any_token", "conformance", "API accepts requests without authentication"),
    ("ignore_org_header", "test_unknown_organization_is_refused", "403 with gRPC code 7"),
    ("list_reads_body", "test_list_ignores_its_body", "list bodies are never read"),
    ("accept_unspecified", "test_unspecified_or_unknown_types_are_400", "400 with gRPC code 3"),
    ("names_only", "conformance", "Schema-valid request rejected"),
    ("stateless", "test_add_then_list_shows_the_factor", "the list to end with"),
    ("sequence_constant", "test_sequences_only_grow", "the remove's sequence above the add's"),
    ("crash_on_non_ascii", "conformance", "Server error"),
]


def run_suite(app: str, selection: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "pytest", str(SUITE), "-p", "contract_tests.plugin", "-c", str(SUITE / "suite.ini"),
        "--rootdir", str(SUITE), "-p", "no:cacheprovider", "--app", app, "--max-examples", "15", "-k", selection,
        "--tb=short", "-q",
    ]  # fmt: skip
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("server", "selection", "expected"), CASES, ids=[case[0] for case in CASES])
def test_suite_catches_the_broken_server(server: str, selection: str, expected: str) -> None:
    result = run_suite(f"tests.broken_servers:{server}", selection)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert expected in result.stdout, result.stdout[-5000:]


def test_suite_passes_the_mock_through_the_same_door() -> None:
    result = run_suite("mockserver.app:create_app", "conformance or test_second_add_is_409 or test_sequences")
    assert result.returncode == 0, result.stdout[-5000:]
