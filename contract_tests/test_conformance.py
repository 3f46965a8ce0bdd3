"""Property-based: every operation, positive and negative data, all checks (schemathesis)."""

from __future__ import annotations

from typing import Any

import schemathesis

import contract_tests.checks  # noqa: F401  (registers the ZITADEL checks)
from contract_tests.safety import ChangeLog

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
def test_operation_keeps_the_contract(case: Any, change_log: ChangeLog) -> None:
    response = case.call()
    change_log.record_case(case, response.status_code)
    case.validate_response(response)
