"""The compiled answer checker agrees with openapi-core, the judge it replaced for answers: every
named example of the contract passes both, and every planted defect fails both."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from mockserver import Contract, load_spec
from mockserver.server.response_check import ResponseChecker
from mockserver.server.validation import ContractValidator
from tests.conftest import minimal_document

Case = tuple[str, int, Any, dict[str, str]]
EXPIRES = "Sun, 29 Nov 2026 04:06:59 GMT"


def example_cases(contract: Contract) -> list[Case]:
    """(operationId, status, body, headers) of every named example of every response."""
    cases = []
    for operation in contract.operations:
        for example in contract.named_examples(operation).values():
            if not example.status.isdigit():
                continue
            status = int(example.status)
            headers = {"WWW-Authenticate": str(example.value.get("message"))} if status == 401 else {}
            if status == 401 and operation.is_connect:
                headers = {}
            cases.append((operation.operation_id, status, example.value, headers))
    return cases


ADD = "ManagementService_AddSecondFactorToLoginPolicy"
LIST = "ManagementService_ListLoginPolicySecondFactors"
GET = "ManagementService_GetLoginPolicy"
CONNECT = "SettingsService_GetLoginSettings_Connect"
ADDED = {"details": {"sequence": "5", "creationDate": "2026-07-10T09:00:00Z", "resourceOwner": "1"}}
DEFECTS: list[tuple[str, Case]] = [
    ("sequence as a number", (ADD, 200, {"details": {**ADDED["details"], "sequence": 5}}, {})),
    ("a changeDate on an add", (ADD, 200, {"details": {**ADDED["details"], "changeDate": "2026-07-10T09:00:00Z"}}, {})),
    (
        "an offset timestamp",
        (ADD, 200, {"details": {**ADDED["details"], "creationDate": "2026-07-10T09:00:00+00:00"}}, {}),
    ),
    ("a proto field name", (LIST, 200, {"details": {"total_result": "1"}, "result": ["SECOND_FACTOR_TYPE_OTP"]}, {})),
    ("an empty result written out", (LIST, 200, {"details": {}, "result": []}, {})),
    (
        "an unspecified factor",
        (LIST, 200, {"details": {"totalResult": "1"}, "result": ["SECOND_FACTOR_TYPE_UNSPECIFIED"]}, {}),
    ),
    ("a 401 without WWW-Authenticate", (ADD, 401, {"code": 16, "message": "auth header missing"}, {})),
    ("a problem+json error", (ADD, 409, {"type": "about:blank", "title": "x", "status": 409}, {})),
    ("a policy without its lifetimes", (GET, 200, {"policy": {"details": ADDED["details"]}}, {})),
    ("an Expires that is not an HTTP-date", (GET, 200, {"policy": {"details": {}}}, {"Expires": "2026-11-29"})),
    ("a Connect error with a numeric code", (CONNECT, 404, {"code": 5, "message": "x"}, {})),
    ("a body that is not JSON", (ADD, 200, b"not json", {})),
]


def openapi_core_verdict(validator: ContractValidator, contract: Contract, case: Case) -> list[str]:
    operation_id, status, body, headers = case
    operation = contract.operation(operation_id)
    path = operation.path.replace("{type}", "SECOND_FACTOR_TYPE_OTP")
    request = Request(EnvironBuilder(path=path, method=operation.method).get_environ())
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = Response(data, status=status, content_type="application/json", headers=headers)
    return validator.response_problems(request, response)


def checker_verdict(checker: ResponseChecker, contract: Contract, case: Case) -> list[str]:
    operation_id, status, body, headers = case
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    lowered = {name.lower(): value for name, value in headers.items()}
    return checker.problems(contract.operation(operation_id), status, "application/json", data, lowered)


@pytest.fixture(scope="module")
def judges(contract: Contract) -> tuple[ContractValidator, ResponseChecker]:
    return ContractValidator(contract), ResponseChecker(contract)


def test_every_named_example_passes_both(contract: Contract, judges: tuple[ContractValidator, ResponseChecker]) -> None:
    validator, checker = judges
    cases = example_cases(contract)
    assert len(cases) > 100
    for case in cases:
        assert checker_verdict(checker, contract, case) == [], case[:2]
        assert openapi_core_verdict(validator, contract, case) == [], case[:2]


@pytest.mark.parametrize("case", [defect for _, defect in DEFECTS], ids=[name for name, _ in DEFECTS])
def test_every_planted_defect_fails_both(
    contract: Contract, judges: tuple[ContractValidator, ResponseChecker], case: Case
) -> None:
    validator, checker = judges
    assert checker_verdict(checker, contract, case) != []
    assert openapi_core_verdict(validator, contract, case) != []


def test_an_undocumented_status_without_default_is_flagged(spec_factory: Callable[..., Path]) -> None:
    tiny = load_spec(spec_factory(minimal_document()))  # one operation, a 200 and no default
    checker = ResponseChecker(tiny)
    operation = tiny.operation("X_Do")
    assert checker.problems(operation, 200, None, b"", {}) == []
    assert "ResponseNotFound" in checker.problems(operation, 404, "application/json", b"{}", {})[0]


def test_the_wrong_media_type_is_flagged(contract: Contract) -> None:
    checker = ResponseChecker(contract)
    problems = checker.problems(contract.operation(ADD), 200, "text/html", json.dumps(ADDED).encode(), {})
    assert problems and "MediaTypeNotFound" in problems[0]
