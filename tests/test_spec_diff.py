"""`contract-tests diff`: files and git revisions, invalid input, output formats, exit codes.

What each change is judged is tested against oasdiff's verdicts in tests/test_diff_corpus.py.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.cli import main
from contract_tests.review.diff import diff_documents
from tests.conftest import REPO_ROOT

SPEC = REPO_ROOT / "openapi.yaml"
SHIPPED: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
A_ADD = "/admin/v1/policies/login/second_factors"


def changed(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = copy.deepcopy(SHIPPED)
    change(document)
    return document


def write(tmp_path: Path, document: dict[str, Any] | str, name: str = "head.yaml") -> Path:
    file = tmp_path / name
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    file.write_text(text, encoding="utf-8")
    return file


def test_same_document_has_no_changes() -> None:
    assert diff_documents(SHIPPED, copy.deepcopy(SHIPPED)) == []


def test_diff_command_reads_files_and_git_revisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    git = ["git", "-C", str(repository), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    spec = repository / "openapi.yaml"
    spec.write_text(yaml.safe_dump(SHIPPED), encoding="utf-8")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    spec.write_text(yaml.safe_dump(changed(lambda d: d["paths"].pop(A_ADD))), encoding="utf-8")
    subprocess.run([*git, "commit", "-qam", "head"], check=True)
    monkeypatch.chdir(repository)
    assert main(["diff", "HEAD~1", "HEAD"]) == 1
    assert "api-path-removed-without-deprecation" in capsys.readouterr().out
    assert main(["diff", "HEAD~1", "HEAD~1:openapi.yaml"]) == 0
    assert main(["diff", "no-such-revision", "HEAD"]) == 2


INVALID = [
    (
        "a mistyped $ref to a response",
        lambda d: d["paths"][A_ADD]["post"]["responses"]["401"].update(
            {"$ref": "#/components/responses/Unauthenticatd"}
        ),
        "/paths/~1admin~1v1~1policies~1login~1second_factors/post/responses/401/$ref",
        "leads nowhere",
    ),
    (
        "a mistyped $ref to a schema",
        lambda d: d["components"]["schemas"]["ListDetails"]["properties"]["totalResult"].update(
            {"$ref": "#/components/schemas/TotalResults"}
        ),
        "/components/schemas/ListDetails/properties/totalResult/$ref",
        "leads nowhere",
    ),
    (
        "a response without its description",
        lambda d: d["paths"][A_ADD]["post"]["responses"]["200"].pop("description"),
        "/paths/~1admin~1v1~1policies~1login~1second_factors/post/responses/200",
        "not valid OpenAPI 3.1",
    ),
]


@pytest.mark.parametrize(("name", "change", "pointer", "reason"), INVALID, ids=[i[0] for i in INVALID])
@pytest.mark.parametrize("side", ["head", "base"])
def test_an_invalid_document_is_exit_2_with_file_line_and_pointer(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    change: Callable[[dict[str, Any]], object],
    pointer: str,
    reason: str,
    side: str,
) -> None:
    broken = write(tmp_path, changed(change), "broken.yaml")
    arguments = ["diff", str(SPEC), str(broken)] if side == "head" else ["diff", str(broken), str(SPEC)]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    line = int(error.split(f"{broken}:", 1)[1].split(" ", 1)[0])
    assert f"contract-tests: {broken}:{line} at {pointer}: " in error and reason in error, error
    assert line > 1 and "Traceback" not in error


def test_not_yaml_is_exit_2_with_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path, "openapi: 3.1.0\ninfo: [unclosed\n", "broken.yaml")
    assert main(["diff", str(SPEC), str(broken)]) == 2
    assert f"{broken}:3 at /: invalid YAML" in capsys.readouterr().err


def test_no_traceback_from_the_installed_command(tmp_path: Path) -> None:
    broken = write(tmp_path, changed(INVALID[0][1]), "broken.yaml")
    command = [sys.executable, "-m", "contract_tests", "diff", str(SPEC), str(broken)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "leads nowhere" in result.stderr


def head_with_three_levels(tmp_path: Path) -> Path:
    """A breaking change, a warning (in two operations) and an info."""

    def edit(document: dict[str, Any]) -> None:
        document["paths"]["/management/v1/policies/login"].pop("delete")  # breaking
        document["components"]["schemas"]["SettingsSecondFactorType"]["enum"].append("SECOND_FACTOR_TYPE_PASSKEY")
        document["paths"][A_ADD]["post"]["responses"].pop("409")  # info

    return write(tmp_path, changed(edit))


def test_markdown_is_the_default_and_lists_breaking_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SPEC), str(head_with_three_levels(tmp_path))]) == 1
    text = capsys.readouterr().out
    assert text.startswith(f"### Contract changes: `{SPEC}` → `")
    assert "**1 breaking**, 2 warnings, 1 info." in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line.split("|")[2]]
    assert [row.split("|")[1].strip() for row in rows] == ["**breaking**", "warning", "warning", "info"]
    assert "`api-removed-without-deprecation`" in rows[0] and "`DELETE /management/v1/policies/login`" in rows[0]


def test_json_names_rule_level_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = head_with_three_levels(tmp_path)
    assert main(["diff", str(SPEC), str(head), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"breaking": 1, "warning": 2, "info": 1}
    removed = report["items"][0]
    assert removed["rule"] == "api-removed-without-deprecation" and removed["file"] == str(SPEC)  # BASE holds it
    assert removed["pointer"] == "/paths/~1management~1v1~1policies~1login/delete"
    base_lines = SPEC.read_text(encoding="utf-8").splitlines()
    assert base_lines[removed["line"] - 1].strip() == "delete:"
    enum = report["items"][1]
    assert enum["file"] == str(head) and enum["rule"] == "response-property-enum-value-added"


def test_github_annotations_carry_file_line_and_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = head_with_three_levels(tmp_path)
    assert main(["diff", str(SPEC), str(head), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"::error file={SPEC},line=")
    assert "title=breaking [api-removed-without-deprecation]::DELETE /management/v1/policies/login" in lines[0]
    assert lines[1].startswith(f"::warning file={head},line=") and lines[3].startswith("::notice ")


def test_text_format_and_fail_on_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = write(
        tmp_path,
        changed(
            lambda d: d["components"]["schemas"]["SettingsSecondFactorType"]["enum"].append("SECOND_FACTOR_TYPE_X")
        ),
    )
    assert main(["diff", str(SPEC), str(head), "--format", "text"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f"{head}:") and " at /components/schemas/SettingsSecondFactorType/enum: warning " in line
    assert main(["diff", str(SPEC), str(head), "--fail-on", "warning"]) == 1
