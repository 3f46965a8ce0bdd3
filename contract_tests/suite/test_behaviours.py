"""Deterministic scenarios for what no schema can express, chosen from the declared behaviours and
run against any target: what an add shows, what a second add answers, what a remove hides,
sequences that only grow. Expected error bodies are the contract's named examples.

Every test here changes state (`changes_state`, left out by `--read-only`) and logs each change,
which the session undoes at the end. Calls that take `x-zitadel-orgid` act on `--org-id`, which
should have a custom login policy (without one, ZITADEL shows the instance default instead).
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.plugin import suite_model
from contract_tests.plugin.calls import Calls, RequestSpec
from contract_tests.plugin.model import SetFamily, template_path, value_at
from contract_tests.plugin.reply import Reply
from contract_tests.plugin.reporting import explain
from contract_tests.plugin.undo import ChangeLog, change
from contract_tests.suite.expect import expect_example, expect_status

pytestmark = pytest.mark.changes_state


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    model = suite_model(metafunc.config)
    families = [f for f in model.set_families(metafunc.config.getoption("--api")) if f.remover and f.reader]
    if "family" in metafunc.fixturenames:
        metafunc.parametrize("family", families, ids=[f.adder.operation_id for f in families])
    if "enum_family" in metafunc.fixturenames:
        enums = [f for f in families if f.item_field.enum is not None]
        metafunc.parametrize("enum_family", enums, ids=[f.adder.operation_id for f in enums])


class SetOnTarget:
    """One set of the target, through the operations that add to, remove from and read it."""

    def __init__(self, family: SetFamily, calls: Calls, log: ChangeLog) -> None:
        assert family.remover is not None and family.reader is not None and family.reader.behaviour is not None
        self.family, self.calls, self.log = family, calls, log
        answer = family.reader.behaviour.answer
        self.result_path = template_path(answer, "$result") or ()
        self.count_path = template_path(answer, "$count")

    def read_body(self) -> Any:
        reply = self.calls.send(self.family.reader)  # type: ignore[arg-type]
        return expect_status(reply, 200, f"{self.family.reader.operation_id} reads the set")  # type: ignore[union-attr]

    def listed(self) -> list[Any]:
        return list(value_at(self.read_body(), self.result_path) or [])

    def add(self, item: Any) -> Reply:
        return change(self.calls, self.log, self.family.adder, RequestSpec(body={self.family.item_field.name: item}))

    def remove(self, item: Any) -> Reply:
        remover, field = self.family.remover, self.family.remove_field
        assert remover is not None and field is not None
        if field in remover.shape.path_fields:
            return change(self.calls, self.log, remover, RequestSpec(path={field: item}))
        return change(self.calls, self.log, remover, RequestSpec(body={field: item}))

    def absent_item(self) -> Any:
        """An item the set does not hold, removing one first when it holds every possible item."""
        listed = self.listed()
        missing = [item for item in self.domain() if item not in listed]
        if missing:
            return missing[-1]
        expect_status(self.remove(listed[-1]), 200, f"removing {listed[-1]}, which the set showed")
        return listed[-1]

    def domain(self) -> list[Any]:
        enum = self.family.item_field.enum
        return enum.defined_names() if enum is not None else [f"contract-test-{n}" for n in range(1, 4)]

    def expected(self, option: str) -> Any:
        step = self.family.add_step if option == "conflict" else self.family.remove_step
        facts = self.family.adder if option == "conflict" else self.family.remover
        assert step is not None and facts is not None
        return facts.error_example(str(step.options[option]))


def test_add_shows_the_item_and_a_second_add_conflicts(family: SetFamily, calls: Calls, change_log: ChangeLog) -> None:
    target = SetOnTarget(family, calls, change_log)
    item = target.absent_item()
    before = target.listed()
    expect_status(target.add(item), 200, f"adding {item}, which the set does not hold")
    after = target.listed()
    assert after == [*before, item], f"{family.reader.operation_id} shows {after}, expected {[*before, item]}"  # type: ignore[union-attr]
    expect_example(target.add(item), target.expected("conflict"))


def test_remove_hides_the_item_and_a_second_remove_is_not_found(
    family: SetFamily, calls: Calls, change_log: ChangeLog
) -> None:
    target = SetOnTarget(family, calls, change_log)
    item = target.absent_item()
    expect_status(target.add(item), 200, f"adding {item}")
    removed = target.remove(item)
    expect_status(removed, 200, f"removing {item}, just added")
    assert item not in target.listed(), explain(f"{item} gone from the set", removed)
    expect_example(target.remove(item), target.expected("notFound"))


def test_sequences_only_grow(family: SetFamily, calls: Calls, change_log: ChangeLog) -> None:
    target = SetOnTarget(family, calls, change_log)
    item = target.absent_item()
    added, removed = target.add(item), target.remove(item)
    expect_status(added, 200, f"adding {item}")
    expect_status(removed, 200, f"removing {item}")
    paths = [
        template_path(facts.behaviour.answer, "$event.sequence")
        for facts in (family.adder, family.remover)
        if facts and facts.behaviour
    ]
    first, second = (
        int(value_at(reply.json(), path or ())) for reply, path in zip((added, removed), paths, strict=True)
    )
    assert second > first, explain(f"the remove's sequence above the add's {first}", removed)


def test_an_empty_set_is_left_out_of_the_answer(family: SetFamily, calls: Calls, change_log: ChangeLog) -> None:
    target = SetOnTarget(family, calls, change_log)
    for item in target.listed():
        expect_status(target.remove(item), 200, f"removing {item}, which the set showed")
    body = target.read_body()
    assert value_at(body, target.result_path) is None, f"an empty set must be left out, not {body}"
    if target.count_path is not None:
        assert value_at(body, target.count_path) is None, f"a count of 0 must be left out, not {body}"


def test_enum_items_are_accepted_by_number(enum_family: SetFamily, calls: Calls, change_log: ChangeLog) -> None:
    target = SetOnTarget(enum_family, calls, change_log)
    item = target.absent_item()
    enum = enum_family.item_field.enum
    assert enum is not None
    number = enum.numbers[item]
    expect_status(target.add(number), 200, f"adding {item} by its number {number}")
    assert item in target.listed(), f"{item}, added as {number}, is shown by name"
    expect_status(target.remove(str(number)), 200, f"removing {item} by its number {number}")
