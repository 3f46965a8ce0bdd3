"""`contract-tests compare` and `contract-tests fixtures`."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.cli import main
from contract_tests.plugin.calls import Calls
from contract_tests.plugin.model import SuiteModel
from contract_tests.plugin.target import Target, WsgiClient, load_app
from contract_tests.review.compare import compare, probes, shape
from mockserver import load_spec
from mockserver.fixtures.loader import load_fixtures
from tests.conftest import REPO_ROOT
from tests.processes import free_port, running

MOCK = "mockserver.server.app:create_app"


@pytest.fixture(scope="module")
def model() -> SuiteModel:
    contract = load_spec(REPO_ROOT / "openapi.yaml")
    return SuiteModel(contract, load_fixtures(REPO_ROOT / "fixtures", contract).behaviours)


def calls_for(app_path: str, model: SuiteModel) -> Calls:
    target = Target(WsgiClient(load_app(app_path)), app_path, "http://localhost", "iam-owner", "251000000000000001")
    return Calls(target, model)


def test_the_mock_compares_equal_to_itself(model: SuiteModel) -> None:
    planned = list(probes(model, None))
    assert compare(calls_for(MOCK, model), calls_for(MOCK, model), planned) == []
    assert len(planned) > 50


@pytest.mark.parametrize(
    ("server", "probe", "what"),
    [
        (
            "problem_json_errors",
            "AdminService_ListLoginPolicySecondFactors AuthHeaderMissing #0",
            "header content-type",
        ),
        ("wrong_method_is_404", "ManagementService_ListLoginPolicySecondFactors GET not allowed", "status"),
        ("total_as_number", "AdminService_ListLoginPolicySecondFactors plain", "body"),
        ("no_www_authenticate", "AdminService_ListLoginPolicySecondFactors InvalidToken #0", "header www-authenticate"),
    ],
)
def test_differences_are_reported(model: SuiteModel, server: str, probe: str, what: str) -> None:
    differences = compare(
        calls_for(MOCK, model), calls_for(f"tests.broken_servers:{server}", model), list(probes(model, None))
    )
    assert any(d.probe == probe and d.what == what for d in differences), differences


def test_shape_ignores_volatile_values_and_keeps_codes() -> None:
    one = {"details": {"sequence": "5", "viewTimestamp": "2026-01-01T00:00:00Z"}, "code": 5, "message": "x"}
    two = {"details": {"sequence": "9", "viewTimestamp": "2027-01-01T00:00:00Z"}, "code": 5, "message": "x"}
    assert shape(one) == shape(two)
    assert shape({"code": 5}) != shape({"code": 7})


@pytest.fixture(scope="module")
def two_mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("compare")
    ports = free_port(), free_port()
    command = [sys.executable, "-m", "mockserver", "--port"]
    with (
        running([*command, str(ports[0])], ports[0], folder / "a.log"),
        running([*command, str(ports[1])], ports[1], folder / "b.log"),
    ):
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"


def test_compare_command_on_two_live_servers(two_mocks: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = two_mocks
    arguments = [
        "compare",
        "--base-url",
        first,
        "--against",
        second,
        "--token",
        "iam-owner",
        "--org-id",
        "251000000000000001",
    ]
    assert main(arguments) == 0
    assert "answered all" in capsys.readouterr().out
    assert main(["compare", "--base-url", first, "--against", f"http://127.0.0.1:{free_port()}", "--token", "t"]) == 2


def test_fixtures_command_passes_the_shipped_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fixtures", str(REPO_ROOT / "fixtures")]) == 0
    assert "every fixture keeps the contract" in capsys.readouterr().out


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_one_fixtures_run_reports_six_planted_mistakes_in_four_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken world.yaml hides nothing, a broken part of a file hides nothing else in it, and the
    checks a schema cannot make (ranges, matchers, examples) are made."""
    folder = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", folder)
    edit(folder / "world.yaml", "roles: [ORG_OWNER]", "roles: [org-owner]")  # the file's format
    edit(folder / "world.yaml", "organization: '251000000000000002'", "organization: '9'")  # no such org
    edit(folder / "behaviours.yaml", "conflict: OrgSecondFactorAlreadyExists", "conflict: OrgMultiFactorAlreadyExists")
    edit(folder / "scenarios" / "slow-network.yaml", "[300, 1200]", "[1200, 300]")
    edit(folder / "scenarios" / "flaky.yaml", "errorRate: 0.25", "errorRate: 0.25\n  delay: -5")
    with (folder / "scenarios" / "flaky.yaml").open("a", encoding="utf-8") as flaky:
        flaky.write(
            "responses:\n  - operationId: ManagementService_ListLoginPolicySecondFactors\n"
            "    request: {headers: {x-zitadel-orgid: '999'}}\n"
            "    response: {status: 500, body: {code: 13, message: boom}}\n"
        )
    assert main(["fixtures", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{folder}: 6 problems", lines
    expected = [
        ("behaviours.yaml:", "/steps/0/add_to_set/conflict", "documents no example 'OrgMultiFactorAlreadyExists'"),
        ("flaky.yaml:4 at /faults/delay:", "", "delay must be 0 or more"),
        ("flaky.yaml:", "/responses/0/request/headers/x-zitadel-orgid", "'999' is not in the world"),
        ("slow-network.yaml:3 at /faults/delay:", "", "runs backwards"),
        ("world.yaml:", "/users/1/memberships/0/roles/0", "'org-owner' does not match"),
        ("world.yaml:", "/users/4/organization", "organization '9' is not in the world"),
    ]
    for line, (place, pointer, reason) in zip(lines, expected, strict=False):
        assert place in line and pointer in line and reason in line, (line, place, pointer, reason)
    files = [line.split(":", 1)[0] for line in lines[:-1]]
    assert files == sorted(files)


def test_fixtures_command_reports_every_broken_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", folder)
    (folder / "scenarios" / "bad-one.yaml").write_text("description: x\nfaults: {errorRate: 3}\n", encoding="utf-8")
    (folder / "scenarios" / "bad-two.yaml").write_text(
        "description: x\nresponses:\n  - operationId: AdminService_ListLoginPolicySecondFactors\n"
        "    response: {status: 200, body: {result: []}}\n",
        encoding="utf-8",
    )
    assert main(["fixtures", str(folder)]) == 1
    output = capsys.readouterr().out
    assert "bad-one.yaml:2 at /faults/errorRate" in output
    assert "bad-two.yaml:4 at /responses/0/response/body" in output
    assert "problems" in output
