"""ZITADEL's gateway, the same for every operation: each documented error example answers the
requests it says produce it (`x-zitadel-requests`), routing answers 404 and 405 (connect-go's
forms on a Connect procedure), and a request body the gateway never reads changes nothing.
Expected bodies are the contract's own examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.plugin import suite_model
from contract_tests.plugin.calls import Calls, RequestSpec, applies, default_url
from contract_tests.plugin.model import SAFE_METHODS, OperationFacts, SuiteModel
from contract_tests.plugin.reporting import explain
from contract_tests.plugin.undo import ChangeLog, change
from contract_tests.suite.expect import expect_example
from mockserver.contract.spec import NamedExample

PROBE_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
JUNK_BODIES = ("{not json", '{"query": {"limit": 1}}', "[]")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    model = suite_model(metafunc.config)
    operations = model.selected(metafunc.config.getoption("--api"))
    if "error_case" in metafunc.fixturenames:
        cases = list(_error_cases(model, operations))
        metafunc.parametrize("error_case", [case for case, _ in cases], ids=[name for _, name in cases])
    if "unknown_path" in metafunc.fixturenames:
        paths = [
            pytest.param((facts, path), marks=_marks(facts.changes_state), id=facts.operation_id)
            for facts in operations
            if (path := _unknown_path(model, facts))
        ]
        metafunc.parametrize("unknown_path", paths)
    if "free_method" in metafunc.fixturenames:
        probes = [
            pytest.param((facts, method), marks=_marks(method not in SAFE_METHODS), id=f"{facts.operation_id}-{method}")
            for facts in operations
            if (method := _free_method(model, facts))
        ]
        metafunc.parametrize("free_method", probes)
    if "ignoring_operation" in metafunc.fixturenames:
        ignoring = [facts for facts in operations if _ignores_its_body(model, facts)]
        metafunc.parametrize("ignoring_operation", ignoring, ids=[facts.operation_id for facts in ignoring])


def _error_cases(model: SuiteModel, operations: list[OperationFacts]) -> Iterator[tuple[Any, str]]:
    """(operation, example, request spec, comparison) for every request an error example names."""
    for facts in operations:
        for example in facts.examples.values():
            node = model.contract.node(example.pointer)
            entries = model.contract.resolve(node).get("x-zitadel-requests", [])
            compare = model.contract.resolve(node).get("x-zitadel-compare", "body")
            for index, entry in enumerate(entries):
                spec = RequestSpec.from_contract(entry)
                if not applies(facts, spec):
                    continue  # the operation does not take that part (a header, a body)
                case = pytest.param((facts, example, spec, compare), marks=_marks(facts.changes_state))
                yield case, f"{facts.operation_id}-{example.name}-{index}"


def _marks(changes_state: bool) -> list[pytest.MarkDecorator]:
    """A request that could change a server that gets it wrong is left out by `--read-only`."""
    return [pytest.mark.changes_state] if changes_state else []


def _unknown_path(model: SuiteModel, facts: OperationFacts) -> str | None:
    """The operation's path made longer until no template of the contract matches it."""
    path = default_url(model, facts)
    for depth in range(1, 5):
        candidate = path + "/__nowhere__" * depth
        if not model.path_exists(candidate):
            return candidate
    return None


def _free_method(model: SuiteModel, facts: OperationFacts) -> str | None:
    """A method no operation has on this operation's path, if there is one."""
    path = default_url(model, facts)
    return next((method for method in PROBE_METHODS if not model.route_exists(method, path)), None)


def _ignores_its_body(model: SuiteModel, facts: OperationFacts) -> bool:
    body = model.contract.request_body(facts.operation)
    return body is not None and body.get("x-zitadel-body") == "ignored"


def test_error_example_answers_its_request(
    error_case: tuple[OperationFacts, NamedExample, RequestSpec, str], calls: Calls, change_log: ChangeLog
) -> None:
    facts, example, spec, compare = error_case
    reply = change(calls, change_log, facts, spec)
    expect_example(reply, example, compare, facts.operation.is_connect)


def test_unknown_paths_are_404(unknown_path: tuple[OperationFacts, str], calls: Calls, model: SuiteModel) -> None:
    facts, path = unknown_path
    calls.touched.add(facts.operation.label)
    reply = calls.target.send(facts.operation.method, path, calls.target.bearer())
    status, body = model.gateway_error("routeNotFound")
    if facts.operation.is_connect:  # under a Connect service's path: Go's plain `404 page not found`
        assert reply.status == 404, explain("404 (connect-go's handler knows no such procedure)", reply)
        return
    assert (reply.status, reply.json_or_none()) == (status, body), explain(f"{status} {body}", reply)


def test_other_methods_are_405_without_allow(
    free_method: tuple[OperationFacts, str], calls: Calls, model: SuiteModel
) -> None:
    facts, method = free_method
    calls.touched.add(facts.operation.label)
    reply = calls.target.send(method, default_url(model, facts), calls.target.bearer())
    if facts.operation.is_connect:
        wanted = "405 with `Allow: POST` and no body, as connect-go answers"
        assert (reply.status, reply.body, reply.headers.get("allow")) == (405, b"", "POST"), explain(wanted, reply)
        return
    status, body = model.gateway_error("methodNotAllowed")
    assert (reply.status, reply.json_or_none()) == (status, body), explain(f"{status} {body}", reply)
    assert "allow" not in reply.headers, explain("no Allow header (ZITADEL sends none)", reply)


def test_a_body_the_gateway_ignores_changes_nothing(ignoring_operation: OperationFacts, calls: Calls) -> None:
    plain = calls.send(ignoring_operation)
    for junk in JUNK_BODIES:
        reply = calls.send(ignoring_operation, RequestSpec(raw_body=junk))
        wanted = f"{plain.status} {plain.body[:200]!r}: the body is never read"
        assert (reply.status, reply.json_or_none()) == (plain.status, plain.json_or_none()), explain(wanted, reply)
