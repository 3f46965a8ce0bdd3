"""Adding an operation is a change to openapi.yaml (and, for state, to the fixtures), never to
Python: in a copy of the project, three kinds of new operation are served behind ZITADEL's
checks, linted, checked and fuzzed, and a server that lacks them fails the suite.

(a) `GET /management/v1/policies/privacy` with a named 200 example, no behaviour;
(b) an operation in a new path family, no behaviour;
(c) labels of an organization: add, remove and list, with behaviours declared in the fixtures.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from contract_tests.plugin.calls import SentRequest
from contract_tests.plugin.model import SuiteModel
from contract_tests.plugin.undo import undo_can_be_sent
from mockserver import load_spec
from mockserver.fixtures.loader import load_fixtures
from tests.conftest import REPO_ROOT
from tests.processes import free_port, running

ACME = "251000000000000001"
DETAIL = "type.googleapis.com/zitadel.v1.ErrorDetail"
ORG_HEADER = {"$ref": "#/components/parameters/OrgIdHeader"}
GATEWAY_ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthenticated"},
    "403": {"$ref": "#/components/responses/PermissionDenied"},
    "404": {"$ref": "#/components/responses/MembershipNotFound"},
    "default": {"$ref": "#/components/responses/UnexpectedError"},
}


def ok(schema: str, examples: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    media = {"schema": {"$ref": f"#/components/schemas/{schema}"}, "examples": examples}
    return {"description": description, "content": {"application/json": media}}


def error(description: str, schema: str, example: str) -> dict[str, Any]:
    media = {
        "schema": {"$ref": f"#/components/schemas/{schema}"},
        "examples": {example: {"$ref": f"#/components/examples/{example}"}},
    }
    return {"description": description, "content": {"application/json": media}}


def operation(
    operation_id: str, summary: str, permission: str, responses: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "x-zitadel-permission": permission,
        "summary": summary,
        "description": f"{summary}, for the test of adding operations.\n\nRequired permission: `{permission}`.",
        "tags": ["Management API"],
        "parameters": [ORG_HEADER, *extra.pop("parameters", [])],
        "responses": {**GATEWAY_ERRORS, **responses},
        **extra,
    }


def added_operations() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The paths, schemas and examples a contributor would write into openapi.yaml."""
    paths = {
        "/management/v1/policies/privacy": {
            "get": operation(
                "ManagementService_GetPrivacyPolicy",
                "Get Privacy Settings",
                "policy.read",
                {"200": ok("PrivacyPolicyAnswer", {"custom": {"$ref": "#/components/examples/PrivacyPolicyOfAcme"}})},
            )
        },
        "/management/v1/policies/password/complexity/_search": {
            "post": operation(
                "ManagementService_ListPasswordComplexityPolicies",
                "List Password Complexity Policies",
                "policy.write",
                {"200": ok("ComplexityAnswer", {"default": {"$ref": "#/components/examples/ComplexityOfAcme"}})},
                requestBody={"$ref": "#/components/requestBodies/IgnoredListRequest"},
            )
        },
        "/management/v1/labels/_search": {
            "post": operation(
                "ManagementService_ListLabels",
                "List Labels",
                "policy.read",
                {"200": ok("ListLabelsResponse", {"labels": {"$ref": "#/components/examples/LabelsListed"}})},
                requestBody={"$ref": "#/components/requestBodies/IgnoredListRequest"},
            )
        },
        "/management/v1/labels": {
            "post": operation(
                "ManagementService_AddLabel",
                "Add Label",
                "policy.write",
                {
                    "200": {
                        **ok(
                            "AddFactorToLoginPolicyResponse",
                            {"added": {"$ref": "#/components/examples/OrgFactorAdded"}},
                        ),
                        "links": {
                            "RemoveTheAddedLabel": {
                                "operationId": "ManagementService_RemoveLabel",
                                "description": "Remove the label just added.",
                                "parameters": {"name": "$request.body#/name"},
                            }
                        },
                    },
                    "400": error("The label has no name.", "InvalidArgumentStatus", "LabelNameMissing"),
                    "409": error(
                        "The organization has that label already.", "AlreadyExistsStatus", "LabelAlreadyExists"
                    ),
                },
                requestBody={
                    "required": True,
                    "description": "The label to add.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/AddLabelRequest"},
                            "examples": {"blue": {"summary": "A label", "value": {"name": "blue"}}},
                        }
                    },
                },
            )
        },
        "/management/v1/labels/{name}": {
            "delete": operation(
                "ManagementService_RemoveLabel",
                "Remove Label",
                "policy.write",
                {
                    "200": {
                        **ok(
                            "RemoveFactorFromLoginPolicyResponse",
                            {"removed": {"$ref": "#/components/examples/OrgFactorRemoved"}},
                        ),
                        "links": {
                            "AddTheRemovedLabel": {
                                "operationId": "ManagementService_AddLabel",
                                "description": "Add the label just removed back.",
                                "requestBody": {"name": "$request.path.name"},
                            }
                        },
                    },
                    "400": error("The label has no name.", "InvalidArgumentStatus", "RemoveLabelNameMissing"),
                    "404": {
                        "description": "No membership, or no such label.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NotFoundStatus"},
                                "examples": {
                                    "labelNotFound": {"$ref": "#/components/examples/LabelNotFound"},
                                    "membershipNotFound": {"$ref": "#/components/examples/MembershipNotFound"},
                                },
                            }
                        },
                    },
                },
                parameters=[
                    {
                        "name": "name",
                        "in": "path",
                        "required": True,
                        "description": "The label to remove.",
                        "schema": {"type": "string", "minLength": 1},
                        "examples": {"blue": {"summary": "A label", "value": "blue"}},
                    }
                ],
            )
        },
    }
    schemas = {
        "PrivacyPolicyAnswer": {
            "type": "object",
            "description": "A privacy policy, as the test's example writes it.",
            "properties": {"policy": {"type": "object", "properties": {"tosLink": {"type": "string"}}}},
        },
        "ComplexityAnswer": {
            "type": "object",
            "description": "Password complexity policies, as the test's example writes them.",
            "properties": {
                "details": {"$ref": "#/components/schemas/ListDetails"},
                "result": {"type": "array", "items": {"type": "object"}},
            },
        },
        "AddLabelRequest": {
            "type": "object",
            "description": "A label to add.",
            "required": ["name"],
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200,
                    "x-pgv": {"string": {"minLen": 1, "maxLen": 200}},
                }
            },
        },
        "ListLabelsResponse": {
            "type": "object",
            "description": "The labels of an organization.",
            "additionalProperties": False,
            "required": ["details"],
            "properties": {
                "details": {"$ref": "#/components/schemas/ListDetails"},
                "result": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}},
            },
        },
    }
    status = "type.googleapis.com/zitadel.v1.ErrorDetail"
    examples = {
        "PrivacyPolicyOfAcme": {
            "summary": "acme's policy",
            "value": {"policy": {"tosLink": "https://acme.example/tos"}},
        },
        "ComplexityOfAcme": {
            "summary": "One policy",
            "value": {
                "details": {"totalResult": "1", "viewTimestamp": "2026-07-10T09:01:02.641Z"},
                "result": [{"minLength": "8"}],
            },
        },
        "LabelsListed": {
            "summary": "Two labels",
            "value": {
                "details": {"totalResult": "2", "viewTimestamp": "2026-07-10T09:01:02.641Z"},
                "result": ["blue", "green"],
            },
        },
        "LabelAlreadyExists": {
            "summary": "The label exists",
            "value": {
                "code": 6,
                "message": "Label already exists (LABEL-1)",
                "details": [{"@type": status, "id": "LABEL-1", "message": "Label already exists"}],
            },
        },
        "LabelNotFound": {
            "summary": "No such label",
            "value": {
                "code": 5,
                "message": "Label not found (LABEL-2)",
                "details": [{"@type": status, "id": "LABEL-2", "message": "Label not found"}],
            },
        },
        "LabelNameMissing": {
            "summary": "No name",
            "x-zitadel-requests": [{"body": {}}, {"body": {"name": ""}}],
            "value": {
                "code": 3,
                "message": "invalid AddLabelRequest.Name: value length must be between 1 and 200 runes, inclusive",
            },
        },
        "RemoveLabelNameMissing": {
            "summary": "No name",
            "value": {
                "code": 3,
                "message": "invalid RemoveLabelRequest.Name: value length must be between 1 and 200 runes, inclusive",
            },
        },
    }
    return paths, schemas, examples


