"""Deterministic scenarios for objects (an organization's login policy, the instance default),
chosen from the declared behaviours (`create`, `replace`, `delete`, `read` with a fallback) and
run against any target:

- a create holds exactly the request (nothing inherited from what the reads showed before), and a
  second create is the declared conflict;
- a replace sets every field of its request (what it leaves out is reset, not kept), leaves the
  rest alone, and the same replace again is the declared "unchanged" error;
- after a delete the read shows the fallback, a second delete is the declared not-found, and the
  sets the delete clears are empty (their items cannot be removed any more);
- reads of the same place agree with each other (v1 and v2 of a policy), and ZITADEL's markers of
  the instance default (`isDefault`, `resourceOwnerType`) are set exactly when the default shows.

Expected values come from the contract (request examples, field defaults, named error examples);
calls that change state are undone at the end of the session.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.plugin import suite_model
from contract_tests.plugin.calls import Calls, RequestSpec
from contract_tests.plugin.model import ORG_HEADER, ObjectFamily, OperationFacts, SuiteModel, template_path, value_at
from contract_tests.plugin.reply import Reply
from contract_tests.plugin.reporting import explain
from contract_tests.plugin.target import Target
from contract_tests.plugin.undo import ChangeLog, change
from contract_tests.suite.expect import expect_example, expect_status
from mockserver.contract.messages import Field

DEFAULT_MARKERS = {"isDefault": True, "resourceOwnerType": "RESOURCE_OWNER_TYPE_INSTANCE"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    model = suite_model(metafunc.config)
    api = metafunc.config.getoption("--api")
    families = model.object_families(api)
    wanted = {
        "created": [f for f in families if f.creator and f.deleter and f.reader],
        "replaced": [f for f in families if f.replacer and f.reader],
        "deleted": [f for f in families if f.deleter and f.reader and f.fallback_reader],
    }
    for name, chosen in wanted.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, chosen, ids=[family.name for family in chosen])
    if "view" in metafunc.fixturenames:
        views = [facts for facts in model.selected(api) if _whole(facts) and model.views(facts)]
        metafunc.parametrize("view", views, ids=[facts.operation_id for facts in views])


class ObjectOnTarget:
    """One object of the target, through the operations that change and read it."""

    def __init__(self, family: ObjectFamily, calls: Calls, log: ChangeLog) -> None:
        assert family.reader is not None
        self.family, self.calls, self.log = family, calls, log
        self.reader = family.reader

    def read(self, facts: OperationFacts | None = None) -> dict[str, Any]:
        """The object as `facts` (default: the family's reader) shows it."""
        facts = facts or self.reader
        reply = self.calls.send(facts)
        body = expect_status(reply, 200, f"{facts.operation_id} reads the object")
        found = value_at(body, _whole(facts) or ())
        assert isinstance(found, dict), explain(f"{facts.operation_id} answers an object", reply)
        return found

    def send(self, facts: OperationFacts, body: Any = None) -> Reply:
        spec = RequestSpec() if body is None else RequestSpec(body=body)
        return change(self.calls, self.log, facts, spec)

    def delete(self) -> None:
        """Make sure the object does not exist (a not-found answer means it did not)."""
        deleter, step = self.family.deleter, self.family.delete_step
        assert deleter is not None and step is not None
        reply = self.send(deleter)
        if reply.status != 200:
            expect_example(
                reply, deleter.error_example(str(step.options["notFound"])), connect=deleter.operation.is_connect
            )


@pytest.mark.changes_state
def test_a_create_holds_exactly_the_request(created: ObjectFamily, calls: Calls, change_log: ChangeLog) -> None:
    target = ObjectOnTarget(created, calls, change_log)
    creator, step = created.creator, created.create_step
    assert creator is not None and step is not None
    for name, example in _request_examples(calls, creator):
        target.delete()
        made = target.send(creator, example)
        expect_status(made, 200, f"{creator.operation_id} with its example {name!r}, the object being gone")
        shown = target.read()
        for field in creator.shape.message.fields.values():
            expected = _as_written(field, example.get(field.name))
            assert shown.get(field.name) == expected, explain(
                f"{creator.operation_id} {name!r}: {field.name} {expected!r} as sent (nothing inherited), "
                f"read {shown.get(field.name)!r} from {target.reader.operation_id}",
                made,
            )
    again = target.send(creator, {})
    expect_example(again, creator.error_example(str(step.options["conflict"])))


@pytest.mark.changes_state
def test_a_replace_sets_every_field_it_carries(replaced: ObjectFamily, calls: Calls, change_log: ChangeLog) -> None:
    target = ObjectOnTarget(replaced, calls, change_log)
    replacer, step = replaced.replacer, replaced.replace_step
    assert replacer is not None and step is not None
    before = target.read()
    fields = replacer.shape.message.fields
    flag = next((f for f in fields.values() if f.kind == "bool" and not before.get(f.name)), None)
    body = {flag.name: True} if flag is not None else {}
    reply = target.send(replacer, body)
    if reply.status != 200 and replaced.creator is not None and "notFound" in step.options:
        expect_example(reply, replacer.error_example(str(step.options["notFound"])))
        expect_status(target.send(replaced.creator, {}), 200, "creating the object to replace")
        before = target.read()
        reply = target.send(replacer, body)
    expect_status(reply, 200, f"{replacer.operation_id} with {body}")
    after = target.read()
    for field in fields.values():
        expected = _as_written(field, body.get(field.name))
        wanted = f"{field.name} {expected!r}: a replace sets what it carries and resets what it leaves out"
        assert after.get(field.name) == expected, explain(f"{wanted}, read {after.get(field.name)!r}", reply)
    for name in set(before) - set(fields) - {"details"}:
        assert after.get(name) == before[name], explain(f"{name} untouched by the replace: {before[name]!r}", reply)
    if "unchanged" in step.options:
        expect_example(target.send(replacer, body), replacer.error_example(str(step.options["unchanged"])))


@pytest.mark.changes_state
def test_a_delete_falls_back_and_clears_what_it_names(
    deleted: ObjectFamily, calls: Calls, change_log: ChangeLog, model: SuiteModel
) -> None:
    target = ObjectOnTarget(deleted, calls, change_log)
    deleter, step = deleted.deleter, deleted.delete_step
    assert deleter is not None and step is not None and deleted.fallback_reader is not None
    cleared = [family for family in model.set_families() if family.add_step.at in step.options.get("clear", [])]
    for family in cleared:  # something to clear: one item in each set the delete names
        added = change(calls, change_log, family.adder, RequestSpec(body={family.item_field.name: _item(family)}))
        assert added.status in (200, 409), explain("the item added, or there already", added)
    target.delete()
    shown, fallback = target.read(), target.read(deleted.fallback_reader)
    assert shown == fallback, (
        f"after {deleter.operation_id}, {target.reader.operation_id} shows {shown}, not {fallback}"
    )
    expect_example(target.send(deleter), deleter.error_example(str(step.options["notFound"])))
    replacer, replace_step = deleted.replacer, deleted.replace_step
    if replacer is not None and replace_step is not None and "notFound" in replace_step.options:
        expect_example(target.send(replacer, {}), replacer.error_example(str(replace_step.options["notFound"])))
    for family in cleared:
        remover, remove_step = family.remover, family.remove_step
        if remover is None or remove_step is None or family.remove_field is None:
            continue
        spec = _item_spec(remover, family.remove_field, _item(family))
        gone = change(calls, change_log, remover, spec)
        expect_example(gone, remover.error_example(str(remove_step.options["notFound"])))


def test_reads_of_the_same_object_agree(view: OperationFacts, calls: Calls, model: SuiteModel) -> None:
    reference = _whole_body(calls, view)
    for other in model.views(view):
        reply = calls.send(other)
        body = expect_status(reply, 200, f"{other.operation_id} reads what {view.operation_id} reads")
        answer = other.behaviour.answer if other.behaviour else None
        for path, expression in _result_paths(answer):
            expected = value_at(reference, tuple(expression.split(".")[1:]))
            got = value_at(body, path)
            wanted = f"{'.'.join(path)} = {view.operation_id}'s {expression.removeprefix('$result.')} {expected!r}"
            assert got == expected, explain(wanted, reply)


def test_the_default_is_marked_exactly_where_it_shows(view: OperationFacts, calls: Calls, model: SuiteModel) -> None:
    """ZITADEL marks the instance default (`isDefault: true`, `RESOURCE_OWNER_TYPE_INSTANCE`) and
    nothing else; an organization's own policy carries neither."""
    families = [f for f in model.object_families() if f.reader is view and f.fallback_reader is not None]
    if not families:
        return  # nothing falls back here
    fallback = families[0].fallback_reader
    assert fallback is not None
    instance = value_at(_whole_body(calls, fallback), ("details", "resourceOwner"))
    for facts in (view, *model.views(view)):
        reply = calls.send(facts)
        body = expect_status(reply, 200, f"{facts.operation_id} reads")
        is_default = _find(body, "details", "resourceOwner") == instance
        for marker, value in DEFAULT_MARKERS.items():
            for found in _all(body, marker):
                wanted = f"{marker} {value!r} exactly when the instance default ({instance}) shows"
                assert (found == value) == is_default, explain(wanted, reply)


# Helpers ------------------------------------------------------------------------------------------


def _request_examples(calls: Calls, facts: OperationFacts) -> list[tuple[str, dict[str, Any]]]:
    body = calls.model.contract.request_body(facts.operation) or {}
    examples = body.get("content", {}).get("application/json", {}).get("examples", {})
    values = [(name, calls.model.contract.resolve(example).get("value")) for name, example in examples.items()]
    return [(name, value) for name, value in values if isinstance(value, dict)] or [("empty", {})]


def _as_written(field: Field, value: Any) -> Any:
    """A field of a request as ZITADEL writes it back: zero values left out, a Duration at least
    its default (`0s`), an enum's zero name left out."""
    if field.enum is not None and isinstance(value, str) and field.enum.numbers.get(value) == 0:
        value = None
    if value in (None, False, "", 0, []):
        return field.default
    return value


def _whole(facts: OperationFacts) -> tuple[str, ...] | None:
    """Where an operation's answer carries the whole object it read, if it does."""
    return template_path(facts.behaviour.answer, "$result") if facts.behaviour else None


def _whole_body(calls: Calls, facts: OperationFacts) -> Any:
    reply = calls.send(facts)
    return value_at(expect_status(reply, 200, f"{facts.operation_id} reads"), _whole(facts) or ())


def _result_paths(template: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """(where, expression) of every `$result.x` an answer's template copies as it is ($map
    translations left out)."""
    if isinstance(template, str) and template.startswith("$result."):
        return [(path, template)]
    if isinstance(template, dict) and "$map" not in template:
        return [found for key, value in template.items() for found in _result_paths(value, (*path, key))]
    return []


def _find(body: Any, *path: str) -> Any:
    """`path` in the body or in any object directly inside it (`policy.details.resourceOwner`)."""
    direct = value_at(body, path)
    if direct is not None or not isinstance(body, dict):
        return direct
    return next((found for value in body.values() if (found := value_at(value, path)) is not None), None)


def _all(body: Any, key: str) -> list[Any]:
    """Every value of `key` anywhere in the body."""
    if not isinstance(body, dict):
        return []
    here = [body[key]] if key in body else []
    return here + [found for value in body.values() for found in _all(value, key)]


def _item(family: Any) -> Any:
    enum = family.item_field.enum
    return enum.defined_names()[-1] if enum is not None else "contract-test-item"


def _item_spec(facts: OperationFacts, field: str, item: Any) -> RequestSpec:
    if field in facts.shape.path_fields:
        return RequestSpec(path={field: item})
    return RequestSpec(body={field: item})


def test_an_organization_without_its_own_object_reads_the_fallback(
    deleted: ObjectFamily, calls: Calls, contract_target: Target
) -> None:
    """`--fallback-org-id` names an organization without a custom policy: every read of it
    shows the instance default, marked as such, until it gets one."""
    if not contract_target.fallback_org_id:
        return  # no such organization named for this run
    assert deleted.reader is not None and deleted.fallback_reader is not None
    fallback = _whole_body(calls, deleted.fallback_reader)
    headers = {ORG_HEADER: contract_target.fallback_org_id}
    reply = calls.send(deleted.reader, RequestSpec(headers=headers))
    shown = value_at(expect_status(reply, 200, "the fallback organization's read"), _whole(deleted.reader) or ())
    assert shown == fallback, explain(f"the fallback {fallback} (the organization has no object of its own)", reply)
    for marker, value in DEFAULT_MARKERS.items():
        for found in _all(reply.json_or_none(), marker):
            assert found == value, explain(f"{marker} {value!r}: the default shows", reply)
