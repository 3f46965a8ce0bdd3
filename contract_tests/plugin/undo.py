"""Leave a real server as the suite found it: record every change the suite makes, undo each one
at the end (even after a failure or Ctrl-C), newest first, and say what still differs.

How to undo a change is declared, not coded: the operation's behaviour names a link of the
contract (`undo: {link: RemoveTheAddedFactor}`), whose target operation, parameters and body
(OpenAPI runtime expressions) make the inverse call. A change that destroys what it replaces
reads first (`undo: {before: <read operation>, link: ...}`) and follows the read's link.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from contract_tests.plugin.calls import Calls, RequestSpec, SentRequest
from contract_tests.plugin.error_shapes import error_id
from contract_tests.plugin.model import ORG_HEADER, OperationFacts, SuiteModel, template_path, value_at
from contract_tests.plugin.reply import Reply
from mockserver.contract.spec import resolve_pointer


@dataclass(frozen=True)
class Reading:
    """A read made before a change, kept to undo it: which operation, what was sent and answered."""

    operation_id: str
    request: SentRequest
    response: Any


@dataclass(frozen=True)
class Change:
    """A call that changed the server, with what it takes to undo it."""

    operation_id: str
    request: SentRequest
    response: Any
    before: Reading | None = None


class ChangeLog:
    """The changes made so far, in order; safe to append to from several threads."""

    def __init__(self) -> None:
        self._changes: list[Change] = []
        self.unknown_effects: set[str] = set()  # operations without a declared behaviour that answered 2xx
        self._lock = threading.Lock()

    def record(
        self, facts: OperationFacts, request: SentRequest, status: int, body: Any, before: Reading | None
    ) -> None:
        """Note a call if it changed the server: a state-changing operation that answered 2xx. An
        operation without a declared behaviour may or may not have: it is noted by name only."""
        if not (facts.changes_state and 200 <= status < 300):
            return
        with self._lock:
            if facts.behaviour is None:
                self.unknown_effects.add(facts.operation_id)
            else:
                self._changes.append(Change(facts.operation_id, request, body, before))

    def changes(self) -> list[Change]:
        with self._lock:
            return list(self._changes)

    def undo_since(self, calls: Calls, count: int) -> list[str]:
        """Undo, newest first, the changes recorded after the first `count` (a test that changes
        state only on the way to what it checks puts it back at once)."""
        with self._lock:
            newer, self._changes = self._changes[count:], self._changes[:count]
        return [problem for change in reversed(newer) if (problem := undo(calls, change))]

    def undo_all(self, calls: Calls) -> list[str]:
        """Undo every change, newest first; what could not be undone, as sentences."""
        problems = []
        for change in reversed(self.changes()):
            problem = undo(calls, change)
            if problem:
                problems.append(problem)
        with self._lock:
            self._changes.clear()
        return problems


def read_before(calls: Calls, facts: OperationFacts, org_header: str | None) -> Reading | None:
    """The read a change's undo needs first (its behaviour's `undo.before`), made now."""
    undo_rule = facts.behaviour.undo if facts.behaviour else None
    if undo_rule is None or undo_rule.before is None:
        return None
    reader = calls.model.operations[undo_rule.before]
    headers = {ORG_HEADER: org_header} if org_header and reader.takes_org_header else {}
    reply, sent = calls.send_noting(reader, RequestSpec(headers=headers))
    return Reading(reader.operation_id, sent, reply.json_or_none()) if reply.status == 200 else None


def change(calls: Calls, log: ChangeLog, facts: OperationFacts, spec: RequestSpec) -> Reply:
    """Send a request that may change the target, noting a change so the session can undo it."""
    before = (
        read_before(calls, facts, spec.headers.get(ORG_HEADER, calls.target.org_id)) if facts.changes_state else None
    )
    reply, sent = calls.send_noting(facts, spec)
    log.record(facts, sent, reply.status, reply.json_or_none(), before)
    return reply


def undo(calls: Calls, change: Change) -> str | None:
    """Make the inverse call of `change`; a sentence when it cannot be made or fails."""
    model = calls.model
    facts = model.operations[change.operation_id]
    rule = facts.behaviour.undo if facts.behaviour else None
    if rule is None:
        return f"{change.operation_id} changed the server and declares no undo"
    source_id, request, response = change.operation_id, change.request, change.response
    if rule.before is not None:
        if change.before is None:
            return f"{change.operation_id}: nothing was read before it, so it cannot be undone"
        source_id, request, response = change.before.operation_id, change.before.request, change.before.response
    link = model.contract.responses(model.operations[source_id].operation)["200"]["links"][rule.link]
    target = model.operations[link["operationId"]]
    reply = calls.send(target, _inverse_request(target, link, request, response, change.request.header(ORG_HEADER)))
    if not 200 <= reply.status < 300 and not _done_already(target, reply):
        sent = {"path": dict(change.request.path), "body": change.request.body}
        return (
            f"undo {change.operation_id} ({sent}) by {target.operation_id} answered {reply.status}: "
            f"{reply.body[:200]!r}; repeat the undo with: {reply.curl}"
        )
    return None


# The errors that say an undo has nothing left to do: the item is gone, or there already, or the
# object already holds what the undo would write.
_DONE_ALREADY = {"remove_from_set": "notFound", "add_to_set": "conflict", "delete": "notFound", "replace": "unchanged"}


def _done_already(target: OperationFacts, reply: Reply) -> bool:
    """The inverse call answered that what it would do is so already (a later change in the same
    run did it: a reset removes every factor an add put there, so its undo finds nothing)."""
    if target.behaviour is None:
        return False
    body = reply.json_or_none()
    for step in target.behaviour.steps:
        name = step.options.get(_DONE_ALREADY.get(step.action, ""))
        example = target.examples.get(str(name)) if name else None
        if example is not None and str(reply.status) == example.status and error_id(body) == error_id(example.value):
            return True
    return False


def undo_can_be_sent(model: SuiteModel, facts: OperationFacts, request: SentRequest) -> bool:
    """Whether the undo of this change could reach the server: a value the undo puts in a path
    segment must not hold `/` (a gateway decodes the path before routing, grpc-gateway's default)
    nor be `.` or `..` (clients drop such segments). Known before the call only for values the
    link takes from the request; the suite makes no change it could not undo."""
    rule = facts.behaviour.undo if facts.behaviour else None
    if rule is None or rule.before is not None:
        return True
    link = model.contract.responses(facts.operation)["200"]["links"][rule.link]
    target = model.operations[link["operationId"]]
    for name, expression in _link_parameters(target, link).items():
        in_path = name[0] == "path"
        if in_path and isinstance(expression, str) and expression.startswith("$request."):
            value = evaluate(expression, request, None)
            if isinstance(value, str) and ("/" in value or value in {".", ".."}):
                return False
    return True


def _link_parameters(target: OperationFacts, link: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
    """A link's parameters by (`path` or `query`, name); a bare name is where the target reads it."""
    located = {}
    for name, expression in link.get("parameters", {}).items():
        location, _, bare = name.rpartition(".")
        in_query = location == "query" or (not location and bare in target.shape.query_fields)
        located[("query" if in_query else "path", bare)] = expression
    return located


def _inverse_request(
    target: OperationFacts, link: Mapping[str, Any], request: SentRequest, response: Any, org: str | None
) -> RequestSpec:
    path: dict[str, Any] = {}
    query: dict[str, Any] = {}
    for (location, name), expression in _link_parameters(target, link).items():
        (query if location == "query" else path)[name] = evaluate(expression, request, response)
    headers = {ORG_HEADER: org} if org and target.takes_org_header else {}
    if "requestBody" in link:
        body = _numbers_for_enums(target, evaluate(link["requestBody"], request, response))
        return RequestSpec(path=path, query=query, headers=headers, body=body)
    return RequestSpec(path=path, query=query, headers=headers)


def evaluate(expression: Any, request: SentRequest, response: Any) -> Any:
    """An OpenAPI runtime expression (or an object of them) against a request and its response."""
    if isinstance(expression, dict):
        return {key: evaluate(value, request, response) for key, value in expression.items()}
    if isinstance(expression, list):
        return [evaluate(value, request, response) for value in expression]
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    source, _, pointer = expression.partition("#")
    parts = source[1:].split(".", 2)
    if parts[:2] == ["request", "path"]:
        return request.path.get(parts[2])
    if parts[:2] == ["request", "query"]:
        return request.query.get(parts[2])
    if parts[:2] == ["request", "header"]:
        return request.header(parts[2])
    document = request.body if parts[0] == "request" else response
    try:
        return resolve_pointer(document, pointer) if pointer else document
    except KeyError:
        return None


def _numbers_for_enums(target: OperationFacts, body: Any) -> Any:
    """A path value is a string; a JSON body takes an enum by name or number, so `"1"` becomes 1."""
    if not isinstance(body, dict):
        return body
    fixed = dict(body)
    for name, value in body.items():
        field_ = target.shape.message.fields.get(name)
        if field_ is not None and field_.enum is not None and isinstance(value, str) and value.isdigit():
            fixed[name] = int(value)
    return fixed


def restore_order(calls: Calls, model: SuiteModel, api: str | None, before: Mapping[str, Any]) -> None:
    """Put the items of every set back in the order they had (an undone remove appends at the end):
    from the first item out of place, remove the rest and add it back in order."""
    now = snapshot(calls, model, api)
    for family in model.set_families(api):
        reader, remover = family.reader, family.remover
        if reader is None or remover is None or family.remove_field is None:
            continue
        wanted, shown = before.get(reader.operation_id), now.get(reader.operation_id)
        if (
            not isinstance(wanted, list)
            or not isinstance(shown, list)
            or wanted == shown
            or sorted(map(str, wanted)) != sorted(map(str, shown))
        ):
            continue
        first = next(index for index, (a, b) in enumerate(zip(wanted, shown, strict=True)) if a != b)
        for item in shown[first:]:
            calls.send(remover, _item_request(remover, family.remove_field, item))
        for item in wanted[first:]:
            calls.send(family.adder, RequestSpec(body={family.item_field.name: item}))
        now = snapshot(calls, model, api)


def _item_request(facts: OperationFacts, field_name: str, item: Any) -> RequestSpec:
    if field_name in facts.shape.path_fields:
        return RequestSpec(path={field_name: item})
    return RequestSpec(body={field_name: item})


def snapshot(calls: Calls, model: SuiteModel, api: str | None) -> dict[str, Any]:
    """What every read shows now (without details, which any change moves on), by operation."""
    shown = {}
    for facts in model.readers(api):
        if facts.shape.path_fields:
            continue
        reply: Reply = calls.send(facts)
        body = reply.json_or_none() if reply.status == 200 else f"status {reply.status}"
        path = template_path(facts.behaviour.answer if facts.behaviour else None, "$result") or ()
        value = value_at(body, path) if isinstance(body, dict) else body
        shown[facts.operation_id] = (
            {k: v for k, v in value.items() if k != "details"} if isinstance(value, dict) else value
        )
    return shown


def sent_request(case: Any) -> SentRequest:
    """What a schemathesis case sends, in the parts a link's runtime expressions may name."""
    return SentRequest(
        # schemathesis keeps path parameters percent-encoded, as they go on the wire
        path={
            name: unquote(value) if isinstance(value, str) else value
            for name, value in (case.path_parameters or {}).items()
        },
        query=dict(case.query or {}),
        headers=dict(case.headers or {}),
        body=case.body if isinstance(case.body, dict | list) else None,
    )


def record_case(log: ChangeLog, facts: OperationFacts, case: Any, response: Any, before: Reading | None) -> None:
    """`ChangeLog.record` for a schemathesis case and the response it got."""
    sent = sent_request(case)
    try:
        answer = response.json()
    except ValueError:
        answer = None
    log.record(facts, sent, response.status_code, answer, before)
