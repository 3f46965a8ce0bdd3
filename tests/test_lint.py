"""`contract-tests lint`: the shipped contract is clean; planted problems are found where they are."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.cli import main
from contract_tests.review.lint import lint_file
from tests.conftest import REPO_ROOT

SHIPPED: dict[str, Any] = yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
LIST_2FA = "/paths/~1management~1v1~1policies~1login~1second_factors~1_search/post"
ADD_2FA_ADMIN = "/paths/~1admin~1v1~1policies~1login~1second_factors/post"


def planted(change: Callable[[dict[str, Any]], object], tmp_path: Path) -> Path:
    document = copy.deepcopy(SHIPPED)
    change(document)
    file = tmp_path / "openapi.yaml"
    file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return file


def op(document: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    return document["paths"][path][method]  # type: ignore[no-any-return]


M_LIST = "/management/v1/policies/login/second_factors/_search"
A_ADD = "/admin/v1/policies/login/second_factors"
CONNECT = "/zitadel.settings.v2.SettingsService/GetLoginSettings"
CONNECT_OP = "/paths/~1zitadel.settings.v2.SettingsService~1GetLoginSettings/post"
UNAUTHENTICATED_WITH_HEADER = {
    "description": "planted",
    "headers": {"WWW-Authenticate": {"$ref": "#/components/headers/WWWAuthenticate"}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConnectStatus"}}},
}

PLANTED = [
    ("operation-id", lambda d: op(d, M_LIST).update(operationId="listSecondFactors"), f"{LIST_2FA}/operationId"),
    (
        "operation-id",
        lambda d: op(d, CONNECT).update(operationId="SettingsService_GetLoginSettingsConnect"),
        f"{CONNECT_OP}/operationId",
    ),
    (
        "zitadel-errors",
        lambda d: op(d, CONNECT)["responses"].update({"401": UNAUTHENTICATED_WITH_HEADER}),
        f"{CONNECT_OP}/responses/401",
    ),
    ("operation-summary", lambda d: op(d, M_LIST).pop("summary"), LIST_2FA),
    ("operation-tags", lambda d: op(d, M_LIST).update(tags=[]), LIST_2FA),
    ("operation-permission", lambda d: op(d, M_LIST).pop("x-zitadel-permission"), LIST_2FA),
    ("zitadel-errors", lambda d: op(d, A_ADD)["responses"].pop("400"), f"{ADD_2FA_ADMIN}/responses"),
    (
        "described",
        lambda d: d["components"]["schemas"]["ListDetails"].pop("description"),
        "/components/schemas/ListDetails",
    ),
    (
        "enum-described",
        lambda d: d["components"]["schemas"]["SecondFactorType"]["x-enumDescriptions"].pop(
            "SECOND_FACTOR_TYPE_OTP_SMS"
        ),
        "/components/schemas/SecondFactorType/enum",
    ),
    (
        "uint64-string",
        lambda d: d["components"]["schemas"]["ListDetails"]["properties"].update(processedSequence={"type": "integer"}),
        "/components/schemas/ListDetails/properties/processedSequence",
    ),
    (
        "named-examples",
        lambda d: op(d, M_LIST)["responses"]["200"]["content"]["application/json"].pop("examples"),
        f"{LIST_2FA}/responses/200/content/application~1json",
    ),
    (
        "example-valid",
        lambda d: d["components"]["examples"]["ListEmpty"]["value"]["details"].update(totalResult="0"),
        f"{LIST_2FA}/responses/200/content/application~1json/examples/empty",
    ),
    (
        "unused-component",
        lambda d: d["components"]["schemas"].update(Orphan={"type": "string", "description": "nobody uses me"}),
        "/components/schemas/Orphan",
    ),
    (
        "camel-case",
        lambda d: d["components"]["schemas"]["ListDetails"]["properties"].update(view_timestamp={"type": "string"}),
        "/components/schemas/ListDetails/properties/view_timestamp",
    ),
    ("openapi-valid", lambda d: op(d, M_LIST)["responses"]["200"].pop("description"), f"{LIST_2FA}/responses/200"),
    (
        "example-valid",
        lambda d: d["components"]["schemas"]["Uint64String"].update(example="abc"),
        "/components/schemas/Uint64String/example",
    ),
    (
        "example-valid",
        lambda d: d["components"]["parameters"]["OrgIdHeader"].update(example=251),
        "/components/parameters/OrgIdHeader/example",
    ),
    (
        "example-valid",
        lambda d: d["components"]["headers"]["WWWAuthenticate"].update(example=401),
        "/components/headers/WWWAuthenticate/example",
    ),
    (
        "example-valid",
        lambda d: op(d, M_LIST)["responses"]["200"]["content"]["application/json"].update(example={"details": 5}),
        f"{LIST_2FA}/responses/200/content/application~1json/example",
    ),
    (
        "example-valid",
        lambda d: d["components"]["schemas"]["ListDetails"]["properties"]["totalResult"].update(examples=["-1"]),
        "/components/schemas/ListDetails/properties/totalResult/examples/0",
    ),
    (
        "enum-unique",
        lambda d: d["components"]["schemas"]["SecondFactorType"]["enum"].append("SECOND_FACTOR_TYPE_OTP"),
        "/components/schemas/SecondFactorType/enum/5",
    ),
    (
        "enum-type",
        lambda d: d["components"]["schemas"]["SecondFactorTypeNumber"]["enum"].append("6"),
        "/components/schemas/SecondFactorTypeNumber/enum/5",
    ),
    (
        "string-keys",
        lambda d: d["components"]["schemas"]["SecondFactorType"]["x-enumDescriptions"].update({7: "a number"}),
        "/components/schemas/SecondFactorType/x-enumDescriptions/7",
    ),
    (
        "openapi-valid",
        lambda d: d["paths"].update(
            {"/admin/v1/x/{id}": {"get": {**op(d, "/admin/v1/policies/login", "get"), "operationId": "AdminService_X"}}}
        ),
        "/paths/~1admin~1v1~1x~1{id}/get",
    ),
]


def test_shipped_contract_is_clean() -> None:
    assert lint_file(REPO_ROOT / "openapi.yaml") == []


@pytest.mark.parametrize(("rule", "change", "pointer"), PLANTED, ids=[p[0] for p in PLANTED])
def test_planted_problem_is_found_with_pointer_and_line(
    tmp_path: Path, rule: str, change: Callable[[dict[str, Any]], object], pointer: str
) -> None:
    findings = lint_file(planted(change, tmp_path))
    matching = [f for f in findings if f.rule == rule and f.pointer == pointer]
    assert matching, [f"{f.rule} {f.pointer} {f.message}" for f in findings]
    assert matching[0].severity == "error" and matching[0].line is not None


def test_lint_command_exit_codes_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(REPO_ROOT / "openapi.yaml")]) == 0
    broken = planted(lambda d: op(d, A_ADD)["responses"].pop("400"), tmp_path)
    assert main(["lint", str(broken)]) == 1
    output = capsys.readouterr().out
    assert f"{broken}:" in output and "error [zitadel-errors]" in output and "1 errors" in output


def test_a_security_scheme_used_by_one_operation_only_is_used(tmp_path: Path) -> None:
    def plant(document: dict[str, Any]) -> None:
        scheme = {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "A key."}
        document["components"]["securitySchemes"]["apiKey"] = scheme
        op(document, M_LIST)["security"] = [{"apiKey": []}]

    assert lint_file(planted(plant, tmp_path)) == []


def test_lint_takes_several_files_and_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = planted(lambda d: d["components"]["schemas"]["Uint64String"].update(example="abc"), tmp_path)
    assert main(["lint", str(REPO_ROOT / "openapi.yaml"), str(broken), "--format", "github"]) == 1
    output = capsys.readouterr().out
    assert f"::error file={broken},line=" in output and "title=error [example-valid]::" in output
    assert main(["lint", str(broken), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["items"][0]["rule"] == "example-valid"
    assert main(["lint", str(broken), "--format", "markdown"]) == 1
    assert "| **error** | `example-valid` |" in capsys.readouterr().out
