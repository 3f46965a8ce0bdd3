"""Property-based: every operation, positive and negative data, all checks (schemathesis)."""

from __future__ import annotations

from typing import Any

import schemathesis

import contract_tests.plugin.checks  # noqa: F401  (registers the ZITADEL checks)
import contract_tests.plugin.hooks  # noqa: F401  (and the hooks for what OpenAPI cannot say)
from contract_tests.plugin.calls import Calls
from contract_tests.plugin.model import ORG_HEADER, SuiteModel
from contract_tests.plugin.undo import ChangeLog, read_before, record_case

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
def test_operation_keeps_the_contract(case: Any, change_log: ChangeLog, calls: Calls, model: SuiteModel) -> None:
    facts = model.operations[case.operation.definition.raw["operationId"]]
    before = read_before(calls, facts, (case.headers or {}).get(ORG_HEADER)) if facts.changes_state else None
    response = case.call()
    record_case(change_log, facts, case, response, before)
    case.validate_response(response)