LABEL_BEHAVIOURS = """
  ManagementService_ListLabels:
    steps:
      - read:
          at: /organizations/{org}/labels
    answer:
      details: {totalResult: $count, viewTimestamp: $world.projection.viewTimestamp}
      result: $result
  ManagementService_AddLabel:
    steps:
      - add_to_set:
          at: /organizations/{org}/labels
          item: $request.name
          conflict: LabelAlreadyExists
    answer:
      details: {sequence: $event.sequence, creationDate: $event.date, resourceOwner: $owner}
    undo: {link: RemoveTheAddedLabel}
  ManagementService_RemoveLabel:
    steps:
      - remove_from_set:
          at: /organizations/{org}/labels
          item: $request.name
          notFound: LabelNotFound
    answer:
      details: {sequence: $event.sequence, changeDate: $event.date, resourceOwner: $owner}
    undo: {link: AddTheRemovedLabel}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the contract and the fixtures with the new operations, as a contributor writes them."""
    folder = tmp_path_factory.mktemp("added")
    document = yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    paths, schemas, examples = added_operations()
    document["paths"].update(copy.deepcopy(paths))
    document["components"]["schemas"].update(schemas)
    document["components"]["examples"].update(examples)
    spec = folder / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    fixtures = folder / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    world = (fixtures / "world.yaml").read_text(encoding="utf-8")
    world = world.replace(
        "\nusers:\n", "\n  /organizations/{org}/labels: {type: array, items: {type: string}}\n\nusers:\n", 1
    )
    world = world.replace(
        "rolePermissions:\n",
        "rolePermissions:\n  PROJECT_CREATOR: [project.create]\n",
    ).replace(
        "users:\n",
        "users:\n  - token: project-creator\n    id: '252000000000000009'\n    organization: '251000000000000001'\n"
        "    memberships:\n      - {scope: '251000000000000001', roles: [PROJECT_CREATOR]}\n",
        1,
    )
    (fixtures / "world.yaml").write_text(world, encoding="utf-8")
    behaviours = (fixtures / "behaviours.yaml").read_text(encoding="utf-8")
    (fixtures / "behaviours.yaml").write_text(behaviours + LABEL_BEHAVIOURS, encoding="utf-8")
    return spec, fixtures


