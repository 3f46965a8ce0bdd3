"""Stateful: sequences of calls that follow the contract's links (add → remove, add → list),
with every check on every step (schemathesis state machine, bounded and seeded).

Each scenario undoes its own changes in teardown, so every scenario starts from the same state:
Hypothesis can then replay and shrink a failure, and a real server is left as it was.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest

import contract_tests.checks  # noqa: F401  (registers the ZITADEL checks)
from contract_tests.factor_calls import FactorCalls
from contract_tests.safety import ChangeLog, undo
from contract_tests.target import Target


@pytest.mark.changes_state
def test_linked_calls_keep_the_contract(
    contract_schema: Any, factor_calls: FactorCalls, change_log: ChangeLog, contract_target: Target
) -> None:
    base = contract_schema.as_state_machine()
    leftovers: list[str] = []

    class SelfCleaningMachine(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            self.changes = ChangeLog()

        def before_call(self, case: Any) -> None:
            # The state machine does not apply configured parameters: pin the organization.
            if case.headers is not None and "x-zitadel-orgid" in case.headers and contract_target.org_id:
                case.headers["x-zitadel-orgid"] = contract_target.org_id

        def after_call(self, response: Any, case: Any) -> None:
            self.changes.record_case(case, response.status_code)

        def teardown(self) -> None:
            leftovers.extend(undo(factor_calls, self.changes))

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
