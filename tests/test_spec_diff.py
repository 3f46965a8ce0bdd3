"""`contract-tests diff`: known breaking and non-breaking changes, files and git revisions."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.cli import main
from contract_tests.review.spec_diff import diff_documents, render_markdown
from tests.conftest import REPO_ROOT

SHIPPED: dict[str, Any] = yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
SCHEMAS = ("components", "schemas")
M_LIST = "/management/v1/policies/login/second_factors/_search"
A_ADD = "/admin/v1/policies/login/second_factors"


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]  # type: ignore[no-any-return]


def changed(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = copy.deepcopy(SHIPPED)
    change(document)
    return document


BREAKING = [
    ("operation removed", lambda d: d["paths"].pop(A_ADD), "operation removed"),
    ("response removed", lambda d: d["paths"][A_ADD]["post"]["responses"].pop("409"), "response removed"),
    (
        "request enum narrowed",
        lambda d: schemas(d)["SecondFactorTypeNumber"]["enum"].remove(5),
        "enum narrowed: 5 removed",
    ),
    (
        "response enum widened",
        lambda d: schemas(d)["SecondFactorType"]["enum"].append("SECOND_FACTOR_TYPE_PASSKEY"),
        "enum widened: SECOND_FACTOR_TYPE_PASSKEY added",
    ),
    (
        "new required request field",
        lambda d: schemas(d)["AddSecondFactorToLoginPolicyRequest"].update(required=["type", "reason"]),
        "new required field",
    ),
    (
        "type changed",
        lambda d: schemas(d)["Uint64String"].update(type="integer"),
        "type changed from 'string' to 'integer'",
    ),
    ("format changed", lambda d: schemas(d)["Timestamp"].update(format="date"), "format changed"),
    (
        "parameter became required",
        lambda d: d["components"]["parameters"]["OrgIdHeader"].update(required=True),
        "parameter became required",
    ),
    (
        "response field removed",
        lambda d: schemas(d)["ListDetails"]["properties"].pop("processedSequence"),
        "field removed",
    ),
    (
        "response field no longer required",
        lambda d: schemas(d)["ListLoginPolicySecondFactorsResponse"].update(required=[]),
        "field no longer required",
    ),
    (
        "request body now closed",
        lambda d: schemas(d)["AddSecondFactorToLoginPolicyRequest"].update(additionalProperties=False),
        "unknown fields are no longer accepted",
    ),
    (
        "required response header dropped",
        lambda d: d["components"]["headers"]["WWWAuthenticate"].update(required=False),
        "a required header is no longer guaranteed",
    ),
    ("request maxLength narrowed", lambda d: schemas(d)["SecondFactorTypePathValue"].update(maxLength=3), "maxLength"),
]
NON_BREAKING = [
    ("descriptions only", lambda d: schemas(d)["ListDetails"].update(description="Reworded."), None),
    ("examples only", lambda d: d["components"]["examples"]["ListEmpty"].update(summary="Nothing"), None),
    (
        "operation added",
        lambda d: d["paths"].update(
            {
                "/admin/v1/ping": {
                    "get": {"operationId": "AdminService_Ping", "responses": {"200": {"description": "ok"}}}
                }
            }
        ),
        "operation added",
    ),
    (
        "optional request field",
        lambda d: schemas(d)["AddSecondFactorToLoginPolicyRequest"]["properties"].update(note={"type": "string"}),
        "field added",
    ),
    (
        "response added",
        lambda d: d["paths"][A_ADD]["post"]["responses"].update({"429": {"description": "slow down"}}),
        "response added",
    ),
    ("request enum widened", lambda d: schemas(d)["SecondFactorTypeNumber"]["enum"].append(6), "enum widened: 6 added"),
]


@pytest.mark.parametrize(("name", "change", "message"), BREAKING, ids=[b[0] for b in BREAKING])
def test_breaking_change_is_classed_breaking(
    name: str, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    changes = diff_documents(SHIPPED, changed(change))
    assert any(c.breaking and message in c.message for c in changes), [
        (c.breaking, c.where, c.message) for c in changes
    ]


@pytest.mark.parametrize(("name", "change", "message"), NON_BREAKING, ids=[n[0] for n in NON_BREAKING])
def test_non_breaking_change_is_not_breaking(
    name: str, change: Callable[[dict[str, Any]], object], message: str | None
) -> None:
    changes = diff_documents(SHIPPED, changed(change))
    assert not any(c.breaking for c in changes), [(c.where, c.message) for c in changes]
    if message is None:
        assert changes == []
    else:
        assert any(message in c.message for c in changes)


def test_same_document_has_no_changes() -> None:
    assert diff_documents(SHIPPED, copy.deepcopy(SHIPPED)) == []


def test_markdown_lists_breaking_first() -> None:
    head = changed(
        lambda d: (
            schemas(d)["SecondFactorType"]["enum"].append("X"),
            d["paths"][A_ADD]["post"]["responses"].pop("409"),
        )
    )
    text = render_markdown(diff_documents(SHIPPED, head), "main", "pr")
    assert text.startswith("### Contract changes: `main` → `pr`")
    rows = [
        line for line in text.splitlines() if line.startswith("| **breaking**") or line.startswith("| non-breaking")
    ]
    assert rows[0].startswith("| **breaking**") and rows[-1].startswith("| non-breaking")


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
    assert "operation removed" in capsys.readouterr().out
    assert main(["diff", "HEAD~1", "HEAD~1:openapi.yaml"]) == 0
    assert main(["diff", "no-such-revision", "HEAD"]) == 2