@pytest.fixture(scope="module")
def mock(project: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    spec, fixtures = project
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "mockserver",
        "--port",
        str(port),
        "--spec",
        str(spec),
        "--fixtures",
        str(fixtures),
    ]
    log = tmp_path_factory.mktemp("added-log") / "mock.log"
    with running(command, port, log, timeout=60):
        yield f"http://127.0.0.1:{port}"
    assert "answered by their first 200 example" in log.read_text(encoding="utf-8")


def call(url: str, method: str, path: str, token: str | None = "acme-owner", **extra: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(extra.pop("headers", {}))
    return requests.request(method, url + path, headers=headers, timeout=10, **extra)


@pytest.mark.parametrize(
    ("method", "path", "example"),
    [
        ("GET", "/management/v1/policies/privacy", {"policy": {"tosLink": "https://acme.example/tos"}}),
        ("POST", "/management/v1/policies/password/complexity/_search", None),
    ],
    ids=["a-get-privacy-policy", "b-new-path-family"],
)
def test_an_operation_without_behaviour_answers_its_example_behind_zitadels_checks(
    mock: str, method: str, path: str, example: Any
) -> None:
    missing = call(mock, method, path, token=None)
    assert missing.status_code == 401 and missing.json() == {"code": 16, "message": "auth header missing"}
    unknown_org = call(mock, method, path, headers={"x-zitadel-orgid": "999999999999999999"})
    assert unknown_org.status_code == 403 and unknown_org.json()["details"][0]["id"] == "AUTH-Bs7Ds"
    lacking = call(mock, method, path, token="project-creator" if method == "GET" else "acme-viewer")
    assert lacking.status_code == 403 and lacking.json()["details"][0]["id"] == "AUTH-5mWD2"
    answered = call(mock, method, path, token="iam-owner")
    assert answered.status_code == 200 and answered.headers["X-Mock-Answered-By"] == "example"
    assert example is None or answered.json() == example
    assert "X-Mock-Contract-Violation" not in answered.headers


def test_an_operation_with_a_declared_behaviour_keeps_state(mock: str) -> None:
    session = {"X-Mock-Session": "labels"}
    assert "result" not in call(mock, "POST", "/management/v1/labels/_search", headers=session).json()
    added = call(mock, "POST", "/management/v1/labels", headers=session, json={"name": "blue"})
    assert added.status_code == 200 and added.json()["details"]["resourceOwner"] == ACME
    listed = call(mock, "POST", "/management/v1/labels/_search", headers=session).json()
    assert listed["result"] == ["blue"] and listed["details"]["totalResult"] == "1"
    again = call(mock, "POST", "/management/v1/labels", headers=session, json={"name": "blue"})
    assert again.status_code == 409 and again.json()["details"][0]["id"] == "LABEL-1"
    nameless = call(mock, "POST", "/management/v1/labels", headers=session, json={"name": ""})
    assert nameless.status_code == 400 and "AddLabelRequest.Name" in nameless.json()["message"]
    assert call(mock, "DELETE", "/management/v1/labels/blue", headers=session).status_code == 200
    gone = call(mock, "DELETE", "/management/v1/labels/blue", headers=session)
    assert gone.status_code == 404 and gone.json()["details"][0]["id"] == "LABEL-2"


def test_the_suite_makes_no_change_whose_undo_no_server_could_route(project: tuple[Path, Path]) -> None:
    """A label named `a/b` could be added, but `DELETE /labels/a%2Fb` reaches no route: the gateway
    decodes the path before routing (grpc-gateway's default), and clients drop `.` and `..`
    segments. The fuzzer once added such a label and then failed to undo it."""
    spec, fixtures = project
    contract = load_spec(spec)
    model = SuiteModel(contract, load_fixtures(fixtures, contract).behaviours)
    adder = model.operations["ManagementService_AddLabel"]
    assert undo_can_be_sent(model, adder, SentRequest(body={"name": "blue"}))
    assert undo_can_be_sent(model, adder, SentRequest(body={"name": "a.b%2F"}))
    for name in ("a/b", "/", ".", ".."):
        assert not undo_can_be_sent(model, adder, SentRequest(body={"name": name})), name
    factor_adder = model.operations["ManagementService_AddSecondFactorToLoginPolicy"]
    assert undo_can_be_sent(model, factor_adder, SentRequest(body={"type": "SECOND_FACTOR_TYPE_OTP"}))


def contract_tests(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "contract_tests", *arguments]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, env=env)


