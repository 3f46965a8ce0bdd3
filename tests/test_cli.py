"""`contract-tests run`: exit codes, token handling, reports, read-only."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.cli import main, parser, pytest_arguments
from tests.conftest import REPO_ROOT
from tests.processes import free_port, running

QUICK = ["--max-examples", "5", "-k", "AuthHeaderMissing or second_add_conflicts"]


def run_cli(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "contract_tests", "run", *arguments]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def live_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("cli") / "mock.log"
    with running([sys.executable, "-m", "mockserver", "--port", str(port)], port, log):
        yield f"http://127.0.0.1:{port}"


def test_unreachable_target_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--base-url", f"http://127.0.0.1:{free_port()}", "--token", "t"]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_base_url_without_token_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--base-url", "http://127.0.0.1:1"]) == 2
    assert "needs a token" in capsys.readouterr().err


def test_bad_arguments_are_exit_2() -> None:
    assert main(["run", "--max-examples", "many"]) == 2
    assert main([]) == 2


def test_token_never_reaches_the_pytest_command_line() -> None:
    arguments = parser().parse_args(["run", "--base-url", "http://x", "--token", "s3cret-token"])
    assert "s3cret-token" not in " ".join(pytest_arguments(arguments))


def test_conforming_server_is_exit_0_and_the_token_is_never_printed(live_mock: str, tmp_path: Path) -> None:
    import os

    env = {**os.environ, "CONTRACT_TOKEN": "iam-owner"}
    report = tmp_path / "junit.xml"
    result = run_cli(
        "--base-url", live_mock, "--org-id", "251000000000000001", "--junit-xml", str(report), *QUICK, env=env
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "iam-owner" not in result.stdout + result.stderr
    assert "contract-tests: per operation" in result.stdout
    assert "every change the suite made was undone" in result.stdout
    assert "<testcase" in report.read_text(encoding="utf-8")


def test_broken_server_is_exit_1_with_expected_got_and_curl() -> None:
    result = run_cli(
        "--app", "tests.broken_servers:conflict_as_400", "--max-examples", "5", "-k", "second_add_conflicts"
    )
    assert result.returncode == 1
    assert "request: POST /management/v1/policies/login/second_factors" in result.stdout
    assert "expected: 409 {'code': 6, 'message': 'Multifactor already exists (Org-2B0ps)'" in result.stdout
    assert "got: 400" in result.stdout
    assert 'reproduce: curl -sS -X POST -H "Authorization: Bearer $CONTRACT_TOKEN"' in result.stdout
    assert "FAILED  " in result.stdout  # the per-operation table names the failing operation


def test_read_only_changes_nothing_on_the_target(live_mock: str) -> None:
    import os

    import requests

    from mockserver import load_spec
    from mockserver.fixtures.loader import load_fixtures

    contract = load_spec(REPO_ROOT / "openapi.yaml")
    behaviours = load_fixtures(REPO_ROOT / "fixtures", contract).behaviours
    changing = {operation_id for operation_id, behaviour in behaviours.items() if behaviour.changes_state}
    seen = {
        entry["time"] for entry in requests.get(f"{live_mock}/__mock/journal?limit=1000", timeout=10).json()["entries"]
    }
    env = {**os.environ, "CONTRACT_TOKEN": "iam-owner"}
    result = run_cli(
        "--base-url", live_mock, "--org-id", "251000000000000001", "--read-only", "--max-examples", "5", env=env
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "deselected" in result.stdout
    entries = requests.get(f"{live_mock}/__mock/journal?limit=1000", timeout=10).json()["entries"]
    new = [entry for entry in entries if entry["time"] not in seen]
    assert new and all(entry["operation_id"] not in changing or entry["status"] >= 400 for entry in new)


def test_api_selects_one_api() -> None:
    result = run_cli("--api", "admin", "--read-only", "--max-examples", "5")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "/management/" not in result.stdout.split("contract-tests: per operation")[1]


def test_pytest_on_the_suite_folder_loads_the_plugin() -> None:
    """The README's `pytest contract_tests --base-url ...` form: the folder has no ini of its own."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-q",
        "-k",
        "AuthHeaderMissing",
        "--max-examples",
        "2",
    ]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "AuthHeaderMissing" not in result.stdout  # ran, and nothing failed
