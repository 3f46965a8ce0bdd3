"""The contract suite fails every deliberately broken server, by the check meant for its bug,
and passes the mock. Each run is a separate pytest process over the in-process broken server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
    ("custom_policy_inherits_the_default", "test_a_create_holds_exactly_the_request", "nothing inherited"),
    ("update_merges", "test_a_replace_sets_every_field_it_carries", "resets what it leaves out"),
    ("v2_writes_totp", "test_reads_of_the_same_object_agree", "settings.secondFactors"),
    ("connect_numeric_codes", "conformance", "is not a Connect error body"),
]


def run_suite(
    app: str, selection: str, *options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The suite as `contract-tests run --app APP -k SELECTION` runs it, in its own process."""
    arguments = parser().parse_args(["run", "--app", app, "--max-examples", "15", "-k", selection, *options])
    command = [sys.executable, "-m", "pytest", *pytest_arguments(arguments), "-q"]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize(("server", "selection", "expected"), CASES, ids=[f"{case[0]}-{case[1]}" for case in CASES])
def test_suite_catches_the_broken_server(server: str, selection: str, expected: str) -> None:
    result = run_suite(f"tests.broken_servers:{server}", selection)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert expected in result.stdout, result.stdout[-5000:]


def test_suite_passes_the_mock_through_the_same_door() -> None:
    result = run_suite("mockserver.server.app:create_app", "conformance or second_add_conflicts or test_sequences")
    assert result.returncode == 0, result.stdout[-5000:]


def test_the_v2_schema_refuses_the_totp_alias() -> None:
    """Only the v2 operations, fuzzed: their answers' schema knows no `SECOND_FACTOR_TYPE_TOTP`."""
    result = run_suite("tests.broken_servers:v2_writes_totp", "conformance", "--api", "v2")
    assert result.returncode == 1 and "SECOND_FACTOR_TYPE_TOTP" in result.stdout, result.stdout[-5000:]


# Authorization: several identities, among them an editor of the operator's own role that may
# change the policy (`policy.write`) but not reset it (`policy.delete`).
EDITOR_ROLE = "  POLICY_EDITOR: [policy.read, policy.write]\n"
EDITOR_USER = (
    "  - token: policy-editor\n    id: '252000000000000009'\n    organization: '251000000000000001'\n"
    "    memberships:\n      - {scope: '251000000000000001', roles: [POLICY_EDITOR]}\n"
)
IDENTITY_CASES = [
    ("reset_with_policy_write", "ResetLoginPolicyToDefault-policy-editor", "403 No matching permissions found"),
    ("viewer_may_change", "AddSecondFactorToLoginPolicy-acme-viewer", "403 No matching permissions found"),
    ("forbidden_instead_of_not_found", "outsider", "404 membership not found (AUTHZ-cdgFk): outsider"),
    ("org_header_ignored_for_authorization", "acme-owner-in-251000000000000002", "404 membership not found"),
]


@pytest.fixture(scope="module")
def with_an_editor(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Fixtures with the editor's role and user, and the identities file that names all six."""
    folder = tmp_path_factory.mktemp("editor")
    fixtures = folder / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    world = (fixtures / "world.yaml").read_text(encoding="utf-8")
    world = world.replace("rolePermissions:\n", "rolePermissions:\n" + EDITOR_ROLE).replace(
        "users:\n", "users:\n" + EDITOR_USER, 1
    )
    (fixtures / "world.yaml").write_text(world, encoding="utf-8")
    identities = folder / "identities.yaml"
    demo = (REPO_ROOT / "examples" / "identities.yaml").read_text(encoding="utf-8")
    editor = "  - {name: policy-editor, token: policy-editor, org: '251000000000000001', roles: [POLICY_EDITOR]}\n"
    identities.write_text(demo + editor, encoding="utf-8")
    return fixtures, identities


def run_with_identities(app: str, fixtures: Path, identities: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOCKSERVER_FIXTURES": str(fixtures)}
    options = ("--fixtures", str(fixtures), "--identities", str(identities))
    return run_suite(app, "test_each_identity_gets_what_its_roles_allow", *options, env=env)


def test_the_authorization_matrix_passes_the_mock(with_an_editor: tuple[Path, Path]) -> None:
    result = run_with_identities("mockserver.server.app:create_app", *with_an_editor)
    assert result.returncode == 0, result.stdout[-5000:]
    assert "ResetLoginPolicyToDefault-policy-editor" not in result.stdout  # passed, so not listed


@pytest.mark.parametrize(("server", "failing", "expected"), IDENTITY_CASES, ids=[case[0] for case in IDENTITY_CASES])
def test_the_authorization_matrix_catches_the_broken_server(
    with_an_editor: tuple[Path, Path], server: str, failing: str, expected: str
) -> None:
    result = run_with_identities(f"tests.broken_servers:{server}", *with_an_editor)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert failing in result.stdout and expected in result.stdout, result.stdout[-5000:]


# The order of checks: servers that run ZITADEL's checks in another order. The suite's own demo
# identities (examples/identities.yaml) give it users without memberships and without permissions.
DEMO_IDENTITIES = str(REPO_ROOT / "examples" / "identities.yaml")
ORDER_CASES = [
    (
        "validates_before_authenticating",
        "AddSecondFactorToLoginPolicy-authentication-AuthHeaderMissing-before-validation-AddSecondFactorUnspecified",
        "expected: 401 {'code': 16, 'message': 'auth header missing'}",
    ),
    (
        "organization_before_authentication",
        "ListLoginPolicySecondFactors-authentication-InvalidToken-before-organization-OrganisationNotFound",
        "expected: 401 {'code': 16, 'message': 'Errors.Token.Invalid (AUTH-7fs1e)'",
    ),
    (
        "membership_before_organization",
        "ListLoginPolicySecondFactors-organization-OrganisationNotFound-before-membership",
        "expected: 403 {'code': 7, 'message': \"Organisation doesn't exist (AUTH-Bs7Ds)\"",
    ),
]


def test_the_order_of_checks_passes_the_mock() -> None:
    result = run_suite("mockserver.server.app:create_app", "test_order", "--identities", DEMO_IDENTITIES)
    assert result.returncode == 0, result.stdout[-5000:]
    assert " passed" in result.stdout, result.stdout[-5000:]


@pytest.mark.parametrize(("server", "failing", "expected"), ORDER_CASES, ids=[case[0] for case in ORDER_CASES])
def test_the_order_of_checks_catches_the_broken_server(server: str, failing: str, expected: str) -> None:
    result = run_suite(f"tests.broken_servers:{server}", "test_order", "--identities", DEMO_IDENTITIES)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert failing in result.stdout and expected in result.stdout, result.stdout[-5000:]