def test_lint_and_fixtures_accept_the_new_operations(project: tuple[Path, Path]) -> None:
    spec, fixtures = project
    linted = contract_tests("lint", str(spec))
    assert linted.returncode == 0, linted.stdout
    checked = contract_tests("fixtures", str(fixtures), "--spec", str(spec))
    assert checked.returncode == 0, checked.stdout


def test_the_suite_passes_the_mock_and_fuzzes_the_new_operations(project: tuple[Path, Path], mock: str) -> None:
    spec, fixtures = project
    env = {**os.environ, "CONTRACT_TOKEN": "iam-owner"}
    result = contract_tests(
        "run",
        "--base-url",
        mock,
        "--org-id",
        ACME,
        "--spec",
        str(spec),
        "--fixtures",
        str(fixtures),
        "--max-examples",
        "10",
        env=env,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    summary = result.stdout.split("contract-tests: per operation")[1]
    for label in (
        "GET /management/v1/policies/privacy",
        "POST /management/v1/policies/password/complexity/_search",
        "DELETE /management/v1/labels/{name}",
    ):
        assert f"{label} " in summary
    assert "every change the suite made was undone" in result.stdout
    assert "note: ManagementService_ListPasswordComplexityPolicies has no declared behaviour" in result.stdout


def test_the_suite_fails_a_server_without_the_new_operations(project: tuple[Path, Path]) -> None:
    spec, fixtures = project
    env = {**os.environ, "MOCKSERVER_SPEC": str(spec), "MOCKSERVER_FIXTURES": str(fixtures)}
    result = contract_tests(
        "run",
        "--app",
        "tests.broken_servers:shipped_operations_only",
        "--spec",
        str(spec),
        "--fixtures",
        str(fixtures),
        "--max-examples",
        "5",
        env=env,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    summary = result.stdout.split("contract-tests: per operation")[1]
    for label in (
        "GET /management/v1/policies/privacy",
        "POST /management/v1/labels",
        "POST /management/v1/labels/_search",
    ):
        line = next(line for line in summary.splitlines() if line.startswith(f"{label} "))
        assert "FAILED" in line, line
