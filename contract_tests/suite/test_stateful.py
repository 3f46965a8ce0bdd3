"""Stateful: sequences of calls that follow the contract's links (add → remove, add → list, ...),
with every check on every step (schemathesis state machine, bounded and seeded).

Each scenario undoes its own changes in teardown, so every scenario starts from the same state:
Hypothesis can then replay and shrink a failure, and a real server is left as it was.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest

import contract_tests.plugin.checks  # noqa: F401  (registers the ZITADEL checks)
from contract_tests.plugin.calls import Calls
from contract_tests.plugin.model import ORG_HEADER, SuiteModel
from contract_tests.plugin.target import Target
from contract_tests.plugin.undo import ChangeLog, read_before, record_case, sent_request, undo_can_be_sent


@pytest.mark.changes_state
def test_linked_calls_keep_the_contract(
    contract_schema: Any, calls: Calls, model: SuiteModel, change_log: ChangeLog, contract_target: Target
) -> None:
    base = contract_schema.as_state_machine()
    leftovers: list[str] = []

    class SelfCleaningMachine(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            self.changes = ChangeLog()
            self.before: Any = None

        def before_call(self, case: Any) -> None:
            super().before_call(case)
            # The state machine does not apply configured parameters: pin the organization.
            if case.headers is not None and ORG_HEADER in case.headers and contract_target.org_id:
                case.headers[ORG_HEADER] = contract_target.org_id
            facts = model.operations[case.operation.definition.raw["operationId"]]
            if facts.changes_state and not undo_can_be_sent(model, facts, sent_request(case)):
                hypothesis.reject()  # a change no server could be asked to undo is not made
            self.before = read_before(calls, facts, (case.headers or {}).get(ORG_HEADER))

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            facts = model.operations[case.operation.definition.raw["operationId"]]
            record_case(self.changes, facts, case, response, self.before)

        def teardown(self) -> None:
            leftovers.extend(self.changes.undo_all(calls))

    settings = hypothesis.settings(
        max_examples=max(5, contract_target.max_examples // 2),
        stateful_step_count=6,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    hypothesis.seed(contract_target.seed)(SelfCleaningMachine.TestCase)
    SelfCleaningMachine.run(settings=settings)
    assert not leftovers, f"scenarios could not undo their changes: {leftovers}"
